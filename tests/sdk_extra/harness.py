"""Clients, sandbox and cassettes shared by the tests and the recording script."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import vcr
from vcr.request import Request as VcrRequest

from backmarket_sdk import AsyncBackMarketClient, BackMarketClient
from backmarket_sdk.sandbox import Sandbox
from tests.sdk_extra.spec_validation import RecordingTransport

CASSETTE_DIR = Path(__file__).resolve().parents[2] / "cassettes" / "sdk_extra"
START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
USER_AGENT = "BM-Acme-AfterSalesTests;dev@example.com"
# Any loopback URL: during playback vcrpy returns the recorded response
# before any connection is opened.
PLAYBACK_URL = "http://127.0.0.1:9"
BOUNDARY_RE = re.compile(rb"boundary=([^;\s]+)")


def make_sandbox() -> Sandbox:
    """Return the seeded sandbox every test and cassette starts from."""
    return Sandbox(seed=7, orders=40, start=START, freeze_clock=True)


class FakeTime:
    """The client's clock and sleep; a sleep also moves the sandbox clock.

    The client's limiter then spaces calls in sandbox time, which the sandbox
    counts its own limits in, and no test waits for real.
    """

    def __init__(self, sandbox: Sandbox | None = None) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.sandbox = sandbox

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self.sandbox is not None:
            self.sandbox.advance(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


def make_client(
    base_url: str, token: str, fake: FakeTime, transport: RecordingTransport
) -> BackMarketClient:
    """Return a sync client with fake time, sending through ``transport``."""
    return BackMarketClient(
        token=token,
        user_agent=USER_AGENT,
        base_url=base_url,
        timeout=5.0,
        max_retries=0,
        clock=fake.clock,
        sleep=fake.sleep,
        transport=transport,
    )


def make_async_client(
    base_url: str, token: str, fake: FakeTime, transport: httpx.AsyncBaseTransport
) -> AsyncBackMarketClient:
    """Return an async client with fake time, sending through ``transport``."""
    return AsyncBackMarketClient(
        token=token,
        user_agent=USER_AGENT,
        base_url=base_url,
        timeout=5.0,
        max_retries=0,
        clock=fake.clock,
        sleep=fake.async_sleep,
        transport=transport,
    )


def _normalised_body(request: VcrRequest) -> bytes:
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    content_type = str(request.headers.get("Content-Type", "")).encode("latin-1")
    found = BOUNDARY_RE.search(content_type)
    if found:
        # httpx draws a random multipart boundary for each request.
        body = body.replace(found.group(1), b"BOUNDARY")
    return body


def body_matcher(first: VcrRequest, second: VcrRequest) -> None:
    """Match bodies, ignoring the random boundary of multipart bodies."""
    assert _normalised_body(first) == _normalised_body(second)


def make_vcr(record_mode: str) -> vcr.VCR:
    """Return the VCR of these cassettes; ``none`` fails on any unrecorded call."""
    recorder = vcr.VCR(
        cassette_library_dir=str(CASSETTE_DIR),
        record_mode=record_mode,
        filter_headers=["authorization"],
        match_on=["method", "path", "query", "multipart_body"],
        decode_compressed_response=True,
    )
    recorder.register_matcher("multipart_body", body_matcher)
    return recorder


Scenario = Callable[[BackMarketClient, FakeTime], Any]
