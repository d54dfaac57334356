"""Typed client for the Back Market seller API.

>>> from backmarket_sdk import BackMarketClient
>>> client = BackMarketClient(token="...", market="fr-fr",
...                           user_agent="BM-Acme-Sync;ops@acme.example")
>>> for order in client.orders.list(state=1):
...     client.orders.accept_line(order.order_id, order.orderlines[0].listing)
"""

from backmarket_sdk import errors
from backmarket_sdk._client import AsyncBackMarketClient, BackMarketClient
from backmarket_sdk._config import (
    CURRENCY_MINOR_DIGITS,
    MARKET_CURRENCY,
    MARKETS,
    ClientConfig,
    Environment,
    Market,
    Platform,
    RateLimits,
)
from backmarket_sdk._operation_limits import (
    Budget,
    OperationLimiter,
    OperationLimitError,
)
from backmarket_sdk._operations import OPERATIONS
from backmarket_sdk._pagination import AsyncPager, Page, SyncPager
from backmarket_sdk._ratelimit import RateLimiter, SharedLimiter
from backmarket_sdk.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BackMarketError,
    ClientClosedError,
    ConfigurationError,
    EventLoopError,
    InvalidRequestError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TaskTimeoutError,
    ValidationError,
    WAFBlockedError,
)
from backmarket_sdk.shippers import SHIPPERS

__version__ = "0.1.0"

__all__ = [
    "CURRENCY_MINOR_DIGITS",
    "MARKETS",
    "MARKET_CURRENCY",
    "OPERATIONS",
    "SHIPPERS",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncBackMarketClient",
    "AsyncPager",
    "AuthenticationError",
    "BackMarketClient",
    "BackMarketError",
    "Budget",
    "ClientClosedError",
    "ClientConfig",
    "ConfigurationError",
    "Environment",
    "EventLoopError",
    "InvalidRequestError",
    "MalformedResponseError",
    "Market",
    "NotFoundError",
    "OperationLimitError",
    "OperationLimiter",
    "Page",
    "PermissionDeniedError",
    "Platform",
    "RateLimitError",
    "RateLimiter",
    "RateLimits",
    "ServerError",
    "SharedLimiter",
    "SyncPager",
    "TaskTimeoutError",
    "ValidationError",
    "WAFBlockedError",
    "__version__",
    "errors",
]
