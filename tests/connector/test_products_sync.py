from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from backmarket_sdk.sandbox import Sandbox
from commercium_connector.backmarket import plugin
from commercium_connector.types import ItemResult, ItemStatus, Product
from tests.connector.conftest import (
    NEW_PRODUCTS,
    PRODUCT_IDS,
    MemoryStateStore,
    api_writes,
    make_settings,
    product,
    sandbox_connection,
)

SWITCH = product(
    "Switch-OLED",
    marketplace_product_id=PRODUCT_IDS["switch"],
    price=Decimal("279.90"),
    currency="EUR",
    quantity=6,
)
KINDLE = product(
    "KINDLE-PW",
    barcode=NEW_PRODUCTS[1].ean,
    price=Decimal("99"),
    grade="good",
    quantity=None,
)


def push(
    box: Sandbox,
    items: list[Product],
    *,
    state: MemoryStateStore | None = None,
    dry_run: bool = False,
    **settings: Any,
) -> dict[str, ItemResult]:
    connection = sandbox_connection(box, make_settings(**settings), state=state)
    results = plugin.commercium_push_products(
        connection=connection, products=items, dry_run=dry_run
    )
    assert results is not None
    assert len(results) == len(items)
    return {result.key: result for result in results}


def catalog_rows(box: Sandbox) -> list[dict[str, str]]:
    [(_, path, body)] = api_writes(box)
    assert path == "/ws/listings"
    return list(csv.DictReader(io.StringIO(body["catalog"])))


def test_products_created_and_linked(sandbox: Sandbox) -> None:
    results = push(
        sandbox,
        [SWITCH, KINDLE],
        inventory={"safety_stock": 1},
        products={"default_inventory": 3},
    )
    switch = results["Switch-OLED"]
    assert switch.status is ItemStatus.DONE
    assert switch.action == "create"
    assert switch.details["listing_id"] == sandbox.listing("SWITCH-OLED")["id"]
    assert (
        results["KINDLE-PW"].details["listing_id"] == sandbox.listing("KINDLE-PW")["id"]
    )
    rows = {row["sku"]: row for row in catalog_rows(sandbox)}
    assert rows["Switch-OLED"]["product_id"] == PRODUCT_IDS["switch"]
    assert rows["Switch-OLED"]["quantity"] == "5"
    assert rows["Switch-OLED"]["price"] == "279.90"
    assert rows["KINDLE-PW"]["ean"] == NEW_PRODUCTS[1].ean
    assert rows["KINDLE-PW"]["quantity"] == "3"
    assert rows["KINDLE-PW"]["grade"] == "GOOD"
    assert sandbox.listing("KINDLE-PW")["quantity"] == 3


def test_products_rejection_reason(sandbox: Sandbox) -> None:
    unknown = product(
        "GHOST-1",
        marketplace_product_id="2f5b6c1e-0000-4000-8000-0000000000ff",
        price=Decimal("10"),
    )
    results = push(sandbox, [unknown, SWITCH])
    assert results["GHOST-1"].status is ItemStatus.FAILED
    assert "no product with product_id" in results["GHOST-1"].message
    assert results["Switch-OLED"].status is ItemStatus.DONE


def test_products_local_failures(sandbox: Sandbox) -> None:
    results = push(
        sandbox,
        [
            product("NO-MATCH", price=Decimal("10")),
            product("NO-PRICE", barcode="0045496452629"),
            product(
                "BAD-GRADE", barcode="0045496452629", price=Decimal("5"), grade="X"
            ),
        ],
    )
    assert "product id" in results["NO-MATCH"].message
    assert "no price" in results["NO-PRICE"].message
    assert "unknown grade" in results["BAD-GRADE"].message
    assert {r.status for r in results.values()} == {ItemStatus.FAILED}
    assert api_writes(sandbox) == []


def test_products_already_listed(sandbox: Sandbox) -> None:
    results = push(sandbox, [product("iphone-13-blue", price=Decimal("1"))])
    result = results["iphone-13-blue"]
    assert result.status is ItemStatus.SKIPPED
    assert result.details["listing_id"] == sandbox.listing("IPHONE-13-BLUE")["id"]
    assert api_writes(sandbox) == []


def test_products_rerun_changes_nothing(sandbox: Sandbox) -> None:
    push(sandbox, [SWITCH])
    sandbox.clear_requests()
    results = push(sandbox, [SWITCH])
    assert results["Switch-OLED"].status is ItemStatus.SKIPPED
    assert api_writes(sandbox) == []


def test_products_task_timeout_defers(sandbox: Sandbox) -> None:
    state = MemoryStateStore()
    slow = {"task_timeout": 1, "task_poll_interval": 0.5}
    results = push(sandbox, [SWITCH], state=state, **slow)
    assert results["Switch-OLED"].status is ItemStatus.DEFERRED
    assert "still running" in results["Switch-OLED"].message
    assert "catalog:pending:create" in state.values

    again = push(sandbox, [SWITCH], state=state, **slow)
    assert again["Switch-OLED"].status is ItemStatus.DEFERRED
    assert again["Switch-OLED"].details["task_id"]
    assert len(api_writes(sandbox)) == 1

    sandbox.advance(10)
    done = push(sandbox, [SWITCH], state=state, **slow)
    assert done["Switch-OLED"].status is ItemStatus.SKIPPED
    assert done["Switch-OLED"].details["listing_id"]
    assert "catalog:pending:create" not in state.values
    assert len(api_writes(sandbox)) == 1


def test_products_dry_run(sandbox: Sandbox) -> None:
    results = push(sandbox, [SWITCH], dry_run=True)
    assert results["Switch-OLED"].status is ItemStatus.DONE
    assert results["Switch-OLED"].details["product_id"] == PRODUCT_IDS["switch"]
    assert api_writes(sandbox) == []


def test_products_disabled(sandbox: Sandbox) -> None:
    results = push(sandbox, [SWITCH], products={"enabled": False})
    assert results["Switch-OLED"].status is ItemStatus.SKIPPED
    assert sandbox.requests == []


def test_products_grade_and_warranty(sandbox: Sandbox) -> None:
    ungraded = product(
        "SWITCH-2", barcode=NEW_PRODUCTS[0].ean, price=Decimal("250"), quantity=2
    )
    results = push(
        sandbox,
        [ungraded],
        products={"default_grade": "fair", "warranty_delay": 24},
    )
    assert results["SWITCH-2"].status is ItemStatus.DONE
    [row] = catalog_rows(sandbox)
    assert row["grade"] == "FAIR"
    assert row["warranty_delay"] == "24"
    truth = sandbox.listing("SWITCH-2")
    assert truth["grade"] == "FAIR"
    assert truth["warranty_delay"] == 24
