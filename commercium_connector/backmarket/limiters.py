"""One rate limiter per Back Market token, shared by the hook calls of a process.

Each hook call opens its own SDK client, but Back Market counts requests per
token. Without a shared limiter, the order poll of one call and the 200
listing pages of the next could send 201 requests in 10 seconds, one more
than the budget, and meet a 429 and its 10-second block.

A client on the network shares the limiter of its token and base URL. A
client with an injected transport (a sandbox or a test) shares it only with
clients of the same transport object, so that separate sandboxes in one
process never slow each other down.
"""

from __future__ import annotations

import hashlib
import threading
import time
import weakref
from collections.abc import Callable

import httpx

from backmarket_sdk import RateLimiter, RateLimits

_lock = threading.Lock()
_by_host: dict[tuple[str, str | None], RateLimiter] = {}
_by_transport: weakref.WeakKeyDictionary[
    httpx.BaseTransport, dict[str, RateLimiter]
] = weakref.WeakKeyDictionary()


def token_limiter(
    token: str,
    base_url: str | None,
    transport: httpx.BaseTransport | None,
    clock: Callable[[], float] | None,
) -> RateLimiter:
    """Return the limiter that every client of ``token`` in this process uses.

    The first caller's ``clock`` stays the limiter's clock.
    """
    # Keyed by a digest, so that the registry never keeps a token as text.
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
    with _lock:
        if transport is None:
            limiter = _by_host.get((digest, base_url))
            if limiter is None:
                limiter = _by_host[(digest, base_url)] = _new_limiter(clock)
            return limiter
        per_token = _by_transport.setdefault(transport, {})
        limiter = per_token.get(digest)
        if limiter is None:
            limiter = per_token[digest] = _new_limiter(clock)
        return limiter


def _new_limiter(clock: Callable[[], float] | None) -> RateLimiter:
    return RateLimiter(RateLimits(), clock or time.monotonic)
