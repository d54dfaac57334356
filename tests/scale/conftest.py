"""Redis, PostgreSQL, sandboxes and Celery workers for the scale-out tests.

The tests need a Redis and a PostgreSQL server that they may wipe:
``COMMERCIUM_TEST_REDIS_URL`` (its database is flushed) and
``COMMERCIUM_TEST_DATABASE_URL`` (its ``public`` schema is dropped). ``.ci/run``
starts both on loopback; without them the tests are skipped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path

import attrs
import pytest
import redis
import sqlalchemy as sa

from backmarket_sdk.sandbox import RateLimits, Sandbox

REDIS_ENV = "COMMERCIUM_TEST_REDIS_URL"
DATABASE_ENV = "COMMERCIUM_TEST_DATABASE_URL"
ROOT = Path(__file__).resolve().parents[2]
USER_AGENT = "BM-Acme-ScaleTest;dev@example.com"


@pytest.fixture
def redis_url() -> str:
    """The test Redis, flushed."""
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(f"{REDIS_ENV} is not set; .ci/run starts a Redis for these tests")
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


@pytest.fixture
def database_url() -> str:
    """The test PostgreSQL database, with an empty ``public`` schema."""
    url = os.environ.get(DATABASE_ENV)
    if not url:
        pytest.skip(
            f"{DATABASE_ENV} is not set; .ci/run starts a PostgreSQL for these tests"
        )
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@attrs.frozen
class ServedAccount:
    """A seller account: its sandbox served on loopback, and its connection id."""

    connection_id: str
    sandbox: Sandbox
    url: str


@pytest.fixture
def serve() -> Iterator[ExitStack]:
    """An exit stack that stops every sandbox served through it."""
    with ExitStack() as stack:
        yield stack


def serve_account(
    stack: ExitStack,
    connection_id: str,
    *,
    seed: int,
    orders: int = 12,
    limits: RateLimits | None = None,
    **kwargs: object,
) -> ServedAccount:
    """Serve a fresh sandbox with its own token for one connection."""
    sandbox = Sandbox(
        seed=seed,
        orders=orders,
        token=f"token-{connection_id}",
        limits=limits or RateLimits.unlimited(),
        **kwargs,  # type: ignore[arg-type]
    )
    server = stack.enter_context(sandbox.serve(host="127.0.0.1", port=0))
    return ServedAccount(connection_id, sandbox, server.url)


def write_config(
    folder: Path,
    database_url: str,
    accounts: Sequence[tuple[str, ServedAccount]],
) -> Path:
    """Write a host configuration; each entry is a connection id and its account.

    Several connections may share one account, and so its token.
    """
    parts = [f'[store]\nurl = "{database_url}"\n\n[sync]\ninterval = 60\n']
    for connection_id, account in accounts:
        token_file = folder / f"{account.connection_id}.token"
        token_file.write_text(account.sandbox.token, encoding="utf-8")
        parts.append(
            f"""
[[connections]]
id = "{connection_id}"
channel = "backmarket"
token_file = "{token_file.as_posix()}"

[connections.options]
base_url = "{account.url}"

[connections.settings]
market = "fr-fr"
user_agent = "{USER_AGENT}"

[connections.settings.orders]
skip_unpaid = false
markets = "all"
"""
        )
    path = folder / "commercium.toml"
    path.write_text("".join(parts), encoding="utf-8")
    return path


def worker_env(
    config: Path,
    redis_url: str,
    *,
    lock_ttl: float = 3.0,
    rate: str = "200/10",
    margin: float = 0.5,
) -> dict[str, str]:
    """Environment variables of a worker process."""
    env = dict(os.environ)
    env.update(
        COMMERCIUM_CONFIG=str(config),
        COMMERCIUM_REDIS_URL=redis_url,
        COMMERCIUM_LOCK_TTL=str(lock_ttl),
        COMMERCIUM_RATE_GENERAL=rate,
        COMMERCIUM_RATE_CATALOG=rate,
        COMMERCIUM_RATE_MARGIN=str(margin),
        PYTHONPATH=str(ROOT),
    )
    return env


@attrs.define
class Worker:
    """A Celery worker process running one task at a time."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_workers(
    folder: Path, env: dict[str, str], count: int, *, timeout: float = 60.0
) -> list[Worker]:
    """Start ``count`` workers and wait until each logs that it is ready."""
    workers = []
    for index in range(count):
        name = f"scale-test-{index}@127.0.0.1"
        log = folder / f"worker-{index}.log"
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "commercium_connector.scale.app",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            f"--hostname={name}",
            "--queues=commercium",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        handle = log.open("wb")
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT
        )
        handle.close()
        workers.append(Worker(name, process, log))
    deadline = time.monotonic() + timeout
    for worker in workers:
        while " ready." not in worker.output():
            if worker.process.poll() is not None or time.monotonic() > deadline:
                stop_workers(workers)
                raise RuntimeError(
                    f"worker {worker.name} did not start:\n{worker.output()}"
                )
            time.sleep(0.1)
    return workers


def stop_workers(workers: Sequence[Worker]) -> None:
    """Stop the workers: SIGTERM, then SIGKILL after a few seconds."""
    for worker in workers:
        if worker.process.poll() is None:
            worker.process.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()


# Back Market's order state 8 is "not paid": the plugin never imports it.
ORDER_NOT_PAID = 8


def seed_host_products(database_url: str, skus: Sequence[str]) -> None:
    """Give the host store a tracked, priced product for each SKU.

    Order lines then match products (so the plugin accepts them) and the stock
    and price steps have values to push.
    """
    from decimal import Decimal

    from commercium_connector.host.store import Store
    from commercium_connector.host.store.catalog import ProductRow, upsert_products
    from commercium_connector.types import Product

    rows = [
        ProductRow(
            Product(
                sku=sku,
                title=sku,
                quantity=50,
                price=Decimal("199.00"),
                currency="EUR",
            ),
            tracked=True,
        )
        for sku in sorted(set(skus))
    ]
    with Store.open_shared(database_url) as store, store.transaction() as conn:
        upsert_products(conn, rows)


def expected_orders(sandbox: Sandbox) -> set[str]:
    """Return the ids of the sandbox's orders that the plugin imports."""
    with sandbox.store.lock:
        return {
            str(order_id)
            for order_id, order in sandbox.store.orders.items()
            if order.state != ORDER_NOT_PAID
        }


def stored_orders(database_url: str, connection_id: str) -> list[str]:
    """Return the external ids of a connection's stored orders, repeats kept."""
    from commercium_connector.host.store import schema

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            query = sa.select(schema.orders.c.external_id).where(
                schema.orders.c.connection_id == connection_id
            )
            return sorted(conn.execute(query).scalars())
    finally:
        engine.dispose()
