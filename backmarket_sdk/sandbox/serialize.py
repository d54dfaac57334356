"""Convert stored objects to the JSON shapes of the seller API."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from .records import GRADE_STATES, Address, Listing, Offer, Order, OrderLine


def money(amount: Decimal) -> str:
    """Format an amount as the decimal string the API sends."""
    return f"{amount:.2f}"


def date_micro(value: datetime) -> str:
    """Format as ``2022-04-29T09:35:24.123456Z``."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def date_milli(value: datetime) -> str:
    """Format as ``2022-04-29T09:35:24.123Z``."""
    utc = value.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def date_naive(value: datetime) -> str:
    """Format as ``2022-04-29T09:35:24`` (UTC, no zone), as some fields come."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def address(value: Address) -> dict[str, Any]:
    """Return the Address shape."""
    return {
        "id": value.id,
        "company": value.company,
        "firstName": value.first_name,
        "lastName": value.last_name,
        "street": value.street,
        "street2": value.street2,
        "postalCode": value.postal_code,
        "city": value.city,
        "state": value.state,
        "country": value.country,
        "phoneNumber": value.phone,
        "email": value.email,
    }


def orderline(line: OrderLine) -> dict[str, Any]:
    """Return the OrderLine shape."""
    fee = (line.price * line.quantity * Decimal("0.10")).quantize(Decimal("0.01"))
    payload: dict[str, Any] = {
        "id": line.id,
        "date_creation": date_micro(line.date_creation),
        "state": line.state,
        "price": money(line.price),
        "shipping_price": money(line.shipping_price),
        "shipping_delay": line.shipping_delay,
        "currency": line.currency,
        "return_message": line.return_message,
        "listing": line.listing.sku,
        "listing_id": line.listing.listing_id,
        "orderline_fee": money(fee),
        "product": line.listing.product.title,
        "quantity": line.quantity,
        "brand": line.listing.product.brand.lower(),
        "product_id": line.listing.product.backmarket_id,
        "backcare": line.backcare,
        "backcare_price": 500 if line.backcare else 0,
        "sales_taxes": "0.00",
        "imei": line.imei or "",
        "serial_number": line.serial_number or "",
    }
    if line.return_reason is not None:
        payload["return_reason"] = line.return_reason
    return payload


def order(value: Order) -> dict[str, Any]:
    """Return the Order shape."""
    total = sum((line.price * line.quantity for line in value.lines), Decimal(0))
    shipping = sum(
        (line.shipping_price * line.quantity for line in value.lines), Decimal(0)
    )
    payload: dict[str, Any] = {
        "order_id": value.order_id,
        "state": value.state,
        "country_code": value.market,
        "currency": value.currency,
        "price": money(total),
        "shipping_price": money(shipping),
        "sales_taxes": "0.00",
        "shipping_address": address(value.shipping_address),
        "billing_address": address(value.billing_address),
        "delivery_note": f"https://sandbox.invalid/delivery_note/{value.order_id}.pdf",
        "tracking_number": value.tracking_number,
        "tracking_url": value.tracking_url,
        "shipper": value.shipper,
        "shipper_display": value.shipper,
        "is_backship": value.is_backship,
        "date_creation": date_micro(value.date_creation),
        "date_modification": date_micro(value.date_modification),
        "paypal_reference": None,
        "installment_payment": False,
        "payment_method": value.payment_method,
        "orderlines": [orderline(line) for line in value.lines],
    }
    if value.date_payment is not None:
        payload["date_payment"] = date_milli(value.date_payment)
    if value.date_shipping is not None:
        payload["date_shipping"] = date_micro(value.date_shipping)
    if value.expected_dispatch_date is not None and value.state in (1, 3):
        payload["expected_dispatch_date"] = date_naive(value.expected_dispatch_date)
    return payload


def offer_for(listing: Listing, market: str) -> Offer:
    """Return the listing's offer on ``market``, else its first offer."""
    offer = listing.offers.get(market)
    if offer is None:
        offer = next(iter(listing.offers.values()))
    return offer


def listing(value: Listing, market: str) -> dict[str, Any]:
    """Return the ListingPublic shape as seen from ``market``."""
    offer = offer_for(value, market)
    return {
        "id": value.id,
        "listing_id": value.listing_id,
        "product_id": value.product.product_id,
        "backmarket_id": value.product.backmarket_id,
        "title": value.product.title,
        "sku": value.sku,
        "quantity": value.quantity,
        "price": money(offer.price),
        "currency": offer.currency,
        "max_price": money(offer.max_price),
        "min_price": None if offer.min_price is None else money(offer.min_price),
        "comment": offer.comment,
        "warranty_delay": offer.warranty_delay,
        "grade": value.grade,
        "state": GRADE_STATES[value.grade],
        "publication_state": value.publication_state(market),
        "shippings": [dict(offer.shippings[slot]) for slot in sorted(offer.shippings)],
    }


def listing_truth(value: Listing) -> dict[str, Any]:
    """Return a listing with every market's offer, for test assertions."""
    first_market = next(iter(value.offers))
    payload = listing(value, first_market)
    payload["markets"] = {
        code: {
            "price": money(offer.price),
            "currency": offer.currency,
            "max_price": money(offer.max_price),
            "min_price": None if offer.min_price is None else money(offer.min_price),
            "comment": offer.comment,
            "warranty_delay": offer.warranty_delay,
            "publication_state": value.publication_state(code),
        }
        for code, offer in value.offers.items()
    }
    return payload
