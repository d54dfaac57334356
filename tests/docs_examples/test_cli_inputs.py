"""Range checks of the command line options and of the sandbox command."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from backmarket_sdk.cli import main
from backmarket_sdk.cli.main import EXIT_FAILED, describe_error
from backmarket_sdk.cli.parser import MAX_LIMIT, MAX_QUANTITY
from backmarket_sdk.errors import RateLimitError
from backmarket_sdk.sandbox import Sandbox
from backmarket_sdk.sandbox.__main__ import main as sandbox_main
from backmarket_sdk.sandbox.server import SandboxServer

USER_AGENT = "BM-Acme-Support;ops@acme.example"


@pytest.fixture
def account() -> Iterator[tuple[Sandbox, dict[str, str]]]:
    """Yield a sandbox on 127.0.0.1 and the environment pointing at it."""
    sandbox = Sandbox(seed=11)
    with sandbox.serve("127.0.0.1", 0) as server:
        environ = {
            "BACKMARKET_TOKEN": sandbox.token,
            "BACKMARKET_MARKET": "fr-fr",
            "BACKMARKET_USER_AGENT": USER_AGENT,
            "BACKMARKET_BASE_URL": server.url,
            # A 429 is raised at once instead of after 30 s of retries.
            "BACKMARKET_MAX_RETRIES": "0",
        }
        yield sandbox, environ


def run(*argv: str, environ: dict[str, str]) -> tuple[int, str]:
    buffer = io.StringIO()
    console = Console(file=buffer, width=200)
    status = main(list(argv), environ=environ, console=console)
    return status, buffer.getvalue()


def usage_error(*argv: str, capsys: pytest.CaptureFixture[str]) -> str:
    """Run a command that fails parsing and return its standard error."""
    with pytest.raises(SystemExit) as raised:
        main(list(argv), environ={})
    assert raised.value.code == 2
    return capsys.readouterr().err


def write_catalog(path: Path, rows: int) -> Path:
    lines = ["sku,quantity"] + [f"BULK-{index},1" for index in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def catalog_posts(sandbox: Sandbox) -> list[str]:
    return [
        entry.path
        for entry in sandbox.requests
        if entry.method == "POST" and entry.path == "/ws/listings"
    ]


@pytest.mark.parametrize("resource", ["orders", "listings"])
@pytest.mark.parametrize("value", ["99999999999999999999999", str(MAX_LIMIT + 1)])
def test_limit_too_large(
    resource: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = usage_error("--sandbox", resource, "list", "--limit", value, capsys=capsys)
    assert f"invalid limit {value!r}" in err
    assert "or 0 to print every item" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("value", ["-1", "1.5", "ten"])
def test_limit_not_whole(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = usage_error("--sandbox", "orders", "list", "--limit", value, capsys=capsys)
    assert f"{value!r}" in err
    assert "Traceback" not in err


def test_limit_max_accepted(account: tuple[Sandbox, dict[str, str]]) -> None:
    _, environ = account
    status, output = run(
        "orders", "list", "--limit", str(MAX_LIMIT), "--json", environ=environ
    )
    all_status, all_output = run(
        "orders", "list", "--limit", "0", "--json", environ=environ
    )
    assert status == 0
    assert all_status == 0
    orders = json.loads(output)
    assert orders
    assert orders == json.loads(all_output)


@pytest.mark.parametrize(
    "value", ["100000000000000000000000000", str(MAX_QUANTITY + 1), "-1"]
)
def test_quantity_out_of_range(
    value: str,
    account: tuple[Sandbox, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    sandbox, _ = account
    sku = sandbox.skus[0]
    before = sandbox.listing(sku)["quantity"]
    err = usage_error(
        "--sandbox",
        "listings",
        "update",
        "--sku",
        sku,
        "--quantity",
        value,
        capsys=capsys,
    )
    assert f"invalid quantity {value!r}" in err
    assert f"from 0 to {MAX_QUANTITY:,}" in err
    assert "documents no maximum" in err
    assert sandbox.listing(sku)["quantity"] == before


@pytest.mark.parametrize("value", ["1e26", "2.5", "five"])
def test_quantity_not_whole(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = usage_error(
        "--sandbox",
        "listings",
        "update",
        "--sku",
        "X",
        "--quantity",
        value,
        capsys=capsys,
    )
    assert f"invalid value {value!r}" in err
    assert "whole number in digits" in err


def test_quantity_max_sent(account: tuple[Sandbox, dict[str, str]]) -> None:
    sandbox, environ = account
    sku = sandbox.skus[0]
    status, output = run(
        "listings",
        "update",
        "--sku",
        sku,
        "--quantity",
        str(MAX_QUANTITY),
        "--json",
        environ=environ,
    )
    assert status == 0
    assert json.loads(output)["quantity"] == MAX_QUANTITY
    assert sandbox.listing(sku)["quantity"] == MAX_QUANTITY


@pytest.mark.parametrize("option", ["--min-quantity", "--max-quantity"])
def test_quantity_filter_range(option: str, capsys: pytest.CaptureFixture[str]) -> None:
    value = str(MAX_QUANTITY + 1)
    err = usage_error("--sandbox", "listings", "list", option, value, capsys=capsys)
    assert f"invalid quantity {value!r}" in err


def test_catalog_over_budget(
    tmp_path: Path,
    account: tuple[Sandbox, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    sandbox, environ = account
    path = write_catalog(tmp_path / "big.csv", 2_001)
    status, _ = run("catalog", "import", str(path), environ=environ)
    err = capsys.readouterr().err
    assert status == 2
    assert "has 2,001 rows" in err
    assert "waiting does not help" in err
    assert "files of at most 2,000 rows" in err
    assert "Nothing was sent" in err
    assert "wait a minute" not in err
    assert catalog_posts(sandbox) == []


def test_catalog_at_budget_sent(
    tmp_path: Path, account: tuple[Sandbox, dict[str, str]]
) -> None:
    sandbox, environ = account
    path = write_catalog(tmp_path / "full.csv", 2_000)
    status, output = run(
        "catalog", "import", str(path), "--no-wait", "--json", environ=environ
    )
    assert status == 0
    assert len(json.loads(output)["task_ids"]) == 1
    assert catalog_posts(sandbox) == ["/ws/listings"]


def test_catalog_budget_option(
    tmp_path: Path,
    account: tuple[Sandbox, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    sandbox, environ = account
    path = write_catalog(tmp_path / "big.csv", 2_001)
    # The sandbox keeps a budget of 2,000 lines, so it returns 429.
    status, _ = run(
        "catalog",
        "import",
        str(path),
        "--hourly-sku-budget",
        "3000",
        environ=environ,
    )
    err = capsys.readouterr().err
    assert status == EXIT_FAILED
    assert "429" in err
    assert "Waiting a minute does not help" in err
    assert "wait a minute" not in err
    assert catalog_posts(sandbox) == ["/ws/listings"]


def rate_limit_error() -> RateLimitError:
    return RateLimitError(
        "too many SKU lines", status=429, method="POST", url="http://127.0.0.1/x"
    )


def test_rate_limit_hint_catalog() -> None:
    error = rate_limit_error()
    error.created_task_ids = (41, 42)
    message, status = describe_error(error, ("catalog", "import"))
    assert status == EXIT_FAILED
    assert "send it again in an hour" in message
    assert "tasks 41, 42" in message
    assert "run the command again in a minute" not in message


def test_rate_limit_hint_other() -> None:
    message, status = describe_error(rate_limit_error(), ("listings", "update"))
    assert status == EXIT_FAILED
    assert "run the command again in a minute" in message
    assert "waiting up to an hour" in message


@pytest.mark.parametrize("value", ["99999", "65536", "-1", "80x"])
def test_sandbox_port_invalid(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        sandbox_main(["--port", value])
    err = capsys.readouterr().err
    assert raised.value.code == 2
    assert f"invalid port {value!r}" in err
    assert "0 to 65535" in err
    assert "Traceback" not in err


def test_sandbox_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status = sandbox_main(["--port", str(port), "--orders", "0"])
    err = capsys.readouterr().err
    assert status == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err
    assert "already in use" in err
    assert "--port 0" in err


@pytest.mark.parametrize("port", [-1, 65536, 99999])
def test_server_port_range(port: int) -> None:
    with pytest.raises(ValueError, match=f"Invalid port {port}"):
        SandboxServer(Sandbox(seed=1, orders=0), "127.0.0.1", port)


def test_server_port_type() -> None:
    with pytest.raises(TypeError, match="Invalid port '80'"):
        SandboxServer(Sandbox(seed=1, orders=0), "127.0.0.1", "80")  # type: ignore[arg-type]
