"""The sandbox's state and the business rules that change it."""

from __future__ import annotations

import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from .clock import SandboxClock
from .errors import ApiError, bad_request, not_found
from .markets import market as lookup_market
from .records import (
    GRADES,
    Address,
    Listing,
    Offer,
    Order,
    OrderLine,
    Product,
    Task,
)

# Orderline state of a new line for each order state it is placed in.
LINE_STATE_FOR_ORDER_STATE: dict[int, int] = {0: 0, 10: 8, 1: 1, 3: 2, 8: 7, 9: 3}

LINE_ACCEPTED = 2
LINE_SHIPPED = 3
LINE_CANCELLED = 4
LINE_PAID = 1
ORDER_PAID = 1
ORDER_TO_SHIP = 3
ORDER_SHIPPED = 9

MAX_COMMENT = 500
MIN_WARRANTY_MONTHS = 12


def parse_price(value: Any, field: str = "price") -> Decimal:
    """Parse a price sent as a string or number; raises ApiError 400."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise bad_request(f"{field} must be a decimal string such as '199.90'")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise bad_request(
            f"{field} {value!r} is not a number; send a decimal string such as '199.90'"
        ) from None
    if not amount.is_finite() or amount < 0:
        raise bad_request(f"{field} {value!r} must be a number >= 0")
    return amount


def parse_int(value: Any, field: str, minimum: int = 0) -> int:
    """Parse an integer sent as a number or digit string; raises ApiError 400."""
    if isinstance(value, bool):
        raise bad_request(f"{field} must be an integer, got {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    else:
        raise bad_request(f"{field} must be an integer, got {value!r}")
    if number < minimum:
        raise bad_request(f"{field} must be >= {minimum}, got {number}")
    return number


def is_valid_imei(value: str) -> bool:
    """Return whether ``value`` is 15 digits with a valid Luhn check digit."""
    if len(value) != 15 or not value.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(value)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


@dataclass
class Shipment:
    """Validated shipping fields of an order update (new_state 3)."""

    tracking_number: str
    shipper: str | None
    tracking_url: str | None
    date_shipping: datetime | None
    imei: Any
    serial: Any


@dataclass
class ListingChange:
    """Validated fields of a listing update; None means unchanged."""

    quantity: int | None = None
    price: Decimal | None = None
    min_price: Decimal | None = None
    comment: str | None = None
    set_comment: bool = False
    warranty_delay: int | None = None
    grade: str | None = None
    max_price: Decimal | None = None
    # Shipping options by slot; None removes the slot's option.
    shippings: dict[int, dict[str, Any] | None] = field(default_factory=dict)


class Store:
    """Every product, listing, order and task of one sandbox, behind one lock.

    Callers take ``lock`` for the whole of a request, so each request reads and
    leaves a consistent state.
    """

    def __init__(self, clock: SandboxClock, rng: random.Random) -> None:
        self.clock = clock
        self.rng = rng
        self.lock = threading.RLock()
        self.products: dict[str, Product] = {}
        self.listings: list[Listing] = []
        self._by_id: dict[str, Listing] = {}
        self._by_legacy: dict[int, Listing] = {}
        self._by_sku: dict[str, Listing] = {}
        self.orders: dict[int, Order] = {}
        self.lines: dict[int, tuple[Order, OrderLine]] = {}
        self.tasks: dict[int, Task] = {}
        self.next_order_id = 71000 + rng.randrange(1000)
        self.next_line_id = 380000 + rng.randrange(10000)
        self.next_listing_id = 420000 + rng.randrange(10000)
        self.next_product_id = 5100 + rng.randrange(100)
        self.next_task_id = 4310000 + rng.randrange(10000)
        self.next_address_id = 900000

    # -- identifiers and time -------------------------------------------------

    def now(self) -> datetime:
        """Return the sandbox time."""
        return self.clock.now()

    def new_uuid(self) -> str:
        """Return a UUID4 drawn from the seeded generator."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def take_id(self, counter: str) -> int:
        """Return the next value of the id counter named ``counter``."""
        value: int = getattr(self, counter)
        setattr(self, counter, value + 1)
        return value

    def stamp(self, previous: datetime | None) -> datetime:
        """Return a modification time strictly after ``previous``."""
        now = self.now()
        if previous is not None and now <= previous:
            return previous + timedelta(microseconds=1)
        return now

    # -- products and listings ------------------------------------------------

    def add_product(self, product: Product) -> None:
        """Add ``product`` to the catalogue."""
        self.products[product.product_id] = product

    def find_product(self, product_id: str | None, ean: str | None) -> Product | None:
        """Return the product with ``product_id`` (preferred) or ``ean``."""
        if product_id:
            key = product_id.strip().lower()
            for product in self.products.values():
                if product.product_id == key or str(product.backmarket_id) == key:
                    return product
            return None
        if ean:
            for product in self.products.values():
                if product.ean == ean.strip():
                    return product
        return None

    def add_listing(self, listing: Listing) -> None:
        """Add ``listing``; raises ValueError when its SKU is taken."""
        key = listing.sku.lower()
        if key in self._by_sku:
            raise ValueError(f"a listing with SKU {listing.sku!r} already exists")
        self.listings.append(listing)
        self._by_id[listing.id] = listing
        self._by_legacy[listing.listing_id] = listing
        self._by_sku[key] = listing

    def listing_by_sku(self, sku: str) -> Listing | None:
        """Return the listing whose SKU equals ``sku`` case insensitively."""
        return self._by_sku.get(sku.strip().lower())

    def listing_by_key(self, key: str) -> Listing | None:
        """Return the listing with UUID ``key`` or legacy integer id ``key``."""
        key = key.strip()
        if key.isdigit():
            return self._by_legacy.get(int(key))
        return self._by_id.get(key.lower())

    def change_listing(
        self, listing: Listing, market: str, change: ListingChange
    ) -> None:
        """Apply a validated change; prices apply to ``market``'s offer."""
        market_info = lookup_market(market)
        offer = listing.offers.get(market)
        if offer is None:
            if change.price is None:
                if not _only_quantity(change):
                    raise bad_request(
                        f"listing {listing.sku} has no offer on {market}; "
                        "send a price to add this market"
                    )
            else:
                offer = Offer(
                    price=change.price,
                    currency=market_info.currency,
                    max_price=change.max_price or change.price * 2,
                    warranty_delay=MIN_WARRANTY_MONTHS,
                )
                listing.offers[market] = offer
        if change.quantity is not None:
            listing.quantity = change.quantity
        if change.grade is not None:
            listing.grade = change.grade
        if offer is not None:
            if change.price is not None:
                offer.price = change.price
            if change.max_price is not None:
                offer.max_price = change.max_price
            if change.min_price is not None:
                offer.min_price = change.min_price
            if change.set_comment:
                offer.comment = change.comment
            if change.warranty_delay is not None:
                offer.warranty_delay = change.warranty_delay
            for slot, option in change.shippings.items():
                if option is None:
                    offer.shippings.pop(slot, None)
                else:
                    offer.shippings[slot] = {**option, "country_code": market}
        listing.date_modification = self.stamp(listing.date_modification)

    # -- orders ---------------------------------------------------------------

    def add_order(self, order: Order) -> None:
        """Add ``order`` and index its lines."""
        self.orders[order.order_id] = order
        for line in order.lines:
            self.lines[line.id] = (order, line)

    def get_order(self, order_id: int) -> Order:
        """Return the order or raise ApiError 404."""
        order = self.orders.get(order_id)
        if order is None:
            raise not_found(f"order {order_id} does not exist", code="order-not-found")
        return order

    def place_order(
        self,
        sku: str,
        quantity: int,
        market: str,
        state: int,
        shipping_address: Address,
        billing_address: Address,
        *,
        is_backship: bool = False,
    ) -> Order:
        """Create an order for ``quantity`` of ``sku`` and lower its stock.

        Raises:
            ValueError: the SKU, market, state or quantity is not usable.
        """
        listing = self.listing_by_sku(sku)
        if listing is None:
            raise ValueError(f"no listing with SKU {sku!r}; seed it or create it first")
        if state not in LINE_STATE_FOR_ORDER_STATE:
            raise ValueError(
                f"order state {state} is not one of "
                f"{sorted(LINE_STATE_FOR_ORDER_STATE)}"
            )
        if quantity < 1:
            raise ValueError(f"order quantity must be >= 1, got {quantity}")
        code = lookup_market(market).code
        offer = listing.offers.get(code)
        if offer is None:
            offered = ", ".join(listing.offers) or "none"
            raise ValueError(
                f"listing {listing.sku} is not offered on {code} "
                f"(offered on: {offered})"
            )
        if quantity > listing.quantity:
            raise ValueError(
                f"listing {listing.sku} has {listing.quantity} in stock, "
                f"cannot order {quantity}"
            )
        now = self.now()
        line = OrderLine(
            id=self.take_id("next_line_id"),
            listing=listing,
            quantity=quantity,
            price=offer.price,
            shipping_price=Decimal("0.00"),
            currency=offer.currency,
            state=LINE_STATE_FOR_ORDER_STATE[state],
            date_creation=now,
        )
        paid = state in (1, 3, 9)
        order = Order(
            order_id=self.take_id("next_order_id"),
            market=code,
            currency=offer.currency,
            state=state,
            shipping_address=shipping_address,
            billing_address=billing_address,
            lines=[line],
            date_creation=now,
            date_modification=now,
            date_payment=now if paid else None,
            is_backship=is_backship,
            payment_method="CARD",
            expected_dispatch_date=now + timedelta(days=2),
        )
        listing.quantity -= quantity
        listing.date_modification = self.stamp(listing.date_modification)
        self.add_order(order)
        return order

    def _line_for_sku(self, order: Order, sku: Any) -> OrderLine:
        if not isinstance(sku, str) or not sku.strip():
            raise bad_request(
                "sku is missing; send the orderline's listing SKU "
                "with new_state 2 or 4",
                code="missing-sku",
            )
        for line in order.lines:
            if line.listing.sku.lower() == sku.strip().lower():
                return line
        raise not_found(
            f"order {order.order_id} has no orderline for SKU {sku!r}",
            code="listing-not-found",
        )

    def accept_line(self, order: Order, sku: Any) -> None:
        """Move the orderline of ``sku`` from paid (1) to accepted (2)."""
        line = self._line_for_sku(order, sku)
        self._require_line_state(order, line, LINE_PAID, "accept")
        line.state = LINE_ACCEPTED
        self._settle_order_state(order)

    def cancel_line(
        self, order: Order, sku: Any, reason: int | None, message: str
    ) -> None:
        """Move the orderline of ``sku`` from paid (1) to cancelled (4)."""
        line = self._line_for_sku(order, sku)
        self._require_line_state(order, line, LINE_PAID, "cancel")
        line.state = LINE_CANCELLED
        line.return_reason = reason
        line.return_message = message
        # A cancelled line puts its stock back, as the sale did not happen.
        line.listing.quantity += line.quantity
        line.listing.date_modification = self.stamp(line.listing.date_modification)
        self._settle_order_state(order)

    def _require_line_state(
        self, order: Order, line: OrderLine, expected: int, action: str
    ) -> None:
        if order.state != ORDER_PAID or line.state != expected:
            raise ApiError(
                400,
                "invalid-state-transition",
                f"cannot {action} orderline {line.id} ({line.listing.sku}) of order "
                f"{order.order_id}: the orderline is in state {line.state} and the "
                f"order in state {order.state}; only orderlines in state {expected} "
                f"of an order in state {ORDER_PAID} can be changed this way",
            )

    def _settle_order_state(self, order: Order) -> None:
        """Set the order state that follows its orderlines' states."""
        states = {line.state for line in order.lines}
        if LINE_PAID not in states and order.state == ORDER_PAID:
            if LINE_ACCEPTED in states:
                order.state = ORDER_TO_SHIP
            elif states <= {LINE_CANCELLED, 5, 6, 7}:
                # NOTE: Back Market does not document the order state once
                # every line is cancelled; the sandbox closes the order (9).
                order.state = ORDER_SHIPPED
        order.date_modification = self.stamp(order.date_modification)

    def ship(self, order: Order, body: dict[str, Any]) -> None:
        """Ship every accepted orderline of ``order`` (to 3) and the order (to 9)."""
        shipment = self._shipment(body)
        self._require_shippable(order)
        if shipment.imei is not None or shipment.serial is not None:
            if len(order.lines) != 1 or order.lines[0].quantity != 1:
                raise bad_request(
                    "imei and serial_number are accepted only for an order with a "
                    "single orderline of quantity 1; record them per orderline "
                    "with PATCH /ws/orderlines/{id}",
                    code="identifier-not-allowed",
                )
            self.record_identifiers(order.lines[0], shipment.imei, shipment.serial)

        for line in order.lines:
            if line.state == LINE_ACCEPTED:
                line.state = LINE_SHIPPED
        order.tracking_number = shipment.tracking_number
        if shipment.shipper:
            order.shipper = shipment.shipper
        if shipment.tracking_url is not None:
            order.tracking_url = shipment.tracking_url
        order.date_shipping = shipment.date_shipping or self.now()
        order.state = ORDER_SHIPPED
        order.date_modification = self.stamp(order.date_modification)

    def _shipment(self, body: dict[str, Any]) -> Shipment:
        """Validate the shipping fields of an order update."""
        tracking = body.get("tracking_number")
        if not isinstance(tracking, str) or not tracking.strip():
            raise bad_request(
                "tracking_number is required to ship an order (new_state 3)",
                code="missing-tracking-number",
            )
        if len(tracking) > 200:
            raise bad_request("tracking_number is longer than 200 characters")
        shipper = body.get("shipper")
        if shipper is not None and (not isinstance(shipper, str) or len(shipper) > 200):
            raise bad_request("shipper must be a string of at most 200 characters")
        tracking_url = body.get("tracking_url")
        if tracking_url is not None and (
            not isinstance(tracking_url, str) or len(tracking_url) > 300
        ):
            raise bad_request("tracking_url must be a URL of at most 300 characters")
        return Shipment(
            tracking_number=tracking.strip(),
            shipper=shipper,
            tracking_url=tracking_url,
            date_shipping=self._parse_date(body.get("date_shipping"), "date_shipping"),
            imei=body.get("imei"),
            serial=body.get("serial_number"),
        )

    def _require_shippable(self, order: Order) -> None:
        if order.state == ORDER_TO_SHIP:
            return
        waiting = [str(line.id) for line in order.lines if line.state == LINE_PAID]
        hint = f"; accept or cancel orderlines {', '.join(waiting)} first"
        raise ApiError(
            400,
            "invalid-state-transition",
            f"cannot ship order {order.order_id}: it is in state {order.state}, "
            f"not {ORDER_TO_SHIP} (accepted, waiting for shipment)"
            f"{hint if waiting else ''}",
        )

    def _parse_date(self, value: Any, field: str) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise bad_request(f"{field} must be an RFC 3339 date-time string")
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise bad_request(
                f"{field} {value!r} is not an RFC 3339 date-time such as "
                "'2024-04-29T09:35:24Z'"
            ) from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.now().tzinfo)
        return parsed

    def record_identifiers(
        self, line: OrderLine, imei: Any, serial: Any
    ) -> dict[str, str]:
        """Record an IMEI and/or serial number once; they cannot be corrected."""
        if imei is None and serial is None:
            raise bad_request("send at least one of imei or serial_number")
        if imei is not None:
            if not isinstance(imei, str) or not is_valid_imei(imei):
                raise bad_request(
                    f"imei {imei!r} is not a valid IMEI (15 digits with a Luhn "
                    "check digit)",
                    code="invalid-imei",
                )
            if line.imei is not None and line.imei != imei:
                raise ApiError(
                    422,
                    "identifier-already-set",
                    f"orderline {line.id} already has an IMEI; it cannot be corrected",
                )
        if serial is not None:
            if not isinstance(serial, str) or not serial.strip() or len(serial) > 50:
                raise bad_request(
                    "serial_number must be a non-empty string of at most 50 characters"
                )
            if line.serial_number is not None and line.serial_number != serial:
                raise ApiError(
                    422,
                    "identifier-already-set",
                    f"orderline {line.id} already has a serial number; "
                    "it cannot be corrected",
                )
        recorded: dict[str, str] = {}
        if isinstance(imei, str):
            line.imei = imei
            recorded["imei"] = imei
        if isinstance(serial, str):
            line.serial_number = serial
            recorded["serial_number"] = serial
        return recorded

    # -- tasks ----------------------------------------------------------------

    def add_task(self, task: Task) -> None:
        """Add a catalog task."""
        self.tasks[task.task_id] = task


def _only_quantity(change: ListingChange) -> bool:
    return (
        change.price is None
        and change.max_price is None
        and change.min_price is None
        and not change.set_comment
        and change.warranty_delay is None
        and not change.shippings
    )


def validate_grade(value: Any) -> str:
    """Return the grade in upper case; raises ApiError 400 when unknown."""
    if isinstance(value, str) and value.strip().upper() in GRADES:
        return value.strip().upper()
    raise bad_request(f"grade {value!r} is not one of {', '.join(GRADES)}")
