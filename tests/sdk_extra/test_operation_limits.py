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


def test_hold_counts_from_completion() -> None:
    fake = FakeTime()
    limiter = make_limiter(BACKBOX_BUDGETS, fake)
    for _ in range(2):
        with limiter.hold("backbox.competitors", fake.sleep):
            fake.now += 0.6  # the response takes 0.6 s
    # Both slots count for one second from their completions, at 1000.6 and
    # 1001.2, so the third call may go at 1001.6.
    with limiter.hold("backbox.competitors", fake.sleep):
        pass
    assert fake.sleeps == [pytest.approx(0.4)]
    assert fake.now == pytest.approx(1001.6)


def test_hold_counts_calls_in_flight() -> None:
    fake = FakeTime()
    limiter = make_limiter(BACKBOX_BUDGETS, fake)
    first = limiter.hold("backbox.competitors", fake.sleep)
    second = limiter.hold("backbox.competitors", fake.sleep)
    first.__enter__()
    second.__enter__()
    # Two calls in flight fill the budget of 2 a second: a third has no send
    # time until one of them comes back, and gives up after max_wait.
    limiter.max_wait = 0.5
    third = limiter.hold("backbox.competitors", fake.sleep)
    with pytest.raises(OperationLimitError) as full:
        third.__enter__()
    assert full.value.operation == "backbox.competitors"
    assert fake.sleeps == [pytest.approx(0.1)] * 5
    first.__exit__(None, None, None)
    second.__exit__(None, None, None)
    limiter.max_wait = 60.0
    assert limiter.reserve("backbox.competitors") == pytest.approx(1.0)


def test_hold_releases_after_error() -> None:
    fake = FakeTime()
    limiter = make_limiter({"care.refund": (Budget(1, MINUTE),)}, fake)
    with (
        pytest.raises(errors.ServerError),
        limiter.hold("care.refund", fake.sleep),
    ):
        raise errors.ServerError("boom", status=500, method="POST", url="/ws/sav")
    assert limiter.reserve("care.refund") == pytest.approx(MINUTE)


def test_hold_disabled_counts_nothing() -> None:
    fake = FakeTime()
    limiter = OperationLimiter(BACKBOX_BUDGETS, fake.clock, enabled=False)
    for _ in range(10):
        with limiter.hold("backbox.competitors", fake.sleep):
            pass
    assert fake.sleeps == []


async def test_hold_async_waits_between_calls() -> None:
    fake = FakeTime()
    limiter = make_limiter({"care.list": (Budget(1, MINUTE),)}, fake)
    for _ in range(2):
        async with limiter.hold_async("care.list", fake.async_sleep):
            fake.now += 2.0
    assert fake.sleeps == [pytest.approx(MINUTE)]


def test_hold_with_sleep_that_keeps_clock() -> None:
    # Tests often pass sleep=lambda seconds: None; the call must still go.
    fake = FakeTime()
    limiter = make_limiter(BACKBOX_BUDGETS, fake)
    slept: list[float] = []
    for _ in range(3):
        with limiter.hold("backbox.competitors", slept.append):
            pass
    assert slept == [1.0]
    assert fake.now == 1000.0
