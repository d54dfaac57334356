from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from backmarket_sdk import BackMarketClient, errors
from backmarket_sdk._logging import logger, redact, redact_secrets, register_secret
from tests.sdk.conftest import FakeTime, make_client
from tests.sdk.fixtures import TOKEN
from tests.sdk.loopback import LoopbackServer, Reply


@pytest.fixture
def debug_records(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="backmarket_sdk")
    return caplog


def test_requests_logged_without_token(
    server: LoopbackServer,
    client: BackMarketClient,
    debug_records: pytest.LogCaptureFixture,
) -> None:
    server.api.script("GET", "/ws/orders/1", Reply(503))
    client.orders.get(1)
    client.orders.accept_line(1, "SKU-1")
    messages = [record.getMessage() for record in debug_records.records]
    assert any("GET /ws/orders/1 -> 200" in m for m in messages)
    assert any(m.startswith("Retrying after 503 GET /ws/orders/1 ") for m in messages)
    assert all(TOKEN not in m for m in messages)
    assert TOKEN not in debug_records.text


def test_filter_masks_token_in_any_message(
    client: BackMarketClient, debug_records: pytest.LogCaptureFixture
) -> None:
    logger.warning("headers were %s", {"Authorization": f"Basic {TOKEN}"})
    logger.debug("token %s leaked", TOKEN)
    assert TOKEN not in debug_records.text
    assert "***" in debug_records.text


def test_redact_patterns() -> None:
    register_secret("s3cr3t-value-123")
    assert redact("x s3cr3t-value-123 y") == "x *** y"
    assert redact("Authorization: Basic abcdefgh12345678") == "Authorization: ***"
    assert redact("{'authorization': 'Basic abcdefgh12345678'}") == (
        "{'authorization': '***'}"
    )
    assert redact("sent basic abcdefghijkl") == "sent Basic ***"


def test_timeout_error_has_no_token(
    server: LoopbackServer, fake_time: FakeTime
) -> None:
    server.api.script("GET", "/ws/orders/1", Reply(passthrough=True, delay=2.0))
    client = make_client(server.url, fake_time, timeout=0.5, max_retries=0)
    with client, pytest.raises(errors.APITimeoutError) as caught:
        client.orders.get(1)
    for text in (str(caught.value), repr(caught.value), repr(caught.value.__cause__)):
        assert TOKEN not in text


def test_env_turns_on_output() -> None:
    code = (
        "from backmarket_sdk import BackMarketClient;"
        "from backmarket_sdk._logging import logger;"
        f"BackMarketClient(token='{TOKEN}', user_agent='BM-A-B;a@b.example');"
        f"logger.debug('debug line with {TOKEN}')"
    )
    env = {**os.environ, "BACKMARKET_LOG": "debug"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "debug line with ***" in result.stderr
    assert TOKEN not in result.stderr


def test_silent_without_env() -> None:
    code = (
        "from backmarket_sdk._logging import logger;"
        "print(len(logger.handlers), logger.level)"
    )
    env = {k: v for k, v in os.environ.items() if k != "BACKMARKET_LOG"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["0", "0"]


def test_short_secret_not_masked() -> None:
    register_secret("tok")
    error = errors.ConfigurationError("Missing API token: pass token=")
    assert str(error) == "Missing API token: pass token="
    assert redact_secrets("a token") == "a token"
