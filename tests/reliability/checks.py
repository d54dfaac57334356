"""Invariants of a shop's store against its sandbox, shared by the tests.

Each check returns a list of problems (empty when the invariant holds), so
a test that loops over many cases can report every broken one at the end.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from backmarket_sdk.sandbox.request_log import LoggedRequest
from commercium_connector.host.store import schema
from tests.reliability.shop import PAID_STATES, Shop

# Kinds whose answer replaces the API's: the sandbox changed nothing.
ANSWERED = {"500", "502", "503", "504", "429", "waf_html", "bot_challenge"}


def store_integrity(shop: Shop) -> list[str]:
    """SQLite's own checks, unique orders and no negative stock."""
    problems = []
    with shop.store.read() as conn:
        integrity = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
        if integrity != "ok":
            problems.append(f"integrity_check: {integrity}")
        dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
        if dangling:
            problems.append(f"foreign keys broken: {dangling}")
        negative = conn.execute(
            sa.select(schema.stock.c.sku).where(schema.stock.c.quantity < 0)
        ).all()
        if negative:
            problems.append(f"negative host stock: {negative}")
        running = conn.execute(
            sa.select(schema.runs.c.id).where(schema.runs.c.outcome == "running")
        ).all()
        if running:
            problems.append(f"runs left running: {running}")
    return problems


def snapshot(shop: Shop) -> dict[str, Any]:
    """What a failed cycle must not take away: orders, lines and shipments."""
    with shop.store.read() as conn:
        orders = {
            r.external_id: r.status
            for r in conn.execute(
                sa.select(schema.orders.c.external_id, schema.orders.c.status)
            )
        }
        lines = conn.execute(
            sa.select(sa.func.count()).select_from(schema.order_lines)
        ).scalar()
        sent = {
            r.order_number
            for r in conn.execute(
                sa.select(schema.shipments.c.order_number).where(
                    schema.shipments.c.status == "sent"
                )
            )
        }
        links = conn.execute(
            sa.select(sa.func.count()).select_from(schema.listing_links)
        ).scalar()
    return {"orders": orders, "lines": lines, "sent": sent, "links": links}


def nothing_lost(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    problems = []
    missing = set(before["orders"]) - set(after["orders"])
    if missing:
        problems.append(f"orders lost: {sorted(missing)}")
    if after["lines"] < before["lines"]:
        problems.append(f"order lines lost: {before['lines']} -> {after['lines']}")
    if before["sent"] - after["sent"]:
        problems.append(f"sent shipments lost: {before['sent'] - after['sent']}")
    if after["links"] < before["links"]:
        problems.append(f"listing links lost: {before['links']} -> {after['links']}")
    return problems


def stock_accounted(shop: Shop) -> list[str]:
    """Host stock is what was set less what stored orders took, each line once."""
    problems = []
    taken = shop.stock_taken()
    for sku, quantity in shop.stock().items():
        expected = shop.stock_base.get(sku, quantity) - taken.get(sku, 0)
        if sku in shop.stock_base and quantity != max(0, expected):
            problems.append(f"host stock of {sku}: {quantity}, expected {expected}")
    lines = schema.order_lines
    with shop.store.read() as conn:
        wrong = conn.execute(
            sa.select(lines.c.external_id, lines.c.quantity, lines.c.stock_taken).where(
                lines.c.stock_taken > lines.c.quantity
            )
        ).all()
    if wrong:
        problems.append(f"lines that took stock more than once: {wrong}")
    return problems


def paid_orders(shop: Shop) -> set[str]:
    return {
        str(order_id)
        for order_id in shop.sandbox.store.orders
        if shop.sandbox.order(order_id)["state"] in PAID_STATES
    }


def converged(shop: Shop) -> list[str]:
    """After clean cycles the store agrees with the sandbox on everything."""
    problems = []
    with shop.store.read() as conn:
        stored = conn.execute(sa.select(schema.orders.c.external_id)).scalars().all()
        shipments = conn.execute(
            sa.select(
                schema.shipments.c.order_external_id,
                schema.shipments.c.tracking_number,
                schema.shipments.c.status,
            )
        ).all()
        prices = {
            r.sku: r.amount
            for r in conn.execute(
                sa.select(schema.prices.c.sku, schema.prices.c.amount)
            )
        }
        links = set(
            conn.execute(sa.select(schema.listing_links.c.product_sku)).scalars()
        )
    duplicates = [k for k, n in Counter(stored).items() if n > 1]
    if duplicates:
        problems.append(f"orders stored twice: {duplicates}")
    truth = paid_orders(shop)
    if truth != set(stored):
        problems.append(
            f"orders differ: missing {sorted(truth - set(stored))}, "
            f"extra {sorted(set(stored) - truth)}"
        )
    for row in shipments:
        order = shop.sandbox.order(int(row.order_external_id))
        if row.status != "sent" or order["state"] != 9:
            problems.append(
                f"shipment of {row.order_external_id}: host {row.status}, "
                f"sandbox state {order['state']}"
            )
        elif order["tracking_number"] != row.tracking_number:
            problems.append(f"tracking of {row.order_external_id} differs")
    stock = shop.stock()
    for sku in shop.sandbox.skus:
        listing = shop.sandbox.listing(sku)
        if sku in stock and listing["quantity"] != stock[sku]:
            problems.append(
                f"quantity of {sku}: sandbox {listing['quantity']}, host {stock[sku]}"
            )
        if sku in prices and Decimal(str(listing["price"])) != prices[sku]:
            problems.append(
                f"price of {sku}: sandbox {listing['price']}, host {prices[sku]}"
            )
    unlisted = set(stock) - set(shop.sandbox.skus)
    if unlisted:
        problems.append(f"host products with no listing: {sorted(unlisted)}")
    if unlisted & links:
        problems.append(f"links to missing listings: {sorted(unlisted & links)}")
    return problems


def ship_calls(requests: Iterable[LoggedRequest]) -> Counter[str]:
    """Ship calls that reached the sandbox's handler, by order id."""
    calls: Counter[str] = Counter()
    for request in requests:
        body = request.body if isinstance(request.body, dict) else {}
        if (
            request.method == "POST"
            and request.path.startswith("/ws/orders/")
            and body.get("new_state") == 3
            and request.fault not in ANSWERED
        ):
            calls[request.path.rsplit("/", 1)[1]] += 1
    return calls


def negative_pushes(requests: Iterable[LoggedRequest]) -> list[str]:
    """Listing updates that asked for a quantity below zero."""
    found = []
    for request in requests:
        body = request.body if isinstance(request.body, dict) else {}
        quantity = body.get("quantity")
        if isinstance(quantity, int) and quantity < 0:
            found.append(f"{request.path} {json.dumps(body)}")
        catalog = body.get("catalog")
        if isinstance(catalog, str):
            delimiter = str(body.get("delimiter") or ",")
            for row in csv.DictReader(io.StringIO(catalog), delimiter=delimiter):
                value = (row.get("quantity") or "").strip()
                if value.startswith("-"):
                    found.append(f"{request.path} catalog row {row.get('sku')}")
    return found
