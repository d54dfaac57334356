"""Handlers of the BackShip routes: deliveries and returns with their labels."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .aftersales import (
    Shipment,
    iso,
    parse_query_datetime,
    state_for,
)
from .errors import ApiError, not_found
from .messages import SandboxRequest, SandboxResponse, json_response
from .pages import paginate
from .seed_aftersales import sync_deliveries
from .store import Store

if TYPE_CHECKING:
    from .router import RouteContext

ORDER_STATES = (0, 1, 3, 8, 9)


class OrderIdError(ApiError):
    """The 422 these routes return for an order id that is not an integer."""

    def response(self) -> SandboxResponse:
        """Return the ``{error, data: {fields}}`` body of the BackShip routes."""
        return json_response(
            422,
            {
                "error": {"code": "E009", "message": "Validation error"},
                "data": {"fields": {"orderId": [self.message]}},
            },
        )


def delivery_json(shipment: Shipment) -> dict[str, Any]:
    """Return a delivery as the API shows it."""
    return {
        "order": shipment.order_id,
        "shipmentId": shipment.id,
        "carrierId": shipment.carrier_id,
        "orderlines": list(shipment.orderline_ids),
        "referenceNumber": shipment.reference_number,
        "trackingNumber": shipment.tracking_number,
        "trackingUrl": f"https://tracking.sandbox.invalid/{shipment.tracking_number}",
        "carrierName": shipment.carrier_name,
        "hubScanned": shipment.hub_scanned,
        "invoicedCurrency": shipment.currency,
        "invoicedPrice": shipment.invoiced_price,
        "datePickup": iso(shipment.date_pickup),
        "dateCreation": iso(shipment.date_creation),
        "dateDelivery": iso(shipment.date_delivery),
        "labelUrl": shipment.label,
        "type": "DELIVERY",
        "pickupInfo": {
            "confirmationNumber": shipment.confirmation_number,
            "datePickupActual": iso(shipment.date_pickup),
            "datePickupRangeStart": iso(shipment.date_pickup),
            "datePickupRangeEnd": iso(shipment.date_pickup.replace(hour=18)),
            "datePickupRequested": shipment.date_pickup.date().isoformat(),
            "isCanceled": False,
            "pickupId": shipment.pickup_id,
        },
    }


def return_json(shipment: Shipment) -> dict[str, Any]:
    """Return a product return as the API shows it."""
    return {
        "orderId": shipment.order_id,
        "orderlineId": shipment.orderline_ids[0],
        "shipmentId": shipment.id,
        "dateCreation": iso(shipment.date_creation),
        "referenceNumber": shipment.reference_number,
        "trackingNumber": shipment.tracking_number,
        "trackingUrl": f"https://tracking.sandbox.invalid/{shipment.tracking_number}",
        "carrierId": shipment.carrier_id,
        "carrierName": shipment.carrier_name,
        "hubScanned": shipment.hub_scanned,
        "datePickup": iso(shipment.date_pickup),
        "dateDelivery": iso(shipment.date_delivery),
        "label": shipment.label,
        "invoicedPrice": shipment.invoiced_price,
        "invoicedCurrency": shipment.currency,
        "type": "RETURN",
    }


def _filter(store: Store, request: SandboxRequest) -> Callable[[Shipment], bool]:
    query = request.query
    order_raw = query.get("order_id")
    if order_raw is not None and not order_raw.isdigit():
        raise OrderIdError(422, "E009", "An integer is needed.")
    order_id = int(order_raw) if order_raw else None
    bounds = {
        name: parse_query_datetime(query[name], name)
        for name in ("start_date", "end_date", "pickup_start_date", "pickup_end_date")
        if query.get(name)
    }
    state_raw = query.get("order_state")
    order_state: int | None = None
    if state_raw:
        if not state_raw.isdigit() or int(state_raw) not in ORDER_STATES:
            raise ApiError(
                400,
                "invalid-order-state",
                f"order_state {state_raw!r} is not one of "
                f"{', '.join(map(str, ORDER_STATES))}",
            )
        order_state = int(state_raw)
    scanned_raw = query.get("hub_scanned")
    scanned: bool | None = None
    if scanned_raw:
        if scanned_raw.lower() not in ("true", "false"):
            raise ApiError(
                400,
                "invalid-hub-scanned",
                f"hub_scanned {scanned_raw!r} is not true or false",
            )
        scanned = scanned_raw.lower() == "true"

    def keep(shipment: Shipment) -> bool:
        if order_id is not None and shipment.order_id != order_id:
            return False
        if "start_date" in bounds and shipment.date_creation < bounds["start_date"]:
            return False
        if "end_date" in bounds and shipment.date_creation > bounds["end_date"]:
            return False
        if (
            "pickup_start_date" in bounds
            and shipment.date_pickup < bounds["pickup_start_date"]
        ):
            return False
        if (
            "pickup_end_date" in bounds
            and shipment.date_pickup > bounds["pickup_end_date"]
        ):
            return False
        if scanned is not None and shipment.hub_scanned != scanned:
            return False
        if order_state is not None:
            order = store.orders.get(shipment.order_id)
            return order is not None and order.state == order_state
        return True

    return keep


def _shipment_id(raw: str, kind: str) -> int:
    if not raw.isdigit():
        raise not_found(f"{kind} {raw!r} does not exist")
    return int(raw)


def list_deliveries(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``GET /ws/shipping/v1/deliveries``."""
    state = state_for(context.store)
    sync_deliveries(state, context.store)
    keep = _filter(context.store, context.request)
    chosen = [s for _, s in sorted(state.deliveries.items()) if keep(s)]
    return json_response(200, paginate(context.request, chosen, delivery_json))


def get_delivery(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``GET /ws/shipping/v1/deliveries/{id}``."""
    state = state_for(context.store)
    sync_deliveries(state, context.store)
    shipment = state.deliveries.get(_shipment_id(params[0], "delivery"))
    if shipment is None:
        raise not_found(f"delivery {params[0]} does not exist")
    return json_response(200, delivery_json(shipment))


def list_returns(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``GET /ws/shipping/v1/returns``."""
    state = state_for(context.store)
    keep = _filter(context.store, context.request)
    chosen = [s for _, s in sorted(state.returns.items()) if keep(s)]
    return json_response(200, paginate(context.request, chosen, return_json))


def get_return(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``GET /ws/shipping/v1/returns/{id}``."""
    state = state_for(context.store)
    shipment = state.returns.get(_shipment_id(params[0], "return"))
    if shipment is None:
        raise not_found(f"return {params[0]} does not exist")
    return json_response(200, return_json(shipment))


ROUTE_SPECS = (
    ("GET", "/ws/shipping/v1/deliveries", list_deliveries, "v1"),
    ("GET", "/ws/shipping/v1/deliveries/{id}", get_delivery, "v1"),
    ("GET", "/ws/shipping/v1/returns", list_returns, "v1"),
    ("GET", "/ws/shipping/v1/returns/{id}", get_return, "v1"),
)
"""``(method, path, handler, auth error envelope)`` of each BackShip route."""
