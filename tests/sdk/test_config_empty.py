"""Explicitly empty settings are rejected, never replaced from the environment."""

from __future__ import annotations

import pytest

from backmarket_sdk import BackMarketClient
from backmarket_sdk._config import ClientConfig
from backmarket_sdk.errors import ConfigurationError
from tests.sdk import fixtures

ENVIRON = {
    "BACKMARKET_TOKEN": fixtures.TOKEN,
    "BACKMARKET_MARKET": "fr-fr",
    "BACKMARKET_USER_AGENT": fixtures.USER_AGENT,
    "BACKMARKET_BASE_URL": "http://127.0.0.1:9",
}


def test_env_complete() -> None:
    config = ClientConfig.from_env(ENVIRON)
    assert config.token == fixtures.TOKEN
    assert config.user_agent == fixtures.USER_AGENT


def test_empty_token_override() -> None:
    with pytest.raises(ConfigurationError) as caught:
        ClientConfig.from_env(ENVIRON, token="")
    assert "the value given is empty" in str(caught.value)
    assert fixtures.TOKEN not in str(caught.value)


def test_empty_user_agent_override() -> None:
    with pytest.raises(ConfigurationError) as caught:
        BackMarketClient.from_env(ENVIRON, user_agent="")
    assert "Missing user agent: the value given is empty" in str(caught.value)
    assert "BM-{CompanyName}-{IntegrationName};{contact email}" in str(caught.value)


def test_empty_token_argument() -> None:
    with pytest.raises(ConfigurationError, match="the value given is empty"):
        BackMarketClient(
            token="", user_agent=fixtures.USER_AGENT, base_url="http://127.0.0.1:9"
        )


def test_missing_token_names_variable() -> None:
    environ = {k: v for k, v in ENVIRON.items() if k != "BACKMARKET_TOKEN"}
    with pytest.raises(ConfigurationError, match="set BACKMARKET_TOKEN"):
        ClientConfig.from_env(environ)
