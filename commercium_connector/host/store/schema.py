"""Tables of the host's SQLite store, as SQLAlchemy Core metadata.

Timestamps are stored as ISO 8601 text in UTC and money as decimal text, so that
SQLite (which has neither type) round-trips them exactly. The same tables run on
PostgreSQL through SQLAlchemy.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """An aware datetime stored as ISO 8601 text in UTC."""

    impl = sa.String(40)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"expected an aware datetime, got {value!r}")
        return value.astimezone(timezone.utc).isoformat()

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return datetime.fromisoformat(str(value))


class DecimalText(sa.types.TypeDecorator[Decimal]):
    """A Decimal stored as text, so no digit is lost to floating point."""

    impl = sa.String(40)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(Decimal(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(str(value))


metadata = sa.MetaData()

schema_migrations = sa.Table(
    "schema_migrations",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("applied_at", UTCDateTime, nullable=False),
)

products = sa.Table(
    "products",
    metadata,
    sa.Column("sku", sa.String(200), primary_key=True),
    sa.Column("title", sa.String(500), nullable=False, default=""),
    sa.Column("barcode", sa.String(64)),
    sa.Column("grade", sa.String(64)),
    sa.Column("marketplace_product_id", sa.String(64)),
    sa.Column("fields", sa.JSON, nullable=False, default=dict),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

# A product without a stock row, or with a NULL quantity, is not tracked.
stock = sa.Table(
    "stock",
    metadata,
    sa.Column("sku", sa.String(200), sa.ForeignKey("products.sku"), primary_key=True),
    sa.Column("quantity", sa.Integer),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

# The quantity the last products import set for each product. An import that
# sets the same quantity again keeps the stock, with the sales made since.
# Added by migration 2.
imported_stock = sa.Table(
    "imported_stock",
    metadata,
    sa.Column("sku", sa.String(200), sa.ForeignKey("products.sku"), primary_key=True),
    sa.Column("quantity", sa.Integer),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

prices = sa.Table(
    "prices",
    metadata,
    sa.Column("sku", sa.String(200), sa.ForeignKey("products.sku"), primary_key=True),
    sa.Column("amount", DecimalText, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("connection_id", sa.String(100), nullable=False),
    sa.Column("external_id", sa.String(100), nullable=False),
    sa.Column("number", sa.String(200), nullable=False),
    sa.Column("notes", sa.Text, nullable=False, default=""),
    sa.Column("status", sa.String(40), nullable=False),
    sa.Column("paid", sa.Boolean, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("modified_at", UTCDateTime, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("total", DecimalText, nullable=False),
    sa.Column("shipping_total", DecimalText, nullable=False),
    sa.Column("shipping_address", sa.JSON, nullable=False),
    sa.Column("billing_address", sa.JSON, nullable=False),
    sa.Column("tracking_number", sa.String(200)),
    sa.Column("carrier", sa.String(200)),
    sa.Column("imported_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("connection_id", "external_id"),
    sa.Index("ix_orders_number", "number"),
)

order_lines = sa.Table(
    "order_lines",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=False),
    sa.Column("external_id", sa.String(100), nullable=False),
    sa.Column("marketplace_sku", sa.String(200), nullable=False),
    sa.Column("product_key", sa.String(200)),
    # The host product the line takes stock from, resolved from product_key.
    sa.Column("product_sku", sa.String(200)),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price", DecimalText, nullable=False),
    sa.Column("shipping_price", DecimalText, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("state", sa.String(40), nullable=False),
    # Units this line took from the host's stock; given back if the order is
    # cancelled, and never taken twice.
    sa.Column("stock_taken", sa.Integer, nullable=False, default=0),
    sa.UniqueConstraint("order_id", "external_id"),
)

shipments = sa.Table(
    "shipments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("connection_id", sa.String(100), nullable=False),
    sa.Column("order_number", sa.String(200), nullable=False),
    sa.Column("order_external_id", sa.String(100), nullable=False),
    sa.Column("shipping_method", sa.String(200), nullable=False),
    sa.Column("tracking_number", sa.String(200), nullable=False),
    sa.Column("tracking_url", sa.String(1000)),
    sa.Column("shipped_at", UTCDateTime),
    sa.Column("imei", sa.String(32)),
    sa.Column("serial_number", sa.String(100)),
    # pending: to send; sent: the marketplace has it; failed: last try failed.
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("message", sa.Text, nullable=False, default=""),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime),
    sa.UniqueConstraint("connection_id", "order_number"),
)

listing_links = sa.Table(
    "listing_links",
    metadata,
    sa.Column("connection_id", sa.String(100), primary_key=True),
    sa.Column("product_sku", sa.String(200), primary_key=True),
    sa.Column("listing_key", sa.String(200), nullable=False),
    sa.Column("listing_id", sa.String(100)),
    sa.Column("source", sa.String(40), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

cursors = sa.Table(
    "cursors",
    metadata,
    sa.Column("connection_id", sa.String(100), primary_key=True),
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", UTCDateTime),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

# The last value handed to a push hook per product, so that an unchanged value
# is not handed again. kind is "quantity", "price" or "product".
pushed_values = sa.Table(
    "pushed_values",
    metadata,
    sa.Column("connection_id", sa.String(100), primary_key=True),
    sa.Column("kind", sa.String(20), primary_key=True),
    sa.Column("product_sku", sa.String(200), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("message", sa.Text, nullable=False, default=""),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("dry_run", sa.Boolean, nullable=False),
    sa.Column("steps", sa.String(200), nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),
)

item_results = sa.Table(
    "item_results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
    sa.Column("connection_id", sa.String(100), nullable=False),
    sa.Column("step", sa.String(20), nullable=False),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("message", sa.Text, nullable=False, default=""),
    sa.Column("action", sa.String(40), nullable=False, default=""),
    sa.Column("details", sa.JSON, nullable=False, default=dict),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("ix_item_results_connection_step", "connection_id", "step"),
)

step_runs = sa.Table(
    "step_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
    sa.Column("connection_id", sa.String(100), nullable=False),
    sa.Column("step", sa.String(20), nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("message", sa.Text, nullable=False, default=""),
    sa.Column("counts", sa.JSON, nullable=False, default=dict),
    sa.Column("at", UTCDateTime, nullable=False),
)

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("connection_id", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("key", sa.String(300), nullable=False),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # Set once the email went out, or when email is not configured.
    sa.Column("sent_at", UTCDateTime),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text, nullable=False, default=""),
    # A resolved problem (a sync step that works again) may be notified anew.
    sa.Column("resolved_at", UTCDateTime),
    sa.UniqueConstraint("connection_id", "kind", "key"),
)

connection_state = sa.Table(
    "connection_state",
    metadata,
    sa.Column("connection_id", sa.String(100), primary_key=True),
    sa.Column("key", sa.String(300), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)
