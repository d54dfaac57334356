from __future__ import annotations

import json

import pytest

from backmarket_sdk.sandbox import Sandbox
from tests.sandbox.conftest import START, make_sandbox


def all_orders(sandbox: Sandbox) -> list[dict]:
    return [sandbox.order(order_id) for order_id in sorted(sandbox.store.orders)]


def test_same_seed_same_data():
    first = all_orders(make_sandbox(seed=11))
    second = all_orders(make_sandbox(seed=11))
    other = all_orders(make_sandbox(seed=12))
    assert json.dumps(first) == json.dumps(second)
    assert json.dumps(first) != json.dumps(other)


def test_seed_covers_every_state():
    orders = all_orders(make_sandbox(orders=40))
    assert {order["state"] for order in orders} == {0, 10, 1, 3, 8, 9}
    line_states = {line["state"] for order in orders for line in order["orderlines"]}
    assert line_states == {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
    assert any(len(order["orderlines"]) > 1 for order in orders)
    assert {order["is_backship"] for order in orders} == {True, False}
    assert len({order["currency"] for order in orders}) >= 2
    assert len({order["country_code"] for order in orders}) >= 3
    shipped = [order for order in orders if order["state"] == 9]
    assert all(order["tracking_number"] for order in shipped)
    people = {order["shipping_address"]["lastName"] for order in orders}
    assert len(people) > 5
    assert all(o["shipping_address"]["email"].endswith("@example.com") for o in orders)


def test_orders_are_before_start():
    orders = all_orders(make_sandbox())
    assert all(
        order["date_creation"] < START.strftime("%Y-%m-%dT%H:%M:%S") for order in orders
    )


def test_large_seed_for_benchmarks():
    sandbox = Sandbox(seed=5, orders=3000, listing_count=2500, start=START)
    assert len(sandbox.store.orders) == 3000
    assert len(sandbox.skus) == len({sku.lower() for sku in sandbox.skus}) == 2500


def test_listing_count_passed_as_listings() -> None:
    with pytest.raises(TypeError, match="pass listing_count=240"):
        Sandbox(listings=240)  # type: ignore[arg-type]
