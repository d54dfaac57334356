"""Time the SDK against raw httpx + json on the same loopback server.

Two workloads, each run the same number of times through every path and
interleaved so that all paths see the same machine state:

- read one page of 50 orders (``GET /ws/orders?page-size=50``) and decode
  it: raw keeps plain dicts, the SDK builds typed ``Order`` models. No two
  orders of the page share an order price, a timestamp or a name;
- update a listing (``POST /ws/listings/{id}``) and decode the response.

The target compares the SDK with raw httpx + ``json.loads``. Where orjson
is installed, the SDK decodes with it, so a third path, raw httpx +
``orjson.loads``, shows what the typed models cost on their own.

The server is the test suite's stdlib loopback server on 127.0.0.1, run in
a child process so that its work does not share the client's GIL. The
SDK's rate limiter stays on with a budget too large to ever wait, so its
bookkeeping is timed but no sleep is. Run from the repository root::

    python -m bench.sdk_overhead [--rounds 300]

The target is an SDK time at most 1.3 times the raw time.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx

from backmarket_sdk import BackMarketClient, RateLimits
from backmarket_sdk._json import DECODER, orjson
from tests.sdk import fixtures

TARGET_RATIO = 1.3
UNLIMITED = RateLimits(general=10**9, catalog=10**9)


@contextmanager
def loopback_server(orders: int) -> Iterator[str]:
    """Start the loopback API in a child process and yield its base URL."""
    child = subprocess.Popen(
        [
            sys.executable,
            *("-m", "tests.sdk.loopback", "--varied", "--orders", str(orders)),
        ],
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


def time_paths(paths: Sequence[Callable[[], object]], rounds: int) -> list[list[float]]:
    """Run each callable ``rounds`` times in rotating order and return the durations."""
    times: list[list[float]] = [[] for _ in paths]
    for _ in range(10):  # warm up connections, caches and cattrs' generated code
        for call in paths:
            call()
    for index in range(rounds):
        shift = index % len(paths)
        for slot in [*range(shift, len(paths)), *range(shift)]:
            started = time.perf_counter()
            paths[slot]()
            times[slot].append(time.perf_counter() - started)
    return times


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

        def raw_page(loads: Callable[[bytes], Any] = json.loads) -> object:
            response = raw_client.get("/ws/orders", params={"page-size": 50})
            page = loads(response.content)
            assert len(page["results"]) == 50
            return page

        def sdk_page() -> object:
            page = next(iter(sdk.orders.list(page_size=50).pages()))
            assert len(page.items) == 50
            return page

        def raw_update(loads: Callable[[bytes], Any] = json.loads) -> object:
            body = json.dumps({"quantity": 5}).encode()
            response = raw_client.post("/ws/listings/4561", content=body)
            return loads(response.content)

        def sdk_update() -> object:
            return sdk.listings.update(4561, quantity=5)

        rows: list[tuple[str, str, list[float]]] = []
        for name, raw, typed in (
            ("page of 50 orders", raw_page, sdk_page),
            ("listing update", raw_update, sdk_update),
        ):
            paths: list[Callable[[], object]] = [raw, typed]
            if orjson is not None:
                paths.append(functools.partial(raw, orjson.loads))
            times = time_paths(paths, args.rounds)
            rows.append((name, "median", [median_ms(t) for t in times]))
            rows.append((name, "min", [min(t) * 1000 for t in times]))
        raw_client.close()
        sdk.close()

    print_rows(rows)
    print(
        f"median of {args.rounds} interleaved runs each; stdlib server on "
        f"127.0.0.1 in a child process; the SDK decodes with {DECODER}"
    )


def print_rows(rows: list[tuple[str, str, list[float]]]) -> None:
    """Print each workload's times and its ratio to raw httpx + json.

    The last column, when orjson is installed, compares the SDK with raw
    httpx + orjson instead: what the typed models cost on their own.
    """
    print(
        f"{'workload':<18} {'stat':<6} {'raw ms':>7} {'sdk ms':>7} {'ratio':>6}"
        f"  {'target':<10} {'vs orjson':>9}"
    )
    for name, stat, (raw_ms, sdk_ms, *orjson_ms) in rows:
        ratio = sdk_ms / raw_ms
        verdict = "ok" if ratio <= TARGET_RATIO else "over"
        versus = f"{sdk_ms / orjson_ms[0]:>9.2f}" if orjson_ms else f"{'-':>9}"
        print(
            f"{name:<18} {stat:<6} {raw_ms:>7.3f} {sdk_ms:>7.3f} {ratio:>6.2f}"
            f"  <= {TARGET_RATIO} {verdict:<4} {versus}"
        )


if __name__ == "__main__":
    main()
