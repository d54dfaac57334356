"""The per-operation budgets: Care per minute and per day, BackBox per second."""

from __future__ import annotations

import pytest

from backmarket_sdk import errors
from backmarket_sdk._operation_limits import (
    DAY,
    MINUTE,
    Budget,
    OperationLimiter,
    OperationLimitError,
)
from backmarket_sdk.resources.backbox import BACKBOX_BUDGETS
from backmarket_sdk.resources.care import CARE_BUDGETS
from tests.sdk_extra.harness import FakeTime


def make_limiter(
    budgets: dict[str, tuple[Budget, ...]], fake: FakeTime, max_wait: float = 60.0
) -> OperationLimiter:
    return OperationLimiter(budgets, fake.clock, max_wait=max_wait)


def test_limiter_spaces_backbox_calls() -> None:
    fake = FakeTime()
    limiter = make_limiter(BACKBOX_BUDGETS, fake)
    waits = [limiter.acquire("backbox.competitors", fake.sleep) for _ in range(5)]
    assert waits == [0.0, 0.0, 1.0, 0.0, 1.0]
    assert fake.now == 1002.0


def test_limiter_minute_budget_waits() -> None:
    fake = FakeTime()
    limiter = make_limiter(
        {"care.transfer_item": (Budget(3, MINUTE), Budget(5, DAY))}, fake
    )
    for _ in range(3):
        assert limiter.acquire("care.transfer_item", fake.sleep) == 0.0
    assert limiter.acquire("care.transfer_item", fake.sleep) == 60.0
    assert fake.sleeps == [60.0]


def test_limiter_day_budget_raises() -> None:
    fake = FakeTime()
    limiter = make_limiter({"care.refund": (Budget(2, DAY),)}, fake)
    limiter.acquire("care.refund", fake.sleep)
    limiter.acquire("care.refund", fake.sleep)
    with pytest.raises(OperationLimitError) as spent:
        limiter.acquire("care.refund", fake.sleep)
    assert spent.value.operation == "care.refund"
    assert spent.value.retry_after == DAY
    assert isinstance(spent.value, errors.InvalidRequestError)
    assert "care.refund" in str(spent.value)
    assert fake.sleeps == []


def test_limiter_refusal_keeps_slots() -> None:
    fake = FakeTime()
    limiter = make_limiter({"care.refund": (Budget(1, 120.0),)}, fake, max_wait=60.0)
    limiter.acquire("care.refund", fake.sleep)
    with pytest.raises(OperationLimitError):
        limiter.acquire("care.refund", fake.sleep)
    fake.now += 120.0
    # The refused call used no slot, so the budget is free again at once.
    assert limiter.acquire("care.refund", fake.sleep) == 0.0


def test_limiter_counts_markets_apart() -> None:
    fake = FakeTime()
    limiter = make_limiter(BACKBOX_BUDGETS, fake)
    for market in ("fr-fr", "de-de"):
        limiter.acquire(f"backbox.listings_bi:{market}", fake.sleep)
        limiter.acquire(f"backbox.listings_bi:{market}", fake.sleep)
    with pytest.raises(OperationLimitError):
        limiter.acquire("backbox.listings_bi:fr-fr", fake.sleep)


def test_limiter_disabled_never_waits() -> None:
    fake = FakeTime()
    limiter = OperationLimiter(BACKBOX_BUDGETS, fake.clock, enabled=False)
    waits = [limiter.reserve("backbox.competitors") for _ in range(10)]
    assert waits == [0.0] * 10


def test_limiter_unknown_key_free() -> None:
    fake = FakeTime()
    limiter = make_limiter(CARE_BUDGETS, fake)
    assert [limiter.reserve("care.other") for _ in range(1000)][-1] == 0.0


def test_care_budgets_documented() -> None:
    assert CARE_BUDGETS["care.list"] == (Budget(520, MINUTE), Budget(4000, DAY))
    assert CARE_BUDGETS["care.get"] == (Budget(600, MINUTE), Budget(40000, DAY))
    assert CARE_BUDGETS["care.declare_problem"] == (
        Budget(750, MINUTE),
        Budget(1000, DAY),
    )
    assert CARE_BUDGETS["care.refund"] == (Budget(500, DAY),)
    assert CARE_BUDGETS["care.post_message"] == (
        Budget(560, MINUTE),
        Budget(40000, DAY),
    )
    assert CARE_BUDGETS["care.transfer_item"] == (Budget(292, MINUTE), Budget(500, DAY))


@pytest.mark.parametrize(("limit", "period"), [(0, 1.0), (1, 0.0), (1, -5.0)])
def test_budget_rejects_invalid(limit: int, period: float) -> None:
    with pytest.raises(errors.ConfigurationError):
        Budget(limit, period)
