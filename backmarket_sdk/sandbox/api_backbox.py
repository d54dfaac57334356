"""Handlers of the BackBox routes: competitors per listing and ``listings_bi``."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .aftersales import (
    HOUR,
    AftersalesState,
    ProblemError,
    state_for,
    too_many_requests,
)
from .markets import MARKETS
from .messages import SandboxResponse, json_response
from .pages import paginate
from .records import Listing, Offer
from .store import Store

if TYPE_CHECKING:
    from .router import RouteContext

# Condition codes ``listings_bi`` reports for each grade.
GRADE_CONDITIONS = {
    "PREMIUM": 9,
    "EXCELLENT": 10,
    "VERY_GOOD": 10,
    "GOOD": 11,
    "FAIR": 12,
    "STALLONE": 12,
}
COMPETITORS_BUDGET = ((2, 1.0),)
LISTINGS_BI_BUDGET = ((2, HOUR),)
# Seeded gap between a listing's price and its best competitor's, per market.
RIVAL_FACTORS = ("0.94", "0.97", "1.02", "1.06", "1.10")


def _rival_price(
    state: AftersalesState, listing: Listing, market: str, offer: Offer
) -> Decimal:
    key = (listing.id, market)
    if key not in state.competitor_prices:
        factor = Decimal(state.rng.choice(RIVAL_FACTORS))
        state.competitor_prices[key] = (offer.price * factor).quantize(Decimal("0.01"))
    return state.competitor_prices[key]


def _standing(
    state: AftersalesState, listing: Listing, market: str, offer: Offer
) -> tuple[bool, Decimal, Decimal]:
    """Return (winning, winner price, price to win) of a listing on a market."""
    rival = _rival_price(state, listing, market, offer)
    online = listing.publication_state(market) == 2
    winning = online and offer.price <= rival
    winner = offer.price if winning else rival
    to_win = offer.price if winning else max(rival - Decimal("0.01"), Decimal("0.01"))
    return winning, winner, to_win


def _amount(value: Decimal, currency: str) -> dict[str, str]:
    return {"amount": str(value), "currency": currency}


def competitors(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``GET /ws/backbox/v1/competitors/{listingId}``: 2 calls a second."""
    store = context.store
    state = state_for(store)
    if not state.budgets.admit(
        "backbox.competitors", COMPETITORS_BUDGET, store.clock.seconds()
    ):
        raise too_many_requests("backbox.competitors", "2 calls a second per token")
    try:
        key = str(uuid.UUID(params[0]))
    except ValueError:
        raise ProblemError(
            422, "validation-error", f"listingId {params[0]!r} is not a UUID"
        ) from None
    listing = store.listing_by_key(key)
    if listing is None:
        raise ProblemError(404, "not-found", f"listing {key} does not exist")
    payload: list[dict[str, Any]] = []
    for code, offer in sorted(listing.offers.items()):
        winning, winner, to_win = _standing(state, listing, code, offer)
        payload.append(
            {
                "listing_id": listing.id,
                "product_id": listing.product.product_id,
                "market": MARKETS[code].country,
                "price": _amount(offer.price, offer.currency),
                "min_price": None
                if offer.min_price is None
                else _amount(offer.min_price, offer.currency),
                "price_to_win": _amount(to_win, offer.currency),
                "winner_price": _amount(winner, offer.currency),
                "is_winning": winning,
            }
        )
    return json_response(200, payload)


def _bi_row(state: AftersalesState, listing: Listing, market: str) -> dict[str, Any]:
    offer = listing.offers[market]
    winning, _, to_win = _standing(state, listing, market, offer)
    return {
        "product": listing.product.backmarket_id,
        "sku": listing.sku,
        "price": float(offer.price),
        "quantity": listing.quantity,
        "buybox": winning,
        "price_for_buybox": float(to_win),
        "currency": offer.currency,
        "condition": GRADE_CONDITIONS.get(listing.grade, 10),
        "same_merchant_winner": False,
    }


def listings_bi(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``GET /ws/listings_bi``: twice an hour per market."""
    store: Store = context.store
    state = state_for(store)
    key = f"backbox.listings_bi:{context.market}"
    if not state.budgets.admit(key, LISTINGS_BI_BUDGET, store.clock.seconds()):
        raise too_many_requests(key, "2 calls an hour per market")
    offered = [
        listing for listing in store.listings if context.market in listing.offers
    ]
    return json_response(
        200,
        paginate(
            context.request, offered, lambda item: _bi_row(state, item, context.market)
        ),
    )


ROUTE_SPECS = (
    ("GET", "/ws/listings_bi", listings_bi, "v1"),
    ("GET", "/ws/backbox/v1/competitors/{listingId}", competitors, "v1"),
)
"""``(method, path, handler, auth error envelope)`` of each BackBox route."""
