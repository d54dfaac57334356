"""Versioned schema migrations, applied in order when the store opens.

Each migration runs in its own transaction together with the row that records
it, so a crash leaves the store at one version or the next, never between.
The same migrations run on SQLite and PostgreSQL. On PostgreSQL, where many
workers may open the store at once, an advisory lock lets one of them migrate
while the others wait.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import sqlalchemy as sa

from commercium_connector.host.store import schema
from commercium_connector.host.store.lock import advisory_lock_key

MIGRATION_LOCK_KEY = advisory_lock_key("commercium-connector store migrations")


class StoreVersionError(Exception):
    """The store was written by a newer version of the host."""


def _create_initial_tables(conn: sa.Connection) -> None:
    # NOTE: version 1 creates the tables as schema.py defines them. A later
    # change to a table needs its own migration (ALTER TABLE), and this one must
    # then keep creating the version 1 shape.
    later = {"schema_migrations", *_LATER_TABLES}
    tables = [t for t in schema.metadata.sorted_tables if t.name not in later]
    schema.metadata.create_all(conn, tables=tables)


def _create_imported_stock(conn: sa.Connection) -> None:
    # NOTE: a store created before this migration has no imported counts, so
    # its first products import after the upgrade sets every quantity given.
    schema.imported_stock.create(conn)


# Tables that a migration after version 1 creates.
_LATER_TABLES = ("imported_stock",)

MIGRATIONS: tuple[tuple[int, str, Callable[[sa.Connection], None]], ...] = (
    (1, "initial schema", _create_initial_tables),
    (2, "imported stock counts", _create_imported_stock),
)
LATEST_VERSION = MIGRATIONS[-1][0]


def current_version(engine: sa.Engine) -> int:
    """Return the store's schema version, 0 for an empty database."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("schema_migrations"):
            return 0
        version = conn.execute(
            sa.select(sa.func.max(schema.schema_migrations.c.version))
        ).scalar()
    return int(version or 0)


@contextmanager
def _migration_lock(engine: sa.Engine) -> Iterator[None]:
    """Hold the migration lock on PostgreSQL; SQLite needs none.

    An SQLite store is migrated under its run lock file, so no two runs
    migrate it at once.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(
            sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
        )
        conn.commit()
        try:
            yield
        finally:
            conn.execute(
                sa.text("SELECT pg_advisory_unlock(:key)"),
                {"key": MIGRATION_LOCK_KEY},
            )
            conn.commit()


def migrate(engine: sa.Engine) -> list[int]:
    """Apply the migrations the store lacks.

    Returns:
        The versions applied, oldest first.

    Raises:
        StoreVersionError: The store has a version this host does not know.
    """
    with _migration_lock(engine):
        return _migrate(engine)


def _migrate(engine: sa.Engine) -> list[int]:
    schema.schema_migrations.create(engine, checkfirst=True)
    version = current_version(engine)
    if version > LATEST_VERSION:
        raise StoreVersionError(
            f"the store has schema version {version} but this host supports versions "
            f"up to {LATEST_VERSION}; upgrade commercium-connector to open it"
        )
    applied = []
    for number, description, step in MIGRATIONS:
        if number <= version:
            continue
        with engine.begin() as conn:
            step(conn)
            conn.execute(
                schema.schema_migrations.insert().values(
                    version=number,
                    description=description,
                    applied_at=datetime.now(timezone.utc),
                )
            )
        applied.append(number)
    return applied
