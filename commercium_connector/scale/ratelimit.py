"""A sliding-window rate limiter in Redis, shared by every worker of a token.

Back Market counts requests per token, so every worker process that uses one
token takes its send slots from the same Redis keys. One Lua script checks and
records a slot atomically, timed by the Redis server's clock, so the workers'
own clocks do not matter. Keys are named after a SHA-256 digest of the token,
never the token itself.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable

import redis

from backmarket_sdk import RateLimits

KEY_PREFIX = "commercium:rate"

# KEYS: general window, catalog window, block flag.
# ARGV: general limit, general period (ms), catalog limit, catalog period (ms),
#       1 when the call is a catalog call, unique member of this call.
# Returns 0 when a slot was recorded, else the milliseconds to wait.
_ACQUIRE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local blocked = redis.call('PTTL', KEYS[3])
if blocked > 0 then
  return blocked
end
local function wait_for(key, limit, period)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)
  local count = redis.call('ZCARD', key)
  if count < limit then
    return 0
  end
  -- The slot frees when the entry that keeps the window full leaves it.
  local entry = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
  return math.max(1, tonumber(entry[2]) + period - now)
end
local general_limit, general_period = tonumber(ARGV[1]), tonumber(ARGV[2])
local catalog_limit, catalog_period = tonumber(ARGV[3]), tonumber(ARGV[4])
local catalog = ARGV[5] == '1'
local wait = wait_for(KEYS[1], general_limit, general_period)
if catalog then
  wait = math.max(wait, wait_for(KEYS[2], catalog_limit, catalog_period))
end
if wait > 0 then
  return wait
end
redis.call('ZADD', KEYS[1], now, ARGV[6])
redis.call('PEXPIRE', KEYS[1], general_period)
if catalog then
  redis.call('ZADD', KEYS[2], now, ARGV[6])
  redis.call('PEXPIRE', KEYS[2], catalog_period)
end
return 0
"""

# KEYS: block flag. ARGV: milliseconds. Extends a block, never shortens it.
_BLOCK_SCRIPT = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 0
"""


def token_key(token: str) -> str:
    """Return the name under which a token's budgets are kept in Redis."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


class RedisRateLimiter:
    """The general and catalog budgets of one token, kept in Redis.

    It implements the SDK's ``SharedLimiter``: pass it to a client as
    ``shared_limiter``, or wrap a transport with ``RateLimitedTransport``.

    Args:
        client: The Redis client.
        token: The Back Market token whose budgets these are. Only its
            digest is kept.
        limits: The budgets; Back Market's documented ones by default.
        margin: Seconds added to each window. A request reaches Back Market
            a little after its slot is granted, and by a different delay
            for each worker, so windows as long as the server's could let a
            burst through at the edge of a window.
        prefix: The Redis key prefix.
    """

    def __init__(
        self,
        client: redis.Redis,
        token: str,
        *,
        limits: RateLimits | None = None,
        margin: float = 0.5,
        prefix: str = KEY_PREFIX,
    ) -> None:
        if margin < 0:
            raise ValueError(f"invalid margin {margin!r}; use 0 or more seconds")
        self.limits = limits or RateLimits()
        self.margin = margin
        base = f"{prefix}:{token_key(token)}"
        self._keys = [f"{base}:general", f"{base}:catalog", f"{base}:blocked"]
        self._acquire = client.register_script(_ACQUIRE_SCRIPT)
        self._block = client.register_script(_BLOCK_SCRIPT)

    def _period_ms(self, seconds: float) -> int:
        return int((seconds + self.margin) * 1000)

    def try_acquire(self, catalog: bool) -> float:
        """Take a send slot and return 0.0, or return seconds to wait first."""
        limits = self.limits
        waited = self._acquire(
            keys=self._keys,
            args=[
                limits.general,
                self._period_ms(limits.general_period),
                limits.catalog,
                self._period_ms(limits.catalog_period),
                1 if catalog else 0,
                uuid.uuid4().hex,
            ],
        )
        return int(waited) / 1000.0

    def acquire(
        self, catalog: bool = False, sleep: Callable[[float], None] = time.sleep
    ) -> float:
        """Wait until a slot is granted; return the seconds waited."""
        total = 0.0
        while (wait := self.try_acquire(catalog)) > 0:
            sleep(wait)
            total += wait
        return total

    def block(self, seconds: float) -> None:
        """Hold every worker's calls with this token for ``seconds``."""
        if seconds > 0:
            self._block(keys=[self._keys[2]], args=[int(seconds * 1000)])
