"""Client-side rate limiting with sliding windows shared by every call.

Back Market counts a request when it arrives, some time after the client
sends it and before the response comes back. So each call holds a slot of
its budget from when it is reserved until its response (or error) comes
back, and the slot then counts for one more window from that completion
time. Any server window then contains at most the budget's worth of
arrivals, whatever the latency: in-flight calls count against the budget.

A call reserves a send time under a lock, then sleeps until that time
outside the lock. Reserving never awaits, so one ``threading.Lock`` keeps
the windows consistent for threads of the sync client and for tasks of the
async client alike. When calls in flight hold a whole budget, no send time
can be computed yet: the call queues, and the next completion hands it its
slot, first in first out.

A ``SharedLimiter`` (such as one kept in Redis) extends the budgets to every
process that uses the same token: a call then waits for the client's own
windows and for the shared ones.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import math
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Protocol

import attrs

from backmarket_sdk._config import RateLimits

Clock = Callable[[], float]
Sleep = Callable[[float], None]
AsyncSleep = Callable[[float], Awaitable[None]]


class SlidingWindow:
    """At most ``limit`` slots in any window of ``period`` seconds.

    A slot is either closed, counted for ``period`` seconds from its end
    time, or open (reserved or in flight), counted until it closes.
    """

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        # Sorted end times of closed slots, past and reserved ahead.
        self._ends: list[float] = []
        self.open = 0

    def earliest(self, now: float) -> float:
        """Return the earliest send time at or after now, without recording it.

        A caller that checks several windows before committing to a call uses
        this, so that a call it then rejects takes no slot in any window.
        Returns ``math.inf`` when open slots fill the window, because no send
        time is known until one of them closes.
        """
        expired = bisect.bisect_right(self._ends, now - self.period)
        if expired:
            del self._ends[:expired]
        free = self.limit - self.open
        if free <= 0:
            return math.inf
        if len(self._ends) >= free:
            return max(now, self._ends[-free] + self.period)
        return now

    def reserve(self, now: float, not_before: float) -> float:
        """Record and return the earliest allowed send time at or after now.

        The slot is closed at its send time: use it for calls whose
        completion is not reported.

        Args:
            now: The current time on the limiter's clock.
            not_before: A time the send may not precede, such as the end of
                a server block or a slot reserved in another window.
        """
        when = max(self.earliest(now), not_before)
        if math.isinf(when):
            # In-flight slots fill the window: count them as ending now.
            when = max(now + self.period, not_before)
        self.close(when)
        return when

    def close(self, end: float) -> None:
        """Record a closed slot that counts for one period from ``end``."""
        bisect.insort(self._ends, end)


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


@attrs.define(eq=False)
class Slot:
    """A send slot held from its reservation until :meth:`RateLimiter.release`.

    Attributes:
        catalog: Whether the slot also counts in the catalog budget.
        send_at: The reserved send time on the limiter's clock.
        delay: Seconds the caller waited for the slot.
        counted: False when the limits are off and no window counts it.
        released: Whether the slot was released or given back.
    """

    catalog: bool
    send_at: float
    delay: float = 0.0
    counted: bool = True
    released: bool = False


@attrs.define(eq=False)
class _Waiter:
    """A call queued until a completion hands it a send time."""

    catalog: bool
    wake: Callable[[], None]
    send_at: float | None = None


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
        self._waiters: list[_Waiter] = []

    @property
    def in_flight(self) -> int:
        """Number of slots reserved or in flight and not yet released."""
        with self._lock:
            return self._general.open

    @property
    def waiting(self) -> int:
        """Number of calls queued until a slot in flight is released."""
        with self._lock:
            return len(self._waiters)

    def _windows(self, catalog: bool) -> tuple[SlidingWindow, ...]:
        if catalog:
            return (self._catalog, self._general)
        return (self._general,)

    def _take(self, now: float, catalog: bool) -> float | None:
        """Open a slot and return its send time, or None when none is known."""
        when = max(now, self._blocked_until)
        windows = self._windows(catalog)
        for window in windows:
            when = max(when, window.earliest(now))
        if math.isinf(when):
            return None
        for window in windows:
            window.open += 1
        return when

    def _hand_off(self) -> None:
        """Give freed capacity to queued calls, in the order they queued."""
        if not self._waiters:
            return
        now = self.clock()
        for waiter in list(self._waiters):
            if self._general.open >= self._general.limit:
                break
            when = self._take(now, waiter.catalog)
            if when is None:
                continue
            self._waiters.remove(waiter)
            waiter.send_at = when
            waiter.wake()

    def _close(self, slot: Slot, end: float | None) -> None:
        """Close or give back ``slot``; hand its capacity on. Needs the lock."""
        if slot.released or not slot.counted:
            slot.released = True
            return
        slot.released = True
        for window in self._windows(slot.catalog):
            window.open -= 1
            if end is not None:
                window.close(end)
        self._hand_off()

    def release(self, slot: Slot) -> None:
        """Close ``slot`` once its response or error came back.

        The slot then counts for one window from now, or from its send time
        when a fake sleep left the clock behind it. Releasing twice is a no-op.
        """
        # NOTE: after a timeout or a cancelled call, the request may still
        # reach the server later than this release; nothing bounds that case.
        with self._lock:
            self._close(slot, max(self.clock(), slot.send_at))

    def _give_back(self, slot: Slot) -> None:
        """Return a slot whose call was never sent, counting nothing."""
        with self._lock:
            self._close(slot, None)

    def _dequeue(self, waiter: _Waiter) -> None:
        """Remove a call that stopped waiting, giving back a slot handed to it."""
        with self._lock:
            if waiter.send_at is None:
                self._waiters.remove(waiter)
                return
            slot = Slot(waiter.catalog, waiter.send_at)
            self._close(slot, None)

    def _start(self, catalog: bool, wake: Callable[[], None]) -> Slot | _Waiter:
        """Take a slot now or queue a waiter; return which."""
        with self._lock:
            now = self.clock()
            if not self.limits.enabled:
                return Slot(catalog, max(now, self._blocked_until), counted=False)
            when = self._take(now, catalog)
            if when is None:
                waiter = _Waiter(catalog, wake)
                self._waiters.append(waiter)
                return waiter
            return Slot(catalog, when)

    def reserve(self, catalog: bool = False) -> float:
        """Reserve a send slot closed at its send time; return the wait.

        The slot counts from its send time, not from a response, so use it
        only for a call whose completion is not reported; clients use
        :meth:`hold` and :meth:`hold_async`.
        """
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

    def acquire(self, sleep: Sleep, catalog: bool = False) -> Slot:
        """Wait, with a blocking sleep, for a slot; the caller must release it."""
        started = self.clock()
        event = threading.Event()
        reserved = self._start(catalog, event.set)
        if isinstance(reserved, _Waiter):
            try:
                event.wait()
            except BaseException:
                self._dequeue(reserved)
                raise
            assert reserved.send_at is not None
            reserved = Slot(catalog, reserved.send_at)
        reserved.delay = max(0.0, reserved.send_at - started)
        try:
            delay = reserved.send_at - self.clock()
            if delay > 0:
                sleep(delay)
            while self.shared is not None and self.limits.enabled:
                wait = self.shared.try_acquire(catalog)
                if wait <= 0:
                    break
                sleep(wait)
                reserved.delay += wait
        except BaseException:
            self._give_back(reserved)
            raise
        return reserved

    async def acquire_async(self, sleep: AsyncSleep, catalog: bool = False) -> Slot:
        """Wait, with an async sleep, for a slot; the caller must release it."""
        started = self.clock()
        loop = asyncio.get_running_loop()
        woken: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            loop.call_soon_threadsafe(_resolve, woken)

        reserved = self._start(catalog, wake)
        if isinstance(reserved, _Waiter):
            try:
                await woken
            except BaseException:
                self._dequeue(reserved)
                raise
            assert reserved.send_at is not None
            reserved = Slot(catalog, reserved.send_at)
        reserved.delay = max(0.0, reserved.send_at - started)
        try:
            delay = reserved.send_at - self.clock()
            if delay > 0:
                await sleep(delay)
            while self.shared is not None and self.limits.enabled:
                # NOTE: try_acquire is a blocking call (one Redis round trip
                # for the Redis limiter), made on the event loop.
                wait = self.shared.try_acquire(catalog)
                if wait <= 0:
                    break
                await sleep(wait)
                reserved.delay += wait
        except BaseException:
            self._give_back(reserved)
            raise
        return reserved

    @contextlib.contextmanager
    def hold(self, sleep: Sleep, catalog: bool = False) -> Iterator[Slot]:
        """Hold a slot for the ``with`` block: send the call inside it."""
        slot = self.acquire(sleep, catalog)
        try:
            yield slot
        finally:
            self.release(slot)

    @contextlib.asynccontextmanager
    async def hold_async(
        self, sleep: AsyncSleep, catalog: bool = False
    ) -> AsyncIterator[Slot]:
        """Hold a slot for the ``async with`` block, released on any outcome."""
        slot = await self.acquire_async(sleep, catalog)
        try:
            yield slot
        finally:
            self.release(slot)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def asyncio_sleep(seconds: float) -> None:
    """Sleep on the running event loop."""
    await asyncio.sleep(seconds)
