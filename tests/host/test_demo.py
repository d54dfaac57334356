"""The demo command on the embedded sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from commercium_connector.host.cli import main
from commercium_connector.host.store import Store, schema


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
    assert main(["-q", "demo", "--data-dir", str(tmp_path)]) == 0
    first = _count(tmp_path / "commercium.sqlite", schema.orders)
    assert main(["-q", "demo", "--data-dir", str(tmp_path)]) == 0
    assert _count(tmp_path / "commercium.sqlite", schema.orders) == first


def test_demo_refuses_foreign_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Store.open(tmp_path / "commercium.sqlite").close()
    assert main(["-q", "demo", "--data-dir", str(tmp_path)]) == 2
    assert "did not create" in capsys.readouterr().err
