"""Push stock levels to Back Market without overselling.

The pushed quantity is the host's available stock less the safety stock,
never below zero. Products whose stock the host does not track get the
connection's default inventory.

A quantity equal to Back Market's is not pushed. Nor is one equal to the
quantity last sent while Back Market shows less: Back Market lowers stock
itself when an order is placed, so re-sending an unchanged host value before
the host has imported that order could oversell. A Back Market quantity above
the host's is corrected whenever the budget allows. When the hourly SKU
budget would be exceeded, zero and low quantities go first and the rest is
deferred.
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
from commercium_connector.backmarket.listings import find_listing, listings_by_sku
from commercium_connector.backmarket.results import budget_deferred, dry_run_done
from commercium_connector.backmarket.settings import BackMarketSettings
from commercium_connector.types import ItemResult, ItemStatus, StateStore, StockLevel

logger = logging.getLogger(__name__)

LAST_SENT_PREFIX = "quantity:"


def pushed_quantity(available: int | None, settings: BackMarketSettings) -> int:
    """Return the quantity to show on Back Market for a host stock level.

    Args:
        available: Units the host can sell, or None when it does not track
            the product's stock.
        settings: The connection's settings.
    """
    if available is None:
        return settings.products.default_inventory
    return max(0, available - settings.inventory.safety_stock)


def last_sent(state: StateStore, sku: str) -> int | None:
    """Return the quantity last sent for a SKU, or None."""
    raw = state.get(LAST_SENT_PREFIX + match_key(sku))
    return int(raw) if raw is not None and raw.lstrip("-").isdigit() else None


def record_sent(state: StateStore, sku: str, quantity: int) -> None:
    """Remember the quantity sent for a SKU."""
    state.set(LAST_SENT_PREFIX + match_key(sku), str(quantity))


@attrs.frozen
class QuantityChange:
    """A quantity to send to one listing."""

    key: str
    listing: bm.Listing
    quantity: int
    held: int | None


def _plan(
    ctx: SyncContext, levels: Sequence[StockLevel], listings: dict[str, bm.Listing]
) -> tuple[list[QuantityChange], list[ItemResult]]:
    identifier = ctx.settings.product_identifier
    ProductIndex.build(identifier, [level.product for level in levels])
    changes: list[QuantityChange] = []
    results: list[ItemResult] = []
    for level in levels:
        key = identifier.value_of(level.product)
        if key is None:
            results.append(
                ItemResult(
                    key=level.product.sku,
                    status=ItemStatus.FAILED,
                    action="quantity",
                    message=(
                        f"product {level.product.sku!r} has no "
                        f"{identifier.describe()} value to match a Back Market SKU"
                    ),
                )
            )
            continue
        listing = find_listing(listings, key)
        if listing is None:
            results.append(
                ItemResult(
                    key=key,
                    status=ItemStatus.SKIPPED,
                    action="quantity",
                    message="no Back Market listing has this SKU",
                )
            )
            continue
        quantity = pushed_quantity(level.available, ctx.settings)
        details = {"quantity": str(quantity), "listing_id": str(listing.id)}
        if quantity == listing.quantity:
            results.append(
                ItemResult(
                    key=key,
                    status=ItemStatus.SKIPPED,
                    action="quantity",
                    message="unchanged: Back Market already has this quantity",
                    details=details,
                )
            )
            continue
        held = listing.quantity
        if quantity == last_sent(ctx.connection.state, key) and held < quantity:
            results.append(
                ItemResult(
                    key=key,
                    status=ItemStatus.SKIPPED,
                    action="quantity",
                    message=(
                        "unchanged since last sent; Back Market's value differs "
                        f"({held}) because it lowers stock on new orders"
                    ),
                    details=details,
                )
            )
            continue
        changes.append(QuantityChange(key, listing, quantity, listing.quantity))
    return changes, results


def push_inventory(
    ctx: SyncContext, levels: Sequence[StockLevel], dry_run: bool
) -> list[ItemResult]:
    """Push the changed quantities, within the hourly SKU budget."""
    identifier = ctx.settings.product_identifier
    listings = listings_by_sku(
        ctx.client, [identifier.value_of(level.product) for level in levels]
    )
    changes, results = _plan(ctx, levels, listings)
    now_changes, deferred = split_by_budget(
        changes, ctx.budget.remaining(), lambda change: (change.quantity, change.key)
    )
    for change in deferred:
        results.append(budget_deferred(ctx, change.key, "quantity"))

    for change in now_changes:
        details = {
            "quantity": str(change.quantity),
            "listing_id": str(change.listing.id),
            "previous": str(change.held),
        }
        if dry_run:
            results.append(dry_run_done(change.key, "quantity", details))
            continue
        try:
            ctx.client.listings.update(change.listing.id, quantity=change.quantity)
        except ITEM_ERRORS as error:
            logger.warning("quantity update of %s failed: %s", change.key, error)
            results.append(
                ItemResult(
                    key=change.key,
                    status=ItemStatus.FAILED,
                    action="quantity",
                    message=f"Back Market rejected the quantity: {error}",
                    details=details,
                )
            )
            continue
        finally:
            # A rejected call still counts against Back Market's data limit.
            ctx.budget.spend(1)
        record_sent(ctx.connection.state, change.key, change.quantity)
        results.append(
            ItemResult(
                key=change.key,
                status=ItemStatus.DONE,
                action="quantity",
                details=details,
            )
        )
    return results
