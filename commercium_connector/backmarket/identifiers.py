"""The unique product identifier that links host products to Back Market SKUs.

A connection chooses which host product field equals the seller SKU of a Back
Market listing: the host's SKU, its barcode, or another named field. Back
Market treats SKUs as case insensitive, so matching folds case on both sides.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import attrs

from commercium_connector.types import Product

IdentifierKind = Literal["sku", "barcode", "field"]

FIELD_PREFIX = "field:"


@attrs.frozen
class ProductIdentifier:
    """Choice of the host product field that contains the Back Market SKU.

    Attributes:
        kind: ``"sku"``, ``"barcode"`` or ``"field"``.
        field: The name of the field in ``Product.fields`` when ``kind`` is
            ``"field"``, else None.
    """

    kind: IdentifierKind
    field: str | None = None

    @classmethod
    def parse(cls, text: str) -> ProductIdentifier:
        """Build an identifier from its setting value.

        Args:
            text: ``"sku"``, ``"barcode"`` or ``"field:<name>"``.

        Raises:
            ValueError: The text matches none of these forms.
        """
        value = text.strip()
        if value in ("sku", "barcode"):
            return cls(kind=value)  # type: ignore[arg-type]
        if value.startswith(FIELD_PREFIX) and value[len(FIELD_PREFIX) :].strip():
            return cls(kind="field", field=value[len(FIELD_PREFIX) :].strip())
        raise ValueError(
            f"invalid product identifier {text!r}: use 'sku', 'barcode' "
            "or 'field:<name>' for a named host product field"
        )

    def describe(self) -> str:
        """Return the setting value that selects this identifier."""
        return f"{FIELD_PREFIX}{self.field}" if self.kind == "field" else self.kind

    def value_of(self, product: Product) -> str | None:
        """Return the product's identifier value, stripped, or None when blank."""
        if self.kind == "sku":
            raw: str | None = product.sku
        elif self.kind == "barcode":
            raw = product.barcode
        else:
            raw = product.fields.get(self.field or "")
        if raw is None or not raw.strip():
            return None
        return raw.strip()


def match_key(value: str) -> str:
    """Return the form of a SKU used to compare it, since SKUs ignore case."""
    return value.strip().casefold()


class IdentifierCollisionError(ValueError):
    """Two host products share one identifier value, ignoring case."""

    def __init__(self, identifier: ProductIdentifier, first: Product, second: Product):
        self.first = first
        self.second = second
        first_value = identifier.value_of(first)
        second_value = identifier.value_of(second)
        super().__init__(
            f"host products {first.sku!r} and {second.sku!r} share the product "
            f"identifier value {first_value!r} / {second_value!r} "
            f"({identifier.describe()}, compared ignoring case); Back Market "
            "SKUs are case insensitive, so give one of them another value"
        )


@attrs.frozen
class ProductIndex:
    """Host products by their identifier value, compared ignoring case.

    Attributes:
        identifier: The identifier the index was built with.
        products: Products keyed by ``match_key`` of their identifier value.
        missing: Products with a blank identifier value, which link to nothing.
    """

    identifier: ProductIdentifier
    products: dict[str, Product]
    missing: tuple[Product, ...]

    @classmethod
    def build(
        cls, identifier: ProductIdentifier, products: Iterable[Product]
    ) -> ProductIndex:
        """Index products by identifier value.

        Raises:
            IdentifierCollisionError: Two products share a value, ignoring
                case. The same product object listed twice is not a collision.
        """
        index: dict[str, Product] = {}
        missing: list[Product] = []
        for product in products:
            value = identifier.value_of(product)
            if value is None:
                missing.append(product)
                continue
            key = match_key(value)
            known = index.get(key)
            if known is not None and known != product:
                raise IdentifierCollisionError(identifier, known, product)
            index[key] = product
        return cls(identifier=identifier, products=index, missing=tuple(missing))

    def find(self, marketplace_sku: str) -> Product | None:
        """Return the host product whose identifier equals a Back Market SKU."""
        return self.products.get(match_key(marketplace_sku))

    def key_of(self, product: Product) -> str | None:
        """Return the product's identifier value, with its case kept."""
        return self.identifier.value_of(product)
