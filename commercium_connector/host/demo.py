"""The embedded demo: the Back Market sandbox, in-process, with a sample shop.

This module is the only part of the host that depends on Back Market. It starts
``backmarket_sdk.sandbox`` on 127.0.0.1, seeds it with the marketplace side of
the bundled sample catalog, and configures one connection to it. Everything
else goes through the plugin hooks, as with a real account.
"""

from __future__ import annotations

import csv
import logging
import random
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from backmarket_sdk.sandbox import ListingSeed, ProductSeed, Sandbox
from commercium_connector.host.csv_import import import_products
from commercium_connector.host.manager import PluginError, PluginHost
from commercium_connector.host.notify import Notifier
from commercium_connector.host.store import Store
from commercium_connector.host.store.orders import orders_imported_since
from commercium_connector.host.store.shipments import record_shipment
from commercium_connector.host.sync import (
    STEPS,
    CycleReport,
    ProgressCallback,
    StepReport,
    SyncEngine,
)
from commercium_connector.types import Connection, OrderStatus, Shipment

logger = logging.getLogger(__name__)

CONNECTION_ID = "demo-backmarket-fr"
DEMO_MARKER = "demo.store"
SEED = 7
SEED_ORDERS = 40
# Host shipping methods of the sample shop and the Back Market shipper each
# one maps to.
SHIPPING_METHODS = {
    "colissimo-standard": "Colissimo",
    "chronopost-express": "Chronopost",
    "ups-standard": "UPS standard",
}


def sample_file(name: str) -> Path:
    """Return the path of a bundled sample data file."""
    return Path(str(resources.files("commercium_connector.host") / "data" / name))


def _rows(name: str) -> list[dict[str, str]]:
    with sample_file(name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def build_sandbox(
    *, seed: int = SEED, orders: int = SEED_ORDERS, **kwargs: Any
) -> Sandbox:
    """Return a sandbox seeded with the sample shop's marketplace side.

    Extra keyword arguments go to ``Sandbox`` (task durations, clock).
    """
    listings = [
        ListingSeed(
            sku=row["sku"],
            title=row["title"],
            product_id=row["product_id"],
            quantity=int(row["quantity"]),
            price=Decimal(row["price"]),
            currency=row["currency"],
            grade=row["grade"],
            ean=row["ean"] or None,
            max_price=Decimal(row["max_price"]) if row["max_price"] else None,
        )
        for row in _rows("sample_marketplace_listings.csv")
    ]
    products = [
        ProductSeed(row["product_id"], row["ean"] or None, row["title"])
        for row in _rows("sample_marketplace_catalogue.csv")
    ]
    return Sandbox(
        seed=seed, orders=orders, listings=listings, products=products, **kwargs
    )


def demo_settings() -> dict[str, Any]:
    """Return the demo connection's channel settings, as a TOML table would."""
    return {
        "market": "fr-fr",
        "user_agent": "BM-CommerciumDemo-ReferenceHost;demo@example.com",
        "name": "Demo refurbished shop",
        "task_poll_interval": 1.0,
        "orders": {"number_prefix": "BM-", "skip_unpaid": True},
        "shipments": {"mappings": dict(SHIPPING_METHODS)},
        "inventory": {"safety_stock": 0},
        "products": {"default_inventory": 2},
    }


def write_demo_config(
    path: Path, *, base_url: str, store_path: Path, token_file: Path
) -> None:
    """Write a configuration file for the demo shop against a sandbox URL.

    Tests and integrators use it to run ``commercium-connector sync`` against
    a sandbox that outlives the sync process.
    """
    settings = demo_settings()
    mappings = "\n".join(f'"{k}" = "{v}"' for k, v in SHIPPING_METHODS.items())
    path.write_text(
        f"""[store]
path = "{store_path.as_posix()}"

[[connections]]
id = "{CONNECTION_ID}"
name = "{settings["name"]}"
channel = "backmarket"
token_file = "{token_file.as_posix()}"

[connections.options]
base_url = "{base_url}"

[connections.settings]
market = "{settings["market"]}"
user_agent = "{settings["user_agent"]}"
task_poll_interval = 0.2

[connections.settings.orders]
number_prefix = "BM-"

[connections.settings.shipments.mappings]
{mappings}

[connections.settings.products]
default_inventory = 2
""",
        encoding="utf-8",
    )


def pack_new_orders(
    store: Store, connection_id: str, since: datetime, *, share: float = 0.6
) -> int:
    """Ship some of the orders imported since a time, as a warehouse would.

    The sample shop ships about ``share`` of its new, fully linked, paid
    orders at once; the shipments wait in the store for the shipments step.

    Returns:
        How many orders were marked shipped.
    """
    rng = random.Random(since.isoformat())
    methods = sorted(SHIPPING_METHODS)
    packed = 0
    now = datetime.now(timezone.utc)
    with store.transaction() as conn:
        for order in orders_imported_since(conn, connection_id, since):
            shippable = order.status == OrderStatus.ACCEPTED.value
            if not shippable or not order.all_lines_linked or rng.random() > share:
                continue
            method = rng.choice(methods)
            tracking = f"{method[:2].upper()}{rng.randrange(10**10, 10**11)}FR"
            shipment = Shipment(
                order_external_id=order.external_id,
                order_number=order.number,
                shipping_method=method,
                tracking_number=tracking,
                shipped_at=now,
            )
            if record_shipment(conn, connection_id, shipment, now=now):
                packed += 1
    return packed


class DemoRun:
    """One demo session: a sandbox on loopback and the demo store."""

    def __init__(self, data_dir: Path, plugins: PluginHost) -> None:
        self.data_dir = data_dir
        self.plugins = plugins
        # Catalog tasks finish after half a second of sandbox time, which the
        # plugin's waits skip by moving the sandbox clock.
        self.sandbox = build_sandbox(task_start_after=0.2, task_duration=0.5)
        self.packed = 0

    @contextmanager
    def running(self) -> Iterator[tuple[SyncEngine, Connection]]:
        """Serve the sandbox and open the store for the ``with`` block."""
        store_path = self.data_dir / "commercium.sqlite"
        _clear_old_demo_store(store_path)
        with self.sandbox.serve(host="127.0.0.1", port=0) as server:
            store = Store.open(store_path)
            try:
                state = store.state_for(CONNECTION_ID)
                if state.get(DEMO_MARKER) is None:
                    import_products(store, sample_file("sample_products.csv"))
                    state.set(DEMO_MARKER, "1")
                channel = self.plugins.channels().get("backmarket")
                if channel is None:
                    raise PluginError(
                        "the demo needs the backmarket channel plugin, which is "
                        "not loaded; reinstall the package or unblock it"
                    )
                connection = Connection(
                    id=CONNECTION_ID,
                    name="Demo refurbished shop",
                    channel="backmarket",
                    settings=channel.parse_settings(demo_settings()),
                    credentials={"token": self.sandbox.token},
                    state=state,
                    options=_options(server.url, self.sandbox),
                )
                yield SyncEngine(store, self.plugins, Notifier()), connection
            finally:
                store.close()

    def cycle(
        self,
        engine: SyncEngine,
        connection: Connection,
        *,
        steps: tuple[str, ...] = STEPS,
        dry_run: bool = False,
        stop: threading.Event | None = None,
        progress: ProgressCallback | None = None,
    ) -> CycleReport:
        """Run one cycle; after the orders step, ship some of the new orders."""
        started = datetime.now(timezone.utc)

        def after_step(conn: Connection, step: StepReport) -> None:
            if step.step == "orders" and not dry_run:
                self.packed = pack_new_orders(engine.store, conn.id, started)

        return engine.run_cycle(
            [connection],
            steps,
            dry_run=dry_run,
            stop=stop,
            after_step=after_step,
            progress=progress,
        )

    def place_customer_order(self) -> str:
        """Place one order on a random in-stock listing, as a customer would."""
        rng = random.Random()
        skus = self.sandbox.skus
        rng.shuffle(skus)
        for sku in skus:
            try:
                self.sandbox.place_order(sku)
            except ValueError:
                continue  # out of stock or not on the market
            return sku
        return ""


def _options(base_url: str, sandbox: Sandbox) -> Mapping[str, Any]:
    # The plugin waits for catalog tasks with `sleep`; moving the sandbox clock
    # instead of waiting keeps the demo quick.
    return {"base_url": base_url, "sleep": sandbox.advance, "now": sandbox.now}


def _clear_old_demo_store(store_path: Path) -> None:
    """Remove a store left by an earlier demo: its sandbox is gone with it."""
    if not store_path.exists():
        return
    with Store.open(store_path) as store:
        is_demo = store.state_for(CONNECTION_ID).get(DEMO_MARKER) is not None
    if not is_demo:
        raise FileExistsError(
            f"{store_path} contains a store that the demo did not create; pass "
            "another --data-dir to the demo"
        )
    logger.info("starting over: the embedded sandbox keeps no state between runs")
    for suffix in ("", "-wal", "-shm"):
        store_path.with_name(store_path.name + suffix).unlink(missing_ok=True)
