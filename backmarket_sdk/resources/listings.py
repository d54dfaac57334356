"""Listings: list, read, update one in real time, import a CSV catalog."""

from __future__ import annotations

import builtins
import codecs
import csv
import io
import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from backmarket_sdk import errors
from backmarket_sdk._config import CURRENCY_MINOR_DIGITS, MARKET_CURRENCY
from backmarket_sdk._http import RequestSpec, RetryMode
from backmarket_sdk._pagination import (
    PAGE_SIZE_PARAM,
    AsyncPager,
    Params,
    SyncPager,
    clamp_page_size,
)
from backmarket_sdk.models.listings import Listing, PublicationState, ShippingOption
from backmarket_sdk.resources._base import (
    AsyncResource,
    SyncResource,
    parse_model,
    reject_control_character,
    require_identifier,
)
from backmarket_sdk.resources.orders import check_shipper

LISTINGS_PATH = "/ws/listings"
DETAIL_PATH = "/ws/listings/detail"
MAX_CATALOG_LINES = 15_000
"""Lines Back Market accepts in one CSV catalog, the header line included."""
MAX_SHIPPING_OPTIONS = 3
MAX_COMMENT_LENGTH = 500
MIN_WARRANTY_MONTHS = 12
MONEY_COLUMNS = frozenset({"price", "min_price", "max_price"})
"""Catalog columns holding amounts; ``shipping_price_N`` columns are too."""


def listing_path(listing_id: str | int) -> str:
    """Return the path of one listing, by UUID or by legacy integer id."""
    if isinstance(listing_id, bool):
        listing_id = str(listing_id)
    if isinstance(listing_id, int) and listing_id > 0:
        return f"{LISTINGS_PATH}/{listing_id}"
    if isinstance(listing_id, str):
        try:
            return f"{LISTINGS_PATH}/{uuid.UUID(listing_id)}"
        except ValueError:
            pass
    raise errors.InvalidRequestError(
        f"Invalid listing_id {listing_id!r}: use the listing's UUID (its 'id') or "
        "its positive integer 'listing_id'."
    )


def _non_negative(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise errors.InvalidRequestError(
            f"Invalid {name} {value!r}: use an integer of 0 or more."
        )
    return value


def list_params(
    *,
    publication_state: int | None,
    min_quantity: int | None,
    max_quantity: int | None,
    page_size: int,
) -> Params:
    """Build the query of ``GET /ws/listings``."""
    params: Params = {PAGE_SIZE_PARAM: clamp_page_size(page_size)}
    if publication_state is not None:
        if (
            not isinstance(publication_state, int)
            or not PublicationState(publication_state).is_known
        ):
            raise errors.InvalidRequestError(
                f"Invalid publication_state {publication_state!r}: use 0 to 4."
            )
        params["publication_state"] = int(publication_state)
    if min_quantity is not None:
        params["min_quantity"] = _non_negative("min_quantity", min_quantity)
    if max_quantity is not None:
        params["max_quantity"] = _non_negative("max_quantity", max_quantity)
    if (
        min_quantity is not None
        and max_quantity is not None
        and min_quantity > max_quantity
    ):
        raise errors.InvalidRequestError(
            f"Invalid quantity range: min_quantity {min_quantity} is above "
            f"max_quantity {max_quantity}."
        )
    return params


# The smallest unit of the markets' decimal currencies (EUR, GBP, SEK, USD,
# AUD), which Back Market stores prices in.
MIN_SELLING_PRICE = Decimal("0.01")


def format_amount(
    name: str, value: object, *, positive: bool = False, currency: str | None = None
) -> str:
    """Return an amount as a plain decimal string, exact and without exponent.

    Floats are rejected because they cannot hold most prices exactly.

    Args:
        name: What the amount is, for the error message.
        value: A Decimal, an int or a decimal string.
        positive: Reject 0 too, for a selling price.
        currency: The amount's currency, when known. A yen amount must be a
            whole number, and a yen selling price at least 1.
    """
    if isinstance(value, (bool, float)):
        raise errors.InvalidRequestError(
            f"Invalid {name} {value!r}: pass a Decimal, an int or a decimal string "
            "such as '199.90', not a float."
        )
    if isinstance(value, str) and not value.isascii():
        # Decimal() reads other scripts' digits too: "٣٠٠" would become 300.
        raise errors.InvalidRequestError(
            f"Invalid {name} {value!r}: write the amount with ASCII digits, "
            "such as '199.90'."
        )
    try:
        amount = Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError):
        raise errors.InvalidRequestError(
            f"Invalid {name} {value!r}: use a decimal amount such as '199.90'."
        ) from None
    if not amount.is_finite() or amount < 0:
        raise errors.InvalidRequestError(
            f"Invalid {name} {value!r}: use a finite amount "
            f"{'above 0' if positive else 'of 0 or more'}."
        )
    if positive and amount == 0:
        # Back Market would publish the listing at this price: sold for free.
        raise errors.InvalidRequestError(
            f"Invalid {name} {value!r}: use an amount above 0. To stop selling, "
            "set the quantity to 0 instead."
        )
    digits = CURRENCY_MINOR_DIGITS.get(currency or "")
    if digits is not None and amount != amount.quantize(Decimal(1).scaleb(-digits)):
        raise errors.InvalidRequestError(
            f"Invalid {name} {value!r} in {currency}: this currency has no "
            "fraction of its unit, so use a whole number such as '19800'."
        )
    if positive and amount < MIN_SELLING_PRICE:
        # Stored at two decimals, such a price becomes 0.00 and stays online.
        raise errors.InvalidRequestError(
            f"Invalid {name} {value!r}: use at least {MIN_SELLING_PRICE}, because "
            "a smaller price is stored as 0.00 and the listing would sell for free."
        )
    return format(amount, "f")


def _shipping_fields(
    options: Sequence[ShippingOption], currency: str
) -> dict[str, Any]:
    if len(options) > MAX_SHIPPING_OPTIONS:
        raise errors.InvalidRequestError(
            f"Too many shipping options ({len(options)}): a listing takes at most "
            f"{MAX_SHIPPING_OPTIONS}."
        )
    body: dict[str, Any] = {}
    for number, option in enumerate(options, start=1):
        body[f"shipper_{number}"] = check_shipper(option.shipper)
        body[f"shipping_price_{number}"] = format_amount(
            f"shipping price {number}", option.price, currency=currency
        )
        body[f"shipping_delay_{number}"] = _non_negative(
            f"shipping delay {number}", option.delay_hours
        )
        if option.display is not None:
            body[f"shipper_display_{number}"] = option.display
    return body


def update_body(
    market: str,
    *,
    quantity: int | None,
    price: Decimal | int | str | None,
    currency: str | None,
    comment: str | None,
    warranty_delay: int | None,
    min_price: Decimal | int | str | None,
    shippings: Sequence[ShippingOption] | None,
) -> dict[str, Any]:
    """Build and check the body of ``POST /ws/listings/{listingId}``."""
    body: dict[str, Any] = {}
    if quantity is not None:
        body["quantity"] = _non_negative("quantity", quantity)
    market_currency = MARKET_CURRENCY[market]
    if currency is not None and currency != market_currency:
        raise errors.InvalidRequestError(
            f"Invalid currency {currency!r} for market {market!r}: prices of this "
            f"market are in {market_currency}. Use a client for the market whose "
            "currency the price is in."
        )
    if price is not None:
        body["price"] = format_amount(
            "price", price, positive=True, currency=market_currency
        )
        body["currency"] = market_currency
    elif currency is not None:
        raise errors.InvalidRequestError(
            "Invalid update: currency is sent only with a price; pass price= too."
        )
    if min_price is not None:
        body["min_price"] = format_amount(
            "min_price", min_price, currency=market_currency
        )
    if comment is not None:
        if not isinstance(comment, str) or len(comment) > MAX_COMMENT_LENGTH:
            raise errors.InvalidRequestError(
                f"Invalid comment: use a string of at most {MAX_COMMENT_LENGTH} "
                "characters."
            )
        # Line breaks and tabs are allowed in a comment.
        reject_control_character("comment", comment, "\n\r\t")
        body["comment"] = comment
    if warranty_delay is not None:
        if (
            not isinstance(warranty_delay, int)
            or isinstance(warranty_delay, bool)
            or warranty_delay < MIN_WARRANTY_MONTHS
        ):
            raise errors.InvalidRequestError(
                f"Invalid warranty_delay {warranty_delay!r}: use a number of months "
                f"of at least {MIN_WARRANTY_MONTHS}."
            )
        body["warranty_delay"] = warranty_delay
    if shippings:
        body.update(_shipping_fields(shippings, market_currency))
    if not body:
        raise errors.InvalidRequestError(
            "Nothing to update: pass quantity=, price=, comment=, warranty_delay=, "
            "min_price= or shippings=."
        )
    return body


def get_spec(listing_id: str | int) -> RequestSpec:
    """Describe ``GET /ws/listings/{listingId}``."""
    return RequestSpec("GET", listing_path(listing_id))


def detail_spec(sku: str) -> RequestSpec:
    """Describe ``GET /ws/listings/detail?sku=``."""
    return RequestSpec(
        "GET", DETAIL_PATH, params={"sku": require_identifier("sku", sku)}
    )


def update_spec(listing_id: str | int, body: dict[str, Any]) -> RequestSpec:
    """Describe ``POST /ws/listings/{listingId}``.

    The body contains absolute values, so resending a price or a comment is
    safe. A quantity is not: Back Market lowers it on every sale, so a resend
    after a timeout that had in fact applied could undo a sale made in the
    meantime and oversell. A quantity update is therefore resent only when
    the server surely did not receive it (a refused connection, a 429).
    """
    retry: RetryMode = "unprocessed" if "quantity" in body else "safe"
    return RequestSpec("POST", listing_path(listing_id), json=body, retry=retry)


def is_money_column(column: str) -> bool:
    """Return True for a catalog column that contains an amount of money."""
    return column in MONEY_COLUMNS or column.startswith("shipping_price")


def _money_cell(value: object, column: str, sku: object, currency: str | None) -> str:
    if value is None or value == "":
        # An empty cell leaves the amount as it is.
        return ""
    try:
        return format_amount(
            column, value, positive=column == "price", currency=currency
        )
    except errors.InvalidRequestError as error:
        raise errors.InvalidRequestError(
            f"Catalog row for sku {sku!r}: {error}"
        ) from None


def _quantity_cell(value: object, sku: object) -> str:
    if value is None or value == "":
        # An empty cell leaves the quantity as it is.
        return ""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and text.isascii() and text.isdigit():
        return str(int(text))
    if isinstance(text, int) and not isinstance(text, bool) and text >= 0:
        return str(text)
    raise errors.InvalidRequestError(
        f"Catalog row for sku {sku!r}: invalid quantity {value!r}; use a whole "
        "number of 0 or more."
    )


def _cell(value: object, column: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        # Plain notation: repr() would write 1e-07, which is not a number
        # for most CSV readers.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal) and value.is_finite():
        return format(value, "f")
    # Written with str(), bytes, lists, NaN and the like would reach Back
    # Market as Python notation ("b'...'", "[1, 2]", "nan").
    raise errors.InvalidRequestError(
        f"Invalid catalog value {value!r} in column {column!r}: use text, a "
        "whole or finite decimal number, a bool or None."
    )


def _check_csv_options(delimiter: str, quotechar: str, encoding: str) -> None:
    for name, value in (("delimiter", delimiter), ("quotechar", quotechar)):
        if not isinstance(value, str) or len(value) != 1 or value in "\r\n":
            raise errors.InvalidRequestError(
                f"Invalid {name} {value!r}: use one character, not a line break."
            )
    if delimiter == quotechar:
        raise errors.InvalidRequestError(
            f"Invalid CSV options: delimiter and quotechar are both {delimiter!r}."
        )
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise errors.InvalidRequestError(
            f"Invalid encoding {encoding!r}: use a codec name such as 'utf-8'."
        ) from None


def _check_rows(
    rows: Iterable[Mapping[str, object]],
) -> tuple[list[Mapping[str, object]], list[str]]:
    materialized: list[Mapping[str, object]] = []
    columns: dict[str, None] = {}
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise errors.InvalidRequestError(
                f"Invalid catalog row {number}: expected a mapping of column to "
                f"value, got {type(row).__name__}."
            )
        sku = row.get("sku")
        if not isinstance(sku, str) or not sku.strip():
            raise errors.InvalidRequestError(
                f"Invalid catalog row {number}: every row needs a non-empty 'sku'."
            )
        folded = sku.strip().casefold()
        if folded in seen:
            raise errors.InvalidRequestError(
                f"Duplicate sku {sku!r} in catalog rows {seen[folded]} and {number}: "
                "Back Market compares SKUs case-insensitively."
            )
        seen[folded] = number
        for key in row:
            columns.setdefault(str(key), None)
        materialized.append(row)
    if not materialized:
        raise errors.InvalidRequestError("Empty catalog: pass at least one row.")
    _check_column_names(list(columns))
    return materialized, list(columns)


def column_key(column: str) -> str:
    """Return the name a catalog column is known by, in any case or spacing."""
    return column.strip().casefold()


def _check_column_names(columns: list[str]) -> None:
    # A reader that ignores case and spaces, as the sandbox's does, would take
    # "Price" for "price"; two such columns would leave one value unchecked.
    first: dict[str, str] = {}
    for column in columns:
        other = first.setdefault(column_key(column), column)
        if other != column:
            raise errors.InvalidRequestError(
                f"Catalog columns {other!r} and {column!r} name the same column: "
                "keep one of them."
            )


def build_catalog_chunks(
    rows: Iterable[Mapping[str, object]],
    *,
    delimiter: str = ",",
    quotechar: str = '"',
    encoding: str = "utf-8",
    max_lines: int = MAX_CATALOG_LINES,
    currency: str | None = None,
) -> list[str]:
    """Write rows as CSV texts of at most ``max_lines`` lines each.

    Every text starts with the header line (the union of the rows' keys in
    first-seen order). Values containing the delimiter, the quote character
    or a line break are quoted; a row whose values span several lines counts
    each of them. A row's amounts are checked in its ``currency`` column,
    or else in ``currency``.
    """
    _check_csv_options(delimiter, quotechar, encoding)
    materialized, columns = _check_rows(rows)
    header = _write_line(columns, delimiter, quotechar)
    _check_encodable(header, encoding, "the header")
    chunks: list[str] = []
    current: list[str] = [header]
    lines = header.count("\n")
    keys = {column: column_key(column) for column in columns}
    currency_column = next((c for c in columns if keys[c] == "currency"), None)
    for row in materialized:
        sku = row.get("sku")
        amounts_in = currency
        row_currency = row.get(currency_column) if currency_column else None
        if isinstance(row_currency, str) and row_currency.strip():
            amounts_in = row_currency.strip().upper()
        cells = [
            _money_cell(row.get(c), keys[c], sku, amounts_in)
            if is_money_column(keys[c])
            else _quantity_cell(row.get(c), sku)
            if keys[c] == "quantity"
            else _cell(row.get(c), c)
            for c in columns
        ]
        line = _write_line(cells, delimiter, quotechar)
        _check_encodable(line, encoding, f"the row for sku {row.get('sku')!r}")
        count = line.count("\n")
        if header.count("\n") + count > max_lines:
            raise errors.InvalidRequestError(
                f"Catalog row for sku {row.get('sku')!r} spans {count} lines, "
                f"more than fit in one catalog of {max_lines} lines."
            )
        if lines + count > max_lines:
            chunks.append("".join(current))
            current, lines = [header], header.count("\n")
        current.append(line)
        lines += count
    chunks.append("".join(current))
    return [chunk.removesuffix("\n") for chunk in chunks]


def _check_encodable(line: str, encoding: str, where: str) -> None:
    # The task reads the catalog in the declared encoding: a character it
    # cannot hold would fail the whole task later, on Back Market's side.
    try:
        line.encode(encoding)
    except UnicodeEncodeError as exc:
        raise errors.InvalidRequestError(
            f"Character {exc.object[exc.start]!r} in {where} cannot be written "
            f"in encoding {encoding!r}: pass encoding='utf-8' or remove it."
        ) from None


def _write_line(values: Sequence[str], delimiter: str, quotechar: str) -> str:
    buffer = io.StringIO()
    # With "\n" as line terminator the csv module leaves a lone "\r" unquoted,
    # and a reader takes it for a line end: quote every value of such a line.
    carriage_return = any("\r" in value for value in values)
    writer = csv.writer(
        buffer,
        delimiter=delimiter,
        quotechar=quotechar,
        quoting=csv.QUOTE_ALL if carriage_return else csv.QUOTE_MINIMAL,
        lineterminator="\n",
    )
    writer.writerow(values)
    return buffer.getvalue()


def import_spec(
    catalog: str, delimiter: str, quotechar: str, encoding: str
) -> RequestSpec:
    """Describe ``POST /ws/listings`` for one CSV text.

    A resend would create a second task, so it is resent only when the
    server surely did not process it.
    """
    body = {
        "catalog": catalog,
        "quotechar": quotechar,
        "delimiter": delimiter,
        "encoding": encoding,
    }
    return RequestSpec(
        "POST", LISTINGS_PATH, json=body, catalog=True, retry="unprocessed"
    )


def task_id_of(data: Any, spec: RequestSpec) -> int:
    """Return the task id of a catalog import response."""
    task_id = data.get("bodymessage") if isinstance(data, Mapping) else None
    if isinstance(task_id, str) and task_id.isdigit():
        task_id = int(task_id)
    if not isinstance(task_id, int) or isinstance(task_id, bool):
        raise errors.MalformedResponseError(
            "Expected the task id in 'bodymessage'",
            status=200,
            method=spec.method,
            url=spec.path,
            body=data,
        )
    return task_id


class Listings(SyncResource):
    """``client.listings``: the seller's listings."""

    def list(
        self,
        *,
        publication_state: int | None = None,
        min_quantity: int | None = None,
        max_quantity: int | None = None,
        page_size: int = 50,
    ) -> SyncPager[Listing]:
        """List listings lazily; page sizes above 50 are lowered to 50."""
        params = list_params(
            publication_state=publication_state,
            min_quantity=min_quantity,
            max_quantity=max_quantity,
            page_size=page_size,
        )
        return self._client.paginate(LISTINGS_PATH, params, Listing)

    def get(self, listing_id: str | int) -> Listing:
        """Return a listing by UUID or by legacy integer id."""
        spec = get_spec(listing_id)
        return parse_model(self._client.request(spec), Listing, spec)

    def get_by_sku(self, sku: str) -> Listing:
        """Return the listing of a SKU (compared case-insensitively by Back Market)."""
        spec = detail_spec(sku)
        return parse_model(self._client.request(spec), Listing, spec)

    def update(
        self,
        listing_id: str | int,
        *,
        quantity: int | None = None,
        price: Decimal | int | str | None = None,
        currency: str | None = None,
        comment: str | None = None,
        warranty_delay: int | None = None,
        min_price: Decimal | int | str | None = None,
        shippings: Sequence[ShippingOption] | None = None,
    ) -> Listing:
        """Update the given fields of a listing in real time.

        ``quantity`` applies to every market; price, comment and warranty to
        the client's market. A quantity of 0 takes the listing offline.

        Raises:
            InvalidRequestError: Nothing to update, a negative quantity, a float
                price, a price of 0 or below, or a currency other than the
                market's.
        """
        body = update_body(
            self._client.config.market,
            quantity=quantity,
            price=price,
            currency=currency,
            comment=comment,
            warranty_delay=warranty_delay,
            min_price=min_price,
            shippings=shippings,
        )
        spec = update_spec(listing_id, body)
        return parse_model(self._client.request(spec), Listing, spec)

    def import_catalog(
        self,
        rows: Iterable[Mapping[str, object]],
        *,
        delimiter: str = ",",
        quotechar: str = '"',
        encoding: str = "utf-8",
    ) -> builtins.list[int]:
        """Send rows as CSV catalogs of at most 15,000 lines; return the task ids.

        Each row maps column names (``sku``, ``product_id`` or ``ean``,
        ``quantity``, ``price`` ...) to values. Amounts (``price``,
        ``min_price``, ``max_price``, ``shipping_price_N``) take a Decimal, an
        int or a decimal string, as :meth:`update` does. Follow each task with
        ``client.tasks.wait()``.

        Raises:
            InvalidRequestError: A row has no SKU, a float amount, a price of
                0 or below, or a value CSV cannot hold; nothing is sent.
        """
        chunks = build_catalog_chunks(
            rows,
            delimiter=delimiter,
            quotechar=quotechar,
            encoding=encoding,
            currency=MARKET_CURRENCY[self._client.config.market],
        )
        task_ids: builtins.list[int] = []
        for chunk in chunks:
            spec = import_spec(chunk, delimiter, quotechar, encoding)
            try:
                task_ids.append(task_id_of(self._client.request(spec), spec))
            except errors.BackMarketError as error:
                # The earlier chunks are already tasks on Back Market.
                error.created_task_ids = tuple(task_ids)
                raise
        return task_ids


class AsyncListings(AsyncResource):
    """``client.listings`` of the async client; see :class:`Listings`."""

    def list(
        self,
        *,
        publication_state: int | None = None,
        min_quantity: int | None = None,
        max_quantity: int | None = None,
        page_size: int = 50,
    ) -> AsyncPager[Listing]:
        """List listings lazily; use ``async for``."""
        params = list_params(
            publication_state=publication_state,
            min_quantity=min_quantity,
            max_quantity=max_quantity,
            page_size=page_size,
        )
        return self._client.paginate(LISTINGS_PATH, params, Listing)

    async def get(self, listing_id: str | int) -> Listing:
        """Return a listing by UUID or by legacy integer id."""
        spec = get_spec(listing_id)
        return parse_model(await self._client.request(spec), Listing, spec)

    async def get_by_sku(self, sku: str) -> Listing:
        """Return the listing of a SKU."""
        spec = detail_spec(sku)
        return parse_model(await self._client.request(spec), Listing, spec)

    async def update(
        self,
        listing_id: str | int,
        *,
        quantity: int | None = None,
        price: Decimal | int | str | None = None,
        currency: str | None = None,
        comment: str | None = None,
        warranty_delay: int | None = None,
        min_price: Decimal | int | str | None = None,
        shippings: Sequence[ShippingOption] | None = None,
    ) -> Listing:
        """Update the given fields of a listing; see :meth:`Listings.update`."""
        body = update_body(
            self._client.config.market,
            quantity=quantity,
            price=price,
            currency=currency,
            comment=comment,
            warranty_delay=warranty_delay,
            min_price=min_price,
            shippings=shippings,
        )
        spec = update_spec(listing_id, body)
        return parse_model(await self._client.request(spec), Listing, spec)

    async def import_catalog(
        self,
        rows: Iterable[Mapping[str, object]],
        *,
        delimiter: str = ",",
        quotechar: str = '"',
        encoding: str = "utf-8",
    ) -> builtins.list[int]:
        """Send rows as CSV catalogs; see :meth:`Listings.import_catalog`."""
        chunks = build_catalog_chunks(
            rows,
            delimiter=delimiter,
            quotechar=quotechar,
            encoding=encoding,
            currency=MARKET_CURRENCY[self._client.config.market],
        )
        task_ids: builtins.list[int] = []
        for chunk in chunks:
            spec = import_spec(chunk, delimiter, quotechar, encoding)
            try:
                task_ids.append(task_id_of(await self._client.request(spec), spec))
            except errors.BackMarketError as error:
                # The earlier chunks are already tasks on Back Market.
                error.created_task_ids = tuple(task_ids)
                raise
        return task_ids
