from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from backmarket_sdk import models as bm
from commercium_connector.backmarket.identifiers import ProductIdentifier, ProductIndex
from commercium_connector.backmarket.normalise import normalise_order, order_status
from commercium_connector.backmarket.tasks import sku_outcomes
from commercium_connector.types import OrderStatus
from tests.connector.conftest import make_settings, product

FETCHED = datetime(2026, 1, 5, 12, tzinfo=timezone.utc)


def line(state: int, sku: str = "SKU-1", line_id: int = 1) -> bm.OrderLine:
    return bm.OrderLine(
        id=line_id,
        listing=sku,
        state=bm.OrderLineState(state),
        quantity=1,
        price=Decimal("10.50"),
        currency="EUR",
    )


def order(state: int, *lines: bm.OrderLine, **fields: object) -> bm.Order:
    return bm.Order(
        order_id=42,
        state=bm.OrderState(state),
        orderlines=list(lines),
        **fields,
    )


@pytest.mark.parametrize(
    ("state", "line_states", "expected"),
    [
        (0, (0,), OrderStatus.PENDING_PAYMENT),
        (10, (8,), OrderStatus.PENDING_PAYMENT),
        (1, (1,), OrderStatus.PAID),
        (3, (2, 4), OrderStatus.ACCEPTED),
        (9, (3, 6), OrderStatus.SHIPPED),
        (3, (4, 5), OrderStatus.CANCELLED),
        (8, (7,), OrderStatus.CANCELLED),
    ],
)
def test_order_status(
    state: int, line_states: tuple[int, ...], expected: OrderStatus
) -> None:
    lines = [line(value, f"SKU-{i}", i) for i, value in enumerate(line_states)]
    assert order_status(order(state, *lines)) is expected


def test_normalise_without_dates() -> None:
    index = ProductIndex.build(ProductIdentifier(kind="sku"), [product("sku-1")])
    settings = make_settings().orders
    normalised = normalise_order(order(1, line(1)), settings, "fr-fr", index, FETCHED)
    assert normalised.created_at == FETCHED
    assert normalised.modified_at == FETCHED
    assert normalised.total == Decimal("0")
    assert normalised.shipping_address.city == ""
    assert normalised.lines[0].product_key == "sku-1"
    assert normalised.lines[0].unit_price == Decimal("10.50")


def test_normalise_address_fields() -> None:
    address = bm.Address(
        first_name="Ada",
        last_name="Lovelace",
        street="1 Main St",
        postal_code="75003",
        city="Paris",
        country="FR",
        phone_number="+33600000000",
    )
    raw = order(3, line(2), shipping_address=address, price=Decimal("10.50"))
    index = ProductIndex.build(ProductIdentifier(kind="sku"), [])
    normalised = normalise_order(raw, make_settings().orders, "fr-fr", index, FETCHED)
    assert normalised.shipping_address.first_name == "Ada"
    assert normalised.shipping_address.postal_code == "75003"
    assert normalised.shipping_address.phone == "+33600000000"
    assert normalised.billing_address.last_name == ""
    assert normalised.lines[0].linked is False


def test_outcomes_from_mapping() -> None:
    task = bm.Task(
        task_id=1,
        action_status=9,
        result={
            "A-1": {"success": True, "id": "uuid-a", "listing_id": 7, "errors": []},
            "b-2": {"success": False, "errors": ["no product with ean 1"]},
        },
    )
    outcomes = sku_outcomes(task)
    assert outcomes["a-1"].ok is True
    assert outcomes["a-1"].listing_id == "uuid-a"
    assert outcomes["b-2"].ok is False
    assert outcomes["b-2"].reason == "no product with ean 1"


def test_outcomes_from_list() -> None:
    task = bm.Task(
        task_id=1,
        action_status=9,
        result=[{"sku": "C-3", "status": "error", "message": "bad grade"}],
    )
    outcome = sku_outcomes(task)["c-3"]
    assert outcome.ok is False
    assert outcome.reason == "bad grade"


def test_outcomes_empty_result() -> None:
    assert sku_outcomes(bm.Task(task_id=1, action_status=8, result=None)) == {}
