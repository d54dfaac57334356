"""Warnings about a listing that an update left unsellable."""

from __future__ import annotations

from backmarket_sdk.models import Listing
from backmarket_sdk.models.listings import PublicationState


def _money(amount: object, currency: str | None) -> str:
    return f"{amount} {currency or ''}".strip()


def update_warnings(listing: Listing) -> list[str]:
    """Return a warning for each reason customers cannot buy the listing.

    Args:
        listing: The listing as Back Market returned it after the update.
    """
    warnings: list[str] = []
    above_max = (
        listing.price is not None
        and listing.max_price is not None
        and listing.price > listing.max_price
    )
    if above_max:
        warnings.append(
            f"the price {_money(listing.price, listing.currency)} of {listing.sku} "
            f"is above its max price {_money(listing.max_price, listing.currency)}, "
            "and Back Market keeps a listing offline while its price is above its "
            f"max price. Use a price of at most {listing.max_price}, or raise "
            "the listing's max price first."
        )
    state = listing.publication_state
    if state is not None and state != PublicationState.ONLINE:
        if listing.quantity == 0:
            reason = " because its quantity is 0"
        elif above_max:
            reason = " because of its price"
        else:
            reason = ""
        warnings.append(
            f"listing {listing.sku} is {state.name} after the update{reason}, so "
            "customers cannot buy it."
        )
    return warnings
