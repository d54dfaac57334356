from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from commercium_connector.backmarket.budget import split_by_budget
from commercium_connector.backmarket.inventory import pushed_quantity
from tests.connector.conftest import make_settings

SETTINGS = {
    safety: make_settings(inventory={"safety_stock": safety}) for safety in range(6)
}


@given(st.integers(min_value=-5, max_value=10_000), st.integers(0, 5))
def test_pushed_quantity_bounds(available: int, safety: int) -> None:
    quantity = pushed_quantity(available, SETTINGS[safety])
    assert quantity >= 0
    assert quantity <= max(0, available)
    if available >= safety:
        assert quantity == available - safety


@given(st.lists(st.integers(0, 50)), st.integers(0, 60))
def test_split_keeps_every_item(quantities: list[int], remaining: int) -> None:
    sent, deferred = split_by_budget(quantities, remaining, lambda value: value)
    assert sorted(sent + deferred) == sorted(quantities)
    assert len(sent) == min(remaining, len(quantities))
    if sent and deferred:
        assert max(sent) <= min(deferred)
