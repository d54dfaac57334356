"""Listings: a seller's offers on Back Market products."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from backmarket_sdk.models._enums import OpenIntEnum, OpenStrEnum


class Grade(OpenStrEnum):
    """Aesthetic grade of a listed device."""

    PREMIUM = "PREMIUM"
    EXCELLENT = "EXCELLENT"
    VERY_GOOD = "VERY_GOOD"
    GOOD = "GOOD"
    FAIR = "FAIR"
    STALLONE = "STALLONE"


class PublicationState(OpenIntEnum):
    """Publication state of a listing.

    NOTE: the API lists the values 0 to 4 without naming them; these names
    follow Back Market's Back Office and should be read as a best guess.
    """

    MISSING_INFO = 0
    PENDING_VALIDATION = 1
    ONLINE = 2
    OFFLINE = 3
    DEACTIVATED = 4


@attrs.frozen(weakref_slot=False)
class ListingShipping:
    """A shipping option defined on a listing for one market."""

    shipper: str | None = None
    shipper_display: str | None = None
    shipping_price: Decimal | None = None
    shipping_delay: int | None = None
    """Expected shipping delay in hours."""
    country_code: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class Listing:
    """A seller's listing; price, comment and warranty are per market."""

    id: str
    """Listing UUID."""
    listing_id: int
    """Deprecated integer id of the listing."""
    sku: str
    quantity: int
    """Stock, shared by every market of the listing."""
    price: Decimal | None = None
    currency: str | None = None
    max_price: Decimal | None = None
    """Price above which the listing goes offline."""
    min_price: Decimal | None = None
    product_id: str | None = None
    backmarket_id: int | None = None
    title: str | None = None
    grade: Grade | None = None
    state: int | None = None
    """Deprecated integer twin of ``grade``."""
    publication_state: PublicationState | None = None
    warranty_delay: int | None = None
    """Warranty in months."""
    comment: str | None = None
    new_battery: bool | None = None
    shippings: list[ListingShipping] = attrs.field(factory=list)
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class ShippingOption:
    """A shipping option to set on a listing with ``listings.update()``.

    Attributes:
        shipper: A name of :data:`backmarket_sdk.shippers.SHIPPERS`.
        price: Price of the option in the listing's currency.
        delay_hours: Expected shipping delay in hours.
        display: Name shown to customers, or None for the shipper's name.
    """

    shipper: str
    price: Decimal
    delay_hours: int
    display: str | None = None
