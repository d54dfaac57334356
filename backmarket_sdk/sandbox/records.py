"""The sandbox's stored objects: products, listings, orders and tasks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

GRADES: tuple[str, ...] = (
    "PREMIUM",
    "EXCELLENT",
    "VERY_GOOD",
    "GOOD",
    "FAIR",
    "STALLONE",
)

# The deprecated integer ``state`` that Back Market still sends beside ``grade``.
GRADE_STATES: dict[str, int] = {
    "PREMIUM": 9,
    "EXCELLENT": 0,
    "VERY_GOOD": 1,
    "GOOD": 2,
    "FAIR": 3,
    "STALLONE": 4,
}

# Listing publication states as the sandbox uses them.
PUBLICATION_MISSING_INFO = 0
PUBLICATION_PENDING = 1
PUBLICATION_ONLINE = 2
PUBLICATION_OFFLINE = 3
PUBLICATION_DEACTIVATED = 4


@dataclass(frozen=True)
class ProductSeed:
    """A product of Back Market's catalogue that a CSV row may reference.

    Attributes:
        product_id: the product UUID (as text).
        ean: the product's EAN barcode, or None.
        title: the product title shown on listings and orderlines.
    """

    product_id: str
    ean: str | None
    title: str


@dataclass(frozen=True)
class ListingSeed:
    """A listing to seed the sandbox with, in place of generated ones.

    Attributes:
        sku: the seller SKU (matched case insensitively).
        title: the product title.
        product_id: the product UUID (as text).
        quantity: the stock shared by all markets.
        price: the price in ``currency``, applied to every market in ``markets``
            (converted at fixed sandbox rates where the market's currency differs).
        currency: the currency of ``price``.
        grade: the aesthetic grade, one of ``GRADES``.
        ean: the product EAN, or None.
        max_price: the price cap above which the listing goes offline, or None
            for twice the price.
        markets: the markets the listing is offered on.
    """

    sku: str
    title: str
    product_id: str
    quantity: int
    price: Decimal
    currency: str = "EUR"
    grade: str = "EXCELLENT"
    ean: str | None = None
    max_price: Decimal | None = None
    markets: Sequence[str] = ("fr-fr",)


@dataclass
class Product:
    """A catalogue product known to the sandbox."""

    product_id: str
    backmarket_id: int
    ean: str | None
    title: str
    brand: str


@dataclass
class Offer:
    """The per-market part of a listing: price, comment, warranty and caps."""

    price: Decimal
    currency: str
    max_price: Decimal
    min_price: Decimal | None = None
    comment: str | None = None
    warranty_delay: int = 12
    # Listing-level shipping options by slot (1 to 3), in the response shape.
    shippings: dict[int, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Listing:
    """A seller listing; ``quantity`` is shared by all markets."""

    id: str
    listing_id: int
    sku: str
    product: Product
    grade: str
    quantity: int
    offers: dict[str, Offer]
    deactivated: bool = False
    date_modification: datetime | None = None

    def publication_state(self, market: str) -> int:
        """Return the publication state of the listing on ``market``."""
        if self.deactivated:
            return PUBLICATION_DEACTIVATED
        offer = self.offers.get(market)
        if offer is None or self.quantity <= 0:
            return PUBLICATION_OFFLINE
        if offer.price > offer.max_price:
            return PUBLICATION_OFFLINE
        return PUBLICATION_ONLINE


@dataclass
class Address:
    """A postal address of an invented customer."""

    id: int
    first_name: str
    last_name: str
    street: str
    street2: str
    postal_code: str
    city: str
    country: str
    phone: str
    email: str
    company: str = ""
    state: str = ""


@dataclass
class OrderLine:
    """One line of an order: a quantity of one listing."""

    id: int
    listing: Listing
    quantity: int
    price: Decimal
    shipping_price: Decimal
    currency: str
    state: int
    date_creation: datetime
    shipping_delay: int = 48
    backcare: bool = False
    imei: str | None = None
    serial_number: str | None = None
    return_reason: int | None = None
    return_message: str = ""


@dataclass
class Invoice:
    """A customer invoice uploaded for an order."""

    filename: str
    content_type: str
    size: int
    uploaded_at: datetime


@dataclass
class Order:
    """A customer order placed with the seller."""

    order_id: int
    market: str
    currency: str
    state: int
    shipping_address: Address
    billing_address: Address
    lines: list[OrderLine]
    date_creation: datetime
    date_modification: datetime
    date_payment: datetime | None
    is_backship: bool
    payment_method: str
    shipper: str = ""
    tracking_number: str = ""
    tracking_url: str = ""
    date_shipping: datetime | None = None
    expected_dispatch_date: datetime | None = None
    invoices: list[Invoice] = field(default_factory=list)


# Catalog task states (``action_status``).
TASK_TODO = 0
TASK_IN_PROGRESS = 2
TASK_FAILED = 8
TASK_DONE = 9


@dataclass
class Task:
    """A catalog import task, processed on the sandbox clock."""

    task_id: int
    market: str
    catalog: str
    delimiter: str
    quotechar: str
    encoding: str
    created_at: float
    status: int = TASK_TODO
    result: dict[str, Any] = field(default_factory=dict)
    last_action_error: str | None = None
