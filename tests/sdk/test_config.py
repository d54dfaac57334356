from __future__ import annotations

import pytest

from backmarket_sdk import MARKETS, BackMarketClient, ClientConfig, RateLimits
from backmarket_sdk.errors import ConfigurationError
from tests.sdk.fixtures import TOKEN, USER_AGENT


def config(**options: object) -> ClientConfig:
    values: dict[str, object] = {"token": TOKEN, "user_agent": USER_AGENT}
    values.update(options)
    return ClientConfig.create(**values)  # type: ignore[arg-type]


def test_markets_are_sixteen() -> None:
    assert len(MARKETS) == 16
    assert len(set(MARKETS)) == 16


@pytest.mark.parametrize(
    ("market", "environment", "base_url"),
    [
        ("fr-fr", "production", "https://www.backmarket.fr"),
        ("de-de", "preprod", "https://preprod.backmarket.fr"),
        ("en-us", "production", "https://www.backmarket.com"),
        ("en-us", "preprod", "https://preprod.backmarket.com"),
        ("ja-jp", "production", "https://www.backmarket.co.jp"),
        ("en-au", "preprod", "https://preprod.backmarket.co.jp"),
    ],
)
def test_host_from_market_and_environment(
    market: str, environment: str, base_url: str
) -> None:
    built = config(market=market, environment=environment)
    assert built.base_url == base_url


def test_platform_inferred_from_market() -> None:
    assert config(market="en-au").platform == "AP"
    assert config(market="sv-se").platform == "EU"


def test_platform_mismatch_rejected() -> None:
    with pytest.raises(ConfigurationError, match="belongs to platform 'NA'"):
        config(market="en-us", platform="EU")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"market": "fr"}, "Invalid market 'fr'"),
        ({"platform": "US"}, "Invalid platform 'US'"),
        ({"environment": "staging"}, "Invalid environment 'staging'"),
        ({"timeout": 0}, "Invalid timeout 0"),
        ({"max_retries": -1}, "Invalid max_retries -1"),
    ],
)
def test_invalid_setting_named(options: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        config(**options)


@pytest.mark.parametrize(
    "user_agent",
    [
        "Acme-Sync;ops@acme.example",
        "BM-Acme-Sync",
        "BM-Acme;ops@acme.example",
        "BM-Acme-Sync;not-an-email",
        "BM-Acme-Sync; ops@acme.example",
    ],
)
def test_user_agent_form_enforced(user_agent: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        config(user_agent=user_agent)
    assert "BM-{CompanyName}-{IntegrationName};{contact email}" in str(caught.value)


def test_user_agent_missing() -> None:
    with pytest.raises(ConfigurationError, match="Missing user agent"):
        config(user_agent=None)


def test_user_agent_integration_may_have_hyphens() -> None:
    assert config(user_agent="BM-Acme-Order-Sync;ops@acme.example")


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, "Missing API token"),
        ("", "Missing API token"),
        (f"Basic {TOKEN}", "without the 'Basic ' prefix"),
        (f"{TOKEN}\n", "spaces or control characters"),
    ],
)
def test_token_checked_without_echo(token: str | None, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        config(token=token)
    assert TOKEN not in str(caught.value)
    assert TOKEN not in repr(caught.value)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:8123",
        "http://localhost:9",
        "http://[::1]:80",
        "https://www.backmarket.fr/",
    ],
)
def test_base_url_allowed(base_url: str) -> None:
    assert config(base_url=base_url).base_url == base_url.rstrip("/")


@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        ("https://api.example.com", "not a Back Market host"),
        ("http://www.backmarket.fr", "plain http is only allowed"),
        ("ftp://127.0.0.1", "Invalid base URL"),
        ("127.0.0.1:8000", "Invalid base URL"),
    ],
)
def test_base_url_rejected(base_url: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        config(base_url=base_url)


def test_custom_host_needs_opt_in() -> None:
    built = config(base_url="https://proxy.acme.example", allow_custom_host=True)
    assert built.base_url == "https://proxy.acme.example"


def test_rate_limits_validated() -> None:
    with pytest.raises(ConfigurationError, match="general=0"):
        RateLimits(general=0)
    with pytest.raises(ConfigurationError, match="catalog_period=-1"):
        RateLimits(catalog_period=-1)


def test_from_env_reads_variables() -> None:
    environ = {
        "BACKMARKET_TOKEN": TOKEN,
        "BACKMARKET_MARKET": "en-gb",
        "BACKMARKET_ENVIRONMENT": "preprod",
        "BACKMARKET_USER_AGENT": USER_AGENT,
        "BACKMARKET_TIMEOUT": "12.5",
        "BACKMARKET_MAX_RETRIES": "1",
    }
    built = ClientConfig.from_env(environ)
    assert built.market == "en-gb"
    assert built.base_url == "https://preprod.backmarket.fr"
    assert built.timeout == 12.5
    assert built.max_retries == 1
    assert built.currency == "GBP"


def test_from_env_bad_number() -> None:
    environ = {"BACKMARKET_TOKEN": TOKEN, "BACKMARKET_TIMEOUT": "soon"}
    with pytest.raises(ConfigurationError, match="BACKMARKET_TIMEOUT='soon'"):
        ClientConfig.from_env(environ, user_agent=USER_AGENT)


def test_client_from_env_overrides() -> None:
    environ = {"BACKMARKET_TOKEN": TOKEN, "BACKMARKET_USER_AGENT": USER_AGENT}
    with BackMarketClient.from_env(environ, market="it-it") as client:
        assert client.config.market == "it-it"


def test_token_absent_from_repr_and_str() -> None:
    built = config()
    with BackMarketClient(config=built) as client:
        for text in (repr(built), str(built), repr(client), str(client)):
            assert TOKEN not in text
    assert "token='***'" in repr(built)
