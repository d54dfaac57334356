"""Calls rejected before any request, each with a message naming the value."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest

from backmarket_sdk import BackMarketClient, errors
from backmarket_sdk.models import Attachment, Delivery, MonetaryAmount
from backmarket_sdk.resources.care import (
    MAX_ATTACHMENT_BYTES,
    format_care_date,
    list_params,
)
from tests.sdk_extra.harness import USER_AGENT

FOLDER = 100_300_165
LEGACY_FOLDER = 4_200_671
LISTING = "7e1f4a8d-b1bb-47aa-9f77-2cca759eb41b"
PHOTO = Attachment("photo.jpg", b"jpeg")


def refuse_all(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no request may be sent, got {request.method} {request.url}")


@pytest.fixture
def client() -> Iterator[BackMarketClient]:
    with BackMarketClient(
        token="inputs-token",
        user_agent=USER_AGENT,
        base_url="http://127.0.0.1:9",
        transport=httpx.MockTransport(refuse_all),
    ) as sdk:
        yield sdk


CASES: list[tuple[str, Callable[[BackMarketClient], Any], str]] = [
    (
        "care naive date",
        lambda c: c.care.list(last_message_date=datetime(2026, 1, 1)),
        "no time zone",
    ),
    ("care bad state", lambda c: c.care.list(state=3), "0 (open) or 9 (closed)"),
    ("care negative last_id", lambda c: c.care.list(last_id=-1), "last_id"),
    ("care folder id", lambda c: c.care.get(0), "folder_id"),
    (
        "problem type",
        lambda c: c.care.declare_problem(FOLDER, "BROKEN"),
        "problem_type",
    ),
    (
        "problem needs file",
        lambda c: c.care.declare_problem(FOLDER, "OOW_ITEM"),
        "at least one file",
    ),
    (
        "legacy problem",
        lambda c: c.care.declare_problem(
            LEGACY_FOLDER, "WRONG_ITEM", attachments=[PHOTO]
        ),
        "OTHER",
    ),
    (
        "file too large",
        lambda c: c.care.post_message(
            FOLDER,
            "hi",
            attachments=[Attachment("big.pdf", b"x" * (MAX_ATTACHMENT_BYTES + 1))],
        ),
        "3 MB",
    ),
    (
        "too many files",
        lambda c: c.care.post_message(FOLDER, "hi", attachments=[PHOTO] * 11),
        "at most 10",
    ),
    (
        "not an attachment",
        lambda c: c.care.post_message(FOLDER, "hi", attachments=[b"raw"]),
        "Attachment",
    ),
    ("blank message", lambda c: c.care.post_message(FOLDER, "  "), "message"),
    ("refund type", lambda c: c.care.refund(12, 3), "refund_type"),
    (
        "refund amount type",
        lambda c: c.care.refund(12, 4, amount="5"),
        "only refund_type 6",
    ),
    ("refund float", lambda c: c.care.refund(12, 6, amount=5.5), "not a float"),  # type: ignore[arg-type]
    ("refund zero", lambda c: c.care.refund(12, 6, amount="0"), "above 0"),
    (
        "transfer action",
        lambda c: c.care.transfer_item(
            LEGACY_FOLDER, shipper_name="DHL", tracking_number="1", action="BURN"
        ),
        "REPAIR, REPLACE or NOTHING",
    ),
    (
        "backship state",
        lambda c: c.backship.list_deliveries(order_state=10),
        "order_state",
    ),
    (
        "backship scanned",
        lambda c: c.backship.list_returns(hub_scanned="yes"),
        "hub_scanned",
    ),  # type: ignore[arg-type]
    (
        "backship range",
        lambda c: c.backship.list_deliveries(
            start_date=datetime(2026, 2, 1, tzinfo=timezone.utc),
            end_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
        ),
        "after end_date",
    ),
    ("backship id", lambda c: c.backship.get_return(-4), "return_id"),
    ("buyback status", lambda c: c.buyback.list_orders(status="LOST"), "status"),
    ("buyback product", lambda c: c.buyback.list_orders(product_id=0), "product_id"),
    (
        "buyback date",
        lambda c: c.buyback.list_orders(creation_date="2020-12-02"),
        "date",
    ),  # type: ignore[arg-type]
    ("buyback order id", lambda c: c.buyback.get_order("FR/1"), "public id"),
    ("suspend no reason", lambda c: c.buyback.suspend("FR-1-A", []), "non-empty list"),
    (
        "counter-offer no file",
        lambda c: c.buyback.counter_offer("FR-1-A", price="9", reasons=["x"], files=[]),
        "at least one photo",
    ),
    (
        "counter-offer comment",
        lambda c: c.buyback.counter_offer(
            "FR-1-A", price="9", reasons=["x"], files=[PHOTO], comment="x" * 201
        ),
        "at most 200",
    ),
    ("listing page size", lambda c: c.buyback.list_listings(page_size=101), "1 to 100"),
    ("listing uuid", lambda c: c.buyback.get_listing("42"), "UUID"),
    (
        "prices market",
        lambda c: c.buyback.update_listing(LISTING, {"France": 1}),
        "two-letter",
    ),
    (
        "prices currency",
        lambda c: c.buyback.update_listing(LISTING, {"FI": 1}),
        "MonetaryAmount",
    ),
    (
        "prices decimals",
        lambda c: c.buyback.update_listing(LISTING, {"FR": "1.234"}),
        "decimal places",
    ),
    ("prices empty", lambda c: c.buyback.update_listing(LISTING, {}), "mapping"),
    ("competitors uuid", lambda c: c.backbox.competitors("SKU-1"), "UUID"),
    ("listings_bi size", lambda c: c.backbox.listings_bi(page_size=0), "page_size"),
]


@pytest.mark.parametrize(("case", "call", "expected"), CASES, ids=[c[0] for c in CASES])
def test_inputs_rejected(
    client: BackMarketClient,
    case: str,
    call: Callable[[BackMarketClient], Any],
    expected: str,
) -> None:
    expect_warning = "listings_bi" in case
    warned = pytest.warns(DeprecationWarning) if expect_warning else nullcontext()
    with warned, pytest.raises(errors.InvalidRequestError) as rejected:
        call(client)
    assert expected in str(rejected.value)


def test_care_date_format() -> None:
    moment = datetime(2026, 3, 4, 5, 6, 59, tzinfo=timezone.utc)
    assert format_care_date("d", moment) == "2026-03-04-05-06"
    paris = datetime.fromisoformat("2026-03-04T06:06:00+01:00")
    assert format_care_date("d", paris) == "2026-03-04-05-06"


def test_care_list_params() -> None:
    params = list_params(
        state=9,
        orderline_id=321,
        last_id=123,
        last_modification_date=datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc),
        last_message_date=None,
    )
    assert params == {
        "state": 9,
        "orderline": 321,
        "last_id": 123,
        "last_modification_date": "2026-01-02-03-04",
    }


def test_update_listing_body(client: BackMarketClient) -> None:
    from backmarket_sdk.resources.buyback import listing_prices_body

    body = listing_prices_body(
        {
            "fr": Decimal("34.5"),
            "GB": "29.90",
            "FI": MonetaryAmount(Decimal("31"), "EUR"),
        }
    )
    assert body == {
        "prices": {
            "FR": {"amount": "34.5", "currency": "EUR"},
            "GB": {"amount": "29.90", "currency": "GBP"},
            "FI": {"amount": "31", "currency": "EUR"},
        }
    }


def test_buyback_date_filters() -> None:
    from backmarket_sdk.resources.buyback import order_list_params

    params = order_list_params(
        status="received",
        product_id=7,
        dates={
            "creation_date": date(2020, 12, 2),
            "payment_date": datetime(2021, 1, 1, 8, tzinfo=timezone.utc),
        },
    )
    assert params == {
        "status": "RECEIVED",
        "productId": 7,
        "creationDate": "2020-12-02",
        "paymentDate": "2021-01-01T08:00:00Z",
    }


def test_label_url_absolute_kept(client: BackMarketClient) -> None:
    delivery = Delivery(
        order=1, shipment_id=2, label_url="https://labels.example/x.pdf"
    )
    assert client.backship.label_url(delivery) == "https://labels.example/x.pdf"


def test_label_url_missing(client: BackMarketClient) -> None:
    with pytest.raises(errors.InvalidRequestError) as missing:
        client.backship.label_url(Delivery(order=1, shipment_id=2))
    assert "no label yet" in str(missing.value)


def test_care_null_text_link_ends() -> None:
    pages = {
        "1": {
            "count": 1,
            "next": "http://127.0.0.1:9/ws/sav?page=2",
            "results": [{"id": 5}],
        },
        "2": {"count": 1, "next": "null", "previous": "null", "results": [{"id": 6}]},
    }
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        page = request.url.params.get("page", "1")
        sent.append(page)
        return httpx.Response(200, json=pages[page])

    with BackMarketClient(
        token="inputs-token",
        user_agent=USER_AGENT,
        base_url="http://127.0.0.1:9",
        transport=httpx.MockTransport(answer),
    ) as client:
        folders = list(client.care.list())
    assert [folder.id for folder in folders] == [5, 6]
    assert sent == ["1", "2"]
