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
from commercium_connector.host.store.catalog import (
    ProductIndex,
    load_products,
    take_stock,
)
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
        "line 4, column currency: invalid currency 'EURO'; use an ISO 4217 "
        "code such as EUR, GBP or USD",
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


def test_products_currency_grade(store: Store, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "sku,grade,price,currency\n"
        "PH-1,MINT,10,EUR\n"
        "PH-2,very good,10,XYZ\n"
        "PH-3,Excellent,10,gbp\n",
    )
    messages = _messages(store, path)
    assert messages == [
        "line 2, column grade: unknown grade 'MINT'; use one of PREMIUM, "
        "EXCELLENT, VERY_GOOD, GOOD, FAIR, STALLONE",
        "line 3, column currency: invalid currency 'XYZ'; use an ISO 4217 code "
        "such as EUR, GBP or USD",
    ]


def test_products_grade_normalised(store: Store, tmp_path: Path) -> None:
    path = _csv(tmp_path, "sku,grade\nPH-1,very good\nPH-2,Excellent\n")
    import_products(store, path)
    with store.read() as conn:
        grades = [p.grade for p in load_products(conn)]
    assert grades == ["VERY_GOOD", "EXCELLENT"]


def test_products_sku_nfc(store: Store, tmp_path: Path) -> None:
    composed, decomposed = "CASE-\u00c5", "CASE-A\u030a"
    path = _csv(tmp_path, f"sku,quantity\n{composed},1\n{decomposed},2\n")
    (message,) = _messages(store, path)
    assert message.startswith("line 3, column sku: SKU")
    import_products(store, _csv(tmp_path, f"sku,quantity\n{decomposed},2\n", "b.csv"))
    with store.read() as conn:
        (product,) = load_products(conn)
    assert product.sku == composed
    assert ProductIndex([product]).sku_for(decomposed) == composed


def test_csv_utf16_reported(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_text("sku,quantity\nA,1\n", encoding="utf-16")
    (message,) = _messages(store, path)
    assert message == "the file is UTF-16 text; save it as UTF-8 and retry"


def test_csv_bad_byte_line(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("sku,title\nA,ok\nB,caf\u00e9\n".encode("latin-1"))
    (message,) = _messages(store, path)
    assert message.startswith("line 3: not UTF-8 text (byte 0xe9")


def test_csv_huge_field(store: Store, tmp_path: Path) -> None:
    path = _csv(tmp_path, "sku,title\nA," + "x" * 200_000 + "\n")
    (message,) = _messages(store, path)
    assert message.startswith("line 2: a value is longer than 131072 characters")
    assert "quoting" not in message


def test_shipments_order_twice(store: Store, tmp_path: Path) -> None:
    _store_order(store)
    path = _csv(
        tmp_path,
        "order_number,shipping_method,tracking_number\n"
        "BM-1001,ups,T1\n"
        "BM-1001,ups,T2\n",
    )
    messages = _messages(store, path, "shipments")
    assert messages == [
        "line 3, column order_number: order 'BM-1001' is also on line 2; an "
        "order takes one shipment, so keep one row for it"
    ]
    with store.read() as conn:
        assert shipments_to_send(conn, "c1") == []


def test_shipments_keep_imei(store: Store, tmp_path: Path) -> None:
    _store_order(store)
    first = _csv(
        tmp_path,
        "order_number,shipping_method,tracking_number,imei\n"
        "BM-1001,ups,T1,356938035643809\n",
    )
    import_shipments(store, first)
    second = _csv(
        tmp_path,
        "order_number,shipping_method,tracking_number\nBM-1001,ups,T2\n",
        "b.csv",
    )
    assert import_shipments(store, second).added_or_updated == 1
    with store.read() as conn:
        (pending,) = shipments_to_send(conn, "c1")
    assert pending.shipment.tracking_number == "T2"
    assert pending.shipment.imei == "356938035643809"


def test_reimport_keeps_sales(store: Store, tmp_path: Path) -> None:
    path = _csv(tmp_path, "sku,quantity\nPH-1,10\nPH-2,5\n")
    import_products(store, path)
    with store.transaction() as conn:
        take_stock(conn, "PH-1", 3, now=NOW)

    again = import_products(store, path)

    assert again.stock_changed == 0
    assert again.stock_kept == 1
    with store.read() as conn:
        stock = {p.sku: p.quantity for p in load_products(conn)}
    assert stock == {"PH-1": 7, "PH-2": 5}


def test_reimport_new_count(store: Store, tmp_path: Path) -> None:
    import_products(store, _csv(tmp_path, "sku,quantity\nPH-1,10\n"))
    with store.transaction() as conn:
        take_stock(conn, "PH-1", 3, now=NOW)

    counted = import_products(store, _csv(tmp_path, "sku,quantity\nPH-1,8\n", "b.csv"))
    assert counted.stock_changed == 1
    # The same count again keeps the stock; a sale since then stands.
    with store.transaction() as conn:
        take_stock(conn, "PH-1", 1, now=NOW)
    import_products(store, _csv(tmp_path, "sku,quantity\nPH-1,8\n", "c.csv"))
    with store.read() as conn:
        (product,) = load_products(conn)
    assert product.quantity == 7


def test_reimport_untracked_then_tracked(store: Store, tmp_path: Path) -> None:
    import_products(store, _csv(tmp_path, "sku,quantity\nPH-1,4\n"))
    import_products(store, _csv(tmp_path, "sku,quantity\nPH-1,\n", "b.csv"))
    with store.read() as conn:
        assert load_products(conn)[0].quantity is None
    import_products(store, _csv(tmp_path, "sku,quantity\nPH-1,4\n", "c.csv"))
    with store.read() as conn:
        assert load_products(conn)[0].quantity == 4


@pytest.mark.parametrize("imei", ["٣٥٦٩٥٠١٢٣٤١٨٢٧٥", "３５６９５０１２３４１８２７５"])
def test_shipments_imei_ascii_only(store: Store, tmp_path: Path, imei: str) -> None:
    _store_order(store)
    path = _csv(
        tmp_path,
        f"order_number,shipping_method,tracking_number,imei\nBM-1001,colissimo,6A1,{imei}\n",
    )
    messages = _messages(store, path, "shipments")
    assert messages == [
        f"line 2, column imei: invalid IMEI {imei!r}; an IMEI is 15 digits"
    ]
