"""Out-of-range, wrongly typed and empty settings fail when the client is built."""

from __future__ import annotations

import math

import pytest

from backmarket_sdk import BackMarketClient, ClientConfig, RateLimits
from backmarket_sdk._config import MAX_TIMEOUT
from backmarket_sdk.errors import ConfigurationError
from tests.sdk.fixtures import TOKEN, USER_AGENT

LOOPBACK = "http://127.0.0.1:9"
USER_AGENT_FORM = "BM-{CompanyName}-{IntegrationName};{contact email}"


def config(**options: object) -> ClientConfig:
    values: dict[str, object] = {
        "token": TOKEN,
        "user_agent": USER_AGENT,
        "base_url": LOOPBACK,
    }
    values.update(options)
    return ClientConfig.create(**values)  # type: ignore[arg-type]


def environ(**variables: str) -> dict[str, str]:
    values = {
        "BACKMARKET_TOKEN": TOKEN,
        "BACKMARKET_USER_AGENT": USER_AGENT,
        "BACKMARKET_BASE_URL": LOOPBACK,
    }
    values.update({f"BACKMARKET_{name.upper()}": v for name, v in variables.items()})
    return values


@pytest.mark.parametrize(
    ("timeout", "shown"),
    [
        (math.nan, "nan"),
        (math.inf, "inf"),
        (-math.inf, "-inf"),
        (0, "0"),
        (-1.5, "-1.5"),
        (True, "True"),
        (MAX_TIMEOUT + 1, "86401.0"),
        (1e300, "1e+300"),
        ("30", "'30'"),
    ],
)
def test_timeout_rejected(timeout: object, shown: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        config(timeout=timeout)
    assert f"Invalid timeout {shown}:" in str(caught.value)
    assert "number of seconds above 0" in str(caught.value)


def test_timeout_rejected_by_client() -> None:
    with pytest.raises(ConfigurationError, match="Invalid timeout nan"):
        BackMarketClient(
            token=TOKEN, user_agent=USER_AGENT, base_url=LOOPBACK, timeout=math.nan
        )


@pytest.mark.parametrize("timeout", [0.001, 5, 30.0, MAX_TIMEOUT])
def test_timeout_accepted(timeout: float) -> None:
    built = config(timeout=timeout)
    assert built.timeout == float(timeout)
    assert type(built.timeout) is float


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "1e400", "0", "-3"])
def test_env_timeout_rejected(raw: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ClientConfig.from_env(environ(timeout=raw))
    assert f"Invalid BACKMARKET_TIMEOUT={raw!r}:" in str(caught.value)


def test_env_timeout_overridden() -> None:
    built = ClientConfig.from_env(environ(timeout="nan"), timeout=12.0)
    assert built.timeout == 12.0


@pytest.mark.parametrize(
    ("user_agent", "character"),
    [
        ("BM-Acmé-Sync;ops@acme.example", "'é'"),
        ("BM-Acme-Sync;opé@acme.example", "'é'"),
        ("BM-Acme-Sÿnc;ops@acme.example", "'ÿ'"),
        ("BM-Acme-Sync;ops@acme.example\x00", "'\\x00'"),
        ("BM-Acme\x7f-Sync;ops@acme.example", "'\\x7f'"),
    ],
)
def test_user_agent_not_ascii(user_agent: str, character: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        config(user_agent=user_agent)
    message = str(caught.value)
    assert f"{character} is not a printable ASCII character" in message
    assert USER_AGENT_FORM in message


def test_user_agent_not_ascii_from_env() -> None:
    with pytest.raises(ConfigurationError, match="not a printable ASCII"):
        ClientConfig.from_env(environ(user_agent="BM-Acmé-Sync;ops@acme.example"))


@pytest.mark.parametrize("user_agent", [12345, b"BM-Acme-Sync;ops@acme.example"])
def test_user_agent_not_string(user_agent: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        config(user_agent=user_agent)
    assert "expected a string" in str(caught.value)
    assert USER_AGENT_FORM in str(caught.value)


def test_env_base_url_empty() -> None:
    with pytest.raises(ConfigurationError) as caught:
        ClientConfig.from_env(environ(base_url=""))
    message = str(caught.value)
    assert "Invalid BACKMARKET_BASE_URL: it is set but empty." in message
    assert "Unset it" in message
    assert "API root" in message


def test_env_base_url_empty_overridden() -> None:
    built = ClientConfig.from_env(environ(base_url=""), base_url="http://localhost:9")
    assert built.base_url == "http://localhost:9"


@pytest.mark.parametrize(
    "name",
    [
        "token",
        "market",
        "platform",
        "environment",
        "user_agent",
        "timeout",
        "max_retries",
    ],
)
def test_env_variable_empty(name: str) -> None:
    variable = f"BACKMARKET_{name.upper()}"
    with pytest.raises(ConfigurationError) as caught:
        ClientConfig.from_env(environ(**{name: ""}))
    assert f"Invalid {variable}: it is set but empty." in str(caught.value)


@pytest.mark.parametrize(
    ("market", "environment", "base_url", "named"),
    [
        ("fr-fr", "preprod", "https://www.backmarket.fr", "EU production host"),
        ("fr-fr", "production", "https://preprod.backmarket.fr", "EU preprod host"),
        ("fr-fr", "production", "https://www.backmarket.co.jp", "AP production host"),
        ("en-us", "production", "https://www.backmarket.fr", "EU production host"),
        ("ja-jp", "preprod", "https://preprod.backmarket.com", "NA preprod host"),
    ],
)
def test_base_url_other_platform_host(
    market: str, environment: str, base_url: str, named: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        config(market=market, environment=environment, base_url=base_url)
    message = str(caught.value)
    assert f"Invalid base URL {base_url!r}" in message
    assert named in message
    assert f"in {environment}" in message


def test_base_url_mismatch_names_both_hosts() -> None:
    with pytest.raises(ConfigurationError) as caught:
        config(
            market="fr-fr", environment="preprod", base_url="https://www.backmarket.fr"
        )
    message = str(caught.value)
    assert "www.backmarket.fr is Back Market's EU production host" in message
    assert "platform EU in preprod, whose host is preprod.backmarket.fr" in message


def test_base_url_mismatch_despite_custom_host() -> None:
    with pytest.raises(ConfigurationError, match="AP production host"):
        config(base_url="https://www.backmarket.co.jp", allow_custom_host=True)


def test_base_url_matching_host_accepted() -> None:
    built = config(market="ja-jp", environment="preprod", base_url=None)
    assert built.base_url == "https://preprod.backmarket.co.jp"
    explicit = config(market="en-au", base_url="https://www.backmarket.co.jp/")
    assert explicit.base_url == "https://www.backmarket.co.jp"


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:9?x=1",
        "http://127.0.0.1:9/?",
        "http://127.0.0.1:9/#frag",
        "http://127.0.0.1:9#",
        "https://www.backmarket.fr/?debug=1",
    ],
)
def test_base_url_query_or_fragment(base_url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        config(base_url=base_url)
    message = str(caught.value)
    assert f"Invalid base URL {base_url!r}" in message
    assert "query string or a fragment" in message


def test_base_url_user_info_not_echoed() -> None:
    with pytest.raises(ConfigurationError) as caught:
        config(base_url="http://user:s3cret-pass@127.0.0.1:9")
    message = str(caught.value)
    assert "user name or password" in message
    assert "'127.0.0.1'" in message
    assert "s3cret-pass" not in message


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:99999", "http://127.0.0.1:x"])
def test_base_url_bad_port(base_url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        config(base_url=base_url)
    assert f"Invalid base URL {base_url!r}: the port" in str(caught.value)


def test_base_url_not_string() -> None:
    with pytest.raises(ConfigurationError, match="expected a string"):
        config(base_url=b"http://127.0.0.1:9")


@pytest.mark.parametrize("token", [12345, b"tok-3f9c1a7e5b2d48e6a0c4", ["tok"]])
def test_token_not_string(token: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        config(token=token)
    message = str(caught.value)
    assert f"expected a string, got {type(token).__name__}" in message
    assert "12345" not in message
    assert TOKEN not in message


@pytest.mark.parametrize("max_retries", [True, False, 1.5, -1, "3", None])
def test_max_retries_rejected(max_retries: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        config(max_retries=max_retries)
    assert f"Invalid max_retries {max_retries!r}:" in str(caught.value)


@pytest.mark.parametrize("raw", ["-1", "1.5", "many"])
def test_env_max_retries_rejected(raw: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ClientConfig.from_env(environ(max_retries=raw))
    assert f"Invalid BACKMARKET_MAX_RETRIES={raw!r}:" in str(caught.value)


def test_max_retries_zero_accepted() -> None:
    assert config(max_retries=0).max_retries == 0


@pytest.mark.parametrize(
    "max_retry_after", [-5, -0.1, math.nan, math.inf, True, "60", None]
)
def test_max_retry_after_rejected(max_retry_after: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        config(max_retry_after=max_retry_after)
    assert f"Invalid max_retry_after {max_retry_after!r}:" in str(caught.value)


@pytest.mark.parametrize("max_retry_after", [0, 0.5, 60, 3600.0])
def test_max_retry_after_accepted(max_retry_after: float) -> None:
    built = config(max_retry_after=max_retry_after)
    assert built.max_retry_after == float(max_retry_after)


@pytest.mark.parametrize("enabled", ["no", 0, 1, None])
def test_rate_limits_enabled_not_bool(enabled: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        RateLimits(enabled=enabled)  # type: ignore[arg-type]
    assert f"Invalid rate limit enabled={enabled!r}: use True or False." in str(
        caught.value
    )


@pytest.mark.parametrize("name", ["general", "catalog"])
@pytest.mark.parametrize("value", [True, False, 2.0, "20"])
def test_rate_limits_count_rejected(name: str, value: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        RateLimits(**{name: value})  # type: ignore[arg-type]
    assert f"Invalid rate limit {name}={value!r}:" in str(caught.value)


@pytest.mark.parametrize("name", ["general_period", "catalog_period"])
@pytest.mark.parametrize("value", [math.nan, math.inf, 0, 0.0, -1, True, "10"])
def test_rate_limits_period_rejected(name: str, value: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        RateLimits(**{name: value})  # type: ignore[arg-type]
    assert f"Invalid rate limit {name}={value!r}:" in str(caught.value)


def test_rate_limits_valid_kept() -> None:
    limits = RateLimits(general=50, general_period=2.5, enabled=False)
    built = config(rate_limits=limits)
    assert built.rate_limits is limits
    assert built.rate_limits.enabled is False


@pytest.mark.parametrize("rate_limits", [{"general": 50}, 200, "off"])
def test_rate_limits_wrong_type(rate_limits: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        config(rate_limits=rate_limits)
    assert f"Invalid rate_limits {rate_limits!r}:" in str(caught.value)
    assert "RateLimits instance" in str(caught.value)


@pytest.mark.parametrize("allow_custom_host", ["false", 0, None])
def test_allow_custom_host_not_bool(allow_custom_host: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        config(
            base_url="https://proxy.acme.example", allow_custom_host=allow_custom_host
        )
    assert f"Invalid allow_custom_host {allow_custom_host!r}:" in str(caught.value)
