"""Values that parse as numbers but cannot be real: rejected, naming the field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from backmarket_sdk import errors
from backmarket_sdk._http import RequestSpec
from backmarket_sdk.models import Order, structure
from backmarket_sdk.models._converter import FieldValueError, parse_decimal
from backmarket_sdk.models.care import CareOrderLine
from backmarket_sdk.resources._base import parse_model
from tests.sdk import fixtures

SPEC = RequestSpec("GET", "/ws/orders/1")
NOT_FINITE = ["NaN", "nan", "sNaN", "-NaN12", "Infinity", "-inf", "Inf", float("nan")]


@pytest.mark.parametrize("amount", NOT_FINITE)
def test_decimal_not_finite(amount: object) -> None:
    with pytest.raises(ValueError, match="expected a finite number"):
        parse_decimal(amount)


@pytest.mark.parametrize("amount", [*NOT_FINITE, float("inf")])
def test_order_price_not_finite(amount: object) -> None:
    data = fixtures.order(1)
    data["price"] = amount
    with pytest.raises(errors.MalformedResponseError, match=r"Order\.price") as caught:
        parse_model(data, Order, SPEC)
    assert "finite" in str(caught.value)
    assert caught.value.body == data


@pytest.mark.parametrize("field", ["price", "shipping_price", "orderline_fee"])
def test_orderline_amount_not_finite(field: str) -> None:
    data = fixtures.order(1)
    data["orderlines"][0][field] = "Infinity"
    with pytest.raises(errors.MalformedResponseError, match=rf"OrderLine\.{field}"):
        parse_model(data, Order, SPEC)


def test_cents_not_finite() -> None:
    data = fixtures.order(1)
    data["orderlines"][0]["backcare_price"] = float("nan")
    with pytest.raises(FieldValueError, match=r"OrderLine\.backcare_price"):
        structure(data, Order)


def test_amount_syntax_named() -> None:
    data = fixtures.order(1)
    data["sales_taxes"] = "12,50"
    with pytest.raises(FieldValueError) as caught:
        structure(data, Order)
    assert caught.value.model == "Order"
    assert caught.value.field == "sales_taxes"
    assert "Invalid amount '12,50'" in str(caught.value)


def test_finite_amounts_kept() -> None:
    data = fixtures.order(1)
    data["price"] = "1E+3"
    data["shipping_price"] = "-0.00"
    data["sales_taxes"] = 3.9
    order = structure(data, Order)
    assert order.price == Decimal("1E+3")
    assert str(order.shipping_price) == "-0.00"
    assert order.sales_taxes == Decimal("3.9")


@pytest.mark.parametrize("quantity", [0, -5, "0", "-1"])
def test_orderline_quantity_below_one(quantity: object) -> None:
    data = fixtures.order(1)
    data["orderlines"][0]["quantity"] = quantity
    with pytest.raises(
        errors.MalformedResponseError, match=r"OrderLine\.quantity"
    ) as caught:
        parse_model(data, Order, SPEC)
    assert "at least 1" in str(caught.value)


@pytest.mark.parametrize(("quantity", "expected"), [(1, 1), (3, 3), ("2", 2)])
def test_orderline_quantity_kept(quantity: object, expected: int) -> None:
    data = fixtures.order(1)
    data["orderlines"][0]["quantity"] = quantity
    assert structure(data, Order).orderlines[0].quantity == expected


def test_care_quantity_below_one() -> None:
    line: dict[str, Any] = {"id": 7, "quantity": 0}
    with pytest.raises(FieldValueError, match=r"CareOrderLine\.quantity"):
        structure(line, CareOrderLine)
    assert structure({"id": 7, "quantity": None}, CareOrderLine).quantity is None
    assert structure({"id": 7, "quantity": 2}, CareOrderLine).quantity == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("false", False),
        (" TRUE", True),
    ],
)
def test_bool_field_forms(value: object, expected: bool) -> None:
    data = fixtures.order(1)
    data["is_backship"] = value
    assert structure(data, Order).is_backship is expected


@pytest.mark.parametrize("value", ["no", "yes", 2, 1.0, {"amount": "1"}, []])
def test_bool_field_rejects_other_values(value: object) -> None:
    data = fixtures.order(1)
    data["is_backship"] = value
    with pytest.raises(ValueError, match=r"Order\.is_backship: Invalid boolean"):
        structure(data, Order)
