"""BuyBack: trade-in orders, their messages and decisions, listings, competitors.

Orders and messages come in ``{count, next, previous, results}`` pages
selected by ``page``; listings come in ``{next, results}`` pages selected by
a ``cursor``. Both go through the core pager, which follows ``next``.
Errors come as problem details (``{type, title, status, errors}``), which the
core maps to the usual exceptions.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from backmarket_sdk import errors
from backmarket_sdk._config import MARKET_CURRENCY
from backmarket_sdk._http import FormField, RequestSpec
from backmarket_sdk._pagination import AsyncPager, Params, SyncPager
from backmarket_sdk.models.buyback import (
    BuybackCompetitor,
    BuybackListing,
    BuybackMessage,
    BuybackOrder,
    BuybackOrderStatus,
    BuybackReason,
    CounterOfferReasonCategory,
    MonetaryAmount,
)
from backmarket_sdk.models.care import Attachment
from backmarket_sdk.resources._base import (
    AsyncResource,
    SyncResource,
    format_datetime,
    parse_list,
    parse_model,
    require_identifier,
)
from backmarket_sdk.resources.care import check_attachments, require_message
from backmarket_sdk.resources.listings import format_amount

ORDERS_PATH = "/ws/buyback/v1/orders"
PENDING_REPLY_PATH = "/ws/buyback/v1/orders/pending-reply"
SUSPEND_REASONS_PATH = "/ws/buyback/v1/orders/suspend-reasons"
COUNTER_OFFER_PATH = "/ws/buyback/v2/orders/{order_id}/counter-offers"
LISTINGS_PATH = "/ws/buyback/v1/listings"
COMPETITORS_PATH = "/ws/buyback/v1/competitors"
MAX_LISTING_PAGE_SIZE = 100
MAX_COUNTER_OFFER_COMMENT = 200
# The file types a counter-offer accepts: extension to media type.
COUNTER_OFFER_FILE_TYPES: Mapping[str, str] = {
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".pdf": "application/pdf",
    ".png": "image/png",
}

# Currency of each two-letter market code, from the market codes the SDK lists.
COUNTRY_CURRENCY: Mapping[str, str] = {
    market.split("-")[1].upper(): currency
    for market, currency in MARKET_CURRENCY.items()
}

ORDER_DATE_FILTERS = (
    ("creation_date", "creationDate"),
    ("modification_date", "modificationDate"),
    ("shipping_date", "shippingDate"),
    ("received_date", "receivedDate"),
    ("suspended_date", "suspendedDate"),
    ("payment_date", "paymentDate"),
)


def public_id(order_id: str) -> str:
    """Return a BuyBack order's public id, checked for use in a path."""
    text = require_identifier("order_id", order_id).strip()
    if "/" in text or "?" in text or "#" in text:
        raise errors.InvalidRequestError(
            f"Invalid order_id {order_id!r}: use the order's public id, such as "
            "'FR-24527-ABCDE'."
        )
    return text


def order_path(order_id: str) -> str:
    """Return the path of one BuyBack order, by its public id."""
    return f"{ORDERS_PATH}/{public_id(order_id)}"


def require_uuid(name: str, value: object) -> str:
    """Return a UUID in canonical text or raise ``InvalidRequestError``."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    raise errors.InvalidRequestError(f"Invalid {name} {value!r}: use a UUID.")


def _format_day(name: str, value: date | datetime) -> str:
    if isinstance(value, datetime):
        return format_datetime(name, value)
    if isinstance(value, date):
        return value.isoformat()
    raise errors.InvalidRequestError(
        f"Invalid {name} {value!r}: use a date or an aware datetime."
    )


def order_list_params(
    *,
    status: BuybackOrderStatus | str | None,
    product_id: int | None,
    dates: Mapping[str, date | datetime | None],
) -> Params:
    """Build the query of ``GET /ws/buyback/v1/orders``."""
    params: Params = {}
    if status is not None:
        chosen = BuybackOrderStatus(status) if isinstance(status, str) else None
        if chosen is None or not chosen.is_known:
            known = ", ".join(member.value for member in BuybackOrderStatus)
            raise errors.InvalidRequestError(
                f"Invalid status {status!r}: use one of {known}."
            )
        params["status"] = chosen.value
    if product_id is not None:
        if (
            not isinstance(product_id, int)
            or isinstance(product_id, bool)
            or product_id < 1
        ):
            raise errors.InvalidRequestError(
                f"Invalid product_id {product_id!r}: use the BuyBack product's "
                "positive integer id."
            )
        params["productId"] = product_id
    for name, query_name in ORDER_DATE_FILTERS:
        value = dates.get(name)
        if value is not None:
            params[query_name] = _format_day(name, value)
    return params


def listing_params(product_id: str | uuid.UUID | None, page_size: int) -> Params:
    """Build the query of ``GET /ws/buyback/v1/listings``."""
    if (
        not isinstance(page_size, int)
        or isinstance(page_size, bool)
        or not 1 <= page_size <= MAX_LISTING_PAGE_SIZE
    ):
        raise errors.InvalidRequestError(
            f"Invalid page_size {page_size!r}: use an integer from 1 to "
            f"{MAX_LISTING_PAGE_SIZE}."
        )
    params: Params = {"pageSize": page_size}
    if product_id is not None:
        params["productId"] = require_uuid("product_id", product_id)
    return params


def message_body(message: str, files: Sequence[Attachment]) -> dict[str, Any]:
    """Build the JSON body of a BuyBack message.

    NOTE: the API takes each photo as a JSON string without naming its
    encoding; the SDK sends base64, the usual encoding of bytes in JSON.
    """
    parts = check_attachments("files", files)
    return {
        "message": require_message("message", message),
        "files": [
            {
                "name": part.filename,
                "content": base64.b64encode(part.content).decode("ascii"),
            }
            for part in parts
        ],
    }


def check_reasons(reasons: Sequence[str]) -> list[str]:
    """Return reason identifiers, refusing an empty list or blank ids."""
    if isinstance(reasons, str) or not isinstance(reasons, Sequence) or not reasons:
        raise errors.InvalidRequestError(
            f"Invalid reasons {reasons!r}: pass a non-empty list of reason "
            "identifiers, as listed by the matching reasons call."
        )
    return [require_identifier("reason", reason).strip() for reason in reasons]


def suspend_spec(order_id: str, reasons: Sequence[str]) -> RequestSpec:
    """Describe ``PUT /ws/buyback/v1/orders/{id}/suspend``."""
    body = {"reasons": check_reasons(reasons)}
    return RequestSpec(
        "PUT", order_path(order_id) + "/suspend", json=body, retry="confirm"
    )


def validate_spec(order_id: str) -> RequestSpec:
    """Describe ``PUT /ws/buyback/v1/orders/{id}/validate`` (no body)."""
    return RequestSpec("PUT", order_path(order_id) + "/validate", retry="confirm")


def counter_offer_spec(
    order_id: str,
    price: Decimal | int | str,
    reasons: Sequence[str],
    files: Sequence[Attachment],
    comment: str | None,
) -> RequestSpec:
    """Describe ``PUT /ws/buyback/v2/orders/{id}/counter-offers`` (multipart)."""
    path = COUNTER_OFFER_PATH.format(order_id=public_id(order_id))
    price_text = format_amount("price", price)
    if Decimal(price_text) <= 0:
        raise errors.InvalidRequestError(
            f"Invalid price {price!r}: use a counter-offer price above 0, "
            "such as '89.50'."
        )
    form: list[FormField] = [("price", price_text)]
    if comment is not None:
        text = require_message("comment", comment, MAX_COUNTER_OFFER_COMMENT)
        form.append(("comment", text))
    form.extend(("reasons", reason) for reason in check_reasons(reasons))
    proofs = check_attachments(
        "files", files, field="files", allowed=COUNTER_OFFER_FILE_TYPES
    )
    if not proofs:
        raise errors.InvalidRequestError(
            "Missing files: a counter-offer needs at least one photo or PDF "
            "(.jpg, .jpeg, .png, .pdf) that shows why the price changes."
        )
    return RequestSpec("PUT", path, form=form, files=proofs, retry="confirm")


def listing_prices_body(
    prices: Mapping[str, MonetaryAmount | Decimal | int | str],
) -> dict[str, Any]:
    """Build the body that sets a BuyBack listing's price per market.

    A plain amount takes the market's currency; a price of 0 takes the listing
    offline on that market.
    """
    if not isinstance(prices, Mapping) or not prices:
        raise errors.InvalidRequestError(
            f"Invalid prices {prices!r}: pass a mapping of two-letter market codes "
            "to amounts, such as {'FR': Decimal('34.50')}."
        )
    body: dict[str, dict[str, str]] = {}
    for market, price in prices.items():
        code = market.upper() if isinstance(market, str) else ""
        if len(code) != 2 or not code.isalpha():
            raise errors.InvalidRequestError(
                f"Invalid market {market!r}: use a two-letter market code such as "
                "'FR' or 'GB'."
            )
        amount: Decimal | int | str
        if isinstance(price, MonetaryAmount):
            amount, currency = price.amount, price.currency
        else:
            amount = price
            found = COUNTRY_CURRENCY.get(code)
            if found is None:
                raise errors.InvalidRequestError(
                    f"No known currency for market {code}: pass "
                    "MonetaryAmount(amount, currency) for it."
                )
            currency = found
        text = format_amount(f"price for {code}", amount)
        _check_minor_unit(code, text, currency)
        body[code] = {"amount": text, "currency": currency}
    return {"prices": body}


# Currencies without a minor unit; every other one has cents.
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY"})


def _check_minor_unit(market: str, text: str, currency: str) -> None:
    decimals = len(text.partition(".")[2].rstrip("0"))
    allowed = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    if decimals > allowed:
        raise errors.InvalidRequestError(
            f"Invalid price for {market}: {text} {currency} has more decimal "
            f"places than the currency's {allowed}."
        )


def listing_spec(listing_id: str | uuid.UUID) -> RequestSpec:
    """Describe ``GET /ws/buyback/v1/listings/{buybackListingId}``."""
    return RequestSpec(
        "GET", f"{LISTINGS_PATH}/{require_uuid('listing_id', listing_id)}"
    )


def status_reached(*wanted: BuybackOrderStatus) -> Callable[[BuybackOrder], bool]:
    """Return a check that an order reached one of ``wanted``."""
    return lambda order: order.status in wanted


SUSPENDED = status_reached(BuybackOrderStatus.SUSPENDED)
VALIDATED = status_reached(
    BuybackOrderStatus.VALIDATED,
    BuybackOrderStatus.PAID,
    BuybackOrderStatus.MONEY_TRANSFERED,
)
COUNTER_PROPOSED = status_reached(BuybackOrderStatus.COUNTER_PROPOSAL)


def _confirmed(
    data: Any, applied: Callable[[BuybackOrder], bool], read: RequestSpec
) -> Any:
    return data if applied(parse_model(data, BuybackOrder, read)) else None


class BuyBack(SyncResource):
    """``client.buyback``: trade-in orders and BuyBack listings."""

    def _pager(self, path: str, params: Params, cls: type[Any]) -> SyncPager[Any]:
        # Keep the first request's filters on every page, in case a ``next``
        # URL leaves one out.
        def fetch(page_params: Params) -> Any:
            return self._client.request(
                RequestSpec("GET", path, {**params, **page_params})
            )

        def parse(items: list[Any]) -> list[Any]:
            return parse_list(items, cls, RequestSpec("GET", path))

        return SyncPager(fetch, params, parse, path)

    def list_orders(
        self,
        *,
        status: BuybackOrderStatus | str | None = None,
        product_id: int | None = None,
        creation_date: date | datetime | None = None,
        modification_date: date | datetime | None = None,
        shipping_date: date | datetime | None = None,
        received_date: date | datetime | None = None,
        suspended_date: date | datetime | None = None,
        payment_date: date | datetime | None = None,
    ) -> SyncPager[BuybackOrder]:
        """List BuyBack orders lazily; each date filter is a minimum.

        Args:
            status: Only orders in this :class:`BuybackOrderStatus`.
            product_id: Only orders of this BuyBack product (integer id).
            creation_date: Only orders created on or after this date.
            modification_date: Only orders modified on or after this date.
            shipping_date: Only orders shipped on or after this date.
            received_date: Only orders received on or after this date.
            suspended_date: Only orders suspended on or after this date.
            payment_date: Only orders paid on or after this date.
        """
        params = order_list_params(
            status=status,
            product_id=product_id,
            dates={
                "creation_date": creation_date,
                "modification_date": modification_date,
                "shipping_date": shipping_date,
                "received_date": received_date,
                "suspended_date": suspended_date,
                "payment_date": payment_date,
            },
        )
        return self._pager(ORDERS_PATH, params, BuybackOrder)

    def list_pending_reply(self) -> SyncPager[BuybackOrder]:
        """List the BuyBack orders waiting for the seller's reply."""
        return self._pager(PENDING_REPLY_PATH, {}, BuybackOrder)

    def suspend_reasons(self) -> list[BuybackReason]:
        """Return the reasons that may be given to suspend an order."""
        spec = RequestSpec("GET", SUSPEND_REASONS_PATH)
        return parse_list(self._client.request(spec), BuybackReason, spec)

    def get_order(self, order_id: str) -> BuybackOrder:
        """Return one BuyBack order by its public id."""
        spec = RequestSpec("GET", order_path(order_id))
        return parse_model(self._client.request(spec), BuybackOrder, spec)

    def list_messages(self, order_id: str) -> SyncPager[BuybackMessage]:
        """List the messages of a BuyBack order lazily."""
        return self._pager(order_path(order_id) + "/messages", {}, BuybackMessage)

    def post_message(
        self, order_id: str, message: str, *, files: Sequence[Attachment] = ()
    ) -> BuybackMessage:
        """Post a message, with photos if any, on a BuyBack order."""
        spec = RequestSpec(
            "POST",
            order_path(order_id) + "/messages",
            json=message_body(message, files),
            retry="unprocessed",
        )
        return parse_model(self._client.request(spec), BuybackMessage, spec)

    def _change(
        self, order_id: str, spec: RequestSpec, applied: Callable[[BuybackOrder], bool]
    ) -> Any:
        read = RequestSpec("GET", order_path(order_id))

        def confirm() -> Any | None:
            return _confirmed(self._client.request(read), applied, read)

        return self._client.request_confirmed(spec, confirm)

    def suspend(self, order_id: str, reasons: Sequence[str]) -> BuybackOrder:
        """Suspend a BuyBack order with reasons from :meth:`suspend_reasons`."""
        spec = suspend_spec(order_id, reasons)
        return parse_model(self._change(order_id, spec, SUSPENDED), BuybackOrder, spec)

    def validate(self, order_id: str) -> BuybackOrder:
        """Validate a BuyBack order: the device matches the offer."""
        spec = validate_spec(order_id)
        return parse_model(self._change(order_id, spec, VALIDATED), BuybackOrder, spec)

    def counter_offer_reasons(self, order_id: str) -> list[CounterOfferReasonCategory]:
        """Return the counter-offer reasons that apply to a BuyBack order."""
        spec = RequestSpec("GET", order_path(order_id) + "/counter-offers/reasons")
        return parse_list(self._client.request(spec), CounterOfferReasonCategory, spec)

    def counter_offer(
        self,
        order_id: str,
        *,
        price: Decimal | int | str,
        reasons: Sequence[str],
        files: Sequence[Attachment],
        comment: str | None = None,
    ) -> None:
        """Offer the customer a new price for the device.

        Args:
            order_id: The BuyBack order.
            price: The new price, in the order's currency.
            reasons: Reason ids from :meth:`counter_offer_reasons`.
            files: Photos or PDFs (.jpg, .jpeg, .png, .pdf) that support
                the offer; other file types raise ``InvalidRequestError``.
            comment: Explanation of at most 200 characters.
        """
        spec = counter_offer_spec(order_id, price, reasons, files, comment)
        self._change(order_id, spec, COUNTER_PROPOSED)

    def list_listings(
        self, *, product_id: str | uuid.UUID | None = None, page_size: int = 100
    ) -> SyncPager[BuybackListing]:
        """List BuyBack listings lazily, following the cursor of each page."""
        params = listing_params(product_id, page_size)
        return self._pager(LISTINGS_PATH, params, BuybackListing)

    def get_listing(self, listing_id: str | uuid.UUID) -> BuybackListing:
        """Return one BuyBack listing by its UUID."""
        spec = listing_spec(listing_id)
        return parse_model(self._client.request(spec), BuybackListing, spec)

    def update_listing(
        self,
        listing_id: str | uuid.UUID,
        prices: Mapping[str, MonetaryAmount | Decimal | int | str],
    ) -> None:
        """Set a BuyBack listing's price on some markets; 0 takes it offline there.

        Args:
            listing_id: The listing's UUID.
            prices: Two-letter market code to amount, such as
                ``{"FR": Decimal("34.50")}``; a plain amount takes the
                market's currency.
        """
        path = listing_spec(listing_id).path
        body = listing_prices_body(prices)
        self._client.request(RequestSpec("PUT", path, json=body))

    def competitors(self, listing_id: str | uuid.UUID) -> list[BuybackCompetitor]:
        """Return the BackBox competition of a BuyBack listing, per market."""
        path = f"{COMPETITORS_PATH}/{require_uuid('listing_id', listing_id)}"
        spec = RequestSpec("GET", path)
        return parse_list(self._client.request(spec), BuybackCompetitor, spec)


class AsyncBuyBack(AsyncResource):
    """``client.buyback`` of the async client; see :class:`BuyBack`."""

    def _pager(self, path: str, params: Params, cls: type[Any]) -> AsyncPager[Any]:
        async def fetch(page_params: Params) -> Any:
            spec = RequestSpec("GET", path, {**params, **page_params})
            return await self._client.request(spec)

        def parse(items: list[Any]) -> list[Any]:
            return parse_list(items, cls, RequestSpec("GET", path))

        return AsyncPager(fetch, params, parse, path)

    def list_orders(
        self,
        *,
        status: BuybackOrderStatus | str | None = None,
        product_id: int | None = None,
        creation_date: date | datetime | None = None,
        modification_date: date | datetime | None = None,
        shipping_date: date | datetime | None = None,
        received_date: date | datetime | None = None,
        suspended_date: date | datetime | None = None,
        payment_date: date | datetime | None = None,
    ) -> AsyncPager[BuybackOrder]:
        """List BuyBack orders lazily; see :meth:`BuyBack.list_orders`."""
        params = order_list_params(
            status=status,
            product_id=product_id,
            dates={
                "creation_date": creation_date,
                "modification_date": modification_date,
                "shipping_date": shipping_date,
                "received_date": received_date,
                "suspended_date": suspended_date,
                "payment_date": payment_date,
            },
        )
        return self._pager(ORDERS_PATH, params, BuybackOrder)

    def list_pending_reply(self) -> AsyncPager[BuybackOrder]:
        """List the BuyBack orders waiting for the seller's reply."""
        return self._pager(PENDING_REPLY_PATH, {}, BuybackOrder)

    async def suspend_reasons(self) -> list[BuybackReason]:
        """Return the reasons that may be given to suspend an order."""
        spec = RequestSpec("GET", SUSPEND_REASONS_PATH)
        return parse_list(await self._client.request(spec), BuybackReason, spec)

    async def get_order(self, order_id: str) -> BuybackOrder:
        """Return one BuyBack order by its public id."""
        spec = RequestSpec("GET", order_path(order_id))
        return parse_model(await self._client.request(spec), BuybackOrder, spec)

    def list_messages(self, order_id: str) -> AsyncPager[BuybackMessage]:
        """List the messages of a BuyBack order lazily."""
        return self._pager(order_path(order_id) + "/messages", {}, BuybackMessage)

    async def post_message(
        self, order_id: str, message: str, *, files: Sequence[Attachment] = ()
    ) -> BuybackMessage:
        """Post a message on a BuyBack order; see :meth:`BuyBack.post_message`."""
        spec = RequestSpec(
            "POST",
            order_path(order_id) + "/messages",
            json=message_body(message, files),
            retry="unprocessed",
        )
        return parse_model(await self._client.request(spec), BuybackMessage, spec)

    async def _change(
        self, order_id: str, spec: RequestSpec, applied: Callable[[BuybackOrder], bool]
    ) -> Any:
        read = RequestSpec("GET", order_path(order_id))

        async def confirm() -> Any | None:
            return _confirmed(await self._client.request(read), applied, read)

        return await self._client.request_confirmed(spec, confirm)

    async def suspend(self, order_id: str, reasons: Sequence[str]) -> BuybackOrder:
        """Suspend a BuyBack order; see :meth:`BuyBack.suspend`."""
        spec = suspend_spec(order_id, reasons)
        data = await self._change(order_id, spec, SUSPENDED)
        return parse_model(data, BuybackOrder, spec)

    async def validate(self, order_id: str) -> BuybackOrder:
        """Validate a BuyBack order; see :meth:`BuyBack.validate`."""
        spec = validate_spec(order_id)
        data = await self._change(order_id, spec, VALIDATED)
        return parse_model(data, BuybackOrder, spec)

    async def counter_offer_reasons(
        self, order_id: str
    ) -> list[CounterOfferReasonCategory]:
        """Return the counter-offer reasons that apply to a BuyBack order."""
        spec = RequestSpec("GET", order_path(order_id) + "/counter-offers/reasons")
        data = await self._client.request(spec)
        return parse_list(data, CounterOfferReasonCategory, spec)

    async def counter_offer(
        self,
        order_id: str,
        *,
        price: Decimal | int | str,
        reasons: Sequence[str],
        files: Sequence[Attachment],
        comment: str | None = None,
    ) -> None:
        """Make a counter-offer; see :meth:`BuyBack.counter_offer`."""
        spec = counter_offer_spec(order_id, price, reasons, files, comment)
        await self._change(order_id, spec, COUNTER_PROPOSED)

    def list_listings(
        self, *, product_id: str | uuid.UUID | None = None, page_size: int = 100
    ) -> AsyncPager[BuybackListing]:
        """List BuyBack listings lazily; see :meth:`BuyBack.list_listings`."""
        params = listing_params(product_id, page_size)
        return self._pager(LISTINGS_PATH, params, BuybackListing)

    async def get_listing(self, listing_id: str | uuid.UUID) -> BuybackListing:
        """Return one BuyBack listing by its UUID."""
        spec = listing_spec(listing_id)
        return parse_model(await self._client.request(spec), BuybackListing, spec)

    async def update_listing(
        self,
        listing_id: str | uuid.UUID,
        prices: Mapping[str, MonetaryAmount | Decimal | int | str],
    ) -> None:
        """Set a BuyBack listing's prices; see :meth:`BuyBack.update_listing`."""
        path = listing_spec(listing_id).path
        body = listing_prices_body(prices)
        await self._client.request(RequestSpec("PUT", path, json=body))

    async def competitors(self, listing_id: str | uuid.UUID) -> list[BuybackCompetitor]:
        """Return the BackBox competition of a BuyBack listing, per market."""
        path = f"{COMPETITORS_PATH}/{require_uuid('listing_id', listing_id)}"
        spec = RequestSpec("GET", path)
        return parse_list(await self._client.request(spec), BuybackCompetitor, spec)
