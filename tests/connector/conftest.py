"""Fixtures of the Back Market plugin tests: an in-memory state store and
settings, connections and products built from plain values."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from backmarket_sdk.sandbox import ListingSeed, ProductSeed, Sandbox
from commercium_connector.backmarket.settings import BackMarketSettings, parse_settings
from commercium_connector.types import Connection, Product

USER_AGENT = "BM-Acme-Sync;ops@acme.example"


class MemoryStateStore:
    """A dict-backed state store, as a host keeps one per connection."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def set(self, key: str, value: str) -> None:
        self.values[key] = value

    def delete(self, key: str) -> None:
        self.values.pop(key, None)


def make_settings(**overrides: Any) -> BackMarketSettings:
    """Parse settings from a base table updated with ``overrides``.

    A sub-table given as an override is merged into the base one.
    """
    table: dict[str, Any] = {
        "market": "fr-fr",
        "user_agent": USER_AGENT,
        "shipments": {
            "mappings": {"Colissimo Home": "Colissimo", "UPS Express": "UPS"}
        },
    }
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(table.get(key), Mapping):
            table[key] = {**table[key], **value}
        else:
            table[key] = value
    return parse_settings(table)


def make_connection(
    settings: BackMarketSettings | Mapping[str, Any] | None = None,
    *,
    token: str = "test-token",
    state: MemoryStateStore | None = None,
    channel: str = "backmarket",
    **options: Any,
) -> Connection:
    """Return a Back Market connection with an in-memory state store."""
    return Connection(
        id="bm-fr",
        name="Acme FR",
        channel=channel,
        settings=settings if settings is not None else make_settings(),
        credentials={"token": token},
        state=state if state is not None else MemoryStateStore(),
        options=options,
    )


def product(sku: str, **fields: Any) -> Product:
    """Return a host product with the given SKU and fields."""
    return Product(sku=sku, title=fields.pop("title", sku), **fields)


@pytest.fixture
def state() -> MemoryStateStore:
    return MemoryStateStore()


# -- sandbox ------------------------------------------------------------------

START = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
PRODUCT_IDS = {
    "iphone": "2f5b6c1e-0000-4000-8000-000000000001",
    "pixel": "2f5b6c1e-0000-4000-8000-000000000002",
    "galaxy": "2f5b6c1e-0000-4000-8000-000000000003",
    "ipad": "2f5b6c1e-0000-4000-8000-000000000004",
    "switch": "2f5b6c1e-0000-4000-8000-000000000005",
    "kindle": "2f5b6c1e-0000-4000-8000-000000000006",
}
LISTINGS = (
    ListingSeed(
        sku="IPHONE-13-BLUE",
        title="iPhone 13 Blue",
        product_id=PRODUCT_IDS["iphone"],
        quantity=10,
        price=Decimal("499.00"),
        max_price=Decimal("600.00"),
    ),
    ListingSeed(
        sku="PIXEL-7-BLACK",
        title="Pixel 7 Black",
        product_id=PRODUCT_IDS["pixel"],
        quantity=5,
        price=Decimal("299.00"),
    ),
    ListingSeed(
        sku="GALAXY-S22",
        title="Galaxy S22",
        product_id=PRODUCT_IDS["galaxy"],
        quantity=3,
        price=Decimal("349.00"),
    ),
    ListingSeed(
        sku="IPAD-AIR",
        title="iPad Air",
        product_id=PRODUCT_IDS["ipad"],
        quantity=0,
        price=Decimal("399.00"),
    ),
)
# Catalogue products with no listing yet, for listing creation.
NEW_PRODUCTS = (
    ProductSeed(product_id=PRODUCT_IDS["switch"], ean="0045496452629", title="Switch"),
    ProductSeed(product_id=PRODUCT_IDS["kindle"], ean="0840080565001", title="Kindle"),
)


def make_sandbox(**overrides: Any) -> Sandbox:
    """Return a sandbox with the test listings and a clock that moves on demand."""
    arguments: dict[str, Any] = {
        "seed": 7,
        "orders": 0,
        "listings": LISTINGS,
        "products": NEW_PRODUCTS,
        "start": START,
        "freeze_clock": True,
    }
    arguments.update(overrides)
    return Sandbox(**arguments)


@pytest.fixture
def sandbox() -> Sandbox:
    return make_sandbox()


def sandbox_connection(
    box: Sandbox,
    settings: BackMarketSettings | Mapping[str, Any] | None = None,
    *,
    state: MemoryStateStore | None = None,
    base_url: str | None = None,
    token: str | None = None,
) -> Connection:
    """Return a connection served by the sandbox.

    With ``base_url`` the client talks HTTP to a sandbox server on loopback;
    without it, it uses the sandbox's in-process transport. The plugin's clock
    and sleep follow the sandbox clock, so catalog tasks finish without waiting.
    """
    options: dict[str, Any] = {"now": box.now, "sleep": box.advance}
    if base_url is not None:
        options["base_url"] = base_url
    else:
        options["transport"] = box.transport()
        options["base_url"] = "http://127.0.0.1:9"
    return make_connection(
        settings,
        token=token if token is not None else box.token,
        state=state,
        **options,
    )


def api_writes(box: Sandbox) -> list[tuple[str, str, Any]]:
    """Return the state-changing requests the sandbox served."""
    return [
        (entry.method, entry.path, entry.body)
        for entry in box.requests
        if entry.method in ("POST", "PATCH", "PUT", "DELETE")
    ]
