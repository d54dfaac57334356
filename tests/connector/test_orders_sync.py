from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from backmarket_sdk.sandbox import Sandbox
from commercium_connector.backmarket import plugin
from commercium_connector.errors import SettingsError
from commercium_connector.types import ItemStatus, OrderBatch, OrderStatus, Product
from tests.connector.conftest import (
    LISTINGS,
    START,
    MemoryStateStore,
    api_writes,
    make_sandbox,
    make_settings,
    product,
    sandbox_connection,
)

ALL_PRODUCTS = [product(seed.sku.lower()) for seed in LISTINGS]


def pull(
    box: Sandbox,
    products: list[Product] | None = None,
    *,
    since: object = None,
    dry_run: bool = False,
    state: MemoryStateStore | None = None,
    **settings: object,
) -> OrderBatch:
    connection = sandbox_connection(box, make_settings(**settings), state=state)
    batch = plugin.commercium_pull_orders(
        connection=connection,
        since=since,
        products=ALL_PRODUCTS if products is None else products,
        dry_run=dry_run,
    )
    assert batch is not None
    return batch


def by_external_id(batch: OrderBatch) -> dict[str, object]:
    return {order.external_id: order for order in batch.orders}


def test_pull_imports_paid_states(sandbox: Sandbox) -> None:
    placed = {
        state: sandbox.place_order("IPHONE-13-BLUE", state=state)
        for state in (1, 3, 9, 0, 10, 8)
    }
    batch = pull(sandbox)
    orders = {order.external_id: order for order in batch.orders}
    assert set(orders) == {str(placed[1]), str(placed[3]), str(placed[9])}
    assert orders[str(placed[1])].status is OrderStatus.ACCEPTED
    assert orders[str(placed[3])].status is OrderStatus.ACCEPTED
    assert orders[str(placed[9])].status is OrderStatus.SHIPPED
    assert all(order.paid for order in batch.orders)
    skipped = {
        result.details["external_id"]: result.message
        for result in batch.results
        if result.status is ItemStatus.SKIPPED and result.action == "import"
    }
    assert "state 10" in skipped[str(placed[10])]
    assert str(placed[8]) not in skipped


def test_pull_accepts_linked_lines(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("PIXEL-7-BLACK", state=1)
    batch = pull(sandbox)
    accepts = [result for result in batch.results if result.action == "accept"]
    assert len(accepts) == 1
    assert accepts[0].status is ItemStatus.DONE
    assert accepts[0].key == f"{order_id}/PIXEL-7-BLACK"
    assert sandbox.order(order_id)["state"] == 3
    assert sandbox.order(order_id)["orderlines"][0]["state"] == 2
    order = batch.orders[0]
    assert order.status is OrderStatus.ACCEPTED
    assert order.lines[0].product_key == "pixel-7-black"
    assert order.lines[0].state == "2"


def test_pull_unpaid_when_skip_off(sandbox: Sandbox) -> None:
    placed = {
        state: sandbox.place_order("GALAXY-S22", state=state) for state in (0, 10, 8)
    }
    batch = pull(sandbox, orders={"skip_unpaid": False})
    orders = by_external_id(batch)
    assert set(orders) == {str(placed[0]), str(placed[10])}
    for order in batch.orders:
        assert order.paid is False
        assert order.status is OrderStatus.PENDING_PAYMENT
    assert not [result for result in batch.results if result.action == "accept"]
    assert sandbox.order(placed[0])["state"] == 0
    queried_states = [
        entry.query.get("state") for entry in sandbox.requests if entry.method == "GET"
    ]
    assert "0" in queried_states


def test_pull_skip_unpaid_one_query(sandbox: Sandbox) -> None:
    sandbox.place_order("GALAXY-S22", state=0)
    pull(sandbox)
    lists = [entry for entry in sandbox.requests if entry.path == "/ws/orders"]
    assert len(lists) == 1
    assert "state" not in lists[0].query


def test_pull_unlinked_line_left(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", state=1)
    linked_only = [product("pixel-7-black")]
    batch = pull(sandbox, linked_only)
    line_results = [r for r in batch.results if r.action == "unlinked"]
    assert len(line_results) == 1
    assert line_results[0].status is ItemStatus.SKIPPED
    assert line_results[0].notify is True
    assert "IPHONE-13-BLUE" in line_results[0].message
    order_result = next(r for r in batch.results if r.action == "import")
    assert order_result.notify is True
    assert sandbox.order(order_id)["orderlines"][0]["state"] == 1
    assert api_writes(sandbox) == []
    assert batch.orders[0].lines[0].product_key is None
    assert batch.orders[0].lines[0].linked is False


def test_pull_unlinked_without_notify(sandbox: Sandbox) -> None:
    sandbox.place_order("IPHONE-13-BLUE", state=1)
    batch = pull(sandbox, [], orders={"notify_unlinked": False})
    assert [r.notify for r in batch.results] == [False, False]


def test_pull_number_and_notes_templates(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", state=3)
    batch = pull(
        sandbox,
        orders={
            "number_format": "{order_id:08d}",
            "number_prefix": "BM-",
            "number_suffix": "-FR",
            "notes_format": "Back Market {market} #{order_id}",
            "notes_prefix": "[",
            "notes_suffix": "]",
        },
    )
    order = batch.orders[0]
    assert order.number == f"BM-{order_id:08d}-FR"
    assert order.notes == f"[Back Market fr-fr #{order_id}]"
    assert batch.results[0].key == order.number


def test_pull_money_and_addresses(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", quantity=2, state=3)
    truth = sandbox.order(order_id)
    order = pull(sandbox).orders[0]
    assert order.currency == "EUR"
    assert order.total == Decimal(truth["price"])
    assert isinstance(order.shipping_total, Decimal)
    assert order.lines[0].quantity == 2
    assert order.lines[0].unit_price == Decimal(truth["orderlines"][0]["price"])
    assert order.shipping_address.last_name == truth["shipping_address"]["lastName"]
    assert order.shipping_address.country == truth["shipping_address"]["country"]
    assert order.created_at.tzinfo is not None


def test_pull_rerun_changes_nothing(sandbox: Sandbox) -> None:
    sandbox.place_order("IPHONE-13-BLUE", state=1)
    sandbox.place_order("PIXEL-7-BLACK", state=1)
    first = pull(sandbox)
    writes = len(api_writes(sandbox))
    assert writes == 2
    second = pull(sandbox, since=first.cursor)
    assert len(api_writes(sandbox)) == writes
    assert [o.number for o in second.orders] == [o.number for o in first.orders]
    assert [o.status for o in second.orders] == [OrderStatus.ACCEPTED] * 2
    assert not [r for r in second.results if r.action == "accept"]
    assert second.cursor == first.cursor


def test_pull_cursor_overlap(sandbox: Sandbox) -> None:
    sandbox.place_order("IPHONE-13-BLUE", state=3)
    sandbox.advance(3600)
    order_id = sandbox.place_order("PIXEL-7-BLACK", state=3)
    newest = pull(sandbox).orders[-1]
    assert newest.external_id == str(order_id)
    batch = pull(sandbox, orders={"overlap_minutes": 15})
    assert batch.cursor == newest.modified_at - timedelta(minutes=15)


def backdate(box: Sandbox, order_id: int, seconds: float) -> None:
    """Make an order look changed earlier: a write Back Market stamps late."""
    record = box.store.orders[order_id]
    record.date_modification -= timedelta(seconds=seconds)


@pytest.mark.parametrize(("overlap", "seen"), [(10, True), (0, False)])
def test_pull_late_write_overlap(sandbox: Sandbox, overlap: int, seen: bool) -> None:
    sandbox.place_order("IPHONE-13-BLUE", state=3)
    sandbox.advance(600)
    sandbox.place_order("PIXEL-7-BLACK", state=3)
    first = pull(sandbox, orders={"overlap_minutes": overlap})
    sandbox.advance(60)
    late = sandbox.place_order("GALAXY-S22", state=3)
    backdate(sandbox, late, 60 + 120)
    second = pull(sandbox, since=first.cursor, orders={"overlap_minutes": overlap})
    assert (str(late) in by_external_id(second)) is seen


def test_pull_dry_run_accepts_nothing(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", state=1)
    batch = pull(sandbox, dry_run=True)
    accepts = [r for r in batch.results if r.action == "accept"]
    assert accepts[0].status is ItemStatus.DONE
    assert "dry run" in accepts[0].message
    assert api_writes(sandbox) == []
    assert sandbox.order(order_id)["state"] == 1


def test_pull_import_start(sandbox: Sandbox) -> None:
    sandbox.place_order("IPHONE-13-BLUE", state=3)
    sandbox.advance(7200)
    recent = sandbox.place_order("PIXEL-7-BLACK", state=3)
    start = (START + timedelta(hours=1)).isoformat()
    batch = pull(sandbox, orders={"import_start": start})
    assert list(by_external_id(batch)) == [str(recent)]
    lists = [entry for entry in sandbox.requests if entry.path == "/ws/orders"]
    assert lists[0].query["date_modification"].startswith("2026-01-05T10:00:00")


def test_pull_disabled(sandbox: Sandbox) -> None:
    sandbox.place_order("IPHONE-13-BLUE", state=1)
    batch = pull(sandbox, since=START, orders={"enabled": False})
    assert batch.orders == []
    assert batch.cursor == START
    assert sandbox.requests == []


def test_pull_collision_is_settings_error(sandbox: Sandbox) -> None:
    sandbox.place_order("IPHONE-13-BLUE", state=1)
    with pytest.raises(SettingsError) as caught:
        pull(sandbox, [product("Galaxy-S22"), product("GALAXY-s22")])
    message = str(caught.value)
    assert "'Galaxy-S22'" in message
    assert "'GALAXY-s22'" in message
    assert caught.value.problems[0].key == "product_identifier"


def test_pull_every_seeded_state() -> None:
    box = make_sandbox(listings=None, products=None, orders=12, listing_count=8)
    products = [product(sku) for sku in box.skus]
    # The seeded orders span several markets.
    every = {"skip_unpaid": False, "markets": "all"}
    batch = pull(box, products, orders=every)
    statuses = {order.status for order in batch.orders}
    assert statuses >= {
        OrderStatus.PENDING_PAYMENT,
        OrderStatus.ACCEPTED,
        OrderStatus.SHIPPED,
    }
    numbers = [order.number for order in batch.orders]
    assert len(numbers) == len(set(numbers))
    for order in batch.orders:
        assert box.order(int(order.external_id))["state"] != 8
        if order.paid:
            assert order.status is not OrderStatus.PENDING_PAYMENT
        assert all(line.linked for line in order.lines)
    for order in batch.orders:
        truth = box.order(int(order.external_id))
        if truth["state"] in (1, 3):
            line_states = {line["state"] for line in truth["orderlines"]}
            assert 1 not in line_states
    second = pull(box, products, since=batch.cursor, orders=every)
    assert not [r for r in second.results if r.action == "accept"]


def test_pull_links_by_named_field(sandbox: Sandbox) -> None:
    sandbox.place_order("GALAXY-S22", state=1)
    host = [product("HOST-77", fields={"mpn": "galaxy-s22"})]
    batch = pull(sandbox, host, product_identifier="field:mpn")
    line = batch.orders[0].lines[0]
    assert line.product_key == "galaxy-s22"
    assert line.marketplace_sku == "GALAXY-S22"
    assert [r.action for r in batch.results] == ["import", "accept"]


def test_pull_links_by_barcode(sandbox: Sandbox) -> None:
    sandbox.place_order("GALAXY-S22", state=1)
    host = [product("HOST-77", barcode="galaxy-s22")]
    by_sku = pull(sandbox, host, dry_run=True)
    assert by_sku.orders[0].lines[0].product_key is None
    by_barcode = pull(sandbox, host, dry_run=True, product_identifier="barcode")
    assert by_barcode.orders[0].lines[0].product_key == "galaxy-s22"


def test_pull_back_office_change_updates(sandbox: Sandbox) -> None:
    from backmarket_sdk import BackMarketClient

    order_id = sandbox.place_order("IPHONE-13-BLUE", state=1)
    first = pull(sandbox, [])
    assert first.orders[0].status is OrderStatus.PAID
    sandbox.advance(60)
    with BackMarketClient(
        token=sandbox.token,
        base_url="http://127.0.0.1:9",
        user_agent="BM-Seller-BackOffice;seller@acme.example",
        transport=sandbox.transport(),
    ) as seller:
        seller.orders.accept_line(order_id, "IPHONE-13-BLUE")
    second = pull(sandbox, [], since=first.cursor)
    assert [o.external_id for o in second.orders] == [str(order_id)]
    assert second.orders[0].number == first.orders[0].number
    assert second.orders[0].status is OrderStatus.ACCEPTED
    assert second.orders[0].modified_at > first.orders[0].modified_at
