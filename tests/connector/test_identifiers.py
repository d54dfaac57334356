from __future__ import annotations

import pytest

from commercium_connector.backmarket.identifiers import (
    IdentifierCollisionError,
    ProductIdentifier,
    ProductIndex,
)
from tests.connector.conftest import product


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sku", ProductIdentifier(kind="sku")),
        (" barcode ", ProductIdentifier(kind="barcode")),
        ("field:mpn", ProductIdentifier(kind="field", field="mpn")),
    ],
)
def test_identifier_parse(text: str, expected: ProductIdentifier) -> None:
    assert ProductIdentifier.parse(text) == expected


@pytest.mark.parametrize("text", ["", "ean", "field:", "field:  "])
def test_identifier_parse_invalid(text: str) -> None:
    with pytest.raises(ValueError, match="use 'sku', 'barcode'"):
        ProductIdentifier.parse(text)


def test_identifier_values() -> None:
    item = product("SKU-1", barcode=" 0190198 ", fields={"mpn": "MPN-9", "blank": " "})
    assert ProductIdentifier(kind="sku").value_of(item) == "SKU-1"
    assert ProductIdentifier(kind="barcode").value_of(item) == "0190198"
    assert ProductIdentifier(kind="field", field="mpn").value_of(item) == "MPN-9"
    assert ProductIdentifier(kind="field", field="blank").value_of(item) is None
    assert ProductIdentifier(kind="field", field="absent").value_of(item) is None


def test_index_matches_ignoring_case() -> None:
    index = ProductIndex.build(
        ProductIdentifier(kind="sku"), [product("iPhone-13-Blue"), product("Pixel-7")]
    )
    found = index.find("IPHONE-13-BLUE")
    assert found is not None
    assert found.sku == "iPhone-13-Blue"
    assert index.find("pixel-7 ") is not None
    assert index.find("Pixel-8") is None


def test_index_collision_names_both() -> None:
    with pytest.raises(IdentifierCollisionError) as caught:
        ProductIndex.build(
            ProductIdentifier(kind="sku"), [product("Case-A"), product("CASE-a")]
        )
    message = str(caught.value)
    assert "'Case-A'" in message
    assert "'CASE-a'" in message
    assert "case insensitive" in message


def test_index_collision_on_field() -> None:
    identifier = ProductIdentifier(kind="field", field="mpn")
    first = product("A", fields={"mpn": "x1"})
    second = product("B", fields={"mpn": "X1"})
    with pytest.raises(IdentifierCollisionError, match="'A' and 'B'"):
        ProductIndex.build(identifier, [first, second])


def test_index_same_product_twice() -> None:
    item = product("A")
    index = ProductIndex.build(ProductIdentifier(kind="sku"), [item, item])
    assert index.find("a") == item


def test_index_keeps_blank_apart() -> None:
    index = ProductIndex.build(
        ProductIdentifier(kind="barcode"), [product("A", barcode=None), product("B")]
    )
    assert len(index.missing) == 2
    assert index.products == {}
