"""Celery workers as real processes against Redis, PostgreSQL and sandboxes."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import redis

from backmarket_sdk.sandbox import RateLimits
from commercium_connector.scale.app import create_app
from commercium_connector.scale.lock import CycleLock
from tests.scale.conftest import (
    expected_orders,
    seed_host_products,
    serve_account,
    start_workers,
    stop_workers,
    stored_orders,
    worker_env,
    write_config,
)

pytestmark = pytest.mark.slow


def _run(
    celery_app: Any, connection_ids: list[str], timeout: float = 90
) -> list[dict[str, Any]]:
    """Send one cycle per connection and wait for every result."""
    results = [
        celery_app.send_task("commercium.sync_connection", args=[c])
        for c in connection_ids
    ]
    return [r.get(timeout=timeout) for r in results]


def _accepts(account_requests: list[Any]) -> Counter[str]:
    return Counter(
        r.path
        for r in account_requests
        if r.method == "POST" and "/ws/orders/" in r.path
    )


def test_many_connections_nothing_lost(
    tmp_path: Path, redis_url: str, database_url: str, serve: ExitStack
) -> None:
    accounts = [
        serve_account(serve, f"shop-{i}", seed=100 + i, orders=8, listing_count=8)
        for i in range(6)
    ]
    config = write_config(
        tmp_path, database_url, [(a.connection_id, a) for a in accounts]
    )
    seed_host_products(database_url, [s for a in accounts for s in a.sandbox.skus])
    workers = start_workers(tmp_path, worker_env(config, redis_url), 3)
    celery_app = create_app(redis_url)
    try:
        ids = [a.connection_id for a in accounts]
        first = _run(celery_app, ids)
        assert [r["outcome"] for r in first] == ["ok"] * len(ids), first

        # New orders arrive while a second round runs on every worker.
        for account in accounts:
            account.sandbox.place_order(account.sandbox.skus[0])
            account.sandbox.place_order(account.sandbox.skus[1])
        second = _run(celery_app, ids)
        assert [r["outcome"] for r in second] == ["ok"] * len(ids)
    finally:
        stop_workers(workers)
        celery_app.close()

    for account in accounts:
        stored = stored_orders(database_url, account.connection_id)
        assert len(stored) == len(set(stored)), account.connection_id
        assert set(stored) == expected_orders(account.sandbox), account.connection_id
        statuses = Counter(r.status for r in account.sandbox.requests)
        assert all(status < 400 for status in statuses), statuses
    ran = {w.name for w in workers if "finished: ok" in w.output()}
    assert len(ran) >= 2


def test_one_token_stays_under_budget(
    tmp_path: Path, redis_url: str, database_url: str, serve: ExitStack
) -> None:
    # A budget of 10 requests a second, enforced by the sandbox with 429s.
    limits = RateLimits(general=10, catalog=10, window=1.0, block=1.0)
    account = serve_account(
        serve, "seller", seed=7, orders=4, listing_count=6, limits=limits
    )
    # Three connections (say, three markets) of one seller share its token.
    ids = [f"seller-{i}" for i in range(3)]
    config = write_config(tmp_path, database_url, [(c, account) for c in ids])
    seed_host_products(database_url, account.sandbox.skus)
    # The margin covers the time between a slot granted in Redis and the
    # request's arrival, which varies most on a loaded two-core machine.
    env = worker_env(config, redis_url, rate="10/1", margin=0.6)
    workers = start_workers(tmp_path, env, 3)
    celery_app = create_app(redis_url)
    try:
        results = _run(celery_app, ids)
    finally:
        stop_workers(workers)
        celery_app.close()

    assert [r["outcome"] for r in results] == ["ok"] * len(ids)
    requests = account.sandbox.requests
    assert sum(1 for r in requests if r.status == 429) == 0
    assert len(requests) > 3 * limits.general  # the limiter had work to do
    times = sorted(_seconds(r.time) for r in requests)
    busiest = max(
        sum(1 for t in times if start <= t < start + limits.window) for start in times
    )
    assert busiest <= limits.general


def _seconds(iso_time: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso_time).timestamp()


def test_killed_worker_recovered(
    tmp_path: Path, redis_url: str, database_url: str, serve: ExitStack
) -> None:
    account = serve_account(
        serve, "slow-shop", seed=11, orders=6, listing_count=6, slow_seconds=0.5
    )
    config = write_config(tmp_path, database_url, [("slow-shop", account)])
    seed_host_products(database_url, account.sandbox.skus)
    lock_ttl = 3.0
    workers = start_workers(
        tmp_path, worker_env(config, redis_url, lock_ttl=lock_ttl), 2
    )
    celery_app = create_app(redis_url)
    client = redis.Redis.from_url(redis_url)
    lock = CycleLock(client, "slow-shop", lock_ttl)
    try:
        # Every response is late, so the cycle is still running when killed.
        account.sandbox.set_fault("/ws/*", "slow")
        celery_app.send_task("commercium.sync_connection", args=["slow-shop"])
        deadline = time.monotonic() + 30
        while lock.holder() is None:
            assert time.monotonic() < deadline, "no worker started the cycle"
            time.sleep(0.05)
        holder = lock.holder()
        assert holder is not None
        os.kill(int(holder.rsplit(":", 1)[1]), signal.SIGKILL)

        # The dead worker's lock holds until it expires: a cycle now is skipped.
        skipped = _run(celery_app, ["slow-shop"])
        assert skipped[0]["outcome"] == "skipped"
        assert holder in skipped[0]["message"]

        account.sandbox.clear_faults()
        deadline = time.monotonic() + lock_ttl + 5
        while client.exists(lock.key):
            assert time.monotonic() < deadline, "the dead worker's lock never expired"
            time.sleep(0.1)
        recovered = _run(celery_app, ["slow-shop"])
        assert recovered[0]["outcome"] == "ok"
    finally:
        stop_workers(workers)
        celery_app.close()
        client.close()

    stored = stored_orders(database_url, "slow-shop")
    assert len(stored) == len(set(stored))
    assert set(stored) == expected_orders(account.sandbox)
    assert sum(1 for w in workers if w.process.returncode == -signal.SIGKILL) == 1
