"""CSV imports of products and shipments, and their per-row errors."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from commercium_connector.host.csv_import import (
    CsvImportError,
    import_products,
    import_shipments,
)
from commercium_connector.host.store import Store, schema
from commercium_connector.host.store.catalog import ProductIndex, load_products
from commercium_connector.host.store.orders import store_order
from commercium_connector.host.store.shipments import shipments_to_send
from commercium_connector.types import Address, Order, OrderStatus

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store.open(tmp_path / "s.sqlite")
    yield opened  # type: ignore[misc]
    opened.close()


def _csv(tmp_path: Path, text: str, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _messages(store: Store, path: Path, kind: str = "products") -> list[str]:
    with pytest.raises(CsvImportError) as caught:
        if kind == "products":
            import_products(store, path)
        else:
            import_shipments(store, path)
    return [str(p) for p in caught.value.problems]


def test_products_import(store: Store, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "sku;title;quantity;price;currency;colour\n"
        'PH-1;"Phone 6.1"", black";4;249,90;eur;Black\n'
        "PH-2;Tablet;;99;EUR;\n",
    )
    changes = import_products(store, path)
    assert changes.products_added == 2
    with store.read() as conn:
        first, second = load_products(conn)
    assert first.title == 'Phone 6.1", black'
    assert first.quantity == 4
    assert first.price == Decimal("249.90")
    assert first.currency == "EUR"
    assert first.fields == {"colour": "Black"}
    assert second.quantity is None
    again = import_products(store, path)
    assert again.products_added == 0
    assert again.products_updated == 0
    assert again.stock_changed == 0


def test_products_stray_quote(store: Store, tmp_path: Path) -> None:
    path = _csv(tmp_path, 'sku,title\nPH-1,"Phone" 6\n')
    (message,) = _messages(store, path)
    assert message.startswith("line 2")
    assert "quot" in message


def test_products_missing_column(store: Store, tmp_path: Path) -> None:
    (message,) = _messages(store, _csv(tmp_path, "title,price\nPhone,1\n"))
    assert "column sku" in message
    assert "missing column" in message


def test_products_bad_values(store: Store, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "sku,quantity,price,currency\n"
        "PH-1,four,1,EUR\n"
        "PH-2,1,12.3.4,EUR\n"
        "PH-3,1,10,EURO\n"
        "ph-1,1,10,EUR\n"
        "PH-5,1\n",
    )
    messages = _messages(store, path)
    assert messages == [
        "line 2, column quantity: invalid whole number 'four'; write e.g. 12",
        "line 3, column price: invalid price '12.3.4'; write e.g. 249.90",
        "line 4, column currency: invalid currency 'EURO'; use e.g. EUR",
        "line 5, column sku: SKU 'ph-1' is also on line 2; SKUs are compared "
        "case insensitively and must be unique",
        "line 6: 2 fields where the header has 4; check for a missing or extra "
        "',', or quote a value that contains one",
    ]
    with store.read() as conn:
        assert load_products(conn) == []


def _store_order(store: Store) -> None:
    order = Order(
        external_id="1001",
        number="BM-1001",
        notes="",
        status=OrderStatus.ACCEPTED,
        paid=True,
        created_at=NOW,
        modified_at=NOW,
        currency="EUR",
        total=Decimal("1"),
        shipping_total=Decimal("0"),
        shipping_address=Address(),
        billing_address=Address(),
        lines=(),
    )
    with store.transaction() as conn:
        store_order(conn, "c1", order, ProductIndex([]), now=NOW)


def test_shipments_import(store: Store, tmp_path: Path) -> None:
    _store_order(store)
    path = _csv(
        tmp_path,
        "order_number,shipping_method,tracking_number,shipped_at,imei\n"
        "BM-1001,colissimo,6A 123 456,2026-01-05T10:00:00,356938035643809\n",
    )
    result = import_shipments(store, path)
    assert result.added_or_updated == 1
    with store.read() as conn:
        (pending,) = shipments_to_send(conn, "c1")
    assert pending.shipment.tracking_number == "6A123456"
    assert pending.shipment.order_external_id == "1001"
    assert pending.shipment.shipped_at == datetime(2026, 1, 5, 10, tzinfo=timezone.utc)
    assert import_shipments(store, path).unchanged == 1


def test_shipments_bad_rows(store: Store, tmp_path: Path) -> None:
    _store_order(store)
    path = _csv(
        tmp_path,
        "order_number,shipping_method,tracking_number,imei,shipped_at\n"
        "BM-9999,colissimo,6A1,,\n"
        "BM-1001,,  ,1234,yesterday\n",
    )
    messages = _messages(store, path, "shipments")
    assert messages == [
        "line 2, column order_number: order 'BM-9999' is not in the store; run "
        "the orders sync first or check the number",
        "line 3, column shipping_method: missing value; fill it in",
        "line 3, column tracking_number: missing tracking number; fill it in",
        "line 3, column imei: invalid IMEI '1234'; an IMEI is 15 digits",
        "line 3, column shipped_at: invalid time 'yesterday'; write ISO 8601, "
        "e.g. 2026-01-05T14:30:00Z",
    ]
    with store.read() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(schema.shipments))
        assert count.scalar() == 0


def test_shipments_sent_not_changed(store: Store, tmp_path: Path) -> None:
    _store_order(store)
    first = _csv(
        tmp_path, "order_number,shipping_method,tracking_number\nBM-1001,ups,T1\n"
    )
    import_shipments(store, first)
    with store.transaction() as conn:
        conn.execute(schema.shipments.update().values(status="sent"))
    second = _csv(
        tmp_path,
        "order_number,shipping_method,tracking_number\nBM-1001,ups,T2\n",
        "b.csv",
    )
    (message,) = _messages(store, second, "shipments")
    assert "already shipped with tracking number T1" in message


def test_csv_not_found(store: Store, tmp_path: Path) -> None:
    (message,) = _messages(store, tmp_path / "absent.csv")
    assert "file not found" in message


def test_products_partial_columns(store: Store, tmp_path: Path) -> None:
    full = _csv(
        tmp_path,
        "sku,title,barcode,quantity,price,currency,colour\n"
        "PH-1,Phone,2000000000015,4,249.90,EUR,Black\n",
    )
    import_products(store, full)
    partial = _csv(tmp_path, "sku,quantity,storage\nPH-1,9,128GB\n", "partial.csv")
    changes = import_products(store, partial)
    assert changes.stock_changed == 1
    assert changes.prices_changed == 0
    with store.read() as conn:
        (product,) = load_products(conn)
    assert product.title == "Phone"
    assert product.barcode == "2000000000015"
    assert product.quantity == 9
    assert product.price == Decimal("249.90")
    assert product.fields == {"colour": "Black", "storage": "128GB"}
