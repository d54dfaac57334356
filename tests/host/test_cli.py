"""The command line: options, plugins, check, and a clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from commercium_connector.host.cli import (
    CONFIG_ENV,
    UsageError,
    main,
    parse_interval,
    parse_steps,
)
from commercium_connector.host.store import Store, schema
from tests.host.conftest import DemoSetup


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("5m", 300), ("1h30m", 5400), ("45", 45)]
)
def test_interval_parsed(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "5 minutes", "0m", "-1"])
def test_interval_invalid(text: str) -> None:
    with pytest.raises(UsageError, match="--every"):
        parse_interval(text)


def test_steps_in_cycle_order() -> None:
    assert parse_steps("prices,orders") == ("orders", "prices")
    with pytest.raises(UsageError, match="stock"):
        parse_steps("orders,stock")


def test_plugins_lists_backmarket(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plugins"]) == 0
    output = capsys.readouterr().out
    assert "backmarket" in output
    assert "commercium_push_inventory" in output


def test_check_connection(
    demo_setup: DemoSetup, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--config", str(demo_setup.config)]) == 0
    assert "ok" in capsys.readouterr().out
    (demo_setup.folder / "token").write_text("revoked", encoding="utf-8")
    assert main(["check", "--config", str(demo_setup.config)]) == 1
    output = capsys.readouterr().out
    assert "failed" in output
    assert "revoked" not in output


def test_sync_without_config_runs_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    assert main(["sync", "--data-dir", str(tmp_path), "--only", "orders"]) == 0
    output = capsys.readouterr().out
    assert "DEMO sync" in output
    assert "orders imported" in output


def test_status_needs_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--data-dir", str(tmp_path)]) == 2
    assert "no store" in capsys.readouterr().err


def test_import_bad_csv_exit(
    demo_setup: DemoSetup, capsys: pytest.CaptureFixture[str]
) -> None:
    path = demo_setup.folder / "bad.csv"
    path.write_text("sku,quantity\nA,lots\n", encoding="utf-8")
    assert (
        main(["import", "products", str(path), "--config", str(demo_setup.config)]) == 2
    )
    err = capsys.readouterr().err
    assert "line 2, column quantity" in err
    assert "Traceback" not in err


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="needs SIGTERM")
def test_every_stops_on_sigterm(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "commercium_connector.host.cli", "demo"]
    process = subprocess.Popen(
        [*command, "--every", "1h", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    store_path = tmp_path / "commercium.sqlite"
    deadline = time.monotonic() + 60
    finished = 0
    while time.monotonic() < deadline and finished == 0:
        time.sleep(0.1)
        if store_path.exists():
            finished = _finished_runs(store_path)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert finished == 1
    assert process.returncode == 0
    assert "SIGTERM received" in err
    assert "orders imported" in out


def _finished_runs(store_path: Path) -> int:
    try:
        with Store.open(store_path, exclusive=False) as store, store.read() as conn:
            query = sa.select(sa.func.count()).where(schema.runs.c.outcome == "ok")
            return int(conn.execute(query).scalar() or 0)
    except Exception:
        return 0  # the store is being created


def test_plugins_blocked_by_env(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COMMERCIUM_CONNECTOR_BLOCKED_PLUGINS", "backmarket")
    assert main(["plugins"]) == 0
    output = capsys.readouterr().out
    assert "Blocked: backmarket" in output
    assert "commercium_pull_orders" not in output


def test_sync_while_running_refused(
    demo_setup: DemoSetup, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(demo_setup.store_path):
        assert main(["-q", "sync", "--config", str(demo_setup.config)]) == 2
    err = capsys.readouterr().err
    assert "another commercium-connector run" in err
    assert f"process {os.getpid()}" in err


def test_sync_store_url(demo_setup: DemoSetup) -> None:
    text = demo_setup.config.read_text(encoding="utf-8")
    path_line = f'path = "{demo_setup.store_path.as_posix()}"'
    assert path_line in text
    demo_setup.config.write_text(
        text.replace(path_line, 'url = "sqlite:///by-url/commercium.sqlite"'),
        encoding="utf-8",
    )
    command = ["-q", "sync", "--config", str(demo_setup.config), "--only", "orders"]
    assert main(command) == 0
    assert (demo_setup.folder / "by-url" / "commercium.sqlite").exists()
    assert main(["status", "--config", str(demo_setup.config)]) == 0


def test_check_beside_running_sync(demo_setup: DemoSetup) -> None:
    with Store.open(demo_setup.store_path):
        assert main(["-q", "check", "--config", str(demo_setup.config)]) == 0


@pytest.mark.parametrize(
    ("argv", "verbose", "quiet"),
    [
        (["-q", "status"], 0, True),
        (["status", "-q"], 0, True),
        (["plugins", "-vv"], 2, False),
        (["sync"], 0, False),
    ],
)
def test_verbosity_either_side(argv: list[str], verbose: int, quiet: bool) -> None:
    from commercium_connector.host.cli import _build_parser

    args = _build_parser().parse_args(argv)
    assert args.verbose == verbose
    assert args.quiet is quiet
