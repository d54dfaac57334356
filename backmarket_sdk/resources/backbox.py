"""BackBox: competition for the spot shown first on a product page.

``competitors()`` reads one listing, at most 2 calls a second per token.
``listings_bi()`` reads every listing of the client's market at once; Back
Market deprecates it and allows it twice an hour per market. Both budgets are
counted in ``client.backbox.limiter``.

NOTE: the budgets are counted per client, while Back Market counts them per
token; processes or clients that share a token must share one client or
lower the budgets.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from backmarket_sdk._http import RequestSpec
from backmarket_sdk._operation_limits import (
    HOUR,
    Budget,
    OperationLimiter,
    OperationLimitError,
)
from backmarket_sdk._pagination import (
    MAX_PAGE_SIZE,
    PAGE_SIZE_PARAM,
    AsyncPager,
    Params,
    SyncPager,
    clamp_page_size,
)
from backmarket_sdk.models.backbox import BackboxListing, Competitor
from backmarket_sdk.resources._base import (
    AsyncResource,
    SyncResource,
    parse_list,
)
from backmarket_sdk.resources.buyback import require_uuid

if TYPE_CHECKING:
    from backmarket_sdk._client import AsyncBackMarketClient, BackMarketClient

COMPETITORS_PATH = "/ws/backbox/v1/competitors"
LISTINGS_BI_PATH = "/ws/listings_bi"

LISTINGS_BI_PAGES_PER_HOUR = 2
# The maximum number of listings that listings_bi returns for a market in an
# hour.
LISTINGS_BI_HOURLY_LISTINGS = LISTINGS_BI_PAGES_PER_HOUR * MAX_PAGE_SIZE

BACKBOX_BUDGETS: dict[str, tuple[Budget, ...]] = {
    "backbox.competitors": (Budget(2, 1.0),),
    "backbox.listings_bi": (Budget(LISTINGS_BI_PAGES_PER_HOUR, HOUR),),
}

LISTINGS_BI_DEPRECATION = (
    "/ws/listings_bi is deprecated by Back Market and allowed only twice an hour "
    "per market; use client.backbox.competitors(listing_id) instead."
)


def backbox_limiter(
    client: BackMarketClient | AsyncBackMarketClient,
) -> OperationLimiter:
    """Build the BackBox budgets of a client, on its general limiter's clock."""
    general = client.rate_limiter
    return OperationLimiter(
        BACKBOX_BUDGETS, general.clock, enabled=general.limits.enabled
    )


def competitors_spec(listing_id: str) -> RequestSpec:
    """Describe ``GET /ws/backbox/v1/competitors/{listingId}``."""
    return RequestSpec(
        "GET", f"{COMPETITORS_PATH}/{require_uuid('listing_id', listing_id)}"
    )


def listings_bi_spec(params: Params) -> RequestSpec:
    """Describe one page of ``GET /ws/listings_bi``, a catalog-budget call."""
    return RequestSpec("GET", LISTINGS_BI_PATH, params, catalog=True)


def listings_bi_limit_error(exc: OperationLimitError) -> OperationLimitError:
    """Copy ``exc`` with the hourly maximum of listings ``listings_bi`` returns."""
    return OperationLimitError(
        f"{exc} A listings_bi page contains at most {MAX_PAGE_SIZE} listings and "
        f"a market gets {LISTINGS_BI_PAGES_PER_HOUR} pages an hour, so at most "
        f"{LISTINGS_BI_HOURLY_LISTINGS} listings an hour. For a market with "
        "more listings, call client.backbox.competitors(listing_id) per listing.",
        operation=exc.operation,
        retry_after=exc.retry_after,
    )


def warn_listings_bi() -> None:
    """Emit the ``DeprecationWarning`` of ``listings_bi``, at the caller's line."""
    warnings.warn(LISTINGS_BI_DEPRECATION, DeprecationWarning, stacklevel=3)


class BackBox(SyncResource):
    """``client.backbox``: BackBox competition of the seller's listings.

    Attributes:
        limiter: The 2-a-second competitors budget and the 2-an-hour
            ``listings_bi`` budget of the client's market.
    """

    def __init__(self, client: BackMarketClient) -> None:
        super().__init__(client)
        self.limiter = backbox_limiter(client)

    def competitors(self, listing_id: str) -> list[Competitor]:
        """Return a listing's competition, one entry per market.

        Args:
            listing_id: The listing's UUID (its ``id``, not the integer
                ``listing_id``).
        """
        spec = competitors_spec(listing_id)
        with self.limiter.hold("backbox.competitors", self._client.sleep):
            data = self._client.request(spec)
        return parse_list(data, Competitor, spec)

    def listings_bi(self, *, page_size: int = 50) -> SyncPager[BackboxListing]:
        """List BackBox data of every listing on the client's market, lazily.

        Deprecated by Back Market: emits a ``DeprecationWarning``. Each page
        counts against the budget of 2 calls an hour per market, and a page
        contains at most 50 listings, so one hour returns at most 100 listings.
        The page past the budget raises :class:`OperationLimitError` instead
        of waiting an hour.

        Args:
            page_size: Listings per page, from 1. A value above 50 is
                lowered to 50, as in the other list calls.
        """
        warn_listings_bi()
        params: Params = {PAGE_SIZE_PARAM: clamp_page_size(page_size)}
        key = f"backbox.listings_bi:{self._client.config.market}"

        def fetch(page_params: Params) -> Any:
            try:
                with self.limiter.hold(key, self._client.sleep):
                    return self._client.request(listings_bi_spec(page_params))
            except OperationLimitError as exc:
                raise listings_bi_limit_error(exc) from None

        def parse(items: list[Any]) -> list[BackboxListing]:
            return parse_list(items, BackboxListing, listings_bi_spec({}))

        return SyncPager(fetch, params, parse, LISTINGS_BI_PATH)


class AsyncBackBox(AsyncResource):
    """``client.backbox`` of the async client; see :class:`BackBox`."""

    def __init__(self, client: AsyncBackMarketClient) -> None:
        super().__init__(client)
        self.limiter = backbox_limiter(client)

    async def competitors(self, listing_id: str) -> list[Competitor]:
        """Return a listing's competition; see :meth:`BackBox.competitors`."""
        spec = competitors_spec(listing_id)
        async with self.limiter.hold_async("backbox.competitors", self._client.sleep):
            data = await self._client.request(spec)
        return parse_list(data, Competitor, spec)

    def listings_bi(self, *, page_size: int = 50) -> AsyncPager[BackboxListing]:
        """List BackBox data lazily (deprecated); see :meth:`BackBox.listings_bi`."""
        warn_listings_bi()
        params: Params = {PAGE_SIZE_PARAM: clamp_page_size(page_size)}
        key = f"backbox.listings_bi:{self._client.config.market}"

        async def fetch(page_params: Params) -> Any:
            try:
                async with self.limiter.hold_async(key, self._client.sleep):
                    return await self._client.request(listings_bi_spec(page_params))
            except OperationLimitError as exc:
                raise listings_bi_limit_error(exc) from None

        def parse(items: list[Any]) -> list[BackboxListing]:
            return parse_list(items, BackboxListing, listings_bi_spec({}))

        return AsyncPager(fetch, params, parse, LISTINGS_BI_PATH)
