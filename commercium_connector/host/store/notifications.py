"""The notification log: each problem is recorded once, then marked sent."""

from __future__ import annotations

from datetime import datetime

import attrs
import sqlalchemy as sa

from commercium_connector.host.store import schema


@attrs.frozen
class Notification:
    """A notification row waiting to be emailed."""

    id: int
    connection_id: str
    kind: str
    key: str
    subject: str
    body: str


def open_notification(
    conn: sa.Connection,
    connection_id: str,
    kind: str,
    key: str,
    subject: str,
    body: str,
    *,
    now: datetime,
) -> bool:
    """Log a problem unless it is already logged and not resolved since.

    Returns:
        Whether the problem is new, and so should be notified.
    """
    table = schema.notifications
    where = sa.and_(
        table.c.connection_id == connection_id,
        table.c.kind == kind,
        table.c.key == key,
    )
    row = conn.execute(sa.select(table.c.resolved_at).where(where)).first()
    if row is not None and row.resolved_at is None:
        return False
    values = {
        "subject": subject,
        "body": body,
        "created_at": now,
        "sent_at": None,
        "attempts": 0,
        "last_error": "",
        "resolved_at": None,
    }
    if row is None:
        conn.execute(
            table.insert().values(
                connection_id=connection_id, kind=kind, key=key, **values
            )
        )
    else:
        conn.execute(table.update().where(where).values(**values))
    return True


def resolve_notification(
    conn: sa.Connection, connection_id: str, kind: str, key: str, *, now: datetime
) -> bool:
    """Mark a problem resolved, so that it is notified again if it comes back."""
    table = schema.notifications
    result = conn.execute(
        table.update()
        .where(
            table.c.connection_id == connection_id,
            table.c.kind == kind,
            table.c.key == key,
            table.c.resolved_at.is_(None),
        )
        .values(resolved_at=now)
    )
    return result.rowcount > 0


def unsent_notifications(conn: sa.Connection) -> list[Notification]:
    """Return the notifications not emailed yet, oldest first."""
    table = schema.notifications
    query = sa.select(table).where(table.c.sent_at.is_(None)).order_by(table.c.id)
    return [
        Notification(r.id, r.connection_id, r.kind, r.key, r.subject, r.body)
        for r in conn.execute(query)
    ]


def mark_sent(conn: sa.Connection, ids: list[int], *, now: datetime) -> None:
    """Mark notifications as sent."""
    table = schema.notifications
    conn.execute(
        table.update()
        .where(table.c.id.in_(ids))
        .values(sent_at=now, attempts=table.c.attempts + 1)
    )


def mark_failed(conn: sa.Connection, ids: list[int], error: str) -> None:
    """Record a failed email attempt; the notifications stay unsent."""
    table = schema.notifications
    conn.execute(
        table.update()
        .where(table.c.id.in_(ids))
        .values(attempts=table.c.attempts + 1, last_error=error)
    )


def open_problems(conn: sa.Connection, connection_id: str) -> dict[str, int]:
    """Return how many unresolved problems of each kind a connection has."""
    table = schema.notifications
    query = (
        sa.select(table.c.kind, sa.func.count())
        .where(table.c.connection_id == connection_id, table.c.resolved_at.is_(None))
        .group_by(table.c.kind)
    )
    return {str(kind): int(count) for kind, count in conn.execute(query)}
