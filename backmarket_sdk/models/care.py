"""Care: after-sales folders, their claims, messages and attachments."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from backmarket_sdk.models._converter import JSON_KEY, MINIMUM
from backmarket_sdk.models._enums import OpenIntEnum, OpenStrEnum
from backmarket_sdk.models.orders import OrderLineState, OrderState

LEGACY_FOLDER_ID_LIMIT = 100_000_000
"""Folders with a lower id predate Back Market's current after-sales platform."""


class CareFolderState(OpenIntEnum):
    """State of a Care folder or of one of its claims."""

    OPEN = 0
    CLOSED = 9


class ProblemType(OpenStrEnum):
    """Kind of problem a seller declares on a Care folder."""

    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    CODE_LOCKED = "CODE_LOCKED"
    DAMAGED_PACKAGE = "DAMAGED_PACKAGE"
    ITEM_NOT_RECEIVED = "ITEM_NOT_RECEIVED"
    MISSING_PART = "MISSING_PART"
    OOW_ITEM = "OOW_ITEM"
    """Out of warranty item."""
    PROBLEM_NOT_IDENTIFIED = "PROBLEM_NOT_IDENTIFIED"
    WRONG_ITEM = "WRONG_ITEM"
    OTHER = "OTHER"


PROBLEMS_NEEDING_ATTACHMENTS = frozenset(
    {ProblemType.DAMAGED_PACKAGE, ProblemType.ITEM_NOT_RECEIVED, ProblemType.OOW_ITEM}
)


class RefundType(OpenIntEnum):
    """Kind of refund; each applies to orderlines in one state."""

    BEFORE_ACCEPTANCE = 4
    """Full refund of a paid orderline (state 1)."""
    BEFORE_SHIPPING = 5
    """Full refund of an accepted orderline (state 2)."""
    AFTER_SHIPPING = 6
    """Partial or full refund of a shipped orderline (state 3); takes an amount."""


class ItemTransferAction(OpenStrEnum):
    """Action of the seller on an item before sending it back to the customer."""

    REPAIR = "REPAIR"
    REPLACE = "REPLACE"
    NOTHING = "NOTHING"


@attrs.frozen(weakref_slot=False)
class CareFolderSummary:
    """A Care folder as the folder list shows it: ids and dates only."""

    id: int
    state: CareFolderState | None = None
    client: int | None = None
    """Customer id."""
    merchant: int | None = None
    """Seller id."""
    orderline: int | None = None
    lines: list[int] = attrs.field(factory=list)
    """Ids of the folder's claims."""
    date_creation: datetime | None = None
    date_modification: datetime | None = None
    date_last_message: datetime | None = None
    date_closed: datetime | None = None
    country_code: str | None = None
    """Market code of the order, such as ``fr-fr``."""
    backcare: bool | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class CareCustomer:
    """The customer of a Care folder."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare, deprecated ones included."""


@attrs.frozen(weakref_slot=False)
class CareSeller:
    """The seller account a Care folder belongs to."""

    id: int | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class CareIssue:
    """One issue the customer reported in a claim."""

    customer_issue: str | None = attrs.field(
        default=None, metadata={JSON_KEY: "customerIssue"}
    )
    tag: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class ReturnLabel:
    """A return label attached to a claim."""

    label: str | None = None
    """URL of the label document."""
    state: str | None = None
    """USED, ALIVE or EXPIRED."""
    initiator: str | None = None
    kind: str | None = None
    """Direction, such as CUSTOMER_TO_MERCHANT."""
    date_creation: datetime | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class CareClaim:
    """One claim of a Care folder: what went wrong and what the customer wants."""

    id: int
    state: CareFolderState | None = None
    issues: list[CareIssue] = attrs.field(factory=list)
    resolution_choice: str | None = None
    """REMOTE_ASSISTANCE, REPAIR, REPLACE, REPAIR_REPLACE or REFUND."""
    declared_warranty_state: str | None = None
    """IN_WARRANTY, WATER_OR_DROPPED or THIRD_PARTY_REPAIR."""
    return_labels: list[ReturnLabel] = attrs.field(factory=list)
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare, deprecated ones included."""


@attrs.frozen(weakref_slot=False)
class CareAttachmentLink:
    """A file attached to a message of a Care folder."""

    id: int | None = None
    attachment: str | None = None
    """URL of the file."""
    date_creation: datetime | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class CareMessage:
    """A message of a Care folder's conversation."""

    id: int
    message: str | None = None
    date_creation: datetime | None = None
    initiator: str | None = None
    """Author of the message, such as Merchant."""
    kind: str | None = None
    """Sender and receivers, such as MERCHANT_TO_ALL."""
    is_informative: bool | None = None
    attachments: list[CareAttachmentLink] = attrs.field(factory=list)
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class CareAddress:
    """A shipping or billing address of the order behind a Care folder."""

    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    street: str | None = None
    street2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    phone: str | None = None
    email: str | None = None
    customer_id_number: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class CareOrder:
    """The order behind a Care folder."""

    order_id: int
    state: OrderState | None = None
    price: Decimal | None = None
    shipping_price: Decimal | None = None
    currency: str | None = None
    country_code: str | None = None
    shipping_address: CareAddress | None = None
    billing_address: CareAddress | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    shipper: int | None = None
    """Shipper id."""
    shipper_display: str | None = None
    date_creation: datetime | None = None
    date_modification: datetime | None = None
    date_shipping: datetime | None = None
    date_payment: datetime | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class CareProduct:
    """The product sold on the orderline of a Care folder."""

    product_id: int | None = None
    category_3: Mapping[str, Any] | None = None
    """Category, with its ``category_name``."""
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""

    @property
    def category_name(self) -> str | None:
        """Name of the product's category, such as Smartphones."""
        if self.category_3 is None:
            return None
        name = self.category_3.get("category_name")
        return name if isinstance(name, str) else None


@attrs.frozen(weakref_slot=False)
class CareSnapshot:
    """The listing as it was when the customer bought it."""

    listing: int | None = None
    """Legacy integer id of the listing."""
    sku: str | None = None
    image: str | None = None
    product: CareProduct | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class CareOrderLine:
    """The orderline a Care folder is about."""

    id: int
    state: OrderLineState | None = None
    quantity: int | None = attrs.field(default=None, metadata={MINIMUM: 1})
    price: Decimal | None = None
    order: CareOrder | None = None
    snapshot: CareSnapshot | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class CareFolder:
    """A Care folder with its claims, conversation and orderline."""

    id: int
    state: CareFolderState | None = None
    country_code: str | None = None
    backcare: bool | None = None
    client: CareCustomer | None = None
    merchant: CareSeller | None = None
    lines: list[CareClaim] = attrs.field(factory=list)
    messages: list[CareMessage] = attrs.field(factory=list)
    orderline: CareOrderLine | None = None
    date_creation: datetime | None = None
    date_modification: datetime | None = None
    date_last_message: datetime | None = None
    date_closed: datetime | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""

    @property
    def is_legacy(self) -> bool:
        """True for a folder of the former platform (id below 100,000,000)."""
        return self.id < LEGACY_FOLDER_ID_LIMIT


@attrs.frozen(weakref_slot=False)
class CareAttachment:
    """A file stored with a message just posted."""

    attachment: str | None = None
    """Path of the stored file."""
    msg: int | None = None
    group: int | None = None
    sender: int | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class PostedCareMessage:
    """The message created by ``care.post_message()``."""

    id: int
    message: str | None = None
    group: int | None = None
    """Id of the Care folder."""
    sender: int | None = None
    date_creation: datetime | None = None
    attachment: CareAttachment | None = None
    attachments: list[CareAttachment] = attrs.field(factory=list)
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class Attachment:
    """A file to send with a Care message or problem, or a BuyBack counter-offer.

    Attributes:
        filename: Name shown to the receiver, such as ``photo-1.jpg``.
        content: The file's bytes.
        content_type: Media type; guessed from the file name when None.
    """

    filename: str
    content: bytes
    content_type: str | None = None
