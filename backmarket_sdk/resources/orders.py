"""Orders: list, read, accept or cancel orderlines, ship, upload invoices.

Accept, cancel and ship are state changes sent to ``POST /ws/orders/{id}``.
They are never resent blindly: after a timeout or a retryable error the
client reads the order, returns it if the change already applied, and sends
the change again only if it did not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from backmarket_sdk import errors
from backmarket_sdk._config import MARKETS
from backmarket_sdk._http import MultipartPart, RequestSpec
from backmarket_sdk._pagination import (
    PAGE_SIZE_PARAM,
    AsyncPager,
    Params,
    SyncPager,
    clamp_page_size,
)
from backmarket_sdk.models.orders import Order, OrderLineState, OrderState
from backmarket_sdk.resources._base import (
    AsyncResource,
    SyncResource,
    describe_character,
    format_datetime,
    parse_model,
    reject_control_character,
    require_id,
    require_identifier,
    require_text,
    require_visible,
)
from backmarket_sdk.shippers import canonical_shipper, suggest_shippers

ORDERS_PATH = "/ws/orders"
# ASCII digits only, because ``\d`` also matches the digits of other scripts,
# such as Arabic-Indic ones.
IMEI_RE = re.compile(r"[0-9]{15}")
# Whitespace that a tracking number may contain. It is removed before sending,
# and any other control character is rejected.
TRACKING_NUMBER_SPACES = " \t\n\r\v\f"
TRACKING_NUMBER_MAX = 200
TRACKING_URL_MAX = 300
SERIAL_NUMBER_MAX = 50

ACCEPT_STATE = OrderLineState.ACCEPTED
SHIP_STATE = OrderLineState.SHIPPED
CANCEL_STATE = OrderLineState.CANCELLED
# new_state values that POST /ws/orders/{id} takes from a seller.
SELLER_STATES = frozenset({ACCEPT_STATE, SHIP_STATE, CANCEL_STATE})


def order_path(order_id: int) -> str:
    """Return the path of one order."""
    return f"{ORDERS_PATH}/{require_id('order_id', order_id)}"


def list_params(
    *,
    state: int | None,
    date_creation: datetime | None,
    date_modification: datetime | None,
    country_code: str | None,
    page_size: int,
) -> Params:
    """Build the query of ``GET /ws/orders``."""
    params: Params = {PAGE_SIZE_PARAM: clamp_page_size(page_size)}
    if state is not None:
        if not isinstance(state, int) or not OrderState(state).is_known:
            known = ", ".join(str(int(s)) for s in OrderState)
            raise errors.InvalidRequestError(
                f"Invalid order state {state!r}: use one of {known}."
            )
        params["state"] = int(state)
    if date_creation is not None:
        params["date_creation"] = format_datetime("date_creation", date_creation)
    if date_modification is not None:
        params["date_modification"] = format_datetime(
            "date_modification", date_modification
        )
    if country_code is not None:
        if country_code not in MARKETS:
            raise errors.InvalidRequestError(
                f"Invalid country_code {country_code!r}: use a market code such as "
                f"'fr-fr' (one of {', '.join(MARKETS)})."
            )
        params["country_code"] = country_code
    return params


def get_spec(order_id: int) -> RequestSpec:
    """Describe ``GET /ws/orders/{order_id}``."""
    return RequestSpec("GET", order_path(order_id))


def update_spec(order_id: int, body: dict[str, Any]) -> RequestSpec:
    """Describe a state change sent to ``POST /ws/orders/{order_id}``."""
    new_state = body.get("new_state")
    if new_state not in SELLER_STATES:
        raise errors.InvalidRequestError(
            f"Invalid new_state {new_state!r}: a seller sends 2 (accept an "
            "orderline), 3 (ship the order) or 4 (cancel an orderline)."
        )
    return RequestSpec(
        "POST",
        order_path(order_id),
        json={"order_id": order_id, **body},
        retry="confirm",
    )


def accept_spec(order_id: int, sku: str) -> RequestSpec:
    """Describe accepting the orderline of ``sku`` (new_state 2)."""
    body = {"new_state": int(ACCEPT_STATE), "sku": require_identifier("sku", sku)}
    return update_spec(order_id, body)


def cancel_spec(order_id: int, sku: str) -> RequestSpec:
    """Describe cancelling the orderline of ``sku`` (new_state 4)."""
    body = {"new_state": int(CANCEL_STATE), "sku": require_identifier("sku", sku)}
    return update_spec(order_id, body)


def normalize_tracking_number(tracking_number: str) -> str:
    """Return a tracking number without whitespace, or raise.

    Raises ``InvalidRequestError`` if the number is blank, too long, has a
    control or format character other than a space, tab or line break, or
    has no visible character.
    """
    if not isinstance(tracking_number, str):
        raise errors.InvalidRequestError(
            f"Invalid tracking_number {tracking_number!r}: use a string."
        )
    reject_control_character(
        "tracking_number", tracking_number, allowed=TRACKING_NUMBER_SPACES
    )
    compact = "".join(tracking_number.split())
    if not compact:
        raise errors.InvalidRequestError(
            "Missing tracking_number: shipping an order requires the carrier's "
            "tracking number."
        )
    if len(compact) > TRACKING_NUMBER_MAX:
        raise errors.InvalidRequestError(
            f"Invalid tracking_number: {len(compact)} characters, at most "
            f"{TRACKING_NUMBER_MAX} allowed."
        )
    require_visible("tracking_number", compact)
    return compact


def check_tracking_url(tracking_url: str) -> str:
    """Check a tracking URL and return it without surrounding whitespace.

    The URL must be http(s), have a host and contain no whitespace, control
    or format character, so it opens as sent when a customer clicks it.
    """
    url = require_text("tracking_url", tracking_url, TRACKING_URL_MAX).strip()
    for index, char in enumerate(url):
        if char.isspace() or not char.isprintable():
            raise errors.InvalidRequestError(
                f"Invalid tracking_url {tracking_url!r}: the character at index "
                f"{index} is {describe_character(char)}. A URL cannot contain "
                "it: percent-encode it (a space is %20) or remove it."
            )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading the port validates it
    except ValueError as exc:
        raise errors.InvalidRequestError(
            f"Invalid tracking_url {tracking_url!r}: {exc}. Use the carrier's "
            "tracking page, such as https://carrier.example/track?id=1Z999."
        ) from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise errors.InvalidRequestError(
            f"Invalid tracking_url {tracking_url!r}: use an http(s) URL, such "
            "as https://carrier.example/track?id=1Z999."
        )
    if not parts.hostname:
        raise errors.InvalidRequestError(
            f"Invalid tracking_url {tracking_url!r}: the URL has no host. Use "
            "the full address of the tracking page, such as "
            "https://carrier.example/track?id=1Z999."
        )
    return url


def check_shipper(shipper: str) -> str:
    """Return Back Market's spelling of a shipper, or raise with suggestions."""
    if not isinstance(shipper, str):
        raise errors.InvalidRequestError(f"Invalid shipper {shipper!r}: use a string.")
    canonical = canonical_shipper(shipper)
    if canonical is None:
        close = suggest_shippers(shipper)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise errors.InvalidRequestError(
            f"Unknown shipper {shipper!r}: use a name of "
            f"backmarket_sdk.shippers.SHIPPERS, or 'Other'.{hint}"
        )
    return canonical


def check_imei(imei: str) -> str:
    """Return an IMEI of exactly 15 ASCII digits, or raise.

    NOTE: the Luhn check digit is not verified here; Back Market checks it.
    """
    if not isinstance(imei, str) or not IMEI_RE.fullmatch(imei):
        raise errors.InvalidRequestError(
            f"Invalid imei {imei!r}: an IMEI is exactly 15 digits 0-9, with no "
            "spaces or other characters, such as '356950123418275'."
        )
    return imei


def check_serial_number(serial_number: str) -> str:
    """Return a serial number of at most 50 characters, or raise.

    It must have a visible character and no control or format character.
    """
    return require_identifier("serial_number", serial_number, SERIAL_NUMBER_MAX)


def ship_body(
    *,
    tracking_number: str,
    shipper: str | None,
    tracking_url: str | None,
    date_shipping: datetime | None,
    imei: str | None,
    serial_number: str | None,
) -> dict[str, Any]:
    """Build and check the body that ships an order (new_state 3)."""
    body: dict[str, Any] = {
        "new_state": int(SHIP_STATE),
        "tracking_number": normalize_tracking_number(tracking_number),
    }
    if shipper is not None:
        body["shipper"] = check_shipper(shipper)
    if tracking_url is not None:
        body["tracking_url"] = check_tracking_url(tracking_url)
    if date_shipping is not None:
        body["date_shipping"] = format_datetime("date_shipping", date_shipping)
    if imei is not None:
        body["imei"] = check_imei(imei)
    if serial_number is not None:
        body["serial_number"] = check_serial_number(serial_number)
    return body


def check_single_unit(order: Order) -> None:
    """Raise unless the order has one orderline of quantity 1.

    Back Market records an IMEI or serial number given when shipping only
    for such an order.
    """
    lines = order.orderlines
    if len(lines) != 1 or lines[0].quantity != 1:
        units = sum(line.quantity for line in lines)
        raise errors.InvalidRequestError(
            f"Cannot send imei or serial_number when shipping order "
            f"{order.order_id}: it has {len(lines)} orderlines and {units} units, "
            "and Back Market takes them only for one orderline of quantity 1. "
            "Record them per orderline with client.orderlines.update()."
        )


def line_accepted(order: Order, sku: str) -> bool:
    """True when the orderline of ``sku`` is past acceptance."""
    line = order.line_for_sku(sku)
    return line is not None and line.state in (
        OrderLineState.ACCEPTED,
        OrderLineState.SHIPPED,
        OrderLineState.REFUNDED_BEFORE_SHIPPING,
        OrderLineState.REFUNDED_AFTER_SHIPPING,
    )


def line_cancelled(order: Order, sku: str) -> bool:
    """True when the orderline of ``sku`` is cancelled."""
    line = order.line_for_sku(sku)
    return line is not None and line.state == OrderLineState.CANCELLED


def order_shipped(order: Order) -> bool:
    """True when the order or every orderline is shipped."""
    if order.state == OrderState.SHIPPED:
        return True
    return bool(order.orderlines) and all(
        line.state == OrderLineState.SHIPPED for line in order.orderlines
    )


def _confirmed(
    data: Any, applied: Callable[[Order], bool], read: RequestSpec
) -> Any | None:
    return data if applied(parse_model(data, Order, read)) else None


class Orders(SyncResource):
    """``client.orders``: orders of the seller."""

    def list(
        self,
        *,
        state: int | None = None,
        date_creation: datetime | None = None,
        date_modification: datetime | None = None,
        country_code: str | None = None,
        page_size: int = 50,
    ) -> SyncPager[Order]:
        """List orders lazily, newest pages fetched only as iteration needs them.

        Without ``state``, Back Market leaves out orders in state 0 (payment
        verification) and 8 (not paid).

        Args:
            state: Only orders in this :class:`OrderState`.
            date_creation: Only orders created at or after this aware datetime.
            date_modification: Only orders modified at or after this datetime.
            country_code: Only orders of this market, such as ``fr-fr``.
            page_size: Orders per request; above 50 is lowered to 50.
        """
        params = list_params(
            state=state,
            date_creation=date_creation,
            date_modification=date_modification,
            country_code=country_code,
            page_size=page_size,
        )
        return self._client.paginate(ORDERS_PATH, params, Order)

    def get(self, order_id: int) -> Order:
        """Return one order."""
        spec = get_spec(order_id)
        return parse_model(self._client.request(spec), Order, spec)

    def _change(
        self, order_id: int, spec: RequestSpec, applied: Callable[[Order], bool]
    ) -> Order:
        read = get_spec(order_id)

        def confirm() -> Any | None:
            # One attempt: a failed read fails this attempt of the change,
            # which the outer loop retries, so retries do not nest.
            return _confirmed(self._client.send(read), applied, read)

        return parse_model(self._client.request_confirmed(spec, confirm), Order, spec)

    def accept_line(self, order_id: int, sku: str) -> Order:
        """Accept the orderline of ``sku`` (new_state 2) and return the order."""
        spec = accept_spec(order_id, sku)
        return self._change(order_id, spec, lambda order: line_accepted(order, sku))

    def cancel_line(self, order_id: int, sku: str) -> Order:
        """Cancel the orderline of ``sku`` (new_state 4) and return the order."""
        spec = cancel_spec(order_id, sku)
        return self._change(order_id, spec, lambda order: line_cancelled(order, sku))

    def ship(
        self,
        order_id: int,
        *,
        tracking_number: str,
        shipper: str | None = None,
        tracking_url: str | None = None,
        date_shipping: datetime | None = None,
        imei: str | None = None,
        serial_number: str | None = None,
    ) -> Order:
        """Ship every orderline of an order (new_state 3) and return the order.

        Args:
            order_id: The order.
            tracking_number: Carrier tracking number; whitespace is removed.
            shipper: A name of :data:`backmarket_sdk.shippers.SHIPPERS`.
            tracking_url: Carrier tracking page, an http(s) URL with a host.
            date_shipping: Aware datetime of shipping.
            imei: IMEI of 15 ASCII digits; only for one orderline of quantity 1.
            serial_number: Serial number; only for one orderline of quantity 1.

        Raises:
            InvalidRequestError: A value is invalid, before any request.
        """
        body = ship_body(
            tracking_number=tracking_number,
            shipper=shipper,
            tracking_url=tracking_url,
            date_shipping=date_shipping,
            imei=imei,
            serial_number=serial_number,
        )
        spec = update_spec(order_id, body)
        if imei is not None or serial_number is not None:
            check_single_unit(self.get(order_id))
        return self._change(order_id, spec, order_shipped)

    def upload_invoice(self, order_id: int, content: bytes, filename: str) -> None:
        """Upload the customer invoice of an order as multipart form data.

        Args:
            order_id: The order.
            content: The file's bytes, such as ``Path("inv.pdf").read_bytes()``.
            filename: File name shown to the customer; ``.pdf`` sends
                ``application/pdf``.
        """
        spec = invoice_spec(order_id, content, filename)
        self._client.request(spec)


def invoice_spec(order_id: int, content: bytes, filename: str) -> RequestSpec:
    """Describe ``POST /ws/orders/{order_id}/invoice``."""
    if not isinstance(content, (bytes, bytearray)):
        raise errors.InvalidRequestError(
            f"Invalid invoice content of type {type(content).__name__}: pass the "
            "file's bytes, such as Path('invoice.pdf').read_bytes() or "
            "open('invoice.pdf', 'rb').read()."
        )
    if not content:
        raise errors.InvalidRequestError(
            "Invalid invoice content: the bytes are empty. Pass the content of "
            "the invoice file."
        )
    name = require_identifier("filename", filename)
    media_type = (
        "application/pdf"
        if name.lower().endswith(".pdf")
        else ("application/octet-stream")
    )
    return RequestSpec(
        "POST",
        order_path(order_id) + "/invoice",
        files=[MultipartPart("invoice", bytes(content), name, media_type)],
        retry="unprocessed",
    )


class AsyncOrders(AsyncResource):
    """``client.orders`` of the async client; see :class:`Orders`."""

    def list(
        self,
        *,
        state: int | None = None,
        date_creation: datetime | None = None,
        date_modification: datetime | None = None,
        country_code: str | None = None,
        page_size: int = 50,
    ) -> AsyncPager[Order]:
        """List orders lazily; use ``async for``. See :meth:`Orders.list`."""
        params = list_params(
            state=state,
            date_creation=date_creation,
            date_modification=date_modification,
            country_code=country_code,
            page_size=page_size,
        )
        return self._client.paginate(ORDERS_PATH, params, Order)

    async def get(self, order_id: int) -> Order:
        """Return one order."""
        spec = get_spec(order_id)
        return parse_model(await self._client.request(spec), Order, spec)

    async def _change(
        self, order_id: int, spec: RequestSpec, applied: Callable[[Order], bool]
    ) -> Order:
        read = get_spec(order_id)

        async def confirm() -> Any | None:
            return _confirmed(await self._client.send(read), applied, read)

        data = await self._client.request_confirmed(spec, confirm)
        return parse_model(data, Order, spec)

    async def accept_line(self, order_id: int, sku: str) -> Order:
        """Accept the orderline of ``sku`` (new_state 2) and return the order."""
        spec = accept_spec(order_id, sku)
        return await self._change(
            order_id, spec, lambda order: line_accepted(order, sku)
        )

    async def cancel_line(self, order_id: int, sku: str) -> Order:
        """Cancel the orderline of ``sku`` (new_state 4) and return the order."""
        spec = cancel_spec(order_id, sku)
        return await self._change(
            order_id, spec, lambda order: line_cancelled(order, sku)
        )

    async def ship(
        self,
        order_id: int,
        *,
        tracking_number: str,
        shipper: str | None = None,
        tracking_url: str | None = None,
        date_shipping: datetime | None = None,
        imei: str | None = None,
        serial_number: str | None = None,
    ) -> Order:
        """Ship every orderline of an order; see :meth:`Orders.ship`."""
        body = ship_body(
            tracking_number=tracking_number,
            shipper=shipper,
            tracking_url=tracking_url,
            date_shipping=date_shipping,
            imei=imei,
            serial_number=serial_number,
        )
        spec = update_spec(order_id, body)
        if imei is not None or serial_number is not None:
            check_single_unit(await self.get(order_id))
        return await self._change(order_id, spec, order_shipped)

    async def upload_invoice(
        self, order_id: int, content: bytes, filename: str
    ) -> None:
        """Upload the customer invoice of an order as multipart form data."""
        await self._client.request(invoice_spec(order_id, content, filename))
