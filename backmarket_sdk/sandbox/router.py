"""The route table of the seller API and the dispatch of one request."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from . import api_backbox, api_backship, api_buyback, api_care, api_listings, api_orders
from .errors import ApiError
from .limits import RateLimiter
from .messages import SandboxRequest, SandboxResponse
from .store import Store

# A handler gets the request context and the path parameters.
Handler = Callable[["RouteContext", list[str]], SandboxResponse]


@dataclass
class RouteContext:
    """What a handler may use: the state, the limiter and the request."""

    store: Store
    limiter: RateLimiter
    request: SandboxRequest
    market: str


@dataclass(frozen=True)
class Route:
    """One operation: method, path pattern, handler and auth error envelope."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    auth_envelope: str = "v1"


def _route(method: str, path: str, handler: Handler, envelope: str = "v1") -> Route:
    regex = "^" + re.sub(r"\{[^/]+\}", "([^/]+)", path) + "/?$"
    return Route(method, re.compile(regex), handler, envelope)


ROUTES: tuple[Route, ...] = (
    _route(
        "GET", "/ws/orders", lambda c, p: api_orders.list_orders(c.store, c.request)
    ),
    _route(
        "GET",
        "/ws/orders/{order_id}",
        lambda c, p: api_orders.get_order(c.store, c.request, p[0]),
    ),
    _route(
        "POST",
        "/ws/orders/{order_id}",
        lambda c, p: api_orders.update_order(c.store, c.request, p[0]),
    ),
    _route(
        "POST",
        "/ws/orders/{order_id}/invoice",
        lambda c, p: api_orders.upload_invoice(c.store, c.request, p[0]),
    ),
    _route(
        "PATCH",
        "/ws/orderlines/{orderline_id}",
        lambda c, p: api_orders.update_orderline(c.store, c.request, p[0]),
    ),
    _route(
        "GET",
        "/ws/listings",
        lambda c, p: api_listings.list_listings(c.store, c.request, c.market),
    ),
    _route(
        "POST",
        "/ws/listings",
        lambda c, p: api_listings.import_catalog(
            c.store, c.limiter, c.request, c.market
        ),
    ),
    # The detail route comes before {listingId}, which would also match it.
    _route(
        "GET",
        "/ws/listings/detail",
        lambda c, p: api_listings.listing_detail(c.store, c.request, c.market),
    ),
    _route(
        "GET",
        "/ws/listings/{listingId}",
        lambda c, p: api_listings.get_listing(c.store, c.request, c.market, p[0]),
    ),
    _route(
        "POST",
        "/ws/listings/{listingId}",
        lambda c, p: api_listings.update_listing(
            c.store, c.limiter, c.request, c.market, p[0]
        ),
    ),
    _route(
        "GET",
        "/ws/tasks/{taskId}",
        lambda c, p: api_listings.get_task(c.store, c.request, p[0]),
    ),
    _route(
        "GET",
        "/ws/category/tree",
        lambda c, p: api_listings.category_tree(c.store, c.request),
        "v2",
    ),
    _route(
        "GET",
        "/ws/category/tree/{categoryId}",
        lambda c, p: api_listings.category_branch(c.store, c.request, p[0]),
    ),
)

ROUTES += tuple(
    _route(*spec)
    for module in (api_backship, api_care, api_buyback, api_backbox)
    for spec in module.ROUTE_SPECS
)


def match(method: str, path: str) -> tuple[Route, list[str]]:
    """Return the route for ``method path`` and its path parameters.

    Raises:
        ApiError: 404 for an unknown path, 405 for a known path and another
            method.
    """
    allowed: list[str] = []
    for route in ROUTES:
        found = route.pattern.match(path)
        if found is None:
            continue
        if route.method == method:
            return route, list(found.groups())
        allowed.append(route.method)
    if allowed:
        raise ApiError(
            405,
            "method-not-allowed",
            f"{method} is not allowed on {path}; use {', '.join(sorted(set(allowed)))}",
        )
    raise ApiError(404, "not-found", f"no sandbox route for {method} {path}")


def auth_envelope(method: str, path: str) -> str:
    """Return the error envelope the route uses for 401 and 403."""
    for route in ROUTES:
        if route.method == method and route.pattern.match(path):
            return route.auth_envelope
    return "v1"
