"""Every operation of the published API maps to an SDK method of both clients."""

from __future__ import annotations

import contextlib
import inspect
import warnings
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from backmarket_sdk import AsyncBackMarketClient, BackMarketClient, errors
from backmarket_sdk._operations import DEPRECATED_OPERATIONS, OPERATIONS
from backmarket_sdk.models import Attachment
from tests.sdk_extra.spec_validation import SpecValidator

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


LISTING = "7e1f4a8d-b1bb-47aa-9f77-2cca759eb41b"
ORDER = "FR-24527-ABCDE"
PHOTO = Attachment("photo.jpg", b"jpeg")

# One valid call of each SDK method of the table; each must send its operation.
SAMPLE_CALLS: dict[str, Callable[[BackMarketClient], Any]] = {
    "categories.tree": lambda c: c.categories.tree(),
    "categories.get": lambda c: c.categories.get(1),
    "listings.list": lambda c: next(iter(c.listings.list())),
    "listings.import_catalog": lambda c: c.listings.import_catalog(
        [{"sku": "SKU-1", "quantity": 1}]
    ),
    "listings.get": lambda c: c.listings.get(LISTING),
    "listings.update": lambda c: c.listings.update(LISTING, quantity=1),
    "listings.get_by_sku": lambda c: c.listings.get_by_sku("SKU-1"),
    "tasks.get": lambda c: c.tasks.get(1),
    "tasks.wait": lambda c: c.tasks.wait(1),
    "orders.list": lambda c: next(iter(c.orders.list())),
    "orders.get": lambda c: c.orders.get(1),
    "orders.accept_line": lambda c: c.orders.accept_line(1, "SKU-1"),
    "orders.cancel_line": lambda c: c.orders.cancel_line(1, "SKU-1"),
    "orders.ship": lambda c: c.orders.ship(1, tracking_number="TRACK1"),
    "orders.upload_invoice": lambda c: c.orders.upload_invoice(1, b"%PDF", "i.pdf"),
    "orderlines.update": lambda c: c.orderlines.update(1, serial_number="SN1"),
    "buyback.list_orders": lambda c: next(iter(c.buyback.list_orders())),
    "buyback.list_pending_reply": lambda c: next(iter(c.buyback.list_pending_reply())),
    "buyback.suspend_reasons": lambda c: c.buyback.suspend_reasons(),
    "buyback.get_order": lambda c: c.buyback.get_order(ORDER),
    "buyback.list_messages": lambda c: next(iter(c.buyback.list_messages(ORDER))),
    "buyback.post_message": lambda c: c.buyback.post_message(ORDER, "Hello"),
    "buyback.suspend": lambda c: c.buyback.suspend(ORDER, ["parcel_empty"]),
    "buyback.validate": lambda c: c.buyback.validate(ORDER),
    "buyback.counter_offer_reasons": lambda c: c.buyback.counter_offer_reasons(ORDER),
    "buyback.counter_offer": lambda c: c.buyback.counter_offer(
        ORDER, price="10", reasons=["broken_screen"], files=[PHOTO]
    ),
    "buyback.list_listings": lambda c: next(iter(c.buyback.list_listings())),
    "buyback.get_listing": lambda c: c.buyback.get_listing(LISTING),
    "buyback.update_listing": lambda c: c.buyback.update_listing(LISTING, {"FR": 1}),
    "buyback.competitors": lambda c: c.buyback.competitors(LISTING),
    "backship.list_deliveries": lambda c: next(iter(c.backship.list_deliveries())),
    "backship.list_returns": lambda c: next(iter(c.backship.list_returns())),
    "backship.get_delivery": lambda c: c.backship.get_delivery(1),
    "backship.get_return": lambda c: c.backship.get_return(1),
    "care.list": lambda c: next(iter(c.care.list())),
    "care.get": lambda c: c.care.get(100_300_165),
    "care.declare_problem": lambda c: c.care.declare_problem(100_300_165),
    "care.refund": lambda c: c.care.refund(1, 4),
    "care.post_message": lambda c: c.care.post_message(100_300_165, "Hello"),
    "care.transfer_item": lambda c: c.care.transfer_item(
        4_200_671, shipper_name="DHL", tracking_number="JD1"
    ),
    "backbox.listings_bi": lambda c: next(iter(c.backbox.listings_bi())),
    "backbox.competitors": lambda c: c.backbox.competitors(LISTING),
}


def test_coverage_calls_send_operation(spec_validator: SpecValidator) -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        # An empty object is no valid answer of most calls: each call is
        # expected to fail on it, after sending its request.
        return httpx.Response(200, json={})

    with BackMarketClient(
        token="coverage-token",
        user_agent="BM-Acme-Coverage;dev@example.com",
        base_url="http://127.0.0.1:9",
        max_retries=0,
        transport=httpx.MockTransport(answer),
    ) as client:
        for operation, names in OPERATIONS.items():
            for name in names:
                sent.clear()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    with contextlib.suppress(errors.BackMarketError, StopIteration):
                        SAMPLE_CALLS[name](client)
                assert sent, f"{name} sent no request"
                first = sent[0]
                template = spec_validator.operation(first.method, first.url.path)
                assert (first.method, template) == operation, name
    assert set(SAMPLE_CALLS) == {
        name for names in OPERATIONS.values() for name in names
    }
