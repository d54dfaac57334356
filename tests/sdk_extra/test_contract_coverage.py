"""Every operation of the published API maps to an SDK method of both clients."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from backmarket_sdk import AsyncBackMarketClient, BackMarketClient
from backmarket_sdk._operations import DEPRECATED_OPERATIONS, OPERATIONS

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
EXPECTED_OPERATIONS = 39


def spec_operations(spec: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (method.upper(), template)
        for template, item in spec["paths"].items()
        for method in HTTP_METHODS
        if method in item
    ]


def resolve(client: object, dotted: str) -> Any:
    resource_name, method_name = dotted.split(".")
    resource = getattr(client, resource_name, None)
    return getattr(resource, method_name, None)


@pytest.fixture(scope="module")
def clients() -> tuple[BackMarketClient, AsyncBackMarketClient]:
    options: dict[str, Any] = {
        "token": "coverage-token",
        "user_agent": "BM-Acme-Coverage;dev@example.com",
        "base_url": "http://127.0.0.1:9",
    }
    return BackMarketClient(**options), AsyncBackMarketClient(**options)


def test_coverage_all_operations(
    openapi_spec: dict[str, Any],
    clients: tuple[BackMarketClient, AsyncBackMarketClient],
    capsys: pytest.CaptureFixture[str],
) -> None:
    sync_client, async_client = clients
    operations = spec_operations(openapi_spec)
    covered = []
    missing = []
    for operation in operations:
        names = OPERATIONS.get(operation, ())
        methods = [resolve(client, name) for name in names for client in clients]
        if names and all(callable(method) for method in methods):
            covered.append(operation)
        else:
            missing.append(operation)
    with capsys.disabled():
        print(f"\nSDK covers {len(covered)} of {len(operations)} operations")
    assert len(operations) == EXPECTED_OPERATIONS
    assert not missing, f"operations without an SDK method: {missing}"
    assert len(covered) >= EXPECTED_OPERATIONS
    del sync_client, async_client


def test_coverage_table_matches_spec(openapi_spec: dict[str, Any]) -> None:
    extra = set(OPERATIONS) - set(spec_operations(openapi_spec))
    assert not extra, f"table lists operations the spec does not have: {extra}"


def test_coverage_async_twins(
    clients: tuple[BackMarketClient, AsyncBackMarketClient],
) -> None:
    sync_client, async_client = clients
    for names in OPERATIONS.values():
        for name in names:
            sync_method = resolve(sync_client, name)
            async_method = resolve(async_client, name)
            assert not inspect.iscoroutinefunction(sync_method), name
            # Lists return a lazy async pager; every other call is awaited.
            returns_pager = name.split(".")[1].startswith("list")
            assert inspect.iscoroutinefunction(async_method) != returns_pager, name


def test_coverage_deprecated_listed(openapi_spec: dict[str, Any]) -> None:
    for method, template in DEPRECATED_OPERATIONS:
        operation = openapi_spec["paths"][template][method.lower()]
        described = operation.get("description", "").lower()
        assert operation.get("deprecated") or "deprecated" in described
        assert (method, template) in OPERATIONS
