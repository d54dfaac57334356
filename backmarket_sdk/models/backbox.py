"""BackBox: who wins the spot shown first on a product page, and at what price."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from backmarket_sdk.models._enums import OpenIntEnum
from backmarket_sdk.models.buyback import MonetaryAmount


class ProductCondition(OpenIntEnum):
    """Condition code that ``listings_bi`` reports for a listing."""

    PREMIUM = 9
    EXCELLENT = 10
    GOOD = 11
    FAIR = 12


@attrs.frozen(weakref_slot=False)
class Competitor:
    """One market's competition for the BackBox of a listing."""

    listing_id: str
    product_id: str
    market: str
    """Two-letter market code such as ``FR``."""
    is_winning: bool
    price: MonetaryAmount | None = None
    """The listing's price on this market."""
    min_price: MonetaryAmount | None = None
    price_to_win: MonetaryAmount | None = None
    """Price at which the listing would win the BackBox."""
    winner_price: MonetaryAmount | None = None
    """Selling price of the current winner."""
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class BackboxListing:
    """BackBox data of one listing on the client's market (``listings_bi``)."""

    product: int
    """Legacy integer product id."""
    sku: str
    price: Decimal | None = None
    quantity: int | None = None
    buybox: bool | None = None
    """True when this listing has the BackBox."""
    price_for_buybox: Decimal | None = None
    """Price to set to win the BackBox."""
    currency: str | None = None
    condition: ProductCondition | None = None
    same_merchant_winner: bool | None = None
    """True when another listing of the same seller has the BackBox."""
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""
