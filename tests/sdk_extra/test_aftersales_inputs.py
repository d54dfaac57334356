"""Care, BuyBack and BackBox inputs: what is rejected and what goes on the wire.

Requests go over real HTTP to a server on 127.0.0.1: a small capture server
that stores each raw body, or the sandbox for ``listings_bi``.
"""

from __future__ import annotations

import asyncio
import threading
import warnings
from collections.abc import Callable, Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from backmarket_sdk import AsyncBackMarketClient, BackMarketClient, errors
from backmarket_sdk._operation_limits import OperationLimitError
from backmarket_sdk.models import Attachment
from backmarket_sdk.resources.buyback import counter_offer_spec
from backmarket_sdk.sandbox import Sandbox
from tests.sdk_extra.harness import USER_AGENT, FakeTime

FOLDER = 100_300_165
ORDER = "FR-24527-ABCDE"
PHOTO = Attachment("photo.jpg", b"\xff\xd8\xff")


class CaptureServer:
    """A loopback HTTP server that stores each POST and returns 201."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, bytes]] = []
        captured = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                captured.append(("POST", self.path, self.rfile.read(length)))
                if self.path.endswith("/msg"):
                    body = b'{"id": 1, "message": "ok", "group": 1}'
                    content_type = "application/json"
                elif self.path == "/ws/sav/refund":
                    body = b"89.99 EUR refunded"
                    content_type = "text/plain"
                else:
                    body = b""
                    content_type = "application/json"
                self.send_response(201)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}
        )

    def __enter__(self) -> CaptureServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def capture() -> Iterator[CaptureServer]:
    with CaptureServer() as server:
        yield server


@pytest.fixture
def client(capture: CaptureServer) -> Iterator[BackMarketClient]:
    with BackMarketClient(
        token="aftersales-token",
        user_agent=USER_AGENT,
        base_url=capture.url,
        max_retries=0,
        sleep=lambda seconds: None,
    ) as sdk:
        yield sdk


REJECTED: list[tuple[str, Callable[[BackMarketClient], Any], str]] = [
    (
        "tracking bell",
        lambda c: c.care.transfer_item(
            FOLDER, shipper_name="DHL", tracking_number="A\u0007"
        ),
        "U+0007",
    ),
    (
        "tracking zero width",
        lambda c: c.care.transfer_item(
            FOLDER, shipper_name="DHL", tracking_number="1Z\u200b99"
        ),
        "U+200B",
    ),
    (
        "shipper NUL",
        lambda c: c.care.transfer_item(
            FOLDER, shipper_name="Nope\u0000", tracking_number="A1"
        ),
        "shipper_name",
    ),
    ("message NUL", lambda c: c.care.post_message(FOLDER, "a\x00b"), "U+0000"),
    (
        "message escape",
        lambda c: c.care.post_message(FOLDER, "hi\x1b[2J"),
        "U+001B",
    ),
    (
        "problem message NUL",
        lambda c: c.care.declare_problem(FOLDER, "OTHER", message="a\x00"),
        "U+0000",
    ),
    (
        "filename line break",
        lambda c: c.care.post_message(
            FOLDER, "hi", attachments=[Attachment('a"\r\nX: 1.jpg', b"\xff")]
        ),
        "U+000D",
    ),
    ("refund zero", lambda c: c.care.refund(5, 6, amount="0"), "'0'"),
    (
        "refund nano",
        lambda c: c.care.refund(5, 6, amount="0.000000001"),
        "0.01",
    ),
    ("refund mill", lambda c: c.care.refund(5, 6, amount="0.001"), "0.01"),
    ("refund sub cent", lambda c: c.care.refund(5, 6, amount="89.999"), "cents"),
    (
        "refund too large",
        lambda c: c.care.refund(5, 6, amount=Decimal("1E13")),
        "9999999999999.99",
    ),
    ("refund type True", lambda c: c.care.refund(5, True), "True"),
    ("refund type False", lambda c: c.care.refund(5, False), "False"),
    ("care state True", lambda c: c.care.list(state=True), "True"),
    ("care state False", lambda c: c.care.list(state=False), "False"),
    (
        "counter price zero",
        lambda c: c.buyback.counter_offer(
            ORDER, price="0", reasons=["r"], files=[PHOTO]
        ),
        "above 0",
    ),
    (
        "counter price 0.00",
        lambda c: c.buyback.counter_offer(
            ORDER, price=Decimal("0.00"), reasons=["r"], files=[PHOTO]
        ),
        "above 0",
    ),
    (
        "counter exe",
        lambda c: c.buyback.counter_offer(
            ORDER, price="5", reasons=["r"], files=[Attachment("a.exe", b"MZ")]
        ),
        ".jpeg, .jpg, .pdf, .png",
    ),
    (
        "counter no extension",
        lambda c: c.buyback.counter_offer(
            ORDER, price="5", reasons=["r"], files=[Attachment("photo", b"\xff")]
        ),
        "'photo'",
    ),
    (
        "counter content type",
        lambda c: c.buyback.counter_offer(
            ORDER,
            price="5",
            reasons=["r"],
            files=[Attachment("a.jpg", b"MZ", "application/x-msdownload")],
        ),
        "application/x-msdownload",
    ),
    (
        "counter comment NUL",
        lambda c: c.buyback.counter_offer(
            ORDER, price="5", reasons=["r"], files=[PHOTO], comment="x\x00"
        ),
        "comment",
    ),
    (
        "buyback message NUL",
        lambda c: c.buyback.post_message(ORDER, "a\x00b"),
        "U+0000",
    ),
    ("order id NUL", lambda c: c.buyback.get_order("FR-1\x00"), "order_id"),
]


@pytest.mark.parametrize(
    ("call", "expected"),
    [(case[1], case[2]) for case in REJECTED],
    ids=[case[0] for case in REJECTED],
)
def test_input_rejected(
    client: BackMarketClient,
    capture: CaptureServer,
    call: Callable[[BackMarketClient], Any],
    expected: str,
) -> None:
    with pytest.raises(errors.InvalidRequestError) as caught:
        call(client)
    assert type(caught.value) is errors.InvalidRequestError
    assert expected in str(caught.value)
    assert capture.requests == []


@pytest.mark.parametrize(
    ("amount", "wire"),
    [
        ("89.99", b'"amount":89.99}'),
        ("89.990", b'"amount":89.99}'),
        (Decimal("0.01"), b'"amount":0.01}'),
        ("5", b'"amount":5.0}'),
        (7, b'"amount":7.0}'),
        ("1000000000000", b'"amount":1000000000000.0}'),
        ("9999999999999.99", b'"amount":9999999999999.99}'),
    ],
)
def test_refund_amount_exact(
    client: BackMarketClient, capture: CaptureServer, amount: Any, wire: bytes
) -> None:
    summary = client.care.refund(5, 6, amount=amount)
    assert summary == "89.99 EUR refunded"
    assert len(capture.requests) == 1
    method, path, body = capture.requests[0]
    assert (method, path) == ("POST", "/ws/sav/refund")
    assert body.endswith(wire)


def test_message_keeps_whitespace(
    client: BackMarketClient, capture: CaptureServer
) -> None:
    client.care.post_message(FOLDER, "Hello,\r\n\tthe parcel left today.")
    assert len(capture.requests) == 1
    assert b"Hello,\r\n\tthe parcel left today." in capture.requests[0][2]


def test_transfer_strips_spaces(
    client: BackMarketClient, capture: CaptureServer
) -> None:
    client.care.transfer_item(FOLDER, shipper_name=" DHL ", tracking_number="1Z 99")
    assert len(capture.requests) == 1
    assert capture.requests[0][2] == b'{"shipperName":"DHL","trackingNumber":"1Z99"}'


def test_counter_offer_file_types() -> None:
    files = [
        Attachment("scan.PDF", b"%PDF-1.7"),
        Attachment("back.jpeg", b"\xff\xd8\xff"),
        Attachment("side.png", b"\x89PNG", "image/png"),
        Attachment("front.jpg", b"\xff\xd8\xff", "IMAGE/JPEG; q=1"),
    ]
    spec = counter_offer_spec(ORDER, "10.50", ["scratch"], files, None)
    types = [part.content_type for part in spec.files]
    assert types == ["application/pdf", "image/jpeg", "image/png", "image/jpeg"]


LISTING_COUNT = 240


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(seed=5, listing_count=LISTING_COUNT)


def read_listings_bi(client: BackMarketClient, page_size: int) -> list[Any]:
    read: list[Any] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pager = client.backbox.listings_bi(page_size=page_size)
    with pytest.raises(OperationLimitError) as caught:
        for listing in pager:
            read.append(listing)
    assert "at most 100 listings an hour" in str(caught.value)
    assert caught.value.retry_after > 0
    return read


def test_listings_bi_huge_page(sandbox: Sandbox) -> None:
    fake = FakeTime(sandbox)
    with (
        sandbox.serve() as server,
        BackMarketClient(
            token=sandbox.token,
            user_agent=USER_AGENT,
            base_url=server.url,
            max_retries=0,
            clock=fake.clock,
            sleep=fake.sleep,
        ) as client,
    ):
        read = read_listings_bi(client, 10**6)
    assert len(read) == 100
    pages = [entry for entry in sandbox.requests if entry.path == "/ws/listings_bi"]
    assert len(pages) == 2
    assert [entry.query.get("page-size") for entry in pages] == ["50", "50"]


@pytest.mark.parametrize("page_size", [0, -1, "50", 2.5, True])
def test_listings_bi_bad_page(sandbox: Sandbox, page_size: Any) -> None:
    with (
        BackMarketClient(
            token=sandbox.token,
            user_agent=USER_AGENT,
            base_url="http://127.0.0.1:9",
            transport=sandbox.transport(),
        ) as client,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(errors.InvalidRequestError) as caught:
            client.backbox.listings_bi(page_size=page_size)
    assert repr(page_size) in str(caught.value)
    assert "1 to 50" in str(caught.value)
    assert sandbox.requests == []


def test_listings_bi_async_limit(sandbox: Sandbox) -> None:
    fake = FakeTime(sandbox)

    async def read_all(url: str) -> int:
        count = 0
        async with AsyncBackMarketClient(
            token=sandbox.token,
            user_agent=USER_AGENT,
            base_url=url,
            max_retries=0,
            clock=fake.clock,
            sleep=fake.async_sleep,
        ) as client:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                pager = client.backbox.listings_bi()
            with pytest.raises(OperationLimitError) as caught:
                async for _ in pager:
                    count += 1
        assert "at most 100 listings an hour" in str(caught.value)
        return count

    with sandbox.serve() as server:
        assert asyncio.run(read_all(server.url)) == 100
