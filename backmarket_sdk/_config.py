"""Client configuration: token, market, host, user agent, timeouts and limits.

Everything here is validated when the configuration is built, so a bad value
fails at start-up with a message that names it, never at the first request.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Mapping
from typing import Literal, TypeGuard, get_args
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
# Printable ASCII without the space. HTTP header values are encoded as ASCII,
# and a control character would end or split the header.
_VISIBLE_ASCII_RE = re.compile(r"^[\x21-\x7e]+$")
_NON_VISIBLE_ASCII_RE = re.compile(r"[^\x21-\x7e]")

# NOTE: this bound is the SDK's own choice, not a Back Market or httpx limit.
# One day is longer than any request should take, and far below the values
# that make socket.settimeout raise OverflowError (1e10 s did on Linux x86-64).
MAX_TIMEOUT = 86_400.0

ENV_PREFIX = "BACKMARKET_"


def _is_number(value: object) -> TypeGuard[int | float]:
    # bool is a subclass of int, but True is never meant as a count or duration.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


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
        if not isinstance(self.enabled, bool):
            raise ConfigurationError(
                f"Invalid rate limit enabled={self.enabled!r}: use True or False."
            )
        for name in ("general", "catalog"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(
                    f"Invalid rate limit {name}={value!r}: use a whole number of "
                    "requests of at least 1."
                )
        for name in ("general_period", "catalog_period"):
            value = getattr(self, name)
            if not _is_number(value) or not math.isfinite(value) or value <= 0:
                raise ConfigurationError(
                    f"Invalid rate limit {name}={value!r}: use a finite number "
                    "of seconds above 0."
                )


def validate_user_agent(user_agent: str | None) -> str:
    """Check a user agent against Back Market's required form and return it.

    Raises:
        ConfigurationError: The value is missing, contains a character other
            than printable ASCII, or is not of the form
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
    if not isinstance(user_agent, str):
        raise ConfigurationError(
            f"Invalid user agent {user_agent!r}: expected a string of the form "
            f"{USER_AGENT_FORM!r}, for example 'BM-Acme-Sync;ops@acme.example'."
        )
    invalid = _NON_VISIBLE_ASCII_RE.search(user_agent)
    if invalid is not None and not invalid.group().isspace():
        raise ConfigurationError(
            f"Invalid user agent {user_agent!r}: {invalid.group()!r} is not a "
            "printable ASCII character, and HTTP headers carry ASCII only. "
            f"Write it in ASCII, in the form {USER_AGENT_FORM!r}, for example "
            "'BM-Acme-Sync;ops@acme.example'."
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
    if not isinstance(token, str):
        raise ConfigurationError(
            f"Invalid API token: expected a string, got {type(token).__name__}. "
            "Pass the token from the Back Office (Integrations) as text."
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
    if not _VISIBLE_ASCII_RE.fullmatch(token):
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


def _validate_base_url(
    base_url: str, platform: str, environment: str, allow_custom_host: bool
) -> str:
    if not isinstance(base_url, str):
        raise ConfigurationError(
            f"Invalid base URL {base_url!r}: expected a string such as "
            "'https://www.backmarket.fr' or 'http://127.0.0.1:8123'."
        )
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if "@" in parts.netloc:
        # The URL is not echoed because the part before "@" may be a password
        # or the token.
        raise ConfigurationError(
            f"Invalid base URL for host {host!r}: it contains a user name or "
            "password before '@'. Remove them: the client authenticates with "
            "the token, and httpx would send them in its place."
        )
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigurationError(
            f"Invalid base URL {base_url!r}: use an absolute http(s) URL such as "
            "'https://www.backmarket.fr' or 'http://127.0.0.1:8123'."
        )
    if "?" in base_url or "#" in base_url:
        # Request paths are appended to the base URL as text, so they would
        # end up inside the query or the fragment.
        raise ConfigurationError(
            f"Invalid base URL {base_url!r}: it has a query string or a fragment. "
            "Give the API root only, such as 'https://www.backmarket.fr'."
        )
    try:
        parts.port  # noqa: B018 (urlsplit checks the port only when it is read)
    except ValueError:
        raise ConfigurationError(
            f"Invalid base URL {base_url!r}: the port is not a number from 0 to 65535."
        ) from None
    loopback = is_loopback_host(host)
    if parts.scheme == "http" and not loopback:
        raise ConfigurationError(
            f"Invalid base URL {base_url!r}: plain http is only allowed on a "
            "loopback address; use https so the token travels encrypted."
        )
    if host in HOSTS.values():
        _check_host_matches(base_url, host, platform, environment)
    elif not loopback and not allow_custom_host:
        raise ConfigurationError(
            f"Invalid base URL {base_url!r}: {host!r} is not a Back Market host. "
            "To send your token to it anyway, pass allow_custom_host=True "
            "(--allow-custom-host with the backmarket command)."
        )
    return base_url.rstrip("/")


def _check_host_matches(
    base_url: str, host: str, platform: str, environment: str
) -> None:
    expected = HOSTS[(platform, environment)]
    if host == expected:
        return
    host_platform, host_environment = next(
        key for key, value in HOSTS.items() if value == host
    )
    raise ConfigurationError(
        f"Invalid base URL {base_url!r}: {host} is Back Market's "
        f"{host_platform} {host_environment} host, but the client is set for "
        f"platform {platform} in {environment}, whose host is {expected}. "
        "A token works on one platform and in one environment only: drop "
        "base_url, or set market and environment to match the host."
    )


def _validate_market(market: str) -> str:
    if market not in MARKETS:
        raise ConfigurationError(
            f"Invalid market {market!r}: use one of {', '.join(MARKETS)}."
        )
    return market


def _validate_platform(market: str, platform: str | None) -> str:
    market_platform = MARKET_PLATFORM[market]
    if platform is None:
        return market_platform
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
    return platform


def _validate_timeout(timeout: object, described: str | None = None) -> float:
    """Check a timeout in seconds and return it as a float.

    Args:
        timeout: The value to check.
        described: How the message names the value when it does not come from
            the ``timeout`` argument, such as ``BACKMARKET_TIMEOUT='nan'``.
    """
    if (
        not _is_number(timeout)
        or not math.isfinite(timeout)
        or not 0 < timeout <= MAX_TIMEOUT
    ):
        raise ConfigurationError(
            f"Invalid {described or f'timeout {timeout!r}'}: use a number of "
            f"seconds above 0 and at most {MAX_TIMEOUT:g}."
        )
    return float(timeout)


def _validate_max_retries(max_retries: object, described: str | None = None) -> int:
    if (
        isinstance(max_retries, bool)
        or not isinstance(max_retries, int)
        or max_retries < 0
    ):
        raise ConfigurationError(
            f"Invalid {described or f'max_retries {max_retries!r}'}: use 0 or a "
            "positive integer."
        )
    return max_retries


def _validate_max_retry_after(max_retry_after: object) -> float:
    if (
        not _is_number(max_retry_after)
        or not math.isfinite(max_retry_after)
        or max_retry_after < 0
    ):
        raise ConfigurationError(
            f"Invalid max_retry_after {max_retry_after!r}: use a finite number of "
            "seconds, 0 or more (0 raises at once on any Retry-After above 0)."
        )
    return float(max_retry_after)


_ENV_SETTINGS = (
    "token",
    "market",
    "platform",
    "environment",
    "base_url",
    "user_agent",
    "timeout",
    "max_retries",
)

# Fix for each variable that is set but empty. An empty value is a mistake in
# a deployment file, never a request for the default, because an empty
# BACKMARKET_BASE_URL would otherwise send a test setup to production.
_EMPTY_VARIABLE_FIXES: Mapping[str, str] = {
    "token": "Set it to the token from the Back Office (Integrations)",
    "market": f"Unset it to use fr-fr, or set it to one of {', '.join(MARKETS)}",
    "platform": (
        "Unset it to use the market's platform, or set it to one of "
        f"{', '.join(PLATFORMS)}"
    ),
    "environment": (
        f"Unset it to use production, or set it to one of {', '.join(ENVIRONMENTS)}"
    ),
    "base_url": (
        "Unset it to use Back Market's host for the market and environment, or "
        "set it to the API root, such as 'http://127.0.0.1:8123'"
    ),
    "user_agent": f"Set it to a user agent of the form {USER_AGENT_FORM!r}",
    "timeout": "Unset it to use 30 seconds, or set it to a number of seconds",
    "max_retries": "Unset it to use 3 retries, or set it to a whole number",
}


def _empty_variable_message(name: str) -> str:
    variable = ENV_PREFIX + name.upper()
    return f"Invalid {variable}: it is set but empty. {_EMPTY_VARIABLE_FIXES[name]}."


def _parse_env_timeout(raw: str) -> float:
    described = f"{ENV_PREFIX}TIMEOUT={raw!r}"
    try:
        timeout = float(raw)
    except ValueError:
        raise ConfigurationError(
            f"Invalid {described}: use a number of seconds."
        ) from None
    return _validate_timeout(timeout, described)


def _parse_env_max_retries(raw: str) -> int:
    described = f"{ENV_PREFIX}MAX_RETRIES={raw!r}"
    try:
        max_retries = int(raw)
    except ValueError:
        raise ConfigurationError(f"Invalid {described}: use a whole number.") from None
    return _validate_max_retries(max_retries, described)


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
        platform = _validate_platform(market, platform)
        if environment not in ENVIRONMENTS:
            raise ConfigurationError(
                f"Invalid environment {environment!r}: use one of "
                f"{', '.join(ENVIRONMENTS)}."
            )
        if not isinstance(allow_custom_host, bool):
            raise ConfigurationError(
                f"Invalid allow_custom_host {allow_custom_host!r}: use True or False."
            )
        if base_url is None:
            base_url = "https://" + HOSTS[(platform, environment)]
        if rate_limits is None:
            rate_limits = RateLimits()
        elif not isinstance(rate_limits, RateLimits):
            raise ConfigurationError(
                f"Invalid rate_limits {rate_limits!r}: pass a RateLimits instance, "
                "for example RateLimits(general=100)."
            )
        return cls(
            token=_validate_token(token),
            market=market,
            platform=platform,
            environment=environment,
            base_url=_validate_base_url(
                base_url, platform, environment, allow_custom_host
            ),
            user_agent=validate_user_agent(user_agent),
            timeout=_validate_timeout(timeout),
            max_retries=_validate_max_retries(max_retries),
            rate_limits=rate_limits,
            max_retry_after=_validate_max_retry_after(max_retry_after),
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

        Raises:
            ConfigurationError: A value is invalid, or a variable that no
                keyword argument overrides is set but empty.
        """
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name in _ENV_SETTINGS:
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is None or name in overrides:
                continue
            if not raw:
                raise ConfigurationError(_empty_variable_message(name))
            if name == "timeout":
                values[name] = _parse_env_timeout(raw)
            elif name == "max_retries":
                values[name] = _parse_env_max_retries(raw)
            else:
                values[name] = raw
        values.setdefault("token", None)
        values.update(overrides)
        return cls.create(**values)  # type: ignore[arg-type]
