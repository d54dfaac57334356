"""Stream 10,000 orders through the SDK: memory and time against raw httpx.

A sandbox child seeded with ``--orders`` orders serves them over loopback.
The SDK reads them with ``client.orders.list()``, which follows the pages
lazily and builds typed ``Order`` models. The baseline fetches the same
pages with raw httpx and ``json.loads`` and keeps plain dicts. Both run in
the same process, alternately, and the fastest of ``--rounds`` runs counts::

    python -m bench.order_import [--orders 10000] [--rounds 3]

Figures: SDK time over raw time, and the SDK's peak traced memory while
reading all orders over its peak while reading a quarter of them (target
about 1.0: memory must not grow with the order count).
"""

from __future__ import annotations

import argparse
import gc
import json
import time
import tracemalloc
from collections.abc import Callable

import httpx

from backmarket_sdk import BackMarketClient, RateLimits
from bench.served import TOKEN, USER_AGENT, served_sandbox

UNLIMITED = RateLimits(enabled=False)
TARGET_TIME = 1.3
TARGET_MEMORY = 1.2


def raw_reader(url: str) -> Callable[[int], int]:
    headers = {
        "Authorization": f"Basic {TOKEN}",
        "Accept-Language": "fr-fr",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    client = httpx.Client(headers=headers, timeout=60)

    def read(limit: int) -> int:
        seen = 0
        next_url: str | None = f"{url}/ws/orders?page-size=50"
        while next_url and seen < limit:
            page = json.loads(client.get(next_url).content)
            for _ in page["results"]:
                seen += 1
            next_url = page["next"]
        return seen

    return read


def sdk_reader(url: str) -> Callable[[int], int]:
    client = BackMarketClient(
        token=TOKEN, base_url=url, user_agent=USER_AGENT, rate_limits=UNLIMITED
    )

    def read(limit: int) -> int:
        seen = 0
        for _ in client.orders.list(page_size=50):
            seen += 1
            if seen >= limit:
                break
        return seen

    return read


def timed(read: Callable[[int], int], limit: int) -> float:
    started = time.perf_counter()
    read(limit)
    return time.perf_counter() - started


def peak(read: Callable[[int], int], limit: int) -> int:
    gc.collect()
    tracemalloc.start()
    read(limit)
    _, highest = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return highest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    everything = args.orders * 10  # more than there are: read to the end
    quarter = args.orders // 4

    with served_sandbox(
        seed=6, orders=args.orders, listing_count=300, limits=None
    ) as served:
        raw, sdk = raw_reader(served.url), sdk_reader(served.url)
        total = raw(everything)  # seeding skips the odd order out of stock
        assert sdk(everything) == total
        raw_times: list[float] = []
        sdk_times: list[float] = []
        for index in range(args.rounds):
            pair = ((raw, raw_times), (sdk, sdk_times))
            for read, sink in pair if index % 2 == 0 else reversed(pair):
                sink.append(timed(read, everything))
        memory = {
            (name, size): peak(read, size)
            for name, read in (("raw", raw), ("sdk", sdk))
            for size in (quarter, everything)
        }

    raw_s, sdk_s = min(raw_times), min(sdk_times)
    growth = memory[("sdk", everything)] / memory[("sdk", quarter)]
    raw_growth = memory[("raw", everything)] / memory[("raw", quarter)]
    print(
        f"order import: {total} orders in pages of 50 from a sandbox "
        f"child on 127.0.0.1, fastest of {args.rounds}"
    )
    print(f"{'figure':<40} {'value':>10} {'ratio':>6}  target")
    print(f"{'raw httpx + json, all orders (s)':<40} {raw_s:>10.2f} {1:>6.2f}")
    verdict = "ok" if sdk_s / raw_s <= TARGET_TIME else "over"
    print(
        f"{'SDK orders.list(), all orders (s)':<40} {sdk_s:>10.2f} "
        f"{sdk_s / raw_s:>6.2f}  <= {TARGET_TIME} {verdict}"
    )
    print(f"{'SDK orders per second':<40} {total / sdk_s:>10.0f} {raw_s / sdk_s:>6.2f}")
    for name, label in (("raw", "raw"), ("sdk", "SDK")):
        low, high = memory[(name, quarter)], memory[(name, everything)]
        ratio = high / low
        target = verdict = ""
        if name == "sdk":
            target = f"<= {TARGET_MEMORY} "
            verdict = "ok" if ratio <= TARGET_MEMORY else "over"
        print(
            f"{label + f' peak KiB, {quarter} then all orders':<40} "
            f"{low / 1024:>4.0f}/{high / 1024:<5.0f} {ratio:>6.2f}  {target}{verdict}"
        )
    print(f"(memory growth: SDK {growth:.2f}, raw {raw_growth:.2f})")


if __name__ == "__main__":
    main()
