"""The generated structure hooks: fast paths give the same models as the rules."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest

from backmarket_sdk import models
from backmarket_sdk.models import Address, Order, OrderLine, structure
from backmarket_sdk.models._converter import (
    _builder_class,
    _slot_setters,
    _structure_cents,
)
from backmarket_sdk.models.buyback import BuybackListing
from tests.sdk import fixtures

UTC = timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-04-29T09:35:24.123456Z", datetime(2022, 4, 29, 9, 35, 24, 123456, UTC)),
        ("2022-04-29T09:35:24.123Z", datetime(2022, 4, 29, 9, 35, 24, 123000, UTC)),
        ("2022-04-29T09:35:24Z", datetime(2022, 4, 29, 9, 35, 24, tzinfo=UTC)),
        ("2022-04-29T09:35:24", datetime(2022, 4, 29, 9, 35, 24, tzinfo=UTC)),
        ("2022-04-29T09:35:24+00:00", datetime(2022, 4, 29, 9, 35, 24, tzinfo=UTC)),
        ("2021-05-05T06:58:31+02:00", datetime(2021, 5, 5, 4, 58, 31, tzinfo=UTC)),
        ("2021-05-05T06:58:31-05:30", datetime(2021, 5, 5, 12, 28, 31, tzinfo=UTC)),
        (
            "2022-04-29T09:35:24.1234567+0000",
            datetime(2022, 4, 29, 9, 35, 24, 123456, UTC),
        ),
        ("2021-05-05", datetime(2021, 5, 5, tzinfo=UTC)),
        ("2022-04-29 09:35:24", datetime(2022, 4, 29, 9, 35, 24, tzinfo=UTC)),
        (" 2022-04-29T09:35:24Z ", datetime(2022, 4, 29, 9, 35, 24, tzinfo=UTC)),
    ],
)
def test_model_datetime_forms(text: str, expected: datetime) -> None:
    data = fixtures.order(1)
    data["date_creation"] = text
    parsed = structure(data, Order).date_creation
    assert parsed == expected
    assert parsed is not None
    assert parsed.tzinfo is UTC
    assert parsed.utcoffset() == timedelta(0)


def test_model_datetime_invalid() -> None:
    data = fixtures.order(1)
    data["date_creation"] = "2022-13-45T09:35:24Z"
    with pytest.raises(ValueError, match="2022-13-45"):
        structure(data, Order)


def test_model_datetime_object() -> None:
    data = fixtures.order(1)
    paris = timezone(timedelta(hours=2))
    data["date_creation"] = datetime(2022, 4, 29, 11, tzinfo=paris)
    expected = datetime(2022, 4, 29, 9, tzinfo=UTC)
    assert structure(data, Order).date_creation == expected


def _field_values(model: Any) -> list[Any]:
    return [getattr(model, field.name) for field in attrs.fields(type(model))]


@pytest.mark.parametrize("cls", [Order, OrderLine, Address])
def test_slot_build_matches_init(cls: type[Any]) -> None:
    data = {
        Order: fixtures.order(3),
        OrderLine: fixtures.orderline(31, "SKU-3"),
        Address: fixtures.address(),
    }[cls]
    built = structure(data, cls)
    through_init = cls(*_field_values(built))
    assert _slot_setters(cls) is not None
    assert type(built) is cls
    assert built == through_init
    assert repr(built) == repr(through_init)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.extra = {}


def test_models_build_through_twin() -> None:
    classes = [
        value
        for value in vars(models).values()
        if isinstance(value, type) and attrs.has(value)
    ]
    by_slots = [cls for cls in classes if _slot_setters(cls) is not None]
    slow = [cls.__name__ for cls in by_slots if _builder_class(cls) is None]
    assert len(by_slots) > 25
    assert slow == []


@attrs.frozen(weakref_slot=False)
class NotedAddress(Address):
    note: str | None = None


def test_model_subclass_builds() -> None:
    data = {**fixtures.address(city="Nantes"), "note": "ring twice"}
    built = structure(data, NotedAddress)
    assert _builder_class(NotedAddress) is None
    assert type(built) is NotedAddress
    assert built.city == "Nantes"
    assert built.note == "ring twice"
    assert built.extra == {}


def test_converter_field_uses_init() -> None:
    data = {
        "id": fixtures.LISTING_UUID,
        "prices": {"FR": {"amount": "34.50", "currency": "EUR"}},
    }
    listing = structure(data, BuybackListing)
    assert _slot_setters(BuybackListing) is None
    assert listing.prices["FR"].amount == Decimal("34.50")


@pytest.mark.parametrize(
    ("cents", "expected"),
    [
        (500, "5.00"),
        (1999, "19.99"),
        (0, "0.00"),
        (7, "0.07"),
        (-250, "-2.50"),
        ("1999", "19.99"),
        (1999.0, "19.99"),
        (10**21, "10000000000000000000.00"),
    ],
)
def test_cents_amount(cents: object, expected: str) -> None:
    amount = _structure_cents(cents)
    assert amount is not None
    assert str(amount) == expected


def test_cents_empty() -> None:
    assert _structure_cents("") is None
    assert _structure_cents(None) is None
