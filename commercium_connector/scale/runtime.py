"""The per-process state of a worker: configuration, store, plugins, Redis.

A worker builds its runtime once, on its first task (after Celery has forked
the process), and keeps it for every later task.
"""

from __future__ import annotations

import logging
from datetime import datetime

import attrs
import redis
from redis.exceptions import LockNotOwnedError

from commercium_connector.host.config import (
    HostConfig,
    SmtpConfig,
    build_connections,
    load_config,
)
from commercium_connector.host.manager import PluginHost
from commercium_connector.host.notify import Notifier
from commercium_connector.host.store import Store
from commercium_connector.scale.engine import RetryingSyncEngine
from commercium_connector.scale.lock import CycleLock
from commercium_connector.scale.ratelimit import RedisRateLimiter
from commercium_connector.scale.settings import ScaleSettings
from commercium_connector.scale.transport import RateLimitedTransport
from commercium_connector.types import Connection

logger = logging.getLogger(__name__)

NOTIFY_LOCK_KEY = "commercium:notify"


class UnknownConnectionError(LookupError):
    """A task names a connection that the configuration does not enable."""


def store_url(config: HostConfig) -> str:
    """Return the store's database URL: ``store.url``, else the SQLite file."""
    if config.store_url is not None:
        return config.store_url
    return f"sqlite:///{config.store_path}"


class SharedNotifier(Notifier):
    """A notifier whose emails are sent by one worker at a time.

    Every cycle ends by emailing the problems not sent yet, of every
    connection. Two workers doing it at once would send the same problems
    twice, so a worker that finds another one emailing leaves the problems
    to the next cycle.
    """

    def __init__(
        self, smtp: SmtpConfig | None, client: redis.Redis, lock_ttl: float
    ) -> None:
        super().__init__(smtp)
        self.client = client
        self.lock_ttl = lock_ttl

    def flush(self, store: Store, *, now: datetime) -> int:
        """Email the pending problems unless another worker is doing it."""
        lock = self.client.lock(NOTIFY_LOCK_KEY, timeout=self.lock_ttl)
        if not lock.acquire(blocking=False):
            logger.debug("another worker is sending notifications; skipped")
            return 0
        try:
            return super().flush(store, now=now)
        finally:
            try:
                lock.release()
            except LockNotOwnedError:
                logger.warning("the notification lock expired while emailing")


class WorkerRuntime:
    """The configuration, store, plugins and Redis client of one process.

    Args:
        settings: The worker's settings.
        plugins: The plugin host; by default the installed plugins.

    Raises:
        ConfigError: The host configuration is invalid.
        StoreUrlError: The store URL is invalid.
    """

    def __init__(
        self, settings: ScaleSettings, *, plugins: PluginHost | None = None
    ) -> None:
        self.settings = settings
        self.config = load_config(settings.config_path)
        self.redis = redis.Redis.from_url(settings.redis_url)
        self.store = Store.open_shared(store_url(self.config))
        self.plugins = plugins or PluginHost()
        self.notifier = SharedNotifier(self.config.smtp, self.redis, settings.lock_ttl)
        self.engine = RetryingSyncEngine(self.store, self.plugins, self.notifier)
        self._transports: list[RateLimitedTransport] = []
        built = build_connections(
            self.config, self.plugins.channels(), self.store.state_for
        )
        self.connections = {c.id: self._with_shared_limits(c) for c in built}

    def _with_shared_limits(self, connection: Connection) -> Connection:
        """Route the connection's requests through its token's Redis budgets."""
        token = connection.credentials.get("token", "").strip()
        if not token:
            return connection
        limiter = RedisRateLimiter(
            self.redis,
            token,
            limits=self.settings.rate_limits,
            margin=self.settings.rate_margin,
        )
        transport = RateLimitedTransport(limiter, connection.options.get("transport"))
        self._transports.append(transport)
        options = {**connection.options, "transport": transport}
        return attrs.evolve(connection, options=options)

    def connection(self, connection_id: str) -> Connection:
        """Return an enabled connection by id.

        Raises:
            UnknownConnectionError: No enabled connection has that id.
        """
        try:
            return self.connections[connection_id]
        except KeyError:
            known = ", ".join(sorted(self.connections)) or "none"
            raise UnknownConnectionError(
                f"no enabled connection {connection_id!r} in "
                f"{self.settings.config_path}; enabled connections: {known}"
            ) from None

    def cycle_lock(self, connection_id: str) -> CycleLock:
        """Return the cycle lock of a connection."""
        return CycleLock(self.redis, connection_id, self.settings.lock_ttl)

    def close(self) -> None:
        """Close the transports, the store and the Redis client."""
        for transport in self._transports:
            transport.shutdown()
        self.store.close()
        self.redis.close()
