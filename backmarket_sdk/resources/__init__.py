"""One module per API area, each with a sync and an async resource class."""

from backmarket_sdk.resources.backbox import AsyncBackBox, BackBox
from backmarket_sdk.resources.backship import AsyncBackShip, BackShip
from backmarket_sdk.resources.buyback import AsyncBuyBack, BuyBack
from backmarket_sdk.resources.care import AsyncCare, Care
from backmarket_sdk.resources.categories import AsyncCategories, Categories
from backmarket_sdk.resources.listings import AsyncListings, Listings
from backmarket_sdk.resources.orderlines import AsyncOrderLines, OrderLines
from backmarket_sdk.resources.orders import AsyncOrders, Orders
from backmarket_sdk.resources.tasks import AsyncTasks, Tasks

__all__ = [
    "AsyncBackBox",
    "AsyncBackShip",
    "AsyncBuyBack",
    "AsyncCare",
    "AsyncCategories",
    "AsyncListings",
    "AsyncOrderLines",
    "AsyncOrders",
    "AsyncTasks",
    "BackBox",
    "BackShip",
    "BuyBack",
    "Care",
    "Categories",
    "Listings",
    "OrderLines",
    "Orders",
    "Tasks",
]
