"""Domain types that cross the host contract.

They belong to the host's vocabulary, not to any marketplace: a plugin turns
its marketplace's data into these, and the host stores and acts on them.
All are frozen attrs classes; money is ``Decimal`` with an ISO 4217 currency
code beside it, and every timestamp is an aware ``datetime`` in UTC.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

import attrs


class ItemStatus(str, enum.Enum):
    """Outcome of one item handed to a sync hook."""

    DONE = "done"
    SKIPPED = "skipped"
    DEFERRED = "deferred"
    FAILED = "failed"


@attrs.frozen
class ItemResult:
    """Result of one item (an order, a line, a SKU, a shipment) of a sync step.

    Attributes:
        key: The item's identifier in the host's terms: an order number, a
            product identifier or a shipment's order number.
        status: What happened to the item.
        message: Why it was skipped, deferred or failed; a warning for an item
            that is done (for example a price above the listing's maximum).
        action: What was or would be sent, such as ``"accept"``, ``"ship"``,
            ``"quantity"``, ``"price"`` or ``"create"``.
        details: Values worth recording, such as the quantity sent or the
            marketplace id of a created listing.
        notify: Whether the host should tell the seller about this item, for
            example an order line that matches no host product when the
            connection's settings request notices of unlinked items.
    """

    key: str
    status: ItemStatus
    message: str = ""
    action: str = ""
    details: Mapping[str, str] = attrs.field(factory=dict)
    notify: bool = False


@attrs.frozen
class Address:
    """A postal address of a customer."""

    first_name: str = ""
    last_name: str = ""
    company: str = ""
    street: str = ""
    street2: str = ""
    postal_code: str = ""
    city: str = ""
    state: str = ""
    country: str = ""
    phone: str = ""
    email: str = ""


@attrs.frozen
class Product:
    """A host product, as the host stores it.

    Attributes:
        sku: The host's stock keeping unit.
        title: Human readable name.
        barcode: EAN or UPC, when the host has one.
        fields: Other named fields, one of which may be chosen as the unique
            product identifier.
        quantity: Available stock, or None when the host does not track
            stock for this product.
        price: Selling price, or None when the host sets none.
        currency: ISO 4217 code of ``price``.
        marketplace_product_id: The marketplace's own product id, when the
            host has it (Back Market's product UUID).
        grade: Cosmetic grade in the marketplace's vocabulary, if any.
    """

    sku: str
    title: str = ""
    barcode: str | None = None
    fields: Mapping[str, str] = attrs.field(factory=dict)
    quantity: int | None = None
    price: Decimal | None = None
    currency: str | None = None
    marketplace_product_id: str | None = None
    grade: str | None = None


@attrs.frozen
class StockLevel:
    """Stock of one host product, before any safety stock is taken off.

    Attributes:
        product: The product, so that the plugin can read its identifier.
        available: Units the host can sell, or None when stock is not tracked.
    """

    product: Product
    available: int | None


@attrs.frozen
class PriceUpdate:
    """A price the host wants the marketplace to show."""

    product: Product
    amount: Decimal
    currency: str


class OrderStatus(str, enum.Enum):
    """Status of a marketplace order, in the host's terms."""

    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    ACCEPTED = "accepted"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


@attrs.frozen
class OrderLine:
    """One line of a marketplace order.

    Attributes:
        external_id: The marketplace's id of the line.
        marketplace_sku: The listing's SKU as the marketplace sent it.
        product_key: The identifier value of the linked host product, or
            None when no host product matches (an unlinked line).
        title: Product title as sold.
        quantity: Units ordered.
        unit_price: Price of one unit, taxes included, without shipping.
        shipping_price: Shipping price of the line.
        currency: ISO 4217 code of the prices.
        state: The marketplace's own state of the line, as text.
        cancelled: Whether the marketplace will not ship this line and the
            customer is or will be refunded, while the rest of the order may
            go on. A host gives back any stock the line took and takes none
            for it.
    """

    external_id: str
    marketplace_sku: str
    product_key: str | None
    title: str
    quantity: int
    unit_price: Decimal
    shipping_price: Decimal
    currency: str
    state: str
    cancelled: bool = False

    @property
    def linked(self) -> bool:
        """Whether a host product matches this line."""
        return self.product_key is not None


@attrs.frozen
class Order:
    """A marketplace order normalised for the host.

    Attributes:
        external_id: The marketplace's order id.
        number: The host order number, built from the connection's template.
        notes: Order notes, built from the connection's template.
        status: The order's status.
        paid: Whether the customer's payment is confirmed.
        created_at: When the customer placed the order.
        modified_at: When the marketplace last changed the order.
        currency: ISO 4217 code of every amount of the order.
        total: Order total, taxes included, without shipping.
        shipping_total: Shipping total, taxes included.
        shipping_address: Where to ship.
        billing_address: Whom to bill.
        lines: The order's lines.
        tracking_number: Tracking number, once the order is shipped.
        carrier: Carrier name, once the order is shipped.
    """

    external_id: str
    number: str
    notes: str
    status: OrderStatus
    paid: bool
    created_at: datetime
    modified_at: datetime
    currency: str
    total: Decimal
    shipping_total: Decimal
    shipping_address: Address
    billing_address: Address
    lines: tuple[OrderLine, ...]
    tracking_number: str | None = None
    carrier: str | None = None


@attrs.frozen
class OrderBatch:
    """Result of ``commercium_pull_orders``.

    Attributes:
        orders: Orders created or changed since the requested time.
        results: One result per order and per line acted on (a line accepted,
            a line left unlinked, an order skipped and why).
        cursor: The time to pass as ``since`` on the next pull. It lags the
            newest change seen by an overlap window, so that a late write on
            the marketplace is not missed. The host stores it only after it
            has stored the orders.
    """

    orders: Sequence[Order]
    results: Sequence[ItemResult]
    cursor: datetime | None


@attrs.frozen
class Shipment:
    """A shipped host order, to report to the marketplace.

    Attributes:
        order_external_id: The marketplace's order id.
        order_number: The host's order number, used as the result key.
        shipping_method: The host's shipping method, mapped to a carrier by
            the connection's settings.
        tracking_number: Carrier tracking number.
        tracking_url: Page where the customer follows the parcel.
        shipped_at: When the parcel left.
        imei: IMEI of the device, for a single-unit order.
        serial_number: Serial number of the device, for a single-unit order.
    """

    order_external_id: str
    order_number: str
    shipping_method: str
    tracking_number: str
    tracking_url: str | None = None
    shipped_at: datetime | None = None
    imei: str | None = None
    serial_number: str | None = None


@attrs.frozen
class ConnectionCheck:
    """Result of ``commercium_check_connection``."""

    ok: bool
    message: str
    details: Mapping[str, str] = attrs.field(factory=dict)


class StateStore(Protocol):
    """Key-value store scoped to one connection, kept by the host.

    A plugin keeps what it must remember between cycles here, such as the
    values it last pushed or a shipment it is about to send.
    """

    def get(self, key: str) -> str | None:
        """Return the value stored under ``key``, or None."""

    def set(self, key: str, value: str) -> None:
        """Store ``value`` under ``key``, durably, before returning."""

    def delete(self, key: str) -> None:
        """Remove ``key``; a missing key is not an error."""


@attrs.frozen
class Connection:
    """One seller account on one channel, as configured in the host.

    Attributes:
        id: The host's stable id of the connection.
        name: Friendly name shown to the seller.
        channel: Name of the channel that serves it, such as ``"backmarket"``.
        settings: The channel's typed settings object.
        credentials: Secrets such as ``{"token": ...}``. Never log them.
        state: Key-value store scoped to this connection.
        options: Host-specific transport options a plugin may honour, such as
            ``{"base_url": ...}`` for a sandbox or a test server.
    """

    id: str
    name: str
    channel: str
    settings: Any
    credentials: Mapping[str, str] = attrs.field(repr=False)
    state: StateStore
    options: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class SettingsProblem:
    """One invalid or missing setting: its key, what is wrong and the fix."""

    key: str
    message: str


@attrs.frozen
class ChannelInfo:
    """A channel a plugin provides.

    Attributes:
        name: Machine name, used in configuration (``channel = "backmarket"``).
        title: Name shown to people.
        settings_type: The attrs class of the channel's settings.
        parse_settings: Builds ``settings_type`` from a plain mapping (a TOML
            table), raising ``SettingsError`` that lists every problem.
        capabilities: The sync steps the channel implements, among
            ``orders``, ``shipments``, ``inventory``, ``prices``, ``products``.
        version: The plugin's version.
    """

    name: str
    title: str
    settings_type: type[Any]
    parse_settings: Callable[[Mapping[str, Any]], Any]
    capabilities: frozenset[str]
    version: str = ""
