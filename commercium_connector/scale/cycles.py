"""The work of the tasks: one connection's cycle under its lock, and enqueuing.

These functions take their runtime and Redis client as arguments, so they run
the same in a Celery worker and in a test.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import redis

from commercium_connector.host.sync import STEPS
from commercium_connector.scale.lock import CycleLock
from commercium_connector.scale.runtime import WorkerRuntime

logger = logging.getLogger(__name__)

QUEUED_KEY_PREFIX = "commercium:queued"


@attrs.frozen
class CycleOutcome:
    """The result of one task's cycle.

    Attributes:
        connection_id: The connection.
        outcome: ``ok``, ``failed`` (a step failed) or ``skipped`` (another
            cycle of the connection was running).
        steps: Each step run and its outcome.
        message: Why the cycle was skipped.
    """

    connection_id: str
    outcome: str
    steps: dict[str, str] = attrs.field(factory=dict)
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return the outcome as JSON-ready data, the task's result."""
        return attrs.asdict(self)


def check_steps(steps: Sequence[str] | None) -> tuple[str, ...]:
    """Return the steps to run, every step for None.

    Raises:
        ValueError: A step name is unknown.
    """
    if steps is None:
        return STEPS
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        raise ValueError(
            f"unknown sync step(s) {', '.join(map(repr, unknown))}; "
            f"use some of: {', '.join(STEPS)}"
        )
    return tuple(steps)


def queued_key(connection_id: str) -> str:
    """Return the key that marks a connection's cycle as waiting in the queue."""
    return f"{QUEUED_KEY_PREFIX}:{connection_id}"


def run_cycle(
    runtime: WorkerRuntime, connection_id: str, steps: Sequence[str] | None = None
) -> CycleOutcome:
    """Run a connection's cycle (or some of its steps) under its lock.

    A cycle that finds the lock taken does nothing and logs why.

    Raises:
        UnknownConnectionError: No enabled connection has that id.
        ValueError: A step name is unknown.
    """
    chosen = check_steps(steps)
    connection = runtime.connection(connection_id)
    runtime.redis.delete(queued_key(connection_id))
    lock = runtime.cycle_lock(connection_id)
    with lock.hold() as held:
        if not held:
            holder = lock.holder() or "an unknown worker"
            logger.info(
                "cycle of connection %s skipped: another cycle is running on %s",
                connection_id,
                holder,
            )
            return CycleOutcome(
                connection_id,
                "skipped",
                message=f"another cycle is running on {holder}",
            )
        report = runtime.engine.run_cycle([connection], chosen)
    outcome = "failed" if report.failed else "ok"
    logger.info("cycle of connection %s finished: %s", connection_id, outcome)
    return CycleOutcome(
        connection_id, outcome, steps={s.step: s.outcome for s in report.steps}
    )


def enqueue_cycles(
    client: redis.Redis,
    connection_ids: Sequence[str],
    send: Callable[[str], object],
    *,
    lock_ttl: float,
) -> list[str]:
    """Enqueue a cycle for each connection that has none queued or running.

    A connection whose cycle is still running, or still waits in the queue,
    is skipped with a log line, so a slow connection never piles up cycles.
    The queued mark expires after ``lock_ttl`` in case its task is lost.

    Args:
        client: The Redis client.
        connection_ids: The enabled connections.
        send: Enqueues the cycle task of one connection.
        lock_ttl: Seconds of the cycle locks.

    Returns:
        The connections whose cycle was enqueued.
    """
    sent = []
    for connection_id in connection_ids:
        holder = CycleLock(client, connection_id, lock_ttl).holder()
        if holder is not None:
            logger.info(
                "cycle of connection %s not enqueued: a cycle is running on %s",
                connection_id,
                holder,
            )
            continue
        marked = client.set(
            queued_key(connection_id), "1", nx=True, px=int(lock_ttl * 1000)
        )
        if not marked:
            logger.info(
                "cycle of connection %s not enqueued: one is already queued",
                connection_id,
            )
            continue
        send(connection_id)
        sent.append(connection_id)
    return sent
