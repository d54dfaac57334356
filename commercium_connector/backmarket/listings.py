"""Look up the seller's Back Market listings by SKU, ignoring case."""

from __future__ import annotations

from collections.abc import Mapping

from backmarket_sdk import BackMarketClient
from backmarket_sdk import models as bm
from commercium_connector.backmarket.identifiers import match_key


def listings_by_sku(client: BackMarketClient) -> dict[str, bm.Listing]:
    """Return every listing of the account keyed by its folded SKU.

    One paged read serves a whole push, where a read per SKU would spend the
    request budget on large catalogs.
    """
    found: dict[str, bm.Listing] = {}
    for listing in client.listings.list():
        if listing.sku:
            found[match_key(listing.sku)] = listing
    return found


def find_listing(listings: Mapping[str, bm.Listing], value: str) -> bm.Listing | None:
    """Return the listing whose SKU equals ``value``, ignoring case."""
    return listings.get(match_key(value))
