"""Cases the generated catalogs found in the SDK's catalog CSV builder."""

from __future__ import annotations

import csv
import io

import pytest

from backmarket_sdk import errors
from backmarket_sdk.resources.listings import build_catalog_chunks


def test_encoding_checked() -> None:
    # latin-1 has no 'Ā': sent as is, the task would fail on Back Market's side.
    with pytest.raises(errors.InvalidRequestError, match="'latin-1'"):
        build_catalog_chunks([{"sku": "REL-Ā"}], encoding="latin-1")
    [chunk] = build_catalog_chunks([{"sku": "REL-é"}], encoding="latin-1")
    assert chunk == "sku\nREL-é"
    print("catalog encoding: 2 cases tried")


def test_long_row_after_others() -> None:
    # A row too long for any catalog used to pass when rows came before it.
    rows: list[dict[str, object]] = [
        {"sku": "A"},
        {"sku": "B", "comment": "one\ntwo\nthree"},
    ]
    with pytest.raises(errors.InvalidRequestError, match="spans 3 lines"):
        build_catalog_chunks(rows, max_lines=3)
    chunks = build_catalog_chunks(rows, max_lines=4)
    assert chunks == ["sku,comment\nA,", 'sku,comment\nB,"one\ntwo\nthree"']
    print("catalog long row: 2 cases tried")


def test_carriage_return_kept() -> None:
    # An unquoted "\r" read back as a line end: the value lost it.
    rows: list[dict[str, object]] = [
        {"sku": "S0-\r", "comment": "a\rb"},
        {"sku": "S1", "comment": None},
    ]
    [chunk] = build_catalog_chunks(rows)
    read = list(csv.reader(io.StringIO(chunk, newline="")))
    assert read == [["sku", "comment"], ["S0-\r", "a\rb"], ["S1", ""]]
    print("catalog carriage return: 1 case tried")


@pytest.mark.parametrize(
    "value", [b"abc", [1, 2], {"a": 1}, float("nan"), float("inf")], ids=repr
)
def test_wrong_type_rejected(value: object) -> None:
    # str() used to send them as "b'abc'", "[1, 2]", "nan".
    with pytest.raises(errors.InvalidRequestError, match="column 'comment'"):
        build_catalog_chunks([{"sku": "A", "comment": value}])
    print(f"catalog value {value!r}: 1 case tried")
