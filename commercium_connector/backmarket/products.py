"""Create Back Market listings for host products that have none yet.

New listings go through the catalog CSV, each row matched to a Back Market
product by its product id or, failing that, its EAN. The task is awaited and
each SKU's outcome is returned. A created listing's id is in the result's
``details["listing_id"]``, so that the host can link the product to it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import attrs

from backmarket_sdk import models as bm
from commercium_connector.backmarket.budget import split_by_budget
from commercium_connector.backmarket.client_factory import ITEM_ERRORS
from commercium_connector.backmarket.context import SyncContext
from commercium_connector.backmarket.identifiers import ProductIndex, match_key
from commercium_connector.backmarket.inventory import pushed_quantity
from commercium_connector.backmarket.listings import find_listing, listings_by_sku
from commercium_connector.backmarket.prices import market_amount
from commercium_connector.backmarket.results import budget_deferred, dry_run_done
from commercium_connector.backmarket.settings import GRADES, BackMarketSettings
from commercium_connector.backmarket.tasks import (
    SkuOutcome,
    TaskTimeoutError,
    run_catalog,
    running_skus,
    sku_outcomes,
    task_running,
)
from commercium_connector.types import ItemResult, ItemStatus, Product

logger = logging.getLogger(__name__)


@attrs.frozen
class NewListing:
    """A catalog row that creates one listing."""

    key: str
    row: dict[str, str]


def _row_problem(product: Product, settings: BackMarketSettings) -> str | None:
    """Return why a product cannot become a catalog row, or None."""
    currency = settings.currency
    has_ean = bool(product.barcode and product.barcode.strip())
    if not product.marketplace_product_id and not has_ean:
        return (
            "needs a Back Market product id (marketplace_product_id) or an EAN "
            "(barcode) to match a Back Market product"
        )
    if product.price is None:
        return "has no price; set one to list it"
    if product.currency and product.currency.strip().upper() != currency:
        return (
            f"is priced in {product.currency}, not in the market's currency {currency}"
        )
    if not product.price.is_finite() or product.price <= 0:
        return f"has an invalid price {product.price}: use an amount above 0"
    grade = (product.grade or settings.products.default_grade).strip().upper()
    if grade not in GRADES:
        return f"has an unknown grade {product.grade!r}: use one of {', '.join(GRADES)}"
    return None


def _row(key: str, product: Product, settings: BackMarketSettings) -> dict[str, str]:
    """Return the catalog row of a product that ``_row_problem`` accepted."""
    if product.price is None:
        raise ValueError(f"product {key!r} has no price; check it with _row_problem")
    row: dict[str, str] = {"sku": key}
    # Back Market matches the product by id first, so the EAN goes only alone.
    if product.marketplace_product_id:
        row["product_id"] = product.marketplace_product_id.strip()
    else:
        row["ean"] = (product.barcode or "").strip()
    grade = product.grade or settings.products.default_grade
    row["price"] = str(market_amount(product.price, settings.currency))
    row["currency"] = settings.currency
    row["quantity"] = str(pushed_quantity(product.quantity, settings))
    row["grade"] = grade.strip().upper()
    row["warranty_delay"] = str(settings.products.warranty_delay)
    return row


def _plan(
    ctx: SyncContext, products: Sequence[Product], listings: dict[str, bm.Listing]
) -> tuple[list[NewListing], list[ItemResult]]:
    identifier = ctx.settings.product_identifier
    ProductIndex.build(identifier, products)
    planned: list[NewListing] = []
    results: list[ItemResult] = []
    for product in products:
        key = identifier.value_of(product)
        if key is None:
            results.append(
                ItemResult(
                    key=product.sku,
                    status=ItemStatus.FAILED,
                    action="create",
                    message=(
                        f"product {product.sku!r} has no {identifier.describe()} "
                        "value to use as the Back Market SKU"
                    ),
                )
            )
            continue
        listing = find_listing(listings, key)
        if listing is not None:
            results.append(
                ItemResult(
                    key=key,
                    status=ItemStatus.SKIPPED,
                    action="create",
                    message="already listed on Back Market",
                    details={"listing_id": str(listing.id)},
                )
            )
            continue
        problem = _row_problem(product, ctx.settings)
        if problem is not None:
            results.append(
                ItemResult(
                    key=key,
                    status=ItemStatus.FAILED,
                    action="create",
                    message=f"product {problem}",
                )
            )
            continue
        planned.append(NewListing(key, _row(key, product, ctx.settings)))
    return planned, results


def _listing_id(ctx: SyncContext, key: str, outcome: SkuOutcome | None) -> str | None:
    if outcome is not None and outcome.listing_id:
        return outcome.listing_id
    try:
        return str(ctx.client.listings.get_by_sku(key).id)
    except ITEM_ERRORS:
        return None


def _created(
    ctx: SyncContext, planned: Sequence[NewListing], tasks: Sequence[bm.Task]
) -> list[ItemResult]:
    outcomes: dict[str, SkuOutcome] = {}
    failures: list[str] = []
    for task in tasks:
        outcomes.update(sku_outcomes(task))
        if task.status is bm.TaskStatus.FAILED:
            failures.append(f"task {task.task_id} failed: {task.last_action_error}")
    task_ids = ",".join(str(task.task_id) for task in tasks)
    results: list[ItemResult] = []
    for item in planned:
        details = {**item.row, "task_ids": task_ids}
        outcome = outcomes.get(match_key(item.key))
        if outcome is not None and not outcome.ok:
            results.append(
                ItemResult(
                    key=item.key,
                    status=ItemStatus.FAILED,
                    action="create",
                    message=(
                        f"Back Market rejected the listing: "
                        f"{outcome.reason or 'no reason given'}"
                    ),
                    details=details,
                )
            )
            continue
        listing_id = _listing_id(ctx, item.key, outcome)
        if listing_id is None:
            reason = "; ".join(failures) or "the task reported no listing for this SKU"
            results.append(
                ItemResult(
                    key=item.key,
                    status=ItemStatus.FAILED,
                    action="create",
                    message=reason,
                    details=details,
                )
            )
            continue
        results.append(
            ItemResult(
                key=item.key,
                status=ItemStatus.DONE,
                action="create",
                details={**details, "listing_id": listing_id},
            )
        )
    return results


def push_products(
    ctx: SyncContext, products: Sequence[Product], dry_run: bool
) -> list[ItemResult]:
    """Create listings for the products not yet on Back Market."""
    identifier = ctx.settings.product_identifier
    listings = listings_by_sku(
        ctx.client, [identifier.value_of(item) for item in products]
    )
    planned, results = _plan(ctx, products, listings)
    running = running_skus(ctx, "create", dry_run)
    free: list[NewListing] = []
    for item in planned:
        task_id = running.get(match_key(item.key))
        if task_id is None:
            free.append(item)
        else:
            results.append(task_running(item.key, "create", task_id))
    planned = free
    position = {item.key: index for index, item in enumerate(planned)}
    now_items, deferred = split_by_budget(
        planned, ctx.budget.remaining(), lambda item: position[item.key]
    )
    results.extend(budget_deferred(ctx, item.key, "create") for item in deferred)
    if not now_items:
        return results
    if dry_run:
        results.extend(dry_run_done(item.key, "create", item.row) for item in now_items)
        return results

    ctx.budget.spend(len(now_items))
    try:
        tasks = run_catalog(ctx, "create", [item.row for item in now_items])
    except TaskTimeoutError as error:
        results.extend(
            ItemResult(
                key=item.key,
                status=ItemStatus.DEFERRED,
                action="create",
                message=str(error),
                details=item.row,
            )
            for item in now_items
        )
        return results
    except ITEM_ERRORS as error:
        logger.warning("catalog of %d new listings rejected: %s", len(now_items), error)
        results.extend(
            ItemResult(
                key=item.key,
                status=ItemStatus.FAILED,
                action="create",
                message=f"Back Market rejected the catalog: {error}",
                details=item.row,
            )
            for item in now_items
        )
        return results
    results.extend(_created(ctx, now_items, tasks))
    return results
