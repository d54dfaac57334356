"""One module per API area, each with a sync and an async resource class."""

from backmarket_sdk.resources.categories import AsyncCategories, Categories
from backmarket_sdk.resources.listings import AsyncListings, Listings
from backmarket_sdk.resources.orderlines import AsyncOrderLines, OrderLines
from backmarket_sdk.resources.orders import AsyncOrders, Orders
from backmarket_sdk.resources.tasks import AsyncTasks, Tasks

__all__ = [
    "AsyncCategories",
    "AsyncListings",
    "AsyncOrderLines",
    "AsyncOrders",
    "AsyncTasks",
    "Categories",
    "Listings",
    "OrderLines",
    "Orders",
    "Tasks",
]
