"""Typed models of Back Market API objects: frozen, slotted attrs classes.

Models cannot be weakly referenced (``weakref_slot=False``). Without that
slot, the converter can fill a mutable twin class with the same layout and
switch the instance's class, which builds a model faster than attrs' own
``__init__``.
"""

from backmarket_sdk.models._converter import converter, structure
from backmarket_sdk.models.backbox import BackboxListing, Competitor, ProductCondition
from backmarket_sdk.models.backship import Delivery, PickupInfo, Return
from backmarket_sdk.models.buyback import (
    BuybackAestheticGrade,
    BuybackCompetitor,
    BuybackGrade,
    BuybackListing,
    BuybackMessage,
    BuybackMessageAuthor,
    BuybackOrder,
    BuybackOrderStatus,
    BuybackReason,
    CounterOfferReason,
    CounterOfferReasonCategory,
    MonetaryAmount,
)
from backmarket_sdk.models.care import (
    Attachment,
    CareClaim,
    CareFolder,
    CareFolderState,
    CareFolderSummary,
    CareMessage,
    ItemTransferAction,
    PostedCareMessage,
    ProblemType,
    RefundType,
)
from backmarket_sdk.models.categories import Category, CategoryAttribute
from backmarket_sdk.models.listings import (
    Grade,
    Listing,
    ListingShipping,
    PublicationState,
    ShippingOption,
)
from backmarket_sdk.models.orders import (
    Address,
    Order,
    OrderLine,
    OrderLineIdentifiers,
    OrderLineState,
    OrderState,
)
from backmarket_sdk.models.tasks import Task, TaskStatus

__all__ = [
    "Address",
    "Attachment",
    "BackboxListing",
    "BuybackAestheticGrade",
    "BuybackCompetitor",
    "BuybackGrade",
    "BuybackListing",
    "BuybackMessage",
    "BuybackMessageAuthor",
    "BuybackOrder",
    "BuybackOrderStatus",
    "BuybackReason",
    "CareClaim",
    "CareFolder",
    "CareFolderState",
    "CareFolderSummary",
    "CareMessage",
    "Category",
    "CategoryAttribute",
    "Competitor",
    "CounterOfferReason",
    "CounterOfferReasonCategory",
    "Delivery",
    "Grade",
    "ItemTransferAction",
    "Listing",
    "ListingShipping",
    "MonetaryAmount",
    "Order",
    "OrderLine",
    "OrderLineIdentifiers",
    "OrderLineState",
    "OrderState",
    "PickupInfo",
    "PostedCareMessage",
    "ProblemType",
    "ProductCondition",
    "PublicationState",
    "RefundType",
    "Return",
    "ShippingOption",
    "Task",
    "TaskStatus",
    "converter",
    "structure",
]
