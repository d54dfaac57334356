"""Hand-written, spec-shaped JSON objects for the loopback test server."""

from __future__ import annotations

import copy
from typing import Any

TOKEN = "tok-3f9c1a7e5b2d48e6a0c4"
USER_AGENT = "BM-Acme-Sync;ops@acme.example"

LISTING_UUID = "7a97a1b6-547e-4718-bc72-5b84aca91b09"


def address(first: str = "Ada", city: str = "Paris") -> dict[str, Any]:
    return {
        "id": 11,
        "firstName": first,
        "lastName": "Lovelace",
        "company": "",
        "street": "3 rue des Archives",
        "street2": "",
        "postalCode": "75003",
        "city": city,
        "state": "",
        "country": "FR",
        "phoneNumber": "+33639981234",
    }


def orderline(
    line_id: int, sku: str, state: int = 1, quantity: int = 1
) -> dict[str, Any]:
    return {
        "id": line_id,
        "date_creation": "2024-03-01T08:15:00.123456Z",
        "state": state,
        "price": "229.00",
        "shipping_price": "0.00",
        "shipping_delay": 48,
        "currency": "EUR",
        "return_reason": 0,
        "return_message": "",
        "listing": sku,
        "listing_id": 4567,
        "orderline_fee": "22.90",
        "product": "iPhone 13 128 GB - Blue - Unlocked",
        "quantity": quantity,
        "brand": "apple",
        "product_id": 141,
        "backcare": True,
        "backcare_price": 500,
        "sales_taxes": "38.17",
        "imei": "",
        "serial_number": "",
        "condition": 10,
    }


def order(
    order_id: int, state: int = 1, lines: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    if lines is None:
        lines = [orderline(order_id * 10 + 1, f"SKU-{order_id}")]
    return {
        "order_id": order_id,
        "shipping_address": address(),
        "billing_address": address(city="Lyon"),
        "delivery_note": "https://example.com/delivery_note/1.pdf",
        "expected_dispatch_date": "2024-03-03T12:00:00",
        "tracking_number": "",
        "tracking_url": "",
        "shipper_display": "",
        "is_backship": False,
        "date_creation": "2024-03-01T08:15:00.123456Z",
        "date_modification": "2024-03-01T09:00:00Z",
        "date_shipping": "",
        "date_payment": "2024-03-01T08:16:00.123Z",
        "state": state,
        "orderlines": lines,
        "price": "229.00",
        "shipping_price": "0.00",
        "currency": "EUR",
        "country_code": "fr-fr",
        "paypal_reference": None,
        "installment_payment": False,
        "payment_method": "CARD",
        "sales_taxes": "38.17",
    }


def varied_order(order_id: int) -> dict[str, Any]:
    """Return an order whose prices, times, names and towns depend on its id.

    The benchmark reads pages of these, so that the SDK parses distinct
    prices, times and names, as in a seller's real orders, rather than one
    order fifty times.
    """
    data = order(order_id)
    minute, second = divmod(order_id * 37 % 3600, 60)
    stamp = (
        f"2024-03-{order_id % 28 + 1:02d}T{order_id % 24:02d}:{minute:02d}:{second:02d}"
    )
    cents = 9_900 + order_id * 1_237 % 90_000
    price = f"{cents // 100}.{cents % 100:02d}"
    taxes = f"{cents // 600}.{cents % 6 * 15:02d}"
    data.update(
        date_creation=f"{stamp}.{order_id * 7919 % 1_000_000:06d}Z",
        date_modification=f"{stamp}Z",
        date_payment=f"{stamp}.{order_id % 1000:03d}Z",
        expected_dispatch_date=stamp,
        price=price,
        sales_taxes=taxes,
        shipping_address=address(f"Ada{order_id}", f"Paris {order_id % 20 + 1}"),
        billing_address=address(f"Ada{order_id}", f"Lyon {order_id % 9 + 1}"),
    )
    line = data["orderlines"][0]
    line.update(
        date_creation=data["date_creation"],
        price=price,
        sales_taxes=taxes,
        orderline_fee=f"{cents // 1000}.{cents % 100:02d}",
        listing_id=4000 + order_id,
        product_id=100 + order_id % 300,
        backcare_price=300 + order_id % 700,
    )
    return data


def listing(
    listing_id: int, sku: str, quantity: int = 12, price: str = "160.99"
) -> dict[str, Any]:
    return {
        "id": f"7a97a1b6-547e-4718-bc72-{listing_id:012d}",
        "listing_id": listing_id,
        "product_id": "6d4ad966-db97-4d88-b409-b28cc2a0f8c9",
        "backmarket_id": 42,
        "title": "iPhone 13 128 GB - Blue - Unlocked",
        "shippings": [
            {
                "shipping_price": "0.00",
                "shipping_delay": 24,
                "shipper": "UPS",
                "shipper_display": "UPS",
                "country_code": "fr-fr",
            }
        ],
        "state": 0,
        "grade": "EXCELLENT",
        "quantity": quantity,
        "currency": "EUR",
        "sku": sku,
        "publication_state": 2,
        "warranty_delay": 12,
        "price": price,
        "comment": None,
        "min_price": None,
        "max_price": "199.90",
        "new_battery": False,
    }


def category_tree() -> list[dict[str, Any]]:
    leaf = {
        "category_id": 3,
        "category_name": "iPhone",
        "marketplace_category_id": 123,
        "is_leaf": True,
        "attributes": [
            {
                "field": "color",
                "field_name": "Colour",
                "type": 3,
                "allowed_values": "Blue,Black",
                "required": True,
            }
        ],
        "childrens": [],
    }
    return [
        {
            "category_id": 1,
            "category_name": "Smartphones",
            "marketplace_category_id": 100,
            "is_leaf": False,
            "attributes": [],
            "childrens": [leaf],
        }
    ]


def copy_of(value: Any) -> Any:
    return copy.deepcopy(value)
