"""The sandbox clock: a start time that follows real time unless frozen."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone


class SandboxClock:
    """Sandbox time, which tests move by hand and demos let run.

    The clock starts at ``start`` and, unless frozen, moves with the monotonic
    clock of the process. ``advance`` adds to it in both modes, so tests can
    jump over task durations and rate-limit windows without sleeping.

    Args:
        start: the sandbox time at creation, timezone aware.
        frozen: when True the clock moves only through ``advance``.
        monotonic: the real-time source, injectable for tests.
    """

    def __init__(
        self,
        start: datetime,
        *,
        frozen: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if start.tzinfo is None:
            raise ValueError(
                f"sandbox start time {start.isoformat()} has no timezone; "
                "pass an aware datetime such as datetime(..., tzinfo=timezone.utc)"
            )
        self._start = start.astimezone(timezone.utc)
        self._monotonic = monotonic
        self._origin = monotonic()
        self._offset = 0.0
        self._frozen = frozen
        self._frozen_elapsed = 0.0
        self._lock = threading.Lock()

    @property
    def frozen(self) -> bool:
        """Whether the clock ignores real time."""
        return self._frozen

    def _elapsed(self) -> float:
        if self._frozen:
            return self._frozen_elapsed
        return self._monotonic() - self._origin

    def seconds(self) -> float:
        """Return the sandbox seconds elapsed since ``start``."""
        with self._lock:
            return self._elapsed() + self._offset

    def now(self) -> datetime:
        """Return the current sandbox time in UTC."""
        return self._start + timedelta(seconds=self.seconds())

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by ``seconds`` and return the new time."""
        if seconds < 0:
            raise ValueError(
                f"cannot move the sandbox clock back ({seconds} s); "
                "pass a number of seconds >= 0"
            )
        with self._lock:
            self._offset += seconds
        return self.now()

    def freeze(self) -> None:
        """Stop following real time; only ``advance`` moves the clock."""
        with self._lock:
            if not self._frozen:
                self._frozen_elapsed = self._monotonic() - self._origin
                self._frozen = True

    def unfreeze(self) -> None:
        """Follow real time again from the current sandbox time."""
        with self._lock:
            if self._frozen:
                self._origin = self._monotonic() - self._frozen_elapsed
                self._frozen = False
