"""Per-operation request budgets, on top of the client's general rate limiter.

Some endpoints document their own limits: the Care (``/ws/sav*``) endpoints
allow a number of calls per minute and per day, BackBox competitors 2 calls
a second per token and ``/ws/listings_bi`` 2 calls an hour per market. The
general :class:`~backmarket_sdk._ratelimit.RateLimiter` contains one budget for
every call and one for catalog calls, so these budgets live here, built from
the same :class:`~backmarket_sdk._ratelimit.SlidingWindow`.

A call waits for a free slot when the wait is at most ``max_wait`` seconds;
a longer wait (a daily budget spent, the next hourly ``listings_bi`` slot)
raises :class:`OperationLimitError` at once instead of blocking for hours.

As in the general limiter, a call sent with :meth:`OperationLimiter.hold`
keeps its slot until its response comes back, and the slot then counts for
one window from that time, so calls in flight count against the budget.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence

import attrs

from backmarket_sdk import errors
from backmarket_sdk._ratelimit import AsyncSleep, Clock, Sleep, SlidingWindow

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0
DEFAULT_MAX_WAIT = 60.0
# How often a call checks again while calls in flight fill its budget, as a
# fraction of the budget's period, and at most one second.
IN_FLIGHT_POLL_FRACTION = 0.1
MAX_IN_FLIGHT_POLL = 1.0


@attrs.frozen
class Budget:
    """At most ``limit`` calls in any window of ``period`` seconds.

    Attributes:
        limit: Calls allowed per window.
        period: Length of the sliding window, in seconds.
    """

    limit: int
    period: float

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.limit, int) or self.limit < 1:
            raise errors.ConfigurationError(
                f"Invalid budget limit {self.limit!r}: use a whole number of calls "
                "of at least 1."
            )
        if not isinstance(self.period, (int, float)) or self.period <= 0:
            raise errors.ConfigurationError(
                f"Invalid budget period {self.period!r}: use a positive number of "
                "seconds."
            )


class OperationLimitError(errors.InvalidRequestError):
    """A call was not sent because its rate budget is exhausted for a long while.

    Attributes:
        operation: Key of the operation, such as ``care.refund``.
        retry_after: Seconds until the budget has a free slot again.
    """

    def __init__(self, message: str, *, operation: str, retry_after: float) -> None:
        super().__init__(message)
        self.operation = operation
        self.retry_after = retry_after


class OperationLimiter:
    """Sliding-window budgets keyed by operation, shared by the calls of a client.

    Args:
        budgets: The budgets of each operation key; a key may have several
            (per minute and per day). Keys not listed are not limited.
        clock: Monotonic clock in seconds, the same as the client's limiter.
        enabled: False lets every call through at once.
        max_wait: Maximum wait, in seconds, a call sleeps for. A longer wait
            raises :class:`OperationLimitError`.
    """

    def __init__(
        self,
        budgets: Mapping[str, Sequence[Budget]],
        clock: Clock,
        *,
        enabled: bool = True,
        max_wait: float = DEFAULT_MAX_WAIT,
    ) -> None:
        self.budgets = {key: tuple(values) for key, values in budgets.items()}
        self.clock = clock
        self.enabled = enabled
        self.max_wait = max_wait
        self._lock = threading.Lock()
        self._windows: dict[str, list[SlidingWindow]] = {}

    def _windows_for(self, key: str) -> list[SlidingWindow]:
        windows = self._windows.get(key)
        if windows is None:
            budget_key = key.split(":", 1)[0]
            windows = [
                SlidingWindow(budget.limit, budget.period)
                for budget in self.budgets.get(budget_key, ())
            ]
            self._windows[key] = windows
        return windows

    def reserve(self, key: str) -> float:
        """Reserve a slot for one call of ``key``; return the seconds to wait.

        A key may carry a suffix after a colon (``backbox.listings_bi:fr-fr``)
        so that one budget is counted separately per market.

        Raises:
            OperationLimitError: The wait would exceed ``max_wait``; nothing is
                reserved.
        """
        if not self.enabled:
            return 0.0
        with self._lock:
            windows = self._windows_for(key)
            now = self.clock()
            # The first time every window allows, found before recording it
            # in any, so that a refused call uses no slot.
            when = _earliest(windows, now)
            wait = when - now
            if wait > self.max_wait:
                raise _exhausted(key, wait)
            for window in windows:
                window.reserve(now, when)
            return wait

    def acquire(self, key: str, sleep: Sleep) -> float:
        """Wait, with a blocking sleep, until a call of ``key`` may be sent."""
        delay = self.reserve(key)
        if delay > 0:
            sleep(delay)
        return delay

    async def acquire_async(self, key: str, sleep: AsyncSleep) -> float:
        """Wait, with an async sleep, until a call of ``key`` may be sent."""
        delay = self.reserve(key)
        if delay > 0:
            await sleep(delay)
        return delay

    def _open(
        self, key: str, waited: float
    ) -> tuple[list[SlidingWindow] | None, float]:
        """Open a slot of ``key``; return its windows and the wait before sending.

        Returns no windows, with the seconds to wait before asking again,
        while calls in flight fill a window.
        """
        with self._lock:
            windows = self._windows_for(key)
            now = self.clock()
            when = _earliest(windows, now)
            if math.isinf(when):
                # Calls in flight fill a window: its next free time is known
                # only once one of them comes back, so check again shortly.
                shortest = min(window.period for window in windows)
                poll = min(shortest * IN_FLIGHT_POLL_FRACTION, MAX_IN_FLIGHT_POLL)
                wait, retry_after = poll, shortest
            else:
                wait = retry_after = when - now
            if waited + wait > self.max_wait:
                raise _exhausted(key, retry_after, in_flight=math.isinf(when))
            if math.isinf(when):
                return None, wait
            # The slot is taken now, so that calls arriving during the wait
            # queue behind it, and a test's sleep that does not move the
            # clock still lets the call go after one sleep.
            for window in windows:
                window.open += 1
            return windows, wait

    def _release(self, windows: list[SlidingWindow], send_at: float) -> None:
        # From the send time at the earliest, as when a test's sleep left the
        # clock behind it.
        with self._lock:
            end = max(self.clock(), send_at)
            for window in windows:
                window.open -= 1
                window.close(end)

    @contextlib.contextmanager
    def hold(self, key: str, sleep: Sleep) -> Iterator[None]:
        """Hold a slot of ``key`` for the ``with`` block: send the call in it.

        Raises:
            OperationLimitError: The wait would exceed ``max_wait``.
        """
        if not self.enabled:
            yield
            return
        waited = 0.0
        opened, wait = self._open(key, waited)
        while opened is None:
            sleep(wait)
            waited += wait
            opened, wait = self._open(key, waited)
        send_at = self.clock() + wait
        try:
            if wait > 0:
                sleep(wait)
            yield
        finally:
            self._release(opened, send_at)

    @contextlib.asynccontextmanager
    async def hold_async(self, key: str, sleep: AsyncSleep) -> AsyncIterator[None]:
        """Hold a slot of ``key`` for the ``async with`` block."""
        if not self.enabled:
            yield
            return
        waited = 0.0
        opened, wait = self._open(key, waited)
        while opened is None:
            await sleep(wait)
            waited += wait
            opened, wait = self._open(key, waited)
        send_at = self.clock() + wait
        try:
            if wait > 0:
                await sleep(wait)
            yield
        finally:
            self._release(opened, send_at)


def _earliest(windows: list[SlidingWindow], now: float) -> float:
    """Return the first time every window allows a call, or ``math.inf``."""
    when = now
    for window in windows:
        when = max(when, window.earliest(now))
    return when


def _exhausted(
    key: str, retry_after: float, *, in_flight: bool = False
) -> OperationLimitError:
    # With calls in flight, the next free time depends on when they return.
    when = "at least" if in_flight else "in"
    return OperationLimitError(
        f"Rate budget of {key} is exhausted: the next call is allowed {when} "
        f"{retry_after:.0f} s from now. Call again later, or raise max_wait on "
        "the resource's limiter to wait for it.",
        operation=key,
        retry_after=retry_after,
    )
