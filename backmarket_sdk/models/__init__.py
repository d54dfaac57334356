"""Typed models of Back Market API objects (frozen attrs classes)."""

from backmarket_sdk.models._converter import converter, structure
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
    "Category",
    "CategoryAttribute",
    "Grade",
    "Listing",
    "ListingShipping",
    "Order",
    "OrderLine",
    "OrderLineIdentifiers",
    "OrderLineState",
    "OrderState",
    "PublicationState",
    "ShippingOption",
    "Task",
    "TaskStatus",
    "converter",
    "structure",
]
