from __future__ import annotations

import email.utils
from collections.abc import Iterator
from typing import Any

import pytest

from backmarket_sdk import BackMarketClient, errors
from backmarket_sdk._http import describe_error_body, parse_retry_after
from tests.sdk.conftest import FakeTime, make_client
from tests.sdk.fixtures import TOKEN
from tests.sdk.loopback import LoopbackServer, Reply

ORDER_PATH = "/ws/orders/1"


@pytest.fixture
def strict(server: LoopbackServer, fake_time: FakeTime) -> Iterator[BackMarketClient]:
    """A client that never retries, so each scripted reply maps to one error."""
    with make_client(server.url, fake_time, max_retries=0) as sdk:
        yield sdk


def fail(client: BackMarketClient) -> errors.APIStatusError:
    with pytest.raises(errors.APIStatusError) as caught:
        client.orders.get(1)
    return caught.value


def test_v1_envelope(server: LoopbackServer, strict: BackMarketClient) -> None:
    body = {"error": {"code": "E404", "message": "Order not found"}, "requestId": "r-1"}
    server.api.script("GET", ORDER_PATH, Reply(404, json=body))
    error = fail(strict)
    assert type(error) is errors.NotFoundError
    assert error.status == 404
    assert error.code == "E404"
    assert error.message == "Order not found"
    assert error.request_id == "r-1"
    assert error.body == body
    assert error.method == "GET"
    assert error.url == server.url + ORDER_PATH


def test_v2_envelope(server: LoopbackServer, strict: BackMarketClient) -> None:
    body = {
        "errors": [
            {"code": "invalid-field", "message": "state is invalid"},
            {"code": "invalid-field", "message": "page is invalid"},
        ],
        "requestId": "r-2",
    }
    server.api.script("GET", ORDER_PATH, Reply(400, json=body))
    error = fail(strict)
    assert type(error) is errors.ValidationError
    assert error.code == "invalid-field"
    assert error.message == "state is invalid (and 1 more)"
    assert error.request_id == "r-2"


def test_v3_envelope(server: LoopbackServer, strict: BackMarketClient) -> None:
    body = {
        "error": {"code": "forbidden", "message": "Not a merchant"},
        "status": 403,
        "title": "Forbidden",
        "type": "/errors/forbidden",
        "requestId": "r-3",
    }
    server.api.script(
        "GET", ORDER_PATH, Reply(403, json=body, headers={"cf-ray": "8a1-CDG"})
    )
    error = fail(strict)
    assert type(error) is errors.PermissionDeniedError
    assert error.code == "forbidden"
    assert error.message == "Not a merchant"
    assert error.cf_ray == "8a1-CDG"


def test_v3_validation_variant(
    server: LoopbackServer, strict: BackMarketClient
) -> None:
    body = {
        "error": {"code": "validation", "message": "Invalid body"},
        "status": 422,
        "title": "Unprocessable",
        "type": "/errors/validation",
        "errors": [{"type": "/errors/required", "title": "Missing", "target": "sku"}],
    }
    server.api.script("GET", ORDER_PATH, Reply(422, json=body))
    error = fail(strict)
    assert type(error) is errors.ValidationError
    assert error.code == "validation"
    assert error.body["errors"][0]["target"] == "sku"


def test_problem_envelope(server: LoopbackServer, strict: BackMarketClient) -> None:
    body = {
        "type": "/errors/authorization-failed",
        "title": "Unauthorized",
        "status": 401,
        "detail": "Token expired",
    }
    server.api.script("GET", ORDER_PATH, Reply(401, json=body))
    error = fail(strict)
    assert type(error) is errors.AuthenticationError
    assert error.code == "/errors/authorization-failed"
    assert error.message.startswith("Token expired.")
    assert "generate a new token in the Back Office" in error.message


def test_bare_string_body(server: LoopbackServer, strict: BackMarketClient) -> None:
    server.api.script("GET", ORDER_PATH, Reply(400, json="parameter catalog not found"))
    error = fail(strict)
    assert type(error) is errors.ValidationError
    assert error.message == "parameter catalog not found"
    assert error.body == "parameter catalog not found"
    assert error.code is None


def test_empty_body(server: LoopbackServer, strict: BackMarketClient) -> None:
    server.api.script("GET", ORDER_PATH, Reply(404))
    error = fail(strict)
    assert type(error) is errors.NotFoundError
    assert error.body is None
    assert error.message == "HTTP 404 Not Found"


def test_html_403_with_cf_ray(server: LoopbackServer, strict: BackMarketClient) -> None:
    page = b"<!DOCTYPE html><html><body>Sorry, you have been blocked</body></html>"
    headers = {"Content-Type": "text/html; charset=UTF-8", "cf-ray": "86f1c2-CDG"}
    server.api.script("GET", ORDER_PATH, Reply(403, raw=page, headers=headers))
    error = fail(strict)
    assert type(error) is errors.WAFBlockedError
    assert isinstance(error, errors.PermissionDeniedError)
    assert error.cf_ray == "86f1c2-CDG"
    assert "Sorry, you have been blocked" in error.body
    assert "cf-ray 86f1c2-CDG" in error.message
    assert "cf-ray=86f1c2-CDG" in str(error)


def test_json_bot_challenge(server: LoopbackServer, strict: BackMarketClient) -> None:
    body = {"code": "bot-need-challenge", "message": "Challenge required"}
    server.api.script(
        "GET", ORDER_PATH, Reply(403, json=body, headers={"cf-ray": "77-AMS"})
    )
    error = fail(strict)
    assert type(error) is errors.WAFBlockedError
    assert error.code == "bot-need-challenge"
    assert error.cf_ray == "77-AMS"


def test_malformed_error_body(server: LoopbackServer, strict: BackMarketClient) -> None:
    raw = b'{"error": {"code": "E500", "mess'
    headers = {"Content-Type": "application/json"}
    server.api.script("GET", ORDER_PATH, Reply(500, raw=raw, headers=headers))
    error = fail(strict)
    assert type(error) is errors.ServerError
    assert error.body == raw.decode()
    assert "not valid JSON" in error.message


def test_truncated_success_body(
    server: LoopbackServer, strict: BackMarketClient
) -> None:
    raw = b'{"order_id": 1, "state": 1, "orderl'
    headers = {"Content-Type": "application/json"}
    server.api.script("GET", ORDER_PATH, Reply(200, raw=raw, headers=headers))
    error = fail(strict)
    assert type(error) is errors.MalformedResponseError
    assert error.status == 200


def test_body_cut_by_connection(
    server: LoopbackServer, strict: BackMarketClient
) -> None:
    raw = b'{"order_id": 1, "state": 1'
    headers = {"Content-Type": "application/json"}
    reply = Reply(200, raw=raw, headers=headers, content_length=len(raw) + 50)
    server.api.script("GET", ORDER_PATH, reply)
    with pytest.raises(errors.APIConnectionError) as caught:
        strict.orders.get(1)
    assert caught.value.url == server.url + ORDER_PATH


def test_wrong_token_is_authentication_error(
    server: LoopbackServer, fake_time: FakeTime
) -> None:
    other = "tok-0000000000000000wrong"
    with (
        BackMarketClient(
            token=other,
            user_agent="BM-Acme-Sync;ops@acme.example",
            base_url=server.url,
            sleep=fake_time.sleep,
        ) as client,
        pytest.raises(errors.AuthenticationError) as caught,
    ):
        client.orders.get(1)
    assert caught.value.code == "E401"
    assert other not in str(caught.value)
    assert other not in repr(caught.value)


def test_connection_refused(fake_time: FakeTime) -> None:
    with LoopbackServer() as stopped:
        url = stopped.url
    client = make_client(url, fake_time, max_retries=2)
    with client, pytest.raises(errors.APIConnectionError) as caught:
        client.orders.get(1)
    assert not isinstance(caught.value, errors.APITimeoutError)
    assert len(fake_time.sleeps) == 2


def test_errors_never_show_token(
    server: LoopbackServer, strict: BackMarketClient
) -> None:
    scripted: list[dict[str, Any]] = [
        {"error": {"code": "E1", "message": "boom"}},
        {"errors": [{"code": "E2", "message": "boom"}]},
    ]
    for body in scripted:
        server.api.script("GET", ORDER_PATH, Reply(400, json=body))
        error = fail(strict)
        for text in (str(error), repr(error), str(error.args), str(error.body)):
            assert TOKEN not in text


def test_retry_after_forms() -> None:
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after("7", now=now) == 7.0
    assert parse_retry_after("1.5", now=now) == 1.5
    assert parse_retry_after(date, now=now) == 30.0
    assert parse_retry_after("-3", now=now) == 0.0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None


def test_order_id_validation_envelope() -> None:
    body = {
        "error": {"code": "E009", "message": "Validation error"},
        "data": {"fields": {"orderId": ["An integer is needed."]}},
    }
    assert describe_error_body(body) == ("E009", "Validation error", None)


def test_unknown_json_shape() -> None:
    assert describe_error_body([1, 2]) == (None, None, None)
    assert describe_error_body({"detail": "Bad"}) == (None, "Bad", None)
