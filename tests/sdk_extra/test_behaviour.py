"""The async client, the sandbox's own limits and calls that are never resent."""

from __future__ import annotations

import asyncio
import warnings
from decimal import Decimal

import httpx
import pytest

from backmarket_sdk import BackMarketClient, RateLimits, errors
from backmarket_sdk.models import Attachment, BuybackOrderStatus, CareFolderState
from backmarket_sdk.sandbox import Sandbox, SandboxServer
from backmarket_sdk.sandbox.aftersales import OperationBudgets, state_for
from tests.sdk_extra.harness import USER_AGENT, FakeTime, make_async_client


async def test_async_areas(sandbox: Sandbox, server: SandboxServer) -> None:
    fake = FakeTime(sandbox)
    transport = httpx.AsyncHTTPTransport()
    async with make_async_client(server.url, sandbox.token, fake, transport) as client:
        folders = [folder async for folder in client.care.list(state=0)]
        assert folders
        assert all(folder.state == CareFolderState.OPEN for folder in folders)
        folder = await client.care.get(folders[-1].id)
        posted = await client.care.post_message(
            folder.id, "Async hello", attachments=[Attachment("a.txt", b"text")]
        )
        assert posted.group == folder.id

        deliveries = [d async for d in client.backship.list_deliveries()]
        assert (
            await client.backship.get_delivery(deliveries[0].shipment_id)
            == deliveries[0]
        )
        returns = [r async for r in client.backship.list_returns()]
        assert await client.backship.get_return(returns[0].shipment_id) == returns[0]

        received = [
            order async for order in client.buyback.list_orders(status="RECEIVED")
        ]
        suspended = await client.buyback.suspend(received[0].order_id, ["parcel_empty"])
        assert suspended.status == BuybackOrderStatus.SUSPENDED
        assert await client.buyback.suspend_reasons()
        listings = [item async for item in client.buyback.list_listings(page_size=4)]
        assert len(listings) == 14
        await client.buyback.update_listing(listings[1].id, {"DE": Decimal("20")})
        assert (await client.buyback.get_listing(listings[1].id)).prices

        listing_id = sandbox.store.listings[0].id
        for _ in range(3):
            assert await client.backbox.competitors(listing_id)
        assert fake.sleeps == [1.0]
        with pytest.warns(DeprecationWarning):
            rows = [row async for row in client.backbox.listings_bi()]
        assert rows


def test_sandbox_limits_competitors(sandbox: Sandbox, server: SandboxServer) -> None:
    fake = FakeTime(sandbox)
    with BackMarketClient(
        token=sandbox.token,
        user_agent=USER_AGENT,
        base_url=server.url,
        max_retries=0,
        rate_limits=RateLimits(enabled=False),
        clock=fake.clock,
        sleep=fake.sleep,
    ) as client:
        listing_id = sandbox.store.listings[0].id
        client.backbox.competitors(listing_id)
        client.backbox.competitors(listing_id)
        with pytest.raises(errors.RateLimitError) as limited:
            client.backbox.competitors(listing_id)
        assert limited.value.code == "too-many-requests"
        assert limited.value.body["status"] == 429
        sandbox.advance(1.0)
        assert client.backbox.competitors(listing_id)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            list(client.backbox.listings_bi())
            list(client.backbox.listings_bi())
            with pytest.raises(errors.RateLimitError):
                list(client.backbox.listings_bi())


def test_sandbox_budgets_minute_and_day() -> None:
    budgets = OperationBudgets()
    limits = ((2, 60.0), (3, 86400.0))
    assert [budgets.admit("care.x", limits, 0.0) for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert budgets.admit("care.x", limits, 61.0)
    assert not budgets.admit("care.x", limits, 122.0)
    assert budgets.admit("care.x", limits, 86401.0)


def test_refund_never_resent(sandbox: Sandbox, server: SandboxServer) -> None:
    fake = FakeTime(sandbox)
    with BackMarketClient(
        token=sandbox.token,
        user_agent=USER_AGENT,
        base_url=server.url,
        max_retries=3,
        clock=fake.clock,
        sleep=fake.sleep,
    ) as client:
        folder = state_for(sandbox.store).folders[min(state_for(sandbox.store).folders)]
        sandbox.set_fault("POST /ws/sav/refund", "503", count=1)
        with pytest.raises(errors.ServerError):
            client.care.refund(folder.orderline_id, 6, amount="1.00")
        sent = [r for r in sandbox.requests if r.path == "/ws/sav/refund"]
        assert len(sent) == 1
        assert client.care.refund(folder.orderline_id, 6, amount="1.00").startswith(
            "1.00 "
        )


def test_buyback_suspend_confirms_before_resend(
    sandbox: Sandbox, server: SandboxServer
) -> None:
    fake = FakeTime(sandbox)
    with BackMarketClient(
        token=sandbox.token,
        user_agent=USER_AGENT,
        base_url=server.url,
        max_retries=2,
        timeout=0.5,
        clock=fake.clock,
        sleep=fake.sleep,
    ) as client:
        order = next(iter(client.buyback.list_orders(status="RECEIVED")))
        path = f"/ws/buyback/v1/orders/{order.order_id}/suspend"
        # The sandbox suspends the order, then the response is lost.
        sandbox.set_fault(f"PUT {path}", "reset", count=1)
        suspended = client.buyback.suspend(order.order_id, ["parcel_empty"])
        assert suspended.status == BuybackOrderStatus.SUSPENDED
        puts = [r for r in sandbox.requests if r.method == "PUT" and r.path == path]
        assert len(puts) == 1
        assert puts[0].fault == "reset"
        reads = [
            r for r in sandbox.requests if r.method == "GET" and r.path == path[:-8]
        ]
        assert len(reads) == 1


def test_transfer_new_folder_rejected(sandbox: Sandbox, server: SandboxServer) -> None:
    fake = FakeTime(sandbox)
    with BackMarketClient(
        token=sandbox.token,
        user_agent=USER_AGENT,
        base_url=server.url,
        clock=fake.clock,
        sleep=fake.sleep,
    ) as client:
        folder = max(state_for(sandbox.store).folders)
        assert folder >= 100_000_000
        with pytest.raises(errors.ValidationError) as rejected:
            client.care.transfer_item(folder, shipper_name="UPS", tracking_number="1Z9")
        assert rejected.value.status == 422
        assert "100,000,000" in rejected.value.message


def test_delivery_follows_acceptance(sandbox: Sandbox, server: SandboxServer) -> None:
    fake = FakeTime(sandbox)
    order = next(
        o for o in sandbox.store.orders.values() if o.is_backship and o.state == 1
    )
    with BackMarketClient(
        token=sandbox.token,
        user_agent=USER_AGENT,
        base_url=server.url,
        clock=fake.clock,
        sleep=fake.sleep,
    ) as client:
        assert list(client.backship.list_deliveries(order_id=order.order_id)) == []
        for line in order.lines:
            client.orders.accept_line(order.order_id, line.listing.sku)
        deliveries = list(client.backship.list_deliveries(order_id=order.order_id))
        assert len(deliveries) == 1
        assert deliveries[0].orderlines == [line.id for line in order.lines]
        assert deliveries[0].hub_scanned is False
        assert client.backship.label_url(deliveries[0]).endswith(".pdf")


def test_sandbox_empty_store_seeds() -> None:
    empty = Sandbox(orders=0, listing_count=0)
    state = state_for(empty.store)
    assert state.folders == {}
    assert state.deliveries == {}
    assert len(state.buyback_orders) == 24


def test_async_refund_returns_text(sandbox: Sandbox, server: SandboxServer) -> None:
    fake = FakeTime(sandbox)
    folder = state_for(sandbox.store).folders[min(state_for(sandbox.store).folders)]

    async def run() -> str:
        transport = httpx.AsyncHTTPTransport()
        async with make_async_client(
            server.url, sandbox.token, fake, transport
        ) as client:
            return await client.care.refund(folder.orderline_id, 6, amount="2.50")

    summary = asyncio.run(run())
    assert summary.startswith("2.50 ")
    assert "refunded" in summary
