from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from backmarket_sdk.sandbox import Sandbox, SandboxServer
from tests.sandbox.spec_check import NoSpecChecker, SpecChecker
from tests.spec import spec_path

START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
USER_AGENT = "BM-Acme-SandboxTests;dev@example.com"


def make_sandbox(**overrides: Any) -> Sandbox:
    options: dict[str, Any] = {
        "seed": 7,
        "orders": 40,
        "start": START,
        "freeze_clock": True,
        "slow_seconds": 0.05,
        "timeout_seconds": 1.0,
    }
    options.update(overrides)
    return Sandbox(**options)


def api_headers(sandbox: Sandbox, market: str = "fr-fr") -> dict[str, str]:
    return {
        "Authorization": f"Basic {sandbox.token}",
        "User-Agent": USER_AGENT,
        "Accept-Language": market,
        "Accept": "application/json",
    }


def api_client(
    sandbox: Sandbox,
    check: SpecChecker | NoSpecChecker,
    base_url: str,
    *,
    market: str = "fr-fr",
    **options: Any,
) -> httpx.Client:
    """Return a client whose every response is validated against the spec."""
    options.setdefault("timeout", 5.0)
    return httpx.Client(
        base_url=base_url,
        headers=api_headers(sandbox, market),
        event_hooks={"response": [check.hook]},
        **options,
    )


def async_api_client(
    sandbox: Sandbox, check: SpecChecker | NoSpecChecker, base_url: str, **options: Any
) -> httpx.AsyncClient:
    """Return an async client whose every response is validated against the spec."""

    async def validate(response: httpx.Response) -> None:
        await response.aread()
        check.hook(response)

    return httpx.AsyncClient(
        base_url=base_url,
        headers=api_headers(sandbox),
        event_hooks={"response": [validate]},
        **options,
    )


@pytest.fixture(scope="session")
def check(request: pytest.FixtureRequest) -> SpecChecker | NoSpecChecker:
    # Without the spec file, behaviour tests still run; only schemas go unchecked.
    if spec_path() is None:
        return NoSpecChecker()
    return SpecChecker(request.getfixturevalue("openapi_spec"))


@pytest.fixture
def sandbox() -> Sandbox:
    return make_sandbox()


@pytest.fixture
def server(sandbox: Sandbox) -> Iterator[SandboxServer]:
    with sandbox.serve() as running:
        yield running


@pytest.fixture
def client(
    sandbox: Sandbox, server: SandboxServer, check: SpecChecker | NoSpecChecker
) -> Iterator[httpx.Client]:
    with api_client(sandbox, check, server.url) as http:
        yield http
