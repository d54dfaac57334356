"""The SQLite store: migrations, run lock, state, orders and stock."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from commercium_connector.host.store import (
    Store,
    StoreLockedError,
    StoreMissingError,
    StoreVersionError,
    schema,
)
from commercium_connector.host.store.catalog import (
    ProductIndex,
    ProductRow,
    load_products,
    upsert_products,
)
from commercium_connector.host.store.migrations import LATEST_VERSION
from commercium_connector.host.store.orders import store_order
from commercium_connector.types import Address, Order, OrderLine, OrderStatus, Product

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store.open(tmp_path / "s.sqlite")
    yield opened  # type: ignore[misc]
    opened.close()


def _order(status: OrderStatus = OrderStatus.PAID, sku: str = "PH-1") -> Order:
    line = OrderLine(
        external_id="L1",
        marketplace_sku=sku.lower(),
        product_key=sku.lower(),
        title="Phone",
        quantity=2,
        unit_price=Decimal("100.00"),
        shipping_price=Decimal("0"),
        currency="EUR",
        state="1",
    )
    return Order(
        external_id="1001",
        number="BM-1001",
        notes="",
        status=status,
        paid=True,
        created_at=NOW,
        modified_at=NOW,
        currency="EUR",
        total=Decimal("200.00"),
        shipping_total=Decimal("0"),
        shipping_address=Address(city="Lyon"),
        billing_address=Address(city="Lyon"),
        lines=(line,),
    )


def _stock(store: Store, sku: str) -> int | None:
    with store.read() as conn:
        return conn.execute(
            sa.select(schema.stock.c.quantity).where(schema.stock.c.sku == sku)
        ).scalar_one()


def _add_product(store: Store, quantity: int | None = 5) -> None:
    product = Product(
        sku="PH-1",
        title="Phone",
        quantity=quantity,
        price=Decimal("99.90"),
        currency="EUR",
    )
    with store.transaction() as conn:
        upsert_products(conn, [ProductRow(product, tracked=quantity is not None)])


def test_migrations_applied_once(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    Store.open(path).close()
    with Store.open(path) as store, store.read() as conn:
        versions = (
            conn.execute(sa.select(schema.schema_migrations.c.version)).scalars().all()
        )
    assert versions == list(range(1, LATEST_VERSION + 1))


def test_newer_store_rejected(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with Store.open(path) as store, store.transaction() as conn:
        conn.execute(
            schema.schema_migrations.insert().values(
                version=LATEST_VERSION + 1, description="future", applied_at=NOW
            )
        )
    with pytest.raises(StoreVersionError, match="upgrade"):
        Store.open(path)


def test_second_run_refused(store: Store) -> None:
    with pytest.raises(StoreLockedError, match="another commercium-connector run"):
        Store.open(store.path)


def test_lock_released_on_close(tmp_path: Path) -> None:
    Store.open(tmp_path / "s.sqlite").close()
    Store.open(tmp_path / "s.sqlite").close()


def test_read_only_missing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreMissingError, match="no store"):
        Store.open(tmp_path / "absent.sqlite", exclusive=False)


def test_state_store_roundtrip(store: Store) -> None:
    state = store.state_for("c1")
    other = store.state_for("c2")
    assert state.get("k") is None
    state.set("k", "v1")
    state.set("k", "v2")
    assert state.get("k") == "v2"
    assert other.get("k") is None
    state.delete("k")
    state.delete("k")
    assert state.get("k") is None


def test_order_takes_stock_once(store: Store) -> None:
    _add_product(store)
    index = ProductIndex([Product(sku="PH-1")])
    with store.transaction() as conn:
        first = store_order(conn, "c1", _order(), index, now=NOW)
    with store.transaction() as conn:
        again = store_order(conn, "c1", _order(), index, now=NOW)
    assert first.created
    assert first.stock_taken == ("PH-1",)
    assert not again.created
    assert not again.updated
    assert _stock(store, "PH-1") == 3


def test_cancelled_order_gives_back(store: Store) -> None:
    _add_product(store)
    index = ProductIndex([Product(sku="PH-1")])
    with store.transaction() as conn:
        store_order(conn, "c1", _order(), index, now=NOW)
        cancelled = store_order(
            conn, "c1", _order(OrderStatus.CANCELLED), index, now=NOW
        )
    assert cancelled.updated
    assert _stock(store, "PH-1") == 5


def test_untracked_stock_untouched(store: Store) -> None:
    _add_product(store, quantity=None)
    index = ProductIndex([Product(sku="PH-1")])
    with store.transaction() as conn:
        written = store_order(conn, "c1", _order(), index, now=NOW)
    assert written.stock_taken == ()
    assert _stock(store, "PH-1") is None


def test_unlinked_line_stored(store: Store) -> None:
    _add_product(store)
    index = ProductIndex([Product(sku="PH-1")])
    with store.transaction() as conn:
        store_order(conn, "c1", _order(sku="OTHER"), index, now=NOW)
        sku = conn.execute(sa.select(schema.order_lines.c.product_sku)).scalar_one()
    assert sku is None
    assert _stock(store, "PH-1") == 5


def test_product_index_order() -> None:
    products = [
        Product(sku="A-1", barcode="123", fields={"mpn": "X9"}),
        Product(sku="123", barcode="999"),
    ]
    index = ProductIndex(products)
    assert index.sku_for("a-1") == "A-1"
    assert index.sku_for("123") == "123"  # a SKU match wins over a barcode
    assert index.sku_for("999") == "123"
    assert index.sku_for("x9") == "A-1"
    assert index.sku_for("nope") is None
    assert index.sku_for(None) is None


def test_products_roundtrip(store: Store) -> None:
    _add_product(store)
    with store.read() as conn:
        (product,) = load_products(conn)
    assert product.sku == "PH-1"
    assert product.quantity == 5
    assert product.price == Decimal("99.90")
    assert product.currency == "EUR"
