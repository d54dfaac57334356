from __future__ import annotations

from datetime import datetime, timedelta, timezone

from commercium_connector.backmarket.budget import STATE_KEY, SkuBudget, split_by_budget
from tests.connector.conftest import MemoryStateStore


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def test_budget_spends_and_frees() -> None:
    clock = FakeClock()
    state = MemoryStateStore()
    budget = SkuBudget(state, 100, clock)
    assert budget.remaining() == 100
    assert budget.frees_at() is None
    budget.spend(60)
    clock.now += timedelta(minutes=30)
    budget.spend(30)
    assert budget.spent() == 90
    assert budget.remaining() == 10
    assert budget.frees_at() == datetime(2026, 1, 5, 10, tzinfo=timezone.utc)
    clock.now += timedelta(minutes=31)
    assert budget.remaining() == 70


def test_budget_kept_in_state() -> None:
    clock = FakeClock()
    state = MemoryStateStore()
    SkuBudget(state, 100, clock).spend(40)
    assert STATE_KEY in state.values
    assert SkuBudget(state, 100, clock).remaining() == 60


def test_budget_never_negative() -> None:
    budget = SkuBudget(MemoryStateStore(), 10, FakeClock())
    budget.spend(25)
    assert budget.remaining() == 0


def test_budget_damaged_record() -> None:
    state = MemoryStateStore()
    state.set(STATE_KEY, "not json")
    assert SkuBudget(state, 10, FakeClock()).remaining() == 10


def test_split_zero_and_low_first() -> None:
    quantities = [7, 0, 3, 12, 0, 1]
    now, later = split_by_budget(quantities, 3, lambda quantity: quantity)
    assert now == [0, 0, 1]
    assert later == [3, 7, 12]


def test_split_with_room_for_all() -> None:
    now, later = split_by_budget([2, 1], 10, lambda quantity: quantity)
    assert now == [1, 2]
    assert later == []
