"""Categories of Back Market's product taxonomy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from backmarket_sdk.models._converter import JSON_KEY


@attrs.frozen(weakref_slot=False)
class CategoryAttribute:
    """A product attribute that a leaf category defines."""

    field: str
    field_name: str | None = None
    type: int | None = None
    """0 decimal, 1 integer, 2 string, 3 multiple choice."""
    allowed_values: str | None = None
    """Comma-separated allowed values."""
    required: bool | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class Category:
    """A category and the branch below it."""

    category_id: int
    category_name: str | None = None
    marketplace_category_id: int | None = None
    """Id that products reference as their category."""
    is_leaf: bool | None = None
    attributes: list[CategoryAttribute] = attrs.field(factory=list)
    children: list[Category] = attrs.field(
        factory=list, metadata={JSON_KEY: "childrens"}
    )
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""
