"""Shipments the host made, waiting for or sent to the marketplace."""

from __future__ import annotations

from datetime import datetime

import attrs
import sqlalchemy as sa

from commercium_connector.host.store import schema
from commercium_connector.types import ItemResult, ItemStatus, Shipment

PENDING = "pending"
SENT = "sent"
FAILED = "failed"


class ShipmentConflictError(Exception):
    """A shipment differs from one the marketplace already has."""


@attrs.frozen
class StoredShipment:
    """A shipment row with its store id and status."""

    id: int
    connection_id: str
    shipment: Shipment
    status: str
    message: str


def _shipment_values(shipment: Shipment) -> dict[str, object]:
    return {
        "order_external_id": shipment.order_external_id,
        "shipping_method": shipment.shipping_method,
        "tracking_number": shipment.tracking_number,
        "tracking_url": shipment.tracking_url,
        "shipped_at": shipment.shipped_at,
        "imei": shipment.imei,
        "serial_number": shipment.serial_number,
    }


def record_shipment(
    conn: sa.Connection,
    connection_id: str,
    shipment: Shipment,
    *,
    now: datetime,
    keep: frozenset[str] = frozenset(),
) -> bool:
    """Store a shipment to send, or update one not sent yet.

    Args:
        conn: The import's transaction.
        connection_id: The connection of the order.
        shipment: The shipment.
        now: The time recorded.
        keep: Optional values (``imei``, ``serial_number``, ``tracking_url``,
            ``shipped_at``) that an already stored shipment keeps, because
            the import had no column for them.

    Returns:
        Whether anything changed (False for the same shipment again).

    Raises:
        ShipmentConflictError: The order's shipment was already sent with
            other values; a marketplace takes one shipment per order.
    """
    table = schema.shipments
    values = _shipment_values(shipment)
    row = conn.execute(
        sa.select(table).where(
            table.c.connection_id == connection_id,
            table.c.order_number == shipment.order_number,
        )
    ).first()
    if row is None:
        conn.execute(
            table.insert().values(
                connection_id=connection_id,
                order_number=shipment.order_number,
                status=PENDING,
                message="",
                attempts=0,
                created_at=now,
                updated_at=now,
                **values,
            )
        )
        return True
    for key in keep:
        values[key] = getattr(row, key)
    if all(getattr(row, k) == v for k, v in values.items()):
        return False
    if row.status == SENT:
        raise ShipmentConflictError(
            f"order {shipment.order_number} was already shipped with tracking "
            f"number {row.tracking_number}; it cannot be shipped again"
        )
    conn.execute(
        table.update()
        .where(table.c.id == row.id)
        .values(status=PENDING, message="", updated_at=now, **values)
    )
    return True


def _to_stored(row: sa.Row[tuple[object, ...]]) -> StoredShipment:
    m = row._mapping
    shipment = Shipment(
        order_external_id=str(m["order_external_id"]),
        order_number=str(m["order_number"]),
        shipping_method=str(m["shipping_method"]),
        tracking_number=str(m["tracking_number"]),
        tracking_url=m["tracking_url"],
        shipped_at=m["shipped_at"],
        imei=m["imei"],
        serial_number=m["serial_number"],
    )
    return StoredShipment(
        id=int(m["id"]),
        connection_id=str(m["connection_id"]),
        shipment=shipment,
        status=str(m["status"]),
        message=str(m["message"]),
    )


def shipments_to_send(conn: sa.Connection, connection_id: str) -> list[StoredShipment]:
    """Return a connection's shipments not yet sent, failed ones included.

    A failed shipment is handed again on every cycle: the plugin reports one
    the marketplace already has as done without sending it twice.
    """
    table = schema.shipments
    query = (
        sa.select(table)
        .where(table.c.connection_id == connection_id, table.c.status != SENT)
        .order_by(table.c.id)
    )
    return [_to_stored(row) for row in conn.execute(query)]


def record_shipment_result(
    conn: sa.Connection, stored: StoredShipment, result: ItemResult, *, now: datetime
) -> None:
    """Mark a shipment sent, or failed with the plugin's message."""
    table = schema.shipments
    values: dict[str, object] = {"message": result.message, "updated_at": now}
    if result.status is ItemStatus.DONE:
        values.update(status=SENT, sent_at=now)
        orders = schema.orders
        conn.execute(
            orders.update()
            .where(
                orders.c.connection_id == stored.connection_id,
                orders.c.external_id == stored.shipment.order_external_id,
            )
            .values(tracking_number=stored.shipment.tracking_number, updated_at=now)
        )
    elif result.status is ItemStatus.FAILED:
        values["status"] = FAILED
    conn.execute(
        table.update()
        .where(table.c.id == stored.id)
        .values(attempts=table.c.attempts + 1, **values)
    )


def count_shipments(conn: sa.Connection, connection_id: str) -> dict[str, int]:
    """Return a connection's shipment counts by status."""
    table = schema.shipments
    query = (
        sa.select(table.c.status, sa.func.count())
        .where(table.c.connection_id == connection_id)
        .group_by(table.c.status)
    )
    return {str(status): int(count) for status, count in conn.execute(query)}
