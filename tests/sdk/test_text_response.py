"""Plain-text success bodies, accepted only where an operation declares them."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from backmarket_sdk import BackMarketClient, errors
from backmarket_sdk._http import RequestSpec, parse_response
from backmarket_sdk.resources.care import refund_spec
from tests.sdk.conftest import FakeTime, make_async_client
from tests.sdk.loopback import LoopbackServer, Reply

URL = "https://www.backmarket.fr/ws/sav/refund"
SUMMARY = "99€ refunded on the sku 123456"
PLAIN = {"content-type": "text/plain; charset=utf-8"}


def _response(status: int, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.Response(status, content=body, headers=headers)


def test_plain_text_returned() -> None:
    response = _response(201, SUMMARY.encode(), PLAIN)
    assert parse_response(response, "POST", URL, text_response=True) == SUMMARY


def test_plain_text_json_like() -> None:
    response = _response(201, b"42", PLAIN)
    assert parse_response(response, "POST", URL, text_response=True) == "42"


def test_untyped_text_returned() -> None:
    response = _response(201, SUMMARY.encode(), {})
    assert parse_response(response, "POST", URL, text_response=True) == SUMMARY


def test_json_still_decoded() -> None:
    response = _response(200, b'{"ok": true}', {"content-type": "application/json"})
    assert parse_response(response, "POST", URL, text_response=True) == {"ok": True}


def test_empty_body_none() -> None:
    response = _response(201, b"", PLAIN)
    assert parse_response(response, "POST", URL, text_response=True) is None


def test_html_still_malformed() -> None:
    page = b"<html><body>Just a moment...</body></html>"
    response = _response(200, page, {"content-type": "text/html"})
    with pytest.raises(errors.MalformedResponseError, match="HTML"):
        parse_response(response, "POST", URL, text_response=True)


def test_text_undeclared_malformed() -> None:
    response = _response(201, SUMMARY.encode(), PLAIN)
    with pytest.raises(errors.MalformedResponseError, match="not valid JSON"):
        parse_response(response, "POST", URL)


def test_error_status_still_raises() -> None:
    response = _response(500, b"upstream failed", PLAIN)
    with pytest.raises(errors.ServerError):
        parse_response(response, "POST", URL, text_response=True)


def test_refund_declares_text() -> None:
    assert refund_spec(12, 4, None).text_response


def _text_reply() -> Reply:
    return Reply(status=201, raw=SUMMARY.encode(), headers=dict(PLAIN))


def _text_spec() -> RequestSpec:
    return RequestSpec("POST", "/ws/orders/1", json={}, text_response=True)


def test_sync_client_text(server: LoopbackServer, client: BackMarketClient) -> None:
    server.api.script("POST", "/ws/orders/1", _text_reply())
    assert client.request(_text_spec()) == SUMMARY


def test_async_client_text(server: LoopbackServer, fake_time: FakeTime) -> None:
    server.api.script("POST", "/ws/orders/1", _text_reply())

    async def run() -> object:
        async with make_async_client(server.url, fake_time) as client:
            return await client.request(_text_spec())

    assert asyncio.run(run()) == SUMMARY
