"""Measure connections synced per minute with 1, 2 and 4 Celery workers.

Each round starts that many worker processes (``--pool=solo``, one task at a
time each) against Redis and PostgreSQL. It serves one sandbox per connection
on 127.0.0.1, with every response delayed by ``--latency`` seconds in place of
the network (the sandbox's ``slow`` fault). Then it sends one cycle per
connection and times until every cycle has finished. Every round starts from an empty
database and fresh sandboxes, so all rounds do the same work.

It needs the test services of ``.ci/run``: ``COMMERCIUM_TEST_REDIS_URL``
(flushed) and ``COMMERCIUM_TEST_DATABASE_URL`` (its ``public`` schema is
dropped). Run from the repository root::

    python -m bench.scale [--connections 8] [--latency 0.2] [--workers 1 2 4]

The output is a table with the speed-up of each round over the first.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from commercium_connector.scale.app import create_app
from tests.scale.conftest import (
    DATABASE_ENV,
    REDIS_ENV,
    seed_host_products,
    serve_account,
    start_workers,
    stop_workers,
    worker_env,
    write_config,
)


def _reset(redis_url: str, database_url: str) -> None:
    import redis
    import sqlalchemy as sa

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def run_round(
    workers: int,
    connections: int,
    latency: float,
    redis_url: str,
    database_url: str,
) -> float:
    """Sync every connection once with ``workers`` workers; return the seconds."""
    _reset(redis_url, database_url)
    with ExitStack() as stack, tempfile.TemporaryDirectory() as folder:
        accounts = [
            serve_account(
                stack,
                f"bench-{i}",
                seed=500 + i,
                orders=10,
                listing_count=10,
                slow_seconds=latency,
            )
            for i in range(connections)
        ]
        for account in accounts:
            account.sandbox.set_fault("/ws/*", "slow")
        config = write_config(
            Path(folder), database_url, [(a.connection_id, a) for a in accounts]
        )
        seed_host_products(database_url, [s for a in accounts for s in a.sandbox.skus])
        processes = start_workers(Path(folder), worker_env(config, redis_url), workers)
        celery_app = create_app(redis_url)
        try:
            started = time.perf_counter()
            results = [
                celery_app.send_task(
                    "commercium.sync_connection", args=[a.connection_id]
                )
                for a in accounts
            ]
            outcomes = [r.get(timeout=600)["outcome"] for r in results]
            elapsed = time.perf_counter() - started
        finally:
            stop_workers(processes)
            celery_app.close()
    if outcomes != ["ok"] * connections:
        raise SystemExit(f"a cycle did not succeed: {outcomes}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--latency", type=float, default=0.2, help="seconds added to each response"
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    redis_url = os.environ.get(REDIS_ENV)
    database_url = os.environ.get(DATABASE_ENV)
    if not redis_url or not database_url:
        sys.exit(f"set {REDIS_ENV} and {DATABASE_ENV}; .ci/run shows how to start them")

    print(
        f"{args.connections} connections, {args.latency * 1000:.0f} ms added to "
        f"each response, {os.cpu_count()} CPUs"
    )
    print(f"{'workers':>7}  {'seconds':>8}  {'conn/min':>8}  {'speed-up':>8}")
    first_rate = 0.0
    for count in args.workers:
        seconds = run_round(
            count, args.connections, args.latency, redis_url, database_url
        )
        rate = args.connections / seconds * 60
        first_rate = first_rate or rate
        print(f"{count:>7}  {seconds:>8.1f}  {rate:>8.1f}  {rate / first_rate:>7.2f}x")


if __name__ == "__main__":
    main()
