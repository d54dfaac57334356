"""Importing the host's own data from CSV: products with stock and prices,
and shipments.

A file is imported whole or not at all: every row is checked first, and one
bad row stops the import with a list of every problem found, each with its
line, its column, the value and the fix.

Products CSV columns: ``sku`` (required), ``title``, ``barcode``, ``grade``,
``quantity`` (empty for a product whose stock is not tracked), ``price``,
``currency`` and ``marketplace_product_id``. Any other column becomes a
named product field. An existing product keeps the values of the columns a
file does not have.

Shipments CSV columns: ``order_number``, ``shipping_method``,
``tracking_number`` (required), then ``tracking_url``, ``shipped_at`` (ISO
8601; a time without a zone is read as UTC), ``imei``, ``serial_number`` and
``connection`` (needed only when two connections have the same order number).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path

import attrs
import sqlalchemy as sa

from commercium_connector.host.store import Store
from commercium_connector.host.store.catalog import (
    PRODUCT_VALUES,
    CatalogChanges,
    ProductRow,
    upsert_products,
)
from commercium_connector.host.store.orders import find_order_by_number
from commercium_connector.host.store.shipments import (
    ShipmentConflictError,
    record_shipment,
)
from commercium_connector.types import Product, Shipment

PRODUCT_COLUMNS = (
    "sku",
    "title",
    "barcode",
    "grade",
    "quantity",
    "price",
    "currency",
    "marketplace_product_id",
)
SHIPMENT_COLUMNS = (
    "order_number",
    "shipping_method",
    "tracking_number",
    "tracking_url",
    "shipped_at",
    "imei",
    "serial_number",
    "connection",
)
# NOTE: the ISO 4217 codes of the currencies sellers use, not the whole
# standard; add a code here when a market needs it.
CURRENCIES = frozenset(
    {
        "AED", "ARS", "AUD", "BGN", "BRL", "CAD", "CHF", "CLP", "CNY", "COP",
        "CZK", "DKK", "EGP", "EUR", "GBP", "HKD", "HUF", "IDR", "ILS", "INR",
        "ISK", "JPY", "KRW", "MAD", "MXN", "MYR", "NOK", "NZD", "PEN", "PHP",
        "PLN", "RON", "RSD", "SAR", "SEK", "SGD", "THB", "TND", "TRY", "TWD",
        "UAH", "USD", "VND", "ZAR",
    }
)  # fmt: skip
# The cosmetic grades of refurbished devices, as marketplaces name them.
GRADES = ("PREMIUM", "EXCELLENT", "VERY_GOOD", "GOOD", "FAIR", "STALLONE")
_UTF16_OR_32_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
# ASCII digits only: \d would also match other scripts' digits.
_IMEI = re.compile(r"[0-9]{15}")
# Shipment values read from an optional column of the same name.
OPTIONAL_SHIPMENT_VALUES = ("tracking_url", "shipped_at", "imei", "serial_number")
_MAX_PROBLEMS = 50
# The largest stock a row may set: a 32-bit integer, which the store and Back
# Market's quantity fields both hold.
MAX_QUANTITY = 2**31 - 1


@attrs.frozen
class RowProblem:
    """One problem of a CSV file: where it is, what is wrong and the fix."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.line == 0:  # a problem of the whole file
            return self.message
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class CsvImportError(Exception):
    """A CSV file was not imported; ``problems`` lists why."""

    def __init__(self, path: Path, problems: Sequence[RowProblem]) -> None:
        self.path = path
        self.problems = tuple(problems)
        shown = [str(p) for p in self.problems[:_MAX_PROBLEMS]]
        more = len(self.problems) - len(shown)
        if more > 0:
            shown.append(f"... and {more} more")
        super().__init__(
            f"{path} was not imported ({len(self.problems)} problem"
            f"{'s' if len(self.problems) != 1 else ''}, nothing was changed):\n  "
            + "\n  ".join(shown)
        )


@attrs.frozen
class ShipmentImport:
    """Counts of a shipments import."""

    added_or_updated: int
    unchanged: int


def _read_rows(
    path: Path, required: Sequence[str], problems: list[RowProblem]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) of a CSV file with a header line.

    Problems of the file itself (encoding, quoting, header, field counts) go
    to ``problems``. A quoting error ends the reading, because the rest of
    the file cannot be split reliably after it.
    """
    text = _read_text(path, problems)
    if text is None:
        return
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            problems.append(RowProblem(1, "", "the file is empty; add a header line"))
            return
        names = [h.strip().lower() for h in header]
        missing = [c for c in required if c not in names]
        if missing:
            problems.append(
                RowProblem(
                    1,
                    ", ".join(missing),
                    f"missing column{'s' if len(missing) > 1 else ''} in the header "
                    f"line; the header has: {', '.join(names)}",
                )
            )
            return
        for dup in sorted({n for n in names if names.count(n) > 1}):
            problems.append(RowProblem(1, dup, "column appears twice in the header"))
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(names):
                problems.append(
                    RowProblem(
                        line,
                        "",
                        f"{len(fields)} fields where the header has {len(names)}; "
                        f"check for a missing or extra {delimiter!r}, or quote a "
                        f"value that contains one",
                    )
                )
                continue
            # NFC, so that an "Å" typed as one character and as "A" plus a
            # combining ring is one SKU.
            yield (
                line,
                {
                    n: unicodedata.normalize("NFC", f.strip())
                    for n, f in zip(names, fields, strict=True)
                },
            )
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            problems.append(
                RowProblem(
                    reader.line_num,
                    "",
                    f"a value is longer than {csv.field_size_limit()} characters; "
                    "shorten it, or close the quote that an unclosed value left "
                    "open",
                )
            )
            return
        problems.append(
            RowProblem(
                reader.line_num,
                "",
                f"malformed quoting ({exc}); a value with a quote must be wrapped "
                'in double quotes with the inner quote doubled, as in "27"" screen"',
            )
        )


def _read_text(path: Path, problems: list[RowProblem]) -> str | None:
    """Return the file's UTF-8 text, or None with the problem recorded."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        problems.append(RowProblem(0, "", f"file not found: {path}; check the path"))
        return None
    except OSError as exc:
        problems.append(
            RowProblem(0, "", f"cannot read {path}: {exc.strerror}; check the path")
        )
        return None
    for bom, encoding in _UTF16_OR_32_BOMS:
        if data.startswith(bom):
            problems.append(
                RowProblem(
                    0, "", f"the file is {encoding} text; save it as UTF-8 and retry"
                )
            )
            return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start]
        problems.append(
            RowProblem(
                line,
                "",
                f"not UTF-8 text (byte 0x{byte:02x}: {exc.reason}); save the file "
                "as UTF-8",
            )
        )
        return None


def _parse_int(
    value: str, line: int, column: str, problems: list[RowProblem]
) -> int | None:
    try:
        number = int(value)
    except ValueError:
        problems.append(
            RowProblem(line, column, f"invalid whole number {value!r}; write e.g. 12")
        )
        return None
    if number < 0:
        problems.append(
            RowProblem(line, column, f"negative quantity {number}; use 0 or more")
        )
        return None
    if number > MAX_QUANTITY:
        problems.append(
            RowProblem(
                line,
                column,
                f"quantity {value!r} is too large; use at most {MAX_QUANTITY}",
            )
        )
        return None
    return number


def _parse_price(
    value: str, line: int, column: str, problems: list[RowProblem]
) -> Decimal | None:
    try:
        amount = Decimal(value.replace(",", ".") if value.count(",") == 1 else value)
    except InvalidOperation:
        problems.append(
            RowProblem(line, column, f"invalid price {value!r}; write e.g. 249.90")
        )
        return None
    if not amount.is_finite() or amount < 0:
        problems.append(
            RowProblem(line, column, f"invalid price {value!r}; use 0 or more")
        )
        return None
    return amount


def _parse_grade(value: str, line: int, problems: list[RowProblem]) -> str | None:
    if not value:
        return None
    grade = re.sub(r"[\s-]+", "_", value.upper())
    if grade not in GRADES:
        problems.append(
            RowProblem(
                line,
                "grade",
                f"unknown grade {value!r}; use one of {', '.join(GRADES)}",
            )
        )
        return None
    return grade


def parse_products_csv(path: Path) -> list[ProductRow]:
    """Read and check a products CSV file.

    Raises:
        CsvImportError: Listing every problem found.
    """
    problems: list[RowProblem] = []
    rows: list[ProductRow] = []
    seen: dict[str, int] = {}
    for line, row in _read_rows(path, ("sku",), problems):
        sku = row.get("sku", "")
        if not sku:
            problems.append(RowProblem(line, "sku", "missing SKU; every row needs one"))
            continue
        if sku.casefold() in seen:
            problems.append(
                RowProblem(
                    line,
                    "sku",
                    f"SKU {sku!r} is also on line {seen[sku.casefold()]}; SKUs are "
                    "compared case insensitively and must be unique",
                )
            )
            continue
        seen[sku.casefold()] = line
        quantity_text = row.get("quantity", "")
        quantity = None
        if quantity_text:
            quantity = _parse_int(quantity_text, line, "quantity", problems)
        price = None
        if row.get("price"):
            price = _parse_price(row["price"], line, "price", problems)
        currency = row.get("currency", "").upper() or None
        if currency is not None and currency not in CURRENCIES:
            problems.append(
                RowProblem(
                    line,
                    "currency",
                    f"invalid currency {currency!r}; use an ISO 4217 code such as "
                    "EUR, GBP or USD",
                )
            )
        grade = _parse_grade(row.get("grade", ""), line, problems)
        if price is not None and currency is None:
            problems.append(
                RowProblem(
                    line, "currency", "missing currency for the price; add e.g. EUR"
                )
            )
        extra = {k: v for k, v in row.items() if k not in PRODUCT_COLUMNS and v}
        product = Product(
            sku=sku,
            title=row.get("title", ""),
            barcode=row.get("barcode") or None,
            fields=extra,
            quantity=quantity,
            price=price,
            currency=currency,
            marketplace_product_id=row.get("marketplace_product_id") or None,
            grade=grade,
        )
        columns = PRODUCT_VALUES & set(row)
        if any(k not in PRODUCT_COLUMNS for k in row):
            columns |= {"fields"}
        rows.append(ProductRow(product, tracked=bool(quantity_text), columns=columns))
    if not rows and not problems:
        problems.append(RowProblem(2, "", "no products in the file"))
    if problems:
        raise CsvImportError(path, problems)
    return rows


def import_products(store: Store, path: Path) -> CatalogChanges:
    """Import a products CSV file into the store in one transaction.

    Raises:
        CsvImportError: The file has problems; nothing was imported.
    """
    rows = parse_products_csv(path)
    with store.transaction() as conn:
        return upsert_products(conn, rows)


def _parse_time(value: str, line: int, problems: list[RowProblem]) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        problems.append(
            RowProblem(
                line,
                "shipped_at",
                f"invalid time {value!r}; write ISO 8601, e.g. 2026-01-05T14:30:00Z",
            )
        )
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def import_shipments(
    store: Store, path: Path, *, now: datetime | None = None
) -> ShipmentImport:
    """Import a shipments CSV file; each row ships one stored order.

    The shipments wait in the store until the next shipments sync sends them.

    Raises:
        CsvImportError: The file has problems; nothing was imported.
    """
    now = now or datetime.now(timezone.utc)
    problems: list[RowProblem] = []
    parsed: list[tuple[int, str, Shipment]] = []
    columns: set[str] = set()
    seen: dict[tuple[str, str], int] = {}
    with store.read() as conn:
        for line, row in _read_rows(path, SHIPMENT_COLUMNS[:3], problems):
            columns = set(row)
            found = _parse_shipment(conn, line, row, problems)
            if found is None:
                continue
            key = (found[0], found[1].order_number)
            if key in seen:
                # A marketplace takes one shipment per order, so a second row
                # would silently replace the first one's tracking number.
                problems.append(
                    RowProblem(
                        line,
                        "order_number",
                        f"order {key[1]!r} is also on line {seen[key]}; an order "
                        "takes one shipment, so keep one row for it",
                    )
                )
                continue
            seen[key] = line
            parsed.append((line, found[0], found[1]))
    if problems:
        raise CsvImportError(path, problems)

    # A column the file lacks keeps the stored value, as for products: a file
    # without an imei column does not erase an IMEI imported before.
    kept = frozenset(c for c in OPTIONAL_SHIPMENT_VALUES if c not in columns)
    changed = unchanged = 0
    with store.transaction() as conn:
        for line, connection_id, shipment in parsed:
            try:
                if record_shipment(conn, connection_id, shipment, now=now, keep=kept):
                    changed += 1
                else:
                    unchanged += 1
            except ShipmentConflictError as exc:
                problems.append(RowProblem(line, "tracking_number", str(exc)))
        if problems:
            conn.rollback()
            raise CsvImportError(path, problems)
    return ShipmentImport(changed, unchanged)


def _parse_shipment(
    conn: sa.Connection, line: int, row: dict[str, str], problems: list[RowProblem]
) -> tuple[str, Shipment] | None:
    before = len(problems)
    number = row["order_number"]
    method = row["shipping_method"]
    tracking = "".join(row["tracking_number"].split())
    for column, value in (("order_number", number), ("shipping_method", method)):
        if not value:
            problems.append(RowProblem(line, column, "missing value; fill it in"))
    if not tracking:
        problems.append(
            RowProblem(line, "tracking_number", "missing tracking number; fill it in")
        )
    imei = row.get("imei") or None
    if imei is not None and not _IMEI.fullmatch(imei):
        problems.append(
            RowProblem(line, "imei", f"invalid IMEI {imei!r}; an IMEI is 15 digits")
        )
    shipped_at = None
    if row.get("shipped_at"):
        shipped_at = _parse_time(row["shipped_at"], line, problems)

    if not number:
        return None
    orders = find_order_by_number(conn, number)
    wanted = row.get("connection") or None
    if wanted is not None:
        orders = [o for o in orders if o.connection_id == wanted]
    if not orders:
        problems.append(
            RowProblem(
                line,
                "order_number",
                f"order {number!r} is not in the store; run the orders sync first "
                "or check the number",
            )
        )
        return None
    if len(orders) > 1:
        ids = ", ".join(o.connection_id for o in orders)
        problems.append(
            RowProblem(
                line,
                "order_number",
                f"order {number!r} exists on several connections ({ids}); add a "
                "connection column naming one",
            )
        )
        return None

    if len(problems) > before:
        return None
    order = orders[0]
    return order.connection_id, Shipment(
        order_external_id=order.external_id,
        order_number=number,
        shipping_method=method,
        tracking_number=tracking,
        tracking_url=row.get("tracking_url") or None,
        shipped_at=shipped_at,
        imei=imei,
        serial_number=row.get("serial_number") or None,
    )
