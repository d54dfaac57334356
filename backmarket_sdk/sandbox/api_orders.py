"""Handlers of the order routes: list, read, update, invoice and orderline."""

from __future__ import annotations

from datetime import datetime
from email import message_from_bytes
from email.message import Message
from typing import Any

from . import serialize
from .errors import bad_request, not_found
from .markets import MARKETS
from .messages import SandboxRequest, SandboxResponse, json_response
from .pages import paginate
from .records import Invoice, Order
from .store import Store, parse_int

ORDER_STATES = (0, 10, 1, 3, 8, 9)
# States that the order list leaves out unless a state filter asks for them.
HIDDEN_BY_DEFAULT = (0, 8)
RETURN_REASONS = (0, 1, 11, 12, 13, 21, 22, 23, 24, 25)


def _date_filter(request: SandboxRequest, name: str) -> datetime | None:
    raw = request.query.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise bad_request(
            f"{name} {raw!r} is not an RFC 3339 date-time such as "
            "'2024-06-24T12:55:57Z'"
        ) from None
    if value.tzinfo is None:
        raise bad_request(f"{name} {raw!r} has no timezone; add Z or an offset")
    return value


def list_orders(store: Store, request: SandboxRequest) -> SandboxResponse:
    """Handle ``GET /ws/orders`` with the filters of the published API."""
    created = _date_filter(request, "date_creation")
    modified = _date_filter(request, "date_modification")
    state_raw = request.query.get("state")
    state: int | None = None
    if state_raw:
        if not state_raw.isdigit() or int(state_raw) not in ORDER_STATES:
            raise bad_request(
                f"state {state_raw!r} is not an order state; use one of "
                f"{', '.join(map(str, ORDER_STATES))}"
            )
        state = int(state_raw)
    country = request.query.get("country_code")
    if country and country.lower() not in MARKETS:
        raise bad_request(
            f"country_code {country!r} is not a market; use one of {', '.join(MARKETS)}"
        )

    def keep(order: Order) -> bool:
        if state is None and order.state in HIDDEN_BY_DEFAULT:
            return False
        if state is not None and order.state != state:
            return False
        if country and order.market != country.lower():
            return False
        if created is not None and order.date_creation < created:
            return False
        return modified is None or order.date_modification >= modified

    orders = sorted(
        (order for order in store.orders.values() if keep(order)),
        key=lambda order: order.order_id,
    )
    return json_response(200, paginate(request, orders, serialize.order))


def _order_id(raw: str) -> int:
    if not raw.isdigit():
        raise bad_request(f"order id {raw!r} is not an integer")
    return int(raw)


def get_order(store: Store, request: SandboxRequest, order_id: str) -> SandboxResponse:
    """Handle ``GET /ws/orders/{order_id}``."""
    order = store.get_order(_order_id(order_id))
    return json_response(200, serialize.order(order))


def update_order(
    store: Store, request: SandboxRequest, order_id: str
) -> SandboxResponse:
    """Handle ``POST /ws/orders/{order_id}``: accept, cancel or ship."""
    order = store.get_order(_order_id(order_id))
    body = _json_object(request)
    if "order_id" in body and str(body["order_id"]) != str(order.order_id):
        raise bad_request(
            f"order_id {body['order_id']!r} in the body does not match "
            f"order {order.order_id} in the URL"
        )
    if "new_state" not in body:
        raise bad_request(
            "new_state is required: 2 to accept an orderline, 4 to cancel it, "
            "3 to ship the order",
            code="missing-new-state",
        )
    new_state = parse_int(body["new_state"], "new_state")
    if new_state == 2:
        store.accept_line(order, body.get("sku"))
    elif new_state == 4:
        reason = body.get("return_reason")
        message = body.get("return_message") or ""
        if not isinstance(message, str) or len(message) > 500:
            raise bad_request("return_message must be text of at most 500 characters")
        store.cancel_line(order, body.get("sku"), _return_reason(reason), message)
    elif new_state == 3:
        store.ship(order, body)
    else:
        raise bad_request(
            f"new_state {new_state} cannot be set by a seller; use 2 (accept), "
            "4 (cancel) or 3 (ship)",
            code="invalid-state-transition",
        )
    return json_response(200, serialize.order(order))


def _return_reason(value: Any) -> int | None:
    if value is None:
        return None
    reason = parse_int(value, "return_reason")
    if reason not in RETURN_REASONS:
        raise bad_request(
            f"return_reason {reason} is not one of "
            f"{', '.join(map(str, RETURN_REASONS))}"
        )
    return reason


def _json_object(request: SandboxRequest) -> dict[str, Any]:
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        raise bad_request(
            "request body is not valid JSON", code="invalid-json"
        ) from None
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object", code="invalid-json")
    return body


def upload_invoice(
    store: Store, request: SandboxRequest, order_id: str
) -> SandboxResponse:
    """Handle ``POST /ws/orders/{order_id}/invoice`` (multipart form data)."""
    order = store.get_order(_order_id(order_id))
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise bad_request(
            f"Content-Type {content_type or '(none)'!r} is not multipart/form-data; "
            "send the invoice file as form field 'invoice'"
        )
    message = message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + request.body
    )
    files = [
        part
        for part in _parts(message)
        if part.get_param("name", header="content-disposition") == "invoice"
    ]
    if not files:
        raise bad_request("form field 'invoice' is missing; attach the invoice file")
    for part in files:
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else 0
        if size == 0:
            raise bad_request("the invoice file is empty")
        order.invoices.append(
            Invoice(
                filename=part.get_filename() or "invoice",
                content_type=part.get_content_type(),
                size=size,
                uploaded_at=store.now(),
            )
        )
    order.date_modification = store.stamp(order.date_modification)
    return SandboxResponse(status=200)


def _parts(message: Message) -> list[Message]:
    if not message.is_multipart():
        return []
    payload = message.get_payload()
    return (
        [part for part in payload if isinstance(part, Message)]
        if isinstance(payload, list)
        else []
    )


def update_orderline(
    store: Store, request: SandboxRequest, line_id: str
) -> SandboxResponse:
    """Handle ``PATCH /ws/orderlines/{id}``: record an IMEI or serial number."""
    if not line_id.isdigit() or int(line_id) not in store.lines:
        raise not_found(
            f"orderline {line_id} does not exist", code="orderline-not-found"
        )
    order, line = store.lines[int(line_id)]
    body = _json_object(request)
    unknown = sorted(set(body) - {"imei", "serial_number"})
    if unknown:
        raise bad_request(
            f"unknown fields {', '.join(unknown)}; send imei and/or serial_number"
        )
    store.record_identifiers(line, body.get("imei"), body.get("serial_number"))
    order.date_modification = store.stamp(order.date_modification)
    current = {"imei": line.imei, "serial_number": line.serial_number}
    return json_response(200, {k: v for k, v in current.items() if v is not None})
