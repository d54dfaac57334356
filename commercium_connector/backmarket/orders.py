"""Pull orders from Back Market and accept the lines the host can fulfil.

The pull requests the orders changed since the cursor and returns the next cursor
lagging the newest change seen by the overlap window. The host stores that
cursor only after it has stored the orders, so a crash repeats a pull rather
than losing orders, and the host updates an order it already has by its
external id.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from backmarket_sdk import models as bm
from commercium_connector.backmarket.client_factory import ITEM_ERRORS
from commercium_connector.backmarket.context import SyncContext
from commercium_connector.backmarket.identifiers import ProductIndex, match_key
from commercium_connector.backmarket.normalise import (
    LINE_PAID,
    ORDER_NEW,
    ORDER_NOT_PAID,
    ORDER_PAID,
    UNPAID_ORDER_STATES,
    modified_at,
    normalise_order,
    order_number,
    state_code,
)
from commercium_connector.types import (
    ItemResult,
    ItemStatus,
    Order,
    OrderBatch,
    Product,
)

logger = logging.getLogger(__name__)

# Sorts orders without a change time first.
_NO_TIME = datetime.min.replace(tzinfo=timezone.utc)


def pull_start(
    since: datetime | None, import_start: datetime | None
) -> datetime | None:
    """Return the change time the pull starts from: the later of cursor and start.

    A cursor without a time zone is read as UTC.
    """
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    if since is None:
        return import_start
    if import_start is None:
        return since
    return max(since, import_start)


def next_cursor(
    start: datetime | None, newest: datetime | None, overlap: timedelta
) -> datetime | None:
    """Return the cursor for the next pull.

    It lags the newest change seen by ``overlap`` so that an order Back Market
    writes late with an older change time is still seen, and it never goes
    back before where this pull started.
    """
    if newest is None:
        return start
    candidate = newest - overlap
    if start is not None and candidate < start:
        return start
    return candidate


def fetch_orders(ctx: SyncContext, start: datetime | None) -> list[bm.Order]:
    """Return the orders changed since ``start``, each once, oldest change first.

    Only orders of the markets in ``orders.markets`` are requested, through
    the list's ``country_code`` filter, so that two connections of one seller
    account on different markets never import the same order.

    Back Market's list leaves out orders in state 0 unless the request filters
    on that state, so a second request per market fetches them when unpaid
    orders are imported.
    """
    markets = ctx.settings.order_markets
    countries: list[str | None] = list(markets) if markets is not None else [None]
    states: list[int | None] = [None]
    if not ctx.settings.orders.skip_unpaid:
        states.append(ORDER_NEW)
    found: dict[int, bm.Order] = {}
    for country in countries:
        for state in states:
            batch = ctx.client.orders.list(
                state=state, date_modification=start, country_code=country
            )
            for order in batch:
                found[order.order_id] = order
    return sorted(
        found.values(),
        key=lambda order: (modified_at(order) or _NO_TIME, order.order_id),
    )


def _later(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None or second is None:
        return first or second
    return max(first, second)


def _skip_reason(order: bm.Order, ctx: SyncContext) -> str | None:
    state = state_code(order.state)
    settings = ctx.settings.orders
    markets = ctx.settings.order_markets
    country = (order.country_code or "").strip().lower()
    if markets is not None and country and country not in markets:
        # The request filtered on the markets already; this guards against a
        # response that ignored the filter, which would import another
        # connection's order.
        return (
            f"order of market {country}, not in this connection's orders.markets "
            f"({', '.join(markets)})"
        )
    if state == ORDER_NOT_PAID:
        return "order not paid (Back Market state 8); never imported"
    if state in UNPAID_ORDER_STATES and settings.skip_unpaid:
        return (
            f"payment not confirmed (Back Market state {state}); imported once "
            "paid, or now if orders.skip_unpaid is off"
        )
    created = order.date_creation
    start = settings.import_start
    if start is not None and created is not None and created < start:
        return f"created {created.isoformat()}, before orders.import_start"
    return None


def _short_of_stock(product: Product, ordered: int, taken: int) -> str | None:
    """Return why the host cannot fill a line, or None when it can.

    ``taken`` is the units that lines accepted earlier in this pull take from
    the product. A product whose stock the host does not track can fill any
    line.
    """
    if product.quantity is None:
        return None
    left = product.quantity - taken
    if ordered <= left:
        return None
    return (
        f"host stock of {product.sku!r} is {left}, the line orders {ordered}; "
        "the line is left for the seller to accept once restocked, or to cancel"
    )


def accept_lines(
    ctx: SyncContext,
    order: bm.Order,
    number: str,
    index: ProductIndex,
    dry_run: bool,
    taken: dict[str, int],
) -> tuple[bm.Order, list[ItemResult]]:
    """Accept the linked lines of a paid order that wait for the seller.

    Unlinked lines are left for the seller and reported, with ``notify`` set
    when the connection requests notifications for them. A line that would
    take a tracked product's host stock below zero, counting what earlier
    accepts of this pull took, is left too and reported with ``notify`` set.
    Each line accepted, or that a dry run would accept, adds its units to
    ``taken``.

    Returns:
        The order as Back Market stores it after the accepts, and a result per
        line acted on or left.
    """
    results: list[ItemResult] = []
    notify = ctx.settings.orders.notify_unlinked
    identifier = index.identifier.describe()
    current = order
    for line in order.orderlines:
        key = f"{number}/{line.listing}"
        details = {"order": number, "line_id": str(line.id), "sku": line.listing}
        if state_code(line.state) != LINE_PAID:
            continue
        product = index.find(line.listing)
        if product is None:
            results.append(
                ItemResult(
                    key=key,
                    status=ItemStatus.SKIPPED,
                    action="unlinked",
                    message=(
                        f"no host product has {identifier} {line.listing!r}; "
                        "the line is left for the seller to accept or cancel"
                    ),
                    details=details,
                    notify=notify,
                )
            )
            continue
        if state_code(order.state) != ORDER_PAID:
            continue
        # Keyed like the index, so two lines of one product share a count.
        value = match_key(index.key_of(product) or product.sku)
        shortage = _short_of_stock(product, line.quantity, taken.get(value, 0))
        if shortage is not None:
            results.append(
                ItemResult(
                    key=key,
                    status=ItemStatus.SKIPPED,
                    action="accept",
                    message=shortage,
                    details={**details, "quantity": str(line.quantity)},
                    notify=True,
                )
            )
            continue
        if dry_run:
            taken[value] = taken.get(value, 0) + line.quantity
            results.append(
                ItemResult(
                    key=key,
                    status=ItemStatus.DONE,
                    action="accept",
                    message="dry run: not sent",
                    details=details,
                )
            )
            continue
        try:
            current = ctx.client.orders.accept_line(order.order_id, line.listing)
        except ITEM_ERRORS as error:
            logger.warning(
                "accepting line %s of order %s failed: %s",
                line.id,
                order.order_id,
                error,
            )
            results.append(
                ItemResult(
                    key=key,
                    status=ItemStatus.FAILED,
                    action="accept",
                    message=f"Back Market rejected the line's acceptance: {error}",
                    details=details,
                )
            )
            continue
        taken[value] = taken.get(value, 0) + line.quantity
        results.append(
            ItemResult(
                key=key, status=ItemStatus.DONE, action="accept", details=details
            )
        )
    return current, results


def _order_result(
    order: Order, line_results: Sequence[ItemResult], notify: bool
) -> ItemResult:
    unlinked = [line for line in order.lines if not line.linked]
    message = ""
    if unlinked:
        skus = ", ".join(sorted({line.marketplace_sku for line in unlinked}))
        message = f"{len(unlinked)} line(s) match no host product: {skus}"
    failed = [result for result in line_results if result.status is ItemStatus.FAILED]
    if failed:
        message = "; ".join(filter(None, [message, f"{len(failed)} accept(s) failed"]))
    short = [
        result
        for result in line_results
        if result.action == "accept" and result.status is ItemStatus.SKIPPED
    ]
    if short:
        note = f"{len(short)} line(s) not accepted: not enough host stock"
        message = "; ".join(filter(None, [message, note]))
    return ItemResult(
        key=order.number,
        status=ItemStatus.DONE,
        action="import",
        message=message,
        details={"external_id": order.external_id, "status": order.status.value},
        notify=(bool(unlinked) and notify) or bool(short),
    )


def pull_orders(
    ctx: SyncContext,
    since: datetime | None,
    products: Sequence[Product],
    dry_run: bool,
) -> OrderBatch:
    """Fetch, accept and normalise the orders changed since the cursor.

    Raises:
        IdentifierCollisionError: Two host products share an identifier value.
    """
    settings = ctx.settings.orders
    market = ctx.settings.market
    index = ProductIndex.build(ctx.settings.product_identifier, products)
    start = pull_start(since, settings.import_start)
    newest: datetime | None = None
    orders: list[Order] = []
    results: list[ItemResult] = []
    # NOTE: only the lines this pull accepts count against the host stock.
    # Lines accepted in the Back Office arrive already accepted, and the
    # plugin cannot tell whether the host has taken their stock already.
    taken: dict[str, int] = {}

    for raw in fetch_orders(ctx, start):
        newest = _later(newest, modified_at(raw))
        number = order_number(raw, settings, market)
        reason = _skip_reason(raw, ctx)
        if reason is not None:
            results.append(
                ItemResult(
                    key=number,
                    status=ItemStatus.SKIPPED,
                    action="import",
                    message=reason,
                    details={"external_id": str(raw.order_id)},
                )
            )
            continue
        current, line_results = accept_lines(ctx, raw, number, index, dry_run, taken)
        # The accepts change the order, and the host receives that version, so
        # the cursor may pass the change they made.
        newest = _later(newest, modified_at(current))
        order = normalise_order(current, settings, market, index, ctx.now())
        orders.append(order)
        results.append(_order_result(order, line_results, settings.notify_unlinked))
        results.extend(line_results)

    cursor = next_cursor(start, newest, timedelta(minutes=settings.overlap_minutes))
    return OrderBatch(orders=orders, results=results, cursor=cursor)
