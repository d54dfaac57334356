"""Checks of free-text order, orderline and task inputs, before any request."""

from __future__ import annotations

import json
import math

import pytest

from backmarket_sdk import BackMarketClient, errors
from tests.sdk.conftest import FakeTime, make_async_client
from tests.sdk.loopback import LoopbackServer

VALID_IMEI = "356950123418275"
ARABIC_INDIC_IMEI = "٣٥٦٩٥٠١٢٣٤١٨٢٧٥"
FULLWIDTH_IMEI = "３５６９５０１２３４１８２７５"


def last_json(server: LoopbackServer, method: str, path: str) -> object:
    return json.loads(server.api.requests_to(method, path)[-1].body)


@pytest.mark.parametrize(
    "imei",
    [ARABIC_INDIC_IMEI, FULLWIDTH_IMEI, VALID_IMEI + "\n", "\u200b" + VALID_IMEI],
)
def test_imei_non_ascii_rejected(
    server: LoopbackServer, client: BackMarketClient, imei: str
) -> None:
    with pytest.raises(errors.InvalidRequestError, match="15 digits 0-9") as caught:
        client.orderlines.update(11, imei=imei)
    assert repr(imei) in str(caught.value)
    with pytest.raises(errors.InvalidRequestError, match="15 digits 0-9"):
        client.orders.ship(1, tracking_number="1Z", imei=imei)
    assert server.api.log == []


def test_imei_ascii_accepted(server: LoopbackServer, client: BackMarketClient) -> None:
    client.orderlines.update(11, imei=VALID_IMEI)
    assert last_json(server, "PATCH", "/ws/orderlines/11") == {"imei": VALID_IMEI}


@pytest.mark.parametrize(
    ("tracking_number", "message"),
    [
        ("\u200b", "U\\+200B ZERO WIDTH SPACE, a format character"),
        ("ABC\x00DEF", "index 3 is U\\+0000, a control character"),
        ("1Z\u2060999", "U\\+2060 WORD JOINER, a format character"),
        ("1Z\x1c999", "U\\+001C, a control character"),
        ("\u0301\u0301", "no visible character"),
    ],
)
def test_tracking_number_invisible_rejected(
    server: LoopbackServer,
    client: BackMarketClient,
    tracking_number: str,
    message: str,
) -> None:
    with pytest.raises(errors.InvalidRequestError, match=message) as caught:
        client.orders.ship(1, tracking_number=tracking_number)
    assert "Invalid tracking_number" in str(caught.value)
    assert server.api.log == []


def test_tracking_number_whitespace_removed(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    client.orders.ship(2, tracking_number=" 1Z\t999\r\nAA1 ")
    sent = last_json(server, "POST", "/ws/orders/2")
    assert isinstance(sent, dict)
    assert sent["tracking_number"] == "1Z999AA1"


@pytest.mark.parametrize(
    ("serial_number", "message"),
    [
        ("C39\nXK0", "index 3 is U\\+000A, a control character"),
        ("\u200b", "ZERO WIDTH SPACE"),
        ("C39\u00adXK0", "SOFT HYPHEN, a format character"),
        ("\u0300", "no visible character"),
    ],
)
def test_serial_number_invisible_rejected(
    server: LoopbackServer,
    client: BackMarketClient,
    serial_number: str,
    message: str,
) -> None:
    with pytest.raises(errors.InvalidRequestError, match=message):
        client.orderlines.update(11, serial_number=serial_number)
    with pytest.raises(errors.InvalidRequestError, match=message):
        client.orders.ship(1, tracking_number="1Z", serial_number=serial_number)
    assert server.api.log == []


def test_serial_number_inner_space_kept(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    client.orderlines.update(11, serial_number="C39 XK0")
    sent = last_json(server, "PATCH", "/ws/orderlines/11")
    assert sent == {"serial_number": "C39 XK0"}


@pytest.mark.parametrize("sku", ["SKU\x00-1", "\u200b", "SKU-1\ufeff"])
def test_sku_invisible_rejected(
    server: LoopbackServer, client: BackMarketClient, sku: str
) -> None:
    with pytest.raises(errors.InvalidRequestError, match="Invalid sku"):
        client.orders.accept_line(1, sku)
    with pytest.raises(errors.InvalidRequestError, match="Invalid sku"):
        client.orders.cancel_line(1, sku)
    assert server.api.log == []


def test_invoice_filename_crlf_rejected(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    name = 'a"\r\nContent-Type: text/html\r\n\r\n<x>.pdf'
    with pytest.raises(errors.InvalidRequestError, match="Invalid filename"):
        client.orders.upload_invoice(1, b"%PDF-1.7", name)
    assert server.api.log == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://", "has no host"),
        ("http:///track?id=1", "has no host"),
        ("https://:443/track", "has no host"),
        ("https://user@/track", "has no host"),
        ("javascript:alert(1)", "use an http\\(s\\) URL"),
        ("ftp://ups.example/t", "use an http\\(s\\) URL"),
        ("ups.example/track", "use an http\\(s\\) URL"),
        ("https://ups.example/t?a=b c", "index 25 is U\\+0020 SPACE"),
        ("https://ups.example/\x00", "U\\+0000, a control character"),
        ("https://ups.example/\u200bx", "ZERO WIDTH SPACE"),
        ("https://[::1/track", "Invalid tracking_url"),
        ("https://ups.example:99999/t", "Invalid tracking_url"),
    ],
)
def test_tracking_url_rejected(
    server: LoopbackServer, client: BackMarketClient, url: str, message: str
) -> None:
    with pytest.raises(errors.InvalidRequestError, match=message) as caught:
        client.orders.ship(1, tracking_number="1Z", tracking_url=url)
    assert repr(url) in str(caught.value)
    assert server.api.log == []


@pytest.mark.parametrize(
    "url",
    [
        "https://ups.example/track?id=1Z",
        "HTTPS://UPS.example/track",
        "http://127.0.0.1:8080/t",
    ],
)
def test_tracking_url_accepted(
    server: LoopbackServer, client: BackMarketClient, url: str
) -> None:
    client.orders.ship(2, tracking_number="1Z", tracking_url=f"  {url} ")
    sent = last_json(server, "POST", "/ws/orders/2")
    assert isinstance(sent, dict)
    assert sent["tracking_url"] == url


BAD_TIMEOUTS = [math.nan, math.inf, -math.inf, -1, True, 10**9, "10", None]
BAD_POLL_INTERVALS = [math.nan, math.inf, 0, -1, 0.0, True, 10**9, "5"]


@pytest.mark.parametrize("timeout", BAD_TIMEOUTS)
def test_wait_timeout_rejected(
    server: LoopbackServer, client: BackMarketClient, timeout: object
) -> None:
    with pytest.raises(errors.InvalidRequestError) as caught:
        client.tasks.wait(1001, timeout=timeout)  # type: ignore[arg-type]
    assert f"Invalid timeout {timeout!r}" in str(caught.value)
    assert server.api.log == []


@pytest.mark.parametrize("poll_interval", BAD_POLL_INTERVALS)
def test_wait_poll_interval_rejected(
    server: LoopbackServer, client: BackMarketClient, poll_interval: object
) -> None:
    with pytest.raises(errors.InvalidRequestError) as caught:
        client.tasks.wait(1001, poll_interval=poll_interval)  # type: ignore[arg-type]
    assert f"Invalid poll_interval {poll_interval!r}" in str(caught.value)
    assert server.api.log == []


async def test_async_wait_rejected(server: LoopbackServer, fake_time: FakeTime) -> None:
    async with make_async_client(server.url, fake_time) as client:
        for timeout in BAD_TIMEOUTS:
            with pytest.raises(errors.InvalidRequestError) as caught:
                await client.tasks.wait(1001, timeout=timeout)  # type: ignore[arg-type]
            assert f"Invalid timeout {timeout!r}" in str(caught.value)
        for interval in BAD_POLL_INTERVALS:
            with pytest.raises(errors.InvalidRequestError) as caught:
                await client.tasks.wait(1001, poll_interval=interval)  # type: ignore[arg-type]
            assert f"Invalid poll_interval {interval!r}" in str(caught.value)
    assert server.api.log == []
    assert fake_time.sleeps == []


def test_wait_bounds_accepted(
    server: LoopbackServer, client: BackMarketClient, fake_time: FakeTime
) -> None:
    client.listings.import_catalog([{"sku": "A"}])
    task = client.tasks.wait(1001, timeout=7 * 24 * 3600, poll_interval=0.5)
    assert task.task_id == 1001
    assert fake_time.sleeps == [0.5, 0.5]


def test_invoice_str_names_bytes(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    with pytest.raises(errors.InvalidRequestError) as caught:
        client.orders.upload_invoice(1, "invoice.pdf", "invoice.pdf")  # type: ignore[arg-type]
    message = str(caught.value)
    assert "of type str" in message
    assert "pass the file's bytes" in message
    assert "read_bytes()" in message
    assert "not empty" not in message
    assert server.api.log == []


def test_invoice_empty_bytes(server: LoopbackServer, client: BackMarketClient) -> None:
    with pytest.raises(errors.InvalidRequestError, match="the bytes are empty"):
        client.orders.upload_invoice(1, b"", "invoice.pdf")
    assert server.api.log == []
