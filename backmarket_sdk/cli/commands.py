"""The subcommands: each reads its options, calls the SDK and prints the result."""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console

from backmarket_sdk.cli import render
from backmarket_sdk.cli.catalog_file import read_catalog
from backmarket_sdk.cli.errors import CommandError
from backmarket_sdk.cli.listing_checks import update_warnings
from backmarket_sdk.cli.session import Session
from backmarket_sdk.cli.terminal_text import escape_controls, plain_console
from backmarket_sdk.models import Listing, OrderLineState, Task

T = TypeVar("T")

Handler = Callable[[Session, argparse.Namespace, Console], int]


def _take(items: Iterable[T], limit: int) -> list[T]:
    """Return the first ``limit`` items, or all of them when it is 0."""
    return list(items) if limit == 0 else list(itertools.islice(items, limit))


def _show(console: Console, args: argparse.Namespace, data: Any, tables: Any) -> None:
    if args.json:
        render.print_json(console, data)
        return
    for table in tables if isinstance(tables, list) else [tables]:
        console.print(table)


def list_orders(session: Session, args: argparse.Namespace, console: Console) -> int:
    """Print orders matching the filters."""
    pager = session.client.orders.list(
        state=args.state,
        date_creation=args.created_since,
        date_modification=args.modified_since,
        country_code=args.country,
    )
    orders = _take(pager, args.limit)
    _show(console, args, orders, render.orders_table(orders))
    return 0


def show_order(session: Session, args: argparse.Namespace, console: Console) -> int:
    """Print one order."""
    order = session.client.orders.get(args.order_id)
    _show(console, args, order, render.order_tables(order))
    return 0


def accept_order(session: Session, args: argparse.Namespace, console: Console) -> int:
    """Accept the given orderlines, or every line waiting for acceptance."""
    orders = session.client.orders
    order = orders.get(args.order_id)
    skus: list[str] = args.skus or [
        line.listing for line in order.orderlines if line.state == OrderLineState.PAID
    ]
    if not skus:
        states = ", ".join(
            f"{line.listing} {line.state.name}" for line in order.orderlines
        )
        raise CommandError(
            f"Order {order.order_id} has no orderline waiting for acceptance "
            f"({states or 'no orderlines'}); only PAID lines can be accepted."
        )
    for sku in skus:
        if order.line_for_sku(sku) is None:
            known = ", ".join(line.listing for line in order.orderlines)
            raise CommandError(
                f"Order {order.order_id} has no orderline for SKU {sku!r}; its "
                f"SKUs are {known}.",
                exit_code=2,
            )
    for sku in skus:
        order = orders.accept_line(args.order_id, sku)
    _show(console, args, order, render.order_tables(order))
    return 0


def ship_order(session: Session, args: argparse.Namespace, console: Console) -> int:
    """Mark an order shipped with its tracking number."""
    order = session.client.orders.ship(
        args.order_id,
        tracking_number=args.tracking_number,
        shipper=args.shipper,
        tracking_url=args.tracking_url,
        imei=args.imei,
        serial_number=args.serial_number,
    )
    _show(console, args, order, render.order_tables(order))
    return 0


def list_listings(session: Session, args: argparse.Namespace, console: Console) -> int:
    """Print listings matching the filters."""
    pager = session.client.listings.list(
        publication_state=args.publication_state,
        min_quantity=args.min_quantity,
        max_quantity=args.max_quantity,
    )
    listings = _take(pager, args.limit)
    _show(console, args, listings, render.listings_table(listings))
    return 0


def _find_listing(session: Session, args: argparse.Namespace) -> Listing:
    if args.sku is not None:
        return session.client.listings.get_by_sku(args.sku)
    listing_id: str | int = args.listing_id
    # isascii() because isdigit() also accepts digits such as "²" that int()
    # rejects.
    if isinstance(listing_id, str) and listing_id.isascii() and listing_id.isdigit():
        listing_id = int(listing_id)
    return session.client.listings.get(listing_id)


def show_listing(session: Session, args: argparse.Namespace, console: Console) -> int:
    """Print one listing, found by id or SKU."""
    listing = _find_listing(session, args)
    _show(console, args, listing, render.listing_table(listing))
    return 0


def update_listing(session: Session, args: argparse.Namespace, console: Console) -> int:
    """Update the given fields of one listing and print it."""
    fields = (args.quantity, args.price, args.comment, args.warranty_delay)
    if all(value is None for value in fields):
        raise CommandError(
            "Nothing to update: pass --quantity, --price, --comment or "
            "--warranty-delay.",
            exit_code=2,
        )
    listing = _find_listing(session, args)
    updated = session.client.listings.update(
        listing.id,
        quantity=args.quantity,
        price=args.price,
        comment=args.comment,
        warranty_delay=args.warranty_delay,
    )
    _show(console, args, updated, render.listing_table(updated))
    # On standard error, so that --json output stays valid JSON.
    err = plain_console(stderr=True, soft_wrap=True)
    for warning in update_warnings(updated):
        err.print(f"warning: {escape_controls(warning)}")
    return 0


def _wait_all(
    session: Session, args: argparse.Namespace, task_ids: list[int]
) -> list[Task]:
    interval = args.poll_interval or session.poll_interval
    return [
        session.client.tasks.wait(task_id, timeout=args.timeout, poll_interval=interval)
        for task_id in task_ids
    ]


def _task_outcome(console: Console, args: argparse.Namespace, tasks: list[Task]) -> int:
    """Print tasks; raise CommandError when one failed or rejected a SKU."""
    tables = [table for task in tasks for table in render.task_tables(task)]
    _show(console, args, tasks if len(tasks) != 1 else tasks[0], tables)
    problems = []
    for task in tasks:
        if task.status.value == "FAILED":
            problems.append(f"task {task.task_id} failed: {task.last_action_error}")
        failed = render.failed_skus(task)
        if failed:
            problems.append(
                f"task {task.task_id} rejected {len(failed)} SKUs: "
                + ", ".join(failed[:10])
                + (" ..." if len(failed) > 10 else "")
            )
    if problems:
        raise CommandError("; ".join(problems) + ".")
    return 0


def _check_sku_budget(path: Path, row_count: int, budget: int) -> None:
    """Reject a catalog with more rows than the hourly SKU budget.

    Back Market counts each row as one SKU line of the hour and may refuse a
    catalog over the budget with 429. Retrying does not help, because the
    catalog stays too large however long the command waits.
    """
    if row_count <= budget:
        return
    raise CommandError(
        f"Catalog {path} has {row_count:,} rows, more than the budget of about "
        f"{budget:,} SKU lines an hour that Back Market allows. Back Market may "
        "refuse it with 429, and waiting does not help. Split it into files of "
        f"at most {budget:,} rows and send one an hour, or pass "
        "--hourly-sku-budget if Back Market granted this account a larger "
        "budget. Nothing was sent.",
        exit_code=2,
    )


def import_catalog(session: Session, args: argparse.Namespace, console: Console) -> int:
    """Send a catalog CSV and, unless --no-wait, wait for its tasks."""
    path = Path(args.csv_file)
    rows = read_catalog(path, args.delimiter)
    _check_sku_budget(path, len(rows), args.hourly_sku_budget)
    task_ids = session.client.listings.import_catalog(rows, delimiter=args.delimiter)
    if args.no_wait:
        if args.json:
            render.print_json(console, {"task_ids": task_ids})
        else:
            console.print(
                f"Sent {len(rows)} rows as tasks {', '.join(map(str, task_ids))}; "
                "follow them with: backmarket tasks wait TASK_ID",
                markup=False,
                emoji=False,
                highlight=False,
            )
        return 0
    return _task_outcome(console, args, _wait_all(session, args, task_ids))


def show_task(session: Session, args: argparse.Namespace, console: Console) -> int:
    """Print a task with its current status."""
    task = session.client.tasks.get(args.task_id)
    _show(console, args, task, render.task_tables(task))
    return 0


def wait_task(session: Session, args: argparse.Namespace, console: Console) -> int:
    """Wait for a task to finish and print it."""
    return _task_outcome(console, args, _wait_all(session, args, [args.task_id]))


HANDLERS: dict[tuple[str, str], Handler] = {
    ("orders", "list"): list_orders,
    ("orders", "show"): show_order,
    ("orders", "accept"): accept_order,
    ("orders", "ship"): ship_order,
    ("listings", "list"): list_listings,
    ("listings", "show"): show_listing,
    ("listings", "update"): update_listing,
    ("catalog", "import"): import_catalog,
    ("tasks", "show"): show_task,
    ("tasks", "wait"): wait_task,
}
