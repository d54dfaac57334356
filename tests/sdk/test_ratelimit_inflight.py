"""Slots held from send to completion keep server windows within budget."""

from __future__ import annotations

import asyncio
import heapq
import random
import threading
import time

import httpx
import pytest

from backmarket_sdk import RateLimits, errors
from backmarket_sdk._ratelimit import RateLimiter, Slot
from backmarket_sdk.sandbox.limits import RateLimiter as ServerLimiter
from backmarket_sdk.sandbox.limits import RateLimits as ServerLimits
from tests.sdk.conftest import FakeTime, make_async_client, make_client
from tests.sdk.loopback import LoopbackServer, Reply


def test_slot_held_while_in_flight() -> None:
    fake = FakeTime()
    limiter = RateLimiter(RateLimits(general=2, general_period=10.0), fake.clock)
    first = limiter.acquire(fake.sleep)
    second = limiter.acquire(fake.sleep)
    assert limiter.in_flight == 2
    # Both slots are in flight, so reserve() counts them as ending now.
    assert limiter.reserve() == 10.0
    limiter.release(first)
    limiter.release(second)
    assert limiter.in_flight == 0


def test_window_starts_at_completion() -> None:
    fake = FakeTime()
    limiter = RateLimiter(RateLimits(general=1, general_period=10.0), fake.clock)
    with limiter.hold(fake.sleep) as slot:
        assert slot.send_at == 1000.0
        fake.now += 3.0  # the response takes 3 s
    with limiter.hold(fake.sleep) as slot:
        assert slot.send_at == 1013.0
    assert fake.sleeps == [10.0]


def test_release_twice_counts_once() -> None:
    fake = FakeTime()
    limiter = RateLimiter(RateLimits(general=2, general_period=10.0), fake.clock)
    slot = limiter.acquire(fake.sleep)
    limiter.release(slot)
    limiter.release(slot)
    assert limiter.in_flight == 0
    assert limiter.reserve() == 0.0
    assert limiter.reserve() == 10.0


def test_thread_waits_for_release() -> None:
    fake = FakeTime()
    limiter = RateLimiter(RateLimits(general=1, general_period=10.0), fake.clock)
    held = limiter.acquire(fake.sleep)
    got: list[Slot] = []
    worker = threading.Thread(target=lambda: got.append(limiter.acquire(fake.sleep)))
    worker.start()
    for _ in range(2000):
        if limiter.waiting == 1:
            break
        time.sleep(0.001)
    assert limiter.waiting == 1
    fake.now += 5.0
    limiter.release(held)
    worker.join(timeout=5)
    assert got[0].send_at == 1015.0
    assert fake.sleeps == [10.0]
    limiter.release(got[0])


async def test_task_waits_for_release() -> None:
    fake = FakeTime()
    limiter = RateLimiter(RateLimits(general=1, general_period=10.0), fake.clock)
    held = await limiter.acquire_async(fake.async_sleep)
    waiter = asyncio.ensure_future(limiter.acquire_async(fake.async_sleep))
    await asyncio.sleep(0)
    assert limiter.waiting == 1
    fake.now += 5.0
    limiter.release(held)
    slot = await waiter
    assert slot.send_at == 1015.0
    assert limiter.in_flight == 1


async def test_cancelled_waiter_gives_back() -> None:
    fake = FakeTime()
    limiter = RateLimiter(RateLimits(general=1, general_period=10.0), fake.clock)
    held = await limiter.acquire_async(fake.async_sleep)
    waiter = asyncio.ensure_future(limiter.acquire_async(fake.async_sleep))
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert limiter.waiting == 0
    limiter.release(held)
    assert limiter.in_flight == 0


def max_arrivals(arrivals: list[float], period: float) -> int:
    """Return the most arrivals in any window (t - period, t], as the server counts."""
    ordered = sorted(arrivals)
    best = 0
    for i, end in enumerate(ordered):
        inside = [t for t in ordered[: i + 1] if t > end - period]
        best = max(best, len(inside))
    return best


def simulate(tasks: int, calls: int, budget: int, seed: int) -> list[float]:
    """Run ``tasks`` workers through the limiter on a simulated clock.

    Each call arrives at the server a random time after its send and
    completes a random time after that; returns the arrival times.
    """
    fake = FakeTime(advance=False)
    limiter = RateLimiter(RateLimits(general=budget, general_period=10.0), fake.clock)
    rng = random.Random(seed)
    events: list[tuple[float, int, int, Slot | None]] = []
    order = 0
    arrivals: list[float] = []
    for worker in range(tasks):
        heapq.heappush(events, (fake.now, order, worker, None))
        order += 1
    sent = 0
    while events:
        when, _, worker, slot = heapq.heappop(events)
        fake.now = when
        if slot is not None:
            limiter.release(slot)
        if sent == calls:
            continue
        sent += 1
        # A single thread never waits in a queue here: tasks < budget.
        slot = limiter.acquire(lambda _seconds: None)
        arrival = slot.send_at + rng.uniform(0.0, 2.0)
        arrivals.append(arrival)
        heapq.heappush(events, (arrival + rng.uniform(0.0, 1.0), order, worker, slot))
        order += 1
    assert limiter.in_flight == 0
    return arrivals


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_latency_never_overfills_server(seed: int) -> None:
    arrivals = simulate(tasks=16, calls=400, budget=20, seed=seed)
    assert len(arrivals) == 400
    assert max_arrivals(arrivals, 10.0) <= 20
    server = ServerLimiter(ServerLimits(general=20, window=10.0, catalog=None))
    refused = [t for t in sorted(arrivals) if not server.admit("GET", "/ws/x", t)]
    assert refused == []


def test_sync_client_releases_slot(server: LoopbackServer, fake_time: FakeTime) -> None:
    limits = RateLimits(general=1, general_period=10.0)
    seen: list[int] = []
    with make_client(server.url, fake_time, rate_limits=limits) as client:
        real = client._http._transport

        class Recording(httpx.BaseTransport):
            def handle_request(self, request: httpx.Request) -> httpx.Response:
                seen.append(client.rate_limiter.in_flight)
                fake_time.now += 2.0  # the response takes 2 s
                return real.handle_request(request)

        client._http._transport = Recording()
        client.orders.get(1)
        client.orders.get(2)
        assert client.rate_limiter.in_flight == 0
    assert seen == [1, 1]
    # The second call waits one window from the first one's completion.
    assert fake_time.sleeps == [10.0]


def test_transport_error_releases_slot(fake_time: FakeTime) -> None:
    with LoopbackServer() as closed:
        url = closed.url
    client = make_client(url, fake_time, max_retries=2)
    with client, pytest.raises(errors.APIConnectionError):
        client.orders.get(1)
    assert client.rate_limiter.in_flight == 0


async def test_cancelled_call_releases_slot(server: LoopbackServer) -> None:
    server.api.script("GET", "/ws/orders/1", Reply(passthrough=True, delay=0.5))
    fake = FakeTime()
    async with make_async_client(server.url, fake) as client:
        call = asyncio.ensure_future(client.orders.get(1))
        for _ in range(500):
            await asyncio.sleep(0.002)
            if client.rate_limiter.in_flight == 1:
                break
        assert client.rate_limiter.in_flight == 1
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        assert client.rate_limiter.in_flight == 0
