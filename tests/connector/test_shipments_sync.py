from __future__ import annotations

from datetime import timedelta
from typing import Any

from backmarket_sdk.sandbox import Sandbox
from commercium_connector.backmarket import plugin
from commercium_connector.backmarket.shipments import IN_FLIGHT_PREFIX, SHIPPED_PREFIX
from commercium_connector.types import ItemResult, ItemStatus, Shipment
from tests.connector.conftest import (
    START,
    MemoryStateStore,
    api_writes,
    make_settings,
    sandbox_connection,
)


def shipment(order_id: int, **fields: Any) -> Shipment:
    values: dict[str, Any] = {
        "order_external_id": str(order_id),
        "order_number": f"SO-{order_id}",
        "shipping_method": "Colissimo Home",
        "tracking_number": "6A 1234 5678",
        "tracking_url": "https://tracking.example/6A12345678",
        "shipped_at": START + timedelta(hours=2),
    }
    values.update(fields)
    return Shipment(**values)


def push(
    box: Sandbox,
    items: list[Shipment],
    *,
    state: MemoryStateStore | None = None,
    dry_run: bool = False,
    **settings: Any,
) -> list[ItemResult]:
    connection = sandbox_connection(box, make_settings(**settings), state=state)
    results = plugin.commercium_push_shipments(
        connection=connection, shipments=items, dry_run=dry_run
    )
    assert results is not None
    return results


def ship_calls(box: Sandbox) -> list[dict[str, Any]]:
    return [
        body
        for method, _, body in api_writes(box)
        if method == "POST" and isinstance(body, dict) and body.get("new_state") == 3
    ]


def test_ship_accepted_order(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", state=3)
    state = MemoryStateStore()
    [result] = push(sandbox, [shipment(order_id)], state=state)
    assert result.status is ItemStatus.DONE
    assert result.key == f"SO-{order_id}"
    [call] = ship_calls(sandbox)
    assert call["tracking_number"] == "6A12345678"
    assert call["shipper"] == "Colissimo"
    assert call["tracking_url"] == "https://tracking.example/6A12345678"
    assert call["date_shipping"].startswith("2026-01-05T11:00:00")
    truth = sandbox.order(order_id)
    assert truth["state"] == 9
    assert truth["tracking_number"] == "6A12345678"
    assert state.get(f"{SHIPPED_PREFIX}{order_id}") == "6A12345678"
    assert state.get(f"{IN_FLIGHT_PREFIX}{order_id}") is None


def test_ship_accepts_paid_lines_first(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("PIXEL-7-BLACK", state=1)
    [result] = push(sandbox, [shipment(order_id)])
    assert result.status is ItemStatus.DONE
    assert result.details["accepted_first"] == "PIXEL-7-BLACK"
    bodies = [body for _, _, body in api_writes(sandbox)]
    assert [body["new_state"] for body in bodies] == [2, 3]
    assert sandbox.order(order_id)["state"] == 9


def test_ship_mapping_per_method(sandbox: Sandbox) -> None:
    first = sandbox.place_order("IPHONE-13-BLUE", state=3)
    second = sandbox.place_order("PIXEL-7-BLACK", state=3)
    push(
        sandbox,
        [
            shipment(first, shipping_method="colissimo home"),
            shipment(second, shipping_method="UPS Express", tracking_number="1Z999"),
        ],
    )
    assert [call["shipper"] for call in ship_calls(sandbox)] == ["Colissimo", "UPS"]


def test_ship_unmapped_method_fails(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", state=3)
    [result] = push(sandbox, [shipment(order_id, shipping_method="Pigeon")])
    assert result.status is ItemStatus.FAILED
    assert "'Pigeon'" in result.message
    assert sandbox.requests == []


def test_ship_unmapped_uses_fallback(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", state=3)
    [result] = push(
        sandbox,
        [shipment(order_id, shipping_method="Pigeon")],
        shipments={"fallback": "Other"},
    )
    assert result.status is ItemStatus.DONE
    assert ship_calls(sandbox)[0]["shipper"] == "Other"


def test_ship_blank_tracking_fails(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", state=3)
    [result] = push(sandbox, [shipment(order_id, tracking_number="  \t")])
    assert result.status is ItemStatus.FAILED
    assert "blank" in result.message
    assert sandbox.requests == []


def test_ship_already_shipped_no_call(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", state=3)
    push(sandbox, [shipment(order_id)])
    sandbox.clear_requests()
    [result] = push(sandbox, [shipment(order_id)])
    assert result.status is ItemStatus.DONE
    assert result.details["already_applied"] == "true"
    assert api_writes(sandbox) == []


def test_ship_other_tracking_fails(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", state=3)
    push(sandbox, [shipment(order_id)])
    sandbox.clear_requests()
    [result] = push(sandbox, [shipment(order_id, tracking_number="OTHER1")])
    assert result.status is ItemStatus.FAILED
    assert "'6A12345678'" in result.message
    assert api_writes(sandbox) == []


def test_ship_rerun_changes_nothing(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", state=3)
    state = MemoryStateStore()
    push(sandbox, [shipment(order_id)], state=state)
    sandbox.clear_requests()
    [result] = push(sandbox, [shipment(order_id)], state=state)
    assert result.status is ItemStatus.DONE
    assert sandbox.requests == []


class CrashAfterShip(BaseException):
    """Stands for the process dying: no handler of the plugin catches it."""


class CrashingStore(MemoryStateStore):
    def set(self, key: str, value: str) -> None:
        if key.startswith(SHIPPED_PREFIX):
            raise CrashAfterShip(key)
        super().set(key, value)


def test_ship_crash_before_record(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", state=3)
    crashing = CrashingStore()
    try:
        push(sandbox, [shipment(order_id)], state=crashing)
    except CrashAfterShip:
        pass
    else:
        raise AssertionError("the store should have crashed the push")
    assert len(ship_calls(sandbox)) == 1
    assert crashing.get(f"{IN_FLIGHT_PREFIX}{order_id}") is not None

    survivor = MemoryStateStore()
    survivor.values.update(crashing.values)
    [result] = push(sandbox, [shipment(order_id)], state=survivor)
    assert result.status is ItemStatus.DONE
    assert result.details["already_applied"] == "true"
    assert result.details["interrupted_send"] == "true"
    assert len(ship_calls(sandbox)) == 1
    assert survivor.get(f"{IN_FLIGHT_PREFIX}{order_id}") is None
    assert survivor.get(f"{SHIPPED_PREFIX}{order_id}") == "6A12345678"


def test_ship_unpaid_order_fails(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", state=10)
    [result] = push(sandbox, [shipment(order_id)])
    assert result.status is ItemStatus.FAILED
    assert "not paid" in result.message
    assert api_writes(sandbox) == []


def test_ship_imei_single_unit(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", state=3)
    [result] = push(sandbox, [shipment(order_id, imei="490154203237518")])
    assert result.status is ItemStatus.DONE
    assert ship_calls(sandbox)[0]["imei"] == "490154203237518"


def test_ship_imei_dropped_for_two(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", quantity=2, state=3)
    [result] = push(sandbox, [shipment(order_id, imei="490154203237518")])
    assert result.status is ItemStatus.DONE
    assert "imei not sent" in result.message
    assert "imei" not in ship_calls(sandbox)[0]


def test_ship_unknown_order_fails(sandbox: Sandbox) -> None:
    [result] = push(sandbox, [shipment(987654)])
    assert result.status is ItemStatus.FAILED
    assert result.key == "SO-987654"


def test_ship_dry_run(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", state=1)
    state = MemoryStateStore()
    [result] = push(sandbox, [shipment(order_id)], state=state, dry_run=True)
    assert result.status is ItemStatus.DONE
    assert result.details["dry_run"] == "true"
    assert result.details["accept_first"] == "IPHONE-13-BLUE"
    assert api_writes(sandbox) == []
    assert state.values == {}


def test_ship_disabled(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", state=3)
    [result] = push(sandbox, [shipment(order_id)], shipments={"enabled": False})
    assert result.status is ItemStatus.SKIPPED
    assert "shipments.enabled" in result.message
    assert sandbox.requests == []


def test_ship_one_bad_of_many(sandbox: Sandbox) -> None:
    good = sandbox.place_order("IPHONE-13-BLUE", state=3)
    results = push(
        sandbox,
        [shipment(good), shipment(good + 1000), shipment(good, order_external_id="x")],
    )
    assert [r.status for r in results] == [
        ItemStatus.DONE,
        ItemStatus.FAILED,
        ItemStatus.FAILED,
    ]


def test_ship_resent_after_unsent_crash(sandbox: Sandbox) -> None:
    order_id = sandbox.place_order("IPHONE-13-BLUE", state=3)
    state = MemoryStateStore()
    state.set(f"{IN_FLIGHT_PREFIX}{order_id}", "{}")
    [result] = push(sandbox, [shipment(order_id)], state=state)
    assert result.status is ItemStatus.DONE
    assert result.details["interrupted_send"] == "true"
    assert len(ship_calls(sandbox)) == 1
    assert sandbox.order(order_id)["state"] == 9
