"""Opening the store: the engine, the run lock and the migrations.

The store is an SQLite file by default; a database URL selects SQLite or
PostgreSQL, which run the same schema and migrations.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import event

from commercium_connector.host.store import schema
from commercium_connector.host.store.lock import (
    PostgresStoreLock,
    StoreLock,
    StoreLockedError,
)
from commercium_connector.host.store.migrations import (
    LATEST_VERSION,
    current_version,
    migrate,
)


class StoreMissingError(Exception):
    """A read-only command was pointed at a store that does not exist yet."""


class StoreUrlError(ValueError):
    """A database URL is invalid or names a database the store does not run on."""


class _RunLock(Protocol):
    def acquire(self) -> None: ...

    def release(self) -> None: ...


# How long a shared opener of an SQLite store waits for another opener's
# migration to finish, in seconds.
SHARED_SQLITE_LOCK_WAIT = 30.0


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets `status` read while a sync writes. With NORMAL, a commit
    # survives a killed process but the last commits may be lost on a power
    # cut; the store stays consistent, and the sync repeats that work
    # safely (orders are pulled again, a shipment already sent is detected).
    # FULL would fsync on every commit, which the plugins' many state writes
    # make slow.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_sqlite_engine(path: Path) -> sa.Engine:
    """Build an engine on the SQLite file at ``path`` with the store's pragmas."""
    engine = sa.create_engine(f"sqlite+pysqlite:///{path}")
    event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def sqlite_path_of(url: str) -> Path | None:
    """Return the file of an SQLite database URL, or None for another database.

    Raises:
        StoreUrlError: The URL is invalid, or an SQLite URL names no file.
    """
    parsed = _parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if parsed.database in (None, "", ":memory:"):
        raise StoreUrlError(
            f"the SQLite URL {parsed!r} names no file; write sqlite:///path/to/file"
        )
    return Path(str(parsed.database))


def _parse_url(url: str) -> sa.URL:
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise StoreUrlError(
            "invalid database URL; write e.g. sqlite:///store.sqlite or "
            "postgresql+psycopg://user@host/database"
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreUrlError(
            f"the store does not run on {parsed.get_backend_name()!r}; use an "
            "sqlite:// or postgresql+psycopg:// URL"
        )
    return parsed


def create_postgres_engine(url: str) -> sa.Engine:
    """Build an engine on a PostgreSQL database URL.

    Raises:
        StoreUrlError: The URL is invalid or not a PostgreSQL URL.
    """
    parsed = _parse_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise StoreUrlError(f"not a PostgreSQL URL: {parsed!r}")
    # pre_ping replaces connections the server closed while a worker idled.
    return sa.create_engine(parsed, pool_pre_ping=True)


class Store:
    """The host's store: an SQLAlchemy engine, plus the run lock when held.

    Open it with ``Store.open`` (an SQLite file), ``Store.open_url`` (SQLite
    or PostgreSQL) or ``Store.open_shared`` (scale-out workers). Each sync
    step writes inside one ``transaction()``; reads that need no atomicity
    use ``read()``.

    Attributes:
        engine: The SQLAlchemy engine.
        path: The SQLite file, or None on PostgreSQL.
        location: The file or the URL without its password, for messages.
    """

    def __init__(
        self,
        engine: sa.Engine,
        path: Path | None,
        lock: _RunLock | None,
        *,
        location: str | None = None,
    ) -> None:
        self.engine = engine
        self.path = path
        self.location = location or str(path)
        self._lock = lock

    @classmethod
    def open_url(cls, url: str, *, exclusive: bool = True) -> Store:
        """Open the store at a database URL, as ``open`` does for a file.

        On PostgreSQL the run lock is an advisory lock rather than a file.

        Raises:
            StoreUrlError: The URL is invalid or names another database.
            StoreLockedError: Another run holds the store.
            StoreMissingError: ``exclusive`` is off and the store has not
                been migrated.
            StoreVersionError: The store is newer than this host.
        """
        path = sqlite_path_of(url)
        if path is not None:
            return cls.open(path, exclusive=exclusive)
        engine = create_postgres_engine(url)
        location = engine.url.render_as_string(hide_password=True)
        if not exclusive:
            if current_version(engine) < LATEST_VERSION:
                engine.dispose()
                raise StoreMissingError(
                    f"the store at {location} has not been migrated to this "
                    "version; run `commercium-connector sync` once to migrate it"
                )
            return cls(engine, None, None, location=location)
        lock = PostgresStoreLock(engine)
        try:
            lock.acquire()
            migrate(engine)
        except BaseException:
            lock.release()
            engine.dispose()
            raise
        return cls(engine, None, lock, location=location)

    @classmethod
    def open_shared(cls, url: str) -> Store:
        """Open a store that several processes sync at once, migrating it first.

        No run lock is held afterwards: the caller keeps each connection's
        cycles apart, as the scale-out workers do with a lock in Redis. On
        SQLite the run lock file is held only while migrating, and a
        ``commercium-connector`` run holding it makes this wait up to
        ``SHARED_SQLITE_LOCK_WAIT`` seconds.

        Raises:
            StoreUrlError: The URL is invalid or names another database.
            StoreLockedError: The SQLite run lock stayed held.
            StoreVersionError: The store is newer than this host.
        """
        path = sqlite_path_of(url)
        if path is None:
            engine = create_postgres_engine(url)
            location = engine.url.render_as_string(hide_password=True)
            try:
                migrate(engine)
            except BaseException:
                engine.dispose()
                raise
            return cls(engine, None, None, location=location)
        deadline = time.monotonic() + SHARED_SQLITE_LOCK_WAIT
        while True:
            try:
                store = cls.open(path)
            except StoreLockedError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
                continue
            if store._lock is not None:
                store._lock.release()
                store._lock = None
            return store

    @classmethod
    def open(cls, path: Path, *, exclusive: bool = True) -> Store:
        """Open the store at ``path``.

        Args:
            path: The SQLite file; its folder is created when missing.
            exclusive: Take the run lock and apply pending migrations. Without
                it the store is opened for reading, and must exist already.

        Raises:
            StoreLockedError: Another run holds the store.
            StoreMissingError: ``exclusive`` is off and there is no store.
            StoreVersionError: The store is newer than this host.
        """
        path = path.expanduser()
        if not exclusive:
            if not path.exists():
                raise StoreMissingError(
                    f"no store at {path}; run `commercium-connector sync` first, "
                    "or pass the store's folder with --data-dir"
                )
            engine = create_sqlite_engine(path)
            if current_version(engine) < LATEST_VERSION:
                engine.dispose()
                raise StoreMissingError(
                    f"the store at {path} has not been migrated to this version; "
                    "run `commercium-connector sync` once to migrate it"
                )
            return cls(engine, path, None)

        path.parent.mkdir(parents=True, exist_ok=True)
        lock = StoreLock(path.with_name(path.name + ".lock"))
        lock.acquire()
        try:
            engine = create_sqlite_engine(path)
            migrate(engine)
        except BaseException:
            lock.release()
            raise
        return cls(engine, path, lock)

    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """Run a block in one transaction, committed at the end of the block."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """Open a connection for reads."""
        with self.engine.connect() as conn:
            yield conn

    def state_for(self, connection_id: str) -> ConnectionState:
        """Return the key-value state scoped to one connection."""
        return ConnectionState(self.engine, connection_id)

    def close(self) -> None:
        """Dispose of the engine and drop the run lock."""
        self.engine.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class ConnectionState:
    """A connection's key-value state (``types.StateStore``) in the store.

    Every ``set`` and ``delete`` commits at once in its own transaction, so a
    plugin can rely on a value being durable when the call returns.
    """

    def __init__(self, engine: sa.Engine, connection_id: str) -> None:
        self._engine = engine
        self._connection_id = connection_id

    def _where(self, key: str) -> sa.ColumnElement[bool]:
        table = schema.connection_state
        return sa.and_(table.c.connection_id == self._connection_id, table.c.key == key)

    def get(self, key: str) -> str | None:
        """Return the value stored under ``key``, or None."""
        table = schema.connection_state
        with self._engine.connect() as conn:
            value = conn.execute(sa.select(table.c.value).where(self._where(key)))
            return value.scalar_one_or_none()

    def set(self, key: str, value: str) -> None:
        """Store ``value`` under ``key`` and commit."""
        table = schema.connection_state
        now = datetime.now(timezone.utc)
        with self._engine.begin() as conn:
            updated = conn.execute(
                table.update()
                .where(self._where(key))
                .values(value=value, updated_at=now)
            )
            if updated.rowcount == 0:
                conn.execute(
                    table.insert().values(
                        connection_id=self._connection_id,
                        key=key,
                        value=value,
                        updated_at=now,
                    )
                )

    def delete(self, key: str) -> None:
        """Remove ``key`` and commit; a missing key is not an error."""
        with self._engine.begin() as conn:
            conn.execute(schema.connection_state.delete().where(self._where(key)))
