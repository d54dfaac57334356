"""Read the catalog CSV file of ``backmarket catalog import``, strictly.

A stray quote makes a CSV reader join the following lines into one value,
so the rows after it would vanish from the import without a word. The file
is therefore parsed in strict mode and checked whole before anything is
sent: an unclosed quote or a line break in a column that contains one word or
number rejects the file, with the line and the fix.

NOTE: a stray quote in a free-text column such as ``comment`` that a later
quote closes at the end of that column's value reads as one multi-line
value, which the checks here cannot tell from a real one.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Generator
from pathlib import Path

from backmarket_sdk.cli.errors import CommandError
from backmarket_sdk.resources.listings import is_money_column

EXIT_USAGE = 2

SINGLE_LINE_COLUMNS = frozenset(
    {"sku", "ean", "product_id", "currency", "quantity", "warranty_delay"}
)
"""Columns whose values never span lines, besides the amount columns."""

QUOTING_FIX = (
    "Close the quote, or double a quote that is part of a value and wrap the "
    'value in quotes, as in "27"" screen".'
)


def _single_line(column: str) -> bool:
    return (
        column in SINGLE_LINE_COLUMNS
        or is_money_column(column)
        or column.startswith("shipping_delay")
    )


def _records(
    path: Path, delimiter: str
) -> Generator[tuple[int, list[str]], None, None]:
    """Yield each record of the file with the line it starts on.

    Raises:
        CommandError: The file is missing, not UTF-8 or its quoting is
            malformed.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, delimiter=delimiter, strict=True)
            start = 1
            try:
                for fields in reader:
                    yield start, fields
                    start = reader.line_num + 1
            except csv.Error as error:
                raise CommandError(
                    _quoting_message(path, start, reader.line_num, error),
                    exit_code=EXIT_USAGE,
                ) from None
    except FileNotFoundError:
        raise CommandError(f"File not found: {path}", exit_code=EXIT_USAGE) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(
            f"Cannot read {path} as UTF-8 CSV: {error}", exit_code=EXIT_USAGE
        ) from None


def _quoting_message(path: Path, start: int, end: int, error: csv.Error) -> str:
    where = f"line {start}" if end <= start else f"lines {start} to {end}"
    if "field larger than field limit" in str(error):
        return (
            f"Invalid catalog {path}, {where}: a value is longer than "
            f"{csv.field_size_limit()} characters. Shorten it. If no value should "
            f"be that long, a quote opened on line {start} is probably not "
            f"closed: {QUOTING_FIX}"
        )
    return (
        f"Invalid catalog {path}, {where}: malformed quoting ({error}). A quote "
        f"opened on line {start} is not closed where a value ends. {QUOTING_FIX} "
        "Nothing was sent."
    )


def _check_header(path: Path, header: list[str], delimiter: str) -> None:
    if "sku" not in header:
        raise CommandError(
            f"Invalid catalog {path}: the header line {header!r} has no 'sku' "
            f"column. Check the file and --delimiter (now {delimiter!r}).",
            exit_code=EXIT_USAGE,
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise CommandError(
            f"Invalid catalog {path}: the header line repeats the column "
            f"{', '.join(map(repr, repeated))}. Keep one column of each name.",
            exit_code=EXIT_USAGE,
        )


def _check_record(
    path: Path, line: int, header: list[str], fields: list[str], delimiter: str
) -> dict[str, str]:
    if len(fields) > len(header):
        raise CommandError(
            f"Invalid catalog {path}, line {line}: more values than "
            f"header columns. Quote values that contain {delimiter!r}.",
            exit_code=EXIT_USAGE,
        )
    if len(fields) < len(header):
        raise CommandError(
            f"Invalid catalog {path}, line {line}: {len(fields)} values where the "
            f"header has {len(header)} columns. Add the missing values; an empty "
            f"value is two {delimiter!r} in a row.",
            exit_code=EXIT_USAGE,
        )
    row = dict(zip(header, fields, strict=True))
    for column, value in row.items():
        if ("\n" in value or "\r" in value) and _single_line(column):
            raise CommandError(
                f"Invalid catalog {path}, line {line}: the {column!r} value "
                f"{value!r} spans several lines, so a quote opened on line {line} "
                f"is probably not closed. {QUOTING_FIX} Nothing was sent.",
                exit_code=EXIT_USAGE,
            )
    return row


def read_catalog(path: Path, delimiter: str) -> list[dict[str, str]]:
    """Read and check every row of a catalog CSV file.

    Blank lines are skipped. A row must have as many values as the header
    has columns.

    Raises:
        CommandError: The file is missing, unreadable or empty, has no
            ``sku`` column or a repeated one, has malformed quoting, a row
            of the wrong length, or a line break in a single-line column.
    """
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    # closing() shuts the file at once when a check below raises mid-way.
    with contextlib.closing(_records(path, delimiter)) as records:
        for line, fields in records:
            if header is None:
                header = fields
                _check_header(path, header, delimiter)
            elif fields:
                rows.append(_check_record(path, line, header, fields, delimiter))
    if header is None:
        raise CommandError(
            f"Invalid catalog {path}: the file is empty. Add a header line with "
            "a 'sku' column.",
            exit_code=EXIT_USAGE,
        )
    if not rows:
        raise CommandError(
            f"Invalid catalog {path}: no rows after the header.", EXIT_USAGE
        )
    return rows
