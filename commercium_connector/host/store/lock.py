"""Exclusive locks that keep two runs off the same store.

An SQLite store is locked with a lock file, a PostgreSQL store with a
session-level advisory lock. The operating system drops a file lock when the
process ends, and PostgreSQL drops an advisory lock when the session ends, so
a run killed with SIGKILL never leaves a stale lock behind.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import IO

import sqlalchemy as sa

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(handle: IO[str]) -> bool:
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(handle: IO[str]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


class StoreLockedError(Exception):
    """Another run has the store locked."""


class StoreLock:
    """An exclusive lock on ``<store>.lock``, held until ``release``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock, or raise StoreLockedError naming the holder."""
        handle = self.path.open("a+", encoding="utf-8")
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise StoreLockedError(
                f"another commercium-connector run (process {holder}) is using "
                f"this store; lock file {self.path}. Wait for that run to finish "
                "or stop it, then run again."
            )
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Drop the lock; the lock file stays for the next run."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def advisory_lock_key(name: str) -> int:
    """Return the signed 64-bit PostgreSQL advisory lock key of ``name``."""
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


# Every store in one PostgreSQL database shares this run lock key.
RUN_LOCK_KEY = advisory_lock_key("commercium-connector store run lock")


class PostgresStoreLock:
    """A session-level advisory lock on a PostgreSQL store, held until ``release``.

    The lock lives in one connection checked out of the engine's pool until
    ``release``, so the store's own transactions never run in its session.
    """

    def __init__(self, engine: sa.Engine, key: int = RUN_LOCK_KEY) -> None:
        self.engine = engine
        self.key = key
        self._conn: sa.Connection | None = None

    def acquire(self) -> None:
        """Take the lock, or raise StoreLockedError naming the holder."""
        conn = self.engine.connect()
        try:
            acquired = conn.execute(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            ).scalar()
            # Commit so the session is not left idle in a transaction.
            conn.commit()
            if acquired:
                self._conn = conn
                return
            holder = conn.execute(
                sa.text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' "
                    "AND granted AND objsubid = 1 "
                    "AND ((classid::bigint << 32) | objid::bigint) = :key LIMIT 1"
                ),
                {"key": self.key},
            ).scalar()
        except BaseException:
            conn.close()
            raise
        conn.close()
        raise StoreLockedError(
            "another commercium-connector run (PostgreSQL backend process "
            f"{holder or 'unknown'}) is using this store. Wait for that run to "
            "finish or stop it, then run again."
        )

    def release(self) -> None:
        """Drop the lock and close its connection."""
        if self._conn is not None:
            try:
                self._conn.execute(
                    sa.text("SELECT pg_advisory_unlock(:key)"), {"key": self.key}
                )
                self._conn.commit()
            finally:
                self._conn.close()
                self._conn = None
