"""Host options of a Back Market connection, checked before any request.

``Connection.options`` is a plain mapping, such as the ``[connections.options]``
table of a host's configuration file. A misspelt key must not be ignored: a
``base-url`` meant for a sandbox would otherwise send the token and the sync
to Back Market's production host. So every key is checked here. An unknown
key or a value of the wrong kind is a ``SettingsError``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import attrs
import httpx

from commercium_connector.errors import SettingsError
from commercium_connector.types import SettingsProblem

# Fixes for keys that users are likely to try as options.
_UNKNOWN_HINTS = {
    "token": (
        "the token is not an option; pass it as the connection's credential "
        "'token' (token_env or token_file in the host's configuration)"
    ),
    "verify": (
        "TLS certificates are always verified and this cannot be turned off; remove it"
    ),
}

# Seconds per connect, read or write, as the SDK client allows by default.
DEFAULT_TIMEOUT = 30.0

# Options meant for tests and embedded sandboxes, which only code can set.
_TEST_ONLY = "this option is for tests and sandboxes set from code"


@attrs.frozen
class ClientOptions:
    """Checked host options of a connection.

    Attributes:
        base_url: API root to use instead of Back Market's host for the
            market, such as a sandbox on 127.0.0.1.
        timeout: Seconds allowed for connecting and for each read or write.
        transport: httpx transport used instead of the network.
        now: Returns the current aware UTC time.
        sleep: Waits a number of seconds; also paces the client's retries.
        clock: Returns monotonic seconds for the client's rate limiter, such
            as a sandbox's own clock when ``sleep`` moves it forward.
    """

    base_url: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    transport: httpx.BaseTransport | None = None
    now: Callable[[], datetime] | None = None
    sleep: Callable[[float], None] | None = None
    clock: Callable[[], float] | None = None


def _base_url(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(
            f"invalid value {value!r}: use the API root URL as a text string, "
            "such as 'http://127.0.0.1:8123' for a local sandbox"
        )
    return value.strip()


def _timeout(value: Any) -> float:
    number: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    if number is None or not math.isfinite(number) or number <= 0:
        raise ValueError(
            f"invalid value {value!r}: use a number of seconds above 0, such as 30"
        )
    return number


def _transport(value: Any) -> httpx.BaseTransport:
    if not isinstance(value, httpx.BaseTransport):
        raise ValueError(
            f"invalid value of type {type(value).__name__}: use an "
            f"httpx.BaseTransport instance; {_TEST_ONLY}, remove it from a "
            "configuration file"
        )
    return value


def _callable(purpose: str) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if not callable(value):
            raise ValueError(
                f"invalid value {value!r}: use a callable that {purpose}; "
                f"{_TEST_ONLY}, remove it from a configuration file"
            )
        return value

    return convert


_CONVERTERS: Mapping[str, Callable[[Any], Any]] = {
    "base_url": _base_url,
    "timeout": _timeout,
    "transport": _transport,
    "now": _callable("returns the current aware UTC time"),
    "sleep": _callable("takes a number of seconds"),
    "clock": _callable("returns monotonic seconds"),
}


def _unknown(name: Any) -> str:
    if isinstance(name, str) and name in _UNKNOWN_HINTS:
        return _UNKNOWN_HINTS[name]
    known = ", ".join(_CONVERTERS)
    close = difflib.get_close_matches(str(name), list(_CONVERTERS), n=1, cutoff=0.6)
    if close:
        return f"unknown option; did you mean {close[0]!r}? Options: {known}"
    return f"unknown option; remove it. Options: {known}"


def parse_options(options: Mapping[str, Any]) -> ClientOptions:
    """Check a connection's host options and return them typed.

    A key whose value is None counts as absent, so code may pass defaults.

    Raises:
        SettingsError: Lists every unknown key and every value of the wrong
            kind, each keyed ``options.<name>`` and with the fix.
    """
    if not isinstance(options, Mapping):
        raise SettingsError(
            [
                SettingsProblem(
                    key="options",
                    message=f"must be a table of options, not {options!r}",
                )
            ]
        )
    problems: list[SettingsProblem] = []
    values: dict[str, Any] = {}
    for name, value in options.items():
        convert = _CONVERTERS.get(name) if isinstance(name, str) else None
        if convert is None:
            problems.append(
                SettingsProblem(key=f"options.{name}", message=_unknown(name))
            )
            continue
        if value is None:
            continue
        try:
            values[name] = convert(value)
        except ValueError as error:
            problems.append(SettingsProblem(key=f"options.{name}", message=str(error)))
    if problems:
        raise SettingsError(problems)
    return ClientOptions(**values)
