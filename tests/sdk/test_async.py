from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import pytest

from backmarket_sdk import AsyncBackMarketClient, errors
from backmarket_sdk.models import OrderLineState, OrderState, TaskStatus
from tests.sdk.conftest import FakeTime, make_async_client
from tests.sdk.fixtures import TOKEN, USER_AGENT
from tests.sdk.loopback import LoopbackServer, Reply


async def test_orders_flow(server: LoopbackServer, fake_time: FakeTime) -> None:
    async with make_async_client(server.url, fake_time) as client:
        order = await client.orders.get(1)
        accepted = await client.orders.accept_line(1, "SKU-1")
        shipped = await client.orders.ship(1, tracking_number="AB 12", shipper="DHL")
        cancelled = await client.orders.cancel_line(2, "SKU-2")
        await client.orders.upload_invoice(1, b"%PDF", "i.pdf")
        identifiers = await client.orderlines.update(11, serial_number="SN-9")
    assert order.state is OrderState.PAID
    assert accepted.orderlines[0].state is OrderLineState.ACCEPTED
    assert shipped.state is OrderState.SHIPPED
    assert shipped.tracking_number == "AB12"
    assert cancelled.orderlines[0].state is OrderLineState.CANCELLED
    assert identifiers.serial_number == "SN-9"


async def test_listings_flow(server: LoopbackServer, fake_time: FakeTime) -> None:
    async with make_async_client(server.url, fake_time) as client:
        skus = [item.sku async for item in client.listings.list(page_size=2)]
        by_sku = await client.listings.get_by_sku("SKU-3")
        by_id = await client.listings.get(by_sku.id)
        updated = await client.listings.update(by_sku.listing_id, price="120.00")
        task_ids = await client.listings.import_catalog([{"sku": "N1", "quantity": 2}])
        task = await client.tasks.wait(task_ids[0], poll_interval=2)
        first = await client.tasks.get(task_ids[0])
        tree = await client.categories.tree()
        leaf = await client.categories.get(3)
    assert skus == ["SKU-1", "SKU-2", "SKU-3"]
    assert by_id == by_sku
    assert updated.price == Decimal("120.00")
    assert task.status is TaskStatus.DONE
    assert first.status is TaskStatus.DONE
    assert fake_time.sleeps == [2, 2]
    assert tree[0].children[0].category_id == 3
    assert leaf.category_name == "iPhone"


async def test_ship_timeout_reads_order(
    server: LoopbackServer, fake_time: FakeTime
) -> None:
    server.api.script("POST", "/ws/orders/2", Reply(passthrough=True, delay=2.0))
    async with make_async_client(server.url, fake_time, timeout=0.5) as client:
        order = await client.orders.ship(2, tracking_number="T1")
    assert order.state is OrderState.SHIPPED
    assert len(server.api.requests_to("POST", "/ws/orders/2")) == 1
    assert len(server.api.requests_to("GET", "/ws/orders/2")) == 1


async def test_503_then_success(server: LoopbackServer, fake_time: FakeTime) -> None:
    server.api.script("GET", "/ws/orders/1", Reply(503))
    async with make_async_client(server.url, fake_time) as client:
        order = await client.orders.get(1)
    assert order.order_id == 1
    assert len(fake_time.sleeps) == 1


async def test_html_403(server: LoopbackServer, fake_time: FakeTime) -> None:
    headers = {"Content-Type": "text/html", "cf-ray": "99-LHR"}
    server.api.script(
        "GET", "/ws/orders/1", Reply(403, raw=b"<html></html>", headers=headers)
    )
    async with make_async_client(server.url, fake_time) as client:
        with pytest.raises(errors.WAFBlockedError) as caught:
            await client.orders.get(1)
    assert caught.value.cf_ray == "99-LHR"


async def test_accept_resent_when_not_applied(
    server: LoopbackServer, fake_time: FakeTime
) -> None:
    server.api.script("POST", "/ws/orders/1", Reply(502))
    async with make_async_client(server.url, fake_time) as client:
        await client.orders.accept_line(1, "SKU-1")
    posts = server.api.requests_to("POST", "/ws/orders/1")
    assert len(posts) == 2
    assert json.loads(posts[1].body)["new_state"] == 2


async def test_from_env(server: LoopbackServer) -> None:
    environ = {
        "BACKMARKET_TOKEN": "tok-3f9c1a7e5b2d48e6a0c4",
        "BACKMARKET_USER_AGENT": "BM-Acme-Sync;ops@acme.example",
        "BACKMARKET_BASE_URL": server.url,
    }
    async with AsyncBackMarketClient.from_env(environ) as client:
        assert (await client.orders.get(3)).order_id == 3


def test_second_event_loop_rejected(
    server: LoopbackServer, fake_time: FakeTime
) -> None:
    client = make_async_client(server.url, fake_time)

    async def read_order() -> int:
        order = await client.orders.get(1)
        return order.order_id

    assert asyncio.run(read_order()) == 1
    with pytest.raises(errors.EventLoopError, match="one client per event loop"):
        asyncio.run(read_order())
    assert len(server.api.requests_to("GET", "/ws/orders/1")) == 1


async def test_one_loop_many_calls(server: LoopbackServer, fake_time: FakeTime) -> None:
    async with make_async_client(server.url, fake_time) as client:
        orders = await asyncio.gather(*(client.orders.get(n) for n in (1, 2, 3)))
    assert [order.order_id for order in orders] == [1, 2, 3]


async def test_blocking_sleep_rejected(
    server: LoopbackServer, fake_time: FakeTime
) -> None:
    server.api.script("GET", "/ws/orders/1", Reply(503))
    blocking = AsyncBackMarketClient(
        token=TOKEN,
        user_agent=USER_AGENT,
        base_url=server.url,
        sleep=fake_time.sleep,  # type: ignore[arg-type]
        clock=fake_time.clock,
    )
    async with blocking:
        with pytest.raises(errors.ConfigurationError, match="not an awaitable"):
            await blocking.orders.get(1)
    assert len(server.api.requests_to("GET", "/ws/orders/1")) == 1
