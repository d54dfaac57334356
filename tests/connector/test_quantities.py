from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from commercium_connector.backmarket.inventory import pushed_quantity
from commercium_connector.backmarket.orders import next_cursor, pull_start
from commercium_connector.backmarket.prices import market_amount
from commercium_connector.backmarket.shipments import clean_tracking
from tests.connector.conftest import make_settings

T0 = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("available", "safety", "default", "expected"),
    [
        (10, 0, 0, 10),
        (10, 3, 0, 7),
        (2, 3, 0, 0),
        (0, 0, 0, 0),
        (None, 3, 4, 4),
        (None, 0, 0, 0),
    ],
)
def test_pushed_quantity(
    available: int | None, safety: int, default: int, expected: int
) -> None:
    settings = make_settings(
        inventory={"safety_stock": safety}, products={"default_inventory": default}
    )
    assert pushed_quantity(available, settings) == expected


def test_pull_start_later_of_two() -> None:
    later = T0 + timedelta(days=1)
    assert pull_start(None, None) is None
    assert pull_start(None, T0) == T0
    assert pull_start(later, None) == later
    assert pull_start(later, T0) == later
    assert pull_start(T0, later) == later


def test_cursor_lags_newest() -> None:
    overlap = timedelta(minutes=10)
    newest = T0 + timedelta(hours=2)
    assert next_cursor(T0, newest, overlap) == newest - overlap
    assert next_cursor(T0, T0 + timedelta(minutes=3), overlap) == T0
    assert next_cursor(T0, None, overlap) == T0
    assert next_cursor(None, None, overlap) is None
    assert next_cursor(None, newest, overlap) == newest - overlap


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [("19.999", "EUR", "20.00"), ("19.994", "EUR", "19.99"), ("1200.5", "JPY", "1201")],
)
def test_market_amount(amount: str, currency: str, expected: str) -> None:
    from decimal import Decimal

    assert str(market_amount(Decimal(amount), currency)) == expected


def test_clean_tracking() -> None:
    assert clean_tracking(" 6A 1234\t5678 ") == "6A12345678"
    assert clean_tracking("  ") == ""


def test_pull_start_naive_cursor() -> None:
    assert pull_start(datetime(2026, 1, 5, 9), None) == T0
