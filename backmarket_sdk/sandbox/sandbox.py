"""The ``Sandbox``: a stateful local stand-in for the Back Market seller API."""

from __future__ import annotations

import logging
import random
import secrets
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from . import (
    api_listings,
    control_api,
    faults,
    request_log,
    router,
    seed,
    seed_aftersales,
    serialize,
)
from .clock import SandboxClock
from .errors import ApiError
from .faults import FaultTable
from .limits import RateLimiter, RateLimits
from .markets import DEFAULT_MARKET, MARKETS
from .messages import SandboxRequest, SandboxResponse, error_v1
from .records import ListingSeed, ProductSeed
from .request_log import LoggedRequest
from .store import Store

if TYPE_CHECKING:
    from .server import SandboxServer
    from .transport import SandboxTransport

logger = logging.getLogger("backmarket_sdk.sandbox")

# A fixed, public test token: the sandbox guards nothing secret.
DEFAULT_TOKEN = "sandbox-token-not-a-secret"  # noqa: S105
CONTROL_PREFIX = "/_sandbox"


class Sandbox:
    """A local, stateful emulator of the Back Market seller API.

    One routing core serves both ``serve()`` (real HTTP on loopback) and
    ``transport()`` (an in-process httpx transport), so both behave alike.

    Args:
        seed: the random seed of every generated id, person and state.
        orders: how many orders to seed, placed on the seeded listings.
        listings: the listings to seed, or None for generated ones.
        products: extra catalogue products that CSV rows may reference.
        start: the sandbox time at creation; None for the current time.
        listing_count: how many listings to generate when ``listings`` is None.
        token: the token accepted in ``Authorization: Basic <token>``.
        limits: the traffic and data limits; ``RateLimits.unlimited()`` for none.
        task_start_after: sandbox seconds before a catalog task is in progress.
        task_duration: sandbox seconds before a catalog task is done or failed.
        freeze_clock: when True the clock moves only through ``advance``.
        slow_seconds: the delay of the ``slow`` fault.
        timeout_seconds: how long the HTTP server keeps a connection open under
            the ``timeout`` fault before closing it without a response.
        request_log_size: how many requests the log keeps; older ones drop out,
            so long benchmark runs keep a bounded memory.
    """

    def __init__(
        self,
        seed: int = 42,
        orders: int = 40,
        listings: Sequence[ListingSeed] | None = None,
        products: Sequence[ProductSeed] | None = None,
        start: datetime | None = None,
        *,
        listing_count: int = 30,
        token: str = DEFAULT_TOKEN,
        limits: RateLimits | None = None,
        task_start_after: float = 1.0,
        task_duration: float = 3.0,
        freeze_clock: bool = False,
        slow_seconds: float = 2.0,
        timeout_seconds: float = 30.0,
        request_log_size: int = 10_000,
    ) -> None:
        if not token or any(ch.isspace() for ch in token):
            raise ValueError("sandbox token must be non-empty and contain no spaces")
        if isinstance(listings, int):
            raise TypeError(
                f"listings={listings} is a count: pass listing_count={listings} "
                "for generated listings; listings takes a list of ListingSeed"
            )
        if orders < 0 or listing_count < 0:
            raise ValueError(
                f"orders ({orders}) and listing_count ({listing_count}) must be >= 0"
            )
        if not 0 <= task_start_after <= task_duration:
            raise ValueError(
                "task durations must satisfy 0 <= task_start_after <= task_duration, "
                f"got {task_start_after} and {task_duration}"
            )
        self.token = token
        self.seed = seed
        self.clock = SandboxClock(
            start or datetime.now(timezone.utc).replace(microsecond=0),
            frozen=freeze_clock,
        )
        self.limits = limits or RateLimits()
        self.limiter = RateLimiter(self.limits)
        self.faults = FaultTable()
        self.task_durations = (task_start_after, task_duration)
        self.slow_seconds = slow_seconds
        self.timeout_seconds = timeout_seconds
        self.store = Store(self.clock, random.Random(seed))
        if request_log_size < 1:
            raise ValueError(f"request_log_size must be >= 1, got {request_log_size}")
        self._log: deque[LoggedRequest] = deque(maxlen=request_log_size)
        self._populate(orders, listings, products, listing_count)

    def _populate(
        self,
        orders: int,
        listings: Sequence[ListingSeed] | None,
        products: Sequence[ProductSeed] | None,
        listing_count: int,
    ) -> None:
        catalogue = seed.generate_products(self.store)
        if products is not None:
            seed.add_seed_products(self.store, products)
        if listings is None:
            seed.generate_listings(self.store, catalogue, listing_count)
        else:
            seed.add_seed_listings(self.store, listings)
        seed.generate_orders(self.store, orders)
        seed_aftersales.seed_aftersales(self.store)

    # -- serving --------------------------------------------------------------

    def transport(self) -> SandboxTransport:
        """Return an in-process httpx transport (sync and async) to this sandbox."""
        from .transport import SandboxTransport

        return SandboxTransport(self)

    @contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[SandboxServer]:
        """Serve the sandbox over HTTP on ``host:port`` for the ``with`` block."""
        from .server import SandboxServer

        server = SandboxServer(self, host, port)
        server.start()
        try:
            yield server
        finally:
            server.stop()

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        """Return the response to one request: the routing core of every transport."""
        with self.store.lock:
            api_listings.advance_tasks(self.store, self.task_durations)
            if request.path == CONTROL_PREFIX or request.path.startswith(
                CONTROL_PREFIX + "/"
            ):
                if not self._authorised(request):
                    return error_v1(401, "unauthenticated", _AUTH_MESSAGE)
                return control_api.handle(self, request)
            ray = _ray()
            response, fault = self._serve_api(request, ray)
            response.set_header("cf-ray", ray)
            entry = request_log.record(
                request,
                0 if response.drop else response.status,
                self.clock.now().isoformat(),
                fault,
            )
            self._log.append(entry)
        return response

    def _serve_api(
        self, request: SandboxRequest, ray: str
    ) -> tuple[SandboxResponse, str | None]:
        fault = self.faults.take(request.method, request.path)
        if fault in faults.ANSWERED_KINDS:
            logger.debug(
                "sandbox fault %s on %s %s", fault, request.method, request.path
            )
            return faults.answer(fault, ray), fault
        if not self.limiter.admit(request.method, request.path, self.clock.seconds()):
            response = error_v1(
                429, "too-many-requests", "rate limit exceeded; retry in a few seconds"
            )
            if self.limits.retry_after:
                response.set_header("Retry-After", str(int(self.limits.block)))
            return response, fault
        try:
            response = self._route(request)
        except ApiError as error:
            logger.debug(
                "sandbox %s %s: %d %s",
                request.method,
                request.path,
                error.status,
                error.code,
            )
            response = error.response()
        except Exception:
            logger.exception(
                "sandbox handler failed on %s %s", request.method, request.path
            )
            response = error_v1(
                500, "internal-error", "the sandbox failed on this request"
            )
        if fault is not None:
            response = faults.damage(fault, response, self.slow_seconds)
        return response, fault

    def _authorised(self, request: SandboxRequest) -> bool:
        # Bytes, because compare_digest rejects str with non-ASCII characters.
        sent = request.headers.get("authorization", "").encode("utf-8", "replace")
        return secrets.compare_digest(sent, f"Basic {self.token}".encode())

    def _route(self, request: SandboxRequest) -> SandboxResponse:
        envelope = router.auth_envelope(request.method, request.path)
        if not self._authorised(request):
            raise ApiError(401, "unauthenticated", _AUTH_MESSAGE, envelope=envelope)
        if not request.headers.get("user-agent", "").strip():
            raise ApiError(
                403,
                "missing-user-agent",
                "User-Agent header is missing; send "
                "BM-{CompanyName}-{IntegrationName};{contact email}",
                envelope=envelope,
            )
        market = _market(request)
        route, params = router.match(request.method, request.path)
        context = router.RouteContext(self.store, self.limiter, request, market)
        return route.handler(context, params)

    # -- control --------------------------------------------------------------

    def place_order(
        self, sku: str, quantity: int = 1, market: str = DEFAULT_MARKET, state: int = 1
    ) -> int:
        """Place a customer order for ``sku``, lower its stock; return the order id.

        Raises:
            ValueError: the SKU is unknown, not offered on ``market``, out of
                stock, or ``state`` is not an order state.
        """
        with self.store.lock:
            country = (
                MARKETS[market.lower()].country if market.lower() in MARKETS else "FR"
            )
            address = seed.make_address(self.store, country)
            order = self.store.place_order(
                sku, quantity, market, state, address, address
            )
            return order.order_id

    def advance(self, seconds: float) -> datetime:
        """Move the sandbox clock forward; return the new sandbox time."""
        now = self.clock.advance(seconds)
        with self.store.lock:
            api_listings.advance_tasks(self.store, self.task_durations)
        return now

    def now(self) -> datetime:
        """Return the sandbox time."""
        return self.clock.now()

    def set_fault(
        self, route_pattern: str, kind: str, count: int | None = None
    ) -> None:
        """Switch on a fault for requests matching ``route_pattern``.

        Args:
            route_pattern: a path glob (``/ws/orders*``), optionally prefixed
                with a method (``POST /ws/listings/*``).
            kind: ``"500"``, ``"502"``, ``"503"``, ``"504"``, ``"429"``,
                ``"waf_html"``, ``"bot_challenge"`` (sent in place of the
                API's response, nothing changes) or ``"slow"``, ``"timeout"``,
                ``"malformed_json"``, ``"truncated_json"``, ``"reset"`` (the
                API handles the request, then the response is late, missing
                or damaged).
            count: how many requests it hits; None until ``clear_faults``.
        """
        self.faults.add(route_pattern, kind, count)

    def clear_faults(self) -> None:
        """Switch every fault off."""
        self.faults.clear()

    @property
    def requests(self) -> list[LoggedRequest]:
        """The API requests served so far, oldest first (control calls excluded)."""
        with self.store.lock:
            return list(self._log)

    def clear_requests(self) -> None:
        """Empty the request log."""
        with self.store.lock:
            self._log.clear()

    def order(self, order_id: int) -> dict[str, Any]:
        """Return the stored order as the API shows it; raises KeyError."""
        with self.store.lock:
            api_listings.advance_tasks(self.store, self.task_durations)
            if order_id not in self.store.orders:
                raise KeyError(f"no order {order_id} in the sandbox")
            payload = serialize.order(self.store.orders[order_id])
            payload["invoices"] = [
                {"filename": i.filename, "content_type": i.content_type, "size": i.size}
                for i in self.store.orders[order_id].invoices
            ]
            return payload

    def listing(self, sku: str) -> dict[str, Any]:
        """Return the stored listing, with every market's offer; raises KeyError."""
        with self.store.lock:
            api_listings.advance_tasks(self.store, self.task_durations)
            found = self.store.listing_by_sku(sku)
            if found is None:
                raise KeyError(f"no listing with SKU {sku!r} in the sandbox")
            return serialize.listing_truth(found)

    @property
    def skus(self) -> list[str]:
        """The SKUs of every listing, in creation order."""
        with self.store.lock:
            return [listing.sku for listing in self.store.listings]

    @property
    def products(self) -> list[ProductSeed]:
        """The catalogue products that CSV rows may reference."""
        with self.store.lock:
            return [
                ProductSeed(p.product_id, p.ean, p.title)
                for p in self.store.products.values()
            ]


_AUTH_MESSAGE = "missing or invalid token; send the header Authorization: Basic <token>"


def _ray() -> str:
    return f"{secrets.token_hex(8)}-CDG"


def _market(request: SandboxRequest) -> str:
    raw = request.headers.get("accept-language", "").strip()
    if not raw:
        return DEFAULT_MARKET
    code = raw.split(",")[0].split(";")[0].strip().lower().replace("_", "-")
    if code not in MARKETS:
        raise ApiError(
            400,
            "invalid-market",
            f"Accept-Language {raw!r} is not a Back Market market; use one of "
            f"{', '.join(MARKETS)}",
        )
    return code
