"""Which SDK method sends each operation of the published seller API.

Keys are ``(HTTP method, path template)`` as Back Market's OpenAPI
description writes them; values name the methods of ``BackMarketClient``
(and of ``AsyncBackMarketClient``, which has the same names) as
``resource.method``. The contract tests walk the description and check that
every operation is listed here and that each named method exists.
"""

from __future__ import annotations

from collections.abc import Mapping

OPERATIONS: Mapping[tuple[str, str], tuple[str, ...]] = {
    # Catalog, listings and tasks.
    ("GET", "/ws/category/tree"): ("categories.tree",),
    ("GET", "/ws/category/tree/{categoryId}"): ("categories.get",),
    ("GET", "/ws/listings"): ("listings.list",),
    ("POST", "/ws/listings"): ("listings.import_catalog",),
    ("GET", "/ws/listings/{listingId}"): ("listings.get",),
    ("POST", "/ws/listings/{listingId}"): ("listings.update",),
    ("GET", "/ws/listings/detail"): ("listings.get_by_sku",),
    ("GET", "/ws/tasks/{taskId}"): ("tasks.get", "tasks.wait"),
    # Orders.
    ("GET", "/ws/orders"): ("orders.list",),
    ("GET", "/ws/orders/{order_id}"): ("orders.get",),
    ("POST", "/ws/orders/{order_id}"): (
        "orders.accept_line",
        "orders.cancel_line",
        "orders.ship",
    ),
    ("POST", "/ws/orders/{order_id}/invoice"): ("orders.upload_invoice",),
    ("PATCH", "/ws/orderlines/{orderline_id}"): ("orderlines.update",),
    # BuyBack.
    ("GET", "/ws/buyback/v1/orders"): ("buyback.list_orders",),
    ("GET", "/ws/buyback/v1/orders/pending-reply"): ("buyback.list_pending_reply",),
    ("GET", "/ws/buyback/v1/orders/suspend-reasons"): ("buyback.suspend_reasons",),
    ("GET", "/ws/buyback/v1/orders/{buybackOrderId}"): ("buyback.get_order",),
    ("GET", "/ws/buyback/v1/orders/{buybackOrderId}/messages"): (
        "buyback.list_messages",
    ),
    ("POST", "/ws/buyback/v1/orders/{buybackOrderId}/messages"): (
        "buyback.post_message",
    ),
    ("PUT", "/ws/buyback/v1/orders/{buybackOrderId}/suspend"): ("buyback.suspend",),
    ("PUT", "/ws/buyback/v1/orders/{buybackOrderId}/validate"): ("buyback.validate",),
    ("GET", "/ws/buyback/v1/orders/{buybackOrderId}/counter-offers/reasons"): (
        "buyback.counter_offer_reasons",
    ),
    ("PUT", "/ws/buyback/v2/orders/{buybackOrderId}/counter-offers"): (
        "buyback.counter_offer",
    ),
    ("GET", "/ws/buyback/v1/listings"): ("buyback.list_listings",),
    ("GET", "/ws/buyback/v1/listings/{buybackListingId}"): ("buyback.get_listing",),
    ("PUT", "/ws/buyback/v1/listings/{buybackListingId}"): ("buyback.update_listing",),
    ("GET", "/ws/buyback/v1/competitors/{listingId}"): ("buyback.competitors",),
    # BackShip.
    ("GET", "/ws/shipping/v1/deliveries"): ("backship.list_deliveries",),
    ("GET", "/ws/shipping/v1/returns"): ("backship.list_returns",),
    ("GET", "/ws/shipping/v1/deliveries/{id}"): ("backship.get_delivery",),
    ("GET", "/ws/shipping/v1/returns/{id}"): ("backship.get_return",),
    # Care (after-sales).
    ("GET", "/ws/sav"): ("care.list",),
    ("GET", "/ws/sav/{careFolderId}"): ("care.get",),
    ("POST", "/ws/sav/{careFolderId}/problem"): ("care.declare_problem",),
    ("POST", "/ws/sav/refund"): ("care.refund",),
    ("POST", "/ws/sav/{careFolderId}/msg"): ("care.post_message",),
    ("POST", "/ws/sav/{careFolderId}/item-transfer"): ("care.transfer_item",),
    # BackBox.
    ("GET", "/ws/listings_bi"): ("backbox.listings_bi",),
    ("GET", "/ws/backbox/v1/competitors/{listingId}"): ("backbox.competitors",),
}
"""SDK methods per ``(method, path)`` operation of the seller API."""

DEPRECATED_OPERATIONS = frozenset({("GET", "/ws/listings_bi")})
"""Operations Back Market deprecates; their SDK methods warn when called."""
