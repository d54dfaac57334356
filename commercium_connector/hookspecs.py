"""The Commercium host contract: hook specifications for channel plugins.

A host loads channel plugins from the ``commercium.connectors`` entry point
group into a ``pluggy.PluginManager`` for the project ``commercium``. Every
sync hook is ``firstresult``. A plugin returns a result only for connections of
its own channel (``connection.channel``) and None for the others, so the first
result that is not None is the channel's.

Push hooks return one ``ItemResult`` per item, in any order. They raise only
``ConnectorError`` subclasses, and only when the whole connection cannot be
served (``SettingsError``, ``ChannelUnavailableError``). With ``dry_run`` set,
a hook changes nothing on the marketplace and returns the results it would
have had, with ``action`` set to what it would have sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pluggy

from commercium_connector.types import (
    ChannelInfo,
    Connection,
    ConnectionCheck,
    ItemResult,
    OrderBatch,
    PriceUpdate,
    Product,
    Shipment,
    StockLevel,
)

PROJECT_NAME = "commercium"
ENTRY_POINT_GROUP = "commercium.connectors"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def commercium_channels() -> list[ChannelInfo]:  # type: ignore[empty-body]
    """List the channels this plugin provides.

    Returns:
        The plugin's channels; the host gathers the lists of all plugins.
    """


@hookspec(firstresult=True)
def commercium_check_connection(
    connection: Connection,
) -> ConnectionCheck | None:
    """Check that the connection's credentials and market work.

    Args:
        connection: The connection to check.

    Returns:
        A check result, or None when the connection is not of this channel.
    """


@hookspec(firstresult=True)
def commercium_pull_orders(
    connection: Connection,
    since: datetime | None,
    products: Sequence[Product],
    dry_run: bool,
) -> OrderBatch | None:
    """Fetch orders created or changed since a time, normalised for the host.

    The plugin links each line to a host product by the connection's unique
    product identifier and, unless ``dry_run`` is set, accepts the linked
    lines that wait for the seller's acceptance.

    Args:
        connection: The connection to pull for.
        since: The cursor returned by the previous pull, or None on the first
            pull (the plugin then starts from the import start time).
        products: The host's products, to link order lines to.
        dry_run: Accept nothing, only report what would be accepted.

    Returns:
        The orders, a result per order and line acted on, and the next
        cursor; None when the connection is not of this channel.
    """


@hookspec(firstresult=True)
def commercium_push_shipments(
    connection: Connection,
    shipments: Sequence[Shipment],
    dry_run: bool,
) -> list[ItemResult] | None:
    """Report shipped orders with their carrier and tracking number.

    A shipment the marketplace already has is reported done without a second
    call, so the host may hand the same shipment again after a crash.

    Returns:
        One result per shipment, keyed by its order number.
    """


@hookspec(firstresult=True)
def commercium_push_inventory(
    connection: Connection,
    levels: Sequence[StockLevel],
    dry_run: bool,
) -> list[ItemResult] | None:
    """Push stock levels, less the connection's safety stock.

    Returns:
        One result per level, keyed by the product's identifier value.
    """


@hookspec(firstresult=True)
def commercium_push_prices(
    connection: Connection,
    prices: Sequence[PriceUpdate],
    dry_run: bool,
) -> list[ItemResult] | None:
    """Push prices of products already listed on the marketplace.

    Returns:
        One result per price, keyed by the product's identifier value.
    """


@hookspec(firstresult=True)
def commercium_push_products(
    connection: Connection,
    products: Sequence[Product],
    dry_run: bool,
) -> list[ItemResult] | None:
    """Create marketplace listings for products that have none yet.

    Returns:
        One result per product, keyed by its identifier value; a created
        listing's marketplace id is in ``details["listing_id"]``.
    """
