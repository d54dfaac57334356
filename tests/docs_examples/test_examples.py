"""Every script of examples/ runs as a subprocess against a loopback sandbox."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from backmarket_sdk.sandbox import Sandbox, SandboxServer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HELPERS = {"example_client.py"}
USER_AGENT = "BM-Example-Tests;dev@example.com"

# Patterns each example must print when run against the default sandbox.
EXPECTED: dict[str, list[str]] = {
    "list_new_orders.py": [r"^[1-9]\d* new orders$", r"^  order \d+ \(\w\w-\w\w\): "],
    "accept_and_ship.py": [
        r"^order \d+ is ACCEPTED$",
        r"^order \d+ is SHIPPED, tracking 1Z999AA10123456784$",
    ],
    "push_stock_from_csv.py": [
        r"^IP12-64GB-BLA-EX: 5 -> 7$",
        r"^IP13-128GB-MID-EX: 5 -> 3$",
        r"^CASE-UNKNOWN-01: not found, skipped$",
        r"^3 updated, 1 unchanged, 1 not found$",
    ],
    "bulk_price_update.py": [
        r"^[1-9]\d* listings in stock, 5% off$",
        r"^task \d+: DONE$",
        r"^  [1-9]\d* SKUs reported$",
    ],
    "async_stock_push.py": [
        r"^CASE-UNKNOWN-01: not found, skipped$",
        r"^pushed 4 of 5 SKUs in \d+\.\d\d s$",
    ],
    "record_imeis.py": [r"^orderline \d+: IMEI \d{15}$"],
    "minimal_host.py": [
        r"^channels: .*backmarket",
        r"^check: token accepted for market fr-fr$",
        r"^pulled [1-9]\d* orders, next cursor \d{4}-",
        r"^  [1-9]\d* x accept done$",
    ],
}


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the environment of an example: no BACKMARKET_* unless given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKMARKET_")}
    env.update(extra or {})
    return env


def run_example(
    name: str, *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        env=child_env(env),
        timeout=120,
    )


def test_examples_all_covered() -> None:
    scripts = {path.name for path in EXAMPLES.glob("*.py")} - HELPERS
    assert scripts == set(EXPECTED)


@pytest.fixture(scope="module")
def sandbox_runs() -> dict[str, subprocess.CompletedProcess[str]]:
    """Run every example at once, each with its own sandbox, and keep the output."""
    with ThreadPoolExecutor(max_workers=len(EXPECTED)) as pool:
        futures = {name: pool.submit(run_example, name) for name in EXPECTED}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_sandbox(
    name: str, sandbox_runs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    completed = sandbox_runs[name]
    assert completed.returncode == 0, completed.stderr
    for pattern in EXPECTED[name]:
        assert re.search(pattern, completed.stdout, re.MULTILINE), (
            f"{name} printed no line matching {pattern!r}:\n{completed.stdout}"
        )


@pytest.fixture
def account_server() -> Iterator[SandboxServer]:
    """A sandbox on loopback posing as a real account through BACKMARKET_*."""
    with Sandbox(seed=7, task_start_after=0.1, task_duration=0.3).serve() as server:
        yield server


def account_env(server: SandboxServer) -> dict[str, str]:
    return {
        "BACKMARKET_TOKEN": server.sandbox.token,
        "BACKMARKET_MARKET": "fr-fr",
        "BACKMARKET_USER_AGENT": USER_AGENT,
        "BACKMARKET_BASE_URL": server.url,
    }


def test_example_account_list(account_server: SandboxServer) -> None:
    completed = run_example("list_new_orders.py", env=account_env(account_server))
    assert completed.returncode == 0, completed.stderr
    assert re.search(r"^[1-9]\d* new orders$", completed.stdout, re.MULTILINE)
    assert account_server.sandbox.requests


@pytest.mark.parametrize(
    "name",
    [
        "accept_and_ship.py",
        "push_stock_from_csv.py",
        "async_stock_push.py",
        "record_imeis.py",
    ],
)
def test_example_account_needs_args(name: str, account_server: SandboxServer) -> None:
    completed = run_example(name, env=account_env(account_server))
    assert completed.returncode == 1
    assert "usage:" in completed.stderr
    assert not [r for r in account_server.sandbox.requests if r.method != "GET"]


def test_example_account_price_dry_run(account_server: SandboxServer) -> None:
    completed = run_example(
        "bulk_price_update.py", "3", env=account_env(account_server)
    )
    assert completed.returncode == 0, completed.stderr
    assert "dry run: add --apply" in completed.stdout
    assert not [r for r in account_server.sandbox.requests if r.method == "POST"]


def test_example_account_ship_order(account_server: SandboxServer) -> None:
    sandbox = account_server.sandbox
    sku = sandbox.skus[0]
    order_id = sandbox.place_order(sku)
    completed = run_example(
        "accept_and_ship.py",
        str(order_id),
        "TRACK-42",
        "DHL Express",
        env=account_env(account_server),
    )
    assert completed.returncode == 0, completed.stderr
    assert sandbox.order(order_id)["state"] == 9
    assert sandbox.order(order_id)["tracking_number"] == "TRACK-42"


def test_example_account_host_dry_run(account_server: SandboxServer) -> None:
    completed = run_example("minimal_host.py", env=account_env(account_server))
    assert completed.returncode == 0, completed.stderr
    assert "check: token accepted" in completed.stdout
    assert not [r for r in account_server.sandbox.requests if r.method == "POST"]
