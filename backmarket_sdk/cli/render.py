"""Print SDK models as rich tables or as JSON."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
from rich.console import Console
from rich.highlighter import JSONHighlighter
from rich.table import Table
from rich.text import Text

from backmarket_sdk.cli.terminal_text import (
    escape_controls,
    escape_json_controls,
    literal,
)
from backmarket_sdk.models import Address, Listing, Order, Task


def to_jsonable(value: Any) -> Any:
    """Convert models to JSON-ready values.

    Money stays exact as a decimal string, timestamps become ISO 8601 and
    enums their raw API value.
    """
    if attrs.has(type(value)):
        return {
            field.name: to_jsonable(getattr(value, field.name))
            for field in attrs.fields(type(value))
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    return value


def print_json(console: Console, value: Any) -> None:
    """Print a value as indented JSON, without rich markup or wrapping.

    Letters outside ASCII print as is. Control characters print as JSON
    escapes such as ``\\n`` or ``\\u001b``.
    """
    json_text = json.dumps(to_jsonable(value), indent=2, ensure_ascii=False)
    # Console.print_json would parse and dump the text again, undoing the
    # escapes, so the text is highlighted and printed as it is.
    text = JSONHighlighter()(Text(escape_json_controls(json_text)))
    console.print(text, soft_wrap=True)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _add_row(table: Table, *cells: str) -> None:
    """Add a row whose cells print literally, never parsed as rich markup."""
    table.add_row(*(literal(cell) for cell in cells))


def _money(value: Decimal | None, currency: str | None) -> str:
    if value is None:
        return ""
    return f"{value} {currency or ''}".strip()


def orders_table(orders: Sequence[Order]) -> Table:
    """Build a table of orders, one row each."""
    table = Table(title=f"{len(orders)} orders")
    for column in ("order", "state", "created", "market", "SKUs", "total"):
        table.add_column(
            column,
            justify="right" if column == "total" else "left",
            no_wrap=column != "created",
        )
    for order in orders:
        # Each SKU is escaped on its own, so the only line breaks in the cell
        # are the ones between orderlines.
        skus = "\n".join(
            escape_controls(
                f"{line.listing} x{line.quantity}"
                if line.quantity != 1
                else line.listing
            )
            for line in order.orderlines
        )
        table.add_row(
            literal(str(order.order_id)),
            literal(_text(order.state)),
            literal(_text(order.date_creation)),
            literal(_text(order.country_code)),
            Text(skus),
            literal(_money(order.price, order.currency)),
        )
    return table


def _address(address: Address | None) -> str:
    if address is None:
        return ""
    name = " ".join(p for p in (address.first_name, address.last_name) if p)
    place = " ".join(p for p in (address.postal_code, address.city) if p)
    return ", ".join(p for p in (name, address.company, place, address.country) if p)


def order_tables(order: Order) -> list[Table]:
    """Build the summary and orderline tables of one order."""
    summary = Table(title=literal(f"Order {order.order_id}"), show_header=False)
    summary.add_column("field", style="bold")
    summary.add_column("value")
    rows = [
        ("state", _text(order.state)),
        ("market", _text(order.country_code)),
        ("created", _text(order.date_creation)),
        ("paid", _text(order.date_payment)),
        ("dispatch by", _text(order.expected_dispatch_date)),
        ("shipped", _text(order.date_shipping)),
        ("total", _money(order.price, order.currency)),
        ("shipping", _money(order.shipping_price, order.currency)),
        ("ship to", _address(order.shipping_address)),
        (
            "tracking",
            " ".join(filter(None, [order.tracking_number, order.tracking_url])),
        ),
    ]
    for name, value in rows:
        if value:
            _add_row(summary, name, value)

    lines = Table(title="Orderlines")
    for column in ("line", "SKU", "state", "qty", "price", "product", "IMEI"):
        lines.add_column(column, no_wrap=column != "product")
    for line in order.orderlines:
        _add_row(
            lines,
            str(line.id),
            line.listing,
            _text(line.state),
            str(line.quantity),
            _money(line.price, line.currency),
            _text(line.product),
            _text(line.imei or line.serial_number),
        )
    return [summary, lines]


def listings_table(listings: Sequence[Listing]) -> Table:
    """Build a table of listings, one row each."""
    table = Table(title=f"{len(listings)} listings")
    for column in ("SKU", "qty", "price", "grade", "state"):
        table.add_column(column, no_wrap=column != "grade")
    table.add_column("title")
    for listing in listings:
        _add_row(
            table,
            listing.sku,
            str(listing.quantity),
            _money(listing.price, listing.currency),
            _text(listing.grade),
            _text(listing.publication_state),
            _text(listing.title),
        )
    return table


def listing_table(listing: Listing) -> Table:
    """Build the field table of one listing."""
    table = Table(title=literal(f"Listing {listing.sku}"), show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    rows = [
        ("id", listing.id),
        ("listing_id", str(listing.listing_id)),
        ("title", _text(listing.title)),
        ("product_id", _text(listing.product_id)),
        ("quantity", str(listing.quantity)),
        ("price", _money(listing.price, listing.currency)),
        ("min price", _money(listing.min_price, listing.currency)),
        ("max price", _money(listing.max_price, listing.currency)),
        ("grade", _text(listing.grade)),
        ("publication", _text(listing.publication_state)),
        (
            "warranty",
            f"{listing.warranty_delay} months" if listing.warranty_delay else "",
        ),
        ("comment", _text(listing.comment)),
    ]
    for name, value in rows:
        if value:
            _add_row(table, name, value)
    return table


def _report_rows(result: Any) -> list[tuple[str, str, str]]:
    """Return (SKU, outcome, detail) rows of a task report shaped per SKU."""
    if not isinstance(result, Mapping):
        return []
    rows = []
    for sku, outcome in result.items():
        if isinstance(outcome, Mapping):
            success = outcome.get("success")
            status = ""
            if success is True:
                status = "ok"
            elif success is False:
                status = "failed"
            detail = outcome.get("errors") or outcome.get("action") or ""
            if isinstance(detail, list):
                detail = "; ".join(str(item) for item in detail)
            rows.append((str(sku), status, _text(detail)))
        else:
            rows.append((str(sku), "", _text(outcome)))
    return rows


def task_tables(task: Task) -> list[Table]:
    """Build the status table of a task and, when it has one, its report."""
    summary = Table(title=literal(f"Task {task.task_id}"), show_header=False)
    summary.add_column("field", style="bold")
    summary.add_column("value")
    _add_row(summary, "status", task.status.value)
    _add_row(summary, "action_status", str(task.action_status))
    if task.last_action_error:
        _add_row(summary, "error", task.last_action_error)
    tables = [summary]
    rows = _report_rows(task.result)
    if rows:
        report = Table(title="Report")
        for column in ("SKU", "outcome", "detail"):
            report.add_column(column, no_wrap=column != "detail")
        for row in rows:
            _add_row(report, *row)
        tables.append(report)
    return tables


def failed_skus(task: Task) -> list[str]:
    """Return the SKUs a task's report marks with ``success: false``."""
    return [sku for sku, status, _ in _report_rows(task.result) if status == "failed"]
