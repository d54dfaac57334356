"""Context of one hook call: settings, client, clock and budget.

Hosts and tests may inject time through ``connection.options``: ``now`` (a
callable returning the aware UTC time) and ``sleep`` (a callable taking
seconds), so that waiting for a catalog task can follow a sandbox clock.
``options.parse_options`` checks them before use.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import attrs

from backmarket_sdk import BackMarketClient
from commercium_connector.backmarket.budget import SkuBudget
from commercium_connector.backmarket.client_factory import (
    build_client,
    connection_errors,
)
from commercium_connector.backmarket.options import parse_options
from commercium_connector.backmarket.settings import (
    BackMarketSettings,
    coerce_settings,
)
from commercium_connector.types import Connection


def utc_now() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(timezone.utc)


@attrs.define
class SyncContext:
    """The parts one hook call works with.

    Attributes:
        connection: The connection served.
        settings: Its typed settings.
        client: The SDK client, open for the duration of the call.
        now: Returns the current aware UTC time.
        sleep: Waits a number of seconds.
        budget: The hourly SKU-line budget of the connection.
    """

    connection: Connection
    settings: BackMarketSettings
    client: BackMarketClient
    now: Callable[[], datetime]
    sleep: Callable[[float], None]
    budget: SkuBudget


@contextmanager
def open_context(connection: Connection) -> Iterator[SyncContext]:
    """Open a client for the connection and close it afterwards.

    SDK errors that concern the whole connection leave the block as
    ``ChannelUnavailableError``.

    Raises:
        SettingsError: The connection's settings or host options are invalid.
        ChannelUnavailableError: The token is missing or Back Market cannot
            be used.
    """
    settings = coerce_settings(connection.settings)
    options = parse_options(connection.options)
    now: Callable[[], datetime] = options.now or utc_now
    sleep: Callable[[float], None] = options.sleep or time.sleep
    budget = SkuBudget(connection.state, settings.hourly_sku_budget, now)
    with connection_errors(connection):
        client = build_client(connection, settings, options)
        with client:
            yield SyncContext(
                connection=connection,
                settings=settings,
                client=client,
                now=now,
                sleep=sleep,
                budget=budget,
            )
