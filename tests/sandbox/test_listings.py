from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from backmarket_sdk.sandbox import ListingSeed, Sandbox, SandboxServer
from tests.sandbox.conftest import api_client, make_sandbox

PRODUCT = "6d4ad966-db97-4d88-b409-b28cc2a0f8c9"


@pytest.fixture
def sandbox() -> Sandbox:
    return make_sandbox(
        orders=0,
        listings=[
            ListingSeed(
                "Pixel-7-128-Black",
                "Pixel 7 - 128GB - Black",
                PRODUCT,
                5,
                Decimal("299.00"),
                markets=("fr-fr", "de-de", "en-gb"),
                max_price=Decimal("400.00"),
            ),
            ListingSeed(
                "IPHONE-13-GOOD",
                "iPhone 13 - 128GB",
                "0b6b1b2e-6b1e-4a4e-9d0e-5d1c3a0c0002",
                0,
                Decimal("420.00"),
                grade="GOOD",
            ),
            ListingSeed(
                "SWITCH-OLED",
                "Switch OLED",
                "0b6b1b2e-6b1e-4a4e-9d0e-5d1c3a0c0003",
                12,
                Decimal("250.00"),
                markets=("de-de",),
            ),
        ],
    )


def market_client(
    server: SandboxServer, sandbox: Sandbox, market: str, check: Any
) -> httpx.Client:
    return api_client(sandbox, check, server.url, market=market)


def listings(client: httpx.Client, check: Any, **params: Any) -> list[dict]:
    response = client.get("/ws/listings", params=params)
    body = check(response, "/ws/listings")
    assert response.status_code == 200
    return body["results"]


def test_list_by_market_and_currency(sandbox, server, check):
    with market_client(server, sandbox, "fr-fr", check) as fr:
        assert [item["sku"] for item in listings(fr, check)] == [
            "Pixel-7-128-Black",
            "IPHONE-13-GOOD",
        ]
    with market_client(server, sandbox, "en-gb", check) as gb:
        (pixel,) = listings(gb, check)
    assert pixel["currency"] == "GBP"
    assert pixel["price"] == "257.14"
    with market_client(server, sandbox, "de-de", check) as de:
        skus = {item["sku"]: item for item in listings(de, check)}
    assert set(skus) == {"Pixel-7-128-Black", "SWITCH-OLED"}
    assert skus["Pixel-7-128-Black"]["currency"] == "EUR"
    assert skus["Pixel-7-128-Black"]["grade"] == "EXCELLENT"
    assert skus["Pixel-7-128-Black"]["state"] == 0


def test_list_filters(client, check):
    online = listings(client, check, publication_state=2)
    assert [item["sku"] for item in online] == ["Pixel-7-128-Black"]
    offline = listings(client, check, publication_state=3)
    assert [item["sku"] for item in offline] == ["IPHONE-13-GOOD"]
    assert [i["sku"] for i in listings(client, check, min_quantity=1)] == [
        "Pixel-7-128-Black"
    ]
    assert [i["sku"] for i in listings(client, check, max_quantity=0)] == [
        "IPHONE-13-GOOD"
    ]
    bad = client.get("/ws/listings", params={"publication_state": 9})
    assert bad.status_code == 400


def test_detail_sku_case_insensitive(client, check, sandbox):
    response = client.get("/ws/listings/detail", params={"sku": "pixel-7-128-BLACK"})
    body = check(response, "/ws/listings/detail")
    assert body["sku"] == "Pixel-7-128-Black"
    assert body["statuscode"] == 200
    by_legacy = client.get(
        "/ws/listings/detail", params={"listing_id": body["listing_id"]}
    )
    assert check(by_legacy, "/ws/listings/detail")["id"] == body["id"]
    by_uuid = client.get(f"/ws/listings/{body['id']}")
    assert check(by_uuid, "/ws/listings/{listingId}")["sku"] == body["sku"]
    by_int = client.get(f"/ws/listings/{body['listing_id']}")
    assert check(by_int, "/ws/listings/{listingId}")["id"] == body["id"]
    missing = client.get("/ws/listings/detail", params={"sku": "nope"})
    check(missing, "/ws/listings/detail")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "listing-not-found"
    neither = client.get("/ws/listings/detail")
    check(neither, "/ws/listings/detail")
    assert neither.status_code == 400


def test_update_quantity_shared_price_per_market(sandbox, server, check):
    listing_id = sandbox.listing("Pixel-7-128-Black")["id"]
    with market_client(server, sandbox, "de-de", check) as de:
        response = de.post(
            f"/ws/listings/{listing_id}",
            json={
                "quantity": "7",
                "price": "279.90",
                "currency": "EUR",
                "comment": "Neu verpackt",
            },
        )
        body = check(response, "/ws/listings/{listingId}")
    assert response.status_code == 200
    assert body["quantity"] == 7
    assert body["price"] == "279.90"
    assert body["comment"] == "Neu verpackt"
    assert body["statuscode"] == 200
    truth = sandbox.listing("pixel-7-128-black")
    assert truth["quantity"] == 7
    assert truth["markets"]["de-de"]["price"] == "279.90"
    assert truth["markets"]["fr-fr"]["price"] == "299.00"
    assert truth["markets"]["fr-fr"]["comment"] is None
    assert truth["markets"]["en-gb"]["price"] == "257.14"


def test_update_legacy_id_and_warranty(sandbox, client, check):
    legacy = sandbox.listing("Pixel-7-128-Black")["listing_id"]
    response = client.post(f"/ws/listings/{legacy}", json={"warranty_delay": 24})
    body = check(response, "/ws/listings/{listingId}")
    assert body["warranty_delay"] == 24
    short = client.post(f"/ws/listings/{legacy}", json={"warranty_delay": 6})
    check(short, "/ws/listings/{listingId}")
    assert short.status_code == 400


def test_update_rejects_wrong_currency(sandbox, server, check):
    listing_id = sandbox.listing("Pixel-7-128-Black")["id"]
    with market_client(server, sandbox, "en-gb", check) as gb:
        response = gb.post(
            f"/ws/listings/{listing_id}", json={"price": "200", "currency": "EUR"}
        )
        check(response, "/ws/listings/{listingId}")
        assert response.status_code == 400
        assert "does not match the market en-gb" in response.json()
        fine = gb.post(
            f"/ws/listings/{listing_id}", json={"price": "200.00", "currency": "GBP"}
        )
        assert check(fine, "/ws/listings/{listingId}")["currency"] == "GBP"
    assert sandbox.listing("Pixel-7-128-Black")["markets"]["en-gb"]["price"] == "200.00"


def test_quantity_zero_goes_offline(sandbox, client, check):
    listing_id = sandbox.listing("Pixel-7-128-Black")["id"]
    response = client.post(f"/ws/listings/{listing_id}", json={"quantity": 0})
    assert check(response, "/ws/listings/{listingId}")["publication_state"] == 3
    response = client.post(f"/ws/listings/{listing_id}", json={"quantity": 3})
    assert check(response, "/ws/listings/{listingId}")["publication_state"] == 2


def test_price_above_max_goes_offline(sandbox, client, check):
    listing_id = sandbox.listing("Pixel-7-128-Black")["id"]
    response = client.post(f"/ws/listings/{listing_id}", json={"price": 450})
    body = check(response, "/ws/listings/{listingId}")
    assert body["price"] == "450.00"
    assert body["max_price"] == "400.00"
    assert body["publication_state"] == 3


def test_update_unknown_and_invalid(client, check, sandbox):
    missing = client.post("/ws/listings/999", json={"quantity": 1})
    check(missing, "/ws/listings/{listingId}")
    assert missing.status_code == 404
    listing_id = sandbox.listing("Pixel-7-128-Black")["id"]
    for payload in (
        {"quantity": -1},
        {"quantity": "many"},
        {"price": "abc"},
        {"comment": "x" * 501},
    ):
        response = client.post(f"/ws/listings/{listing_id}", json=payload)
        assert response.status_code == 400, payload
    assert sandbox.listing("Pixel-7-128-Black")["quantity"] == 5


def test_order_lowers_listed_stock(sandbox, client, check):
    sandbox.place_order("PIXEL-7-128-BLACK", quantity=2, market="en-gb")
    body = check(
        client.get("/ws/listings/detail", params={"sku": "Pixel-7-128-Black"}),
        "/ws/listings/detail",
    )
    assert body["quantity"] == 3


def test_category_tree_and_branch(client, check):
    response = client.get("/ws/category/tree")
    tree = check(response, "/ws/category/tree")
    assert [node["category_id"] for node in tree] == [1, 2, 3]
    leaf = tree[0]["childrens"][0]["childrens"][0]
    assert leaf["is_leaf"] is True
    assert leaf["attributes"]
    branch = client.get("/ws/category/tree/11")
    body = check(branch, "/ws/category/tree/{categoryId}")
    assert body["category_name"] == "Smartphones"
    assert [child["category_id"] for child in body["childrens"]] == [111, 112]
    missing = client.get("/ws/category/tree/999")
    check(missing, "/ws/category/tree/{categoryId}")
    assert missing.status_code == 404


def test_update_shipping_options(sandbox, client, check):
    listing_id = sandbox.listing("Pixel-7-128-Black")["id"]
    response = client.post(
        f"/ws/listings/{listing_id}",
        json={
            "shipper_1": "Colissimo",
            "shipping_price_1": "4.90",
            "shipping_delay_1": 48,
            "shipper_2": "DHL Express",
            "shipper_display_2": "DHL Express 24h",
            "shipping_price_2": 9.9,
            "shipping_delay_2": "24",
        },
    )
    body = check(response, "/ws/listings/{listingId}")
    assert body["shippings"] == [
        {
            "shipping_price": "4.90",
            "shipping_delay": 48,
            "shipper": "Colissimo",
            "shipper_display": "Colissimo",
            "country_code": "fr-fr",
        },
        {
            "shipping_price": "9.90",
            "shipping_delay": 24,
            "shipper": "DHL Express",
            "shipper_display": "DHL Express 24h",
            "country_code": "fr-fr",
        },
    ]
    assert body["shippings_response"] == [
        "shipping option 1 (Colissimo) saved for fr-fr",
        "shipping option 2 (DHL Express) saved for fr-fr",
    ]
    removed = client.post(f"/ws/listings/{listing_id}", json={"shipper_1": None})
    assert [
        s["shipper"] for s in check(removed, "/ws/listings/{listingId}")["shippings"]
    ] == ["DHL Express"]
    incomplete = client.post(f"/ws/listings/{listing_id}", json={"shipper_3": "UPS"})
    check(incomplete, "/ws/listings/{listingId}")
    assert incomplete.status_code == 400
    assert "shipping_price_3 and shipping_delay_3" in incomplete.json()


def test_update_rejects_unknown_field(sandbox, client, check):
    listing_id = sandbox.listing("Pixel-7-128-Black")["id"]
    response = client.post(f"/ws/listings/{listing_id}", json={"quantiy": 3})
    check(response, "/ws/listings/{listingId}")
    assert response.status_code == 400
    assert "unknown fields quantiy" in response.json()
