"""Marketplace orders and their lines, and the stock they take."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
import sqlalchemy as sa

from commercium_connector.host.store import schema
from commercium_connector.host.store.catalog import ProductIndex, take_stock
from commercium_connector.types import Address, Order, OrderLine, OrderStatus


@attrs.frozen
class OrderWrite:
    """Changes made by storing one order.

    Attributes:
        created: The order was new to the store.
        updated: A stored order changed (status, lines, tracking).
        stock_taken: Host SKUs whose stock moved because of this order.
    """

    created: bool
    updated: bool
    stock_taken: tuple[str, ...] = ()


@attrs.frozen
class StoredOrder:
    """An order row as the shipment import and the demo read it."""

    connection_id: str
    external_id: str
    number: str
    status: str
    all_lines_linked: bool


def _address(address: Address) -> dict[str, str]:
    return attrs.asdict(address)


def _order_values(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "notes": order.notes,
        "status": order.status.value,
        "paid": order.paid,
        "created_at": order.created_at,
        "modified_at": order.modified_at,
        "currency": order.currency,
        "total": order.total,
        "shipping_total": order.shipping_total,
        "shipping_address": _address(order.shipping_address),
        "billing_address": _address(order.billing_address),
        "tracking_number": order.tracking_number,
        "carrier": order.carrier,
    }


def _line_values(line: OrderLine, index: ProductIndex) -> dict[str, Any]:
    return {
        "marketplace_sku": line.marketplace_sku,
        "product_key": line.product_key,
        "product_sku": index.sku_for(line.product_key),
        "title": line.title,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "shipping_price": line.shipping_price,
        "currency": line.currency,
        "state": line.state,
    }


def _changed(row: Any, values: dict[str, Any]) -> bool:
    return any(getattr(row, key) != value for key, value in values.items())


def store_order(
    conn: sa.Connection,
    connection_id: str,
    order: Order,
    index: ProductIndex,
    *,
    now: datetime,
) -> OrderWrite:
    """Insert an order or update the stored one, and move the host's stock.

    A linked line takes its units from the host product's stock once, when it
    is first stored linked. A cancelled order, or a line the marketplace
    cancels while the order goes on, gives them back once. A line first seen
    cancelled takes nothing. Calling this again with the same order changes
    nothing, which is what makes a pull repeated after a crash safe.
    """
    orders = schema.orders
    values = _order_values(order)
    existing = conn.execute(
        sa.select(orders).where(
            orders.c.connection_id == connection_id,
            orders.c.external_id == order.external_id,
        )
    ).first()
    if existing is None:
        key = conn.execute(
            orders.insert().values(
                connection_id=connection_id,
                external_id=order.external_id,
                imported_at=now,
                updated_at=now,
                **values,
            )
        ).inserted_primary_key
        assert key is not None
        order_id = key[0]
        created, updated = True, False
    else:
        order_id = existing.id
        created = False
        updated = _changed(existing, values)
        if updated:
            conn.execute(
                orders.update()
                .where(orders.c.id == order_id)
                .values(updated_at=now, **values)
            )

    cancelled = order.status is OrderStatus.CANCELLED
    lines_changed, moved = _store_lines(conn, order_id, order, index, cancelled, now)
    return OrderWrite(created, updated or (lines_changed and not created), moved)


def _store_lines(
    conn: sa.Connection,
    order_id: int,
    order: Order,
    index: ProductIndex,
    cancelled: bool,
    now: datetime,
) -> tuple[bool, tuple[str, ...]]:
    lines = schema.order_lines
    changed = False
    moved: list[str] = []
    for line in order.lines:
        values = _line_values(line, index)
        row = conn.execute(
            sa.select(lines).where(
                lines.c.order_id == order_id, lines.c.external_id == line.external_id
            )
        ).first()
        taken = 0 if row is None else row.stock_taken
        sku = values["product_sku"]
        # A line that will not ship keeps no stock, whether its whole order
        # or only the line itself was cancelled.
        released = cancelled or line.cancelled
        if not released and taken == 0 and sku is not None:
            # A line stored linked before had its one chance to take stock
            # then, so stock given back is never taken a second time.
            was_linked = row is not None and row.product_sku is not None
            if not was_linked and take_stock(conn, sku, line.quantity, now=now):
                taken = line.quantity
                moved.append(sku)
        elif released and taken > 0 and row is not None and row.product_sku:
            take_stock(conn, row.product_sku, -taken, now=now)
            moved.append(row.product_sku)
            taken = 0
        values["stock_taken"] = taken
        if row is None:
            conn.execute(
                lines.insert().values(
                    order_id=order_id, external_id=line.external_id, **values
                )
            )
            changed = True
        elif _changed(row, values):
            conn.execute(lines.update().where(lines.c.id == row.id).values(**values))
            changed = True
    return changed, tuple(moved)


def find_order_by_number(conn: sa.Connection, number: str) -> list[StoredOrder]:
    """Return the stored orders with this host number (one per connection)."""
    return [o for o in _stored_orders(conn, schema.orders.c.number == number)]


def orders_imported_since(
    conn: sa.Connection, connection_id: str, since: datetime
) -> list[StoredOrder]:
    """Return a connection's orders first stored at or after ``since``."""
    orders = schema.orders
    return _stored_orders(
        conn,
        sa.and_(orders.c.connection_id == connection_id, orders.c.imported_at >= since),
    )


def _stored_orders(
    conn: sa.Connection, where: sa.ColumnElement[bool]
) -> list[StoredOrder]:
    orders, lines = schema.orders, schema.order_lines
    unlinked = (
        sa.select(sa.func.count())
        .where(lines.c.order_id == orders.c.id, lines.c.product_sku.is_(None))
        .scalar_subquery()
    )
    query = (
        sa.select(
            orders.c.connection_id,
            orders.c.external_id,
            orders.c.number,
            orders.c.status,
            unlinked.label("unlinked"),
        )
        .where(where)
        .order_by(orders.c.id)
    )
    return [
        StoredOrder(r.connection_id, r.external_id, r.number, r.status, r.unlinked == 0)
        for r in conn.execute(query)
    ]


def unlinked_lines(conn: sa.Connection, connection_id: str) -> list[tuple[str, str]]:
    """Return (order number, marketplace SKU) of lines linked to no product."""
    orders, lines = schema.orders, schema.order_lines
    query = (
        sa.select(orders.c.number, lines.c.marketplace_sku)
        .select_from(lines.join(orders, orders.c.id == lines.c.order_id))
        .where(orders.c.connection_id == connection_id, lines.c.product_sku.is_(None))
        .order_by(orders.c.number)
    )
    return [(r.number, r.marketplace_sku) for r in conn.execute(query)]


def count_orders(conn: sa.Connection, connection_id: str) -> int:
    """Return how many orders a connection has in the store."""
    orders = schema.orders
    count = conn.execute(
        sa.select(sa.func.count()).where(orders.c.connection_id == connection_id)
    ).scalar()
    return int(count or 0)
