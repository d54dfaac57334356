from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from backmarket_sdk import BackMarketClient, errors
from backmarket_sdk.models import (
    Listing,
    OrderLineState,
    OrderState,
    ShippingOption,
    TaskStatus,
)
from backmarket_sdk.resources.listings import MAX_CATALOG_LINES, build_catalog_chunks
from tests.sdk.conftest import FakeTime, make_client
from tests.sdk.loopback import LoopbackAPI, LoopbackServer, Reply

SHIPPED_AT = datetime(2024, 3, 2, 10, 30, tzinfo=timezone.utc)


def body_of(server: LoopbackServer, method: str, path: str) -> dict[str, object]:
    return json.loads(server.api.requests_to(method, path)[-1].body)  # type: ignore[no-any-return]


def test_headers_sent(server: LoopbackServer, client: BackMarketClient) -> None:
    client.orders.get(1)
    headers = server.api.log[0].headers
    assert headers["authorization"] == "Basic tok-3f9c1a7e5b2d48e6a0c4"
    assert headers["accept-language"] == "fr-fr"
    assert headers["accept"] == "application/json"
    assert headers["user-agent"] == "BM-Acme-Sync;ops@acme.example"


def test_orders_get(client: BackMarketClient) -> None:
    order = client.orders.get(2)
    assert order.order_id == 2
    assert order.orderlines[0].listing == "SKU-2"


def test_orders_accept_line(server: LoopbackServer, client: BackMarketClient) -> None:
    order = client.orders.accept_line(1, "SKU-1")
    assert order.orderlines[0].state is OrderLineState.ACCEPTED
    assert order.state is OrderState.ACCEPTED
    assert body_of(server, "POST", "/ws/orders/1") == {
        "order_id": 1,
        "new_state": 2,
        "sku": "SKU-1",
    }


def test_orders_cancel_line(server: LoopbackServer, client: BackMarketClient) -> None:
    order = client.orders.cancel_line(3, "SKU-3")
    assert order.orderlines[0].state is OrderLineState.CANCELLED
    assert body_of(server, "POST", "/ws/orders/3")["new_state"] == 4


def test_orders_ship_full(server: LoopbackServer, client: BackMarketClient) -> None:
    order = client.orders.ship(
        2,
        tracking_number=" 1Z 999 AA1 ",
        shipper="colissimo",
        tracking_url="https://tracking.example/1Z999AA1",
        date_shipping=SHIPPED_AT,
        serial_number="SN-ABC123",
    )
    assert order.state is OrderState.SHIPPED
    assert body_of(server, "POST", "/ws/orders/2") == {
        "order_id": 2,
        "new_state": 3,
        "tracking_number": "1Z999AA1",
        "shipper": "Colissimo",
        "tracking_url": "https://tracking.example/1Z999AA1",
        "date_shipping": "2024-03-02T10:30:00Z",
        "serial_number": "SN-ABC123",
    }


def test_ship_imei_needs_single_unit(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    server.api.orders[1]["orderlines"][0]["quantity"] = 2
    with pytest.raises(errors.InvalidRequestError, match="one orderline of quantity 1"):
        client.orders.ship(1, tracking_number="1Z", imei="011415009346880")
    assert server.api.requests_to("POST", "/ws/orders/1") == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tracking_number": "   "}, "Missing tracking_number"),
        ({"tracking_number": "1Z", "shipper": "Colisimo"}, "Did you mean 'Colissimo'"),
        ({"tracking_number": "1Z", "imei": "12345"}, "exactly 15 digits"),
        ({"tracking_number": "1Z", "imei": "01141500934688A"}, "exactly 15 digits"),
        ({"tracking_number": "1Z", "tracking_url": "ftp://x"}, "http"),
        (
            {"tracking_number": "1Z", "date_shipping": datetime(2024, 3, 2)},
            "no time zone",
        ),
        ({"tracking_number": "x" * 201}, "at most 200"),
    ],
)
def test_ship_rejected_locally(
    server: LoopbackServer,
    client: BackMarketClient,
    options: dict[str, object],
    message: str,
) -> None:
    with pytest.raises(errors.InvalidRequestError, match=message):
        client.orders.ship(1, **options)  # type: ignore[arg-type]
    assert server.api.log == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.orders.get(0), "Invalid order_id 0"),
        (lambda c: c.orders.accept_line(1, " "), "Invalid sku"),
        (lambda c: c.orders.list(state=5), "Invalid order state 5"),
        (lambda c: c.orders.list(country_code="FR"), "Invalid country_code 'FR'"),
        (lambda c: c.orderlines.update(1), "Nothing to update"),
        (lambda c: c.orderlines.update(1, imei="1234"), "exactly 15 digits"),
        (lambda c: c.orderlines.update(1, serial_number="s" * 51), "at most 50"),
        (lambda c: c.listings.get("not-a-uuid"), "Invalid listing_id"),
        (lambda c: c.listings.update(4561), "Nothing to update"),
        (lambda c: c.listings.update(4561, quantity=-1), "Invalid quantity -1"),
        (lambda c: c.listings.update(4561, price=9.99), "not a float"),
        (
            lambda c: c.listings.update(4561, price=Decimal("9.99"), currency="USD"),
            "Invalid currency 'USD' for market 'fr-fr'",
        ),
        (lambda c: c.listings.update(4561, warranty_delay=6), "at least 12"),
        (lambda c: c.listings.update(4561, comment="c" * 501), "at most 500"),
        (lambda c: c.listings.list(publication_state=9), "Invalid publication_state"),
        (lambda c: c.listings.list(min_quantity=5, max_quantity=1), "min_quantity 5"),
        (lambda c: c.listings.import_catalog([]), "Empty catalog"),
        (lambda c: c.listings.import_catalog([{"price": 1}]), "non-empty 'sku'"),
        (
            lambda c: c.listings.import_catalog([{"sku": "a"}, {"sku": "A"}]),
            "Duplicate sku 'A'",
        ),
        (
            lambda c: c.listings.import_catalog([{"sku": "a"}], delimiter=";;"),
            "delimiter",
        ),
        (
            lambda c: c.listings.import_catalog([{"sku": "a"}], encoding="nope"),
            "encoding",
        ),
        (lambda c: c.tasks.wait(1, poll_interval=0), "poll_interval"),
        (lambda c: c.categories.get(-3), "Invalid category_id"),
        (lambda c: c.orders.upload_invoice(1, b"", "a.pdf"), "invoice content"),
    ],
)
def test_rejected_before_request(
    server: LoopbackServer, client: BackMarketClient, call: object, message: str
) -> None:
    with pytest.raises(errors.InvalidRequestError, match=message):
        list(call(client) or [])  # type: ignore[operator]
    assert server.api.log == []


def test_upload_invoice_multipart(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    assert client.orders.upload_invoice(1, b"%PDF-1.7 invoice", "INV-1.pdf") is None
    sent = server.api.requests_to("POST", "/ws/orders/1/invoice")[0]
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="invoice"; filename="INV-1.pdf"' in sent.body
    assert b"%PDF-1.7 invoice" in sent.body


def test_orderlines_update(server: LoopbackServer, client: BackMarketClient) -> None:
    result = client.orderlines.update(11, imei="011415009346880", serial_number="SN-1")
    assert result.imei == "011415009346880"
    assert result.serial_number == "SN-1"
    assert server.api.requests_to("PATCH", "/ws/orderlines/11")[0].method == "PATCH"


def test_listings_get_by_uuid_and_int(client: BackMarketClient) -> None:
    by_int = client.listings.get(4561)
    by_uuid = client.listings.get(by_int.id.upper())
    assert by_uuid == by_int
    assert by_int.sku == "SKU-1"


def test_listings_get_by_sku(server: LoopbackServer, client: BackMarketClient) -> None:
    listing = client.listings.get_by_sku("sku-2")
    assert listing.sku == "SKU-2"
    assert listing.extra == {"statuscode": 200}
    assert server.api.log[0].query == {"sku": "sku-2"}


def test_listings_list(client: BackMarketClient) -> None:
    listings = list(client.listings.list(min_quantity=0, max_quantity=100))
    assert [item.sku for item in listings] == ["SKU-1", "SKU-2", "SKU-3"]
    assert all(isinstance(item, Listing) for item in listings)


def test_listings_update(server: LoopbackServer, client: BackMarketClient) -> None:
    shipping = ShippingOption(shipper="UPS", price=Decimal("4.90"), delay_hours=24)
    listing = client.listings.update(
        4562,
        quantity=0,
        price=Decimal("149.90"),
        comment="Like new",
        warranty_delay=24,
        shippings=[shipping],
    )
    assert listing.quantity == 0
    assert listing.price == Decimal("149.90")
    assert body_of(server, "POST", "/ws/listings/4562") == {
        "quantity": 0,
        "price": "149.90",
        "currency": "EUR",
        "comment": "Like new",
        "warranty_delay": 24,
        "shipper_1": "UPS",
        "shipping_price_1": "4.90",
        "shipping_delay_1": 24,
    }


def test_listings_update_other_market(
    server: LoopbackServer, fake_time: FakeTime
) -> None:
    with make_client(server.url, fake_time, market="en-gb") as client:
        client.listings.update(4561, price="99", currency="GBP")
    assert body_of(server, "POST", "/ws/listings/4561") == {
        "price": "99",
        "currency": "GBP",
    }
    assert server.api.log[0].headers["accept-language"] == "en-gb"


def test_import_catalog_and_wait(
    server: LoopbackServer, client: BackMarketClient, fake_time: FakeTime
) -> None:
    rows = [
        {
            "sku": "A,1",
            "product_id": "6d4ad966-db97-4d88-b409-b28cc2a0f8c9",
            "quantity": 3,
        },
        {"sku": 'B "quoted"', "ean": "0190199098466", "price": Decimal("10.50")},
    ]
    task_ids = client.listings.import_catalog(rows)
    assert task_ids == [1001]
    sent = body_of(server, "POST", "/ws/listings")
    assert sent["delimiter"] == ","
    assert sent["quotechar"] == '"'
    assert sent["encoding"] == "utf-8"
    task = client.tasks.wait(1001, poll_interval=5)
    assert task.status is TaskStatus.DONE
    assert task.result == {"A,1": {"status": "OK"}, 'B "quoted"': {"status": "OK"}}
    assert fake_time.sleeps == [5, 5]


def test_task_wait_times_out(client: BackMarketClient, fake_time: FakeTime) -> None:
    client.listings.import_catalog([{"sku": "A"}])
    with pytest.raises(errors.TaskTimeoutError, match="still TODO") as caught:
        client.tasks.wait(1001, timeout=0)
    assert caught.value.task.task_id == 1001
    assert fake_time.sleeps == []


def test_task_get(client: BackMarketClient) -> None:
    client.listings.import_catalog([{"sku": "A"}])
    task = client.tasks.get(1001)
    assert task.task_id == 1001
    assert task.status is TaskStatus.TODO


def test_categories(client: BackMarketClient) -> None:
    tree = client.categories.tree()
    branch = client.categories.get(3)
    assert tree[0].category_name == "Smartphones"
    assert branch.is_leaf is True
    assert branch.marketplace_category_id == 123


def test_not_found_raises(client: BackMarketClient) -> None:
    with pytest.raises(errors.NotFoundError, match="Listing not found"):
        client.listings.get_by_sku("missing")


def test_catalog_quoting_round_trips() -> None:
    rows = [
        {"sku": "S1", "comment": 'He said "hi", then left', "price": Decimal("1.10")},
        {"sku": "S2", "comment": "line one\nline two", "price": None},
        {"sku": "S3", "new_battery": True},
    ]
    (text,) = build_catalog_chunks(rows, delimiter=";", quotechar="'")
    parsed = list(csv.DictReader(io.StringIO(text), delimiter=";", quotechar="'"))
    assert [row["sku"] for row in parsed] == ["S1", "S2", "S3"]
    assert parsed[0]["comment"] == 'He said "hi", then left'
    assert parsed[1]["comment"] == "line one\nline two"
    assert parsed[0]["price"] == "1.10"
    assert parsed[1]["price"] == ""
    assert parsed[2]["new_battery"] == "true"
    assert text.splitlines()[0] == "sku;comment;price;new_battery"


def test_catalog_chunked_at_limit() -> None:
    rows = [{"sku": f"SKU-{n}", "quantity": n} for n in range(2 * MAX_CATALOG_LINES)]
    chunks = build_catalog_chunks(rows)
    lines = [chunk.count("\n") + 1 for chunk in chunks]
    assert lines == [MAX_CATALOG_LINES, MAX_CATALOG_LINES, 3]
    assert all(chunk.startswith("sku,quantity\n") for chunk in chunks)
    data_rows = sum(n - 1 for n in lines)
    assert data_rows == len(rows)


def test_import_failure_keeps_created_tasks(fake_time: FakeTime) -> None:
    rows = [{"sku": f"SKU-{n}"} for n in range(2 * MAX_CATALOG_LINES)]
    api = LoopbackAPI()
    # The first catalog becomes a task; the second is refused for good.
    api.script(
        "POST",
        "/ws/listings",
        Reply(200, None, passthrough=True),
        Reply(400, "parameter catalog not found"),
    )
    with (
        LoopbackServer(api) as server,
        make_client(server.url, fake_time) as client,
        pytest.raises(errors.ValidationError) as caught,
    ):
        client.listings.import_catalog(rows)
    assert caught.value.created_task_ids == (1001,)
    assert len(api.requests_to("POST", "/ws/listings")) == 2


def test_import_sends_one_task_per_chunk(fake_time: FakeTime) -> None:
    rows = [{"sku": f"SKU-{n}"} for n in range(MAX_CATALOG_LINES + 5)]
    with LoopbackServer(LoopbackAPI()) as server:
        with make_client(server.url, fake_time) as client:
            assert client.listings.import_catalog(rows) == [1001, 1002]
        sent = server.api.requests_to("POST", "/ws/listings")
    assert len(sent) == 2
