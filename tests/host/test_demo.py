"""The demo command on the embedded sandbox."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from commercium_connector.host.cli import main
from commercium_connector.host.demo import CONNECTION_ID, DEMO_MARKER
from commercium_connector.host.store import Store, schema

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def _count(store_path: Path, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    with Store.open(store_path, exclusive=False) as store, store.read() as conn:
        query = sa.select(sa.func.count()).select_from(table).where(*where)
        return int(conn.execute(query).scalar() or 0)


def test_demo_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "new"
    assert main(["demo", "--data-dir", str(folder)]) == 0
    output = capsys.readouterr().out
    for label in (
        "orders imported",
        "lines accepted",
        "unlinked lines",
        "shipments sent",
        "stock pushed",
        "prices pushed",
        "listings created",
    ):
        assert label in output
    store_path = folder / "commercium.sqlite"
    assert _count(store_path, schema.products) > 250
    assert _count(store_path, schema.orders) > 20
    assert _count(store_path, schema.shipments, schema.shipments.c.status == "sent") > 0
    assert (
        _count(
            store_path, schema.order_lines, schema.order_lines.c.product_sku.is_(None)
        )
        > 0
    )
    created = schema.listing_links.c.source == "products"
    assert _count(store_path, schema.listing_links, created) > 0

    assert main(["status", "--data-dir", str(folder)]) == 0
    status = capsys.readouterr().out
    assert "demo-backmarket-fr" in status
    assert "matches no host product" in status


def test_demo_rerun_starts_over(tmp_path: Path) -> None:
    # An earlier demo's store, with an order its sandbox had and a new one
    # will not have.
    with Store.open(tmp_path / "commercium.sqlite") as store:
        store.state_for(CONNECTION_ID).set(DEMO_MARKER, "1")
        with store.transaction() as conn:
            conn.execute(
                schema.runs.insert().values(
                    started_at=NOW, dry_run=False, steps="orders", outcome="ok"
                )
            )
    assert main(["-q", "demo", "--data-dir", str(tmp_path)]) == 0
    store_path = tmp_path / "commercium.sqlite"
    assert _count(store_path, schema.runs) == 1
    assert _count(store_path, schema.orders) > 20


def test_demo_refuses_foreign_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Store.open(tmp_path / "commercium.sqlite").close()
    assert main(["-q", "demo", "--data-dir", str(tmp_path)]) == 2
    assert "did not create" in capsys.readouterr().err
