"""Host options of a connection: every key and value checked before a request."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from backmarket_sdk.sandbox import Sandbox
from commercium_connector.backmarket import plugin
from commercium_connector.backmarket.client_factory import build_client
from commercium_connector.backmarket.options import DEFAULT_TIMEOUT, parse_options
from commercium_connector.errors import SettingsError
from commercium_connector.types import Connection, StockLevel
from tests.connector.conftest import make_settings, product, sandbox_connection


def with_options(box: Sandbox, **extra: Any) -> Connection:
    """Return a sandbox connection with ``extra`` added to its options."""
    connection = sandbox_connection(box)
    return attrs.evolve(connection, options={**connection.options, **extra})


def pull_error(connection: Connection) -> SettingsError:
    with pytest.raises(SettingsError) as caught:
        plugin.commercium_pull_orders(
            connection=connection, since=None, products=[], dry_run=False
        )
    return caught.value


def problems(error: SettingsError) -> dict[str, str]:
    return {problem.key: problem.message for problem in error.problems}


def test_options_misspelt_base_url(sandbox: Sandbox) -> None:
    connection = with_options(sandbox, **{"base-url": "http://127.0.0.1:8123"})
    error = pull_error(connection)
    found = problems(error)
    assert list(found) == ["options.base-url"]
    assert "did you mean 'base_url'?" in found["options.base-url"]
    assert sandbox.requests == []


def test_options_token_rejected(sandbox: Sandbox) -> None:
    connection = with_options(sandbox, token="tok-secret-value")
    error = pull_error(connection)
    found = problems(error)
    assert "credential 'token'" in found["options.token"]
    assert "tok-secret-value" not in str(error)
    assert sandbox.requests == []


def test_options_verify_rejected(sandbox: Sandbox) -> None:
    error = pull_error(with_options(sandbox, verify=False))
    assert "always verified" in problems(error)["options.verify"]


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("base_url", 5, "invalid value 5: use the API root URL"),
        ("base_url", "  ", "invalid value '  '"),
        ("timeout", "fast", "invalid value 'fast': use a number of seconds"),
        ("timeout", 0, "invalid value 0"),
        ("timeout", True, "invalid value True"),
        ("timeout", float("inf"), "invalid value inf"),
        ("now", "2020-01-01", "invalid value '2020-01-01': use a callable"),
        ("sleep", 3, "invalid value 3: use a callable"),
        ("transport", "mock", "use an httpx.BaseTransport instance"),
    ],
)
def test_options_wrong_kind(
    sandbox: Sandbox, name: str, value: object, fragment: str
) -> None:
    error = pull_error(with_options(sandbox, **{name: value}))
    found = problems(error)
    assert list(found) == [f"options.{name}"]
    assert fragment in found[f"options.{name}"]
    assert sandbox.requests == []


def test_options_every_problem_listed() -> None:
    with pytest.raises(SettingsError) as caught:
        parse_options({"base_url": 5, "colour": "red", 7: "x", "now": "today"})
    found = problems(caught.value)
    assert set(found) == {
        "options.base_url",
        "options.colour",
        "options.7",
        "options.now",
    }
    assert "remove it" in found["options.colour"]


def test_options_not_a_table() -> None:
    with pytest.raises(SettingsError) as caught:
        parse_options(["base_url"])  # type: ignore[arg-type]
    assert problems(caught.value) == {
        "options": "must be a table of options, not ['base_url']"
    }


def test_options_none_means_absent() -> None:
    options = parse_options({"base_url": None, "transport": None, "timeout": None})
    assert options.base_url is None
    assert options.transport is None
    assert options.timeout == DEFAULT_TIMEOUT


def test_options_timeout_reaches_client(sandbox: Sandbox) -> None:
    connection = with_options(sandbox, timeout=2.5)
    client = build_client(connection, make_settings())
    with client:
        assert client.config.timeout == 2.5
    levels = plugin.commercium_push_inventory(
        connection=connection,
        levels=[StockLevel(product("GALAXY-S22"), 2)],
        dry_run=False,
    )
    assert levels is not None
    assert sandbox.listing("GALAXY-S22")["quantity"] == 2


def test_options_check_reports_problem(sandbox: Sandbox) -> None:
    connection = with_options(sandbox, **{"base-url": "http://127.0.0.1:8123"})
    check = plugin.commercium_check_connection(connection=connection)
    assert check is not None
    assert check.ok is False
    assert "options.base-url" in check.message
    assert sandbox.requests == []


def test_options_push_hooks_checked(sandbox: Sandbox) -> None:
    connection = with_options(sandbox, now="2020-01-01")
    with pytest.raises(SettingsError, match=r"options\.now"):
        plugin.commercium_push_inventory(
            connection=connection,
            levels=[StockLevel(product("GALAXY-S22"), 2)],
            dry_run=False,
        )
    assert sandbox.requests == []
