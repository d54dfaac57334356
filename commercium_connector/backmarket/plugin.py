"""Hook implementations of the Back Market channel.

The host loads this module from the ``commercium.connectors`` entry point.
Every sync hook returns None for connections of other channels and a result
per item for its own. It raises only ``SettingsError``, for invalid settings
or host options or two host products sharing an identifier value, or
``ChannelUnavailableError``, for a bad token or Back Market down or blocking.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from backmarket_sdk import errors as bm_errors
from commercium_connector import __version__
from commercium_connector.backmarket import inventory as inventory_sync
from commercium_connector.backmarket import orders as order_sync
from commercium_connector.backmarket import prices as price_sync
from commercium_connector.backmarket import products as product_sync
from commercium_connector.backmarket import shipments as shipment_sync
from commercium_connector.backmarket.context import SyncContext, open_context
from commercium_connector.backmarket.identifiers import IdentifierCollisionError
from commercium_connector.backmarket.settings import (
    BackMarketSettings,
    coerce_settings,
    parse_settings,
)
from commercium_connector.errors import ChannelUnavailableError, SettingsError
from commercium_connector.hookspecs import hookimpl
from commercium_connector.types import (
    ChannelInfo,
    Connection,
    ConnectionCheck,
    ItemResult,
    ItemStatus,
    OrderBatch,
    PriceUpdate,
    Product,
    SettingsProblem,
    Shipment,
    StockLevel,
)

logger = logging.getLogger(__name__)

CHANNEL = "backmarket"
CAPABILITIES = frozenset({"orders", "shipments", "inventory", "prices", "products"})


@contextmanager
def _sync(connection: Connection) -> Iterator[SyncContext]:
    """Open the context of a sync hook and turn its errors into host errors.

    Identifier collisions become ``SettingsError`` and SDK errors that no
    item handler caught become ``ChannelUnavailableError``.
    """
    try:
        with open_context(connection) as ctx:
            yield ctx
    except IdentifierCollisionError as error:
        raise SettingsError(
            [SettingsProblem(key="product_identifier", message=str(error))]
        ) from None
    except bm_errors.BackMarketError as error:
        # An error of one item's kind that no item handler caught came from a
        # request the whole call depends on, such as the listing list.
        logger.warning(
            "connection %s: Back Market call failed: %s", connection.id, error
        )
        raise ChannelUnavailableError(
            f"connection {connection.id!r} ({connection.name}): Back Market "
            f"request failed: {error}",
            retryable=True,
        ) from error


def _disabled(keys: Sequence[str], action: str, setting: str) -> list[ItemResult]:
    return [
        ItemResult(
            key=key,
            status=ItemStatus.SKIPPED,
            action=action,
            message=f"sync is off ({setting} = false)",
        )
        for key in keys
    ]


def _keys(connection: Connection, items: Sequence[Product]) -> list[str]:
    identifier = coerce_settings(connection.settings).product_identifier
    return [identifier.value_of(product) or product.sku for product in items]


def _log_results(
    connection: Connection, step: str, results: Sequence[ItemResult]
) -> None:
    counts = Counter(result.status.value for result in results)
    summary = " ".join(f"{status}={counts[status]}" for status in sorted(counts))
    logger.info("connection %s: %s: %s", connection.id, step, summary or "nothing")


def _push(
    connection: Connection,
    step: str,
    enabled: Callable[[BackMarketSettings], bool],
    skipped: Callable[[], list[ItemResult]],
    run: Callable[[SyncContext], list[ItemResult]],
    count: int,
) -> list[ItemResult] | None:
    if connection.channel != CHANNEL:
        return None
    if not enabled(coerce_settings(connection.settings)):
        return skipped()
    if count == 0:
        return []
    with _sync(connection) as ctx:
        results = run(ctx)
    _log_results(connection, step, results)
    return results


@hookimpl
def commercium_channels() -> list[ChannelInfo]:
    """Return the Back Market channel."""
    return [
        ChannelInfo(
            name=CHANNEL,
            title="Back Market",
            settings_type=BackMarketSettings,
            parse_settings=parse_settings,
            capabilities=CAPABILITIES,
            version=__version__,
        )
    ]


@hookimpl
def commercium_check_connection(connection: Connection) -> ConnectionCheck | None:
    """Check the token and market by reading one page of listings."""
    if connection.channel != CHANNEL:
        return None
    try:
        settings = coerce_settings(connection.settings)
    except SettingsError as error:
        return ConnectionCheck(ok=False, message=str(error))
    details = {"market": settings.market, "environment": settings.environment}
    try:
        with open_context(connection) as ctx:
            page = next(iter(ctx.client.listings.list(page_size=1)), None)
    except SettingsError as error:
        # Invalid host options: nothing was sent.
        return ConnectionCheck(ok=False, message=str(error), details=details)
    except ChannelUnavailableError as error:
        return ConnectionCheck(ok=False, message=str(error), details=details)
    except bm_errors.BackMarketError as error:
        return ConnectionCheck(
            ok=False, message=f"Back Market request failed: {error}", details=details
        )
    if page is not None:
        details["sample_sku"] = page.sku
    return ConnectionCheck(
        ok=True,
        message=f"token accepted for market {settings.market}",
        details=details,
    )


@hookimpl
def commercium_pull_orders(
    connection: Connection,
    since: datetime | None,
    products: Sequence[Product],
    dry_run: bool,
) -> OrderBatch | None:
    """Pull orders changed since the cursor; see ``orders.pull_orders``."""
    if connection.channel != CHANNEL:
        return None
    settings = coerce_settings(connection.settings)
    if not settings.orders.enabled:
        return OrderBatch(orders=[], results=[], cursor=since)
    with _sync(connection) as ctx:
        batch = order_sync.pull_orders(ctx, since, products, dry_run)
    _log_results(connection, f"orders ({len(batch.orders)} pulled)", batch.results)
    return batch


@hookimpl
def commercium_push_shipments(
    connection: Connection, shipments: Sequence[Shipment], dry_run: bool
) -> list[ItemResult] | None:
    """Send shipments; see ``shipments.push_shipments``."""
    return _push(
        connection,
        "shipments",
        lambda settings: settings.shipments.enabled,
        lambda: _disabled(
            [s.order_number for s in shipments], "ship", "shipments.enabled"
        ),
        lambda ctx: shipment_sync.push_shipments(ctx, shipments, dry_run),
        len(shipments),
    )


@hookimpl
def commercium_push_inventory(
    connection: Connection, levels: Sequence[StockLevel], dry_run: bool
) -> list[ItemResult] | None:
    """Push stock levels; see ``inventory.push_inventory``."""
    return _push(
        connection,
        "inventory",
        lambda settings: settings.inventory.enabled,
        lambda: _disabled(
            _keys(connection, [level.product for level in levels]),
            "quantity",
            "inventory.enabled",
        ),
        lambda ctx: inventory_sync.push_inventory(ctx, levels, dry_run),
        len(levels),
    )


@hookimpl
def commercium_push_prices(
    connection: Connection, prices: Sequence[PriceUpdate], dry_run: bool
) -> list[ItemResult] | None:
    """Push prices; see ``prices.push_prices``."""
    return _push(
        connection,
        "prices",
        lambda settings: settings.prices.enabled,
        lambda: _disabled(
            _keys(connection, [price.product for price in prices]),
            "price",
            "prices.enabled",
        ),
        lambda ctx: price_sync.push_prices(ctx, prices, dry_run),
        len(prices),
    )


@hookimpl
def commercium_push_products(
    connection: Connection, products: Sequence[Product], dry_run: bool
) -> list[ItemResult] | None:
    """Create listings for new products; see ``products.push_products``."""
    return _push(
        connection,
        "products",
        lambda settings: settings.products.enabled,
        lambda: _disabled(_keys(connection, products), "create", "products.enabled"),
        lambda ctx: product_sync.push_products(ctx, products, dry_run),
        len(products),
    )
