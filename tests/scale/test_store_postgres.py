"""The host's store on PostgreSQL: URL, run lock, migrations, round trips."""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from commercium_connector.host.config import load_config
from commercium_connector.host.store import (
    Store,
    StoreLockedError,
    StoreMissingError,
    schema,
)
from commercium_connector.host.store.catalog import (
    ProductIndex,
    ProductRow,
    load_products,
    upsert_products,
)
from commercium_connector.host.store.database import StoreUrlError
from commercium_connector.host.store.migrations import LATEST_VERSION
from commercium_connector.host.store.orders import store_order
from commercium_connector.types import Address, Order, OrderLine, OrderStatus, Product

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def _order() -> Order:
    line = OrderLine(
        external_id="L1",
        marketplace_sku="ph-1",
        product_key="ph-1",
        title="Phone",
        quantity=2,
        unit_price=Decimal("100.10"),
        shipping_price=Decimal("0"),
        currency="EUR",
        state="1",
    )
    return Order(
        external_id="1001",
        number="BM-1001",
        notes="",
        status=OrderStatus.PAID,
        paid=True,
        created_at=NOW,
        modified_at=NOW,
        currency="EUR",
        total=Decimal("200.20"),
        shipping_total=Decimal("0"),
        shipping_address=Address(city="Lyon"),
        billing_address=Address(city="Lyon"),
        lines=(line,),
    )


def test_open_url_second_run_refused(database_url: str) -> None:
    with Store.open_url(database_url) as store:
        assert store.path is None
        assert "postgresql" in store.location
        with pytest.raises(StoreLockedError, match="PostgreSQL backend process"):
            Store.open_url(database_url)
        with Store.open_shared(database_url) as shared:
            assert shared.location == store.location
    Store.open_url(database_url).close()  # the lock went with its session


def test_read_only_needs_migrated(database_url: str) -> None:
    with pytest.raises(StoreMissingError, match="not been migrated"):
        Store.open_url(database_url, exclusive=False)


def test_concurrent_openers_migrate_once(database_url: str) -> None:
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            Store.open_shared(database_url).close()
        except BaseException as exc:  # reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Store.open_shared(database_url) as store, store.read() as conn:
        versions = conn.execute(sa.select(schema.schema_migrations.c.version))
        assert versions.scalars().all() == list(range(1, LATEST_VERSION + 1))


def test_order_round_trip(database_url: str) -> None:
    product = Product(
        sku="PH-1", title="Phone", quantity=5, price=Decimal("99.90"), currency="EUR"
    )
    with Store.open_url(database_url) as store:
        with store.transaction() as conn:
            upsert_products(conn, [ProductRow(product, tracked=True)])
        with store.read() as conn:
            index = ProductIndex(load_products(conn))
        with store.transaction() as conn:
            written = store_order(conn, "shop", _order(), index, now=NOW)
        assert written.created
        with store.read() as conn:
            row = conn.execute(sa.select(schema.orders)).one()
            stock = conn.execute(sa.select(schema.stock.c.quantity)).scalar_one()
        state = store.state_for("shop")
        state.set("cursor", "a")
        state.set("cursor", "b")
        assert state.get("cursor") == "b"
    assert row.total == Decimal("200.20")
    assert row.created_at == NOW
    assert row.shipping_address["city"] == "Lyon"
    assert stock == 3


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://user@127.0.0.1/db", "does not run on 'mysql'"),
        ("not a url", "invalid database URL"),
        ("sqlite://", "names no file"),
    ],
)
def test_bad_url_rejected(url: str, message: str) -> None:
    with pytest.raises(StoreUrlError, match=message):
        Store.open_url(url)


def test_sqlite_url_opens_file(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with Store.open_url(f"sqlite:///{path}") as store:
        assert store.path == path
    url = f"sqlite:///{path}"
    with Store.open_shared(url) as first, Store.open_shared(url) as second:
        assert first.location == second.location == str(path)


def test_config_store_url_with_password(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        """
[store]
url = "postgresql+psycopg://sync@127.0.0.1:5432/commercium"
password_env = "DB_PASSWORD"

[sync]
interval = 90

[[connections]]
id = "shop"
channel = "backmarket"
token_env = "TOKEN"
""",
        encoding="utf-8",
    )
    loaded = load_config(config, env={"DB_PASSWORD": "p@ss", "TOKEN": "t"})
    assert loaded.store_url is not None
    assert sa.engine.make_url(loaded.store_url).password == "p@ss"
    assert "p@ss" not in repr(loaded)
    assert loaded.sync_interval == 90.0
