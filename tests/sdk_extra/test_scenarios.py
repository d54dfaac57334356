"""Each API area against the sandbox over loopback, then from its cassette.

Every response the SDK receives is validated against the spec's schema of
its operation, and together the scenarios must send every operation of the
BackShip, Care, BuyBack and BackBox areas.
"""

from __future__ import annotations

import httpx
import pytest

from backmarket_sdk.sandbox import Sandbox, SandboxServer
from tests.sdk_extra.harness import (
    CASSETTE_DIR,
    PLAYBACK_URL,
    FakeTime,
    make_client,
    make_vcr,
)
from tests.sdk_extra.scenarios import SCENARIOS
from tests.sdk_extra.spec_validation import RecordingTransport, SpecValidator

AREA_PREFIXES = (
    "/ws/shipping/v1",
    "/ws/sav",
    "/ws/buyback",
    "/ws/backbox",
    "/ws/listings_bi",
)
# Operations seen by all scenarios of one run, checked by the last test.
SEEN: dict[str, set[tuple[str, str]]] = {"loopback": set(), "cassette": set()}


def area_operations(spec: dict[str, object]) -> set[tuple[str, str]]:
    paths = spec["paths"]
    assert isinstance(paths, dict)
    return {
        (method.upper(), template)
        for template, item in paths.items()
        if template.startswith(AREA_PREFIXES)
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_loopback(
    name: str, sandbox: Sandbox, server: SandboxServer, spec_validator: SpecValidator
) -> None:
    fake = FakeTime(sandbox)
    transport = RecordingTransport(httpx.HTTPTransport())
    with make_client(server.url, sandbox.token, fake, transport) as client:
        SCENARIOS[name](client, fake)
    assert transport.exchanges
    SEEN["loopback"] |= spec_validator.validate_all(transport.exchanges)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_cassette(name: str, spec_validator: SpecValidator) -> None:
    cassette = CASSETTE_DIR / f"{name}.yaml"
    assert cassette.is_file(), (
        f"missing {cassette}; record it with python -m tests.sdk_extra.record_cassettes"
    )
    assert "sandbox-token" not in cassette.read_text(encoding="utf-8")
    assert "authorization" not in cassette.read_text(encoding="utf-8").lower()
    fake = FakeTime()
    transport = RecordingTransport(httpx.HTTPTransport())
    with make_vcr("none").use_cassette(cassette.name) as played:
        with make_client(PLAYBACK_URL, "playback-token", fake, transport) as client:
            SCENARIOS[name](client, fake)
        assert played.all_played
    SEEN["cassette"] |= spec_validator.validate_all(transport.exchanges)


@pytest.mark.parametrize("mode", ["loopback", "cassette"])
def test_scenarios_cover_areas(mode: str, openapi_spec: dict[str, object]) -> None:
    if not SEEN[mode]:
        pytest.skip(f"run with the {mode} scenario tests to check their coverage")
    missing = area_operations(openapi_spec) - SEEN[mode]
    assert len(area_operations(openapi_spec)) == 26
    assert not missing, f"operations never sent in {mode} mode: {sorted(missing)}"
