"""A client used after ``close()`` raises ``ClientClosedError``."""

from __future__ import annotations

import asyncio

import pytest

from backmarket_sdk import BackMarketError, ClientClosedError
from tests.sdk.conftest import FakeTime, make_async_client, make_client
from tests.sdk.loopback import LoopbackServer


def test_sync_call_after_close(server: LoopbackServer, fake_time: FakeTime) -> None:
    with make_client(server.url, fake_time) as client:
        assert client.orders.get(1).order_id == 1
    sent = len(server.api.log)
    with pytest.raises(ClientClosedError) as caught:
        client.orders.get(1)
    assert "This BackMarketClient is closed" in str(caught.value)
    assert "'with' block" in str(caught.value)
    assert isinstance(caught.value, BackMarketError)
    assert isinstance(caught.value, RuntimeError)
    assert len(server.api.log) == sent
    assert fake_time.sleeps == []


def test_sync_pager_after_close(server: LoopbackServer, fake_time: FakeTime) -> None:
    client = make_client(server.url, fake_time)
    client.close()
    with pytest.raises(ClientClosedError):
        list(client.listings.list())
    assert server.api.log == []


def test_async_call_after_close(server: LoopbackServer, fake_time: FakeTime) -> None:
    async def scenario() -> None:
        async with make_async_client(server.url, fake_time) as client:
            assert (await client.orders.get(1)).order_id == 1
        with pytest.raises(ClientClosedError, match="AsyncBackMarketClient is closed"):
            await client.orders.get(1)

    asyncio.run(scenario())
    assert len(server.api.log) == 1
