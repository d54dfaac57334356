"""Time the SDK against raw httpx + json on the same loopback server.

Two workloads, each run the same number of times through both paths and
interleaved so that both see the same machine state:

- read one page of 50 orders (``GET /ws/orders?page-size=50``) and decode
  it: raw keeps plain dicts, the SDK builds typed ``Order`` models;
- update a listing (``POST /ws/listings/{id}``) and decode the response.

The server is the test suite's stdlib loopback server on 127.0.0.1, run in
a child process so that its work does not share the client's GIL. The
SDK's rate limiter stays on with a budget too large to ever wait, so its
bookkeeping is timed but no sleep is. Run from the repository root::

    python -m bench.sdk_overhead [--rounds 300]

The target is an SDK time at most 1.3 times the raw time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from backmarket_sdk import BackMarketClient, RateLimits
from tests.sdk import fixtures

TARGET_RATIO = 1.3
UNLIMITED = RateLimits(general=10**9, catalog=10**9)


@contextmanager
def loopback_server(orders: int) -> Iterator[str]:
    """Start the loopback API in a child process and yield its base URL."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.sdk.loopback", "--orders", str(orders)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        yield child.stdout.readline().strip()
    finally:
        assert child.stdin is not None
        child.stdin.close()  # the server stops when its stdin closes
        child.wait(timeout=10)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def time_pair(
    raw: Callable[[], object], sdk: Callable[[], object], rounds: int
) -> tuple[list[float], list[float]]:
    """Run both callables ``rounds`` times, alternating, and return durations."""
    raw_times: list[float] = []
    sdk_times: list[float] = []
    for _ in range(10):  # warm up connections, caches and cattrs' generated code
        raw()
        sdk()
    for index in range(rounds):
        pair = ((raw, raw_times), (sdk, sdk_times))
        for call, sink in pair if index % 2 == 0 else reversed(pair):
            started = time.perf_counter()
            call()
            sink.append(time.perf_counter() - started)
    return raw_times, sdk_times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300, help="timed runs per path")
    args = parser.parse_args()

    headers = {
        "Authorization": f"Basic {fixtures.TOKEN}",
        "Accept-Language": "fr-fr",
        "Accept": "application/json",
        "User-Agent": fixtures.USER_AGENT,
        "Content-Type": "application/json",
    }
    with loopback_server(orders=50) as url:
        raw_client = httpx.Client(base_url=url, headers=headers)
        sdk = BackMarketClient(
            token=fixtures.TOKEN,
            user_agent=fixtures.USER_AGENT,
            base_url=url,
            rate_limits=UNLIMITED,
        )

        def raw_page() -> object:
            response = raw_client.get("/ws/orders", params={"page-size": 50})
            page = json.loads(response.content)
            assert len(page["results"]) == 50
            return page

        def sdk_page() -> object:
            page = next(iter(sdk.orders.list(page_size=50).pages()))
            assert len(page.items) == 50
            return page

        def raw_update() -> object:
            body = json.dumps({"quantity": 5}).encode()
            response = raw_client.post("/ws/listings/4561", content=body)
            return json.loads(response.content)

        def sdk_update() -> object:
            return sdk.listings.update(4561, quantity=5)

        rows = []
        for name, raw, typed in (
            ("page of 50 orders", raw_page, sdk_page),
            ("listing update", raw_update, sdk_update),
        ):
            raw_times, sdk_times = time_pair(raw, typed, args.rounds)
            rows.append((name, "median", median_ms(raw_times), median_ms(sdk_times)))
            rows.append((name, "min", min(raw_times) * 1000, min(sdk_times) * 1000))
        raw_client.close()
        sdk.close()

    print(
        f"{'workload':<20} {'stat':<6} {'raw ms':>8} {'sdk ms':>8} {'ratio':>6}  target"
    )
    for name, stat, raw_ms, sdk_ms in rows:
        ratio = sdk_ms / raw_ms
        verdict = "ok" if ratio <= TARGET_RATIO else "over"
        print(
            f"{name:<20} {stat:<6} {raw_ms:>8.3f} {sdk_ms:>8.3f} {ratio:>6.2f}  "
            f"<= {TARGET_RATIO} {verdict}"
        )
    print(
        f"median of {args.rounds} interleaved runs each; stdlib server on "
        "127.0.0.1 in a child process"
    )


if __name__ == "__main__":
    main()
