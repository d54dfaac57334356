"""Sync bookkeeping: cursors, listing links, pushed values, runs and results."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs
import sqlalchemy as sa

from commercium_connector.host.store import schema
from commercium_connector.types import ItemResult


def get_cursor(conn: sa.Connection, connection_id: str, name: str) -> datetime | None:
    """Return a stored cursor, or None before the first pull."""
    table = schema.cursors
    value = conn.execute(
        sa.select(table.c.value).where(
            table.c.connection_id == connection_id, table.c.name == name
        )
    ).scalar_one_or_none()
    return value


def set_cursor(
    conn: sa.Connection,
    connection_id: str,
    name: str,
    value: datetime | None,
    *,
    now: datetime,
) -> None:
    """Store a cursor."""
    table = schema.cursors
    where = sa.and_(table.c.connection_id == connection_id, table.c.name == name)
    updated = conn.execute(
        table.update().where(where).values(value=value, updated_at=now)
    )
    if updated.rowcount == 0:
        conn.execute(
            table.insert().values(
                connection_id=connection_id, name=name, value=value, updated_at=now
            )
        )


def all_cursors(conn: sa.Connection) -> list[tuple[str, str, datetime | None]]:
    """Return (connection id, name, value) of every cursor."""
    table = schema.cursors
    query = sa.select(table.c.connection_id, table.c.name, table.c.value).order_by(
        table.c.connection_id, table.c.name
    )
    return [(r.connection_id, r.name, r.value) for r in conn.execute(query)]


def linked_skus(conn: sa.Connection, connection_id: str) -> set[str]:
    """Return the host SKUs that have a listing on the connection."""
    table = schema.listing_links
    query = sa.select(table.c.product_sku).where(table.c.connection_id == connection_id)
    return {str(sku) for sku in conn.execute(query).scalars()}


def link_listing(
    conn: sa.Connection,
    connection_id: str,
    product_sku: str,
    listing_key: str,
    *,
    listing_id: str | None,
    source: str,
    now: datetime,
) -> bool:
    """Record that a host product has a listing. Return whether it is new."""
    table = schema.listing_links
    where = sa.and_(
        table.c.connection_id == connection_id, table.c.product_sku == product_sku
    )
    row = conn.execute(sa.select(table).where(where)).first()
    if row is not None:
        if listing_id and row.listing_id != listing_id:
            conn.execute(table.update().where(where).values(listing_id=listing_id))
        return False
    conn.execute(
        table.insert().values(
            connection_id=connection_id,
            product_sku=product_sku,
            listing_key=listing_key,
            listing_id=listing_id,
            source=source,
            created_at=now,
        )
    )
    return True


def pushed_values(
    conn: sa.Connection, connection_id: str, kind: str
) -> dict[str, tuple[str, str]]:
    """Return {host SKU: (value, status)} last recorded for a kind of push."""
    table = schema.pushed_values
    query = sa.select(table.c.product_sku, table.c.value, table.c.status).where(
        table.c.connection_id == connection_id, table.c.kind == kind
    )
    return {r.product_sku: (r.value, r.status) for r in conn.execute(query)}


def record_pushed_values(
    conn: sa.Connection,
    connection_id: str,
    kind: str,
    records: Iterable[tuple[str, str, ItemResult]],
    *,
    now: datetime,
) -> None:
    """Record, per host SKU, the value handed to a push hook and its result.

    Args:
        conn: The step's transaction.
        connection_id: The connection pushed to.
        kind: ``quantity``, ``price`` or ``product``.
        records: (host SKU, value handed, result) of each item.
        now: The time recorded.
    """
    table = schema.pushed_values
    rows = {
        sku: {
            "value": value,
            "status": result.status.value,
            "message": result.message,
            "updated_at": now,
        }
        for sku, value, result in records
    }
    if not rows:
        return
    known = set(
        conn.execute(
            sa.select(table.c.product_sku).where(
                table.c.connection_id == connection_id,
                table.c.kind == kind,
                table.c.product_sku.in_(rows),
            )
        ).scalars()
    )
    inserts = [
        {"connection_id": connection_id, "kind": kind, "product_sku": sku, **values}
        for sku, values in rows.items()
        if sku not in known
    ]
    updates = [{"b_sku": sku, **values} for sku, values in rows.items() if sku in known]
    if inserts:
        conn.execute(table.insert(), inserts)
    if updates:
        statement = (
            table.update()
            .where(
                table.c.connection_id == connection_id,
                table.c.kind == kind,
                table.c.product_sku == sa.bindparam("b_sku"),
            )
            .values(
                {
                    c: sa.bindparam(c)
                    for c in ("value", "status", "message", "updated_at")
                }
            )
        )
        conn.execute(statement, updates)


def forget_pushed_values(
    conn: sa.Connection, connection_id: str, product_sku: str
) -> None:
    """Forget what was pushed for a product, so the next cycle hands it again."""
    table = schema.pushed_values
    conn.execute(
        table.delete().where(
            table.c.connection_id == connection_id,
            table.c.product_sku == product_sku,
            table.c.kind != "product",
        )
    )


def start_run(
    conn: sa.Connection, steps: Iterable[str], *, dry_run: bool, now: datetime
) -> int:
    """Record the start of a sync run and return its id."""
    result = conn.execute(
        schema.runs.insert().values(
            started_at=now, dry_run=dry_run, steps=",".join(steps), outcome="running"
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def finish_run(
    conn: sa.Connection, run_id: int, outcome: str, *, now: datetime
) -> None:
    """Record the end of a sync run."""
    conn.execute(
        schema.runs.update()
        .where(schema.runs.c.id == run_id)
        .values(finished_at=now, outcome=outcome)
    )


def prune_results(conn: sa.Connection, *, keep_runs: int) -> int:
    """Delete per-item results of all but the last ``keep_runs`` runs.

    Returns:
        How many results were deleted.
    """
    newest = conn.execute(sa.select(sa.func.max(schema.runs.c.id))).scalar()
    if newest is None:
        return 0
    table = schema.item_results
    result = conn.execute(table.delete().where(table.c.run_id <= newest - keep_runs))
    return int(result.rowcount)


def record_results(
    conn: sa.Connection,
    run_id: int,
    connection_id: str,
    step: str,
    results: Iterable[ItemResult],
    *,
    now: datetime,
) -> None:
    """Store the per-item results of one step."""
    rows = [
        {
            "run_id": run_id,
            "connection_id": connection_id,
            "step": step,
            "key": r.key,
            "status": r.status.value,
            "message": r.message,
            "action": r.action,
            "details": dict(r.details),
            "at": now,
        }
        for r in results
    ]
    if rows:
        conn.execute(schema.item_results.insert(), rows)


def record_step(
    conn: sa.Connection,
    run_id: int,
    connection_id: str,
    step: str,
    outcome: str,
    *,
    message: str = "",
    counts: Mapping[str, int] | None = None,
    now: datetime,
) -> None:
    """Store how one step of one connection ended."""
    conn.execute(
        schema.step_runs.insert().values(
            run_id=run_id,
            connection_id=connection_id,
            step=step,
            outcome=outcome,
            message=message,
            counts=dict(counts or {}),
            at=now,
        )
    )


@attrs.frozen
class StepStatus:
    """The last recorded run of one step of one connection."""

    connection_id: str
    step: str
    outcome: str
    message: str
    counts: Mapping[str, int]
    at: datetime


def last_steps(conn: sa.Connection) -> list[StepStatus]:
    """Return the latest recorded run of each step of each connection."""
    table = schema.step_runs
    latest = (
        sa.select(sa.func.max(table.c.id))
        .group_by(table.c.connection_id, table.c.step)
        .scalar_subquery()
    )
    query = (
        sa.select(table).where(table.c.id.in_(latest)).order_by(table.c.connection_id)
    )
    return [
        StepStatus(r.connection_id, r.step, r.outcome, r.message, r.counts, r.at)
        for r in conn.execute(query)
    ]


def deferred_items(conn: sa.Connection, connection_id: str) -> dict[str, int]:
    """Return how many items of each kind wait for a later cycle."""
    table = schema.pushed_values
    query = (
        sa.select(table.c.kind, sa.func.count())
        .where(
            table.c.connection_id == connection_id,
            table.c.status.in_(["deferred", "failed"]),
        )
        .group_by(table.c.kind)
    )
    return {str(kind): int(count) for kind, count in conn.execute(query)}


def count_rows(conn: sa.Connection, table: sa.Table, **where: Any) -> int:
    """Return how many rows of ``table`` match the column values given."""
    query = sa.select(sa.func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    return int(conn.execute(query).scalar() or 0)
