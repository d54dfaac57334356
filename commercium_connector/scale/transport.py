"""An httpx transport that takes every request's slot from the shared limiter.

The Back Market plugin builds its own SDK client and accepts an httpx
transport through the connection's ``transport`` option, so this transport
is how the workers bring the Redis limiter to an unchanged plugin. Each
attempt, retries included, takes a slot. A 429 response blocks every worker
of the token for the Retry-After it carries, or else for Back Market's
documented 10 seconds.
"""

from __future__ import annotations

import fnmatch
import logging
import time
from collections.abc import Callable, Sequence

import httpx

from commercium_connector.scale.ratelimit import RedisRateLimiter

logger = logging.getLogger(__name__)

# The calls the SDK counts against the smaller catalog budget: CSV catalog
# imports, the category tree and BackBox BI, as ``METHOD /path`` globs.
CATALOG_ROUTES = (
    "POST /ws/listings",
    "POST /ws/listings/",
    "* /ws/category/*",
    "* /ws/listings_bi*",
)
DEFAULT_BLOCK_SECONDS = 10.0


def is_catalog(method: str, path: str, routes: Sequence[str] = CATALOG_ROUTES) -> bool:
    """Return whether ``method path`` counts against the catalog budget."""
    target = f"{method} {path}"
    return any(fnmatch.fnmatchcase(target, pattern) for pattern in routes)


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return DEFAULT_BLOCK_SECONDS


class RateLimitedTransport(httpx.BaseTransport):
    """Waits for a shared send slot before each request it sends.

    Args:
        limiter: The token's shared budgets.
        inner: The transport that sends; a plain ``httpx.HTTPTransport``
            (TLS verification on) by default.
        sleep: Blocking sleep, for tests.
    """

    def __init__(
        self,
        limiter: RedisRateLimiter,
        inner: httpx.BaseTransport | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limiter = limiter
        self.inner = inner or httpx.HTTPTransport()
        self.sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Take a slot, send the request, and block the token after a 429."""
        catalog = is_catalog(request.method, request.url.path)
        self.limiter.acquire(catalog, self.sleep)
        response = self.inner.handle_request(request)
        if response.status_code == 429:
            seconds = _retry_after(response)
            logger.warning(
                "Back Market returned 429 for %s %s; holding the token's "
                "calls on every worker for %.0f s",
                request.method,
                request.url.path,
                seconds,
            )
            self.limiter.block(seconds)
        return response

    def close(self) -> None:
        """Keep the inner transport open for the next client.

        The plugin closes its client, and so this transport, after every hook
        call, while the worker reuses one transport per connection.
        """

    def shutdown(self) -> None:
        """Close the inner transport and its connections."""
        self.inner.close()
