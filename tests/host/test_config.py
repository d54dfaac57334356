"""Configuration files: good ones parse, bad ones list each problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from commercium_connector.host.cli import main
from commercium_connector.host.config import (
    ConfigError,
    build_connections,
    load_config,
)
from commercium_connector.host.manager import PluginHost

GOOD = """
[store]
path = "data/store.sqlite"

[notifications.smtp]
host = "127.0.0.1"
port = 2525
security = "none"
sender = "sync@shop.example"
recipients = ["ops@shop.example"]

[[connections]]
id = "shop-fr"
name = "Shop France"
channel = "backmarket"
token_env = "SHOP_TOKEN"
[connections.settings]
market = "fr-fr"
user_agent = "BM-Shop-Sync;ops@shop.example"

[[connections]]
id = "shop-de"
channel = "backmarket"
token_file = "secret.txt"
[connections.settings]
market = "de-de"
user_agent = "BM-Shop-Sync;ops@shop.example"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "commercium.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=env or {})
    return {p.key: p.message for p in caught.value.problems}


def test_config_good(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("tok-de\n", encoding="utf-8")
    config = load_config(_write(tmp_path, GOOD), env={"SHOP_TOKEN": "tok-fr"})
    assert config.store_path == tmp_path / "data" / "store.sqlite"
    assert [c.id for c in config.connections] == ["shop-fr", "shop-de"]
    assert config.connections[0].credentials == {"token": "tok-fr"}
    assert config.connections[1].credentials == {"token": "tok-de"}
    assert config.connections[1].name == "shop-de"
    assert config.smtp is not None
    assert config.smtp.recipients == ("ops@shop.example",)
    assert "tok-fr" not in repr(config)


def test_config_builds_connections(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("tok-de", encoding="utf-8")
    config = load_config(_write(tmp_path, GOOD), env={"SHOP_TOKEN": "tok-fr"})
    plugins = PluginHost()
    connections = build_connections(config, plugins.channels(), lambda cid: None)
    assert [c.settings.market for c in connections] == ["fr-fr", "de-de"]


def test_config_every_problem_listed(tmp_path: Path) -> None:
    text = """
colour = "blue"
[notifications.smtp]
host = "127.0.0.1"
port = 70000
security = "tls"
sender = "sync@shop.example"
recipients = "ops@shop.example"

[[connections]]
id = "shop fr"
channel = "backmarket"
token = "abc"

[[connections]]
id = "dup"
channel = "backmarket"
token_env = "MISSING_TOKEN"

[[connections]]
id = "dup"
channel = "backmarket"
token_file = "nope.txt"
"""
    problems = _problems(_write(tmp_path, text))
    assert "unknown key" in problems["colour"]
    assert "65535" in problems["notifications.smtp.port"]
    assert "starttls" in problems["notifications.smtp.security"]
    assert "list of email addresses" in problems["notifications.smtp.recipients"]
    assert "invalid id" in problems["connections[0].id"]
    assert "token_env" in problems["connections[0].token"]
    assert "abc" not in problems["connections[0].token"]
    assert "MISSING_TOKEN is not set" in problems["connections[1].token_env"]
    assert "duplicate id" in problems["connections[2].id"]
    assert "cannot read" in problems["connections[2].token_file"]


def test_config_syntax_error(tmp_path: Path) -> None:
    problems = _problems(_write(tmp_path, "[store\npath = 1"))
    assert "fix the TOML syntax" in problems["(syntax)"]


def test_config_missing_file(tmp_path: Path) -> None:
    problems = _problems(tmp_path / "absent.toml")
    assert "--config" in problems["(file)"]


def test_config_no_connections(tmp_path: Path) -> None:
    problems = _problems(_write(tmp_path, "[store]\n"))
    assert "[[connections]]" in problems["connections"]


def test_config_channel_settings_errors(tmp_path: Path) -> None:
    text = """
[[connections]]
id = "a"
channel = "backmarket"
token_env = "T"
[connections.settings]
market = "xx-xx"
[[connections]]
id = "b"
channel = "amazon"
token_env = "T"
"""
    config = load_config(_write(tmp_path, text), env={"T": "secret-value"})
    with pytest.raises(ConfigError) as caught:
        build_connections(config, PluginHost().channels(), lambda cid: None)
    keys = {p.key for p in caught.value.problems}
    assert "connections[0].settings.market" in keys
    assert "connections[1].channel" in keys
    assert "secret-value" not in str(caught.value)


def test_cli_bad_config_exit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "[[connections]]\nid = 'x'\n")
    assert main(["-q", "sync", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "connections[0].channel" in err
    assert "connections[0].token_env" in err
    assert "Traceback" not in err


def _connection(options: str = "", extra: str = "", settings: str = "") -> str:
    return f"""
[[connections]]
id = "a"
channel = "backmarket"
token_env = "T"
{extra}
[connections.settings]
market = "fr-fr"
user_agent = "BM-Shop-Sync;ops@shop.example"
{settings}
[connections.options]
{options}
"""


@pytest.mark.parametrize(
    ("options", "key", "expected"),
    [
        ('token = "tok-inline"', "token", "token_file"),
        ('api_key = "tok-inline"', "api_key", "token_env"),
        ('base-url = "http://127.0.0.1:1"', "base-url", "did you mean 'base_url'"),
        ('baseurl = "http://127.0.0.1:1"', "baseurl", "did you mean 'base_url'"),
        ("base_url = 5", "base_url", "expected a URL string"),
        ('base_url = "127.0.0.1:8123"', "base_url", "absolute http or https URL"),
        ('base_url = "http://shop.example"', "base_url", "unencrypted"),
    ],
)
def test_options_checked(tmp_path: Path, options: str, key: str, expected: str) -> None:
    problems = _problems(_write(tmp_path, _connection(options)), {"T": "tok"})
    assert expected in problems[f"connections[0].options.{key}"]
    assert "tok-inline" not in problems[f"connections[0].options.{key}"]


@pytest.mark.parametrize(
    "options",
    [
        'base_url = "http://127.0.0.1:8123"',
        'base_url = "http://[::1]:8123"',
        'base_url = "http://localhost:8123"',
        'base_url = "https://sandbox.shop.example"',
        "timeout = 5",  # the channel's plugin checks keys it reads itself
    ],
)
def test_options_passed(tmp_path: Path, options: str) -> None:
    config = load_config(_write(tmp_path, _connection(options)), env={"T": "tok"})
    assert config.connections[0].options


@pytest.mark.parametrize("token", ["Basic abc123", "bearer abc123"])
def test_token_with_scheme(tmp_path: Path, token: str) -> None:
    problems = _problems(_write(tmp_path, _connection()), {"T": token})
    message = problems["connections[0].token_env"]
    assert "keep only the token" in message
    assert "abc123" not in message


def test_settings_in_same_error(tmp_path: Path) -> None:
    text = _connection(extra='enabled = "maybe"', settings='currency = "EURO"')
    text = text.replace('market = "fr-fr"', 'market = "xx-xx"')
    with pytest.raises(ConfigError) as caught:
        load_config(
            _write(tmp_path, text), env={"T": "tok"}, channels=PluginHost().channels()
        )
    keys = {p.key for p in caught.value.problems}
    assert "connections[0].enabled" in keys
    assert "connections[0].settings.market" in keys
    assert "connections[0].settings.currency" in keys


def test_misspelt_channel_key(tmp_path: Path) -> None:
    text = _connection().replace('channel = "backmarket"', 'chanel = "backmarket"')
    text = text.replace("market =", "markt =")
    with pytest.raises(ConfigError) as caught:
        load_config(
            _write(tmp_path, text), env={"T": "tok"}, channels=PluginHost().channels()
        )
    problems = {p.key: p.message for p in caught.value.problems}
    assert "did you mean 'channel'" in problems["connections[0].chanel"]
    assert "missing" in problems["connections[0].channel"]
    assert "connections[0].settings.markt" in problems


def test_cli_scheme_token_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("T", "Basic abc123")
    path = _write(tmp_path, _connection('base_url = "http://127.0.0.1:9"'))
    assert main(["-q", "check", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "keep only the token" in err
    assert "abc123" not in err


@pytest.mark.parametrize("interval", ["0", "-5", "1e12", "true", '"5m"'])
def test_sync_interval_invalid(tmp_path: Path, interval: str) -> None:
    text = f"[sync]\ninterval = {interval}\n" + _connection()
    problems = _problems(_write(tmp_path, text), {"T": "tok"})
    assert "at most 604800" in problems["sync.interval"]
