"""Client configuration: token, market, host, user agent, timeouts and limits.

Everything here is validated when the configuration is built, so a bad value
fails at start-up with a message that names it, never at the first request.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from typing import Literal, get_args
from urllib.parse import urlsplit

import attrs

from backmarket_sdk.errors import ConfigurationError

Market = Literal[
    "fr-fr",
    "fr-be",
    "es-es",
    "de-de",
    "de-at",
    "it-it",
    "en-gb",
    "nl-nl",
    "pt-pt",
    "en-ie",
    "el-gr",
    "sk-sk",
    "sv-se",
    "en-us",
    "ja-jp",
    "en-au",
]
Platform = Literal["EU", "NA", "AP"]
Environment = Literal["production", "preprod"]

MARKETS: tuple[str, ...] = get_args(Market)
PLATFORMS: tuple[str, ...] = get_args(Platform)
ENVIRONMENTS: tuple[str, ...] = get_args(Environment)

MARKET_PLATFORM: Mapping[str, str] = {
    **{
        market: "EU"
        for market in (
            "fr-fr",
            "fr-be",
            "es-es",
            "de-de",
            "de-at",
            "it-it",
            "en-gb",
            "nl-nl",
            "pt-pt",
            "en-ie",
            "el-gr",
            "sk-sk",
            "sv-se",
        )
    },
    "en-us": "NA",
    "ja-jp": "AP",
    "en-au": "AP",
}

# ISO 4217 currency of each market: a price sent for a market must use it.
MARKET_CURRENCY: Mapping[str, str] = {
    **{
        market: "EUR"
        for market, platform in MARKET_PLATFORM.items()
        if platform == "EU"
    },
    "en-gb": "GBP",
    "sv-se": "SEK",
    "en-us": "USD",
    "ja-jp": "JPY",
    "en-au": "AUD",
}

CURRENCY_MINOR_DIGITS: Mapping[str, int] = {"JPY": 0}
"""Decimal digits of a currency's minor unit where it is not 2 (ISO 4217)."""


HOSTS: Mapping[tuple[str, str], str] = {
    ("EU", "production"): "www.backmarket.fr",
    ("EU", "preprod"): "preprod.backmarket.fr",
    ("NA", "production"): "www.backmarket.com",
    ("NA", "preprod"): "preprod.backmarket.com",
    ("AP", "production"): "www.backmarket.co.jp",
    ("AP", "preprod"): "preprod.backmarket.co.jp",
}

USER_AGENT_FORM = "BM-{CompanyName}-{IntegrationName};{contact email}"
_USER_AGENT_RE = re.compile(
    r"^BM-(?P<company>[^-;\s]+)-(?P<integration>[^;\s]+);"
    r"(?P<email>[^@;\s]+@[^@;\s]+\.[^@;\s]+)$"
)
_TOKEN_RE = re.compile(r"^[\x21-\x7e]+$")

ENV_PREFIX = "BACKMARKET_"


@attrs.frozen
class RateLimits:
    """Client-side request budgets, each a number of requests per sliding window.

    The defaults are the edge limits Back Market documents: about 200 requests
    in 10 seconds in general and about 20 in 10 seconds on catalog endpoints,
    above which the client is blocked for 10 seconds.

    Attributes:
        general: Requests allowed per ``general_period`` on every endpoint.
        general_period: Window of the general budget, in seconds.
        catalog: Requests allowed per ``catalog_period`` on catalog endpoints.
        catalog_period: Window of the catalog budget, in seconds.
        enabled: False turns client-side limiting off (the server still limits).
    """

    general: int = 200
    general_period: float = 10.0
    catalog: int = 20
    catalog_period: float = 10.0
    enabled: bool = True

    def __attrs_post_init__(self) -> None:
        for name in ("general", "catalog"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ConfigurationError(
                    f"Invalid rate limit {name}={value!r}: use a whole number of "
                    "requests of at least 1."
                )
        for name in ("general_period", "catalog_period"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value <= 0:
                raise ConfigurationError(
                    f"Invalid rate limit {name}={value!r}: use a positive number "
                    "of seconds."
                )


def validate_user_agent(user_agent: str | None) -> str:
    """Check a user agent against Back Market's required form and return it.

    Raises:
        ConfigurationError: The value is missing or not of the form
            ``BM-{CompanyName}-{IntegrationName};{contact email}``.
    """
    if user_agent is None:
        raise ConfigurationError(
            "Missing user agent: Back Market requires one of the form "
            f"{USER_AGENT_FORM!r}, for example 'BM-Acme-Sync;ops@acme.example'. "
            f"Pass user_agent= or set {ENV_PREFIX}USER_AGENT."
        )
    if not user_agent:
        # An explicit empty value is a mistake, never a request for a default.
        raise ConfigurationError(
            "Missing user agent: the value given is empty. Pass one of the form "
            f"{USER_AGENT_FORM!r}, for example 'BM-Acme-Sync;ops@acme.example'."
        )
    if not _USER_AGENT_RE.fullmatch(user_agent):
        raise ConfigurationError(
            f"Invalid user agent {user_agent!r}: expected the form "
            f"{USER_AGENT_FORM!r}, for example 'BM-Acme-Sync;ops@acme.example'."
        )
    return user_agent


def _validate_token(token: str | None) -> str:
    # Messages here never include the value: it is a secret.
    if token is None:
        raise ConfigurationError(
            "Missing API token: pass token= or set "
            f"{ENV_PREFIX}TOKEN to the token from the Back Office (Integrations)."
        )
    if not token:
        raise ConfigurationError(
            "Missing API token: the value given is empty. Pass the token from "
            "the Back Office (Integrations)."
        )
    if token.lower().startswith("basic "):
        raise ConfigurationError(
            "Invalid API token: pass the token alone, without the 'Basic ' prefix; "
            "the client adds it."
        )
    if not _TOKEN_RE.fullmatch(token):
        raise ConfigurationError(
            "Invalid API token: it contains spaces or control characters. Copy the "
            "token from the Back Office again, without surrounding whitespace."
        )
    return token


def is_loopback_host(host: str) -> bool:
    """Return True for localhost and addresses in 127.0.0.0/8 or ::1."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _validate_base_url(base_url: str, allow_custom_host: bool) -> str:
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigurationError(
            f"Invalid base URL {base_url!r}: use an absolute http(s) URL such as "
            "'https://www.backmarket.fr' or 'http://127.0.0.1:8123'."
        )
    loopback = is_loopback_host(host)
    if parts.scheme == "http" and not loopback:
        raise ConfigurationError(
            f"Invalid base URL {base_url!r}: plain http is only allowed on a "
            "loopback address; use https so the token travels encrypted."
        )
    if not loopback and host not in HOSTS.values() and not allow_custom_host:
        raise ConfigurationError(
            f"Invalid base URL {base_url!r}: {host!r} is not a Back Market host. "
            "To send your token to it anyway, pass allow_custom_host=True "
            "(--allow-custom-host with the backmarket command)."
        )
    return base_url.rstrip("/")


def _validate_market(market: str) -> str:
    if market not in MARKETS:
        raise ConfigurationError(
            f"Invalid market {market!r}: use one of {', '.join(MARKETS)}."
        )
    return market


def _secret_repr(_: str) -> str:
    return "'***'"


@attrs.frozen(kw_only=True)
class ClientConfig:
    """Validated settings of one client; build it with :meth:`create`.

    Attributes:
        token: Back Office API token, sent as ``Authorization: Basic <token>``.
        market: Market code such as ``fr-fr``, sent as ``Accept-Language``.
        platform: EU, NA or AP, which must be the market's platform.
        environment: ``production`` or ``preprod``.
        base_url: Scheme and host requests go to, without a trailing slash.
        user_agent: ``BM-{CompanyName}-{IntegrationName};{contact email}``.
        timeout: Seconds allowed for connecting and for each read or write.
        max_retries: Retries after the first attempt of a retryable call.
        rate_limits: Client-side request budgets.
        max_retry_after: Longest Retry-After, in seconds, the client waits for
            before it gives up and raises.
    """

    token: str = attrs.field(repr=_secret_repr)
    market: str
    platform: str
    environment: str
    base_url: str
    user_agent: str
    timeout: float = 30.0
    max_retries: int = 3
    rate_limits: RateLimits = attrs.field(factory=RateLimits)
    max_retry_after: float = 60.0

    @property
    def currency(self) -> str:
        """ISO 4217 currency of the configured market."""
        return MARKET_CURRENCY[self.market]

    @classmethod
    def create(
        cls,
        *,
        token: str | None,
        market: str = "fr-fr",
        platform: str | None = None,
        environment: str = "production",
        base_url: str | None = None,
        user_agent: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        rate_limits: RateLimits | None = None,
        allow_custom_host: bool = False,
        max_retry_after: float = 60.0,
    ) -> ClientConfig:
        """Validate the settings and build a configuration.

        Raises:
            ConfigurationError: A value is missing or invalid; the message names
                it (never the token) and says how to fix it.
        """
        market = _validate_market(market)
        market_platform = MARKET_PLATFORM[market]
        if platform is None:
            platform = market_platform
        if platform not in PLATFORMS:
            raise ConfigurationError(
                f"Invalid platform {platform!r}: use one of {', '.join(PLATFORMS)}."
            )
        if platform != market_platform:
            raise ConfigurationError(
                f"Market {market!r} belongs to platform {market_platform!r}, not "
                f"{platform!r}: a token works on one platform only, so pick a "
                "market of that platform."
            )
        if environment not in ENVIRONMENTS:
            raise ConfigurationError(
                f"Invalid environment {environment!r}: use one of "
                f"{', '.join(ENVIRONMENTS)}."
            )
        if base_url is None:
            base_url = "https://" + HOSTS[(platform, environment)]
        if not isinstance(timeout, (int, float)) or timeout <= 0:
            raise ConfigurationError(
                f"Invalid timeout {timeout!r}: use a positive number of seconds."
            )
        if not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigurationError(
                f"Invalid max_retries {max_retries!r}: use 0 or a positive integer."
            )
        return cls(
            token=_validate_token(token),
            market=market,
            platform=platform,
            environment=environment,
            base_url=_validate_base_url(base_url, allow_custom_host),
            user_agent=validate_user_agent(user_agent),
            timeout=float(timeout),
            max_retries=max_retries,
            rate_limits=rate_limits or RateLimits(),
            max_retry_after=max_retry_after,
        )

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: object
    ) -> ClientConfig:
        """Build a configuration from ``BACKMARKET_*`` environment variables.

        Reads ``BACKMARKET_TOKEN``, ``BACKMARKET_MARKET``, ``BACKMARKET_PLATFORM``,
        ``BACKMARKET_ENVIRONMENT``, ``BACKMARKET_BASE_URL``,
        ``BACKMARKET_USER_AGENT``, ``BACKMARKET_TIMEOUT`` (seconds) and
        ``BACKMARKET_MAX_RETRIES``. Keyword arguments override them.
        """
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name in ("token", "market", "platform", "environment", "base_url"):
            raw = env.get(ENV_PREFIX + name.upper())
            if raw:
                values[name] = raw
        if env.get(ENV_PREFIX + "USER_AGENT"):
            values["user_agent"] = env[ENV_PREFIX + "USER_AGENT"]
        for name, kind in (("timeout", float), ("max_retries", int)):
            raw = env.get(ENV_PREFIX + name.upper())
            if raw:
                try:
                    values[name] = kind(raw)
                except ValueError:
                    raise ConfigurationError(
                        f"Invalid {ENV_PREFIX}{name.upper()}={raw!r}: use a "
                        f"{'number of seconds' if kind is float else 'whole number'}."
                    ) from None
        values.setdefault("token", None)
        values.update(overrides)
        return cls.create(**values)  # type: ignore[arg-type]
