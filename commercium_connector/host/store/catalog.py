"""Products, stock and prices of the host."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

import attrs
import sqlalchemy as sa

from commercium_connector.host.store import schema
from commercium_connector.types import Product

# Values of a product an import row may set; "fields" stands for the named
# fields, which are merged into the product's existing ones.
PRODUCT_VALUES = frozenset(
    {
        "title",
        "barcode",
        "grade",
        "marketplace_product_id",
        "fields",
        "quantity",
        "price",
    }
)


@attrs.frozen
class ProductRow:
    """One product as the CSV import writes it.

    Attributes:
        product: The product; its ``quantity`` and ``price`` go to the stock
            and price tables.
        tracked: Whether the host tracks stock for it. An untracked product
            keeps a NULL quantity.
        columns: The values the row sets, among ``PRODUCT_VALUES``. An
            existing product keeps the others, so a file with only ``sku``
            and ``quantity`` changes stock and nothing else.
    """

    product: Product
    tracked: bool
    columns: frozenset[str] = attrs.field(factory=lambda: PRODUCT_VALUES)


@attrs.frozen
class CatalogChanges:
    """Counts of rows an import of products changed, per table."""

    products_added: int = 0
    products_updated: int = 0
    stock_changed: int = 0
    prices_changed: int = 0
    stock_kept: int = 0


def load_products(conn: sa.Connection) -> list[Product]:
    """Return every host product with its stock and price, ordered by SKU."""
    p, s, pr = schema.products, schema.stock, schema.prices
    query = (
        sa.select(
            p.c.sku,
            p.c.title,
            p.c.barcode,
            p.c.grade,
            p.c.marketplace_product_id,
            p.c.fields,
            s.c.quantity,
            pr.c.amount,
            pr.c.currency,
        )
        .select_from(
            p.outerjoin(s, s.c.sku == p.c.sku).outerjoin(pr, pr.c.sku == p.c.sku)
        )
        .order_by(p.c.sku)
    )
    products = []
    for row in conn.execute(query):
        products.append(
            Product(
                sku=row.sku,
                title=row.title,
                barcode=row.barcode,
                fields=dict(row.fields or {}),
                quantity=row.quantity,
                price=row.amount,
                currency=row.currency,
                marketplace_product_id=row.marketplace_product_id,
                grade=row.grade,
            )
        )
    return products


def _write_rows(
    conn: sa.Connection,
    table: sa.Table,
    rows: dict[str, dict[str, Any]],
    *,
    now: datetime,
) -> int:
    """Insert or update rows keyed by SKU, in two batched statements.

    Returns:
        How many rows were inserted or changed.
    """
    if not rows:
        return 0
    # Every row of one import sets the same columns.
    columns = list(next(iter(rows.values())))
    selected = [table.c.sku, *(table.c[c] for c in columns)]
    existing = {
        r.sku: r
        for r in conn.execute(sa.select(*selected).where(table.c.sku.in_(rows)))
    }
    inserts = [
        {"sku": sku, "updated_at": now, **values}
        for sku, values in rows.items()
        if sku not in existing
    ]
    updates = [
        {"b_sku": sku, "updated_at": now, **values}
        for sku, values in rows.items()
        if sku in existing
        and any(getattr(existing[sku], k) != v for k, v in values.items())
    ]
    if inserts:
        conn.execute(table.insert(), inserts)
    if updates:
        statement = (
            table.update()
            .where(table.c.sku == sa.bindparam("b_sku"))
            .values({c: sa.bindparam(c) for c in [*columns, "updated_at"]})
        )
        conn.execute(statement, updates)
    return len(inserts) + len(updates)


def upsert_products(conn: sa.Connection, rows: Iterable[ProductRow]) -> CatalogChanges:
    """Insert or update products with their stock and prices.

    A tracked quantity equal to the one the last import set keeps the
    current stock, so that importing the same file again does not undo the
    sales made since. A different quantity is a new count and replaces it.
    ``stock_kept`` counts the products kept that way whose stock moved since.
    """
    now = datetime.now(timezone.utc)
    products: dict[str, dict[str, Any]] = {}
    stock: dict[str, dict[str, Any]] = {}
    prices: dict[str, dict[str, Any]] = {}
    rows = list(rows)
    skus = [row.product.sku for row in rows]
    table = schema.products
    known_fields = {
        r.sku: dict(r.fields or {})
        for r in conn.execute(
            sa.select(table.c.sku, table.c.fields).where(table.c.sku.in_(skus))
        )
    }
    last_imported = _column_by_sku(conn, schema.imported_stock.c.quantity, skus)
    current_stock = _column_by_sku(conn, schema.stock.c.quantity, skus)
    imported: dict[str, dict[str, Any]] = {}
    kept = 0
    for row in rows:
        product = row.product
        values = {
            "title": product.title,
            "barcode": product.barcode,
            "grade": product.grade,
            "marketplace_product_id": product.marketplace_product_id,
            "fields": {**known_fields.get(product.sku, {}), **product.fields},
        }
        products[product.sku] = {k: v for k, v in values.items() if k in row.columns}
        if "quantity" in row.columns:
            quantity = product.quantity if row.tracked else None
            imported[product.sku] = {"quantity": quantity}
            current = current_stock.get(product.sku)
            same_count = (
                quantity is not None
                and product.sku in last_imported
                and last_imported[product.sku] == quantity
                and current is not None
            )
            if same_count:
                kept += current != quantity
            else:
                stock[product.sku] = {"quantity": quantity}
        if "price" in row.columns and product.price is not None:
            prices[product.sku] = {
                "amount": product.price,
                "currency": product.currency or "",
            }
    changed = _write_rows(conn, schema.products, products, now=now)
    _write_rows(conn, schema.imported_stock, imported, now=now)
    added = len(set(products) - set(known_fields))
    return CatalogChanges(
        products_added=added,
        products_updated=changed - added,
        stock_changed=_write_rows(conn, schema.stock, stock, now=now),
        prices_changed=_write_rows(conn, schema.prices, prices, now=now),
        stock_kept=kept,
    )


def _column_by_sku(
    conn: sa.Connection, column: sa.Column[Any], skus: Sequence[str]
) -> dict[str, Any]:
    table = column.table
    query = sa.select(table.c.sku, column).where(table.c.sku.in_(skus))
    return {row[0]: row[1] for row in conn.execute(query)}


def lock_stock(conn: sa.Connection, skus: Iterable[str]) -> None:
    """Lock the stock rows of ``skus`` for this transaction, in SKU order.

    Two workers storing orders at once would otherwise update shared stock
    rows in different orders, which PostgreSQL aborts as a deadlock. SQLite
    locks the whole file on the first write, and SQLAlchemy renders no
    ``FOR UPDATE`` for it, so there this is one plain read.
    """
    ordered = sorted(set(skus))
    if not ordered:
        return
    table = schema.stock
    conn.execute(
        sa.select(table.c.sku)
        .where(table.c.sku.in_(ordered))
        .order_by(table.c.sku)
        .with_for_update()
    ).all()


def take_stock(conn: sa.Connection, sku: str, units: int, *, now: datetime) -> bool:
    """Take ``units`` from a tracked product's stock (negative gives back).

    The stock may go below zero: an oversold product stays visible as such
    rather than being hidden at zero.

    Returns:
        Whether the product is tracked, and so whether stock was taken.
    """
    table = schema.stock
    result = conn.execute(
        table.update()
        .where(table.c.sku == sku, table.c.quantity.is_not(None))
        .values(quantity=table.c.quantity - units, updated_at=now)
    )
    return result.rowcount > 0


class ProductIndex:
    """Finds the host product behind a plugin's product identifier value.

    A plugin keys lines and results by the connection's unique product
    identifier, which may be the SKU, the barcode or another named field. The
    host does not read the plugin's settings, so it looks the value up in that
    order, case insensitively, as marketplace SKUs are compared, and in
    Unicode NFC form, so that a composed and a decomposed "Å" match.
    """

    def __init__(self, products: Sequence[Product]) -> None:
        self._by_key: dict[str, str] = {}
        # Later passes never override an earlier one: a SKU match wins over a
        # barcode match, which wins over a match on another field.
        for product in products:
            self._by_key.setdefault(_index_key(product.sku), product.sku)
        for product in products:
            if product.barcode:
                self._by_key.setdefault(_index_key(product.barcode), product.sku)
        for product in products:
            for value in product.fields.values():
                if value:
                    self._by_key.setdefault(_index_key(str(value)), product.sku)

    def sku_for(self, key: str | None) -> str | None:
        """Return the host SKU for an identifier value, or None."""
        if key is None:
            return None
        return self._by_key.get(_index_key(key))


def _index_key(value: str) -> str:
    return unicodedata.normalize("NFC", value).casefold()
