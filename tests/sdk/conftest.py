from __future__ import annotations

import json
import re
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


# Response headers that vary between recordings and carry no API data.
UNSTABLE_HEADERS = frozenset({"date", "server"})
MULTIPART_BOUNDARY = re.compile(rb"--[0-9a-f]{32}")


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response["headers"]
    for name in [n for n in headers if n.lower() in UNSTABLE_HEADERS]:
        del headers[name]
    return response


def _body_bytes(request: Any) -> bytes:
    body = request.body or b""
    return body.encode() if isinstance(body, str) else bytes(body)


def match_body(recorded: Any, replayed: Any) -> None:
    """Compare JSON bodies by value and multipart bodies without boundaries."""
    left, right = _body_bytes(recorded), _body_bytes(replayed)
    try:
        same = json.loads(left or b"null") == json.loads(right or b"null")
    except ValueError:
        same = MULTIPART_BOUNDARY.sub(b"", left) == MULTIPART_BOUNDARY.sub(b"", right)
    assert same, "request bodies differ"


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_matcher("sdk_body", match_body)


@pytest.fixture
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": ["authorization"],
        "before_record_response": scrub_response,
        "match_on": ["method", "path", "query", "sdk_body"],
        "decode_compressed_response": True,
    }


@pytest.fixture
def vcr_cassette_dir() -> str:
    return str(CASSETTE_DIR)
