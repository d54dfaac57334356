"""The host's TOML configuration: the store, email, and the connections.

A configuration file looks like this::

    [store]
    path = "commercium.sqlite"          # relative to this file's folder
    # or, for a store shared by several machines (password from the env):
    # url = "postgresql+psycopg://sync@db.example.com/commercium"
    # password_env = "COMMERCIUM_DB_PASSWORD"

    [sync]
    interval = 300                      # seconds between scheduled cycles

    [notifications.smtp]
    host = "smtp.example.com"
    port = 587
    security = "starttls"               # "starttls", "ssl" or "none"
    username = "sync@example.com"
    password_env = "SMTP_PASSWORD"      # or password_file
    sender = "sync@example.com"
    recipients = ["ops@example.com"]

    [[connections]]
    id = "acme-fr"
    name = "Acme France"
    channel = "backmarket"
    token_env = "BACKMARKET_TOKEN"      # or token_file = "/run/secrets/bm"
    [connections.settings]              # the channel's own settings
    market = "fr-fr"
    [connections.options]               # transport options, e.g. a test server
    base_url = "http://127.0.0.1:8123"

Secrets are read from an environment variable or a file, never from the
configuration itself, and never appear in an error or a log.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs
import sqlalchemy as sa

from commercium_connector.errors import SettingsError
from commercium_connector.types import ChannelInfo, Connection, StateStore

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

STORE_FILE_NAME = "commercium.sqlite"
# The longest interval between scheduled cycles, in seconds: a week. Much
# longer values overflow timers, and cron suits them better.
MAX_SYNC_INTERVAL = 7 * 24 * 3600
SECURITY_MODES = ("starttls", "ssl", "none")
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_TOP_KEYS = {"store", "sync", "notifications", "connections"}
_STORE_KEYS = {"path", "url", "password_env", "password_file"}
_URL_SCHEMES = ("sqlite", "postgresql")
_CONNECTION_KEYS = {
    "id",
    "name",
    "channel",
    "enabled",
    "token_env",
    "token_file",
    "settings",
    "options",
}
# Option keys that look like a secret; secrets come from token_env or
# token_file only, so that they stay out of the configuration file.
_SECRET_OPTION = re.compile(
    r"token|password|passwd|secret|api[_-]?key|authori[sz]ation|credential",
    re.IGNORECASE,
)
# An authorization scheme pasted in front of a token, as in "Basic abc".
_TOKEN_SCHEME = re.compile(r"^(basic|bearer|token)\s+\S", re.IGNORECASE)
_LOOPBACK_NAMES = {"localhost"}
_SMTP_KEYS = {
    "host",
    "port",
    "security",
    "username",
    "password_env",
    "password_file",
    "sender",
    "recipients",
    "timeout",
}


@attrs.frozen
class ConfigProblem:
    """One problem in a configuration file: the key, what is wrong, the fix."""

    key: str
    message: str


class ConfigError(Exception):
    """A configuration file is unusable; ``problems`` lists every problem."""

    def __init__(self, source: str, problems: list[ConfigProblem]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{p.key}: {p.message}" for p in problems]
        super().__init__(f"invalid configuration {source}:\n  " + "\n  ".join(lines))


@attrs.frozen
class SmtpConfig:
    """How to send notification emails."""

    host: str
    port: int
    security: str
    sender: str
    recipients: tuple[str, ...]
    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    timeout: float = 30.0


@attrs.frozen
class ConnectionConfig:
    """One connection as configured, before its channel parses the settings."""

    id: str
    name: str
    channel: str
    enabled: bool
    credentials: Mapping[str, str] = attrs.field(repr=False)
    settings: Mapping[str, Any]
    options: Mapping[str, Any]
    key: str = "connections"


@attrs.frozen
class HostConfig:
    """A parsed configuration file.

    Attributes:
        source: The file read, for messages.
        store_path: The SQLite store file, used when ``store_url`` is None.
        connections: The configured connections.
        smtp: How to email notifications, or None.
        store_url: An SQLAlchemy database URL of the store (SQLite or
            PostgreSQL), with the password of ``[store]`` filled in.
        sync_interval: Seconds between scheduled cycles, or None when unset.
    """

    source: str
    store_path: Path
    connections: tuple[ConnectionConfig, ...]
    smtp: SmtpConfig | None = None
    store_url: str | None = attrs.field(default=None, repr=False)
    sync_interval: float | None = None


def default_data_dir() -> Path:
    """Return the user data folder of the host (XDG on Linux)."""
    if os.name == "nt":  # pragma: no cover - Windows only
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "commercium-connector"


class _Reader:
    """Collects problems while reading typed values out of TOML tables."""

    def __init__(
        self,
        env: Mapping[str, str],
        base: Path,
        secrets: bool,
        channels: Mapping[str, ChannelInfo] | None = None,
    ) -> None:
        self.problems: list[ConfigProblem] = []
        self.env = env
        self.base = base
        self.secrets = secrets
        self.channels = channels

    def problem(self, key: str, message: str) -> None:
        self.problems.append(ConfigProblem(key, message))

    def unknown_keys(
        self, table: Mapping[str, Any], known: set[str], prefix: str
    ) -> None:
        for key in sorted(set(table) - known):
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            self.problem(
                f"{prefix}{key}",
                f"unknown key; {hint}expected one of: {', '.join(sorted(known))}",
            )

    def string(
        self, table: Mapping[str, Any], key: str, prefix: str, *, required: bool
    ) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.problem(f"{prefix}{key}", "missing; add it as a string")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(
                f"{prefix}{key}", f"expected a non-empty string, got {value!r}"
            )
            return None
        return value.strip()

    def table(self, parent: Mapping[str, Any], key: str, prefix: str) -> dict[str, Any]:
        value = parent.get(key, {})
        if not isinstance(value, dict):
            self.problem(f"{prefix}{key}", f"expected a table ([{prefix}{key}])")
            return {}
        return value

    def secret(
        self, table: Mapping[str, Any], name: str, prefix: str, *, required: bool
    ) -> str | None:
        """Read a secret from ``<name>_env`` or ``<name>_file``, never inline."""
        env_key, file_key = f"{name}_env", f"{name}_file"
        if name in table:
            self.problem(
                f"{prefix}{name}",
                f"secrets are not read from the configuration; set {env_key} to "
                f"the name of an environment variable or {file_key} to a file",
            )
            return None
        env_name = self.string(table, env_key, prefix, required=False)
        file_name = self.string(table, file_key, prefix, required=False)
        if env_name and file_name:
            self.problem(f"{prefix}{env_key}", f"set either {env_key} or {file_key}")
            return None
        if not env_name and not file_name:
            if required:
                self.problem(
                    f"{prefix}{env_key}",
                    f"missing; set {env_key} (an environment variable's name) or "
                    f"{file_key} (a file holding the {name})",
                )
            return None
        if not self.secrets:
            return None
        if env_name:
            value = self.env.get(env_name, "").strip()
            if not value:
                self.problem(
                    f"{prefix}{env_key}",
                    f"environment variable {env_name} is not set or empty; "
                    f"export it before running",
                )
                return None
            return self._checked_secret(value, name, f"{prefix}{env_key}")
        path = (self.base / str(file_name)).expanduser()
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            self.problem(
                f"{prefix}{file_key}",
                f"cannot read {path}: {exc.strerror}; check the path and permissions",
            )
            return None
        if not value:
            self.problem(
                f"{prefix}{file_key}", f"{path} is empty; write the {name} in it"
            )
            return None
        return self._checked_secret(value, name, f"{prefix}{file_key}")

    def _checked_secret(self, value: str, name: str, key: str) -> str | None:
        """Reject a token that carries an authorization scheme; never echo it."""
        match = _TOKEN_SCHEME.match(value) if name == "token" else None
        if match is None:
            return value
        self.problem(
            key,
            f"the token starts with {match.group(1)!r} and a space; keep only the "
            "token itself, because the channel adds the authorization scheme",
        )
        return None


def load_config(
    path: Path,
    *,
    env: Mapping[str, str] | None = None,
    secrets: bool = True,
    channels: Mapping[str, ChannelInfo] | None = None,
) -> HostConfig:
    """Read and check a configuration file.

    Args:
        path: The TOML file.
        env: Environment variables to read secrets from (``os.environ``).
        secrets: Read tokens and passwords. Commands that send nothing, such
            as ``status``, pass False and work without them.
        channels: The installed channels, by name. When given, each enabled
            connection's settings are parsed by its channel too, so that
            their problems come in the same error as the file's own.

    Raises:
        ConfigError: Listing every problem found, each with its key.
    """
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            source,
            [ConfigProblem("(file)", "not found; check the path given to --config")],
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            source, [ConfigProblem("(file)", f"cannot read: {exc}")]
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            source, [ConfigProblem("(syntax)", f"{exc}; fix the TOML syntax there")]
        ) from None

    reader = _Reader(os.environ if env is None else env, path.parent, secrets, channels)
    reader.unknown_keys(data, _TOP_KEYS, "")
    store_path = _read_store(reader, data)
    store_url = _read_store_url(reader, data)
    sync_interval = _read_sync_interval(reader, data)
    smtp = _read_smtp(reader, data)
    connections = _read_connections(reader, data)
    if reader.problems:
        raise ConfigError(source, reader.problems)
    return HostConfig(
        source,
        store_path,
        connections,
        smtp,
        store_url=store_url,
        sync_interval=sync_interval,
    )


def _read_store(reader: _Reader, data: Mapping[str, Any]) -> Path:
    table = reader.table(data, "store", "")
    reader.unknown_keys(table, _STORE_KEYS, "store.")
    value = reader.string(table, "path", "store.", required=False)
    if value is None:
        return default_data_dir() / STORE_FILE_NAME
    return (reader.base / value).expanduser()


def _read_store_url(reader: _Reader, data: Mapping[str, Any]) -> str | None:
    """Read ``store.url``, adding the password read from the environment or a file."""
    table = reader.table(data, "store", "")
    value = reader.string(table, "url", "store.", required=False)
    if value is None:
        if "password_env" in table or "password_file" in table:
            reader.problem(
                "store.password_env", "a store password needs store.url; add it"
            )
        return None
    if "path" in table:
        reader.problem("store.url", "set either store.path or store.url, not both")
        return None

    try:
        url = sa.engine.make_url(value)
    except sa.exc.ArgumentError:
        reader.problem(
            "store.url",
            "invalid database URL; write e.g. sqlite:///store.sqlite or "
            "postgresql+psycopg://user@host/database",
        )
        return None
    if url.get_backend_name() not in _URL_SCHEMES:
        reader.problem(
            "store.url",
            f"unsupported database {url.get_backend_name()!r}; use sqlite or "
            "postgresql",
        )
        return None
    if url.password is not None:
        reader.problem(
            "store.url",
            "the URL contains a password; remove it and set store.password_env "
            "or store.password_file",
        )
        return None

    if url.get_backend_name() == "sqlite" and url.database not in (
        None,
        "",
        ":memory:",
    ):
        # Like store.path, a relative SQLite file is relative to this file.
        url = url.set(database=str((reader.base / url.database).expanduser()))
    password = reader.secret(table, "password", "store.", required=False)
    if password is not None:
        url = url.set(password=password)
    return url.render_as_string(hide_password=False)


def _read_sync_interval(reader: _Reader, data: Mapping[str, Any]) -> float | None:
    table = reader.table(data, "sync", "")
    reader.unknown_keys(table, {"interval"}, "sync.")
    value = table.get("interval")
    if value is None:
        return None
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not 0 < value <= MAX_SYNC_INTERVAL
    ):
        reader.problem(
            "sync.interval",
            f"invalid interval {value!r}; use a number of seconds above 0 and at "
            f"most {MAX_SYNC_INTERVAL} (a week)",
        )
        return None
    return float(value)


def _read_smtp(reader: _Reader, data: Mapping[str, Any]) -> SmtpConfig | None:
    notifications = reader.table(data, "notifications", "")
    reader.unknown_keys(notifications, {"smtp"}, "notifications.")
    if "smtp" not in notifications:
        return None
    prefix = "notifications.smtp."
    table = reader.table(notifications, "smtp", "notifications.")
    reader.unknown_keys(table, _SMTP_KEYS, prefix)
    host = reader.string(table, "host", prefix, required=True)
    security = table.get("security", "starttls")
    if security not in SECURITY_MODES:
        reader.problem(
            f"{prefix}security",
            f"invalid value {security!r}; use one of {', '.join(SECURITY_MODES)}",
        )
    default_port = {"starttls": 587, "ssl": 465}.get(str(security), 25)
    port = table.get("port", default_port)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        reader.problem(f"{prefix}port", f"invalid port {port!r}; use 1 to 65535")
        port = default_port
    timeout = table.get("timeout", 30)
    if (
        not isinstance(timeout, (int, float))
        or isinstance(timeout, bool)
        or timeout <= 0
    ):
        reader.problem(
            f"{prefix}timeout", f"invalid timeout {timeout!r}; use seconds > 0"
        )
        timeout = 30
    sender = reader.string(table, "sender", prefix, required=True)
    recipients = table.get("recipients")
    if (
        not isinstance(recipients, list)
        or not recipients
        or not all(isinstance(r, str) and "@" in r for r in recipients)
    ):
        reader.problem(
            f"{prefix}recipients",
            f"expected a list of email addresses, got {recipients!r}",
        )
        recipients = []
    username = reader.string(table, "username", prefix, required=False)
    password = reader.secret(table, "password", prefix, required=username is not None)
    if host is None or sender is None:
        return None
    return SmtpConfig(
        host=host,
        port=port,
        security=str(security),
        sender=sender,
        recipients=tuple(recipients),
        username=username,
        password=password,
        timeout=float(timeout),
    )


def _read_connections(
    reader: _Reader, data: Mapping[str, Any]
) -> tuple[ConnectionConfig, ...]:
    raw = data.get("connections")
    if raw is None:
        reader.problem("connections", "missing; add at least one [[connections]] table")
        return ()
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        reader.problem("connections", "expected [[connections]] tables")
        return ()
    connections: list[ConnectionConfig] = []
    seen: dict[str, str] = {}
    for position, table in enumerate(raw):
        prefix = f"connections[{position}]."
        reader.unknown_keys(table, _CONNECTION_KEYS, prefix)
        connection_id = reader.string(table, "id", prefix, required=True)
        if connection_id is not None and not _ID_PATTERN.match(connection_id):
            reader.problem(
                f"{prefix}id",
                f"invalid id {connection_id!r}; use letters, digits, '-', '_' and '.'",
            )
        if connection_id is not None and connection_id in seen:
            reader.problem(
                f"{prefix}id",
                f"duplicate id {connection_id!r}, also used by {seen[connection_id]}; "
                "give each connection its own id",
            )
        if connection_id is not None:
            seen.setdefault(connection_id, f"connections[{position}]")
        name = reader.string(table, "name", prefix, required=False)
        channel = reader.string(table, "channel", prefix, required=True)
        enabled = table.get("enabled", True)
        if not isinstance(enabled, bool):
            reader.problem(
                f"{prefix}enabled", f"expected true or false, got {enabled!r}"
            )
        token = reader.secret(table, "token", prefix, required=True)
        settings = reader.table(table, "settings", prefix)
        options = reader.table(table, "options", prefix)
        _check_options(reader, options, f"{prefix}options.")
        if reader.channels is not None and enabled is not False:
            _check_settings(reader, table, channel, settings, prefix)
        if connection_id is None or channel is None:
            continue
        connections.append(
            ConnectionConfig(
                id=connection_id,
                name=name or connection_id,
                channel=channel,
                enabled=enabled is not False,
                credentials={"token": token} if token else {},
                settings=settings,
                options=options,
                key=f"connections[{position}]",
            )
        )
    return tuple(connections)


def _check_options(reader: _Reader, options: Mapping[str, Any], prefix: str) -> None:
    """Check the transport options the host reads, and pass the others through.

    The channel's plugin checks the keys it reads itself. The host rejects
    secrets, a ``base_url`` it cannot use, and near misses of ``base_url``,
    because a misspelt ``base_url`` would send the token to the real
    marketplace.
    """
    for key in sorted(options):
        if _SECRET_OPTION.search(key):
            reader.problem(
                f"{prefix}{key}",
                "secrets are not read from the configuration; remove it and set "
                "token_env to the name of an environment variable or token_file "
                "to a file holding the token",
            )
        elif key != "base_url" and difflib.get_close_matches(
            key.replace("-", "_").lower(), ["base_url"], n=1, cutoff=0.7
        ):
            reader.problem(
                f"{prefix}{key}",
                "unknown option; did you mean 'base_url'? Without it the "
                "connection talks to the real marketplace",
            )
    if "base_url" in options:
        problem = _base_url_problem(options["base_url"])
        if problem:
            reader.problem(f"{prefix}base_url", problem)


def _base_url_problem(value: Any) -> str:
    """Return why ``value`` is not a usable base URL, or an empty string."""
    if not isinstance(value, str) or not value.strip():
        return f"expected a URL string such as 'http://127.0.0.1:8123', got {value!r}"
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return (
            f"invalid URL {value!r}; write an absolute http or https URL such as "
            "'http://127.0.0.1:8123'"
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        return (
            f"plain http to {parts.hostname!r} would send the token unencrypted; "
            "use https, or http only to a server on this machine (127.0.0.1)"
        )
    return ""


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_settings(
    reader: _Reader,
    table: Mapping[str, Any],
    channel_name: str | None,
    settings: Mapping[str, Any],
    prefix: str,
) -> None:
    """Let the channel parse a connection's settings; record its problems."""
    assert reader.channels is not None
    if channel_name is None:
        # A misspelt `channel` key (already reported) still names the
        # channel whose settings to check.
        for key in set(table) - _CONNECTION_KEYS:
            value = table[key]
            if isinstance(value, str) and value in reader.channels:
                channel_name = value
        if channel_name is None:
            return
    channel = reader.channels.get(channel_name)
    if channel is None:
        known = ", ".join(sorted(reader.channels)) or "none installed"
        reader.problem(
            f"{prefix}channel",
            f"unknown channel {channel_name!r}; installed channels: {known}",
        )
        return
    try:
        channel.parse_settings(settings)
    except SettingsError as exc:
        for problem in exc.problems:
            reader.problem(f"{prefix}settings.{problem.key}", problem.message)


def build_connections(
    config: HostConfig,
    channels: Mapping[str, ChannelInfo],
    state_for: Any,
) -> list[Connection]:
    """Turn the configured connections into ``Connection`` objects.

    Each channel parses its own settings table; every problem of every
    connection is gathered into one ConfigError.

    Args:
        config: The parsed configuration.
        channels: The channels the loaded plugins provide, by name.
        state_for: Returns the ``StateStore`` of a connection id.

    Raises:
        ConfigError: An unknown channel or invalid channel settings.
    """
    problems: list[ConfigProblem] = []
    connections: list[Connection] = []
    for item in config.connections:
        if not item.enabled:
            continue
        channel = channels.get(item.channel)
        if channel is None:
            known = ", ".join(sorted(channels)) or "none installed"
            problems.append(
                ConfigProblem(
                    f"{item.key}.channel",
                    f"unknown channel {item.channel!r}; installed channels: {known}",
                )
            )
            continue
        try:
            settings = channel.parse_settings(item.settings)
        except SettingsError as exc:
            problems.extend(
                ConfigProblem(f"{item.key}.settings.{p.key}", p.message)
                for p in exc.problems
            )
            continue
        state: StateStore = state_for(item.id)
        connections.append(
            Connection(
                id=item.id,
                name=item.name,
                channel=item.channel,
                settings=settings,
                credentials=item.credentials,
                state=state,
                options=item.options,
            )
        )
    if problems:
        raise ConfigError(config.source, problems)
    return connections
