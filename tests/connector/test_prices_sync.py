from __future__ import annotations

from decimal import Decimal
from typing import Any

from backmarket_sdk.sandbox import Sandbox
from commercium_connector.backmarket import plugin
from commercium_connector.types import ItemResult, ItemStatus, PriceUpdate
from tests.connector.conftest import (
    MemoryStateStore,
    api_writes,
    make_settings,
    product,
    sandbox_connection,
)


def price(sku: str, amount: str, currency: str = "EUR") -> PriceUpdate:
    return PriceUpdate(product=product(sku), amount=Decimal(amount), currency=currency)


def push(
    box: Sandbox,
    items: list[PriceUpdate],
    *,
    state: MemoryStateStore | None = None,
    dry_run: bool = False,
    **settings: Any,
) -> dict[str, ItemResult]:
    connection = sandbox_connection(box, make_settings(**settings), state=state)
    results = plugin.commercium_push_prices(
        connection=connection, prices=items, dry_run=dry_run
    )
    assert results is not None
    assert len(results) == len(items)
    return {result.key: result for result in results}


def market_price(box: Sandbox, sku: str) -> Decimal:
    offers = box.listing(sku)["markets"]
    return Decimal(str(offers["fr-fr"]["price"]))


def test_prices_realtime_below_threshold(sandbox: Sandbox) -> None:
    results = push(sandbox, [price("iphone-13-blue", "479.995")])
    result = results["iphone-13-blue"]
    assert result.status is ItemStatus.DONE
    assert result.details["price"] == "480.00"
    [(method, path, body)] = api_writes(sandbox)
    assert method == "POST"
    assert path.startswith("/ws/listings/")
    assert body == {"price": "480.00", "currency": "EUR"}
    assert market_price(sandbox, "IPHONE-13-BLUE") == Decimal("480.00")


def test_prices_catalog_at_threshold(sandbox: Sandbox) -> None:
    results = push(
        sandbox,
        [price("IPHONE-13-BLUE", "450"), price("PIXEL-7-BLACK", "280.5")],
        prices={"csv_threshold": 2},
    )
    assert {r.status for r in results.values()} == {ItemStatus.DONE}
    [(method, path, body)] = api_writes(sandbox)
    assert (method, path) == ("POST", "/ws/listings")
    assert body["catalog"].splitlines()[0] == "sku,price,currency"
    assert "PIXEL-7-BLACK,280.50,EUR" in body["catalog"]
    assert results["PIXEL-7-BLACK"].details["task_ids"]
    assert market_price(sandbox, "PIXEL-7-BLACK") == Decimal("280.50")
    assert market_price(sandbox, "IPHONE-13-BLUE") == Decimal("450.00")


def test_prices_above_max_warns(sandbox: Sandbox) -> None:
    results = push(sandbox, [price("IPHONE-13-BLUE", "650")])
    result = results["IPHONE-13-BLUE"]
    assert result.status is ItemStatus.DONE
    assert "max_price 600" in result.message
    assert len(api_writes(sandbox)) == 1


def test_prices_wrong_currency_fails(sandbox: Sandbox) -> None:
    results = push(sandbox, [price("IPHONE-13-BLUE", "500", "USD")])
    assert results["IPHONE-13-BLUE"].status is ItemStatus.FAILED
    assert "'USD'" in results["IPHONE-13-BLUE"].message
    assert api_writes(sandbox) == []


def test_prices_market_currency(sandbox: Sandbox) -> None:
    results = push(sandbox, [price("IPHONE-13-BLUE", "500", "EUR")], market="en-gb")
    assert results["IPHONE-13-BLUE"].status is ItemStatus.FAILED
    assert "GBP" in results["IPHONE-13-BLUE"].message


def test_prices_unchanged_skipped(sandbox: Sandbox) -> None:
    results = push(sandbox, [price("IPHONE-13-BLUE", "499.00")])
    assert results["IPHONE-13-BLUE"].status is ItemStatus.SKIPPED
    assert api_writes(sandbox) == []


def test_prices_rerun_changes_nothing(sandbox: Sandbox) -> None:
    prices = [price("IPHONE-13-BLUE", "470"), price("GALAXY-S22", "330")]
    push(sandbox, prices)
    writes = len(api_writes(sandbox))
    again = push(sandbox, prices)
    assert {r.status for r in again.values()} == {ItemStatus.SKIPPED}
    assert len(api_writes(sandbox)) == writes


def test_prices_invalid_amount_fails(sandbox: Sandbox) -> None:
    results = push(sandbox, [price("IPHONE-13-BLUE", "0"), price("GALAXY-S22", "300")])
    assert results["IPHONE-13-BLUE"].status is ItemStatus.FAILED
    assert results["GALAXY-S22"].status is ItemStatus.DONE


def test_prices_budget_defers(sandbox: Sandbox) -> None:
    results = push(
        sandbox,
        [price("IPHONE-13-BLUE", "470"), price("GALAXY-S22", "330")],
        hourly_sku_budget=1,
    )
    assert results["IPHONE-13-BLUE"].status is ItemStatus.DONE
    assert results["GALAXY-S22"].status is ItemStatus.DEFERRED


def test_prices_dry_run(sandbox: Sandbox) -> None:
    results = push(
        sandbox,
        [price("IPHONE-13-BLUE", "650"), price("GALAXY-S22", "330")],
        dry_run=True,
        prices={"csv_threshold": 2},
    )
    assert results["IPHONE-13-BLUE"].details["path"] == "catalog CSV"
    assert "max_price" in results["IPHONE-13-BLUE"].message
    assert api_writes(sandbox) == []


def test_prices_disabled(sandbox: Sandbox) -> None:
    results = push(sandbox, [price("IPHONE-13-BLUE", "470")], prices={"enabled": False})
    assert results["IPHONE-13-BLUE"].status is ItemStatus.SKIPPED
    assert sandbox.requests == []


def test_prices_running_task_holds_sku(sandbox: Sandbox) -> None:
    state = MemoryStateStore()
    slow = {
        "task_timeout": 1,
        "task_poll_interval": 0.5,
        "prices": {"csv_threshold": 1},
    }
    first = push(sandbox, [price("GALAXY-S22", "333")], state=state, **slow)
    assert first["GALAXY-S22"].status is ItemStatus.DEFERRED
    second = push(sandbox, [price("GALAXY-S22", "333")], state=state, **slow)
    assert second["GALAXY-S22"].status is ItemStatus.DEFERRED
    assert "still running" in second["GALAXY-S22"].message
    assert len(api_writes(sandbox)) == 1
    sandbox.advance(10)
    third = push(sandbox, [price("GALAXY-S22", "333")], state=state, **slow)
    assert third["GALAXY-S22"].status is ItemStatus.SKIPPED
    assert market_price(sandbox, "GALAXY-S22") == Decimal("333.00")
    assert state.values.get("catalog:pending:price") is None
