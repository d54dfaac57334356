"""An exclusive lock file that keeps two runs off the same store.

The operating system drops the lock when the process ends, however it ends,
so a run killed with SIGKILL never leaves a stale lock behind.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

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
    """Another run holds the store."""


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
