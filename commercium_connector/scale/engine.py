"""The host's sync engine, with steps retried when PostgreSQL aborts them.

Connections share the host's stock rows. The orders step locks the rows it
will change in SKU order, but other steps and the end-of-cycle pruning do
not, so PostgreSQL may still abort one transaction with a deadlock error (or
a serialization failure), and the standard remedy is to run it again. A
step rolls its writes back as a whole and its hooks are safe to call again,
so the engine runs the step again, a few times, before the failure counts.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from commercium_connector.host.manager import PluginHost
from commercium_connector.host.notify import Notifier
from commercium_connector.host.store import Store
from commercium_connector.host.sync import STEPS, SyncEngine

logger = logging.getLogger(__name__)

# SQLSTATE codes of a transaction PostgreSQL aborted to resolve a conflict.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock, serialization
MAX_ATTEMPTS = 4


def is_retryable(error: BaseException) -> bool:
    """Return whether a database error is a deadlock or serialization failure."""
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    return getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


class RetryingSyncEngine(SyncEngine):
    """A ``SyncEngine`` that runs a step again after a deadlock.

    Args:
        store: The opened store.
        plugins: The plugin facade.
        notifier: Where problems go.
        sleep: Waits between attempts, for tests.
    """

    def __init__(
        self,
        store: Store,
        plugins: PluginHost,
        notifier: Notifier,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(store, plugins, notifier)
        self.sleep = sleep
        # NOTE: this wraps the engine's per-step methods (``_step_<name>``),
        # which SyncEngine looks up by name; a renamed step method escapes it.
        for step in STEPS:
            name = f"_step_{step}"
            setattr(self, name, functools.partial(self._retrying, getattr(self, name)))

    def _retrying(self, handler: Callable[..., Any], *args: Any) -> Any:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return handler(*args)
            except sa.exc.DBAPIError as error:
                if not is_retryable(error) or attempt == MAX_ATTEMPTS:
                    raise
                delay = random.uniform(0.05, 0.2) * attempt
                logger.warning(
                    "%s: the database aborted the step (%s); attempt %d of %d "
                    "in %.2f s",
                    handler.__name__,
                    type(error.orig).__name__,
                    attempt + 1,
                    MAX_ATTEMPTS,
                    delay,
                )
                self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover
