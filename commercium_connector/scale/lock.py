"""One cycle per connection at a time, across every worker: a lock in Redis.

The lock expires after a TTL, so a worker that dies holding it (killed,
machine lost) blocks its connection for at most that long. While a cycle
runs, a thread of the worker renews the expiry every third of the TTL, so a
long cycle keeps its lock however long it runs.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from redis.exceptions import LockError, LockNotOwnedError

logger = logging.getLogger(__name__)

KEY_PREFIX = "commercium:cycle"


def holder_name() -> str:
    """Return ``host:pid`` of this process, as written beside a held lock."""
    return f"{socket.gethostname()}:{os.getpid()}"


class CycleLock:
    """The cycle lock of one connection.

    Args:
        client: The Redis client.
        connection_id: The connection.
        ttl: Seconds the lock outlives a holder that stops renewing it.
        prefix: The Redis key prefix.
    """

    def __init__(
        self,
        client: redis.Redis,
        connection_id: str,
        ttl: float,
        *,
        prefix: str = KEY_PREFIX,
    ) -> None:
        if ttl <= 0:
            raise ValueError(f"invalid lock TTL {ttl!r}; use seconds above 0")
        self.client = client
        self.connection_id = connection_id
        self.ttl = ttl
        self.key = f"{prefix}:{connection_id}"
        self.holder_key = f"{self.key}:holder"

    def holder(self) -> str | None:
        """Return ``host:pid`` of the process holding the lock, or None."""
        value = self.client.get(self.holder_key)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    @contextmanager
    def hold(self) -> Iterator[bool]:
        """Take the lock for the block, yielding False when another holds it."""
        # thread_local=False: the renewing thread must see the lock's token.
        lock = self.client.lock(
            self.key, timeout=self.ttl, blocking=False, thread_local=False
        )
        if not lock.acquire(blocking=False):
            yield False
            return
        ttl_ms = int(self.ttl * 1000)
        self.client.set(self.holder_key, holder_name(), px=ttl_ms)
        stop = threading.Event()
        renewer = threading.Thread(
            target=self._renew,
            args=(lock, stop, ttl_ms),
            name=f"cycle-lock-{self.connection_id}",
            daemon=True,
        )
        renewer.start()
        try:
            yield True
        finally:
            stop.set()
            renewer.join()
            try:
                lock.release()
                self.client.delete(self.holder_key)
            except LockNotOwnedError:
                logger.warning(
                    "the cycle lock of connection %s expired before the cycle "
                    "ended; another cycle may have run alongside",
                    self.connection_id,
                )

    def _renew(self, lock: redis.lock.Lock, stop: threading.Event, ttl_ms: int) -> None:
        while not stop.wait(self.ttl / 3):
            try:
                lock.reacquire()
                self.client.pexpire(self.holder_key, ttl_ms)
            except (LockError, redis.RedisError) as exc:
                # Keep trying: a short Redis outage must not end the cycle, and
                # the lock expires by itself if it does not come back.
                logger.warning(
                    "renewing the cycle lock of connection %s failed: %s",
                    self.connection_id,
                    exc,
                )
