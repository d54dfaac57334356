"""Back Market's traffic and data limits, counted on the sandbox clock."""

from __future__ import annotations

import fnmatch
from collections import deque
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class RateLimits:
    """The limits the sandbox enforces; ``None`` turns a limit off.

    The defaults follow Back Market's published figures. Clients get about 200
    requests in 10 seconds, and about 20 in 10 seconds on catalog routes; going
    over blocks them for 10 seconds. Listing updates take about 2,000 SKU lines
    an hour, CSV rows and single-listing updates together.

    Attributes:
        general: requests allowed per ``window`` seconds on every API route.
        catalog: requests allowed per ``window`` seconds on ``catalog_routes``.
        window: the counting window in seconds.
        block: how long a client that went over stays blocked, in seconds.
        sku_lines_per_hour: SKU lines allowed per hour on listing updates.
        catalog_routes: ``METHOD /path`` glob patterns of the catalog routes.
        retry_after: whether 429s carry a Retry-After header. Back Market
            documents none, so the default is False.
    """

    general: int | None = 200
    catalog: int | None = 20
    window: float = 10.0
    block: float = 10.0
    sku_lines_per_hour: int | None = 2000
    # NOTE: Back Market names only "catalog" as a sensitive route family.
    # Which paths share the smaller budget is a guess, kept the same as the
    # SDK's client-side limiter: CSV imports, the category tree and BackBox BI.
    catalog_routes: tuple[str, ...] = (
        "POST /ws/listings",
        "POST /ws/listings/",
        "* /ws/category/*",
        "* /ws/listings_bi*",
    )
    retry_after: bool = False

    def scaled(self, factor: float) -> RateLimits:
        """Return limits with every budget multiplied by ``factor`` (at least 1).

        Tests use a small factor to reach a limit in a few requests.
        """
        if factor <= 0:
            raise ValueError(f"limit scale factor must be > 0, got {factor}")

        def scale(value: int | None) -> int | None:
            return None if value is None else max(1, round(value * factor))

        return replace(
            self,
            general=scale(self.general),
            catalog=scale(self.catalog),
            sku_lines_per_hour=scale(self.sku_lines_per_hour),
        )

    @classmethod
    def unlimited(cls) -> RateLimits:
        """Return limits under which no request gets a 429."""
        return cls(general=None, catalog=None, sku_lines_per_hour=None)


class _Budget:
    """A sliding-window request counter with a block period once exceeded."""

    def __init__(self, limit: int, window: float, block: float) -> None:
        self.limit = limit
        self.window = window
        self.block = block
        self.hits: deque[float] = deque()
        self.blocked_until = float("-inf")

    def take(self, now: float) -> bool:
        """Count one request at ``now``; return False when it is refused."""
        if now < self.blocked_until:
            return False
        while self.hits and self.hits[0] <= now - self.window:
            self.hits.popleft()
        if len(self.hits) >= self.limit:
            self.blocked_until = now + self.block
            self.hits.clear()
            return False
        self.hits.append(now)
        return True


class RateLimiter:
    """Applies ``RateLimits`` to requests, keyed by sandbox seconds."""

    HOUR = 3600.0

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._general = self._budget(limits.general)
        self._catalog = self._budget(limits.catalog)
        self._sku_lines: deque[tuple[float, int]] = deque()

    def _budget(self, limit: int | None) -> _Budget | None:
        if limit is None:
            return None
        return _Budget(limit, self.limits.window, self.limits.block)

    def is_catalog(self, method: str, path: str) -> bool:
        """Return whether ``method path`` counts against the catalog budget."""
        target = f"{method} {path}"
        return any(fnmatch.fnmatchcase(target, p) for p in self.limits.catalog_routes)

    def admit(self, method: str, path: str, now: float) -> bool:
        """Count a request; return False when a traffic limit refuses it."""
        if self._general is not None and not self._general.take(now):
            return False
        if self._catalog is not None and self.is_catalog(method, path):
            return self._catalog.take(now)
        return True

    def sku_lines_used(self, now: float) -> int:
        """Return the SKU lines counted in the hour before ``now``."""
        while self._sku_lines and self._sku_lines[0][0] <= now - self.HOUR:
            self._sku_lines.popleft()
        return sum(lines for _, lines in self._sku_lines)

    def admit_sku_lines(self, lines: int, now: float) -> bool:
        """Count ``lines`` SKU lines; return False, counting none, when over."""
        limit = self.limits.sku_lines_per_hour
        if limit is None:
            return True
        if self.sku_lines_used(now) + lines > limit:
            return False
        self._sku_lines.append((now, lines))
        return True
