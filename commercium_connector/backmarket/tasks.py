"""Send catalog CSV rows to Back Market and wait for the task's outcome.

Back Market processes a catalog CSV asynchronously and reports each SKU in
the task's ``result`` once it is done, which takes minutes. The wait uses the
context's ``sleep`` so that hosts and tests can drive it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from backmarket_sdk import models as bm
from commercium_connector.backmarket.context import SyncContext
from commercium_connector.backmarket.identifiers import match_key


class TaskTimeoutError(Exception):
    """A catalog task was still running when the wait ended."""

    def __init__(self, task_id: int, waited: float) -> None:
        super().__init__(
            f"catalog task {task_id} still running after {waited:.0f} s "
            "(task_timeout); its SKUs are sent again on the next push"
        )
        self.task_id = task_id


@attrs.frozen
class SkuOutcome:
    """Outcome of one SKU in a finished catalog task."""

    ok: bool
    reason: str = ""
    listing_id: str | None = None


def await_task(
    ctx: SyncContext, task_id: int, monotonic: Callable[[], float] = time.monotonic
) -> bm.Task:
    """Poll a task until it is done or failed.

    Raises:
        TaskTimeoutError: The task is not finished after ``task_timeout``.
    """
    timeout = ctx.settings.task_timeout
    interval = ctx.settings.task_poll_interval
    waited = 0.0
    started = monotonic()
    while True:
        task = ctx.client.tasks.get(task_id)
        if task.status in (bm.TaskStatus.DONE, bm.TaskStatus.FAILED):
            return task
        # Both the injected sleeps and the real clock count, so a sleep that
        # returns at once still ends the wait.
        waited += interval
        if max(waited, monotonic() - started) >= timeout:
            raise TaskTimeoutError(task_id, timeout)
        ctx.sleep(interval)


def run_catalog(
    ctx: SyncContext, rows: Sequence[Mapping[str, object]]
) -> list[bm.Task]:
    """Send catalog rows and wait for every task they became."""
    task_ids = ctx.client.listings.import_catalog(rows)
    return [await_task(ctx, task_id) for task_id in task_ids]


def _reason(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for name in ("error", "errors", "message", "reason", "detail"):
            if value.get(name):
                return _reason(value[name])
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(filter(None, (_reason(item) for item in value)))
    return "" if value is None else str(value)


def _outcome(value: Any) -> SkuOutcome:
    if isinstance(value, Mapping):
        status = str(value.get("status", value.get("state", ""))).lower()
        reason = _reason(value)
        # The UUID ``id`` is the listing id the SDK works with; the integer
        # ``listing_id`` is Back Market's deprecated twin.
        listing = value.get("id") or value.get("listing_id")
        failed = status in ("error", "failed", "rejected", "ko") or (
            bool(reason)
            and status not in ("ok", "success", "done", "created", "updated")
        )
        if value.get("success") is False:
            failed = True
        return SkuOutcome(
            ok=not failed, reason=reason, listing_id=str(listing) if listing else None
        )
    if isinstance(value, bool):
        return SkuOutcome(ok=value)
    if isinstance(value, str) and value.lower() in ("ok", "success", "done", "created"):
        return SkuOutcome(ok=True)
    return SkuOutcome(ok=False, reason=_reason(value))


def sku_outcomes(task: bm.Task) -> dict[str, SkuOutcome]:
    """Return each SKU's outcome from a finished task, keyed by folded SKU."""
    result = task.result
    found: dict[str, SkuOutcome] = {}
    if isinstance(result, Mapping):
        for sku, value in result.items():
            found[match_key(str(sku))] = _outcome(value)
    elif isinstance(result, (list, tuple)):
        for entry in result:
            if isinstance(entry, Mapping) and entry.get("sku"):
                found[match_key(str(entry["sku"]))] = _outcome(entry)
    return found
