"""Catalog CSV import: the body of ``POST /ws/listings`` and its task.

A row with an existing SKU (case insensitive) updates that listing. A row
with a new SKU and the ``product_id`` or ``ean`` of a product in the sandbox's
catalogue creates a listing. The task result rejects any other row with a
reason, keyed by its SKU, or by ``row N`` when it has none.
"""

from __future__ import annotations

import codecs
import csv
import io
from decimal import Decimal
from typing import Any

from .errors import ApiError
from .markets import market as lookup_market
from .records import GRADE_STATES, GRADES, TASK_DONE, TASK_FAILED, Listing, Offer, Task
from .store import MAX_COMMENT, MIN_WARRANTY_MONTHS, ListingChange, Store

MAX_LINES = 15000

_STATE_GRADES = {state: grade for grade, state in GRADE_STATES.items()}


def _text_error(message: str) -> ApiError:
    return ApiError(400, "invalid-request", message, envelope="text")


def parse_body(body: Any) -> tuple[str, str, str, str]:
    """Validate a catalog request body; return catalog, delimiter, quotechar, encoding.

    Raises:
        ApiError: 400 with a bare-string body, as the route responds.
    """
    if not isinstance(body, dict):
        raise _text_error("request body must be a JSON object")
    catalog = body.get("catalog")
    if not isinstance(catalog, str) or not catalog.strip():
        raise _text_error("parameter catalog not found")
    fields: dict[str, str] = {}
    for name in ("delimiter", "quotechar"):
        value = body.get(name)
        if value is None:
            raise _text_error(f"parameter {name} not found")
        if not isinstance(value, str) or len(value) != 1:
            raise _text_error(f"parameter {name} must be a single character")
        fields[name] = value
    encoding = body.get("encoding")
    if encoding is None:
        raise _text_error("parameter encoding not found")
    if not isinstance(encoding, str) or not 2 <= len(encoding) <= 64:
        raise _text_error("parameter encoding must be a codec name such as utf-8")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise _text_error(f"unknown encoding {encoding!r}; use e.g. utf-8") from None
    if fields["delimiter"] == fields["quotechar"]:
        raise _text_error("delimiter and quotechar must differ")
    lines = count_lines(catalog)
    if lines > MAX_LINES:
        raise _text_error(
            f"catalog has {lines} lines; the maximum is {MAX_LINES}, "
            "split it into several requests"
        )
    return catalog, fields["delimiter"], fields["quotechar"], encoding


def count_lines(catalog: str) -> int:
    """Return the number of non-blank lines, header included."""
    return sum(1 for line in catalog.splitlines() if line.strip())


def data_rows(catalog: str) -> int:
    """Return the number of SKU lines (non-blank lines after the header)."""
    return max(0, count_lines(catalog) - 1)


class _RowError(Exception):
    pass


def process(store: Store, task: Task) -> None:
    """Run ``task`` against the store and record its status and result."""
    rows = _read_rows(task)
    if rows is None:
        task.status = TASK_FAILED
        return
    result: dict[str, Any] = {}
    # Row 1 is the header; a quoted cell may span several physical lines.
    for number, raw in enumerate(rows, start=2):
        row = {
            (key or "").strip().lower(): (value or "").strip()
            for key, value in raw.items()
            if key is not None
        }
        key = row.get("sku") or f"row {number}"
        if None in raw:
            result[key] = _failure(f"row {number} has more cells than the header")
            continue
        if not any(row.values()):
            continue
        try:
            result[key] = _apply_row(store, task.market, row)
        except _RowError as exc:
            result[key] = _failure(str(exc))
        except ApiError as exc:
            result[key] = _failure(exc.message)
    task.result = result
    task.status = TASK_DONE


def _read_rows(task: Task) -> list[dict[str | None, Any]] | None:
    """Parse the catalog; on a whole-file error set ``last_action_error``."""
    try:
        task.catalog.encode(task.encoding)
    except UnicodeEncodeError as exc:
        task.last_action_error = (
            f"catalog is not valid {task.encoding}: {exc.reason} at character "
            f"{exc.start}"
        )
        return None

    # A byte order mark would otherwise become part of the first column name.
    text = task.catalog.removeprefix("\ufeff")
    reader = csv.DictReader(
        io.StringIO(text, newline=""),
        delimiter=task.delimiter,
        quotechar=task.quotechar,
        strict=True,
    )
    try:
        rows: list[dict[str | None, Any]] = list(reader)
    except csv.Error as exc:
        task.last_action_error = f"catalog is not valid CSV: {exc}"
        return None

    header = [name.strip().lower() for name in reader.fieldnames or []]
    if "sku" not in header:
        task.last_action_error = (
            "catalog has no sku column; the first line must name the columns, "
            "e.g. sku,quantity,price"
        )
        return None
    return rows


def _failure(message: str) -> dict[str, Any]:
    return {"success": False, "errors": [message]}


def _apply_row(store: Store, market: str, row: dict[str, str]) -> dict[str, Any]:
    sku = row.get("sku", "")
    if not sku:
        raise _RowError("sku is empty; every row needs the listing's SKU")
    change = _row_change(row, market)
    listing = store.listing_by_sku(sku)
    if listing is not None:
        store.change_listing(listing, market, change)
        return _success("updated", listing)
    product_id = row.get("product_id") or None
    ean = row.get("ean") or None
    if product_id is None and ean is None:
        raise _RowError(
            f"no listing with SKU {sku!r}; add a product_id or ean column to create one"
        )
    product = store.find_product(product_id, ean)
    if product is None:
        wanted = f"product_id {product_id}" if product_id else f"ean {ean}"
        raise _RowError(f"no product with {wanted} in the catalogue")
    if change.price is None or change.quantity is None:
        raise _RowError("price and quantity are required to create a listing")
    currency = lookup_market(market).currency
    listing = Listing(
        id=store.new_uuid(),
        listing_id=store.take_id("next_listing_id"),
        sku=sku,
        product=product,
        grade=change.grade or "EXCELLENT",
        quantity=change.quantity,
        offers={
            market: Offer(
                price=change.price,
                currency=currency,
                max_price=change.max_price or change.price * 2,
                min_price=change.min_price,
                comment=change.comment,
                warranty_delay=change.warranty_delay or MIN_WARRANTY_MONTHS,
            )
        },
        date_modification=store.now(),
    )
    store.add_listing(listing)
    return _success("created", listing)


def _success(action: str, listing: Listing) -> dict[str, Any]:
    return {
        "success": True,
        "action": action,
        "id": listing.id,
        "listing_id": listing.listing_id,
        "errors": [],
    }


def _row_change(row: dict[str, str], market: str) -> ListingChange:
    change = ListingChange()
    if row.get("quantity"):
        change.quantity = _row_int(row["quantity"], "quantity", 0)
    if row.get("price"):
        change.price = _row_price(row["price"], "price")
    if row.get("max_price"):
        change.max_price = _row_price(row["max_price"], "max_price")
    if row.get("min_price"):
        change.min_price = _row_price(row["min_price"], "min_price")
    if row.get("currency"):
        expected = lookup_market(market).currency
        if row["currency"].upper() != expected:
            raise _RowError(
                f"currency {row['currency']} does not match the market {market} "
                f"({expected})"
            )
    if row.get("comment"):
        if len(row["comment"]) > MAX_COMMENT:
            raise _RowError(f"comment is longer than {MAX_COMMENT} characters")
        change.comment = row["comment"]
        change.set_comment = True
    if row.get("warranty_delay"):
        change.warranty_delay = _row_int(
            row["warranty_delay"], "warranty_delay", MIN_WARRANTY_MONTHS
        )
    if row.get("grade"):
        grade = row["grade"].upper()
        if grade not in GRADES:
            raise _RowError(f"grade {row['grade']!r} is not one of {', '.join(GRADES)}")
        change.grade = grade
    elif row.get("state"):
        state = _row_int(row["state"], "state", 0)
        if state not in _STATE_GRADES:
            raise _RowError(f"state {state} is not one of {sorted(_STATE_GRADES)}")
        change.grade = _STATE_GRADES[state]
    return change


def _row_int(value: str, field: str, minimum: int) -> int:
    if not value.isdigit():
        raise _RowError(f"{field} {value!r} is not a whole number")
    number = int(value)
    if number < minimum:
        raise _RowError(f"{field} must be >= {minimum}, got {number}")
    return number


def _row_price(value: str, field: str) -> Decimal:
    try:
        amount = Decimal(value.replace(",", "."))
    except ArithmeticError:
        raise _RowError(f"{field} {value!r} is not a decimal number") from None
    if not amount.is_finite() or amount <= 0:
        raise _RowError(f"{field} {value!r} must be a number > 0")
    return amount
