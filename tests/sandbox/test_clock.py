from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from backmarket_sdk.sandbox import SandboxClock

START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


class FakeMonotonic:
    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


def test_clock_follows_real_time():
    real = FakeMonotonic()
    clock = SandboxClock(START, monotonic=real)
    real.value += 2.5
    assert clock.now() == START + timedelta(seconds=2.5)
    clock.advance(60)
    assert clock.now() == START + timedelta(seconds=62.5)


def test_clock_freeze_and_unfreeze():
    real = FakeMonotonic()
    clock = SandboxClock(START, monotonic=real)
    real.value += 1
    clock.freeze()
    real.value += 100
    assert clock.now() == START + timedelta(seconds=1)
    assert clock.frozen is True
    clock.unfreeze()
    real.value += 2
    assert clock.now() == START + timedelta(seconds=3)


def test_clock_rejects_bad_input():
    with pytest.raises(ValueError, match="has no timezone"):
        SandboxClock(datetime(2026, 1, 5))
    clock = SandboxClock(START, frozen=True)
    with pytest.raises(ValueError, match="cannot move the sandbox clock back"):
        clock.advance(-1)
    assert clock.now() == START
