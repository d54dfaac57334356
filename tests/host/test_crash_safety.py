"""Killing the sync at random points loses, duplicates and repeats nothing.

The sandbox runs in the test process, so it keeps its state while the sync
process is killed with SIGKILL and started again. Its request log and its
orders are the truth the store is checked against.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
import sqlalchemy as sa

from commercium_connector.host.cli import main
from commercium_connector.host.store import Store, schema
from tests.host.conftest import DemoSetup

pytestmark = [
    pytest.mark.skipif(os.name == "nt", reason="needs SIGKILL"),
    pytest.mark.slow,
]

SEEDS = (11, 23, 37, 41)
# Paid orders, the ones the plugin imports with its default settings.
IMPORTED_STATES = {1, 3, 9}


def _sync_process(setup: DemoSetup) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "commercium_connector.host.cli", "-q", "sync"]
    return subprocess.Popen(
        [*command, "--config", str(setup.config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _run_count(setup: DemoSetup) -> int:
    with Store.open(setup.store_path, exclusive=False) as store, store.read() as conn:
        return int(
            conn.execute(sa.select(sa.func.count(schema.runs.c.id))).scalar() or 0
        )


def _initial_stock(setup: DemoSetup) -> dict[str, int]:
    with Store.open(setup.store_path, exclusive=False) as store, store.read() as conn:
        query = sa.select(schema.stock.c.sku, schema.stock.c.quantity).where(
            schema.stock.c.quantity.is_not(None)
        )
        return {row.sku: row.quantity for row in conn.execute(query)}


def _ship_accepted_orders(setup: DemoSetup, count: int, tag: str) -> int:
    """Import shipments for accepted, unshipped orders; return how many."""
    with Store.open(setup.store_path, exclusive=False) as store, store.read() as conn:
        shipped = sa.select(schema.shipments.c.order_number)
        numbers = (
            conn.execute(
                sa.select(schema.orders.c.number)
                .where(
                    schema.orders.c.status == "accepted",
                    schema.orders.c.number.not_in(shipped),
                )
                .order_by(schema.orders.c.id)
                .limit(count)
            )
            .scalars()
            .all()
        )
    if not numbers:
        return 0
    path = setup.folder / f"shipments-{tag}.csv"
    rows = [f"{n},colissimo-standard,6A{tag}{i:06d}" for i, n in enumerate(numbers)]
    path.write_text(
        "order_number,shipping_method,tracking_number\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    assert (
        main(["-q", "import", "shipments", str(path), "--config", str(setup.config)])
        == 0
    )
    return len(numbers)


def test_sync_killed_at_random_points(demo_setup: DemoSetup) -> None:
    sandbox = demo_setup.sandbox
    initial_stock = _initial_stock(demo_setup)
    assert (
        main(["-q", "sync", "--config", str(demo_setup.config), "--only", "orders"])
        == 0
    )
    assert _ship_accepted_orders(demo_setup, 6, "0") == 6
    listed = sorted(sandbox.skus)

    for seed in SEEDS:
        rng = random.Random(seed)
        for _ in range(2):
            for sku in rng.sample(listed, 8):
                try:
                    sandbox.place_order(sku, quantity=1, state=1)
                    break
                except ValueError:
                    continue  # out of stock
        runs_before = _run_count(demo_setup)
        process = _sync_process(demo_setup)
        # Kill at a random point after the cycle started, where the work is.
        deadline = time.monotonic() + 20
        while _run_count(demo_setup) == runs_before and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.9))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        _ship_accepted_orders(demo_setup, 2, str(seed))

    # Runs to completion; the second absorbs the first one's own changes.
    for _ in range(2):
        assert main(["-q", "sync", "--config", str(demo_setup.config)]) == 0

    with (
        Store.open(demo_setup.store_path, exclusive=False) as store,
        store.read() as conn,
    ):
        killed = conn.execute(
            sa.select(sa.func.count()).where(schema.runs.c.outcome == "running")
        ).scalar()
    assert killed is not None and killed >= 3  # most kills hit a cycle midway

    _check_orders(demo_setup)
    _check_stock(demo_setup, initial_stock)
    _check_shipments(demo_setup)
    _check_no_write_repeated(demo_setup)


# Back Market line states cancelled before shipping (4, 5) or never paid (7).
CANCELLED_LINE_STATES = frozenset({4, 5, 7})


def _check_orders(setup: DemoSetup) -> None:
    truth = {
        str(order_id)
        for order_id in setup.sandbox.store.orders
        if setup.sandbox.order(order_id)["state"] in IMPORTED_STATES
    }
    with Store.open(setup.store_path, exclusive=False) as store, store.read() as conn:
        stored = conn.execute(sa.select(schema.orders.c.external_id)).scalars().all()
    duplicates = [k for k, n in Counter(stored).items() if n > 1]
    assert duplicates == []
    assert truth - set(stored) == set()


def _check_stock(setup: DemoSetup, initial: dict[str, int]) -> None:
    """Each tracked product lost exactly the units of its paid order lines."""
    by_fold = {sku.casefold(): sku for sku in initial}
    sold: Counter[str] = Counter()
    for order_id in setup.sandbox.store.orders:
        order = setup.sandbox.order(order_id)
        if order["state"] not in IMPORTED_STATES:
            continue
        for line in order["orderlines"]:
            if line["state"] in CANCELLED_LINE_STATES:
                continue  # cancelled before shipping: its stock came back
            sku = by_fold.get(line["listing"].casefold())
            if sku is not None:
                sold[sku] += line["quantity"]
    after = _initial_stock(setup)
    wrong = {
        sku: (initial[sku], sold[sku], after[sku])
        for sku in initial
        if after[sku] != initial[sku] - sold[sku]
    }
    assert wrong == {}


def _check_shipments(setup: DemoSetup) -> None:
    with Store.open(setup.store_path, exclusive=False) as store, store.read() as conn:
        rows = conn.execute(
            sa.select(
                schema.shipments.c.order_external_id,
                schema.shipments.c.tracking_number,
                schema.shipments.c.status,
            )
        ).all()
    assert len(rows) >= 6
    for row in rows:
        assert row.status == "sent"
        order = setup.sandbox.order(int(row.order_external_id))
        assert order["state"] == 9
        assert order["tracking_number"] == row.tracking_number
        assert order["shipper"] == "Colissimo"


def _check_no_write_repeated(setup: DemoSetup) -> None:
    """No accept or ship call went out twice for the same line."""
    calls: Counter[tuple[str, str, int]] = Counter()
    rejected = []
    for request in setup.sandbox.requests:
        if request.method != "POST" or not request.path.startswith("/ws/orders/"):
            continue
        if request.body is None:
            # A client killed while sending leaves a request with no readable
            # body, which the sandbox rejects before it changes anything.
            assert request.status == 400
            continue
        body = request.body
        if request.status >= 400:
            rejected.append((request.path, request.status, body))
            continue
        calls[(request.path, str(body.get("sku")), int(body.get("new_state", 0)))] += 1
    assert rejected == []
    assert [key for key, n in calls.items() if n > 1] == []
