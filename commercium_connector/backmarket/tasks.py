"""Send catalog CSV rows to Back Market and wait for the task's outcome.

Back Market processes a catalog CSV asynchronously and reports each SKU in
the task's ``result`` once it is done, which takes minutes. The wait uses the
context's ``sleep`` so that hosts and tests can drive it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from backmarket_sdk import models as bm
from commercium_connector.backmarket.client_factory import ITEM_ERRORS
from commercium_connector.backmarket.context import SyncContext
from commercium_connector.backmarket.identifiers import match_key
from commercium_connector.types import ItemResult, ItemStatus

PENDING_PREFIX = "catalog:pending:"


class TaskTimeoutError(Exception):
    """A catalog task was still running when the wait ended.

    Attributes:
        task_ids: Every task of the catalog, finished or not.
    """

    def __init__(self, task_id: int, waited: float, task_ids: Sequence[int]) -> None:
        super().__init__(
            f"catalog task {task_id} still running after {waited:.0f} s "
            "(task_timeout); its SKUs are checked again on the next push"
        )
        self.task_ids = tuple(task_ids)


@attrs.frozen
class SkuOutcome:
    """Outcome of one SKU in a finished catalog task."""

    ok: bool
    reason: str = ""
    listing_id: str | None = None


def await_task(
    ctx: SyncContext,
    task_id: int,
    task_ids: Sequence[int] = (),
    monotonic: Callable[[], float] = time.monotonic,
) -> bm.Task:
    """Poll a task until it is done or failed.

    Args:
        ctx: The hook call's context.
        task_id: The task to wait for.
        task_ids: Every task of the same catalog, reported on a timeout.
        monotonic: The clock that bounds the wait.

    Raises:
        TaskTimeoutError: The task is not finished after ``task_timeout``.
    """
    timeout = ctx.settings.task_timeout
    interval = ctx.settings.task_poll_interval
    waited = 0.0
    started = monotonic()
    while True:
        task = ctx.client.tasks.get(task_id)
        if task.is_finished:
            return task
        # Both the injected sleeps and the real clock count, so a sleep that
        # returns at once still ends the wait.
        waited += interval
        if max(waited, monotonic() - started) >= timeout:
            raise TaskTimeoutError(task_id, timeout, task_ids or (task_id,))
        ctx.sleep(interval)


def run_catalog(
    ctx: SyncContext, kind: str, rows: Sequence[Mapping[str, object]]
) -> list[bm.Task]:
    """Send catalog rows and wait for every task they became.

    When the wait times out, the tasks and their SKUs are remembered in the
    connection's state under ``kind``, so that the next push defers those
    SKUs until the tasks finish instead of sending them again.

    Raises:
        TaskTimeoutError: A task is not finished after ``task_timeout``.
    """
    task_ids = ctx.client.listings.import_catalog(rows)
    try:
        return [await_task(ctx, task_id, task_ids) for task_id in task_ids]
    except TaskTimeoutError:
        skus = [match_key(str(row["sku"])) for row in rows]
        pending = load_pending(ctx, kind)
        # The SKUs are not split by task, so any running task defers them all.
        for task_id in task_ids:
            pending[str(task_id)] = skus
        save_pending(ctx, kind, pending)
        raise


def load_pending(ctx: SyncContext, kind: str) -> dict[str, list[str]]:
    """Return the unfinished catalog tasks of a kind: task id to folded SKUs."""
    raw = ctx.connection.state.get(PENDING_PREFIX + kind)
    if not raw:
        return {}
    try:
        loaded = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {str(key): [str(sku) for sku in value] for key, value in loaded.items()}


def save_pending(ctx: SyncContext, kind: str, pending: Mapping[str, list[str]]) -> None:
    """Store the unfinished catalog tasks of a kind, or clear them when none."""
    if pending:
        ctx.connection.state.set(PENDING_PREFIX + kind, json.dumps(dict(pending)))
    else:
        ctx.connection.state.delete(PENDING_PREFIX + kind)


def running_skus(ctx: SyncContext, kind: str, dry_run: bool) -> dict[str, int]:
    """Return the SKUs still in unfinished catalog tasks, with their task id.

    Tasks found finished, or unknown to Back Market, are forgotten, because
    the listings then show their outcome. A dry run only reads the state.
    """
    pending = load_pending(ctx, kind)
    still: dict[str, list[str]] = {}
    for task_id, skus in pending.items():
        if not task_id.isdigit():
            continue
        try:
            task = ctx.client.tasks.get(int(task_id))
        except ITEM_ERRORS:
            continue
        if not task.is_finished:
            still[task_id] = skus
    if still != pending and not dry_run:
        save_pending(ctx, kind, still)
    return {sku: int(task_id) for task_id, skus in still.items() for sku in skus}


def task_running(key: str, action: str, task_id: int) -> ItemResult:
    """Return the result of an item held back by an unfinished catalog task."""
    return ItemResult(
        key=key,
        status=ItemStatus.DEFERRED,
        action=action,
        message=(
            f"catalog task {task_id} with this SKU is still running; "
            "it is checked again on the next push"
        ),
        details={"task_id": str(task_id)},
    )


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
