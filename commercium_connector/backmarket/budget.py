"""The hourly budget of SKU lines on Back Market's listing update paths.

Back Market documents a data limit of about 2,000 SKU lines an hour, counted
over real-time listing updates and catalog CSV lines together, and may return
429 above it. The budget is a sliding hour kept in the connection's state
store, so that it lasts across sync cycles and host restarts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from commercium_connector.types import StateStore

STATE_KEY = "budget:sku_lines"
WINDOW = timedelta(hours=1)

T = TypeVar("T")


class SkuBudget:
    """SKU lines spent in the last hour, stored in a connection's state.

    Args:
        state: The connection's state store.
        limit: SKU lines allowed in any hour.
        now: Returns the current aware UTC time.
    """

    def __init__(
        self, state: StateStore, limit: int, now: Callable[[], datetime]
    ) -> None:
        self._state = state
        self.limit = limit
        self._now = now

    def _entries(self) -> list[tuple[float, int]]:
        raw = self._state.get(STATE_KEY)
        if not raw:
            return []
        try:
            loaded = json.loads(raw)
            entries = [(float(stamp), int(count)) for stamp, count in loaded]
        except (ValueError, TypeError):
            # A damaged record counts as nothing spent rather than blocking
            # every update until someone edits the store by hand.
            return []
        horizon = (self._now() - WINDOW).timestamp()
        return [(stamp, count) for stamp, count in entries if stamp > horizon]

    def spent(self) -> int:
        """Return the SKU lines spent in the last hour."""
        return sum(count for _, count in self._entries())

    def remaining(self) -> int:
        """Return the SKU lines still allowed in the current hour."""
        return max(0, self.limit - self.spent())

    def spend(self, count: int) -> None:
        """Record ``count`` SKU lines sent now."""
        if count <= 0:
            return
        entries = self._entries()
        entries.append((self._now().timestamp(), count))
        self._state.set(STATE_KEY, json.dumps(entries))

    def frees_at(self) -> datetime | None:
        """Return when the oldest spending leaves the window, or None if none."""
        entries = self._entries()
        if not entries:
            return None
        oldest = min(stamp for stamp, _ in entries)
        return datetime.fromtimestamp(oldest, tz=self._now().tzinfo) + WINDOW


def split_by_budget(
    items: Sequence[T], remaining: int, priority: Callable[[T], object]
) -> tuple[list[T], list[T]]:
    """Split items into those sent now and those deferred, by priority.

    Args:
        items: The changes to send, one SKU line each.
        remaining: SKU lines left in the budget.
        priority: Sort key; lower values are sent first.

    Returns:
        The items to send now and the items to defer, each in priority order.
    """
    ordered = sorted(items, key=priority)  # type: ignore[arg-type]
    return ordered[:remaining], ordered[remaining:]
