"""A small shop wired end to end for the reliability tests.

The Back Market side is an in-process sandbox on a frozen clock; the host
side is a real SQLite store, the real plugin loaded through pluggy and the
real sync engine. Every wait of the plugin and the SDK (retries, rate
limits, catalog tasks) moves the sandbox clock instead of sleeping, so a
cycle that meets a 10 s rate-limit block still takes milliseconds.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from backmarket_sdk.sandbox import ListingSeed, ProductSeed, RateLimits, Sandbox
from commercium_connector.host.csv_import import import_products
from commercium_connector.host.manager import PluginHost
from commercium_connector.host.notify import Notifier
from commercium_connector.host.store import Store, schema
from commercium_connector.host.store.shipments import record_shipment
from commercium_connector.host.sync import STEPS, CycleReport, SyncEngine
from commercium_connector.types import Connection, Shipment

START = datetime(2026, 3, 2, 8, tzinfo=timezone.utc)
CONNECTION_ID = "bm-fr"
USER_AGENT = "BM-Acme-Reliability;ops@acme.example"
PAID_STATES = {1, 3, 9}

LISTED = 6  # products that already have a listing on Back Market
NEW = 2  # host products with a catalogue id and no listing yet
SPARE = 40  # catalogue products the tests add to the host one by one


def product_id(index: int) -> str:
    return f"7c0d0e00-0000-4000-8000-{index:012d}"


def listing_seeds() -> list[ListingSeed]:
    return [
        ListingSeed(
            sku=f"REL-{i:02d}",
            title=f"Phone {i}",
            product_id=product_id(i),
            quantity=300,
            price=Decimal("100.00") + i,
            max_price=Decimal("900.00"),
        )
        for i in range(LISTED)
    ]


def product_seeds() -> list[ProductSeed]:
    return [
        ProductSeed(product_id(i), f"{4006381333900 + i:013d}", f"Phone {i}")
        for i in range(LISTED, LISTED + NEW + SPARE)
    ]


def settings_table() -> dict[str, Any]:
    return {
        "market": "fr-fr",
        "user_agent": USER_AGENT,
        "task_poll_interval": 1.0,
        "shipments": {"mappings": {"colissimo": "Colissimo"}},
        "products": {"default_inventory": 2},
    }


class Shop:
    """One sandbox, one store and the engine that syncs them.

    Args:
        folder: Where the store file goes.
        limits: The sandbox's traffic limits.
        token: The token the sandbox accepts and the connection sends.
    """

    def __init__(
        self,
        folder: Path,
        *,
        limits: RateLimits | None = None,
        token: str = "reliability-token-0123456789",
        plugins: PluginHost | None = None,
        **sandbox_options: Any,
    ) -> None:
        self.folder = folder
        options: dict[str, Any] = {
            "freeze_clock": True,
            "task_start_after": 1.0,
            "task_duration": 2.0,
        }
        options.update(sandbox_options)
        self.sandbox = Sandbox(
            seed=5,
            orders=0,
            listings=listing_seeds(),
            products=product_seeds(),
            start=START,
            token=token,
            limits=limits or RateLimits(),
            **options,
        )
        self.token = token
        self.added = 0
        # Host stock as set by imports and adjustments, before orders took any.
        self.stock_base: dict[str, int] = {}
        self.store_path = folder / "store" / "commercium.sqlite"
        self.plugins = plugins or PluginHost()
        self._open()
        self.import_products(self.catalog_rows())

    def _open(self) -> None:
        self.store = Store.open(self.store_path)
        self.engine = SyncEngine(
            self.store, self.plugins, Notifier(), clock=self.sandbox.now
        )
        self.connection = self.connect(self.token)

    @contextmanager
    def reopened(self) -> Iterator[Shop]:
        """Hold the store for the block only, so other processes may sync."""
        self._open()
        try:
            yield self
        finally:
            self.store.close()

    def catalog_rows(self) -> list[dict[str, str]]:
        rows = []
        for i in range(LISTED + NEW):
            rows.append(
                {
                    "sku": f"REL-{i:02d}",
                    "title": f"Phone {i}",
                    "barcode": f"{4006381333900 + i:013d}",
                    "grade": "EXCELLENT",
                    "quantity": str(200 + i),
                    "price": f"{120 + i}.50",
                    "currency": "EUR",
                    "marketplace_product_id": product_id(i),
                }
            )
        return rows

    def import_products(self, rows: Sequence[Mapping[str, str]]) -> None:
        """Import rows through the host's CSV import, as a seller would."""
        taken = self.stock_taken()
        for row in rows:
            if row.get("quantity"):
                self.stock_base[row["sku"]] = int(row["quantity"]) + taken.get(
                    row["sku"], 0
                )
        path = self.folder / "products.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        import_products(self.store, path)

    def connect(self, token: str, **options: Any) -> Connection:
        channel = self.plugins.channels()["backmarket"]
        base = {
            "transport": self.sandbox.transport(),
            "base_url": "http://127.0.0.1:9",
            "sleep": self.sandbox.advance,
            "now": self.sandbox.now,
        }
        base.update(options)
        # An option given as None is left out, as a host's table would.
        base = {key: value for key, value in base.items() if value is not None}
        return Connection(
            id=CONNECTION_ID,
            name="Acme FR",
            channel="backmarket",
            settings=channel.parse_settings(settings_table()),
            credentials={"token": token},
            state=self.store.state_for(CONNECTION_ID),
            options=base,
        )

    def cycle(self, steps: Sequence[str] = STEPS) -> CycleReport:
        self.sandbox.advance(1)
        return self.engine.run_cycle([self.connection], steps)

    def close(self) -> None:
        self.store.close()

    # -- changes the tests make between cycles ------------------------------

    def place_orders(self, count: int, quantity: int = 1) -> list[int]:
        placed = []
        for i in range(count):
            sku = f"REL-{(len(self.sandbox.store.orders) + i) % LISTED:02d}"
            placed.append(self.sandbox.place_order(sku, quantity=quantity))
        return placed

    def ship_accepted(self, limit: int, tag: str) -> int:
        """Record host shipments for accepted, unshipped orders."""
        with self.store.read() as conn:
            shipped = sa.select(schema.shipments.c.order_number)
            rows = conn.execute(
                sa.select(schema.orders.c.number, schema.orders.c.external_id)
                .where(
                    schema.orders.c.status == "accepted",
                    schema.orders.c.number.not_in(shipped),
                )
                .order_by(schema.orders.c.id)
                .limit(limit)
            ).all()
        now = self.sandbox.now()
        with self.store.transaction() as conn:
            for n, row in enumerate(rows):
                shipment = Shipment(
                    order_external_id=row.external_id,
                    order_number=row.number,
                    shipping_method="colissimo",
                    tracking_number=f"6A{tag}{n:05d}",
                    shipped_at=now,
                )
                record_shipment(conn, CONNECTION_ID, shipment, now=now)
        return len(rows)

    def stock(self) -> dict[str, int]:
        with self.store.read() as conn:
            rows = conn.execute(sa.select(schema.stock.c.sku, schema.stock.c.quantity))
            return {r.sku: r.quantity for r in rows if r.quantity is not None}

    def stock_taken(self) -> dict[str, int]:
        """Units the stored order lines took from each host product."""
        lines = schema.order_lines
        with self.store.read() as conn:
            rows = conn.execute(
                sa.select(lines.c.product_sku, sa.func.sum(lines.c.stock_taken))
                .where(lines.c.product_sku.is_not(None))
                .group_by(lines.c.product_sku)
            )
            return {sku: int(total or 0) for sku, total in rows}

    def set_host_values(self, bump: int) -> None:
        """Change every listed product's stock and price, as a back office would."""
        current = self.stock()
        rows = self.catalog_rows()[:LISTED]
        for row in rows:
            row["quantity"] = str(max(0, current[row["sku"]] + bump))
            row["price"] = f"{Decimal(row['price']) + bump}"
        self.import_products(rows)

    def add_product(self) -> str:
        """Add a host product that has a catalogue id and no listing yet."""
        index = LISTED + NEW + self.added
        self.added += 1
        row = {
            "sku": f"REL-{index:02d}",
            "title": f"Phone {index}",
            "barcode": f"{4006381333900 + index:013d}",
            "grade": "GOOD",
            "quantity": "3",
            "price": f"{150 + index}.00",
            "currency": "EUR",
            "marketplace_product_id": product_id(index),
        }
        self.import_products([row])
        return row["sku"]
