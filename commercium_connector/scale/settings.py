"""Settings of the scale-out workers, read from environment variables.

- ``COMMERCIUM_CONFIG``: the host's TOML configuration (connections, store
  URL, sync interval). Required.
- ``COMMERCIUM_REDIS_URL``: Redis for the broker, the locks and the rate
  budgets; ``redis://127.0.0.1:6379/0`` by default.
- ``COMMERCIUM_LOCK_TTL``: seconds a cycle lock outlives a worker that died
  holding it; 300 by default. A live worker renews it every third of that.
- ``COMMERCIUM_RATE_GENERAL`` and ``COMMERCIUM_RATE_CATALOG``: a token's
  shared budgets as ``REQUESTS/SECONDS``; ``200/10`` and ``20/10`` by default,
  Back Market's documented limits.
- ``COMMERCIUM_RATE_MARGIN``: seconds added to each rate window; 0.5 by
  default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import attrs

from backmarket_sdk import RateLimits

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_LOCK_TTL = 300.0
DEFAULT_RATE_MARGIN = 0.5


class ScaleSettingsError(ValueError):
    """An environment variable of the scale-out workers is missing or invalid."""


@attrs.frozen
class ScaleSettings:
    """Settings of a worker or the scheduler, besides the host configuration.

    Attributes:
        config_path: The host's TOML configuration.
        redis_url: Redis for the broker, the locks and the rate budgets.
        lock_ttl: Seconds a cycle lock outlives a dead worker.
        rate_limits: Each token's budgets, shared by every worker.
        rate_margin: Seconds added to each rate window.
    """

    config_path: Path
    redis_url: str = DEFAULT_REDIS_URL
    lock_ttl: float = DEFAULT_LOCK_TTL
    rate_limits: RateLimits = attrs.field(factory=RateLimits)
    rate_margin: float = DEFAULT_RATE_MARGIN

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ScaleSettings:
        """Read the settings from ``env`` (``os.environ`` by default).

        Raises:
            ScaleSettingsError: Naming the variable and the expected form.
        """
        env = os.environ if env is None else env
        config = env.get("COMMERCIUM_CONFIG", "").strip()
        if not config:
            raise ScaleSettingsError(
                "COMMERCIUM_CONFIG is not set; export the path of the host's TOML "
                "configuration before starting a worker or the scheduler"
            )
        general, general_period = _budget(env, "COMMERCIUM_RATE_GENERAL", "200/10")
        catalog, catalog_period = _budget(env, "COMMERCIUM_RATE_CATALOG", "20/10")
        return cls(
            config_path=Path(config).expanduser(),
            redis_url=env.get("COMMERCIUM_REDIS_URL", "").strip() or DEFAULT_REDIS_URL,
            lock_ttl=_seconds(env, "COMMERCIUM_LOCK_TTL", DEFAULT_LOCK_TTL),
            rate_limits=RateLimits(
                general=general,
                general_period=general_period,
                catalog=catalog,
                catalog_period=catalog_period,
            ),
            rate_margin=_seconds(
                env, "COMMERCIUM_RATE_MARGIN", DEFAULT_RATE_MARGIN, allow_zero=True
            ),
        )


def _seconds(
    env: Mapping[str, str], name: str, default: float, *, allow_zero: bool = False
) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0 or (value == 0 and not allow_zero):
        bound = "0 or more" if allow_zero else "above 0"
        raise ScaleSettingsError(
            f"invalid {name}={raw!r}; use a number of seconds {bound}"
        )
    return value


def _budget(env: Mapping[str, str], name: str, default: str) -> tuple[int, float]:
    raw = env.get(name, "").strip() or default
    requests, _, seconds = raw.partition("/")
    try:
        count, period = int(requests), float(seconds)
    except ValueError:
        count, period = 0, 0.0
    if count < 1 or period <= 0:
        raise ScaleSettingsError(
            f"invalid {name}={raw!r}; write REQUESTS/SECONDS, e.g. {default}"
        )
    return count, period
