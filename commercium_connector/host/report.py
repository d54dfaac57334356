"""Readable reports of a sync cycle and of the store's status, drawn with rich.

On a terminal they come out as coloured tables; piped to a file the same
tables come out as plain text.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from commercium_connector.host.store import Store, schema
from commercium_connector.host.store import notifications as problem_log
from commercium_connector.host.store import sync_state as state
from commercium_connector.host.store.orders import count_orders, unlinked_lines
from commercium_connector.host.store.shipments import count_shipments
from commercium_connector.host.sync import CycleReport
from commercium_connector.types import ItemStatus

# (label, step, count name) of each row of the cycle report.
CYCLE_ROWS = (
    ("orders pulled", "orders", "pulled"),
    ("orders imported", "orders", "imported"),
    ("orders updated", "orders", "updated"),
    ("lines accepted", "orders", "accepted"),
    ("unlinked lines", "orders", "unlinked"),
    ("shipments sent", "shipments", "done"),
    ("shipments failed", "shipments", "failed"),
    ("stock pushed", "inventory", "done"),
    ("stock unchanged or skipped", "inventory", "skipped"),
    ("stock deferred", "inventory", "deferred"),
    ("stock failed", "inventory", "failed"),
    ("prices pushed", "prices", "done"),
    ("prices unchanged or skipped", "prices", "skipped"),
    ("prices deferred", "prices", "deferred"),
    ("prices failed", "prices", "failed"),
    ("listings created", "products", "done"),
    ("listings skipped", "products", "skipped"),
    ("listings deferred", "products", "deferred"),
    ("listings failed", "products", "failed"),
)
# Rows shown even at zero; the others only when some connection has a count.
ALWAYS_SHOWN = frozenset(
    {
        "orders imported",
        "lines accepted",
        "unlinked lines",
        "shipments sent",
        "stock pushed",
        "prices pushed",
        "listings created",
    }
)
# The label `status` shows for each kind of open problem.
PROBLEM_LABELS = {
    # The plugin may flag an order and its line apart, so this counts
    # problems rather than orders.
    "orders_item": "open order problem(s)",
    "shipment_failed": "failed shipment(s)",
    "listing_failed": "rejected listing(s)",
    "sync_failure": "failing step(s)",
}
_MAX_LISTED = 10


def render_cycle(console: Console, report: CycleReport, *, title: str = "Sync") -> None:
    """Print what a cycle did: counts per connection, then problems."""
    connections = list(dict.fromkeys(s.connection_id for s in report.steps))
    heading = f"{title}{' (dry run: nothing was sent)' if report.dry_run else ''}"
    table = Table(title=heading, title_justify="left")
    table.add_column("")
    for connection_id in connections:
        table.add_column(connection_id, justify="right")
    for label, step, name in CYCLE_ROWS:
        if report.dry_run and step == "orders" and name in ("imported", "updated"):
            continue
        values = [_count(report, c, step, name) for c in connections]
        if all(v == 0 for v in values) and label not in ALWAYS_SHOWN:
            continue
        table.add_row(label, *[str(v) for v in values])
    console.print(table)

    for done in report.steps:
        if done.outcome in ("failed", "skipped"):
            style = "red" if done.outcome == "failed" else "yellow"
            console.print(
                f"[{style}]{done.connection_id} {done.step} {done.outcome}:[/{style}] "
                f"{escape(done.message)}",
                highlight=False,
            )
    unlinked = [line for s in report.steps for line in s.unlinked]
    if unlinked:
        console.print(f"[yellow]{len(unlinked)} unlinked item(s):[/yellow]")
        for line in unlinked[:_MAX_LISTED]:
            console.print(f"  {escape(line)}", highlight=False)
        if len(unlinked) > _MAX_LISTED:
            console.print(
                f"  ... and {len(unlinked) - _MAX_LISTED} more (see `status`)"
            )
    _print_items(console, report, ItemStatus.FAILED, "failed", "red")
    _print_items(console, report, ItemStatus.DEFERRED, "deferred", "yellow")
    if report.stopped:
        console.print("[yellow]stopped before the end of the cycle[/yellow]")


def _count(report: CycleReport, connection_id: str, step: str, name: str) -> int:
    return sum(
        s.counts.get(name, 0)
        for s in report.steps
        if s.connection_id == connection_id and s.step == step
    )


def _print_items(
    console: Console, report: CycleReport, status: ItemStatus, label: str, style: str
) -> None:
    items = [(s.step, r) for s in report.steps for r in s.results if r.status is status]
    if not items:
        return
    console.print(f"[{style}]{len(items)} item(s) {label}:[/{style}]")
    for step, result in items[:_MAX_LISTED]:
        console.print(
            f"  {step} {escape(result.key)}: {escape(result.message)}",
            highlight=False,
        )
    if len(items) > _MAX_LISTED:
        console.print(f"  ... and {len(items) - _MAX_LISTED} more (see `status`)")


def render_status(
    console: Console, store: Store, connection_ids: Sequence[str] = ()
) -> None:
    """Print cursors, the last result of each step and the pending items."""
    with store.read() as conn:
        ids = list(connection_ids) or _known_connections(conn)
        cursors = {(c, n): v for c, n, v in state.all_cursors(conn)}
        steps = state.last_steps(conn)
        table = Table(title=f"Store {store.location}", title_justify="left")
        for column in ("connection", "orders", "orders cursor", "shipments"):
            table.add_column(column, overflow="fold")
        table.add_column("pending", justify="left")
        for connection_id in ids:
            shipments = count_shipments(conn, connection_id)
            pending = []
            deferred = state.deferred_items(conn, connection_id)
            pending += [f"{n} {kind} to retry" for kind, n in sorted(deferred.items())]
            unlinked = unlinked_lines(conn, connection_id)
            if unlinked:
                pending.append(f"{len(unlinked)} unlinked line(s)")
            problems = problem_log.open_problems(conn, connection_id)
            pending += [
                f"{n} {PROBLEM_LABELS.get(kind, kind)}"
                for kind, n in sorted(problems.items())
            ]
            cursor = cursors.get((connection_id, "orders"))
            table.add_row(
                connection_id,
                str(count_orders(conn, connection_id)),
                cursor.strftime("%Y-%m-%d %H:%M:%S UTC") if cursor else "-",
                ", ".join(f"{n} {s}" for s, n in sorted(shipments.items())) or "-",
                "\n".join(pending) or "-",
            )
        console.print(table)

        last = Table(title="Last result of each step", title_justify="left")
        for column in ("connection", "step", "outcome", "when", "counts / message"):
            last.add_column(column, overflow="fold")
        for step in steps:
            if ids and step.connection_id not in ids:
                continue
            detail = step.message or " ".join(
                f"{k}={v}" for k, v in sorted(step.counts.items())
            )
            last.add_row(
                step.connection_id,
                step.step,
                step.outcome,
                step.at.strftime("%Y-%m-%d %H:%M:%S UTC"),
                escape(detail or "-"),
            )
        console.print(last)
        for connection_id in ids:
            unlinked = unlinked_lines(conn, connection_id)
            for number, sku in unlinked[:_MAX_LISTED]:
                console.print(
                    f"{connection_id}: order {number} has a line for {sku!r}, "
                    "which matches no host product",
                    highlight=False,
                    markup=False,
                )


def _known_connections(conn: sa.Connection) -> list[str]:
    query = sa.union(
        sa.select(schema.orders.c.connection_id),
        sa.select(schema.step_runs.c.connection_id),
    )
    return sorted(str(c) for c in conn.execute(query).scalars())
