"""Generated bad input through the order converter, the catalog CSV builder
and the host's products CSV import: each gives a typed error or a correct
value, never a crash and never a silently changed or dropped value.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backmarket_sdk import errors
from backmarket_sdk._http import RequestSpec
from backmarket_sdk.models import Order
from backmarket_sdk.resources._base import parse_model
from backmarket_sdk.resources.listings import build_catalog_chunks
from commercium_connector.backmarket.identifiers import ProductIdentifier, ProductIndex
from commercium_connector.backmarket.normalise import normalise_order
from commercium_connector.host.csv_import import CsvImportError, import_products
from commercium_connector.host.store import Store, schema
from commercium_connector.host.store.catalog import load_products
from commercium_connector.types import Product
from tests.reliability.shop import settings_table

EXAMPLES = 80
SPEC = RequestSpec("GET", "/ws/orders/1")
RECEIVED = datetime(2026, 3, 2, 8, tzinfo=timezone.utc)

# Text a seller or a marketplace may send: accents, scripts written right to
# left, emoji, zero-width and combining marks, quotes and both delimiters.
odd_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),  # no lone surrogates
        st.sampled_from(list(",;\"'\t\\|\u200b\u0301\u202e\ufeff\U0001f4f1")),
    ),
    max_size=30,
)
huge_text = st.integers(1_000, 150_000).map(lambda n: "é" * n)
json_junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | odd_text,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(odd_text, inner, max_size=3)
    ),
    max_leaves=6,
)


# -- orders from Back Market --------------------------------------------------


def _line(**values: Any) -> dict[str, Any]:
    line: dict[str, Any] = {
        "id": 501,
        "listing": "REL-00",
        "state": 1,
        "quantity": 1,
        "price": "120.50",
        "shipping_price": "0.00",
        "currency": "EUR",
        "product": "Phone",
    }
    line.update(values)
    return line


@st.composite
def orders(draw: st.DrawFn) -> dict[str, Any]:
    """A Back Market order in which any field may be odd or of a wrong type."""
    lines = []
    for n in range(draw(st.integers(0, 3))):
        line = _line(id=501 + n)
        for key in draw(st.sets(st.sampled_from(sorted(line)), max_size=1)):
            line[key] = draw(json_junk | odd_text | huge_text)
        if draw(st.booleans()):
            line["listing"] = draw(odd_text)
        lines.append(line)
    order: dict[str, Any] = {
        "order_id": 9001,
        "state": 1,
        "date_creation": "2026-03-01T10:00:00+01:00",
        "date_modification": "2026-03-01T10:05:00Z",
        "price": "120.50",
        "shipping_price": "0.00",
        "currency": "EUR",
        "country_code": "fr-fr",
        "shipping_address": {"first_name": "Zoë", "city": "Saint-Étienne"},
        "orderlines": lines,
    }
    for key in draw(st.sets(st.sampled_from(sorted(order)), max_size=1)):
        order[key] = draw(json_junk | odd_text | huge_text)
    return order


def test_order_converter() -> None:
    from commercium_connector.backmarket.settings import parse_settings

    order_settings = parse_settings(settings_table()).orders
    identifier = ProductIdentifier(kind="sku")
    index = ProductIndex.build(identifier, [Product(sku="REL-00", title="Phone")])
    outcomes = {"parsed": 0, "rejected": 0}

    @settings(max_examples=EXAMPLES * 2, deadline=None)
    @given(orders())
    def check(data: dict[str, Any]) -> None:
        try:
            order = parse_model(data, Order, SPEC)
        except errors.MalformedResponseError as error:
            assert "Order" in str(error)
            outcomes["rejected"] += 1
            return
        raw_lines = data["orderlines"] or []
        amounts = [data["price"]] + [line["price"] for line in raw_lines]
        assert all(_money(amount).is_finite() for amount in amounts)
        assert all(line.quantity >= 1 for line in order.orderlines)
        outcomes["parsed"] += 1
        host = normalise_order(order, order_settings, "fr-fr", index, RECEIVED)
        assert host.external_id == str(_number(data["order_id"]))
        assert len(host.lines) == len(raw_lines)
        for line, raw in zip(host.lines, raw_lines, strict=True):
            assert line.marketplace_sku == _text(raw["listing"])
            assert line.quantity == _number(raw["quantity"])
            assert line.unit_price == _money(raw["price"])
        assert host.total == _money(data["price"])
        assert host.created_at.tzinfo is not None

    check()
    print(
        f"order converter: {sum(outcomes.values())} generated orders, "
        f"{outcomes['parsed']} parsed, {outcomes['rejected']} rejected"
    )
    assert outcomes["parsed"] and outcomes["rejected"]


def _text(raw: Any) -> str:
    return raw if isinstance(raw, str) else str(raw)


def _number(raw: Any) -> Any:
    """A whole number sent as text reads as that number; others stay as sent."""
    return int(raw) if isinstance(raw, str) else raw


def _money(raw: Any) -> Decimal:
    """What an amount of the API should read as; no amount reads as zero."""
    if raw is None or raw == "":
        return Decimal(0)
    return Decimal(repr(raw) if isinstance(raw, float) else raw)


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-inf", float("nan")])
def test_order_amount_not_finite(amount: object) -> None:
    data = {"order_id": 1, "state": 1, "price": amount, "orderlines": []}
    print(f"order amount {amount!r}: 1 case tried")
    with pytest.raises(errors.MalformedResponseError):
        parse_model(data, Order, SPEC)


@pytest.mark.parametrize("quantity", [0, -5])
def test_orderline_quantity_below_one(quantity: int) -> None:
    data = {"order_id": 1, "state": 1, "orderlines": [_line(quantity=quantity)]}
    print(f"orderline quantity {quantity}: 1 case tried")
    with pytest.raises(errors.MalformedResponseError):
        parse_model(data, Order, SPEC)


# -- catalog CSV built by the SDK -----------------------------------------------

cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    odd_text,
    odd_text.map(lambda t: f"line one\n{t}\r\nline three"),
)
wrong_values = st.one_of(
    st.binary(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.sampled_from([float("nan"), float("inf"), -float("inf")]),
)
columns = st.sampled_from(["quantity", "price", "comment", "title", "grade", "ré;f"])


@st.composite
def catalogs(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n in range(draw(st.integers(1, 6))):
        sku: Any = f"S{n}-{draw(odd_text)}"
        if draw(st.integers(0, 19)) == 19:  # Hypothesis favours 0: keep it rare
            sku = draw(st.sampled_from(["", "  ", None, 42, "S0-"]))
        row: dict[str, Any] = {"sku": sku}
        for column in draw(st.sets(columns, max_size=4)):
            wrong = draw(st.integers(0, 29)) == 29
            row[column] = draw(wrong_values if wrong else cell_values)
        rows.append(row)
    return rows


def _wrong_type(value: Any) -> bool:
    if isinstance(value, float):
        return value != value or abs(value) == float("inf")
    return isinstance(value, (bytes, list, dict))


def _expected_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def test_catalog_csv_builder() -> None:
    outcomes = {"built": 0, "rejected": 0}

    @settings(max_examples=EXAMPLES * 2, deadline=None)
    @given(
        catalogs(),
        st.sampled_from([",", ";", "\t", "|"]),
        st.sampled_from(['"', "'"]),
        st.sampled_from(["utf-8"] * 4 + ["latin-1", "cp1252"]),
        st.integers(2, 8),
    )
    def check(
        rows: list[dict[str, Any]],
        delimiter: str,
        quotechar: str,
        encoding: str,
        max_lines: int,
    ) -> None:
        try:
            chunks = build_catalog_chunks(
                rows,
                delimiter=delimiter,
                quotechar=quotechar,
                encoding=encoding,
                max_lines=max_lines,
            )
        except errors.InvalidRequestError as error:
            assert str(error)
            outcomes["rejected"] += 1
            return
        wrong = [v for row in rows for v in row.values() if _wrong_type(v)]
        assert wrong == [], "built with values CSV cannot hold"
        outcomes["built"] += 1
        header = list(dict.fromkeys(str(k) for row in rows for k in row))
        read: list[list[str]] = []
        for chunk in chunks:
            chunk.encode(encoding)  # what is declared is what is sent
            assert chunk.count("\n") + 1 <= max_lines
            parsed = list(
                csv.reader(
                    io.StringIO(chunk, newline=""),
                    delimiter=delimiter,
                    quotechar=quotechar,
                )
            )
            assert parsed[0] == header
            read += parsed[1:]
        wanted = [[_expected_cell(row.get(c)) for c in header] for row in rows]
        assert read == wanted

    check()
    print(
        f"catalog CSV builder: {sum(outcomes.values())} generated catalogs, "
        f"{outcomes['built']} built, {outcomes['rejected']} rejected"
    )
    assert outcomes["built"] and outcomes["rejected"]


# -- products CSV imported by the host -----------------------------------------

good_quantities = st.integers(0, 10**6).map(str)
good_prices = st.decimals(min_value=0, max_value=10**6, places=2).map(str)
quantities = good_quantities | st.sampled_from(
    ["", " 7 ", "٣", "-1", "1.5", "abc", "1e3", "NaN", "10" * 20]
)
prices = st.decimals(min_value=0, max_value=10**6, places=2).map(str) | st.sampled_from(
    ["", "12,50", "-3", "1.000,00", "NaN", "inf", "€12", "1e400"]
)


@st.composite
def product_files(draw: st.DrawFn) -> tuple[str, list[dict[str, str]]]:
    delimiter = draw(st.sampled_from([",", ";"]))
    rows = []
    for n in range(draw(st.integers(1, 3))):
        sku = f"P{n}{draw(odd_text)}" if draw(st.integers(0, 9)) < 9 else draw(odd_text)
        rows.append(
            {
                "sku": sku,
                "title": draw(odd_text | odd_text | huge_text),
                "quantity": draw(
                    quantities if draw(st.integers(0, 3)) == 3 else good_quantities
                ),
                "price": draw(prices if draw(st.integers(0, 3)) == 3 else good_prices),
                "currency": draw(
                    st.sampled_from(["EUR"] * 6 + ["eur", "", "EURO", "€"])
                ),
                "colour": draw(odd_text),
            }
        )
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(rows[0]), delimiter=delimiter, lineterminator="\r\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue(), rows


def _nfc(text: str) -> str:
    """The import keeps each value stripped and in Unicode NFC form."""
    return unicodedata.normalize("NFC", text.strip())


def _stored(store: Store) -> dict[str, Product]:
    with store.read() as conn:
        return {p.sku: p for p in load_products(conn)}


def test_products_csv_import(tmp_path: Path) -> None:
    outcomes = {"imported": 0, "rejected": 0, "garbage": 0}
    path = tmp_path / "products.csv"
    with Store.open(tmp_path / "store.sqlite") as store:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.large_base_example,
            ],
        )
        @given(product_files())
        def check(generated: tuple[str, list[dict[str, str]]]) -> None:
            text, rows = generated
            path.write_text(text, encoding="utf-8")
            with store.transaction() as conn:  # each file meets an empty store
                for table in reversed(schema.metadata.sorted_tables):
                    if table is not schema.schema_migrations:
                        conn.execute(table.delete())
            before = _stored(store)
            try:
                import_products(store, path)
            except CsvImportError as error:
                assert str(path) in str(error)
                assert error.problems
                assert _stored(store) == before  # nothing half-imported
                outcomes["rejected"] += 1
                return
            outcomes["imported"] += 1
            stored = _stored(store)
            for row in rows:
                product = stored[_nfc(row["sku"])]
                assert product.title == _nfc(row["title"])
                quantity = row["quantity"].strip()
                assert product.quantity == (int(quantity) if quantity else None)
                if row["price"].strip():
                    assert product.price is not None
                    assert product.currency == row["currency"].strip().upper()
                assert product.fields.get("colour", "") == _nfc(row["colour"])

        @settings(max_examples=EXAMPLES, deadline=None)
        @given(st.binary(max_size=300) | odd_text.map(str.encode))
        def garbage(content: bytes) -> None:
            path.write_bytes(b"sku,quantity\n" + content)
            try:
                import_products(store, path)
            except CsvImportError as error:
                assert error.problems
            outcomes["garbage"] += 1

        check()
        garbage()
    print(
        f"products CSV import: {sum(outcomes.values())} generated files, "
        f"{outcomes['imported']} imported, {outcomes['rejected']} rejected, "
        f"{outcomes['garbage']} of raw bytes"
    )
    assert outcomes["imported"] and outcomes["rejected"]
