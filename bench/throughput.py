"""Push N changed stock levels through the async client at the rate limit.

The sandbox, in a child process with latency added to every response,
enforces a general budget of ``--budget`` requests per ``--window`` seconds
(Back Market's 200 per 10 s, with the window shortened so that a run takes
seconds, not minutes). The async client sends N listing updates from ``--tasks``
tasks, with that budget less ``--headroom`` (none by default) configured.
The sandbox counts a request when its thread handles it, which on a loaded
machine can be well after the client sent it. The SDK's limiter holds each
slot until the response is back, so it needs no headroom for that delay.
No schedule can beat N / (budget per second), so that bound is the
baseline::

    python -m bench.throughput [--changes 2000] [--budget 200] [--window 4]

Figures: the run's elapsed time over that bound (target at most 1.1) and
the 429 answers the sandbox sent (target 0). For scale, the same pushes
with every limit off show how far below the bound the machine itself is.
The data limit on SKU lines per hour is off: it is a separate budget.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import httpx

from backmarket_sdk import AsyncBackMarketClient, RateLimits
from bench.served import TOKEN, USER_AGENT, served_sandbox

TARGET_RATIO = 1.1


async def push(url: str, ids: list[int], limits: RateLimits, concurrency: int) -> float:
    """Send one quantity update per listing id; return the elapsed seconds."""
    client = AsyncBackMarketClient(
        token=TOKEN, base_url=url, user_agent=USER_AGENT, rate_limits=limits
    )
    queue = list(enumerate(ids))
    queue.reverse()

    async def worker() -> None:
        while queue:
            index, listing_id = queue.pop()
            await client.listings.update(listing_id, quantity=1 + index % 7)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    await client.close()
    return elapsed


def count_429(url: str) -> tuple[int, int]:
    """Return the count of 429 responses and of requests in the sandbox log."""
    headers = {"Authorization": f"Basic {TOKEN}"}
    log = httpx.get(f"{url}/_sandbox/requests", headers=headers, timeout=60).json()
    requests = log["requests"]
    return sum(1 for r in requests if r["status"] == 429), len(requests)


def run(
    changes: int,
    budget: int,
    window: float,
    latency: float,
    tasks: int,
    headroom: float,
) -> None:
    bound = changes / (budget / window)
    limits = {"general": budget, "catalog": 20, "window": window, "block": window}
    client_budget = max(1, round(budget * (1 - headroom)))
    client_limits = RateLimits(general=client_budget, general_period=window)
    common = {"seed": 3, "orders": 0, "listing_count": changes, "latency": latency}

    with served_sandbox(limits=None, **common) as served:
        free = asyncio.run(
            push(served.url, served.listing_ids, RateLimits(enabled=False), tasks)
        )
    with served_sandbox(
        limits={**limits, "sku_lines_per_hour": None}, **common
    ) as served:
        elapsed = asyncio.run(
            push(served.url, served.listing_ids, client_limits, tasks)
        )
        rejected, logged = count_429(served.url)

    ratio = elapsed / bound
    verdict = "ok" if ratio <= TARGET_RATIO and rejected == 0 else "over"
    print(
        f"throughput: {changes} stock updates, budget {budget} per {window:g} s, "
        f"{latency * 1000:.0f} ms added latency, {tasks} tasks, client budget "
        f"{client_budget}"
    )
    print(f"{'figure':<34} {'seconds':>8} {'ratio':>6}  target")
    print(f"{'lower bound N / budget per second':<34} {bound:>8.2f} {1:>6.2f}")
    print(
        f"{'elapsed with the limits':<34} {elapsed:>8.2f} {ratio:>6.2f}  "
        f"<= {TARGET_RATIO} {verdict}"
    )
    print(f"{'elapsed with no limit (machine)':<34} {free:>8.2f} {free / bound:>6.2f}")
    print(f"429 answers: {rejected} of {logged} requests (target 0)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=2000)
    parser.add_argument("--budget", type=int, default=200)
    parser.add_argument("--window", type=float, default=4.0)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--tasks", type=int, default=32)
    parser.add_argument("--headroom", type=float, default=0.0)
    args = parser.parse_args()
    run(
        args.changes,
        args.budget,
        args.window,
        args.latency,
        args.tasks,
        args.headroom,
    )


if __name__ == "__main__":
    main()
