"""Errors built from a response that echoes the token, and empty success bodies.

A server may echo the Authorization header or the token in any envelope. The
errors must mask it in everything they show: ``str()``, ``repr()``, ``args``,
``message``, ``body`` and the trace ids. The token of these tests is a fake.
"""

from __future__ import annotations

import html
import io
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from rich.console import Console

from backmarket_sdk import BackMarketClient, errors
from backmarket_sdk._http import BODY_KEEP_CHARS, RequestSpec, parse_response
from backmarket_sdk._logging import REDACTED, redact_value, register_secret
from backmarket_sdk.cli import main
from backmarket_sdk.cli.errors import CommandError
from tests.sdk.conftest import FakeTime, make_async_client, make_client
from tests.sdk.fixtures import TOKEN, USER_AGENT
from tests.sdk.loopback import LoopbackServer, Reply

ORDER_PATH = "/ws/orders/1"
HEADER = f"Basic {TOKEN}"
# A fake token with the characters that JSON, HTML and URLs escape.
ODD_TOKEN = "fake/odd&tok+en<9f8e7d6c>"


@pytest.fixture
def strict(server: LoopbackServer, fake_time: FakeTime) -> Iterator[BackMarketClient]:
    """A client that never retries, so each scripted reply maps to one error."""
    with make_client(server.url, fake_time, max_retries=0) as sdk:
        yield sdk


def fail(client: BackMarketClient) -> errors.APIStatusError:
    with pytest.raises(errors.APIStatusError) as caught:
        client.orders.get(1)
    return caught.value


def shown(error: errors.APIStatusError) -> dict[str, str]:
    """Return every text an error exposes, by name."""
    return {
        "str": str(error),
        "repr": repr(error),
        "args": repr(error.args),
        "message": error.message,
        "body": json.dumps(error.body),
        "code": str(error.code),
        "request_id": str(error.request_id),
        "cf_ray": str(error.cf_ray),
        "url": error.url,
    }


def assert_masked(error: errors.APIStatusError, secret: str = TOKEN) -> None:
    for name, text in shown(error).items():
        assert secret not in text, name


def test_v1_envelope_echo(server: LoopbackServer, strict: BackMarketClient) -> None:
    body = {
        "error": {"code": "E400", "message": f"bad header {HEADER}"},
        "requestId": f"r-{TOKEN}",
    }
    server.api.script("GET", ORDER_PATH, Reply(400, json=body))
    error = fail(strict)
    assert type(error) is errors.ValidationError
    assert_masked(error)
    assert error.message == f"bad header Basic {REDACTED}"
    assert error.request_id == f"r-{REDACTED}"
    assert error.body["error"]["message"] == f"bad header Basic {REDACTED}"
    assert error.body["error"]["code"] == "E400"


def test_v2_list_echo(server: LoopbackServer, strict: BackMarketClient) -> None:
    body = {
        "errors": [
            {"code": TOKEN, "message": f"token {TOKEN} is revoked"},
            {"code": "other", "message": "ok", "meta": {TOKEN: [HEADER, 3]}},
        ]
    }
    server.api.script("GET", ORDER_PATH, Reply(403, json=body))
    error = fail(strict)
    assert type(error) is errors.PermissionDeniedError
    assert_masked(error)
    assert error.code == REDACTED
    assert error.message == f"token {REDACTED} is revoked (and 1 more)"
    assert error.body["errors"][1]["meta"] == {REDACTED: [f"Basic {REDACTED}", 3]}


def test_problem_details_echo(server: LoopbackServer, strict: BackMarketClient) -> None:
    body = {
        "type": "/errors/authorization-failed",
        "title": "Unauthorized",
        "detail": f"Authorization: {HEADER} was rejected",
        "status": 401,
    }
    server.api.script("GET", ORDER_PATH, Reply(401, json=body))
    error = fail(strict)
    assert type(error) is errors.AuthenticationError
    assert_masked(error)
    assert error.code == "/errors/authorization-failed"
    assert error.message.startswith(f"Authorization: {REDACTED} was rejected")
    assert error.body["status"] == 401


def test_bare_string_echo(server: LoopbackServer, strict: BackMarketClient) -> None:
    server.api.script("GET", ORDER_PATH, Reply(400, json=f"invalid {TOKEN}"))
    error = fail(strict)
    assert_masked(error)
    assert error.body == f"invalid {REDACTED}"
    assert error.message == f"invalid {REDACTED}"


def test_html_echo(server: LoopbackServer, strict: BackMarketClient) -> None:
    page = f"<html><body>Blocked request with {HEADER}</body></html>"
    reply = Reply(
        403,
        raw=page.encode(),
        headers={"Content-Type": "text/html", "cf-ray": f"ray-{TOKEN}"},
    )
    server.api.script("GET", ORDER_PATH, reply)
    error = fail(strict)
    assert type(error) is errors.WAFBlockedError
    assert_masked(error)
    assert error.body == page.replace(TOKEN, REDACTED)
    assert error.cf_ray == f"ray-{REDACTED}"


def test_plain_text_echo(server: LoopbackServer, strict: BackMarketClient) -> None:
    reply = Reply(
        401, raw=f"bad token {TOKEN}".encode(), headers={"Content-Type": "text/plain"}
    )
    server.api.script("GET", ORDER_PATH, reply)
    error = fail(strict)
    assert type(error) is errors.AuthenticationError
    assert_masked(error)
    assert error.body == f"bad token {REDACTED}"


def test_malformed_json_echo(server: LoopbackServer, strict: BackMarketClient) -> None:
    raw = f'{{"error": {{"message": "{HEADER}"'.encode()
    server.api.script("GET", ORDER_PATH, Reply(500, raw=raw))
    error = fail(strict)
    assert type(error) is errors.ServerError
    assert_masked(error)
    assert error.body == f'{{"error": {{"message": "Basic {REDACTED}"'


def test_cut_body_keeps_no_prefix(
    server: LoopbackServer, strict: BackMarketClient
) -> None:
    # In the page as sent, the token straddles the cut at BODY_KEEP_CHARS.
    padding = "x" * (BODY_KEEP_CHARS - len(TOKEN) // 2 - len("<html>"))
    page = f"<html>{padding}{TOKEN} and more</html>"
    assert page.index(TOKEN) < BODY_KEEP_CHARS < page.index(TOKEN) + len(TOKEN)
    reply = Reply(502, raw=page.encode(), headers={"Content-Type": "text/html"})
    server.api.script("GET", ORDER_PATH, reply)
    error = fail(strict)
    assert TOKEN[:6] not in error.body
    masked = f"<html>{padding}{REDACTED} and more</html>"
    assert error.body == masked[:BODY_KEEP_CHARS]


def test_success_status_html_echo(
    server: LoopbackServer, strict: BackMarketClient
) -> None:
    reply = Reply(
        200, raw=f"<p>{HEADER}</p>".encode(), headers={"Content-Type": "text/html"}
    )
    server.api.script("GET", ORDER_PATH, reply)
    error = fail(strict)
    assert type(error) is errors.MalformedResponseError
    assert_masked(error)
    assert error.body == f"<p>Basic {REDACTED}</p>"


def test_model_error_echo(server: LoopbackServer, strict: BackMarketClient) -> None:
    body = {"order_id": 1, "state": TOKEN, "orderlines": []}
    server.api.script("GET", ORDER_PATH, Reply(200, json=body))
    error = fail(strict)
    assert type(error) is errors.MalformedResponseError
    assert_masked(error)
    assert f"'{REDACTED}'" in error.message
    assert error.body["state"] == REDACTED


async def test_async_client_echo(server: LoopbackServer, fake_time: FakeTime) -> None:
    body = {"error": {"code": "E400", "message": f"got {HEADER}"}}
    server.api.script("GET", ORDER_PATH, Reply(400, json=body))
    async with make_async_client(server.url, fake_time, max_retries=0) as client:
        with pytest.raises(errors.ValidationError) as caught:
            await client.orders.get(1)
    assert_masked(caught.value)
    assert caught.value.message == f"got Basic {REDACTED}"


def test_encoded_token_forms(server: LoopbackServer, fake_time: FakeTime) -> None:
    forms = {
        "json": json.dumps(ODD_TOKEN)[1:-1].replace("/", "\\/"),
        "html": html.escape(ODD_TOKEN),
        "url": quote(ODD_TOKEN, safe=""),
    }
    page = "<html>" + " | ".join(forms.values()) + "</html>"
    reply = Reply(403, raw=page.encode(), headers={"Content-Type": "text/html"})
    server.api.script("GET", ORDER_PATH, reply)
    options: dict[str, Any] = {"timeout": 5.0, "max_retries": 0}
    with BackMarketClient(
        token=ODD_TOKEN,
        user_agent=USER_AGENT,
        base_url=server.url,
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        **options,
    ) as client:
        error = fail(client)
    for name, form in forms.items():
        assert form not in error.body, name
    assert error.body == "<html>*** | *** | ***</html>"


def test_plain_errors_masked() -> None:
    register_secret(TOKEN)
    invalid = errors.InvalidRequestError(f"Invalid SKU {TOKEN!r}")
    connection = errors.APIConnectionError(
        f"Connection failed ({HEADER})", method="GET", url="http://127.0.0.1/ws"
    )
    assert TOKEN not in str(invalid)
    assert TOKEN not in repr(invalid)
    assert TOKEN not in str(connection)
    assert TOKEN not in repr(connection)
    assert connection.message == f"Connection failed (Basic {REDACTED})"


def test_redact_value_nested() -> None:
    register_secret(TOKEN)
    data = {"a": [TOKEN, {"b": (1, f"x{TOKEN}")}], TOKEN: None, "n": 2.5}
    assert redact_value(data) == {
        "a": [REDACTED, {"b": (1, f"x{REDACTED}")}],
        REDACTED: None,
        "n": 2.5,
    }
    assert data["a"][0] == TOKEN


def test_basic_word_left_alone(
    server: LoopbackServer, strict: BackMarketClient
) -> None:
    body = {"error": {"code": "E401", "message": "Basic authentication failed"}}
    server.api.script("GET", ORDER_PATH, Reply(401, json=body))
    error = fail(strict)
    assert error.message.startswith("Basic authentication failed. ")


def test_cli_echo_masked(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {"error": {"code": "E400", "message": f"got {HEADER}"}}
    server.api.script("GET", ORDER_PATH, Reply(400, json=body))
    environ = {
        "BACKMARKET_TOKEN": TOKEN,
        "BACKMARKET_USER_AGENT": USER_AGENT,
        "BACKMARKET_BASE_URL": server.url,
        "BACKMARKET_MAX_RETRIES": "0",
    }
    buffer = io.StringIO()
    status = main(
        ["orders", "show", "1"], environ=environ, console=Console(file=buffer)
    )
    captured = capsys.readouterr()
    assert status == 1
    assert TOKEN not in captured.err
    assert TOKEN not in captured.out
    assert TOKEN not in buffer.getvalue()
    assert f"got Basic {REDACTED}" in captured.err


def test_get_204_reports_status(
    server: LoopbackServer, strict: BackMarketClient
) -> None:
    server.api.script("GET", ORDER_PATH, Reply(204))
    error = fail(strict)
    assert type(error) is errors.MalformedResponseError
    assert error.status == 204
    assert error.message == (
        "HTTP 204 No Content with an empty body where JSON was expected"
    )
    assert error.body is None


def test_get_empty_200_reports_status(
    server: LoopbackServer, strict: BackMarketClient
) -> None:
    server.api.script("GET", ORDER_PATH, Reply(200))
    error = fail(strict)
    assert type(error) is errors.MalformedResponseError
    assert error.status == 200
    assert "empty body" in error.message


def test_empty_body_rules() -> None:
    request = httpx.Request("PUT", "http://127.0.0.1/ws/x")
    no_content = httpx.Response(204, request=request)
    assert parse_response(no_content, "PUT", "http://127.0.0.1/ws/x") is None
    assert parse_response(no_content, "GET", "/ws/x", text_response=True) is None
    assert parse_response(no_content, "GET", "/ws/x", body_required=False) is None
    with pytest.raises(errors.MalformedResponseError) as caught:
        parse_response(no_content, "POST", "/ws/x", body_required=True)
    assert caught.value.status == 204
    assert caught.value.method == "POST"


def test_spec_body_required() -> None:
    assert RequestSpec("GET", "/ws/orders/1").body_required
    assert not RequestSpec("GET", "/ws/x", text_response=True).body_required
    assert not RequestSpec("PUT", "/ws/x").body_required
    assert RequestSpec("POST", "/ws/x", expects_body=True).body_required
    assert not RequestSpec("GET", "/ws/x", expects_body=False).body_required


def test_command_error_masked() -> None:
    register_secret(TOKEN)
    error = CommandError(f"Order 1 has no orderline for SKU {TOKEN!r}.", exit_code=2)
    assert str(error) == f"Order 1 has no orderline for SKU '{REDACTED}'."
    assert error.exit_code == 2
