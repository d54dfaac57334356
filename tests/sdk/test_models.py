from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest

from backmarket_sdk import errors
from backmarket_sdk._http import RequestSpec
from backmarket_sdk.models import (
    Category,
    Grade,
    Listing,
    Order,
    OrderLineState,
    OrderState,
    PublicationState,
    Task,
    TaskStatus,
    structure,
)
from backmarket_sdk.models._converter import parse_datetime, parse_decimal
from backmarket_sdk.resources._base import parse_model
from tests.sdk import fixtures

UTC = timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-04-29T09:35:24.123456Z", datetime(2022, 4, 29, 9, 35, 24, 123456, UTC)),
        ("2022-04-29T09:35:24.123Z", datetime(2022, 4, 29, 9, 35, 24, 123000, UTC)),
        ("2022-04-29T09:35:24Z", datetime(2022, 4, 29, 9, 35, 24, tzinfo=UTC)),
        ("2022-04-29T09:35:24", datetime(2022, 4, 29, 9, 35, 24, tzinfo=UTC)),
        ("2021-05-05T06:58:31+02:00", datetime(2021, 5, 5, 4, 58, 31, tzinfo=UTC)),
        (
            "2022-04-29T09:35:24.1234567+0000",
            datetime(2022, 4, 29, 9, 35, 24, 123456, UTC),
        ),
        ("2021-05-05", datetime(2021, 5, 5, tzinfo=UTC)),
        ("2022-04-29 09:35:24", datetime(2022, 4, 29, 9, 35, 24, tzinfo=UTC)),
    ],
)
def test_datetime_forms(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


def test_datetime_invalid() -> None:
    with pytest.raises(ValueError, match="Invalid timestamp 'yesterday'"):
        parse_datetime("yesterday")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("299.25", Decimal("299.25")),
        (3.9, Decimal("3.9")),
        (12, Decimal(12)),
        ("0.10", Decimal("0.10")),
    ],
)
def test_decimal_exact(value: object, expected: Decimal) -> None:
    parsed = parse_decimal(value)
    assert parsed == expected
    assert str(parsed) == str(expected)


def test_decimal_invalid() -> None:
    with pytest.raises(ValueError, match="Invalid amount"):
        parse_decimal("12,50")


def test_order_parses_fixture() -> None:
    order = structure(fixtures.order(5), Order)
    line = order.orderlines[0]
    assert order.order_id == 5
    assert order.state is OrderState.PAID
    assert order.price == Decimal("229.00")
    assert order.date_payment == datetime(2024, 3, 1, 8, 16, 0, 123000, UTC)
    assert order.expected_dispatch_date == datetime(2024, 3, 3, 12, 0, tzinfo=UTC)
    assert order.shipping_address is not None
    assert order.shipping_address.postal_code == "75003"
    assert order.shipping_address.first_name == "Ada"
    assert line.listing == "SKU-5"
    assert line.state is OrderLineState.PAID
    assert line.backcare_price == Decimal("5.00")
    assert line.orderline_fee == Decimal("22.90")


def test_empty_strings_become_none() -> None:
    order = structure(fixtures.order(5), Order)
    assert order.tracking_number is None
    assert order.date_shipping is None
    assert order.orderlines[0].imei is None
    assert order.orderlines[0].return_message is None
    assert order.shipping_address is not None
    assert order.shipping_address.company is None


def test_unknown_values_kept() -> None:
    data = fixtures.order(5, state=42)
    data["orderlines"][0]["state"] = 77
    data["loyalty_points"] = 12
    order = structure(data, Order)
    assert order.state == 42
    assert order.state.name == "UNKNOWN_42"
    assert not order.state.is_known
    assert order.orderlines[0].state == 77
    assert order.extra == {"loyalty_points": 12}
    assert structure(fixtures.order(6, state=42), Order).state is order.state


def test_listing_parses_fixture() -> None:
    data = fixtures.listing(4567, "SKU-A")
    data["grade"] = "LIKE_NEW"
    listing = structure(data, Listing)
    assert listing.id == "7a97a1b6-547e-4718-bc72-000000004567"
    assert listing.listing_id == 4567
    assert listing.price == Decimal("160.99")
    assert listing.max_price == Decimal("199.90")
    assert listing.min_price is None
    assert listing.grade == "LIKE_NEW"
    assert not listing.grade.is_known
    assert listing.publication_state is PublicationState.ONLINE
    assert listing.shippings[0].shipping_price == Decimal("0.00")


def test_grade_case_insensitive() -> None:
    assert Grade("excellent") is Grade.EXCELLENT


def test_task_status() -> None:
    base = {"task_id": 1, "last_action_error": None, "result": {}}
    statuses = {
        code: structure({**base, "action_status": code}, Task).status
        for code in (0, 2, 3, 8, 9)
    }
    assert statuses == {
        0: TaskStatus.TODO,
        2: TaskStatus.IN_PROGRESS,
        3: TaskStatus.UNKNOWN,
        8: TaskStatus.FAILED,
        9: TaskStatus.DONE,
    }


def test_category_children_renamed() -> None:
    tree = structure(fixtures.category_tree(), list[Category])
    assert tree[0].children[0].category_name == "iPhone"
    assert tree[0].children[0].attributes[0].field == "color"
    assert tree[0].extra == {}


def test_models_frozen() -> None:
    order = structure(fixtures.order(5), Order)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        order.state = OrderState.SHIPPED  # type: ignore[misc]


def test_missing_required_field() -> None:
    data = fixtures.order(5)
    del data["order_id"]
    spec = RequestSpec("GET", "/ws/orders/5")
    with pytest.raises(errors.MalformedResponseError, match="order_id") as caught:
        parse_model(data, Order, spec)
    assert caught.value.body == data


def test_wrong_type_field() -> None:
    data = fixtures.order(5)
    data["orderlines"] = "none"
    spec = RequestSpec("GET", "/ws/orders/5")
    with pytest.raises(errors.MalformedResponseError, match="expected a JSON array"):
        parse_model(data, Order, spec)
