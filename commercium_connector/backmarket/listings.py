"""Look up the seller's Back Market listings by SKU, ignoring case."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from backmarket_sdk import BackMarketClient
from backmarket_sdk import errors as bm_errors
from backmarket_sdk import models as bm
from commercium_connector.backmarket.identifiers import match_key

# Up to this many SKUs are looked up with one request each. More SKUs read the
# whole listing list instead, 50 a page, because that costs fewer requests.
PER_SKU_LOOKUP_LIMIT = 20


def listings_by_sku(
    client: BackMarketClient, skus: Iterable[str | None]
) -> dict[str, bm.Listing]:
    """Return the listings of the given SKUs that exist, keyed by folded SKU.

    Args:
        client: The SDK client.
        skus: The SKUs wanted; None entries (products without an identifier
            value) are ignored.
    """
    # Folded SKU to the first spelling seen, which is the one sent.
    wanted: dict[str, str] = {}
    for sku in skus:
        if sku:
            wanted.setdefault(match_key(sku), sku.strip())
    if not wanted:
        return {}
    if len(wanted) > PER_SKU_LOOKUP_LIMIT:
        return {
            key: listing
            for key, listing in all_listings(client).items()
            if key in wanted
        }
    found: dict[str, bm.Listing] = {}
    for key, sku in sorted(wanted.items()):
        try:
            listing = client.listings.get_by_sku(sku)
        except bm_errors.NotFoundError:
            continue
        found[match_key(listing.sku or key)] = listing
    return found


def all_listings(client: BackMarketClient) -> dict[str, bm.Listing]:
    """Return every listing of the account keyed by its folded SKU."""
    found: dict[str, bm.Listing] = {}
    for listing in client.listings.list():
        if listing.sku:
            found[match_key(listing.sku)] = listing
    return found


def find_listing(listings: Mapping[str, bm.Listing], value: str) -> bm.Listing | None:
    """Return the listing whose SKU equals ``value``, ignoring case."""
    return listings.get(match_key(value))
