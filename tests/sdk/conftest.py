from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backmarket_sdk import AsyncBackMarketClient, BackMarketClient
from tests.sdk import fixtures
from tests.sdk.loopback import LoopbackServer

CASSETTE_DIR = Path(__file__).resolve().parents[2] / "cassettes"


class FakeTime:
    """A clock and sleeps that advance instantly and remember each wait."""

    def __init__(self, advance: bool = True) -> None:
        self.now = 1000.0
        self.advance = advance
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.advance:
            self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


def make_client(url: str, fake: FakeTime, **options: Any) -> BackMarketClient:
    options.setdefault("timeout", 5.0)
    return BackMarketClient(
        token=fixtures.TOKEN,
        user_agent=fixtures.USER_AGENT,
        base_url=url,
        clock=fake.clock,
        sleep=fake.sleep,
        **options,
    )


def make_async_client(
    url: str, fake: FakeTime, **options: Any
) -> AsyncBackMarketClient:
    options.setdefault("timeout", 5.0)
    return AsyncBackMarketClient(
        token=fixtures.TOKEN,
        user_agent=fixtures.USER_AGENT,
        base_url=url,
        clock=fake.clock,
        sleep=fake.async_sleep,
        **options,
    )


@pytest.fixture
def client(server: LoopbackServer, fake_time: FakeTime) -> Iterator[BackMarketClient]:
    with make_client(server.url, fake_time) as sdk:
        yield sdk


@pytest.fixture
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": ["authorization"],
        "match_on": ["method", "path", "query", "body"],
        "decode_compressed_response": True,
    }


@pytest.fixture
def vcr_cassette_dir() -> str:
    return str(CASSETTE_DIR)
