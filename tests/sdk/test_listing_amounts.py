"""Prices sent by ``listings.update()`` and ``listings.import_catalog()``."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from decimal import Decimal

import pytest

from backmarket_sdk import BackMarketClient, errors
from backmarket_sdk.models import ShippingOption
from tests.sdk.conftest import FakeTime, make_client
from tests.sdk.loopback import LoopbackServer

FLOAT_MESSAGE = (
    "pass a Decimal, an int or a decimal string such as '199.90', not a float"
)


def sent_catalog(server: LoopbackServer) -> list[dict[str, str]]:
    body = json.loads(server.api.requests_to("POST", "/ws/listings")[-1].body)
    return list(csv.DictReader(io.StringIO(body["catalog"], newline="")))


@pytest.mark.parametrize("price", [0, "0", Decimal("0.00"), "-1", Decimal("-0.01")])
def test_update_price_not_positive(
    server: LoopbackServer, client: BackMarketClient, price: object
) -> None:
    with pytest.raises(errors.InvalidRequestError, match="above 0"):
        client.listings.update(4561, price=price)  # type: ignore[arg-type]
    assert server.api.requests_to("POST", "/ws/listings/4561") == []


def test_update_price_positive(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    client.listings.update(4561, price=Decimal("1E-2"))
    body = json.loads(server.api.requests_to("POST", "/ws/listings/4561")[-1].body)
    assert body["price"] == "0.01"


@pytest.mark.parametrize("price", [0, "0", "0.00", Decimal("-5")])
def test_catalog_price_not_positive(
    server: LoopbackServer, client: BackMarketClient, price: object
) -> None:
    rows = [{"sku": "A", "price": "10.00"}, {"sku": "B", "price": price}]
    with pytest.raises(errors.InvalidRequestError) as caught:
        client.listings.import_catalog(rows)
    assert "Catalog row for sku 'B'" in str(caught.value)
    assert "above 0" in str(caught.value)
    assert server.api.requests_to("POST", "/ws/listings") == []


@pytest.mark.parametrize("price", [0.1 + 0.2, 1e-7, 9.5, float("nan")])
def test_catalog_float_price(
    server: LoopbackServer, client: BackMarketClient, price: float
) -> None:
    with pytest.raises(errors.InvalidRequestError) as caught:
        client.listings.import_catalog([{"sku": "A", "price": price}])
    with pytest.raises(errors.InvalidRequestError) as updated:
        client.listings.update(4561, price=price)  # type: ignore[arg-type]
    assert FLOAT_MESSAGE in str(caught.value)
    assert str(updated.value) in str(caught.value)
    assert server.api.log == []


@pytest.mark.parametrize(
    "column", ["min_price", "max_price", "shipping_price_1", "shipping_price_3"]
)
def test_catalog_float_amount_columns(client: BackMarketClient, column: str) -> None:
    with pytest.raises(errors.InvalidRequestError, match="not a float"):
        client.listings.import_catalog([{"sku": "A", column: 4.9}])


def test_catalog_amounts_sent_plain(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    rows = [
        {"sku": "A", "price": Decimal("1.5E+1"), "min_price": Decimal("1E+2")},
        {"sku": "B", "price": 12, "shipping_price_1": Decimal("5E-3")},
        {"sku": "C", "price": "199.90", "max_price": ""},
        {"sku": "D", "quantity": 0, "price": None},
    ]
    client.listings.import_catalog(rows)
    sent = sent_catalog(server)
    assert [(r["sku"], r["price"]) for r in sent] == [
        ("A", "15"),
        ("B", "12"),
        ("C", "199.90"),
        ("D", ""),
    ]
    assert sent[0]["min_price"] == "100"
    assert sent[1]["shipping_price_1"] == "0.005"


def test_catalog_other_float_plain(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    client.listings.import_catalog([{"sku": "A", "weight": 1e-7}])
    assert sent_catalog(server)[0]["weight"] == "0.0000001"


def test_catalog_bad_price_text(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    with pytest.raises(errors.InvalidRequestError, match=r"such as '199\.90'"):
        client.listings.import_catalog([{"sku": "A", "price": "299.90\nB,4,289.90"}])
    assert server.api.log == []


@pytest.mark.parametrize("price", ["0.001", Decimal("1E-7"), "0.004999"])
def test_update_price_below_one_cent(
    server: LoopbackServer, client: BackMarketClient, price: object
) -> None:
    with pytest.raises(errors.InvalidRequestError, match=r"at least 0\.01"):
        client.listings.update(4561, price=price)  # type: ignore[arg-type]
    assert server.api.requests_to("POST", "/ws/listings/4561") == []


def test_catalog_price_below_one_cent(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    rows = [{"sku": "A", "price": "10.00"}, {"sku": "B", "price": "0.001"}]
    with pytest.raises(errors.InvalidRequestError) as caught:
        client.listings.import_catalog(rows)
    assert "Catalog row for sku 'B'" in str(caught.value)
    assert "at least 0.01" in str(caught.value)
    assert server.api.requests_to("POST", "/ws/listings") == []


@pytest.fixture
def yen_client(
    server: LoopbackServer, fake_time: FakeTime
) -> Iterator[BackMarketClient]:
    with make_client(server.url, fake_time, market="ja-jp") as sdk:
        yield sdk


@pytest.mark.parametrize("price", ["0.5", "19800.5", Decimal("1999.99")])
def test_yen_price_fraction_rejected(
    server: LoopbackServer, yen_client: BackMarketClient, price: object
) -> None:
    with pytest.raises(errors.InvalidRequestError, match="whole number") as caught:
        yen_client.listings.update(4561, price=price)  # type: ignore[arg-type]
    assert repr(price) in str(caught.value)
    assert "JPY" in str(caught.value)
    assert server.api.requests_to("POST", "/ws/listings/4561") == []


@pytest.mark.parametrize(("price", "sent"), [("19800", "19800"), ("1.00", "1.00")])
def test_yen_price_whole_sent(
    server: LoopbackServer, yen_client: BackMarketClient, price: str, sent: str
) -> None:
    yen_client.listings.update(4561, price=price)
    [request] = server.api.requests_to("POST", "/ws/listings/4561")
    body = json.loads(request.body)
    assert body["price"] == sent
    assert body["currency"] == "JPY"


def test_yen_shipping_fraction_rejected(
    server: LoopbackServer, yen_client: BackMarketClient
) -> None:
    option = ShippingOption(
        shipper="DHL Express", price=Decimal("500.5"), delay_hours=48
    )
    with pytest.raises(errors.InvalidRequestError, match="shipping price 1"):
        yen_client.listings.update(4561, shippings=[option])
    assert server.api.requests_to("POST", "/ws/listings/4561") == []


def test_yen_catalog_fraction_rejected(
    server: LoopbackServer, yen_client: BackMarketClient
) -> None:
    rows = [{"sku": "A", "price": "19800"}, {"sku": "B", "price": "0.5"}]
    with pytest.raises(errors.InvalidRequestError) as caught:
        yen_client.listings.import_catalog(rows)
    assert "Catalog row for sku 'B'" in str(caught.value)
    assert "whole number" in str(caught.value)
    assert server.api.requests_to("POST", "/ws/listings") == []


def test_catalog_row_currency_checked(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    rows = [{"sku": "A", "price": "19800.5", "currency": "JPY"}]
    with pytest.raises(errors.InvalidRequestError, match="in JPY"):
        client.listings.import_catalog(rows)
    assert server.api.requests_to("POST", "/ws/listings") == []


def test_euro_price_cents_accepted(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    client.listings.update(4561, price="0.50")
    [request] = server.api.requests_to("POST", "/ws/listings/4561")
    assert json.loads(request.body)["price"] == "0.50"


@pytest.mark.parametrize("column", ["Price", " price", "PRICE "])
def test_catalog_price_column_any_case(
    server: LoopbackServer, client: BackMarketClient, column: str
) -> None:
    rows = [{"sku": "A", column: "0.004"}]
    with pytest.raises(errors.InvalidRequestError, match=r"at least 0\.01"):
        client.listings.import_catalog(rows)
    assert server.api.requests_to("POST", "/ws/listings") == []


def test_catalog_columns_differing_by_case(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    rows = [{"sku": "A", "QUANTITY": 3, "quantity": 0}]
    with pytest.raises(errors.InvalidRequestError) as caught:
        client.listings.import_catalog(rows)
    assert "'QUANTITY' and 'quantity'" in str(caught.value)
    assert server.api.requests_to("POST", "/ws/listings") == []


@pytest.mark.parametrize("currency", ["jpy", " JPY", "Jpy "])
def test_catalog_currency_spelling(
    server: LoopbackServer, client: BackMarketClient, currency: str
) -> None:
    rows = [{"sku": "A", "price": "0.4", "currency": currency}]
    with pytest.raises(errors.InvalidRequestError, match="in JPY"):
        client.listings.import_catalog(rows)
    assert server.api.requests_to("POST", "/ws/listings") == []


@pytest.mark.parametrize("price", ["٣٠٠", "３００", "1٠.00"])
def test_price_non_ascii_digits(
    server: LoopbackServer, client: BackMarketClient, price: str
) -> None:
    with pytest.raises(errors.InvalidRequestError, match="ASCII digits"):
        client.listings.update(4561, price=price)
    with pytest.raises(errors.InvalidRequestError, match="ASCII digits"):
        client.listings.import_catalog([{"sku": "A", "price": price}])
    assert server.api.log == []


@pytest.mark.parametrize("comment", ["Like new\x00", "\x1b[31mred", "tab\x7f"])
def test_comment_control_characters(
    server: LoopbackServer, client: BackMarketClient, comment: str
) -> None:
    with pytest.raises(errors.InvalidRequestError, match="a control character"):
        client.listings.update(4561, comment=comment)
    assert server.api.log == []


def test_comment_line_breaks_sent(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    client.listings.update(4561, comment="Like new.\nBox included.\tCharger too.")
    [request] = server.api.requests_to("POST", "/ws/listings/4561")
    body = json.loads(request.body)
    assert body["comment"] == "Like new.\nBox included.\tCharger too."


@pytest.mark.parametrize("quantity", [-3, "abc", "2.5", 1.5, "٣", True])
def test_catalog_quantity_checked(
    server: LoopbackServer, client: BackMarketClient, quantity: object
) -> None:
    with pytest.raises(errors.InvalidRequestError, match="invalid quantity"):
        client.listings.import_catalog([{"sku": "A", "quantity": quantity}])
    assert server.api.requests_to("POST", "/ws/listings") == []


def test_catalog_quantity_forms_sent(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    rows = [
        {"sku": "A", "Quantity": 7},
        {"sku": "B", "Quantity": " 12 "},
        {"sku": "C", "Quantity": ""},
    ]
    client.listings.import_catalog(rows)
    assert [row["Quantity"] for row in sent_catalog(server)] == ["7", "12", ""]


def test_comment_format_character(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    with pytest.raises(errors.InvalidRequestError, match="U\\+200B"):
        client.listings.update(4561, comment="Like\u200bnew")
    assert server.api.log == []
