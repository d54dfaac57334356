"""``BackMarketClient`` and ``AsyncBackMarketClient``.

Both build requests and parse responses with the same pure functions of
``_http``; they differ only in how they send, sleep and retry.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx

from backmarket_sdk import errors
from backmarket_sdk._config import ClientConfig, RateLimits
from backmarket_sdk._http import (
    RequestSpec,
    build_request,
    error_from_transport,
    parse_response,
)
from backmarket_sdk._logging import logger, register_secret
from backmarket_sdk._pagination import AsyncPager, Params, SyncPager
from backmarket_sdk._ratelimit import (
    AsyncSleep,
    Clock,
    RateLimiter,
    SharedLimiter,
    Sleep,
    asyncio_sleep,
)
from backmarket_sdk._retry import RetryPolicy, async_retrying, sync_retrying
from backmarket_sdk.resources._base import parse_list
from backmarket_sdk.resources.backbox import AsyncBackBox, BackBox
from backmarket_sdk.resources.backship import AsyncBackShip, BackShip
from backmarket_sdk.resources.buyback import AsyncBuyBack, BuyBack
from backmarket_sdk.resources.care import AsyncCare, Care
from backmarket_sdk.resources.categories import AsyncCategories, Categories
from backmarket_sdk.resources.listings import AsyncListings, Listings
from backmarket_sdk.resources.orderlines import AsyncOrderLines, OrderLines
from backmarket_sdk.resources.orders import AsyncOrders, Orders
from backmarket_sdk.resources.tasks import AsyncTasks, Tasks

T = TypeVar("T")


def _make_config(
    config: ClientConfig | None, options: Mapping[str, Any]
) -> ClientConfig:
    if config is not None:
        return config
    return ClientConfig.create(**options)


def _blocking(sleep: Sleep) -> Sleep:
    """Wrap an injected blocking sleep so that an async one fails clearly."""

    def checked_sleep(seconds: float) -> None:
        # Typed as returning None, but a caller may pass an async function.
        waiting: Any = sleep(seconds)  # type: ignore[func-returns-value]
        if inspect.isawaitable(waiting):
            if inspect.iscoroutine(waiting):
                waiting.close()  # never awaited: no RuntimeWarning
            raise errors.ConfigurationError(
                f"Invalid sleep {sleep!r} for a BackMarketClient: it returned an "
                "awaitable, so calls would not wait. Pass a blocking function such "
                "as time.sleep, or use AsyncBackMarketClient for an async sleep."
            )

    return checked_sleep


def _awaited(sleep: AsyncSleep) -> AsyncSleep:
    """Wrap an injected async sleep so that a blocking one fails clearly."""

    async def checked_sleep(seconds: float) -> None:
        waiting = sleep(seconds)
        if not inspect.isawaitable(waiting):
            raise errors.ConfigurationError(
                f"Invalid sleep {sleep!r} for an AsyncBackMarketClient: it returned "
                f"{waiting!r}, not an awaitable. Pass an async function such as "
                "asyncio.sleep, or use BackMarketClient for a blocking sleep."
            )
        await waiting

    return checked_sleep


class _ClientCore:
    """State shared by both clients: configuration, limiter, retry policy."""

    def __init__(
        self,
        config: ClientConfig,
        clock: Clock | None,
        shared_limiter: SharedLimiter | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        self.config = config
        register_secret(config.token)
        self._clock = clock or time.monotonic
        self._limiter = rate_limiter or RateLimiter(
            config.rate_limits, self._clock, shared_limiter
        )
        self._policy = RetryPolicy(
            max_retries=config.max_retries, max_retry_after=config.max_retry_after
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(market={self.config.market!r}, "
            f"base_url={self.config.base_url!r})"
        )

    @property
    def rate_limiter(self) -> RateLimiter:
        """The limiter every call of this client goes through."""
        return self._limiter

    def _on_retry(self, exc: BaseException, seconds: float) -> None:
        # A 429 blocks the whole token, so every call of this client waits.
        if isinstance(exc, errors.RateLimitError):
            self._limiter.block(seconds)

    def _check_open(self, closed: bool) -> None:
        # Without this check httpx raises a bare RuntimeError instead.
        if closed:
            raise errors.ClientClosedError(
                f"This {type(self).__name__} is closed: create a new client, or "
                "make the calls inside its 'with' block."
            )

    def _log_response(
        self, spec: RequestSpec, response: httpx.Response, started: float
    ) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %d in %.1f ms",
                spec.method,
                spec.path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )


class BackMarketClient(_ClientCore):
    """Synchronous client of the Back Market seller API.

    Args:
        token: API token from the Back Office, sent as ``Basic <token>``.
        market: Market code such as ``fr-fr``; selects ``Accept-Language``.
        platform: EU, NA or AP; defaults to the market's platform.
        environment: ``production`` or ``preprod``.
        base_url: Explicit scheme and host, such as a sandbox on loopback.
        user_agent: ``BM-{CompanyName}-{IntegrationName};{contact email}``.
        timeout: Seconds for connecting and for each read or write.
        max_retries: Retries after the first attempt of a retryable call.
        rate_limits: Client-side budgets; the documented limits by default.
        transport: httpx transport, for tests and the sandbox.
        allow_custom_host: Allow a base URL that is not a Back Market host.
        config: A ready configuration, used instead of the arguments above.
        clock: Monotonic clock of the rate limiter, for tests.
        sleep: Blocking sleep used by the limiter and retries, for tests.
        shared_limiter: Budgets shared with every process that uses the same
            token, such as a Redis-backed limiter; None for none.
        rate_limiter: A limiter to share with other clients of the same token
            in this process, used instead of a new one. Its own limits, clock
            and shared limiter then apply, not ``rate_limits``, ``clock`` or
            ``shared_limiter``.

    Raises:
        ConfigurationError: A setting is missing or invalid.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        market: str = "fr-fr",
        platform: str | None = None,
        environment: str = "production",
        base_url: str | None = None,
        user_agent: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        rate_limits: RateLimits | None = None,
        transport: httpx.BaseTransport | None = None,
        allow_custom_host: bool = False,
        config: ClientConfig | None = None,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        shared_limiter: SharedLimiter | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        options = {
            "token": token,
            "market": market,
            "platform": platform,
            "environment": environment,
            "base_url": base_url,
            "user_agent": user_agent,
            "timeout": timeout,
            "max_retries": max_retries,
            "rate_limits": rate_limits,
            "allow_custom_host": allow_custom_host,
        }
        super().__init__(
            _make_config(config, options), clock, shared_limiter, rate_limiter
        )
        self.sleep: Sleep = time.sleep if sleep is None else _blocking(sleep)
        """Blocking sleep used for rate limits, retries and task polling."""
        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(self.config.timeout),
            follow_redirects=False,
        )
        self.orders = Orders(self)
        self.orderlines = OrderLines(self)
        self.listings = Listings(self)
        self.tasks = Tasks(self)
        self.categories = Categories(self)
        self.backship = BackShip(self)
        self.care = Care(self)
        self.buyback = BuyBack(self)
        self.backbox = BackBox(self)

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        **overrides: Any,
    ) -> BackMarketClient:
        """Build a client from ``BACKMARKET_*`` environment variables.

        See :meth:`ClientConfig.from_env` for the variables; keyword arguments
        override them.
        """
        config = ClientConfig.from_env(environ, **overrides)
        return cls(config=config, transport=transport, clock=clock, sleep=sleep)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> BackMarketClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def send(self, spec: RequestSpec) -> Any:
        """Send one attempt of a call and return its decoded JSON."""
        self._check_open(self._http.is_closed)
        request = build_request(self.config, spec)
        url = str(request.url)
        # The slot stays held until the response or error is back, because
        # the server counts the call at some unknown moment in between.
        with self._limiter.hold(self.sleep, spec.catalog):
            started = time.perf_counter()
            try:
                response = self._http.send(request)
            except httpx.TransportError as exc:
                raise error_from_transport(exc, spec.method, url) from exc
        self._log_response(spec, response, started)
        return parse_response(
            response, spec.method, url, text_response=spec.text_response
        )

    def request(self, spec: RequestSpec) -> Any:
        """Send a call, retrying as its retry mode allows."""
        if spec.retry == "confirm":
            raise errors.InvalidRequestError(
                "A state change needs a confirming read: use request_confirmed()."
            )
        try:
            return self.send(spec)
        except Exception as exc:
            if self._policy.max_retries == 0:
                raise
            first_failure: Exception | None = exc
        # Only a failed call pays for building the retry loop. Its first
        # attempt re-raises the failure above rather than sending again.

        def attempt(spec: RequestSpec) -> Any:
            nonlocal first_failure
            if first_failure is not None:
                failure, first_failure = first_failure, None
                raise failure
            return self.send(spec)

        retrying = sync_retrying(
            self._policy,
            self.sleep,
            self._on_retry,
            unprocessed_only=spec.retry == "unprocessed",
        )
        return retrying(attempt, spec)

    def request_confirmed(
        self, spec: RequestSpec, confirm: Callable[[], Any | None]
    ) -> Any:
        """Send a state change; before any resend, ask ``confirm`` if it applied.

        ``confirm`` reads the resource and returns its JSON when the change
        already applied, None when it did not.
        """
        retrying = sync_retrying(self._policy, self.sleep, self._on_retry)
        for attempt in retrying:
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    applied = confirm()
                    if applied is not None:
                        logger.info(
                            "%s %s had applied before its failure; not resending",
                            spec.method,
                            spec.path,
                        )
                        return applied
                return self.send(spec)
        raise AssertionError("unreachable: tenacity re-raises the last error")

    def paginate(self, path: str, params: Params, cls: type[T]) -> SyncPager[T]:
        """Return a lazy pager over a list endpoint."""

        def fetch(page_params: Params) -> Any:
            return self.request(RequestSpec("GET", path, params=page_params))

        def parse(items: list[Any]) -> list[T]:
            return parse_list(items, cls, RequestSpec("GET", path))

        return SyncPager(fetch, params, parse, path)


class AsyncBackMarketClient(_ClientCore):
    """Asynchronous client of the Back Market seller API.

    Takes the same arguments as :class:`BackMarketClient`, with an
    ``httpx.AsyncBaseTransport`` and an async ``sleep``. One client may be
    shared by many tasks: they share its connection pool and rate limits.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        market: str = "fr-fr",
        platform: str | None = None,
        environment: str = "production",
        base_url: str | None = None,
        user_agent: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        rate_limits: RateLimits | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        allow_custom_host: bool = False,
        config: ClientConfig | None = None,
        clock: Clock | None = None,
        sleep: AsyncSleep | None = None,
        shared_limiter: SharedLimiter | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        options = {
            "token": token,
            "market": market,
            "platform": platform,
            "environment": environment,
            "base_url": base_url,
            "user_agent": user_agent,
            "timeout": timeout,
            "max_retries": max_retries,
            "rate_limits": rate_limits,
            "allow_custom_host": allow_custom_host,
        }
        super().__init__(
            _make_config(config, options), clock, shared_limiter, rate_limiter
        )
        self.sleep: AsyncSleep = asyncio_sleep if sleep is None else _awaited(sleep)
        """Async sleep used for rate limits, retries and task polling."""
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(self.config.timeout),
            follow_redirects=False,
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self.orders = AsyncOrders(self)
        self.orderlines = AsyncOrderLines(self)
        self.listings = AsyncListings(self)
        self.tasks = AsyncTasks(self)
        self.categories = AsyncCategories(self)
        self.backship = AsyncBackShip(self)
        self.care = AsyncCare(self)
        self.buyback = AsyncBuyBack(self)
        self.backbox = AsyncBackBox(self)

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        sleep: AsyncSleep | None = None,
        **overrides: Any,
    ) -> AsyncBackMarketClient:
        """Build a client from ``BACKMARKET_*`` environment variables."""
        config = ClientConfig.from_env(environ, **overrides)
        return cls(config=config, transport=transport, clock=clock, sleep=sleep)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncBackMarketClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def send(self, spec: RequestSpec) -> Any:
        """Send one attempt of a call and return its decoded JSON."""
        self._check_open(self._http.is_closed)
        self._check_loop(asyncio.get_running_loop())
        request = build_request(self.config, spec)
        url = str(request.url)
        # Released on every outcome, cancellation of the task included.
        async with self._limiter.hold_async(self.sleep, spec.catalog):
            started = time.perf_counter()
            try:
                response = await self._http.send(request)
            except httpx.TransportError as exc:
                raise error_from_transport(exc, spec.method, url) from exc
        self._log_response(spec, response, started)
        return parse_response(
            response, spec.method, url, text_response=spec.text_response
        )

    def _check_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        # Without this check httpx fails later with "Event loop is closed" or
        # a connection bound to another loop.
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise errors.EventLoopError(
                f"This {type(self).__name__} was first used in another event loop: "
                "create one client per event loop, for example inside the "
                "coroutine that asyncio.run() runs."
            )

    async def request(self, spec: RequestSpec) -> Any:
        """Send a call, retrying as its retry mode allows."""
        if spec.retry == "confirm":
            raise errors.InvalidRequestError(
                "A state change needs a confirming read: use request_confirmed()."
            )
        try:
            return await self.send(spec)
        except Exception as exc:
            if self._policy.max_retries == 0:
                raise
            first_failure: Exception | None = exc
        # As in BackMarketClient.request: the first attempt re-raises.

        async def attempt(spec: RequestSpec) -> Any:
            nonlocal first_failure
            if first_failure is not None:
                failure, first_failure = first_failure, None
                raise failure
            return await self.send(spec)

        retrying = async_retrying(
            self._policy,
            self.sleep,
            self._on_retry,
            unprocessed_only=spec.retry == "unprocessed",
        )
        return await retrying(attempt, spec)

    async def request_confirmed(
        self, spec: RequestSpec, confirm: Callable[[], Awaitable[Any | None]]
    ) -> Any:
        """Send a state change; before any resend, await ``confirm``.

        See :meth:`BackMarketClient.request_confirmed`.
        """
        retrying = async_retrying(self._policy, self.sleep, self._on_retry)
        async for attempt in retrying:
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    applied = await confirm()
                    if applied is not None:
                        logger.info(
                            "%s %s had applied before its failure; not resending",
                            spec.method,
                            spec.path,
                        )
                        return applied
                return await self.send(spec)
        raise AssertionError("unreachable: tenacity re-raises the last error")

    def paginate(self, path: str, params: Params, cls: type[T]) -> AsyncPager[T]:
        """Return a lazy async pager over a list endpoint."""

        async def fetch(page_params: Params) -> Any:
            return await self.request(RequestSpec("GET", path, params=page_params))

        def parse(items: list[Any]) -> list[T]:
            return parse_list(items, cls, RequestSpec("GET", path))

        return AsyncPager(fetch, params, parse, path)
