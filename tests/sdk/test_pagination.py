from __future__ import annotations

import pytest

from backmarket_sdk import BackMarketClient, errors
from backmarket_sdk._pagination import next_params
from backmarket_sdk.models import Order
from tests.sdk import fixtures
from tests.sdk.conftest import FakeTime, make_async_client
from tests.sdk.loopback import LoopbackAPI, LoopbackServer, Reply


def page(results: list[object], **extra: object) -> dict[str, object]:
    return {"count": len(results), "previous": None, "results": results, **extra}


def test_follows_next_lazily(server: LoopbackServer, client: BackMarketClient) -> None:
    pager = client.orders.list(page_size=1)
    assert server.api.requests_to("GET", "/ws/orders") == []
    first = next(pager)
    assert first.order_id == 1
    assert len(server.api.requests_to("GET", "/ws/orders")) == 1
    assert [o.order_id for o in pager] == [2, 3]
    assert len(server.api.requests_to("GET", "/ws/orders")) == 3


def test_pages_expose_envelope(client: BackMarketClient) -> None:
    pages = list(client.orders.list(page_size=2).pages())
    assert [len(p.items) for p in pages] == [2, 1]
    assert pages[0].count == 3
    assert pages[0].next is not None
    assert pages[1].next is None
    assert all(isinstance(o, Order) for p in pages for o in p.items)


def test_page_size_clamped(server: LoopbackServer, client: BackMarketClient) -> None:
    list(client.orders.list(page_size=500))
    assert server.api.log[0].query["page-size"] == "50"


def test_default_page_size_is_max(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    list(client.listings.list())
    assert server.api.log[0].query == {"page-size": "50"}


@pytest.mark.parametrize("size", [0, -5, True, 2.5])
def test_bad_page_size_rejected(
    server: LoopbackServer, client: BackMarketClient, size: object
) -> None:
    with pytest.raises(errors.InvalidRequestError, match="Invalid page_size"):
        client.orders.list(page_size=size)  # type: ignore[arg-type]
    assert server.api.log == []


@pytest.mark.parametrize("end", [{"next": None}, {}, {"next": ""}])
def test_stops_at_end(
    server: LoopbackServer, client: BackMarketClient, end: dict[str, object]
) -> None:
    body = page([fixtures.order(7)], **end)
    server.api.script("GET", "/ws/orders", Reply(json=body))
    assert [o.order_id for o in client.orders.list()] == [7]
    assert len(server.api.requests_to("GET", "/ws/orders")) == 1


def test_stops_on_empty_results(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    body = page([], next=server.url + "/ws/orders?page=2")
    server.api.script("GET", "/ws/orders", Reply(json=body))
    assert list(client.orders.list()) == []
    assert len(server.api.requests_to("GET", "/ws/orders")) == 1


def test_next_host_ignored(server: LoopbackServer, client: BackMarketClient) -> None:
    body = page(
        [fixtures.order(7)], next="https://attacker.example/steal?page=2&page-size=50"
    )
    server.api.script("GET", "/ws/orders", Reply(json=body))
    ids = [o.order_id for o in client.orders.list(page_size=50)]
    requests = server.api.requests_to("GET", "/ws/orders")
    assert ids == [7]
    assert len(requests) == 2
    assert requests[1].query == {"page": "2", "page-size": "50"}


def test_repeated_next_stops() -> None:
    assert next_params("https://x/ws/orders?page=2", {"page": "2"}) is None
    assert next_params("https://x/ws/orders?page=3", {"page": "2"}) == {"page": "3"}
    assert next_params("https://x/ws/orders?page=3&page-size=90", {}) == {
        "page": "3",
        "page-size": 50,
    }


def test_filters_sent(server: LoopbackServer, client: BackMarketClient) -> None:
    from datetime import datetime, timedelta, timezone

    since = datetime(2024, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    list(client.orders.list(state=1, date_modification=since, country_code="fr-fr"))
    assert server.api.log[0].query == {
        "page-size": "50",
        "state": "1",
        "date_modification": "2024-03-01T09:00:00Z",
        "country_code": "fr-fr",
    }


def test_missing_results_is_malformed(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    server.api.script("GET", "/ws/orders", Reply(json={"count": 0}))
    with pytest.raises(errors.MalformedResponseError, match="'results' list"):
        list(client.orders.list())


async def test_async_pager(fake_time: FakeTime) -> None:
    with LoopbackServer(LoopbackAPI(orders=5)) as server:
        async with make_async_client(server.url, fake_time) as client:
            ids = [o.order_id async for o in client.orders.list(page_size=2)]
            pages = [p async for p in client.orders.list(page_size=2).pages()]
    assert ids == [1, 2, 3, 4, 5]
    assert [len(p.items) for p in pages] == [2, 2, 1]


def test_bad_item_is_malformed(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    item = fixtures.order(7)
    del item["order_id"]
    server.api.script("GET", "/ws/orders", Reply(json=page([item], next=None)))
    with pytest.raises(
        errors.MalformedResponseError, match="Unexpected Order"
    ) as caught:
        list(client.orders.list())
    assert caught.value.url == "/ws/orders"
