"""Multipart bodies: repeated parts, text fields and files, on both clients."""

from __future__ import annotations

import asyncio
from email.message import Message
from email.parser import BytesParser

from backmarket_sdk import BackMarketClient
from backmarket_sdk._http import MultipartPart, RequestSpec, build_request
from backmarket_sdk.models import Attachment
from backmarket_sdk.resources.buyback import counter_offer_spec
from backmarket_sdk.resources.care import message_spec, problem_spec
from tests.sdk.conftest import FakeTime, make_async_client
from tests.sdk.loopback import LoopbackServer

INVOICE_PATH = "/ws/orders/1/invoice"
PHOTO = Attachment("photo.jpg", b"\xff\xd8jpeg")
PROOF = Attachment("proof.pdf", b"%PDF-1.7")


def _parts(content_type: str, body: bytes) -> list[Message]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = BytesParser().parsebytes(head + body)
    payload = message.get_payload()
    assert isinstance(payload, list)
    return payload


def _spec_parts(client: BackMarketClient, spec: RequestSpec) -> list[Message]:
    request = build_request(client.config, spec)
    return _parts(request.headers["content-type"], request.read())


def _summary(parts: list[Message]) -> list[tuple[str | None, str | None, bytes]]:
    summary = []
    for part in parts:
        content = part.get_payload(decode=True)
        assert isinstance(content, bytes)
        summary.append(
            (
                part.get_param("name", header="content-disposition"),
                part.get_filename(),
                content,
            )
        )
    return summary


def test_repeated_names_kept(client: BackMarketClient) -> None:
    spec = message_spec(200000001, "Bonjour, c'est réparé", [PHOTO, PROOF])
    assert _summary(_spec_parts(client, spec)) == [
        ("message", None, "Bonjour, c'est réparé".encode()),
        ("attachment", "photo.jpg", b"\xff\xd8jpeg"),
        ("attachment", "proof.pdf", b"%PDF-1.7"),
    ]


def test_text_fields_typed_utf8(client: BackMarketClient) -> None:
    spec = problem_spec(200000001, "DAMAGED_PACKAGE", "Écran cassé", [PHOTO])
    parts = _spec_parts(client, spec)
    assert parts[0].get_content_type() == "text/plain"
    assert parts[0].get_content_charset() == "utf-8"
    assert parts[1].get_param("name", header="content-disposition") == "message"
    assert parts[2].get_content_type() == "image/jpeg"


def test_counter_offer_parts(client: BackMarketClient) -> None:
    spec = counter_offer_spec("GB-1-A", "89.5", ["scratch", "battery"], [PROOF], "ok")
    assert _summary(_spec_parts(client, spec)) == [
        ("price", None, b"89.5"),
        ("comment", None, b"ok"),
        ("reasons", None, b"scratch"),
        ("reasons", None, b"battery"),
        ("files", "proof.pdf", b"%PDF-1.7"),
    ]


def test_form_only_is_multipart(client: BackMarketClient) -> None:
    spec = RequestSpec("POST", INVOICE_PATH, form=[("note", "a"), ("note", "b")])
    request = build_request(client.config, spec)
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert _summary(_parts(request.headers["content-type"], request.read())) == [
        ("note", None, b"a"),
        ("note", None, b"b"),
    ]


def test_part_without_filename(client: BackMarketClient) -> None:
    spec = RequestSpec("POST", INVOICE_PATH, files=[MultipartPart("blob", b"\x00\x01")])
    parts = _spec_parts(client, spec)
    assert parts[0].get_filename() is None
    assert parts[0]["content-type"] is None
    assert parts[0].get_payload(decode=True) == b"\x00\x01"


def _invoice_spec() -> RequestSpec:
    return RequestSpec(
        "POST",
        INVOICE_PATH,
        form=[("kind", "invoice")],
        files=[
            MultipartPart("invoice", b"%PDF-1", "a.pdf", "application/pdf"),
            MultipartPart("invoice", b"%PDF-2", "b.pdf", "application/pdf"),
        ],
        retry="unprocessed",
    )


EXPECTED_INVOICE_PARTS = [
    ("kind", None, b"invoice"),
    ("invoice", "a.pdf", b"%PDF-1"),
    ("invoice", "b.pdf", b"%PDF-2"),
]


def test_sync_client_sends_parts(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    client.request(_invoice_spec())
    sent = server.api.requests_to("POST", INVOICE_PATH)[0]
    parts = _parts(sent.headers["content-type"], sent.body)
    assert _summary(parts) == EXPECTED_INVOICE_PARTS


def test_async_client_sends_parts(server: LoopbackServer, fake_time: FakeTime) -> None:
    async def run() -> None:
        async with make_async_client(server.url, fake_time) as client:
            await client.request(_invoice_spec())

    asyncio.run(run())
    sent = server.api.requests_to("POST", INVOICE_PATH)[0]
    parts = _parts(sent.headers["content-type"], sent.body)
    assert _summary(parts) == EXPECTED_INVOICE_PARTS
