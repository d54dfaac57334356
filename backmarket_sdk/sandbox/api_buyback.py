"""Handlers of the BuyBack routes: trade-in orders, messages, listings."""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .aftersales import (
    AftersalesState,
    BuybackListingRecord,
    BuybackMessageRecord,
    BuybackOrderRecord,
    ProblemError,
    empty_response,
    form_parts,
    iso,
    json_object,
    state_for,
    validation_member,
)
from .messages import SandboxResponse, json_response
from .pages import paginate
from .seed_aftersales import COUNTER_OFFER_REASONS, SUSPEND_REASONS

if TYPE_CHECKING:
    from .router import RouteContext

ORDER_STATUSES = (
    "NEW",
    "PENDING",
    "TO_SEND",
    "SENT",
    "RECEIVED",
    "COUNTER_PROPOSAL",
    "VALIDATED",
    "PAID",
    "MONEY_TRANSFERED",
    "SUSPENDED",
)
# Statuses in which the seller decides: validate, suspend or counter-offer.
DECIDABLE = ("RECEIVED",)
DATE_FILTERS = (
    ("creationDate", "creation_date"),
    ("modificationDate", "modification_date"),
    ("shippingDate", "shipping_date"),
    ("receivedDate", "receival_date"),
    ("suspendedDate", "suspension_date"),
    ("paymentDate", "payment_date"),
)
MAX_LISTING_PAGE = 100
AMOUNT_RE = re.compile(r"^\d*(\.\d*)?$")
MARKET_CURRENCIES = {"FR": "EUR", "DE": "EUR", "ES": "EUR", "IT": "EUR", "GB": "GBP"}
COUNTER_OFFER_IDS = {
    reason for _, _, reasons in COUNTER_OFFER_REASONS for reason, _ in reasons
}


def _money(value: Decimal, currency: str) -> dict[str, Any]:
    return {"value": float(value), "currency": currency}


def _reason(identifier: str) -> dict[str, str]:
    for reason, message, category in SUSPEND_REASONS:
        if reason == identifier:
            return {"identifier": reason, "message": message, "category": category}
    for _, label, reasons in COUNTER_OFFER_REASONS:
        for reason, text in reasons:
            if reason == identifier:
                return {"identifier": reason, "message": text, "category": label}
    return {"identifier": identifier, "message": identifier}


def order_json(order: BuybackOrderRecord) -> dict[str, Any]:
    """Return a BuyBack order as the API shows it."""
    payload: dict[str, Any] = {
        "orderPublicId": order.public_id,
        "creationDate": iso(order.creation_date),
        "modificationDate": iso(order.modification_date),
        # The API requires a shipping date; before shipping it is the empty string.
        "shippingDate": iso(order.shipping_date) if order.shipping_date else "",
        "status": order.status,
        "market": order.market,
        "transferCertificateLink": (
            f"https://documents.sandbox.invalid/{order.public_id}/certificate.pdf"
        ),
        "listing": {
            "sku": order.sku,
            "productId": order.product_id,
            "title": order.title,
            "grade": order.grade,
        },
        "customer": order.customer,
        "returnAddress": order.return_address,
        "originalPrice": _money(order.original_price, order.currency),
        "suspendReasons": [_reason(r) for r in order.suspend_reasons],
        "counterOfferReasons": [_reason(r) for r in order.counter_offer_reasons],
    }
    for key, value in (
        ("suspensionDate", order.suspension_date),
        ("receivalDate", order.receival_date),
        ("paymentDate", order.payment_date),
        ("counterProposalDate", order.counter_proposal_date),
    ):
        if value is not None:
            payload[key] = iso(value)
    if order.counter_offer_price is not None:
        payload["counterOfferPrice"] = _money(order.counter_offer_price, order.currency)
    if order.tracking_number:
        payload["trackingNumber"] = order.tracking_number
        payload["shipper"] = order.shipper
    return payload


def _message_json(message: BuybackMessageRecord) -> dict[str, Any]:
    return {
        "body": message.body,
        "date": iso(message.date),
        "attachments": list(message.attachments),
        "author": message.author,
    }


def _day(raw: str, name: str) -> datetime:
    try:
        if len(raw) == 10:
            return datetime.combine(
                date.fromisoformat(raw), datetime.min.time(), timezone.utc
            )
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise ProblemError(
            422,
            "validation-error",
            f"{name} {raw!r} is not a date such as 2020-12-02",
            errors=[validation_member(f"query.{name}", "Invalid date")],
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def list_orders(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``GET /ws/buyback/v1/orders``."""
    state = state_for(context.store)
    query = context.request.query
    status = query.get("status")
    if status and status not in ORDER_STATUSES:
        raise ProblemError(
            422,
            "validation-error",
            f"status {status!r} is not a BuyBack order status",
            errors=[validation_member("query.status", "Unknown status")],
        )
    product = query.get("productId")
    if product and not product.isdigit():
        raise ProblemError(
            422,
            "validation-error",
            f"productId {product!r} is not an integer",
            errors=[validation_member("query.productId", "An integer is needed")],
        )
    minimums = {
        field: _day(query[name], name)
        for name, field in DATE_FILTERS
        if query.get(name)
    }

    def keep(order: BuybackOrderRecord) -> bool:
        if status and order.status != status:
            return False
        if product and order.product_id != int(product):
            return False
        for field, minimum in minimums.items():
            value = getattr(order, field)
            if value is None or value < minimum:
                return False
        return True

    chosen = [o for o in state.buyback_orders.values() if keep(o)]
    return json_response(200, paginate(context.request, chosen, order_json))


def pending_reply(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``GET /ws/buyback/v1/orders/pending-reply``.

    An order waits for the seller's reply when the customer wrote last.
    """
    state = state_for(context.store)
    chosen = [
        o
        for o in state.buyback_orders.values()
        if o.messages and o.messages[-1].author == "Client"
    ]
    return json_response(200, paginate(context.request, chosen, order_json))


def suspend_reasons(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``GET /ws/buyback/v1/orders/suspend-reasons``."""
    return json_response(200, [_reason(reason) for reason, _, _ in SUSPEND_REASONS])


def _order(state: AftersalesState, public_id: str) -> BuybackOrderRecord:
    order = state.buyback_orders.get(public_id)
    if order is None:
        raise ProblemError(
            404, "not-found", f"BuyBack order {public_id} does not exist"
        )
    return order


def get_order(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``GET /ws/buyback/v1/orders/{buybackOrderId}``."""
    order = _order(state_for(context.store), params[0])
    return json_response(200, order_json(order))


def list_messages(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``GET /ws/buyback/v1/orders/{buybackOrderId}/messages``."""
    order = _order(state_for(context.store), params[0])
    return json_response(200, paginate(context.request, order.messages, _message_json))


def post_message(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``POST /ws/buyback/v1/orders/{buybackOrderId}/messages``."""
    store = context.store
    order = _order(state_for(store), params[0])

    body = json_object(context.request)
    text = body.get("message")
    files = body.get("files")
    problems = []
    if not isinstance(text, str) or not text.strip():
        problems.append(validation_member("body.message", "Field required"))
    if not isinstance(files, list):
        problems.append(validation_member("body.files", "Field required"))

    attachments: list[str] = []
    for index, item in enumerate(files if isinstance(files, list) else []):
        name = item.get("name") if isinstance(item, dict) else None
        content = item.get("content") if isinstance(item, dict) else None
        try:
            valid = bool(name) and bool(base64.b64decode(str(content), validate=True))
        except (binascii.Error, ValueError):
            valid = False
        if not valid:
            problems.append(
                validation_member(
                    f"body.files.{index}", "Expected a name and base64 content"
                )
            )
            continue
        attachments.append(
            f"https://storage.sandbox.invalid/sourcing_pj/{order.public_id}/{name}"
        )

    if problems:
        raise ProblemError(422, "validation-error", "Validation error", errors=problems)

    message = BuybackMessageRecord(
        body=str(text), date=store.now(), author="Merchant", attachments=attachments
    )
    order.messages.append(message)
    order.modification_date = store.now()
    return json_response(201, _message_json(message))


def _decidable(order: BuybackOrderRecord, action: str) -> None:
    if order.status not in DECIDABLE:
        raise ProblemError(
            422,
            "invalid-status",
            f"cannot {action} BuyBack order {order.public_id} in status "
            f"{order.status}; the order must be RECEIVED",
            errors=[validation_member("status", f"Order is {order.status}")],
        )


def suspend(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``PUT /ws/buyback/v1/orders/{buybackOrderId}/suspend``."""
    store = context.store
    order = _order(state_for(store), params[0])
    body = json_object(context.request)
    reasons = body.get("reasons")
    known = {reason for reason, _, _ in SUSPEND_REASONS}
    if (
        not isinstance(reasons, list)
        or not reasons
        or any(reason not in known for reason in reasons)
    ):
        raise ProblemError(
            422,
            "validation-error",
            f"reasons must be a non-empty list of {', '.join(sorted(known))}",
            errors=[validation_member("body.reasons", "Unknown or missing reason")],
        )
    _decidable(order, "suspend")
    order.status = "SUSPENDED"
    order.suspend_reasons = [str(reason) for reason in reasons]
    order.suspension_date = order.modification_date = store.now()
    return json_response(200, order_json(order))


def validate(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``PUT /ws/buyback/v1/orders/{buybackOrderId}/validate``."""
    store = context.store
    order = _order(state_for(store), params[0])
    _decidable(order, "validate")
    order.status = "VALIDATED"
    order.modification_date = store.now()
    return json_response(200, order_json(order))


def counter_offer_reasons(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``GET .../{buybackOrderId}/counter-offers/reasons``."""
    _order(state_for(context.store), params[0])
    payload = [
        {
            "id": category,
            "label": label,
            "reasons": [{"id": reason, "label": text} for reason, text in reasons],
        }
        for category, label, reasons in COUNTER_OFFER_REASONS
    ]
    return json_response(200, payload)


def counter_offer(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``PUT /ws/buyback/v2/orders/{buybackOrderId}/counter-offers``."""
    store = context.store
    order = _order(state_for(store), params[0])

    parts = form_parts(context.request)
    fields = [p for p in parts if not p.filename]
    files = [p for p in parts if p.filename and p.name in ("files", "files[]")]
    price_text = next((p.text for p in fields if p.name == "price"), None)
    reasons = [p.text for p in fields if p.name in ("reasons", "reasons[]")]
    comment = next((p.text for p in fields if p.name == "comment"), None)

    try:
        price = Decimal(price_text) if price_text is not None else None
    except InvalidOperation:
        price = None
    if price is None or price <= 0:
        raise ProblemError(
            400, "invalid-price", f"price {price_text!r} is not a positive number"
        )

    if not reasons or any(reason not in COUNTER_OFFER_IDS for reason in reasons):
        raise ProblemError(
            400, "invalid-reasons", "reasons must come from the counter-offer reasons"
        )
    if not files:
        raise ProblemError(
            400, "missing-files", "at least one file must prove the offer"
        )
    if comment is not None and len(comment) > 200:
        raise ProblemError(
            400, "invalid-comment", "comment is longer than 200 characters"
        )

    _decidable(order, "counter-offer")
    if price >= order.original_price:
        raise ProblemError(
            422,
            "invalid-price",
            f"a counter-offer must be below the offer of {order.original_price}",
        )

    order.status = "COUNTER_PROPOSAL"
    order.counter_offer_price = price
    order.counter_offer_reasons = reasons
    order.counter_proposal_date = order.modification_date = store.now()
    return empty_response(204)


def _listing_json(listing: BuybackListingRecord) -> dict[str, Any]:
    return {
        "id": listing.id,
        "productId": listing.product_id,
        "prices": {
            market: {"amount": str(amount), "currency": currency}
            for market, (amount, currency) in sorted(listing.prices.items())
        },
        "aestheticGradeCode": listing.grade_code,
        "sku": listing.sku,
        "markets": listing.markets,
    }


def _problem(status: int, message: str, target: str) -> ProblemError:
    return ProblemError(
        status,
        "validation-error",
        message,
        shape="problem",
        errors=[validation_member(target, message)],
    )


def _uuid(raw: str, target: str) -> str:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise _problem(422, f"{raw!r} is not a UUID", target) from None


def list_listings(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``GET /ws/buyback/v1/listings``: cursor pages of up to 100."""
    state = state_for(context.store)
    request = context.request
    query = request.query

    size_raw = query.get("pageSize", str(MAX_LISTING_PAGE))
    if not size_raw.isdigit() or not 1 <= int(size_raw) <= MAX_LISTING_PAGE:
        raise _problem(422, "pageSize must be from 1 to 100", "query.pageSize")
    size = int(size_raw)

    product = query.get("productId")
    listings = sorted(state.buyback_listings.values(), key=lambda item: item.id)
    if product:
        wanted = _uuid(product, "query.productId")
        listings = [item for item in listings if item.product_id == wanted]

    start = 0
    cursor = query.get("cursor")
    if cursor:
        ids = [item.id for item in listings]
        key = _uuid(cursor, "query.cursor")
        if key not in ids:
            raise _problem(
                400, f"cursor {cursor} is not a page of this list", "query.cursor"
            )
        start = ids.index(key)

    chunk = listings[start : start + size]
    following = listings[start + size : start + size + 1]
    next_url = None
    if following:
        next_query = {**query, "cursor": following[0].id, "pageSize": str(size)}
        next_url = (
            f"{request.scheme}://{request.host}{request.path}?{urlencode(next_query)}"
        )
    return json_response(
        200, {"next": next_url, "results": [_listing_json(item) for item in chunk]}
    )


def _listing(state: AftersalesState, raw: str) -> BuybackListingRecord:
    listing = state.buyback_listings.get(_uuid(raw, "path.buybackListingId"))
    if listing is None:
        raise ProblemError(
            404, "not-found", f"BuyBack listing {raw} does not exist", shape="problem"
        )
    return listing


def get_listing(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``GET /ws/buyback/v1/listings/{buybackListingId}``."""
    listing = _listing(state_for(context.store), params[0])
    return json_response(200, _listing_json(listing))


def update_listing(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``PUT /ws/buyback/v1/listings/{buybackListingId}``: prices only."""
    listing = _listing(state_for(context.store), params[0])
    body = json_object(context.request)
    prices = body.get("prices")
    if not isinstance(prices, dict) or not prices:
        raise _problem(422, "prices must map market codes to amounts", "body.prices")
    updates: dict[str, tuple[Decimal, str]] = {}
    for market, price in prices.items():
        target = f"body.prices.{market}"
        if market not in MARKET_CURRENCIES:
            raise _problem(422, f"market {market!r} is not a BuyBack market", target)
        if not isinstance(price, dict):
            raise _problem(422, "expected {amount, currency}", target)
        amount, currency = price.get("amount"), price.get("currency")
        if not isinstance(amount, str) or not amount or not AMOUNT_RE.match(amount):
            raise _problem(422, f"amount {amount!r} is not a decimal string", target)
        if currency != MARKET_CURRENCIES[market]:
            raise _problem(
                422, f"currency of {market} is {MARKET_CURRENCIES[market]}", target
            )
        updates[market] = (Decimal(amount).quantize(Decimal("0.01")), currency)
    listing.prices.update(updates)
    return json_response(202, {})


def competitors(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``GET /ws/buyback/v1/competitors/{listingId}``."""
    state = state_for(context.store)
    listing = state.buyback_listings.get(_uuid(params[0], "path.listingId"))
    if listing is None:
        raise ProblemError(
            404, "not-found", f"BuyBack listing {params[0]} does not exist"
        )
    payload = []
    for market in listing.markets:
        amount, currency = listing.prices[market]
        # Buyers compete upwards: the best offer to the customer wins.
        rival = state.competitor_prices.setdefault(
            (listing.id, market),
            (amount * Decimal(state.rng.choice(("0.95", "1.04", "1.08")))).quantize(
                Decimal("0.01")
            ),
        )
        winning = amount >= rival
        winner = amount if winning else rival
        to_win = amount if winning else rival + Decimal("0.01")
        payload.append(
            {
                "listing_id": listing.id,
                "product_id": listing.product_id,
                "market": market,
                "price": {"amount": str(amount), "currency": currency},
                "price_to_win": {"amount": str(to_win), "currency": currency},
                "winner_price": {"amount": str(winner), "currency": currency},
                "is_winning": winning,
            }
        )
    return json_response(200, payload)


ROUTE_SPECS = (
    ("GET", "/ws/buyback/v1/orders", list_orders, "v1"),
    # Fixed sub-paths come before {buybackOrderId}, which would also match them.
    ("GET", "/ws/buyback/v1/orders/pending-reply", pending_reply, "v1"),
    ("GET", "/ws/buyback/v1/orders/suspend-reasons", suspend_reasons, "v1"),
    ("GET", "/ws/buyback/v1/orders/{buybackOrderId}", get_order, "v1"),
    ("GET", "/ws/buyback/v1/orders/{buybackOrderId}/messages", list_messages, "v1"),
    ("POST", "/ws/buyback/v1/orders/{buybackOrderId}/messages", post_message, "v1"),
    ("PUT", "/ws/buyback/v1/orders/{buybackOrderId}/suspend", suspend, "v1"),
    ("PUT", "/ws/buyback/v1/orders/{buybackOrderId}/validate", validate, "v1"),
    (
        "GET",
        "/ws/buyback/v1/orders/{buybackOrderId}/counter-offers/reasons",
        counter_offer_reasons,
        "v1",
    ),
    (
        "PUT",
        "/ws/buyback/v2/orders/{buybackOrderId}/counter-offers",
        counter_offer,
        "v1",
    ),
    ("GET", "/ws/buyback/v1/listings", list_listings, "v1"),
    ("GET", "/ws/buyback/v1/listings/{buybackListingId}", get_listing, "v1"),
    ("PUT", "/ws/buyback/v1/listings/{buybackListingId}", update_listing, "v1"),
    ("GET", "/ws/buyback/v1/competitors/{listingId}", competitors, "v1"),
)
"""``(method, path, handler, auth error envelope)`` of each BuyBack route."""
