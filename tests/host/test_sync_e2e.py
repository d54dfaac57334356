"""The sync command end to end against the sample shop's sandbox on loopback."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from commercium_connector.host.cli import main
from commercium_connector.host.store import Store, schema
from tests.host.conftest import DemoSetup


def _sync(setup: DemoSetup, *extra: str) -> int:
    return main(["-q", "sync", "--config", str(setup.config), *extra])


def _scalar(store_path: Path, query: sa.Select[tuple[int]]) -> int:
    with Store.open(store_path, exclusive=False) as store, store.read() as conn:
        return int(conn.execute(query).scalar() or 0)


def _quantity(store_path: Path, sku: str) -> int | None:
    with Store.open(store_path, exclusive=False) as store, store.read() as conn:
        return conn.execute(
            sa.select(schema.stock.c.quantity).where(schema.stock.c.sku == sku)
        ).scalar_one()


def _tracked_skus(store_path: Path) -> list[str]:
    with Store.open(store_path, exclusive=False) as store, store.read() as conn:
        query = sa.select(schema.stock.c.sku).where(
            schema.stock.c.quantity.is_not(None)
        )
        return sorted(conn.execute(query).scalars())


def _writes(setup: DemoSetup) -> list[str]:
    return [
        f"{r.method} {r.path}"
        for r in setup.sandbox.requests
        if r.method != "GET" and r.status < 400
    ]


def test_sync_twice_second_is_noop(demo_setup: DemoSetup) -> None:
    assert _sync(demo_setup) == 0
    orders = _scalar(
        demo_setup.store_path, sa.select(sa.func.count()).select_from(schema.orders)
    )
    assert orders > 0
    assert _writes(demo_setup)  # the first run accepted, pushed and created

    # The first run's own changes (acceptances) come back once as updates.
    assert _sync(demo_setup) == 0
    demo_setup.sandbox.clear_requests()
    assert _sync(demo_setup) == 0

    assert _writes(demo_setup) == []
    after = _scalar(
        demo_setup.store_path, sa.select(sa.func.count()).select_from(schema.orders)
    )
    assert after == orders


def test_sync_new_order_imported(demo_setup: DemoSetup) -> None:
    assert _sync(demo_setup) == 0
    listed = {s.casefold() for s in demo_setup.sandbox.skus}
    sku = next(
        s
        for s in _tracked_skus(demo_setup.store_path)
        if s.casefold() in listed and (_quantity(demo_setup.store_path, s) or 0) >= 3
    )
    before = _quantity(demo_setup.store_path, sku)
    assert before is not None and before > 1
    listing_before = demo_setup.sandbox.listing(sku)["quantity"]
    assert listing_before == before

    order_id = demo_setup.sandbox.place_order(sku, quantity=1, state=1)
    assert _sync(demo_setup) == 0

    number = _scalar(
        demo_setup.store_path,
        sa.select(sa.func.count())
        .select_from(schema.orders)
        .where(schema.orders.c.external_id == str(order_id)),
    )
    assert number == 1
    assert _quantity(demo_setup.store_path, sku) == before - 1
    assert demo_setup.sandbox.listing(sku)["quantity"] == before - 1
    lines = demo_setup.sandbox.order(order_id)["orderlines"]
    assert [line["state"] for line in lines] == [2]


def test_shipment_csv_reaches_sandbox(demo_setup: DemoSetup) -> None:
    assert _sync(demo_setup, "--only", "orders") == 0
    with (
        Store.open(demo_setup.store_path, exclusive=False) as store,
        store.read() as conn,
    ):
        row = conn.execute(
            sa.select(schema.orders.c.number, schema.orders.c.external_id)
            .where(schema.orders.c.status == "accepted")
            .order_by(schema.orders.c.id)
        ).first()
    assert row is not None
    shipments_csv = demo_setup.folder / "shipments.csv"
    shipments_csv.write_text(
        "order_number,shipping_method,tracking_number,imei\n"
        f"{row.number},Chronopost-Express,XY 1234 5678 FR,\n",
        encoding="utf-8",
    )
    assert (
        main(
            [
                "-q",
                "import",
                "shipments",
                str(shipments_csv),
                "--config",
                str(demo_setup.config),
            ]
        )
        == 0
    )
    assert _sync(demo_setup, "--only", "shipments") == 0

    order = demo_setup.sandbox.order(int(row.external_id))
    # Order state 9 is shipped; each orderline moves to state 3, shipped.
    assert order["state"] == 9
    assert {line["state"] for line in order["orderlines"]} == {3}
    assert order["shipper"] == "Chronopost"
    assert order["tracking_number"] == "XY12345678FR"
    sent = _scalar(
        demo_setup.store_path,
        sa.select(sa.func.count())
        .select_from(schema.shipments)
        .where(schema.shipments.c.status == "sent"),
    )
    assert sent == 1


def test_sync_dry_run_sends_nothing(demo_setup: DemoSetup) -> None:
    assert _sync(demo_setup, "--dry-run") == 0
    assert _writes(demo_setup) == []
    orders = _scalar(
        demo_setup.store_path, sa.select(sa.func.count()).select_from(schema.orders)
    )
    assert orders == 0


def test_sync_bad_token_fails(demo_setup: DemoSetup) -> None:
    (demo_setup.folder / "token").write_text("wrong-token", encoding="utf-8")
    assert _sync(demo_setup) == 1
    with (
        Store.open(demo_setup.store_path, exclusive=False) as store,
        store.read() as conn,
    ):
        outcomes = conn.execute(
            sa.select(schema.step_runs.c.step, schema.step_runs.c.outcome)
        ).all()
        problems = conn.execute(
            sa.select(schema.notifications.c.kind, schema.notifications.c.key)
        ).all()
    # The other steps were skipped: a bad token fails them all alike.
    assert [tuple(o) for o in outcomes] == [("orders", "failed")]
    assert [tuple(p) for p in problems] == [("sync_failure", "orders")]


def test_host_changes_pushed(demo_setup: DemoSetup) -> None:
    assert _sync(demo_setup) == 0
    listed = {s.casefold() for s in demo_setup.sandbox.skus}
    sku = next(
        s for s in _tracked_skus(demo_setup.store_path) if s.casefold() in listed
    )
    changes = demo_setup.folder / "changes.csv"
    changes.write_text(
        f"sku,quantity,price,currency\n{sku},7,123.45,EUR\n", encoding="utf-8"
    )
    command = [
        "-q",
        "import",
        "products",
        str(changes),
        "--config",
        str(demo_setup.config),
    ]
    assert main(command) == 0
    demo_setup.sandbox.clear_requests()

    assert _sync(demo_setup, "--only", "inventory,prices") == 0

    listing = demo_setup.sandbox.listing(sku)
    assert listing["quantity"] == 7
    assert listing["markets"]["fr-fr"]["price"] == "123.45"
    assert len(_writes(demo_setup)) <= 2  # only this product's values went out


def _last_counts(store_path: Path, step: str) -> dict[str, int]:
    with Store.open(store_path, exclusive=False) as store, store.read() as conn:
        table = schema.step_runs
        counts = conn.execute(
            sa.select(table.c.counts)
            .where(table.c.step == step)
            .order_by(table.c.id.desc())
            .limit(1)
        ).scalar_one()
    return dict(counts)


def test_settings_change_repushes(demo_setup: DemoSetup) -> None:
    assert _sync(demo_setup) == 0
    # The first run's new listings are checked once more, then nothing.
    assert _sync(demo_setup, "--only", "inventory") == 0
    assert _sync(demo_setup, "--only", "inventory") == 0
    assert _last_counts(demo_setup.store_path, "inventory") == {}

    # Any settings change hands every value again; this one changes no
    # quantity, so the plugin finds them all unchanged and sends nothing.
    text = demo_setup.config.read_text(encoding="utf-8")
    demo_setup.config.write_text(
        text + "\n[connections.settings.prices]\ncsv_threshold = 60\n",
        encoding="utf-8",
    )
    demo_setup.sandbox.clear_requests()
    assert _sync(demo_setup, "--only", "inventory") == 0

    counts = _last_counts(demo_setup.store_path, "inventory")
    assert counts["handed"] > 200
    assert counts["handed"] == counts["skipped"]
    assert _writes(demo_setup) == []


def test_reimport_keeps_sold_stock(demo_setup: DemoSetup) -> None:
    assert _sync(demo_setup) == 0
    listed = {s.casefold() for s in demo_setup.sandbox.skus}
    sku = next(
        s
        for s in _tracked_skus(demo_setup.store_path)
        if s.casefold() in listed and (_quantity(demo_setup.store_path, s) or 0) >= 3
    )
    before = _quantity(demo_setup.store_path, sku)
    assert before is not None
    demo_setup.sandbox.place_order(sku, quantity=2, state=1)
    assert _sync(demo_setup) == 0
    assert _quantity(demo_setup.store_path, sku) == before - 2

    from commercium_connector.host.demo import sample_file

    command = ["-q", "import", "products", str(sample_file("sample_products.csv"))]
    assert main([*command, "--config", str(demo_setup.config)]) == 0
    demo_setup.sandbox.clear_requests()
    assert _sync(demo_setup, "--only", "inventory") == 0

    assert _quantity(demo_setup.store_path, sku) == before - 2
    assert demo_setup.sandbox.listing(sku)["quantity"] == before - 2
    assert _writes(demo_setup) == []
