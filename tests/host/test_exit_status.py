"""Exit statuses and loud messages of the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from commercium_connector.host.cli import (
    CONFIG_ENV,
    EXIT_ITEMS_FAILED,
    UsageError,
    main,
    parse_interval,
)
from commercium_connector.host.store import Store, schema
from tests.host.conftest import DemoSetup


def _linked_sku(setup: DemoSetup) -> str:
    listed = {s.casefold() for s in setup.sandbox.skus}
    with Store.open(setup.store_path, exclusive=False) as store, store.read() as conn:
        skus = conn.execute(sa.select(schema.prices.c.sku)).scalars().all()
    return next(s for s in sorted(skus) if s.casefold() in listed)


def test_zero_price_fails_item(demo_setup: DemoSetup) -> None:
    config = ["--config", str(demo_setup.config)]
    assert main(["-q", "sync", *config, "--only", "orders,prices"]) == 0
    sku = _linked_sku(demo_setup)
    changes = demo_setup.folder / "zero.csv"
    changes.write_text(f"sku,price,currency\n{sku},0,EUR\n", encoding="utf-8")
    assert main(["-q", "import", "products", str(changes), *config]) == 0

    assert main(["-q", "sync", *config, "--only", "prices"]) == EXIT_ITEMS_FAILED

    with (
        Store.open(demo_setup.store_path, exclusive=False) as store,
        store.read() as conn,
    ):
        pushed = conn.execute(
            sa.select(schema.pushed_values.c.value, schema.pushed_values.c.status)
            .where(schema.pushed_values.c.product_sku == sku)
            .where(schema.pushed_values.c.kind == "price")
        ).one()
        results = conn.execute(
            sa.select(schema.item_results.c.status).where(
                schema.item_results.c.step == "prices",
                schema.item_results.c.status == "failed",
            )
        ).all()
    assert pushed.value.startswith("0 EUR")
    assert pushed.status == "failed"
    assert len(results) == 1


def test_sync_without_config_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    command = ["-q", "sync", "--data-dir", str(tmp_path), "--only", "orders"]
    assert main(command) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("warning: no configuration")
    assert "DEMO on an embedded sandbox" in captured.err
    assert "No real account is synced" in captured.err
    out = " ".join(captured.out.split())  # rich wraps the table title
    assert "DEMO sync (no configuration: nothing real synced)" in out


@pytest.mark.parametrize("text", ["99999999999h", "169h", "700000"])
def test_interval_too_long(text: str) -> None:
    with pytest.raises(UsageError, match="at most 168h"):
        parse_interval(text)


def test_interval_week_allowed() -> None:
    assert parse_interval("168h") == 7 * 24 * 3600


def test_data_dir_unwritable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("", encoding="utf-8")
    products = tmp_path / "p.csv"
    products.write_text("sku,quantity\nA,1\n", encoding="utf-8")
    command = ["import", "products", str(products), "--data-dir", str(not_a_folder)]
    assert main(command) == 2
    err = capsys.readouterr().err
    assert "cannot open the store" in err
    assert "--data-dir" in err
    assert "Traceback" not in err


def test_error_keeps_brackets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[store]\n", encoding="utf-8")
    assert main(["-q", "sync", "--config", str(path)]) == 2
    assert "add at least one [[connections]] table" in capsys.readouterr().err


def test_help_lists_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["sync", "--help"])
    out = capsys.readouterr().out
    assert "exit status:" in out
    assert "3    every step ran, but some items failed" in out
