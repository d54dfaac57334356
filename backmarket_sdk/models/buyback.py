"""BuyBack: trade-in orders of customers selling devices to the seller."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from backmarket_sdk.models._converter import JSON_KEY, structure
from backmarket_sdk.models._enums import OpenStrEnum


def _json(key: str) -> dict[str, str]:
    return {JSON_KEY: key}


class BuybackOrderStatus(OpenStrEnum):
    """Status of a BuyBack order."""

    NEW = "NEW"
    PENDING = "PENDING"
    TO_SEND = "TO_SEND"
    """The customer must send the device."""
    SENT = "SENT"
    RECEIVED = "RECEIVED"
    """The seller has the device and must validate, suspend or counter-offer."""
    COUNTER_PROPOSAL = "COUNTER_PROPOSAL"
    VALIDATED = "VALIDATED"
    PAID = "PAID"
    MONEY_TRANSFERED = "MONEY_TRANSFERED"
    """Spelled as the API spells it."""
    SUSPENDED = "SUSPENDED"


class BuybackGrade(OpenStrEnum):
    """Quality grade of a device bought back."""

    DIAMOND = "DIAMOND"
    PLATINUM = "PLATINUM"
    GOLD = "GOLD"
    SILVER = "SILVER"
    BRONZE = "BRONZE"
    STALLONE = "STALLONE"


class BuybackAestheticGrade(OpenStrEnum):
    """Condition code of a BuyBack listing."""

    FUNCTIONAL_FLAWLESS = "FUNCTIONAL_FLAWLESS"
    FUNCTIONAL_GOOD = "FUNCTIONAL_GOOD"
    FUNCTIONAL_USED = "FUNCTIONAL_USED"
    FUNCTIONAL_CRACKED = "FUNCTIONAL_CRACKED"
    NOT_FUNCTIONAL_USED = "NOT_FUNCTIONAL_USED"
    NOT_FUNCTIONAL_CRACKED = "NOT_FUNCTIONAL_CRACKED"


class BuybackMessageAuthor(OpenStrEnum):
    """Author of a message on a BuyBack order."""

    MERCHANT = "Merchant"
    CLIENT = "Client"
    BACKMARKET = "BackMarket"
    UNKNOWN = "Unknown"


@attrs.frozen(weakref_slot=False)
class MonetaryAmount:
    """An amount with its ISO 4217 currency, as Back Market's newer APIs send it."""

    amount: Decimal
    currency: str
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class BuybackPrice:
    """An offer or counter-offer price of a BuyBack order."""

    value: Decimal
    currency: str
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class BuybackReason:
    """A reason to suspend a BuyBack order or to make a counter-offer on it."""

    identifier: str
    """The value to send back, such as ``parcel_empty``."""
    message: str | None = None
    category: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class BuybackOrderListing:
    """The product a BuyBack order is for."""

    product_id: int | None = attrs.field(default=None, metadata=_json("productId"))
    title: str | None = None
    grade: BuybackGrade | None = None
    sku: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class KycDocument:
    """An identity document of the customer selling a device."""

    type: str
    """PASSPORT, ID, ID_CARD_FRONT, BANK_STATEMENT and the like."""
    url: str
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class BuybackCustomer:
    """The customer selling a device."""

    first_name: str | None = attrs.field(default=None, metadata=_json("firstName"))
    last_name: str | None = attrs.field(default=None, metadata=_json("lastName"))
    phone: str | None = None
    date_of_birth: str | None = attrs.field(default=None, metadata=_json("dateOfBirth"))
    """Birth date as ``YYYY-MM-DD`` text."""
    documents: list[KycDocument] = attrs.field(factory=list)
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class BuybackAddress:
    """The address a parcel is returned to."""

    country: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    zipcode: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class BuybackOrder:
    """A trade-in order: a customer sells a device to the seller."""

    order_id: str = attrs.field(metadata=_json("orderPublicId"))
    """Public id such as ``FR-24527-ABCDE``."""
    status: BuybackOrderStatus
    market: str | None = None
    """Two-letter market code such as ``FR``."""
    listing: BuybackOrderListing | None = None
    customer: BuybackCustomer | None = None
    return_address: BuybackAddress | None = attrs.field(
        default=None, metadata=_json("returnAddress")
    )
    original_price: BuybackPrice | None = attrs.field(
        default=None, metadata=_json("originalPrice")
    )
    counter_offer_price: BuybackPrice | None = attrs.field(
        default=None, metadata=_json("counterOfferPrice")
    )
    transfer_certificate_link: str | None = attrs.field(
        default=None, metadata=_json("transferCertificateLink")
    )
    tracking_number: str | None = attrs.field(
        default=None, metadata=_json("trackingNumber")
    )
    shipper: str | None = None
    suspend_reasons: list[BuybackReason] = attrs.field(
        factory=list, metadata=_json("suspendReasons")
    )
    counter_offer_reasons: list[BuybackReason] = attrs.field(
        factory=list, metadata=_json("counterOfferReasons")
    )
    creation_date: datetime | None = attrs.field(
        default=None, metadata=_json("creationDate")
    )
    modification_date: datetime | None = attrs.field(
        default=None, metadata=_json("modificationDate")
    )
    shipping_date: datetime | None = attrs.field(
        default=None, metadata=_json("shippingDate")
    )
    suspension_date: datetime | None = attrs.field(
        default=None, metadata=_json("suspensionDate")
    )
    receival_date: datetime | None = attrs.field(
        default=None, metadata=_json("receivalDate")
    )
    payment_date: datetime | None = attrs.field(
        default=None, metadata=_json("paymentDate")
    )
    counter_proposal_date: datetime | None = attrs.field(
        default=None, metadata=_json("counterProposalDate")
    )
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class BuybackMessage:
    """A message on a BuyBack order."""

    date: datetime
    author: BuybackMessageAuthor
    body: str | None = None
    attachments: list[str] = attrs.field(factory=list)
    """URLs of the attached files."""
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class CounterOfferReason:
    """A reason that may justify a counter-offer."""

    id: str
    """The value to send to ``buyback.counter_offer()``."""
    label: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class CounterOfferReasonCategory:
    """A category of counter-offer reasons: functional, esthetics or other."""

    id: str
    label: str | None = None
    reasons: list[CounterOfferReason] = attrs.field(factory=list)
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


def _amounts(value: Mapping[str, Any]) -> dict[str, MonetaryAmount]:
    # The shared converter passes mappings through as they are, so the
    # amounts of a price mapping are converted here.
    amounts: dict[str, MonetaryAmount] = {}
    for key, item in value.items():
        if isinstance(item, MonetaryAmount):
            amounts[str(key)] = item
            continue
        try:
            amounts[str(key)] = structure(item, MonetaryAmount)
        except ArithmeticError as exc:
            raise ValueError(f"Invalid price of market {key!r}: {item!r}") from exc
    return amounts


@attrs.frozen(weakref_slot=False)
class BuybackListing:
    """A seller's offer to buy a product back, with one price per market."""

    id: str
    """Listing UUID."""
    product_id: str | None = attrs.field(default=None, metadata=_json("productId"))
    """Product UUID."""
    prices: dict[str, MonetaryAmount] = attrs.field(factory=dict, converter=_amounts)
    """Price per two-letter market code, such as ``{"FR": ...}``."""
    aesthetic_grade_code: BuybackAestheticGrade | None = attrs.field(
        default=None, metadata=_json("aestheticGradeCode")
    )
    sku: str | None = None
    markets: list[str] = attrs.field(factory=list)
    """Two-letter codes of the markets where the listing is online."""
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class BuybackCompetitor:
    """One market's competition for the BackBox of a BuyBack listing."""

    listing_id: str
    product_id: str
    market: str
    is_winning: bool
    price: MonetaryAmount | None = None
    price_to_win: MonetaryAmount | None = None
    winner_price: MonetaryAmount | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""
