"""Order lines accepted only while the host stock can fill them."""

from __future__ import annotations

from backmarket_sdk.sandbox import Sandbox
from commercium_connector.backmarket import plugin
from commercium_connector.types import ItemResult, ItemStatus, OrderBatch, Product
from tests.connector.conftest import (
    api_writes,
    make_settings,
    product,
    sandbox_connection,
)


def pull(
    box: Sandbox, products: list[Product], *, dry_run: bool = False, **settings: object
) -> OrderBatch:
    connection = sandbox_connection(box, make_settings(**settings))
    batch = plugin.commercium_pull_orders(
        connection=connection, since=None, products=products, dry_run=dry_run
    )
    assert batch is not None
    return batch


def accepts(batch: OrderBatch) -> list[ItemResult]:
    return [result for result in batch.results if result.action == "accept"]


def line_state(box: Sandbox, order_id: int) -> int:
    state: int = box.order(order_id)["orderlines"][0]["state"]
    return state


def test_stock_short_line_left(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", quantity=3, state=1)
    batch = pull(sandbox, [product("IPHONE-13-BLUE", quantity=1)])
    [result] = accepts(batch)
    assert result.status is ItemStatus.SKIPPED
    assert result.notify is True
    assert "host stock of 'IPHONE-13-BLUE' is 1" in result.message
    assert "the line orders 3" in result.message
    assert result.details["quantity"] == "3"
    assert line_state(sandbox, order_id) == 1
    assert api_writes(sandbox) == []
    order_result = next(r for r in batch.results if r.action == "import")
    assert order_result.notify is True
    assert "not enough host stock" in order_result.message
    assert batch.orders[0].lines[0].state == "1"


def test_stock_counts_earlier_accepts(sandbox: Sandbox) -> None:
    first = sandbox.place_order("IPHONE-13-BLUE", quantity=2, state=1)
    second = sandbox.place_order("IPHONE-13-BLUE", quantity=2, state=1)
    batch = pull(sandbox, [product("iphone-13-blue", quantity=3)])
    statuses = [result.status for result in accepts(batch)]
    assert statuses == [ItemStatus.DONE, ItemStatus.SKIPPED]
    assert "is 1, the line orders 2" in accepts(batch)[1].message
    assert line_state(sandbox, first) == 2
    assert line_state(sandbox, second) == 1


def test_stock_exact_amount_accepted(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("PIXEL-7-BLACK", quantity=2, state=1)
    batch = pull(sandbox, [product("PIXEL-7-BLACK", quantity=2)])
    assert [r.status for r in accepts(batch)] == [ItemStatus.DONE]
    assert line_state(sandbox, order_id) == 2


def test_stock_untracked_always_fillable(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", quantity=3, state=1)
    batch = pull(sandbox, [product("IPHONE-13-BLUE", quantity=None)])
    assert [r.status for r in accepts(batch)] == [ItemStatus.DONE]
    assert line_state(sandbox, order_id) == 2


def test_stock_ignores_safety_stock(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("PIXEL-7-BLACK", quantity=2, state=1)
    batch = pull(
        sandbox,
        [product("PIXEL-7-BLACK", quantity=2)],
        inventory={"safety_stock": 5},
    )
    assert [r.status for r in accepts(batch)] == [ItemStatus.DONE]
    assert line_state(sandbox, order_id) == 2


def test_stock_checked_in_dry_run(sandbox: Sandbox) -> None:
    sandbox.place_order("GALAXY-S22", quantity=1, state=1)
    sandbox.place_order("GALAXY-S22", quantity=1, state=1)
    batch = pull(sandbox, [product("GALAXY-S22", quantity=1)], dry_run=True)
    results = accepts(batch)
    assert [r.status for r in results] == [ItemStatus.DONE, ItemStatus.SKIPPED]
    assert "dry run" in results[0].message
    assert "is 0, the line orders 1" in results[1].message
    assert api_writes(sandbox) == []


def test_stock_negative_host_stock(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("GALAXY-S22", quantity=1, state=1)
    batch = pull(sandbox, [product("GALAXY-S22", quantity=-2)])
    [result] = accepts(batch)
    assert result.status is ItemStatus.SKIPPED
    assert "is -2, the line orders 1" in result.message
    assert line_state(sandbox, order_id) == 1
