"""Item results shared by the push hooks."""

from __future__ import annotations

from collections.abc import Mapping

from commercium_connector.backmarket.context import SyncContext
from commercium_connector.types import ItemResult, ItemStatus

DRY_RUN_MESSAGE = "dry run: not sent"


def dry_run_done(key: str, action: str, details: Mapping[str, str]) -> ItemResult:
    """Return the result of an item that a dry run would have sent."""
    return ItemResult(
        key=key,
        status=ItemStatus.DONE,
        action=action,
        message=DRY_RUN_MESSAGE,
        details={**details, "dry_run": "true"},
    )


def budget_deferred(ctx: SyncContext, key: str, action: str) -> ItemResult:
    """Return the result of an item left for a later hour by the SKU budget."""
    frees_at = ctx.budget.frees_at()
    when = f"; room frees up at {frees_at.isoformat()}" if frees_at else ""
    return ItemResult(
        key=key,
        status=ItemStatus.DEFERRED,
        action=action,
        message=(
            f"hourly budget of {ctx.budget.limit} SKU lines reached "
            f"(hourly_sku_budget){when}"
        ),
    )
