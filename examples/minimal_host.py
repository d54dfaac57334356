"""A minimal Commercium host: load channel plugins from entry points, pull orders once.

Run against the sandbox: python examples/minimal_host.py
Run against your account: set BACKMARKET_TOKEN, BACKMARKET_MARKET and
BACKMARKET_USER_AGENT; the pull then runs as a dry run and accepts nothing.
"""

from __future__ import annotations

import os
from collections import Counter
from contextlib import ExitStack

import pluggy
from example_client import SANDBOX_USER_AGENT, new_sandbox, uses_real_account

from commercium_connector import hookspecs
from commercium_connector.types import Connection, Product


class MemoryState:
    """A connection's key-value state kept in memory; a real host stores it durably."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def set(self, key: str, value: str) -> None:
        self.values[key] = value

    def delete(self, key: str) -> None:
        self.values.pop(key, None)


def load_plugins() -> pluggy.PluginManager:
    """Load every plugin installed under the ``commercium.connectors`` group."""
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    manager.load_setuptools_entrypoints(hookspecs.ENTRY_POINT_GROUP)
    manager.check_pending()  # every implementation matches a specification
    return manager


def main() -> None:
    manager = load_plugins()
    channels = [
        info.name for infos in manager.hook.commercium_channels() for info in infos
    ]
    print(f"channels: {', '.join(channels)}")

    with ExitStack() as stack:
        if uses_real_account():
            token = os.environ["BACKMARKET_TOKEN"]
            settings: dict[str, object] = {
                "market": os.environ["BACKMARKET_MARKET"],
                "user_agent": os.environ.get("BACKMARKET_USER_AGENT", ""),
            }
            # BACKMARKET_BASE_URL, when set, replaces the platform's host.
            base_url = os.environ.get("BACKMARKET_BASE_URL")
            options: dict[str, object] = {"base_url": base_url} if base_url else {}
            products: list[Product] = []
            dry_run = True
        else:
            server = stack.enter_context(new_sandbox().serve("127.0.0.1", 0))
            token = server.sandbox.token
            # The sandbox's orders span several markets, and this connection
            # is the only one on the sandbox's token, so it imports them all.
            settings = {
                "market": "fr-fr",
                "user_agent": SANDBOX_USER_AGENT,
                "orders": {"markets": "all"},
            }
            # The plugin sends requests to this API root instead of Back Market.
            options = {"base_url": server.url}
            # Host products whose SKU equals a Back Market SKU link order lines.
            products = [
                Product(sku=sku) for sku in ("IP12-64GB-BLA-EX", "IP14P-128GB-GOL-EX")
            ]
            dry_run = False

        # The plugin parses a plain settings mapping and reads the token from
        # the credentials, which it never logs.
        connection = Connection(
            id="demo-1",
            name="Demo shop on Back Market",
            channel="backmarket",
            settings=settings,
            credentials={"token": token},
            state=MemoryState(),
            options=options,
        )
        check = manager.hook.commercium_check_connection(connection=connection)
        print(f"check: {check.message}")
        if not check.ok:
            raise SystemExit(1)

        batch = manager.hook.commercium_pull_orders(
            connection=connection, since=None, products=products, dry_run=dry_run
        )
        print(f"pulled {len(batch.orders)} orders, next cursor {batch.cursor}")
        outcomes = Counter(
            f"{result.action or 'order'} {result.status.value}"
            for result in batch.results
        )
        for outcome, count in sorted(outcomes.items()):
            print(f"  {count} x {outcome}")


if __name__ == "__main__":
    main()
