"""The host's SQLite store: schema, migrations, run lock and queries."""

from commercium_connector.host.store.database import (
    ConnectionState,
    Store,
    StoreMissingError,
)
from commercium_connector.host.store.lock import StoreLockedError
from commercium_connector.host.store.migrations import StoreVersionError

__all__ = [
    "ConnectionState",
    "Store",
    "StoreLockedError",
    "StoreMissingError",
    "StoreVersionError",
]
