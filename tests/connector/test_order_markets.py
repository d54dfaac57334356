"""Which markets' orders a connection imports when connections share a token."""

from __future__ import annotations

import dataclasses

import attrs
import httpx
import pytest

from backmarket_sdk.sandbox import Sandbox
from commercium_connector.backmarket import plugin
from commercium_connector.errors import SettingsError
from commercium_connector.types import ItemStatus, OrderBatch
from tests.connector.conftest import (
    LISTINGS,
    MemoryStateStore,
    make_sandbox,
    make_settings,
    product,
    sandbox_connection,
)

PRODUCTS = [product(seed.sku) for seed in LISTINGS]


@pytest.fixture
def box() -> Sandbox:
    """Return a sandbox whose listings are offered in France and in Spain."""
    listings = [
        dataclasses.replace(seed, markets=("fr-fr", "es-es")) for seed in LISTINGS
    ]
    return make_sandbox(listings=listings)


def pull(box: Sandbox, market: str, **orders: object) -> OrderBatch:
    settings = make_settings(market=market, orders=orders)
    connection = sandbox_connection(box, settings, state=MemoryStateStore())
    batch = plugin.commercium_pull_orders(
        connection=connection, since=None, products=PRODUCTS, dry_run=False
    )
    assert batch is not None
    return batch


def imported(batch: OrderBatch) -> set[str]:
    return {order.external_id for order in batch.orders}


def test_markets_two_connections_one_token(box: Sandbox) -> None:
    french = box.place_order("IPHONE-13-BLUE", market="fr-fr", state=3)
    spanish = box.place_order("PIXEL-7-BLACK", market="es-es", state=3)
    fr_batch = pull(box, "fr-fr")
    es_batch = pull(box, "es-es")
    assert imported(fr_batch) == {str(french)}
    assert imported(es_batch) == {str(spanish)}
    assert imported(fr_batch) & imported(es_batch) == set()
    countries = [
        entry.query.get("country_code")
        for entry in box.requests
        if entry.path == "/ws/orders"
    ]
    assert countries == ["fr-fr", "es-es"]


def test_markets_own_accepts_own_lines(box: Sandbox) -> None:
    french = box.place_order("IPHONE-13-BLUE", market="fr-fr", state=1)
    spanish = box.place_order("IPHONE-13-BLUE", market="es-es", state=1)
    pull(box, "fr-fr")
    assert box.order(french)["orderlines"][0]["state"] == 2
    assert box.order(spanish)["orderlines"][0]["state"] == 1


def test_markets_all_imports_every_market(box: Sandbox) -> None:
    french = box.place_order("IPHONE-13-BLUE", market="fr-fr", state=3)
    spanish = box.place_order("PIXEL-7-BLACK", market="es-es", state=3)
    batch = pull(box, "fr-fr", markets="all")
    assert imported(batch) == {str(french), str(spanish)}
    lists = [entry for entry in box.requests if entry.path == "/ws/orders"]
    assert len(lists) == 1
    assert "country_code" not in lists[0].query


def test_markets_list_one_request_each(box: Sandbox) -> None:
    french = box.place_order("IPHONE-13-BLUE", market="fr-fr", state=3)
    spanish = box.place_order("PIXEL-7-BLACK", market="es-es", state=0)
    batch = pull(box, "fr-fr", markets=["es-es", "FR-FR"], skip_unpaid=False)
    assert imported(batch) == {str(french), str(spanish)}
    queries = sorted(
        (entry.query.get("country_code"), entry.query.get("state", ""))
        for entry in box.requests
        if entry.path == "/ws/orders"
    )
    assert queries == [("es-es", ""), ("es-es", "0"), ("fr-fr", ""), ("fr-fr", "0")]


class IgnoresCountryFilter(httpx.BaseTransport):
    """Passes requests to the sandbox without their ``country_code`` filter."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url.copy_remove_param("country_code")
        stripped = httpx.Request(
            request.method, url, headers=request.headers, content=request.content
        )
        return self.inner.handle_request(stripped)


def test_markets_response_ignoring_filter(box: Sandbox) -> None:
    french = box.place_order("IPHONE-13-BLUE", market="fr-fr", state=3)
    spanish = box.place_order("PIXEL-7-BLACK", market="es-es", state=3)
    connection = sandbox_connection(box, make_settings(market="fr-fr"))
    options = {**connection.options, "transport": IgnoresCountryFilter(box.transport())}
    batch = plugin.commercium_pull_orders(
        connection=attrs.evolve(connection, options=options),
        since=None,
        products=PRODUCTS,
        dry_run=False,
    )
    assert batch is not None
    assert imported(batch) == {str(french)}
    skipped = [r for r in batch.results if r.status is ItemStatus.SKIPPED]
    assert len(skipped) == 1
    assert skipped[0].details["external_id"] == str(spanish)
    assert "es-es" in skipped[0].message
    assert "orders.markets" in skipped[0].message


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("xx-xx", "'xx-xx'"),
        ([], "[]"),
        (["fr-fr", "zz"], "'zz'"),
        (5, "5"),
    ],
)
def test_markets_invalid_value(value: object, fragment: str) -> None:
    with pytest.raises(SettingsError) as caught:
        make_settings(orders={"markets": value})
    [problem] = caught.value.problems
    assert problem.key == "orders.markets"
    assert fragment in problem.message
    assert "'own'" in problem.message


def test_markets_default_is_own() -> None:
    assert make_settings(market="es-es").order_markets == ("es-es",)
    assert make_settings(orders={"markets": "ALL"}).order_markets is None
    assert make_settings(orders={"markets": "de-de"}).order_markets == ("de-de",)
