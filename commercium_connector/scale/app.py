"""The Celery application: the tasks, and the schedule of the beat process.

Tasks:

- ``commercium.sync_connection(connection_id, steps=None)``: one
  connection's cycle, or the named steps of it, under the connection's lock.
- ``commercium.sync_step(connection_id, step)``: one step alone.
- ``commercium.enqueue_cycles()``: a cycle for every enabled connection that
  has none queued or running; Celery beat sends it every ``[sync] interval``
  seconds of the host configuration (300 when unset).

The broker and the result backend are ``COMMERCIUM_REDIS_URL``.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from celery import Celery  # type: ignore[import-untyped]
from celery.signals import worker_process_shutdown  # type: ignore[import-untyped]

from commercium_connector.host.config import load_config
from commercium_connector.scale import cycles
from commercium_connector.scale.runtime import WorkerRuntime
from commercium_connector.scale.settings import DEFAULT_REDIS_URL, ScaleSettings

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 300.0

_runtime: WorkerRuntime | None = None
_runtime_lock = threading.Lock()


def get_runtime() -> WorkerRuntime:
    """Return this process's runtime, built on first use from the environment."""
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            _runtime = WorkerRuntime(ScaleSettings.from_env())
        return _runtime


def _close_runtime(**_kwargs: Any) -> None:
    global _runtime
    with _runtime_lock:
        if _runtime is not None:
            _runtime.close()
            _runtime = None


def create_app(redis_url: str) -> Any:
    """Build the Celery application on a Redis broker and result backend."""
    celery_app = Celery("commercium_connector.scale", broker=redis_url)
    celery_app.conf.update(
        result_backend=redis_url,
        result_expires=3600,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        # A worker takes one task at a time, so a long cycle does not hold
        # back other connections' cycles that another worker could run.
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        task_default_queue="commercium",
    )
    return celery_app


def beat_schedule() -> dict[str, dict[str, Any]]:
    """Return the beat schedule: enqueue cycles every configured interval."""
    interval = DEFAULT_INTERVAL
    config_path = os.environ.get("COMMERCIUM_CONFIG", "").strip()
    if config_path:
        settings = ScaleSettings.from_env()
        config = load_config(settings.config_path, secrets=False)
        interval = config.sync_interval or DEFAULT_INTERVAL
    return {
        "commercium-sync-cycles": {
            "task": "commercium.enqueue_cycles",
            "schedule": interval,
        }
    }


def sync_connection(
    connection_id: str, steps: list[str] | None = None
) -> dict[str, Any]:
    """Run one connection's cycle, or the named steps, under its lock."""
    return cycles.run_cycle(get_runtime(), connection_id, steps).as_dict()


def sync_step(connection_id: str, step: str) -> dict[str, Any]:
    """Run one step of one connection under its lock."""
    return cycles.run_cycle(get_runtime(), connection_id, [step]).as_dict()


def enqueue_cycles() -> list[str]:
    """Enqueue a cycle for every enabled connection that has none pending."""
    settings = ScaleSettings.from_env()
    config = load_config(settings.config_path, secrets=False)
    runtime = get_runtime()
    enabled = [c.id for c in config.connections if c.enabled]
    return cycles.enqueue_cycles(
        runtime.redis,
        enabled,
        lambda connection_id: sync_connection_task.delay(connection_id),
        lock_ttl=settings.lock_ttl,
    )


app = create_app(
    os.environ.get("COMMERCIUM_REDIS_URL", "").strip() or DEFAULT_REDIS_URL
)
app.conf.beat_schedule = beat_schedule()
sync_connection_task = app.task(name="commercium.sync_connection")(sync_connection)
sync_step_task = app.task(name="commercium.sync_step")(sync_step)
enqueue_cycles_task = app.task(name="commercium.enqueue_cycles")(enqueue_cycles)
worker_process_shutdown.connect(_close_runtime, weak=False)
