"""Client-side rate limiting with sliding windows shared by every call.

A call first reserves a send time under a lock, then sleeps until that time
outside the lock. Reserving never awaits, so one ``threading.Lock`` keeps
the windows consistent for threads of the sync client and for tasks of the
async client alike.

A ``SharedLimiter`` (such as one kept in Redis) extends the budgets to every
process that uses the same token: a call then waits for the client's own
windows and for the shared ones.
"""

from __future__ import annotations

import asyncio
import bisect
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from backmarket_sdk._config import RateLimits

Clock = Callable[[], float]
Sleep = Callable[[float], None]
AsyncSleep = Callable[[float], Awaitable[None]]


class SlidingWindow:
    """At most ``limit`` send times in any window of ``period`` seconds."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        # Sorted send times, past and reserved; catalog calls may reserve ahead.
        self._sent: list[float] = []

    def earliest(self, now: float) -> float:
        """Return the earliest send time at or after now, without recording it.

        A caller that checks several windows before committing to a call uses
        this, so that a call it then rejects takes no slot in any window.
        """
        expired = bisect.bisect_right(self._sent, now - self.period)
        if expired:
            del self._sent[:expired]
        if len(self._sent) >= self.limit:
            return max(now, self._sent[-self.limit] + self.period)
        return now

    def reserve(self, now: float, not_before: float) -> float:
        """Record and return the earliest allowed send time at or after now.

        Args:
            now: The current time on the limiter's clock.
            not_before: A time the send may not precede, such as the end of
                a server block or a slot reserved in another window.
        """
        when = max(self.earliest(now), not_before)
        bisect.insort(self._sent, when)
        return when


class SharedLimiter(Protocol):
    """Budgets shared with other clients and processes that use the same token."""

    def try_acquire(self, catalog: bool) -> float:
        """Take a send slot and return 0.0, or return seconds to wait first.

        A caller that gets a positive wait sleeps for it and then calls again.
        """
        ...

    def block(self, seconds: float) -> None:
        """Hold every sharer's calls for ``seconds`` (after a 429)."""
        ...


class RateLimiter:
    """The general and catalog budgets of one client, plus server blocks.

    Args:
        limits: The budgets.
        clock: Monotonic clock in seconds, injectable for tests.
        shared: Budgets shared with other processes, checked after this
            client's own ones; None for none.
    """

    def __init__(
        self,
        limits: RateLimits,
        clock: Clock = time.monotonic,
        shared: SharedLimiter | None = None,
    ) -> None:
        self.limits = limits
        self.clock = clock
        self.shared = shared
        self._lock = threading.Lock()
        self._general = SlidingWindow(limits.general, limits.general_period)
        self._catalog = SlidingWindow(limits.catalog, limits.catalog_period)
        self._blocked_until = 0.0

    def reserve(self, catalog: bool = False) -> float:
        """Reserve a send slot and return how many seconds to wait for it."""
        with self._lock:
            now = self.clock()
            not_before = self._blocked_until
            if not self.limits.enabled:
                return max(0.0, not_before - now)
            if catalog:
                not_before = self._catalog.reserve(now, not_before)
            when = self._general.reserve(now, not_before)
            return max(0.0, when - now)

    def block(self, seconds: float) -> None:
        """Hold every call of this client for ``seconds`` (after a 429)."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, self.clock() + seconds)
        if self.shared is not None:
            self.shared.block(seconds)

    def acquire(self, sleep: Sleep, catalog: bool = False) -> float:
        """Wait, with a blocking sleep, until a call may be sent."""
        delay = self.reserve(catalog)
        if delay > 0:
            sleep(delay)
        while self.shared is not None and self.limits.enabled:
            wait = self.shared.try_acquire(catalog)
            if wait <= 0:
                break
            sleep(wait)
            delay += wait
        return delay

    async def acquire_async(self, sleep: AsyncSleep, catalog: bool = False) -> float:
        """Wait, with an async sleep, until a call may be sent."""
        delay = self.reserve(catalog)
        if delay > 0:
            await sleep(delay)
        while self.shared is not None and self.limits.enabled:
            # NOTE: try_acquire is a blocking call (one Redis round trip for
            # the Redis limiter), made on the event loop.
            wait = self.shared.try_acquire(catalog)
            if wait <= 0:
                break
            await sleep(wait)
            delay += wait
        return delay


async def asyncio_sleep(seconds: float) -> None:
    """Sleep on the running event loop."""
    await asyncio.sleep(seconds)
