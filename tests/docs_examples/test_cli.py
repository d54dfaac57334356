"""The ``backmarket`` command against a sandbox served on 127.0.0.1."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from backmarket_sdk.cli import main
from backmarket_sdk.sandbox import Sandbox


def run(*argv: str, environ: dict[str, str] | None = None) -> tuple[int, str]:
    """Run the command in process; return its exit status and standard output."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=200)
    status = main(list(argv), environ=environ or {}, console=console)
    return status, buffer.getvalue()


def run_json(*argv: str) -> Any:
    status, output = run(*argv, "--json", "--sandbox")
    assert status == 0, output
    return json.loads(output)


def first_order(state: int) -> dict[str, Any]:
    orders = run_json("orders", "list", "--state", str(state), "--limit", "1")
    assert len(orders) == 1
    order: dict[str, Any] = orders[0]
    return order


def test_orders_list_filters_state() -> None:
    orders = run_json("orders", "list", "--state", "1", "--limit", "0")
    assert orders
    assert {order["state"] for order in orders} == {1}


def test_orders_list_limit() -> None:
    orders = run_json("orders", "list", "--limit", "3")
    assert len(orders) == 3


def test_orders_list_table() -> None:
    status, output = run("orders", "list", "--state", "1", "--sandbox")
    assert status == 0
    assert "PAID" in output
    assert "orders" in output


def test_orders_show() -> None:
    order_id = first_order(1)["order_id"]
    order = run_json("orders", "show", str(order_id))
    assert order["order_id"] == order_id
    assert order["orderlines"]


def test_orders_accept_every_paid_line() -> None:
    order_id = first_order(1)["order_id"]
    order = run_json("orders", "accept", str(order_id))
    assert order["state"] == 3
    assert {line["state"] for line in order["orderlines"]} == {2}


def test_orders_accept_unknown_sku(capsys: pytest.CaptureFixture[str]) -> None:
    order_id = first_order(1)["order_id"]
    status, _ = run("orders", "accept", str(order_id), "--sku", "NO-SUCH", "--sandbox")
    assert status == 2
    assert "no orderline for SKU 'NO-SUCH'" in capsys.readouterr().err


def test_orders_accept_shipped(capsys: pytest.CaptureFixture[str]) -> None:
    order_id = first_order(9)["order_id"]
    status, _ = run("orders", "accept", str(order_id), "--sandbox")
    assert status == 1
    assert "no orderline waiting for acceptance" in capsys.readouterr().err


def test_orders_ship() -> None:
    order_id = first_order(3)["order_id"]
    order = run_json(
        "orders", "ship", str(order_id), "--tracking-number", "1Z 999", "--shipper=UPS"
    )
    assert order["state"] == 9
    assert order["tracking_number"] == "1Z999"


def test_orders_ship_blank_tracking(capsys: pytest.CaptureFixture[str]) -> None:
    order_id = first_order(3)["order_id"]
    status, _ = run(
        "orders", "ship", str(order_id), "--tracking-number", " ", "--sandbox"
    )
    assert status == 2
    err = capsys.readouterr().err
    assert "Missing tracking_number" in err
    assert "Traceback" not in err


def test_orders_show_not_found(capsys: pytest.CaptureFixture[str]) -> None:
    status, _ = run("orders", "show", "1", "--sandbox")
    assert status == 1
    err = capsys.readouterr().err
    assert "404" in err
    assert "Check the id" in err


def test_listings_show_by_sku_any_case() -> None:
    sku = run_json("listings", "list", "--limit", "1")[0]["sku"]
    listing = run_json("listings", "show", "--sku", sku.lower())
    assert listing["sku"] == sku


def test_listings_show_by_uuid() -> None:
    first = run_json("listings", "list", "--limit", "1")[0]
    listing = run_json("listings", "show", first["id"])
    assert listing["listing_id"] == first["listing_id"]


def test_listings_update() -> None:
    sku = run_json("listings", "list", "--limit", "1")[0]["sku"]
    listing = run_json(
        "listings", "update", "--sku", sku, "--quantity", "0", "--price", "101.50"
    )
    assert listing["quantity"] == 0
    assert listing["price"] == "101.50"


def test_listings_update_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    status, _ = run("listings", "update", "--sku", "X", "--sandbox")
    assert status == 2
    assert "Nothing to update" in capsys.readouterr().err


def test_listings_update_bad_price(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run("listings", "update", "--sku", "X", "--price", "12,5", "--sandbox")
    assert exit_info.value.code == 2
    assert "invalid amount '12,5'" in capsys.readouterr().err


def write_catalog(tmp_path: Path, text: str) -> str:
    path = tmp_path / "catalog.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_catalog_import_waits(tmp_path: Path) -> None:
    sku = run_json("listings", "list", "--limit", "1")[0]["sku"]
    path = write_catalog(tmp_path, f"sku,quantity,price\n{sku},7,250.00\n")
    task = run_json("catalog", "import", path)
    assert task["action_status"] == 9
    assert task["result"][sku]["success"] is True


def test_catalog_import_rejected_sku(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_catalog(tmp_path, "sku,quantity\nNO-SUCH-SKU,1\n")
    status, output = run("catalog", "import", path, "--sandbox")
    assert status == 1
    assert "NO-SUCH-SKU" in output
    assert "rejected 1 SKUs: NO-SUCH-SKU" in capsys.readouterr().err


def test_catalog_import_semicolons(tmp_path: Path) -> None:
    sku = run_json("listings", "list", "--limit", "1")[0]["sku"]
    path = write_catalog(tmp_path, f"sku;quantity\n{sku};4\n")
    task = run_json("catalog", "import", path, "--delimiter", ";")
    assert task["result"][sku]["success"] is True


def test_catalog_import_no_sku_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_catalog(tmp_path, "reference;quantity\nA;1\n")
    status, _ = run("catalog", "import", path, "--sandbox")
    assert status == 2
    assert "has no 'sku' column" in capsys.readouterr().err


def test_catalog_import_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    status, _ = run("catalog", "import", "/nonexistent/catalog.csv", "--sandbox")
    assert status == 2
    assert "File not found: /nonexistent/catalog.csv" in capsys.readouterr().err


def test_catalog_import_no_wait(tmp_path: Path) -> None:
    path = write_catalog(tmp_path, "sku,quantity\nA,1\n")
    data = run_json("catalog", "import", path, "--no-wait")
    assert len(data["task_ids"]) == 1


def test_tasks_show_not_found(capsys: pytest.CaptureFixture[str]) -> None:
    status, _ = run("tasks", "show", "5", "--sandbox")
    assert status == 1
    assert "task 5 does not exist" in capsys.readouterr().err


def test_missing_token(capsys: pytest.CaptureFixture[str]) -> None:
    status, _ = run("orders", "list")
    assert status == 2
    err = capsys.readouterr().err
    assert "Missing API token" in err
    assert "--sandbox" in err


def test_invalid_market_env(capsys: pytest.CaptureFixture[str]) -> None:
    environ = {"BACKMARKET_TOKEN": "abc", "BACKMARKET_MARKET": "fr-xx"}
    status, _ = run("orders", "list", environ=environ)
    assert status == 2
    assert "Invalid market 'fr-xx'" in capsys.readouterr().err


def test_sandbox_ignores_real_token() -> None:
    environ = {"BACKMARKET_TOKEN": "a-real-token", "BACKMARKET_MARKET": "fr-fr"}
    status, _ = run("orders", "list", "--limit", "1", "--sandbox", environ=environ)
    assert status == 0


def test_sandbox_rejects_base_url(capsys: pytest.CaptureFixture[str]) -> None:
    status, _ = run("orders", "list", "--sandbox", "--base-url", "http://127.0.0.1:5")
    assert status == 2
    assert "--base-url cannot be combined with --sandbox" in capsys.readouterr().err


def test_account_from_environment() -> None:
    sandbox = Sandbox(seed=7)
    with sandbox.serve("127.0.0.1", 0) as server:
        environ = {
            "BACKMARKET_TOKEN": sandbox.token,
            "BACKMARKET_MARKET": "fr-fr",
            "BACKMARKET_USER_AGENT": "BM-Acme-Support;ops@acme.example",
            "BACKMARKET_BASE_URL": server.url,
        }
        status, output = run("listings", "list", "--json", environ=environ)
    assert status == 0
    assert {item["sku"] for item in json.loads(output)} == set(sandbox.skus)
    assert sandbox.requests[0].path == "/ws/listings"


def test_account_wrong_token(capsys: pytest.CaptureFixture[str]) -> None:
    sandbox = Sandbox(seed=7)
    with sandbox.serve("127.0.0.1", 0) as server:
        status, _ = run(
            "orders",
            "list",
            "--token",
            "not-the-sandbox-token",
            "--base-url",
            server.url,
            "--user-agent",
            "BM-Acme-Support;ops@acme.example",
        )
    assert status == 1
    err = capsys.readouterr().err
    assert "401" in err
    assert "Check BACKMARKET_TOKEN" in err
    assert "not-the-sandbox-token" not in err


def test_global_options_before_command() -> None:
    status, output = run("--json", "--sandbox", "listings", "list", "--limit", "2")
    assert status == 0
    assert len(json.loads(output)) == 2


def test_console_script_no_traceback() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKMARKET_")}
    completed = subprocess.run(
        [sys.executable, "-m", "backmarket_sdk.cli", "orders", "show", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert completed.returncode == 2
    assert "invalid value '0'" in completed.stderr
    assert "Traceback" not in completed.stderr
