"""Push prices of listed products to Back Market.

Prices go as decimal strings in the market's currency. Below
``prices.csv_threshold`` changes, each goes as a real-time listing update.
From that many on, they go as one catalog CSV task, which is awaited so that
each SKU gets its own outcome. A price above the listing's ``max_price`` is
still sent, with a warning in its result, because the seller chose it, but
Back Market does not show a listing online above that price.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import attrs

from backmarket_sdk import CURRENCY_MINOR_DIGITS
from backmarket_sdk import models as bm
from commercium_connector.backmarket.budget import split_by_budget
from commercium_connector.backmarket.client_factory import ITEM_ERRORS
from commercium_connector.backmarket.context import SyncContext
from commercium_connector.backmarket.identifiers import ProductIndex, match_key
from commercium_connector.backmarket.listings import find_listing, listings_by_sku
from commercium_connector.backmarket.results import budget_deferred, dry_run_done
from commercium_connector.backmarket.tasks import (
    SkuOutcome,
    TaskTimeoutError,
    run_catalog,
    running_skus,
    sku_outcomes,
    task_running,
)
from commercium_connector.types import ItemResult, ItemStatus, PriceUpdate

logger = logging.getLogger(__name__)


def market_amount(amount: Decimal, currency: str) -> Decimal:
    """Round an amount to the currency's minor unit, half up."""
    step = Decimal(1).scaleb(-CURRENCY_MINOR_DIGITS.get(currency, 2))
    return amount.quantize(step, rounding=ROUND_HALF_UP)


@attrs.frozen
class PriceChange:
    """A price to send to one listing."""

    key: str
    listing: bm.Listing
    amount: Decimal
    warning: str

    def details(self, currency: str) -> dict[str, str]:
        return {
            "price": str(self.amount),
            "currency": currency,
            "listing_id": str(self.listing.id),
            "previous": "" if self.listing.price is None else str(self.listing.price),
        }


def _check(update: PriceUpdate, currency: str) -> str | None:
    if update.currency.strip().upper() != currency:
        return (
            f"price currency {update.currency!r} does not match the market's "
            f"currency {currency}; send the price in {currency}"
        )
    if not update.amount.is_finite() or update.amount <= 0:
        return f"invalid price {update.amount}: use an amount above 0"
    return None


def _plan(
    ctx: SyncContext, prices: Sequence[PriceUpdate], listings: dict[str, bm.Listing]
) -> tuple[list[PriceChange], list[ItemResult]]:
    identifier = ctx.settings.product_identifier
    currency = ctx.settings.currency
    ProductIndex.build(identifier, [update.product for update in prices])
    changes: list[PriceChange] = []
    results: list[ItemResult] = []
    for update in prices:
        key = identifier.value_of(update.product)
        if key is None:
            results.append(
                ItemResult(
                    key=update.product.sku,
                    status=ItemStatus.FAILED,
                    action="price",
                    message=(
                        f"product {update.product.sku!r} has no "
                        f"{identifier.describe()} value to match a "
                        "Back Market SKU"
                    ),
                )
            )
            continue
        problem = _check(update, currency)
        if problem is not None:
            results.append(
                ItemResult(
                    key=key, status=ItemStatus.FAILED, action="price", message=problem
                )
            )
            continue
        listing = find_listing(listings, key)
        if listing is None:
            results.append(
                ItemResult(
                    key=key,
                    status=ItemStatus.SKIPPED,
                    action="price",
                    message="no Back Market listing has this SKU",
                )
            )
            continue
        amount = market_amount(update.amount, currency)
        if listing.price is not None and listing.price == amount:
            results.append(
                ItemResult(
                    key=key,
                    status=ItemStatus.SKIPPED,
                    action="price",
                    message="unchanged: Back Market shows this price",
                    details={"price": str(amount), "currency": currency},
                )
            )
            continue
        warning = ""
        if listing.max_price is not None and amount > listing.max_price:
            warning = (
                f"price {amount} {currency} is above the listing's max_price "
                f"{listing.max_price}; Back Market keeps the listing offline "
                "until the price is at most that"
            )
        changes.append(PriceChange(key, listing, amount, warning))
    return changes, results


def _send_realtime(
    ctx: SyncContext, changes: Sequence[PriceChange]
) -> list[ItemResult]:
    currency = ctx.settings.currency
    results: list[ItemResult] = []
    for change in changes:
        details = change.details(currency)
        try:
            ctx.client.listings.update(
                change.listing.id, price=change.amount, currency=currency
            )
        except ITEM_ERRORS as error:
            logger.warning("price update of %s failed: %s", change.key, error)
            results.append(
                ItemResult(
                    key=change.key,
                    status=ItemStatus.FAILED,
                    action="price",
                    message=f"Back Market rejected the price: {error}",
                    details=details,
                )
            )
            continue
        finally:
            ctx.budget.spend(1)
        results.append(
            ItemResult(
                key=change.key,
                status=ItemStatus.DONE,
                action="price",
                message=change.warning,
                details=details,
            )
        )
    return results


def _send_catalog(ctx: SyncContext, changes: Sequence[PriceChange]) -> list[ItemResult]:
    currency = ctx.settings.currency
    rows = [
        {"sku": change.listing.sku, "price": str(change.amount), "currency": currency}
        for change in changes
    ]
    ctx.budget.spend(len(rows))
    try:
        tasks = run_catalog(ctx, "price", rows)
    except TaskTimeoutError as error:
        return [
            ItemResult(
                key=change.key,
                status=ItemStatus.DEFERRED,
                action="price",
                message=str(error),
                details=change.details(currency),
            )
            for change in changes
        ]
    except ITEM_ERRORS as error:
        return [
            ItemResult(
                key=change.key,
                status=ItemStatus.FAILED,
                action="price",
                message=f"Back Market rejected the price catalog: {error}",
                details=change.details(currency),
            )
            for change in changes
        ]

    return _catalog_results(changes, tasks, currency)


def _catalog_results(
    changes: Sequence[PriceChange], tasks: Sequence[bm.Task], currency: str
) -> list[ItemResult]:
    """Return each change's result from the finished tasks' per-SKU reports."""
    outcomes: dict[str, SkuOutcome] = {}
    failures: list[str] = []
    for task in tasks:
        if task.status is bm.TaskStatus.FAILED:
            failures.append(f"task {task.task_id} failed: {task.last_action_error}")
        outcomes.update(sku_outcomes(task))
    task_ids = ",".join(str(task.task_id) for task in tasks)

    results: list[ItemResult] = []
    for change in changes:
        details = {**change.details(currency), "task_ids": task_ids}
        outcome = outcomes.get(match_key(change.listing.sku))
        status = ItemStatus.DONE
        message = change.warning
        if outcome is not None and not outcome.ok:
            status = ItemStatus.FAILED
            message = f"Back Market rejected the price: {outcome.reason or 'no reason'}"
        elif outcome is None and failures:
            # A task that failed as a whole reports no SKU.
            status = ItemStatus.FAILED
            message = "; ".join(failures)
        results.append(
            ItemResult(
                key=change.key,
                status=status,
                action="price",
                message=message,
                details=details,
            )
        )
    return results


def push_prices(
    ctx: SyncContext, prices: Sequence[PriceUpdate], dry_run: bool
) -> list[ItemResult]:
    """Push the changed prices, within the hourly SKU budget."""
    identifier = ctx.settings.product_identifier
    listings = listings_by_sku(
        ctx.client, [identifier.value_of(update.product) for update in prices]
    )
    changes, results = _plan(ctx, prices, listings)
    running = running_skus(ctx, "price", dry_run)
    free: list[PriceChange] = []
    for change in changes:
        task_id = running.get(match_key(change.listing.sku))
        if task_id is None:
            free.append(change)
        else:
            results.append(task_running(change.key, "price", task_id))
    changes = free
    order = {id(change): position for position, change in enumerate(changes)}
    now_changes, deferred = split_by_budget(
        changes, ctx.budget.remaining(), lambda change: order[id(change)]
    )
    results.extend(budget_deferred(ctx, change.key, "price") for change in deferred)
    if not now_changes:
        return results

    use_catalog = len(now_changes) >= ctx.settings.prices.csv_threshold
    if dry_run:
        path = "catalog CSV" if use_catalog else "real-time update"
        for change in now_changes:
            details = {**change.details(ctx.settings.currency), "path": path}
            result = dry_run_done(change.key, "price", details)
            if change.warning:
                result = attrs.evolve(
                    result, message=f"{result.message}; {change.warning}"
                )
            results.append(result)
        return results
    if use_catalog:
        results.extend(_send_catalog(ctx, now_changes))
    else:
        results.extend(_send_realtime(ctx, now_changes))
    return results
