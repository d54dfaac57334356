"""The ``backmarket`` command prints values literally and rejects non-ASCII numbers.

Values come from the user, a catalog file or the server: rich markup, emoji
codes and control characters in them must print as text, never crash the
command after a request was sent, and never reach the terminal raw.
"""

from __future__ import annotations

import copy
import io
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from backmarket_sdk.cli import main
from backmarket_sdk.cli.terminal_text import escape_controls
from backmarket_sdk.sandbox import Sandbox

USER_AGENT = "BM-Acme-Support;ops@acme.example"
TOKEN = "test-token-0123456789"
MARKUP = "[/] :x: [red]x[/red] [link=http://127.0.0.1:1/]L[/link]"

Reply = tuple[int, Any]


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
            "BACKMARKET_MAX_RETRIES": "0",
        }
        yield sandbox, environ


class OrderServer:
    """A loopback server that replies to every GET with ``reply(path)``."""

    def __init__(self) -> None:
        self.reply: Callable[[str], Reply] = lambda path: (404, {})
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = owner.reply(self.path)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def order_server() -> Iterator[tuple[OrderServer, dict[str, str], dict[str, Any]]]:
    """Yield a loopback server, its environment and a valid order payload."""
    sandbox = Sandbox(seed=11)
    order = sandbox.order(sandbox.place_order(sandbox.skus[0]))
    server = OrderServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    environ = {
        "BACKMARKET_TOKEN": TOKEN,
        "BACKMARKET_MARKET": "fr-fr",
        "BACKMARKET_USER_AGENT": USER_AGENT,
        "BACKMARKET_BASE_URL": server.url,
        "BACKMARKET_MAX_RETRIES": "0",
    }
    try:
        yield server, environ, order
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        thread.join()


def serve_order(server: OrderServer, order: dict[str, Any]) -> None:
    page = {"count": 1, "next": None, "previous": None, "results": [order]}
    server.reply = lambda path: (200, page if path.startswith("/ws/orders?") else order)


def run(*argv: str, environ: dict[str, str]) -> tuple[int, str]:
    """Run the command with a console that has rich markup and emoji on."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=300)
    status = main(list(argv), environ=environ, console=console)
    return status, buffer.getvalue()


def usage_error(*argv: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as raised:
        main(list(argv), environ={})
    assert raised.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IP12-64GB", "IP12-64GB"),
        (MARKUP, MARKUP),
        ("oops\x1b]0;pwned\x07", "oops\\x1b]0;pwned\\x07"),
        ("a\nerror: b\r\tc", "a\\nerror: b\\r\\tc"),
        ("\x9b2J", "\\x9b2J"),
        ("abc\u202edef", "abc\\u202edef"),
        ("Zoë 📱 Straße", "Zoë 📱 Straße"),
    ],
)
def test_escape_controls_cases(text: str, expected: str) -> None:
    assert escape_controls(text) == expected


def test_update_comment_markup(account: tuple[Sandbox, dict[str, str]]) -> None:
    sandbox, environ = account
    sku = sandbox.skus[0]
    status, output = run(
        "listings", "update", "--sku", sku, "--comment", MARKUP, environ=environ
    )
    assert status == 0
    assert MARKUP in output
    assert sandbox.listing(sku)["comment"] == MARKUP


def test_update_default_console(
    account: tuple[Sandbox, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox, environ = account
    sku = sandbox.skus[0]
    argv = ["listings", "update", "--sku", sku, "--comment", MARKUP]
    status = main(argv, environ=environ)
    captured = capsys.readouterr()
    assert status == 0
    assert MARKUP in captured.out
    assert "❌" not in captured.out


def test_update_comment_controls(account: tuple[Sandbox, dict[str, str]]) -> None:
    sandbox, environ = account
    sku = sandbox.skus[0]
    # The SDK rejects other control characters in a comment before sending.
    comment = "sale\nerror: fake\tend"
    status, output = run(
        "listings", "update", "--sku", sku, "--comment", comment, environ=environ
    )
    assert status == 0
    assert "sale\\nerror: fake\\tend" in output
    assert sandbox.listing(sku)["comment"] == comment


def test_catalog_markup_sku(
    account: tuple[Sandbox, dict[str, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sandbox, environ = account
    path = tmp_path / "catalog.csv"
    path.write_text("sku,price\n[/bad] :x:,12\n", encoding="utf-8")
    status, output = run("catalog", "import", str(path), environ=environ)
    err = capsys.readouterr().err
    posts = [
        entry
        for entry in sandbox.requests
        if entry.method == "POST" and entry.path == "/ws/listings"
    ]
    # The sandbox has no listing with this SKU, so its task rejects the row.
    assert status == 1
    assert len(posts) == 1
    assert "[/bad] :x:" in output
    assert "rejected 1 SKUs: [/bad] :x:." in err


def test_json_escapes_controls(
    order_server: tuple[OrderServer, dict[str, str], dict[str, Any]],
) -> None:
    server, environ, template = order_server
    order = copy.deepcopy(template)
    sku = "[/] :x: Zoë\x1b\x9b\u202e\x7f"
    order["orderlines"][0]["listing"] = sku
    serve_order(server, order)
    status, output = run(
        "orders", "show", str(order["order_id"]), "--json", environ=environ
    )
    assert status == 0
    assert json.loads(output)["orderlines"][0]["listing"] == sku
    assert "[/] :x: Zoë\\u001b\\u009b\\u202e\\u007f" in output
    for char in "\x1b\x9b\u202e\x7f":
        assert char not in output


def test_accept_markup_sku(
    account: tuple[Sandbox, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox, environ = account
    order_id = sandbox.place_order(sandbox.skus[0])
    status, _ = run(
        "orders", "accept", str(order_id), "--sku", "[/] :x:", environ=environ
    )
    assert status == 2
    assert "no orderline for SKU '[/] :x:'" in capsys.readouterr().err


def test_orders_markup_values(
    order_server: tuple[OrderServer, dict[str, str], dict[str, Any]],
) -> None:
    server, environ, template = order_server
    order = copy.deepcopy(template)
    order["orderlines"][0]["listing"] = "[/x] :x:"
    order["shipping_address"]["firstName"] = "[/]"
    order["shipping_address"]["city"] = ":x: [link=http://127.0.0.1:1]Paris[/link]"
    serve_order(server, order)
    order_id = str(order["order_id"])

    status, order_output = run("orders", "show", order_id, environ=environ)
    assert status == 0
    assert "[/x] :x:" in order_output
    assert f"[/] {order['shipping_address']['lastName']}" in order_output
    assert ":x: [link=http://127.0.0.1:1]Paris[/link]" in order_output

    status, list_output = run("orders", "list", environ=environ)
    assert status == 0
    assert "[/x] :x:" in list_output


def test_orders_control_values(
    order_server: tuple[OrderServer, dict[str, str], dict[str, Any]],
) -> None:
    server, environ, template = order_server
    order = copy.deepcopy(template)
    order["orderlines"][0]["listing"] = "SKU\x1b]0;pwned\x07"
    order["shipping_address"]["firstName"] = "Ann\nerror: fake"
    serve_order(server, order)

    status, order_output = run(
        "orders", "show", str(order["order_id"]), environ=environ
    )
    assert status == 0
    assert "SKU\\x1b]0;pwned\\x07" in order_output
    assert "Ann\\nerror: fake" in order_output
    assert "\x1b" not in order_output
    assert "\x07" not in order_output

    status, list_output = run("orders", "list", environ=environ)
    assert status == 0
    assert "SKU\\x1b]0;pwned\\x07" in list_output
    assert "\x1b" not in list_output


def test_error_message_controls(
    order_server: tuple[OrderServer, dict[str, str], dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    server, environ, _ = order_server
    body = {
        "code": "bad\x1b[2J",
        "message": "oops\x1b]0;pwned\x07\nerror: fake second line [/] :x:",
    }
    server.reply = lambda path: (400, body)
    status, _ = run("orders", "show", "71637", environ=environ)
    err = capsys.readouterr().err
    assert status == 1
    assert "oops\\x1b]0;pwned\\x07\\nerror: fake second line [/] :x:" in err
    assert "bad\\x1b[2J" in err
    assert "\x1b" not in err
    assert "\x07" not in err
    assert [line for line in err.splitlines() if line.startswith("error:")] == [
        err.splitlines()[0]
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ["listings", "update", "--sku", "X", "--quantity", "٧"],
        ["listings", "update", "--sku", "X", "--quantity", "1_0"],
        ["listings", "update", "--sku", "X", "--quantity", " 7"],
        ["listings", "update", "--sku", "X", "--warranty-delay", "١٢"],
        ["listings", "list", "--min-quantity", "٣"],
        ["listings", "list", "--publication-state", "٢"],
        ["orders", "list", "--state", "١"],
        ["orders", "list", "--limit", "٥"],
        ["orders", "show", "٧١٦٥٤"],
        ["tasks", "show", "²"],
    ],
)
def test_whole_number_ascii_only(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    err = usage_error(*argv, "--sandbox", capsys=capsys)
    assert f"invalid value {argv[-1]!r}" in err
    assert "ASCII 0-9 only" in err


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--price", "١٩٩.٩٠"),
        ("--price", "1_000"),
        ("--price", "1e3"),
        ("--price", "NaN"),
        ("--price", "Infinity"),
    ],
)
def test_amount_ascii_only(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = usage_error(
        "listings", "update", "--sku", "X", option, value, "--sandbox", capsys=capsys
    )
    assert f"invalid amount {value!r}" in err
    assert "ASCII 0-9 only" in err


@pytest.mark.parametrize("value", ["٥", "inf", "nan", "1e1"])
def test_seconds_ascii_only(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = usage_error("tasks", "wait", "1", "--timeout", value, capsys=capsys)
    assert f"invalid value {value!r}" in err
    assert "ASCII 0-9 only" in err


def test_ascii_numbers_accepted(account: tuple[Sandbox, dict[str, str]]) -> None:
    sandbox, environ = account
    sku = sandbox.skus[0]
    argv = ["listings", "update", "--sku", sku, "--quantity", "7", "--price", ".5"]
    status, _ = run(*argv, environ=environ)
    assert status == 0
    assert sandbox.listing(sku)["quantity"] == 7
