from __future__ import annotations

from typing import Any

import pytest

from backmarket_sdk.sandbox import Sandbox
from commercium_connector.backmarket import listings, plugin
from commercium_connector.backmarket.budget import STATE_KEY
from commercium_connector.types import ItemResult, ItemStatus, StockLevel
from tests.connector.conftest import (
    MemoryStateStore,
    api_writes,
    make_settings,
    product,
    sandbox_connection,
)


def level(sku: str, available: int | None) -> StockLevel:
    return StockLevel(product=product(sku), available=available)


def push(
    box: Sandbox,
    levels: list[StockLevel],
    *,
    state: MemoryStateStore | None = None,
    dry_run: bool = False,
    **settings: Any,
) -> dict[str, ItemResult]:
    connection = sandbox_connection(box, make_settings(**settings), state=state)
    results = plugin.commercium_push_inventory(
        connection=connection, levels=levels, dry_run=dry_run
    )
    assert results is not None
    assert len(results) == len(levels)
    return {result.key: result for result in results}


def sent_quantities(box: Sandbox) -> dict[str, int]:
    listings = {box.listing(sku)["id"]: sku for sku in box.skus}
    return {
        listings[path.rsplit("/", 1)[1]]: body["quantity"]
        for method, path, body in api_writes(box)
        if method == "POST" and path.startswith("/ws/listings/")
    }


def test_inventory_safety_stock(sandbox: Sandbox) -> None:
    results = push(
        sandbox,
        [level("iphone-13-blue", 14), level("PIXEL-7-black", 1)],
        inventory={"safety_stock": 2},
    )
    assert results["iphone-13-blue"].status is ItemStatus.DONE
    assert results["iphone-13-blue"].details["quantity"] == "12"
    assert sent_quantities(sandbox) == {"IPHONE-13-BLUE": 12, "PIXEL-7-BLACK": 0}
    assert sandbox.listing("PIXEL-7-BLACK")["quantity"] == 0


def test_inventory_untracked_default(sandbox: Sandbox) -> None:
    push(
        sandbox,
        [level("GALAXY-S22", None)],
        inventory={"safety_stock": 1},
        products={"default_inventory": 7},
    )
    assert sent_quantities(sandbox) == {"GALAXY-S22": 7}


def test_inventory_unchanged_skipped(sandbox: Sandbox) -> None:
    results = push(sandbox, [level("IPHONE-13-BLUE", 10), level("IPAD-AIR", 0)])
    assert {r.status for r in results.values()} == {ItemStatus.SKIPPED}
    assert api_writes(sandbox) == []


def test_inventory_rerun_changes_nothing(sandbox: Sandbox) -> None:
    state = MemoryStateStore()
    levels = [level("IPHONE-13-BLUE", 4), level("PIXEL-7-BLACK", 9)]
    push(sandbox, levels, state=state)
    writes = len(api_writes(sandbox))
    assert writes == 2
    again = push(sandbox, levels, state=state)
    assert {r.status for r in again.values()} == {ItemStatus.SKIPPED}
    assert len(api_writes(sandbox)) == writes


def test_inventory_order_lowered_stock(sandbox: Sandbox) -> None:
    state = MemoryStateStore()
    push(sandbox, [level("IPHONE-13-BLUE", 4)], state=state)
    sandbox.place_order("IPHONE-13-BLUE", state=1)
    assert sandbox.listing("IPHONE-13-BLUE")["quantity"] == 3
    sandbox.clear_requests()
    results = push(sandbox, [level("IPHONE-13-BLUE", 4)], state=state)
    assert results["IPHONE-13-BLUE"].status is ItemStatus.SKIPPED
    assert "last sent" in results["IPHONE-13-BLUE"].message
    assert api_writes(sandbox) == []


def test_inventory_higher_on_marketplace(sandbox: Sandbox) -> None:
    state = MemoryStateStore()
    state.set("quantity:iphone-13-blue", "2")
    results = push(sandbox, [level("IPHONE-13-BLUE", 2)], state=state)
    assert results["IPHONE-13-BLUE"].status is ItemStatus.DONE
    assert sent_quantities(sandbox) == {"IPHONE-13-BLUE": 2}


def test_inventory_budget_defers_high_stock(sandbox: Sandbox) -> None:
    state = MemoryStateStore()
    levels = [
        level("IPHONE-13-BLUE", 40),
        level("PIXEL-7-BLACK", 0),
        level("GALAXY-S22", 1),
        level("IPAD-AIR", 6),
    ]
    results = push(sandbox, levels, state=state, hourly_sku_budget=2)
    assert sent_quantities(sandbox) == {"PIXEL-7-BLACK": 0, "GALAXY-S22": 1}
    assert results["IPHONE-13-BLUE"].status is ItemStatus.DEFERRED
    assert results["IPAD-AIR"].status is ItemStatus.DEFERRED
    assert "hourly_sku_budget" in results["IPAD-AIR"].message
    assert STATE_KEY in state.values

    sandbox.clear_requests()
    sandbox.advance(3601)
    later = push(sandbox, levels, state=state, hourly_sku_budget=2)
    assert sent_quantities(sandbox) == {"IPAD-AIR": 6, "IPHONE-13-BLUE": 40}
    assert later["PIXEL-7-BLACK"].status is ItemStatus.SKIPPED


def test_inventory_blank_identifier_fails(sandbox: Sandbox) -> None:
    results = push(
        sandbox,
        [level("NOT-LISTED", 3), level("IPHONE-13-BLUE", 1)],
        product_identifier="barcode",
    )
    assert results["NOT-LISTED"].status is ItemStatus.FAILED
    assert "barcode" in results["NOT-LISTED"].message
    assert results["IPHONE-13-BLUE"].status is ItemStatus.FAILED


def test_inventory_no_listing_skipped(sandbox: Sandbox) -> None:
    results = push(sandbox, [level("NOT-LISTED", 3)])
    assert results["NOT-LISTED"].status is ItemStatus.SKIPPED
    assert "no Back Market listing" in results["NOT-LISTED"].message


def test_inventory_dry_run(sandbox: Sandbox) -> None:
    state = MemoryStateStore()
    results = push(sandbox, [level("IPHONE-13-BLUE", 3)], state=state, dry_run=True)
    assert results["IPHONE-13-BLUE"].status is ItemStatus.DONE
    assert results["IPHONE-13-BLUE"].details["dry_run"] == "true"
    assert api_writes(sandbox) == []
    assert state.values == {}


def test_inventory_disabled(sandbox: Sandbox) -> None:
    results = push(sandbox, [level("IPHONE-13-BLUE", 3)], inventory={"enabled": False})
    assert results["IPHONE-13-BLUE"].status is ItemStatus.SKIPPED
    assert sandbox.requests == []


def test_inventory_lookup_paths(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    levels = [level("iphone-13-blue", 4), level("Galaxy-S22", 2)]
    push(sandbox, levels)
    reads = [entry for entry in sandbox.requests if entry.method == "GET"]
    assert [entry.path for entry in reads] == ["/ws/listings/detail"] * 2
    assert {entry.query["sku"] for entry in reads} == {"iphone-13-blue", "Galaxy-S22"}

    sandbox.clear_requests()
    monkeypatch.setattr(listings, "PER_SKU_LOOKUP_LIMIT", 1)
    results = push(sandbox, [level("iphone-13-blue", 5), level("Galaxy-S22", 2)])
    reads = [entry for entry in sandbox.requests if entry.method == "GET"]
    assert {entry.path for entry in reads} == {"/ws/listings"}
    assert results["iphone-13-blue"].status is ItemStatus.DONE
    assert results["Galaxy-S22"].status is ItemStatus.SKIPPED
    assert sandbox.listing("IPHONE-13-BLUE")["quantity"] == 5
