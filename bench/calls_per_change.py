"""Count the API calls of a sync cycle per changed stock level.

A shop of ``--listings`` products (10,000 by default) is in sync with a
sandbox holding the same listings. Each round changes the host stock of k
products and runs one full cycle of the real host, plugin and SDK against
the in-process sandbox, whose log is the count. The baseline of a round is
k itself, so the figure is listing updates sent / k (target 1.0). A cycle
with no change at all is measured against the order poll it must still
make (target: no call beyond it)::

    python -m bench.calls_per_change [--listings 10000]
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

from backmarket_sdk.sandbox import ListingSeed, Sandbox
from bench.served import START, USER_AGENT
from commercium_connector.host.csv_import import import_products
from commercium_connector.host.manager import PluginHost
from commercium_connector.host.notify import Notifier
from commercium_connector.host.store import Store
from commercium_connector.host.sync import CycleReport, SyncEngine
from commercium_connector.types import Connection

ROUNDS = (1, 10, 100, 1000)


def _quantity(i: int) -> int:
    return 5 + i % 7


def _price(i: int) -> Decimal:
    return Decimal(100 + i % 50) + Decimal("0.90")


def write_products(store: Store, folder: Path, quantities: dict[int, int]) -> None:
    """Import products with the given stock through the host's CSV import."""
    path = folder / "products.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "title", "quantity", "price", "currency"])
        for i, quantity in quantities.items():
            writer.writerow([f"B{i:05d}", f"Phone {i}", quantity, _price(i), "EUR"])
    import_products(store, path)


def build(folder: Path, count: int) -> tuple[Sandbox, Store, SyncEngine, Connection]:
    listings = [
        ListingSeed(
            sku=f"B{i:05d}",
            title=f"Phone {i}",
            product_id=f"7c0d0e00-0000-4000-8000-{i:012d}",
            quantity=_quantity(i),
            price=_price(i),
        )
        for i in range(count)
    ]
    # Waits move the sandbox clock forward instead of sleeping, and the
    # client's rate limiter reads the same clock, so the two count alike.
    sandbox = Sandbox(seed=4, orders=0, listings=listings, start=START)
    store = Store.open(folder / "store.sqlite")
    write_products(store, folder, {i: _quantity(i) for i in range(count)})
    plugins = PluginHost()
    channel = plugins.channels()["backmarket"]
    connection = Connection(
        id="bm-fr",
        name="Bench FR",
        channel="backmarket",
        settings=channel.parse_settings(
            {"market": "fr-fr", "user_agent": USER_AGENT, "hourly_sku_budget": 5000}
        ),
        credentials={"token": sandbox.token},
        state=store.state_for("bm-fr"),
        options={
            "transport": sandbox.transport(),
            "base_url": "http://127.0.0.1:9",
            "sleep": sandbox.advance,
            "now": sandbox.now,
            "clock": lambda: sandbox.now().timestamp(),
        },
    )
    engine = SyncEngine(store, plugins, Notifier(), clock=sandbox.now)
    return sandbox, store, engine, connection


def cycle(
    sandbox: Sandbox, engine: SyncEngine, connection: Connection
) -> tuple[Counter[str], CycleReport, float]:
    """Run one cycle; return its calls by kind, its report and its seconds."""
    sandbox.clear_requests()
    sandbox.advance(60)
    started = time.perf_counter()
    report = engine.run_cycle([connection])
    elapsed = time.perf_counter() - started
    calls: Counter[str] = Counter()
    for request in sandbox.requests:
        if request.status == 429:
            calls["429"] += 1
        elif request.method == "POST" and request.path.startswith("/ws/listings/"):
            calls["update"] += 1
        elif request.path == "/ws/orders":
            calls["order poll"] += 1
        else:
            calls[f"{request.method} {request.path.rsplit('/', 1)[0]}"] += 1
    return calls, report, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        sandbox, store, engine, connection = build(Path(folder), args.listings)
        first, report, first_seconds = cycle(sandbox, engine, connection)
        assert not report.failed, report.failed
        rows = []
        idle, report, _ = cycle(sandbox, engine, connection)
        assert not report.failed, report.failed
        for k in ROUNDS:
            changed = rng.sample(range(args.listings), k)
            write_products(store, Path(folder), {i: _quantity(i) + k for i in changed})
            calls, report, seconds = cycle(sandbox, engine, connection)
            assert not report.failed, report.failed
            rows.append((k, calls, seconds))
        store.close()

    print(
        f"calls per change: {args.listings} listings in sync; first cycle "
        f"{sum(first.values())} calls ({first_seconds:.1f} s)"
    )
    print(
        f"{'changes k':>9} {'updates':>8} {'ratio':>6} {'429':>4} "
        f"{'all calls':>9} {'per k':>6}"
    )
    for k, calls, _ in rows:
        total = sum(calls.values())
        print(
            f"{k:>9} {calls['update']:>8} {calls['update'] / k:>6.3f} "
            f"{calls['429']:>4} {total:>9} {total / k:>6.2f}"
        )
    polls = idle["order poll"]
    extra = sum(idle.values()) - polls
    print(
        f"no change: {sum(idle.values())} calls, {polls} order poll; calls beyond "
        f"the poll: {extra} (target 0); ratio {sum(idle.values()) / max(polls, 1):.2f}"
    )
    print(
        "target: updates / k = 1.00 in every round and no 429; a 429 would be "
        "a retried update"
    )
    for k, calls, _ in rows:
        reads = {name: n for name, n in calls.items() if name != "update"}
        print(f"  k={k}: calls other than updates: {dict(sorted(reads.items()))}")


if __name__ == "__main__":
    main()
