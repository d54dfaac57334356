"""The scale-out parts one at a time: limiter, lock, settings, enqueuing."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import httpx
import pytest
import redis
import sqlalchemy as sa

from backmarket_sdk import BackMarketClient, RateLimits
from backmarket_sdk.sandbox import Sandbox
from commercium_connector.scale.cycles import check_steps, enqueue_cycles, queued_key
from commercium_connector.scale.engine import is_retryable
from commercium_connector.scale.lock import CycleLock
from commercium_connector.scale.ratelimit import RedisRateLimiter, token_key
from commercium_connector.scale.settings import ScaleSettings, ScaleSettingsError
from commercium_connector.scale.transport import RateLimitedTransport, is_catalog

TOKEN = "unit-test-token"


@pytest.fixture
def client(redis_url: str) -> redis.Redis:
    connection = redis.Redis.from_url(redis_url)
    yield connection  # type: ignore[misc]
    connection.close()


def test_limiter_grants_up_to_limit(client: redis.Redis) -> None:
    limiter = RedisRateLimiter(
        client, TOKEN, limits=RateLimits(general=3, general_period=5), margin=0
    )
    assert [limiter.try_acquire(False) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.try_acquire(False)
    assert 4.0 < wait <= 5.0


def test_limiter_shared_between_instances(client: redis.Redis) -> None:
    limits = RateLimits(general=2, general_period=5)
    first = RedisRateLimiter(client, TOKEN, limits=limits)
    second = RedisRateLimiter(client, TOKEN, limits=limits)
    other_token = RedisRateLimiter(client, "another-token", limits=limits)
    assert first.try_acquire(False) == 0.0
    assert second.try_acquire(False) == 0.0
    assert first.try_acquire(False) > 0
    assert second.try_acquire(False) > 0
    assert other_token.try_acquire(False) == 0.0


def test_limiter_catalog_budget(client: redis.Redis) -> None:
    limits = RateLimits(general=10, general_period=5, catalog=1, catalog_period=5)
    limiter = RedisRateLimiter(client, TOKEN, limits=limits)
    assert limiter.try_acquire(True) == 0.0
    assert limiter.try_acquire(True) > 0
    assert limiter.try_acquire(False) == 0.0  # the general budget has room


def test_limiter_window_slides(client: redis.Redis) -> None:
    limits = RateLimits(general=2, general_period=0.3)
    limiter = RedisRateLimiter(client, TOKEN, limits=limits, margin=0)
    waited = [limiter.acquire(False) for _ in range(5)]
    assert waited[:2] == [0.0, 0.0]
    assert all(w > 0 for w in waited[2:3])


def test_limiter_block_holds_calls(client: redis.Redis) -> None:
    limiter = RedisRateLimiter(client, TOKEN)
    limiter.block(2.0)
    assert 1.5 < limiter.try_acquire(False) <= 2.0
    limiter.block(0.5)  # a shorter block never shortens the current one
    assert limiter.try_acquire(False) > 1.0


def test_limiter_keys_hide_token(client: redis.Redis) -> None:
    limiter = RedisRateLimiter(client, TOKEN)
    limiter.try_acquire(True)
    limiter.block(1)
    keys = [k.decode() for k in client.keys("*")]
    assert len(keys) == 3
    assert all(token_key(TOKEN) in key for key in keys)
    assert all(TOKEN not in key for key in keys)


def test_limiter_rejects_negative_margin(client: redis.Redis) -> None:
    with pytest.raises(ValueError, match="margin"):
        RedisRateLimiter(client, TOKEN, margin=-1)


def test_sdk_client_uses_shared_limiter(client: redis.Redis) -> None:
    sandbox = Sandbox(seed=1, orders=3, token=TOKEN)
    shared = RedisRateLimiter(client, TOKEN, limits=RateLimits(general=2))
    sleeps: list[float] = []
    with BackMarketClient(
        token=TOKEN,
        base_url="https://sandbox.invalid",
        allow_custom_host=True,
        user_agent="BM-Acme-ScaleTest;dev@example.com",
        transport=sandbox.transport(),
        shared_limiter=shared,
        sleep=sleeps.append,
    ) as bm:
        bm.orders.get(next(iter(sandbox.store.orders)))
        bm.orders.get(next(iter(sandbox.store.orders)))
        assert sleeps == []
        assert shared.try_acquire(False) > 0  # the client took both slots


def test_transport_blocks_token_on_429(client: redis.Redis) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "3"})

    limiter = RedisRateLimiter(client, TOKEN)
    transport = RateLimitedTransport(limiter, httpx.MockTransport(answer))
    with httpx.Client(transport=transport) as http:
        assert http.get("http://127.0.0.1:9/ws/orders").status_code == 429
    assert 2.0 < limiter.try_acquire(False) <= 3.0


def test_catalog_routes() -> None:
    assert is_catalog("POST", "/ws/listings")
    assert is_catalog("GET", "/ws/category/tree")
    assert not is_catalog("POST", "/ws/listings/123")
    assert not is_catalog("GET", "/ws/orders")


def test_lock_second_holder_skipped(client: redis.Redis) -> None:
    first = CycleLock(client, "shop", ttl=5)
    second = CycleLock(client, "shop", ttl=5)
    with first.hold() as held:
        assert held
        assert first.holder() is not None
        with second.hold() as also_held:
            assert not also_held
    assert first.holder() is None
    assert not client.exists(first.key)


def test_lock_renewed_while_held(client: redis.Redis) -> None:
    lock = CycleLock(client, "shop", ttl=0.6)
    with lock.hold() as held:
        assert held
        time.sleep(1.0)  # longer than the TTL: only renewal keeps the lock
        assert client.exists(lock.key)
    assert not client.exists(lock.key)


def test_lock_expires_without_holder(client: redis.Redis) -> None:
    # A holder that died: the lock exists, and no process renews it.
    client.set("commercium:cycle:shop", "dead-token", px=300)
    lock = CycleLock(client, "shop", ttl=5)
    with lock.hold() as held:
        assert not held
    time.sleep(0.4)
    with lock.hold() as held:
        assert held


def test_lock_rejects_bad_ttl(client: redis.Redis) -> None:
    with pytest.raises(ValueError, match="TTL"):
        CycleLock(client, "shop", ttl=0)


def test_enqueue_skips_busy_and_queued(
    client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    sent: list[str] = []
    caplog.set_level(logging.INFO, "commercium_connector.scale")
    busy = CycleLock(client, "busy", ttl=5)
    with busy.hold():
        first = enqueue_cycles(client, ["busy", "idle"], sent.append, lock_ttl=5)
    assert first == ["idle"]
    assert "busy not enqueued: a cycle is running" in caplog.text

    again = enqueue_cycles(client, ["busy", "idle"], sent.append, lock_ttl=5)
    assert again == ["busy"]
    assert "idle not enqueued: one is already queued" in caplog.text
    assert sent == ["idle", "busy"]
    assert client.exists(queued_key("idle"))


def test_check_steps() -> None:
    assert check_steps(["orders"]) == ("orders",)
    assert check_steps(None)[0] == "orders"
    with pytest.raises(ValueError, match="'stock'"):
        check_steps(["orders", "stock"])


def test_settings_from_env(tmp_path: Path) -> None:
    settings = ScaleSettings.from_env(
        {
            "COMMERCIUM_CONFIG": str(tmp_path / "c.toml"),
            "COMMERCIUM_REDIS_URL": "redis://127.0.0.1:6390/1",
            "COMMERCIUM_LOCK_TTL": "30",
            "COMMERCIUM_RATE_GENERAL": "100/10",
            "COMMERCIUM_RATE_MARGIN": "0",
        }
    )
    assert settings.config_path == tmp_path / "c.toml"
    assert settings.redis_url == "redis://127.0.0.1:6390/1"
    assert settings.lock_ttl == 30.0
    assert settings.rate_limits.general == 100
    assert settings.rate_limits.catalog == 20
    assert settings.rate_margin == 0.0


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "COMMERCIUM_CONFIG is not set"),
        ({"COMMERCIUM_LOCK_TTL": "0"}, "COMMERCIUM_LOCK_TTL='0'"),
        ({"COMMERCIUM_RATE_GENERAL": "fast"}, "REQUESTS/SECONDS"),
        ({"COMMERCIUM_RATE_CATALOG": "0/10"}, "COMMERCIUM_RATE_CATALOG"),
    ],
)
def test_settings_invalid(env: dict[str, str], message: str) -> None:
    if env:
        env = {"COMMERCIUM_CONFIG": "c.toml", **env}
    with pytest.raises(ScaleSettingsError, match=message):
        ScaleSettings.from_env(env)


def test_retryable_errors() -> None:
    class Deadlock(Exception):
        sqlstate = "40P01"

    class Unique(Exception):
        sqlstate = "23505"

    assert is_retryable(sa.exc.OperationalError("UPDATE", {}, Deadlock()))
    assert not is_retryable(sa.exc.IntegrityError("INSERT", {}, Unique()))
    assert not is_retryable(ValueError("no database error"))


def test_beat_interval_from_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from commercium_connector.scale.app import DEFAULT_INTERVAL, beat_schedule

    config = tmp_path / "c.toml"
    config.write_text(
        '[sync]\ninterval = 42\n\n[[connections]]\nid = "shop"\n'
        'channel = "backmarket"\ntoken_env = "SHOP_TOKEN"\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("COMMERCIUM_CONFIG", raising=False)
    assert beat_schedule()["commercium-sync-cycles"]["schedule"] == DEFAULT_INTERVAL

    monkeypatch.setenv("COMMERCIUM_CONFIG", str(config))
    entry = beat_schedule()["commercium-sync-cycles"]
    assert entry["task"] == "commercium.enqueue_cycles"
    assert entry["schedule"] == 42.0
