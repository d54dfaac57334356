"""Connection options of the ``backmarket`` command against a loopback sandbox."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from backmarket_sdk.cli import main
from backmarket_sdk.cli.session import SANDBOX_POLL_INTERVAL
from backmarket_sdk.sandbox import Sandbox

USER_AGENT = "BM-Acme-Support;ops@acme.example"
DOCS_CLI = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


@pytest.fixture
def account() -> Iterator[tuple[Sandbox, dict[str, str]]]:
    """Yield a sandbox on 127.0.0.1 and the environment pointing at it."""
    sandbox = Sandbox(seed=7)
    with sandbox.serve("127.0.0.1", 0) as server:
        environ = {
            "BACKMARKET_TOKEN": sandbox.token,
            "BACKMARKET_MARKET": "fr-fr",
            "BACKMARKET_USER_AGENT": USER_AGENT,
            "BACKMARKET_BASE_URL": server.url,
        }
        yield sandbox, environ


def run(*argv: str, environ: dict[str, str]) -> tuple[int, str]:
    buffer = io.StringIO()
    console = Console(file=buffer, width=200)
    status = main(list(argv), environ=environ, console=console)
    return status, buffer.getvalue()


@pytest.mark.parametrize("option", ["--token", "--user-agent"])
def test_empty_option_rejected(
    account: tuple[Sandbox, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
    option: str,
) -> None:
    sandbox, environ = account
    status, _ = run("orders", "list", option, "", environ=environ)
    err = capsys.readouterr().err
    assert status == 2
    assert "the value given is empty" in err
    assert sandbox.token not in err
    assert sandbox.requests == []


def test_env_used_without_option(account: tuple[Sandbox, dict[str, str]]) -> None:
    sandbox, environ = account
    status, _ = run("orders", "list", "--limit", "1", environ=environ)
    assert status == 0
    assert sandbox.requests[0].headers["user-agent"] == USER_AGENT


def test_sandbox_empty_user_agent(capsys: pytest.CaptureFixture[str]) -> None:
    environ = {"BACKMARKET_USER_AGENT": USER_AGENT}
    status, _ = run("--sandbox", "--user-agent", "", "orders", "list", environ=environ)
    assert status == 2
    assert "Missing user agent: the value given is empty" in capsys.readouterr().err


def test_sandbox_empty_base_url(capsys: pytest.CaptureFixture[str]) -> None:
    status, _ = run("--sandbox", "--base-url", "", "orders", "list", environ={})
    assert status == 2
    assert "--base-url cannot be combined with --sandbox" in capsys.readouterr().err


def update_sku(
    account: tuple[Sandbox, dict[str, str]], *options: str
) -> tuple[int, str]:
    sandbox, environ = account
    sku = sandbox.skus[0]
    return run("listings", "update", "--sku", sku, "--json", *options, environ=environ)


def test_update_price_above_max(
    account: tuple[Sandbox, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox, _ = account
    max_price = sandbox.listing(sandbox.skus[0])["max_price"]
    status, output = update_sku(account, "--price", "99999999999")
    err = capsys.readouterr().err
    assert status == 0
    assert json.loads(output)["publication_state"] == 3
    assert f"is above its max price {max_price} EUR" in err
    assert "is OFFLINE after the update because of its price" in err


def test_update_quantity_zero_warns(
    account: tuple[Sandbox, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    status, _ = update_sku(account, "--quantity", "0")
    err = capsys.readouterr().err
    assert status == 0
    assert "is OFFLINE after the update because its quantity is 0" in err
    assert "max price" not in err


def test_update_online_no_warning(
    account: tuple[Sandbox, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    status, output = update_sku(account, "--price", "300.00", "--quantity", "2")
    assert status == 0
    assert json.loads(output)["publication_state"] == 2
    assert "warning" not in capsys.readouterr().err


@pytest.mark.parametrize("price", ["0", "0.00", "-1"])
def test_update_price_zero_rejected(
    account: tuple[Sandbox, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
    price: str,
) -> None:
    sandbox, _ = account
    before = sandbox.listing(sandbox.skus[0])["price"]
    with pytest.raises(SystemExit) as exit_info:
        update_sku(account, f"--price={price}")
    assert exit_info.value.code == 2
    assert "use an amount above 0" in capsys.readouterr().err
    assert sandbox.listing(sandbox.skus[0])["price"] == before
    assert sandbox.requests == []


PROXY = "https://proxy.acme.example"
"""A host that is not Back Market's; the tests below never send to it."""


def test_custom_host_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    environ = {"BACKMARKET_TOKEN": "tok", "BACKMARKET_USER_AGENT": USER_AGENT}
    status, _ = run("--base-url", PROXY, "orders", "list", environ=environ)
    err = capsys.readouterr().err
    assert status == 2
    assert "is not a Back Market host" in err
    assert "--allow-custom-host" in err


def test_custom_host_allowed(capsys: pytest.CaptureFixture[str]) -> None:
    # "Nothing to update" is raised after the client is built and before any
    # request, so it shows that the configuration accepted the host.
    environ = {"BACKMARKET_TOKEN": "tok", "BACKMARKET_USER_AGENT": USER_AGENT}
    argv = ("--base-url", PROXY, "--allow-custom-host", "listings", "update", "1")
    status, _ = run(*argv, environ=environ)
    err = capsys.readouterr().err
    assert status == 2
    assert "Nothing to update" in err
    assert "not a Back Market host" not in err


def test_custom_host_with_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    status, _ = run("--sandbox", "--allow-custom-host", "orders", "list", environ={})
    assert status == 2
    assert "--allow-custom-host cannot be combined" in capsys.readouterr().err


def test_poll_interval_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run("tasks", "wait", "--help", environ={})
    help_text = " ".join(capsys.readouterr().out.split())
    assert f"or {SANDBOX_POLL_INTERVAL} with --sandbox" in help_text
    assert f"every 5 seconds ({SANDBOX_POLL_INTERVAL} with" in DOCS_CLI.read_text()
