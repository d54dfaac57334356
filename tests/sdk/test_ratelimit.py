from __future__ import annotations

import asyncio
import threading

from backmarket_sdk import RateLimits
from backmarket_sdk._ratelimit import RateLimiter, SlidingWindow
from tests.sdk.conftest import FakeTime, make_async_client, make_client
from tests.sdk.loopback import LoopbackServer


def max_in_window(times: list[float], period: float) -> int:
    ordered = sorted(times)
    best = 0
    for i, start in enumerate(ordered):
        inside = [t for t in ordered[i:] if t < start + period]
        best = max(best, len(inside))
    return best


def test_window_allows_limit_then_waits() -> None:
    window = SlidingWindow(limit=3, period=10.0)
    times = [window.reserve(now=0.0, not_before=0.0) for _ in range(5)]
    assert times == [0.0, 0.0, 0.0, 10.0, 10.0]


def test_window_frees_after_period() -> None:
    window = SlidingWindow(limit=2, period=10.0)
    assert window.reserve(0.0, 0.0) == 0.0
    assert window.reserve(1.0, 0.0) == 1.0
    assert window.reserve(10.5, 0.0) == 10.5
    assert window.reserve(10.6, 0.0) == 11.0


def test_general_budget_default() -> None:
    fake = FakeTime()
    limiter = RateLimiter(RateLimits(), fake.clock)
    delays = [limiter.reserve() for _ in range(201)]
    assert delays[:200] == [0.0] * 200
    assert delays[200] == 10.0


def test_catalog_budget_default() -> None:
    fake = FakeTime()
    limiter = RateLimiter(RateLimits(), fake.clock)
    delays = [limiter.reserve(catalog=True) for _ in range(21)]
    assert delays[:20] == [0.0] * 20
    assert delays[20] == 10.0
    # Catalog calls also spend the general budget, not more than it.
    assert limiter.reserve() == 0.0


def test_catalog_and_general_share_general() -> None:
    fake = FakeTime()
    limiter = RateLimiter(RateLimits(general=5, catalog=3), fake.clock)
    for _ in range(5):
        limiter.reserve()
    assert limiter.reserve(catalog=True) == 10.0


def test_disabled_limits_never_wait() -> None:
    fake = FakeTime()
    limiter = RateLimiter(RateLimits(general=1, enabled=False), fake.clock)
    assert [limiter.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]


def test_block_holds_every_call() -> None:
    fake = FakeTime()
    limiter = RateLimiter(RateLimits(), fake.clock)
    limiter.block(10.0)
    assert limiter.reserve() == 10.0
    assert limiter.reserve(catalog=True) == 10.0


def test_threads_share_budget() -> None:
    fake = FakeTime()
    limiter = RateLimiter(RateLimits(general=50, general_period=10.0), fake.clock)
    sends: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(40):
            delay = limiter.reserve()
            with lock:
                sends.append(fake.now + delay)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sends) == 320
    assert max_in_window(sends, 10.0) == 50


async def test_async_tasks_share_budget() -> None:
    # The clock stands still, so every reservation happens at the same instant.
    fake = FakeTime(advance=False)
    limiter = RateLimiter(RateLimits(general=10, general_period=10.0), fake.clock)
    delays: list[float] = []

    async def task() -> None:
        async with limiter.hold_async(fake.async_sleep) as slot:
            delays.append(slot.delay)

    await asyncio.gather(*(task() for _ in range(25)))
    assert delays.count(0.0) == 10
    assert delays.count(10.0) == 10
    assert delays.count(20.0) == 5
    assert limiter.in_flight == 0


def test_client_calls_go_through_limiter(
    server: LoopbackServer, fake_time: FakeTime
) -> None:
    limits = RateLimits(general=3, general_period=10.0)
    with make_client(server.url, fake_time, rate_limits=limits) as client:
        for _ in range(4):
            client.orders.get(1)
    assert fake_time.sleeps == [10.0]


def test_client_categories_use_catalog_budget(
    server: LoopbackServer, fake_time: FakeTime
) -> None:
    limits = RateLimits(catalog=2, catalog_period=10.0)
    with make_client(server.url, fake_time, rate_limits=limits) as client:
        for _ in range(3):
            client.categories.tree()
    assert fake_time.sleeps == [10.0]


async def test_async_client_shares_limiter(server: LoopbackServer) -> None:
    fake_time = FakeTime(advance=False)
    limits = RateLimits(general=4, general_period=10.0)
    async with make_async_client(server.url, fake_time, rate_limits=limits) as client:
        orders = await asyncio.gather(*(client.orders.get(n) for n in (1, 2, 3) * 2))
    assert [o.order_id for o in orders] == [1, 2, 3, 1, 2, 3]
    waits = sorted(fake_time.sleeps)
    assert len(waits) == 2
    assert waits[0] == 10.0
    # The clock stands still, so the fifth call holds its slot past the
    # others' ends. The sixth waits 20 s when that call completes first.
    assert waits[1] in (10.0, 20.0)


def test_window_earliest_records_nothing() -> None:
    window = SlidingWindow(limit=2, period=10.0)
    assert window.earliest(0.0) == 0.0
    window.reserve(0.0, 0.0)
    window.reserve(1.0, 0.0)
    assert window.earliest(2.0) == 10.0
    assert window.earliest(2.0) == 10.0
    assert window.reserve(2.0, 0.0) == 10.0


def test_window_earliest_after_expiry() -> None:
    window = SlidingWindow(limit=1, period=10.0)
    window.reserve(0.0, 0.0)
    assert window.earliest(5.0) == 10.0
    assert window.earliest(10.0) == 10.0
    assert window.earliest(12.0) == 12.0


def test_window_reserve_not_before() -> None:
    window = SlidingWindow(limit=5, period=10.0)
    assert window.reserve(0.0, 4.0) == 4.0
    assert window.earliest(0.0) == 0.0
