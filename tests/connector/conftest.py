"""Fixtures of the Back Market plugin tests: an in-memory state store and
settings, connections and products built from plain values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

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
        "shipments": {"mappings": {"Colissimo Home": "Colissimo", "UPS Express": "UPS"}},
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
