"""Several connections synced at once, each in its own thread."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from commercium_connector.host.cli import main
from commercium_connector.host.demo import CONNECTION_ID, build_sandbox
from commercium_connector.host.store import Store, schema
from tests.host.conftest import DemoSetup


def _stock(setup: DemoSetup) -> dict[str, int]:
    with Store.open(setup.store_path, exclusive=False) as store, store.read() as conn:
        query = sa.select(schema.stock.c.sku, schema.stock.c.quantity).where(
            schema.stock.c.quantity.is_not(None)
        )
        return {row.sku: row.quantity for row in conn.execute(query)}


def test_two_connections_parallel(demo_setup: DemoSetup) -> None:
    initial = _stock(demo_setup)
    second = build_sandbox(seed=8, task_start_after=0.05, task_duration=0.1)
    text = demo_setup.config.read_text(encoding="utf-8")
    block = text[text.index("[[connections]]") :]
    with second.serve(host="127.0.0.1", port=0) as server:
        first_url = block.split('base_url = "', 1)[1].split('"', 1)[0]
        other = block.replace(CONNECTION_ID, "demo-second").replace(
            first_url, server.url
        )
        demo_setup.config.write_text(text + "\n" + other, encoding="utf-8")

        command = ["-q", "sync", "--config", str(demo_setup.config), "--jobs", "2"]
        assert main(command) == 0

    with (
        Store.open(demo_setup.store_path, exclusive=False) as store,
        store.read() as conn,
    ):
        per_connection = dict(
            conn.execute(
                sa.select(schema.orders.c.connection_id, sa.func.count()).group_by(
                    schema.orders.c.connection_id
                )
            ).all()
        )
        taken_rows = conn.execute(
            sa.select(
                schema.order_lines.c.product_sku, schema.order_lines.c.stock_taken
            )
        ).all()
    assert per_connection[CONNECTION_ID] > 0
    assert per_connection["demo-second"] > 0
    taken: Counter[str] = Counter()
    for sku, units in taken_rows:
        if sku is not None:
            taken[sku] += units
    after = _stock(demo_setup)
    wrong = {
        s: (initial[s], taken[s], after[s])
        for s in initial
        if after[s] != initial[s] - taken[s]
    }
    assert wrong == {}
    assert sum(taken.values()) > 0
