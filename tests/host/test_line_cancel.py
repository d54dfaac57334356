"""Stock of an order line the marketplace cancels while its order goes on.

The sandbox seeds a paid order of two lines. One line orders more units than
the host has, so the plugin leaves it unaccepted and the host reserves its
stock. The seller then cancels that line through the API.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from backmarket_sdk import BackMarketClient
from backmarket_sdk.sandbox import Sandbox
from commercium_connector.host.cli import main
from commercium_connector.host.csv_import import import_products
from commercium_connector.host.demo import write_demo_config
from commercium_connector.host.store import Store, schema
from commercium_connector.host.store.catalog import (
    ProductIndex,
    ProductRow,
    upsert_products,
)
from commercium_connector.host.store.orders import store_order
from commercium_connector.types import Address, Order, OrderLine, OrderStatus, Product
from tests.connector.conftest import LISTINGS, NEW_PRODUCTS

SELLER_AGENT = "BM-Seller-BackOffice;seller@acme.example"
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


@attrs.frozen
class Shop:
    sandbox: Sandbox
    url: str
    config: Path
    store_path: Path
    order_id: int
    cancelled_sku: str
    cancelled_quantity: int
    kept_sku: str
    kept_units: int
    stock: dict[str, int]


def _two_line_order(box: Sandbox) -> dict[str, Any]:
    orders = [box.order(order_id) for order_id in box.store.orders]
    order: dict[str, Any] = next(o for o in orders if len(o["orderlines"]) == 2)
    return order


def _units_ordered(box: Sandbox, sku: str) -> int:
    return sum(
        line["quantity"]
        for order_id in box.store.orders
        for line in box.order(order_id)["orderlines"]
        if line["listing"] == sku
    )


def _skus_of_other_orders(box: Sandbox, order_id: int) -> set[str]:
    return {
        line["listing"]
        for other in box.store.orders
        if other != order_id
        for line in box.order(other)["orderlines"]
    }


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    """A store and configuration against a sandbox on loopback with one
    two-line paid order, and host stock too low for one of its lines."""
    box = Sandbox(seed=7, orders=2, listings=LISTINGS, products=NEW_PRODUCTS)
    order = _two_line_order(box)
    assert order["state"] == 1
    # The line to cancel is on a product no other order sells, so that its
    # host stock moves only through this line.
    others = _skus_of_other_orders(box, order["order_id"])
    first, second = order["orderlines"]
    cancelled, kept = (second, first) if first["listing"] in others else (first, second)
    assert cancelled["listing"] not in others
    assert [cancelled["state"], kept["state"]] == [1, 1]

    stock = {
        # One unit short, so the plugin leaves the line for the seller.
        cancelled["listing"]: cancelled["quantity"] - 1,
        kept["listing"]: 5,
    }
    products_csv = tmp_path / "products.csv"
    rows = "".join(f"{sku},{sku},{quantity}\n" for sku, quantity in stock.items())
    products_csv.write_text("sku,title,quantity\n" + rows, encoding="utf-8")
    token_file = tmp_path / "token"
    token_file.write_text(box.token, encoding="utf-8")
    store_path = tmp_path / "store" / "commercium.sqlite"
    config = tmp_path / "commercium.toml"
    with box.serve(host="127.0.0.1", port=0) as server:
        write_demo_config(
            config, base_url=server.url, store_path=store_path, token_file=token_file
        )
        with Store.open(store_path) as store:
            import_products(store, products_csv)
        yield Shop(
            sandbox=box,
            url=server.url,
            config=config,
            store_path=store_path,
            order_id=order["order_id"],
            cancelled_sku=cancelled["listing"],
            cancelled_quantity=cancelled["quantity"],
            kept_sku=kept["listing"],
            kept_units=_units_ordered(box, kept["listing"]),
            stock=stock,
        )


def _sync(shop: Shop) -> int:
    return main(["-q", "sync", "--config", str(shop.config)])


def _quantity(shop: Shop, sku: str) -> int | None:
    with Store.open(shop.store_path, exclusive=False) as store, store.read() as conn:
        return conn.execute(
            sa.select(schema.stock.c.quantity).where(schema.stock.c.sku == sku)
        ).scalar_one()


def _cancel_line(shop: Shop, sku: str) -> None:
    with BackMarketClient(
        token=shop.sandbox.token, base_url=shop.url, user_agent=SELLER_AGENT
    ) as seller:
        seller.orders.cancel_line(shop.order_id, sku)


def _line_states(shop: Shop) -> dict[str, int]:
    lines = shop.sandbox.order(shop.order_id)["orderlines"]
    return {line["listing"]: line["state"] for line in lines}


def _stored_status(shop: Shop) -> str:
    orders = schema.orders
    with Store.open(shop.store_path, exclusive=False) as store, store.read() as conn:
        status: str = conn.execute(
            sa.select(orders.c.status).where(orders.c.external_id == str(shop.order_id))
        ).scalar_one()
    return status


def test_line_cancel_gives_stock_back(shop: Shop) -> None:
    start_cancelled = shop.stock[shop.cancelled_sku]
    # Every order's line of this product is accepted and takes its units.
    kept_after = shop.stock[shop.kept_sku] - shop.kept_units

    assert _sync(shop) == 0
    # The short line stays unaccepted but still reserves the host's stock.
    assert _line_states(shop)[shop.cancelled_sku] == 1
    assert _line_states(shop)[shop.kept_sku] == 2
    reserved = start_cancelled - shop.cancelled_quantity
    assert _quantity(shop, shop.cancelled_sku) == reserved
    # Below zero on the host, so the listing is pushed at 0 and stops selling.
    assert reserved < 0
    assert shop.sandbox.listing(shop.cancelled_sku)["quantity"] == 0
    assert _quantity(shop, shop.kept_sku) == kept_after

    _cancel_line(shop, shop.cancelled_sku)
    assert _line_states(shop)[shop.cancelled_sku] == 4

    for _ in range(3):
        assert _sync(shop) == 0
        assert _quantity(shop, shop.cancelled_sku) == start_cancelled
        assert _quantity(shop, shop.kept_sku) == kept_after
    assert shop.sandbox.listing(shop.cancelled_sku)["quantity"] == start_cancelled

    # The order goes on with its other line.
    assert _stored_status(shop) == "accepted"


def test_line_first_seen_cancelled(shop: Shop) -> None:
    _cancel_line(shop, shop.cancelled_sku)
    assert _line_states(shop)[shop.cancelled_sku] == 4

    for _ in range(3):
        assert _sync(shop) == 0
        assert _quantity(shop, shop.cancelled_sku) == shop.stock[shop.cancelled_sku]
        kept_after = shop.stock[shop.kept_sku] - shop.kept_units
        assert _quantity(shop, shop.kept_sku) == kept_after

    assert _line_states(shop)[shop.kept_sku] == 2
    assert _stored_status(shop) == "accepted"


def _store_line(store: Store, status: OrderStatus, *, cancelled: bool) -> None:
    line = OrderLine(
        external_id="L1",
        marketplace_sku="ph-1",
        product_key="ph-1",
        title="Phone",
        quantity=2,
        unit_price=Decimal("100.00"),
        shipping_price=Decimal("0"),
        currency="EUR",
        state="paid",
        cancelled=cancelled,
    )
    order = Order(
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
    index = ProductIndex([Product(sku="PH-1")])
    with store.transaction() as conn:
        store_order(conn, "c1", order, index, now=NOW)


def _store_stock(store: Store) -> int | None:
    with store.read() as conn:
        return conn.execute(
            sa.select(schema.stock.c.quantity).where(schema.stock.c.sku == "PH-1")
        ).scalar_one()


def test_line_then_order_cancel(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as store:
        row = ProductRow(Product(sku="PH-1", title="Phone", quantity=5), tracked=True)
        with store.transaction() as conn:
            upsert_products(conn, [row])

        _store_line(store, OrderStatus.PAID, cancelled=False)
        assert _store_stock(store) == 3
        _store_line(store, OrderStatus.ACCEPTED, cancelled=True)
        assert _store_stock(store) == 5
        # Cancelling the whole order afterwards gives nothing back a second time.
        _store_line(store, OrderStatus.CANCELLED, cancelled=True)
        assert _store_stock(store) == 5
