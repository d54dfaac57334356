"""The sync cycle: orders in, then shipments, stock, prices and products out.

Each step calls its hook with no transaction open, because a plugin writes
its own state meanwhile. It then writes everything the hook's result implies
in one transaction, so a step killed half-way leaves the store as it was.
The orders cursor is stored in the same transaction as the orders, so a
crash never moves the cursor past an order that was not stored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import attrs
import sqlalchemy as sa

from commercium_connector.errors import ConnectorError
from commercium_connector.host.manager import PluginError, PluginHost
from commercium_connector.host.notify import Notifier
from commercium_connector.host.store import Store
from commercium_connector.host.store import sync_state as state
from commercium_connector.host.store.catalog import (
    ProductIndex,
    load_products,
    lock_stock,
)
from commercium_connector.host.store.orders import store_order
from commercium_connector.host.store.shipments import (
    record_shipment_result,
    shipments_to_send,
)
from commercium_connector.types import (
    Connection,
    ItemResult,
    ItemStatus,
    PriceUpdate,
    Product,
    StockLevel,
)

logger = logging.getLogger(__name__)

STEPS = ("orders", "shipments", "inventory", "prices", "products")
ORDERS_CURSOR = "orders"
# Per-item results are kept for this many runs; `status` reads the latest.
RESULT_RUNS_KEPT = 500


def utc_now() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(timezone.utc)


@attrs.define
class StepReport:
    """Outcome of one step of one connection.

    Attributes:
        connection_id: The connection.
        step: One of ``STEPS``.
        outcome: ``ok``, ``failed``, ``skipped`` (not run, and why in
            ``message``) or ``stopped``.
        message: The error or the reason the step was skipped.
        counts: Named counts for the report, such as ``imported``.
        results: The per-item results the hook returned.
        unlinked: One line per new order line that matches no host product.
        stops_connection: The failure concerns the whole connection, so its
            remaining steps are skipped.
        recorded: The step's outcome is already in the store.
    """

    connection_id: str
    step: str
    outcome: str = "ok"
    message: str = ""
    counts: dict[str, int] = attrs.field(factory=dict)
    results: list[ItemResult] = attrs.field(factory=list)
    unlinked: list[str] = attrs.field(factory=list)
    stops_connection: bool = False
    recorded: bool = False


@attrs.define
class CycleReport:
    """Everything one sync cycle did, for the report and the exit status."""

    dry_run: bool
    started_at: datetime
    finished_at: datetime | None = None
    steps: list[StepReport] = attrs.field(factory=list)
    stopped: bool = False

    def count(self, step: str, name: str) -> int:
        """Sum a named count of a step over every connection."""
        return sum(s.counts.get(name, 0) for s in self.steps if s.step == step)

    @property
    def failed(self) -> list[StepReport]:
        """The steps that failed."""
        return [s for s in self.steps if s.outcome == "failed"]

    @property
    def failed_items(self) -> list[ItemResult]:
        """The per-item results that failed, over every step."""
        return [
            r for s in self.steps for r in s.results if r.status is ItemStatus.FAILED
        ]


AfterStep = Callable[[Connection, StepReport], None]
ProgressCallback = Callable[[Connection, str], None]


def _status_counts(results: Iterable[ItemResult]) -> Counter[str]:
    return Counter(r.status.value for r in results)


def quantity_value(product: Product) -> str:
    """Return the text recorded for a pushed stock level."""
    return "untracked" if product.quantity is None else str(product.quantity)


def price_value(product: Product) -> str:
    """Return the text recorded for a pushed price."""
    return f"{product.price} {product.currency or ''}".strip()


def product_value(product: Product) -> str:
    """Return a digest of what a listing is created from, stock left out.

    A product whose creation failed is handed again only once this digest
    changes, so a rejected product is not sent again on every cycle.
    """
    payload = json.dumps(
        [
            product.title,
            product.barcode,
            product.grade,
            product.marketplace_product_id,
            str(product.price),
            product.currency,
            sorted(product.fields.items()),
        ]
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def settings_digest(connection: Connection) -> str:
    """Return a short digest of a connection's channel settings.

    It is recorded with each pushed value, so that a change of settings (a
    sync switched back on, a new safety stock) hands every value again.
    """
    return hashlib.sha256(repr(connection.settings).encode()).hexdigest()[:12]


def _needs_push(record: tuple[str, str] | None, value: str) -> bool:
    if record is None:
        return True
    last_value, status = record
    return last_value != value or status in ("deferred", "failed")


class SyncEngine:
    """Runs sync cycles for connections with the store and the plugins.

    Args:
        store: The opened store (holding the run lock).
        plugins: The plugin facade.
        notifier: Where problems go.
        clock: Returns the current time; tests pass their own.
    """

    def __init__(
        self,
        store: Store,
        plugins: PluginHost,
        notifier: Notifier,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.plugins = plugins
        self.notifier = notifier
        self.clock = clock

    def run_cycle(
        self,
        connections: Sequence[Connection],
        steps: Sequence[str] = STEPS,
        *,
        dry_run: bool = False,
        stop: threading.Event | None = None,
        after_step: AfterStep | None = None,
        progress: ProgressCallback | None = None,
        jobs: int = 1,
    ) -> CycleReport:
        """Run the given steps, in the cycle's order, for every connection.

        A step that fails is recorded and notified, and the connection goes
        on with its next step. When the channel is unavailable (a bad token,
        an outage), the connection's remaining steps are skipped instead.

        Args:
            connections: The connections to sync.
            steps: A subset of ``STEPS``; they always run in that order.
            dry_run: Let the plugins send nothing and write nothing here.
            stop: When set, the cycle stops before the next step.
            after_step: Called after each step, such as the demo's packing
                of new orders after the orders step.
            progress: Called after each step, for a progress bar.
            jobs: How many connections to sync at once, each in a thread.
        """
        chosen = [s for s in STEPS if s in steps]
        report = CycleReport(dry_run=dry_run, started_at=self.clock())
        run_id = 0
        if not dry_run:
            with self.store.transaction() as conn:
                run_id = state.start_run(
                    conn, chosen, dry_run=dry_run, now=self.clock()
                )

        def sync_connection(connection: Connection) -> tuple[list[StepReport], bool]:
            return self._sync_connection(
                connection, chosen, run_id, dry_run, stop, after_step, progress
            )

        if jobs <= 1 or len(connections) <= 1:
            for connection in connections:
                step_reports, stopped = sync_connection(connection)
                report.steps.extend(step_reports)
                if stopped:
                    report.stopped = True
                    break
        else:
            # Each connection's steps stay in order in one thread. The store
            # is safe to share: each thread writes through its own pooled
            # connection, SQLite serialises the writes, and two connections
            # never write the same order or listing rows.
            with ThreadPoolExecutor(jobs, thread_name_prefix="sync") as pool:
                for step_reports, stopped in pool.map(sync_connection, connections):
                    report.steps.extend(step_reports)
                    report.stopped = report.stopped or stopped
        report.finished_at = self.clock()
        if not dry_run:
            outcome = "ok"
            if report.failed:
                outcome = "failed"
            if report.stopped:
                outcome = "stopped"
            with self.store.transaction() as conn:
                state.finish_run(conn, run_id, outcome, now=self.clock())
                state.prune_results(conn, keep_runs=RESULT_RUNS_KEPT)
            self.notifier.flush(self.store, now=self.clock())
        return report

    def _sync_connection(
        self,
        connection: Connection,
        steps: Sequence[str],
        run_id: int,
        dry_run: bool,
        stop: threading.Event | None,
        after_step: AfterStep | None,
        progress: ProgressCallback | None,
    ) -> tuple[list[StepReport], bool]:
        """Run one connection's steps in order; return them and whether stopped."""
        capabilities = self._capabilities(connection)
        unavailable = ""
        reports: list[StepReport] = []
        for step in steps:
            if stop is not None and stop.is_set():
                return reports, True
            if unavailable:
                step_report = StepReport(
                    connection.id, step, "skipped", f"not run: {unavailable}"
                )
            elif capabilities is not None and step not in capabilities:
                step_report = StepReport(
                    connection.id,
                    step,
                    "skipped",
                    "the channel does not do this step",
                )
            else:
                step_report = self._run_step(connection, step, run_id, dry_run)
                if step_report.stops_connection:
                    unavailable = step_report.message
            reports.append(step_report)
            if after_step is not None and step_report.outcome == "ok":
                after_step(connection, step_report)
            if progress is not None:
                progress(connection, step)
        return reports, False

    def _capabilities(self, connection: Connection) -> frozenset[str] | None:
        info = self.plugins.channels().get(connection.channel)
        return None if info is None else info.capabilities

    def _run_step(
        self, connection: Connection, step: str, run_id: int, dry_run: bool
    ) -> StepReport:
        handler = getattr(self, f"_step_{step}")
        log_extra = {"connection": connection.id, "step": step}
        logger.debug("step started", extra=log_extra)
        try:
            report: StepReport = handler(connection, run_id, dry_run)
        except (ConnectorError, PluginError) as exc:
            # A bad token, an outage or invalid settings: the connection's
            # later steps would fail the same way, so they are skipped.
            report = self._failed(connection, step, run_id, dry_run, str(exc), True)
        except Exception as exc:
            # pluggy does not isolate plugins: a plugin's bug reaches the host
            # here, and costs this step only.
            logger.exception("step crashed", extra=log_extra)
            message = f"{type(exc).__name__}: {exc}"
            report = self._failed(connection, step, run_id, dry_run, message, False)
        else:
            if not dry_run:
                with self.store.transaction() as conn:
                    if not report.recorded:
                        # Nothing to hand: record the step so that `status`
                        # shows when it last ran.
                        state.record_step(
                            conn, run_id, connection.id, step, "ok", now=self.clock()
                        )
                    self.notifier.resolve(
                        conn, connection.id, "sync_failure", step, now=self.clock()
                    )
        logger.info(
            "step %s: %s",
            report.outcome,
            " ".join(f"{k}={v}" for k, v in sorted(report.counts.items())) or "-",
            extra=log_extra,
        )
        return report

    def _failed(
        self,
        connection: Connection,
        step: str,
        run_id: int,
        dry_run: bool,
        message: str,
        stops_connection: bool,
    ) -> StepReport:
        logger.error(
            "%s sync of %s failed: %s",
            step,
            connection.id,
            message,
            extra={"connection": connection.id, "step": step},
        )
        report = StepReport(
            connection.id, step, "failed", message, stops_connection=stops_connection
        )
        if not dry_run:
            now = self.clock()
            with self.store.transaction() as conn:
                state.record_step(
                    conn,
                    run_id,
                    connection.id,
                    step,
                    "failed",
                    message=message,
                    now=now,
                )
                self.notifier.problem(
                    conn,
                    connection.id,
                    "sync_failure",
                    step,
                    f"{step} sync of {connection.name} ({connection.id}) failed",
                    message,
                    now=now,
                )
        return report

    def _finish_step(
        self,
        conn: sa.Connection,
        report: StepReport,
        run_id: int,
        *,
        now: datetime,
    ) -> None:
        state.record_results(
            conn, run_id, report.connection_id, report.step, report.results, now=now
        )
        state.record_step(
            conn,
            run_id,
            report.connection_id,
            report.step,
            report.outcome,
            counts=report.counts,
            now=now,
        )
        report.recorded = True
        kind = f"{report.step}_item"
        for result in report.results:
            if result.notify:
                self.notifier.problem(
                    conn,
                    report.connection_id,
                    kind,
                    result.key,
                    f"{report.step}: {result.key}: "
                    f"{result.message or result.status.value}",
                    now=now,
                )
            elif result.status is ItemStatus.DONE:
                # The item went through since (an unlinked line linked and
                # accepted): its problem is over.
                self.notifier.resolve(
                    conn, report.connection_id, kind, result.key, now=now
                )

    # The steps. Each returns its report; none lets a transaction span a hook.

    def _step_orders(
        self, connection: Connection, run_id: int, dry_run: bool
    ) -> StepReport:
        with self.store.read() as conn:
            products = load_products(conn)
            since = state.get_cursor(conn, connection.id, ORDERS_CURSOR)
        batch = self.plugins.pull_orders(connection, since, products, dry_run=dry_run)
        index = ProductIndex(products)
        results = list(batch.results)
        counts: Counter[str] = Counter(pulled=len(batch.orders))
        counts["accepted"] = sum(
            1 for r in results if r.action == "accept" and r.status is ItemStatus.DONE
        )
        report = StepReport(connection.id, "orders", results=results)
        if dry_run:
            counts["unlinked"] = sum(
                1
                for o in batch.orders
                for line in o.lines
                if index.sku_for(line.product_key) is None
            )
            report.counts = dict(counts)
            return report

        now = self.clock()
        with self.store.transaction() as conn:
            lock_stock(
                conn,
                (
                    sku
                    for order in batch.orders
                    for line in order.lines
                    if (sku := index.sku_for(line.product_key)) is not None
                ),
            )
            for order in batch.orders:
                written = store_order(conn, connection.id, order, index, now=now)
                counts["imported"] += written.created
                counts["updated"] += written.updated
                counts["stock_moved"] += len(written.stock_taken)
                for line in order.lines:
                    sku = index.sku_for(line.product_key)
                    if sku is None:
                        if written.created:
                            counts["unlinked"] += 1
                            report.unlinked.append(
                                f"order {order.number}: {line.marketplace_sku} "
                                f"(x{line.quantity}) matches no host product"
                            )
                        continue
                    state.link_listing(
                        conn,
                        connection.id,
                        sku,
                        line.marketplace_sku,
                        listing_id=None,
                        source="order",
                        now=now,
                    )
            report.counts = dict(counts)
            self._finish_step(conn, report, run_id, now=now)
            # Only now, with the orders written in this same transaction. A
            # plugin that returns no cursor leaves the stored one in place.
            if batch.cursor is not None:
                state.set_cursor(
                    conn, connection.id, ORDERS_CURSOR, batch.cursor, now=now
                )
        return report

    def _step_shipments(
        self, connection: Connection, run_id: int, dry_run: bool
    ) -> StepReport:
        with self.store.read() as conn:
            pending = shipments_to_send(conn, connection.id)
        report = StepReport(connection.id, "shipments")
        if not pending:
            return report

        results = self.plugins.push_shipments(
            connection, [p.shipment for p in pending], dry_run=dry_run
        )
        by_key = {r.key: r for r in results}
        report.results = list(results)
        counts = _status_counts(results)
        report.counts = {"handed": len(pending), **counts}
        if dry_run:
            return report

        now = self.clock()
        with self.store.transaction() as conn:
            for stored in pending:
                number = stored.shipment.order_number
                result = by_key.get(number) or ItemResult(
                    key=number,
                    status=ItemStatus.DEFERRED,
                    message="the plugin returned no result for this shipment",
                )
                record_shipment_result(conn, stored, result, now=now)
                problem_key = f"{number}:{stored.shipment.tracking_number}"
                if result.status is ItemStatus.FAILED:
                    self.notifier.problem(
                        conn,
                        connection.id,
                        "shipment_failed",
                        problem_key,
                        f"shipment of order {number} failed: {result.message}",
                        now=now,
                    )
                elif result.status is ItemStatus.DONE:
                    self.notifier.resolve(
                        conn, connection.id, "shipment_failed", problem_key, now=now
                    )
            self._finish_step(conn, report, run_id, now=now)
        return report

    def _push_values(
        self,
        connection: Connection,
        run_id: int,
        dry_run: bool,
        step: str,
        kind: str,
        value_of: Callable[[Product], str],
        wanted: Callable[[Product, set[str]], bool],
        push: Callable[[list[Product]], list[ItemResult]],
    ) -> StepReport:
        """Hand the products whose value changed since last pushed, and record."""
        with self.store.read() as conn:
            products = load_products(conn)
            pushed = state.pushed_values(conn, connection.id, kind)
            linked = state.linked_skus(conn, connection.id)
        index = ProductIndex(products)
        settings = settings_digest(connection)

        def recorded(product: Product) -> str:
            return f"{value_of(product)}@{settings}"

        chosen = [
            p
            for p in products
            if wanted(p, linked) and _needs_push(pushed.get(p.sku), recorded(p))
        ]
        report = StepReport(connection.id, step)
        if not chosen:
            return report

        results = push(chosen)
        report.results = list(results)
        report.counts = {"handed": len(chosen), **_status_counts(results)}
        if dry_run:
            return report

        by_sku = {p.sku: p for p in chosen}
        now = self.clock()
        with self.store.transaction() as conn:
            records = []
            answered: set[str] = set()
            for result in results:
                sku = index.sku_for(result.key)
                if sku is None or sku not in by_sku:
                    logger.warning(
                        "%s result for unknown product %r ignored",
                        step,
                        result.key,
                        extra={"connection": connection.id},
                    )
                    continue
                product = by_sku[sku]
                answered.add(sku)
                records.append((sku, recorded(product), result))
                self._after_push(conn, connection, step, product, result, now)
            for sku, product in by_sku.items():
                if sku in answered:
                    continue
                # Recorded as deferred, so the next cycle hands it again and
                # `status` lists it, rather than no trace at all.
                missing = ItemResult(
                    key=sku,
                    status=ItemStatus.DEFERRED,
                    message="the plugin returned no result for this product",
                )
                report.results.append(missing)
                records.append((sku, recorded(product), missing))
            report.counts = {"handed": len(chosen), **_status_counts(report.results)}
            state.record_pushed_values(conn, connection.id, kind, records, now=now)
            self._finish_step(conn, report, run_id, now=now)
        return report

    def _after_push(
        self,
        conn: sa.Connection,
        connection: Connection,
        step: str,
        product: Product,
        result: ItemResult,
        now: datetime,
    ) -> None:
        listing_id = result.details.get("listing_id")
        if result.status is ItemStatus.DONE or listing_id:
            new = state.link_listing(
                conn,
                connection.id,
                product.sku,
                result.key,
                listing_id=listing_id,
                source=step,
                now=now,
            )
            if new and step == "products":
                # A listing made from the catalog may differ from the host's
                # values later: check them again on the next cycle.
                state.forget_pushed_values(conn, connection.id, product.sku)
        if step == "products" and result.status is ItemStatus.FAILED:
            self.notifier.problem(
                conn,
                connection.id,
                "listing_failed",
                product.sku,
                f"listing for {product.sku} was not created: {result.message}",
                now=now,
            )

    def _step_inventory(
        self, connection: Connection, run_id: int, dry_run: bool
    ) -> StepReport:
        return self._push_values(
            connection,
            run_id,
            dry_run,
            "inventory",
            "quantity",
            quantity_value,
            lambda p, linked: True,
            lambda chosen: self.plugins.push_inventory(
                connection, [StockLevel(p, p.quantity) for p in chosen], dry_run=dry_run
            ),
        )

    def _step_prices(
        self, connection: Connection, run_id: int, dry_run: bool
    ) -> StepReport:
        return self._push_values(
            connection,
            run_id,
            dry_run,
            "prices",
            "price",
            price_value,
            lambda p, linked: p.price is not None and bool(p.currency),
            lambda chosen: self.plugins.push_prices(
                connection,
                # A price of 0 is handed too: the plugin rejects it with a
                # per-item result, where a silent skip would hide it.
                [
                    PriceUpdate(p, p.price, p.currency or "")
                    for p in chosen
                    if p.price is not None
                ],
                dry_run=dry_run,
            ),
        )

    def _step_products(
        self, connection: Connection, run_id: int, dry_run: bool
    ) -> StepReport:
        return self._push_values(
            connection,
            run_id,
            dry_run,
            "products",
            "product",
            product_value,
            lambda p, linked: p.sku not in linked,
            lambda chosen: self.plugins.push_products(
                connection, chosen, dry_run=dry_run
            ),
        )
