"""Orders, their orderlines and addresses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from backmarket_sdk.models._converter import CENTS, JSON_KEY, MINIMUM
from backmarket_sdk.models._enums import OpenIntEnum


class OrderState(OpenIntEnum):
    """State of an order; only ``ACCEPTED`` orders are to be shipped."""

    NEW = 0
    """Payment verification pending; do not ship."""
    PENDING_PAYMENT = 10
    """The customer may still pay; do not ship."""
    PAID = 1
    """The seller must accept or cancel each orderline."""
    ACCEPTED = 3
    """Every orderline accepted; waiting for shipment."""
    NOT_PAID = 8
    """Payment failed; ignore the order."""
    SHIPPED = 9
    """The package was shipped."""


class OrderLineState(OpenIntEnum):
    """State of one orderline."""

    NEW = 0
    ON_HOLD = 9
    PENDING_PAYMENT = 8
    PAID = 1
    """Accept (2) or cancel (4)."""
    ACCEPTED = 2
    """Ship (3) or refund before shipping (5)."""
    SHIPPED = 3
    CANCELLED = 4
    REFUNDED_BEFORE_SHIPPING = 5
    REFUNDED_AFTER_SHIPPING = 6
    PAYMENT_REFUSED = 7


def _json(key: str) -> dict[str, str]:
    return {JSON_KEY: key}


@attrs.frozen(weakref_slot=False)
class Address:
    """A shipping or billing address."""

    id: int | None = None
    first_name: str | None = attrs.field(default=None, metadata=_json("firstName"))
    last_name: str | None = attrs.field(default=None, metadata=_json("lastName"))
    company: str | None = None
    street: str | None = None
    street2: str | None = None
    postal_code: str | None = attrs.field(default=None, metadata=_json("postalCode"))
    city: str | None = None
    state: str | None = None
    country: str | None = None
    """ISO 3166-1 alpha-2 country code."""
    phone_number: str | None = attrs.field(default=None, metadata=_json("phoneNumber"))
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class OrderLine:
    """One listing bought in an order, with its quantity and state."""

    id: int
    listing: str
    """The seller's SKU of the listing."""
    state: OrderLineState
    quantity: int = attrs.field(metadata={MINIMUM: 1})
    """Units bought; a value below 1 is rejected as malformed."""
    listing_id: int | None = None
    date_creation: datetime | None = None
    price: Decimal | None = None
    """Price including taxes and warranty, without shipping."""
    shipping_price: Decimal | None = None
    shipping_delay: int | None = None
    currency: str | None = None
    orderline_fee: Decimal | None = None
    sales_taxes: Decimal | None = None
    product: str | None = None
    brand: str | None = None
    product_id: int | None = None
    backcare: bool | None = None
    backcare_price: Decimal | None = attrs.field(default=None, metadata={CENTS: True})
    """Backcare price as an amount; the API sends it in cents."""
    imei: str | None = None
    serial_number: str | None = None
    return_reason: int | None = None
    return_message: str | None = None
    condition: int | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class Order:
    """A customer order placed with this seller."""

    order_id: int
    state: OrderState
    orderlines: list[OrderLine] = attrs.field(factory=list)
    date_creation: datetime | None = None
    date_modification: datetime | None = None
    date_payment: datetime | None = None
    date_shipping: datetime | None = None
    expected_dispatch_date: datetime | None = None
    price: Decimal | None = None
    """Total price including taxes, without shipping."""
    shipping_price: Decimal | None = None
    sales_taxes: Decimal | None = None
    currency: str | None = None
    country_code: str | None = None
    """Market code of the order, such as ``fr-fr``."""
    shipping_address: Address | None = None
    billing_address: Address | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    shipper_display: str | None = None
    is_backship: bool | None = None
    delivery_note: str | None = None
    paypal_reference: str | None = None
    installment_payment: bool | None = None
    payment_method: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""

    def line_for_sku(self, sku: str) -> OrderLine | None:
        """Return the orderline of a SKU, compared case-insensitively."""
        wanted = sku.casefold()
        for line in self.orderlines:
            if line.listing.casefold() == wanted:
                return line
        return None


@attrs.frozen(weakref_slot=False)
class OrderLineIdentifiers:
    """The IMEI and serial number recorded on an orderline."""

    imei: str | None = None
    serial_number: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""
