from __future__ import annotations

import json
from decimal import Decimal

import pytest

from backmarket_sdk import BackMarketClient, errors
from backmarket_sdk._retry import RetryPolicy, compute_wait
from tests.sdk.conftest import FakeTime, make_client
from tests.sdk.fixtures import TOKEN, USER_AGENT
from tests.sdk.loopback import LoopbackServer, Reply

ORDER_PATH = "/ws/orders/1"
RATE_LIMITED = {"error": {"code": "rate-limited", "message": "Too many requests"}}


def test_429_without_retry_after_waits_block(
    server: LoopbackServer, client: BackMarketClient, fake_time: FakeTime
) -> None:
    server.api.script("GET", ORDER_PATH, Reply(429, json=RATE_LIMITED))
    order = client.orders.get(1)
    assert order.order_id == 1
    assert len(server.api.requests_to("GET", ORDER_PATH)) == 2
    assert fake_time.sleeps[0] >= 10.0


def test_429_honours_retry_after(
    server: LoopbackServer, client: BackMarketClient, fake_time: FakeTime
) -> None:
    reply = Reply(429, json=RATE_LIMITED, headers={"Retry-After": "3"})
    server.api.script("GET", ORDER_PATH, reply)
    client.orders.get(1)
    assert fake_time.sleeps == [3.0]


def test_429_block_holds_other_calls(
    server: LoopbackServer, client: BackMarketClient, fake_time: FakeTime
) -> None:
    server.api.script("GET", ORDER_PATH, Reply(429, json=RATE_LIMITED))
    client.orders.get(1)
    blocked_at = fake_time.now
    # The retry already waited out the block, so the next call goes at once.
    client.orders.get(2)
    assert fake_time.now == blocked_at
    assert client.rate_limiter.reserve() == 0.0


def test_retry_after_too_long_raises(
    server: LoopbackServer, client: BackMarketClient, fake_time: FakeTime
) -> None:
    reply = Reply(429, json=RATE_LIMITED, headers={"Retry-After": "3600"})
    server.api.script("GET", ORDER_PATH, reply)
    with pytest.raises(errors.RateLimitError) as caught:
        client.orders.get(1)
    assert caught.value.retry_after == 3600.0
    assert fake_time.sleeps == []


def test_503_then_success(
    server: LoopbackServer, client: BackMarketClient, fake_time: FakeTime
) -> None:
    server.api.script("GET", ORDER_PATH, Reply(503, raw=b"Service Unavailable"))
    order = client.orders.get(1)
    assert order.order_id == 1
    assert len(server.api.requests_to("GET", ORDER_PATH)) == 2
    assert len(fake_time.sleeps) == 1
    assert 0.25 <= fake_time.sleeps[0] <= 0.5


def test_attempts_bounded(server: LoopbackServer, fake_time: FakeTime) -> None:
    server.api.script("GET", ORDER_PATH, *[Reply(502) for _ in range(5)])
    client = make_client(server.url, fake_time, max_retries=2)
    with client, pytest.raises(errors.ServerError) as caught:
        client.orders.get(1)
    assert caught.value.status == 502
    assert len(server.api.requests_to("GET", ORDER_PATH)) == 3


def test_500_not_retried(server: LoopbackServer, client: BackMarketClient) -> None:
    server.api.script("GET", ORDER_PATH, Reply(500))
    with pytest.raises(errors.ServerError):
        client.orders.get(1)
    assert len(server.api.requests_to("GET", ORDER_PATH)) == 1


def test_truncated_json_then_success(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    raw = b'{"order_id": 1, "sta'
    headers = {"Content-Type": "application/json"}
    server.api.script("GET", ORDER_PATH, Reply(200, raw=raw, headers=headers))
    assert client.orders.get(1).order_id == 1
    assert len(server.api.requests_to("GET", ORDER_PATH)) == 2


def test_ship_timeout_reads_order(server: LoopbackServer, fake_time: FakeTime) -> None:
    # The server applies the shipment, then responds after the client gave up.
    server.api.script("POST", ORDER_PATH, Reply(passthrough=True, delay=2.0))
    server.api.orders[1]["state"] = 3
    server.api.orders[1]["orderlines"][0]["state"] = 2
    with make_client(server.url, fake_time, timeout=0.5) as client:
        order = client.orders.ship(1, tracking_number="1Z 999", shipper="UPS")
    posts = server.api.requests_to("POST", ORDER_PATH)
    gets = server.api.requests_to("GET", ORDER_PATH)
    assert len(posts) == 1
    assert len(gets) == 1
    assert order.state == 9
    assert order.tracking_number == "1Z999"


def test_accept_resent_when_not_applied(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    server.api.script("POST", ORDER_PATH, Reply(503))
    order = client.orders.accept_line(1, "SKU-1")
    posts = server.api.requests_to("POST", ORDER_PATH)
    assert len(posts) == 2
    assert json.loads(posts[1].body) == {"order_id": 1, "new_state": 2, "sku": "SKU-1"}
    assert len(server.api.requests_to("GET", ORDER_PATH)) == 1
    assert order.orderlines[0].state == 2


def test_cancel_applied_not_resent(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    # As if the gateway timed out after the origin had cancelled the line.
    server.api.orders[1]["orderlines"][0]["state"] = 4
    server.api.script("POST", ORDER_PATH, Reply(504))
    order = client.orders.cancel_line(1, "sku-1")
    assert len(server.api.requests_to("POST", ORDER_PATH)) == 1
    assert order.orderlines[0].state == 4


def test_catalog_import_not_resent_after_503(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    server.api.script("POST", "/ws/listings", Reply(503))
    with pytest.raises(errors.ServerError):
        client.listings.import_catalog([{"sku": "A", "quantity": 1}])
    assert len(server.api.requests_to("POST", "/ws/listings")) == 1


def test_catalog_import_resent_after_429(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    server.api.script("POST", "/ws/listings", Reply(429, json=RATE_LIMITED))
    assert client.listings.import_catalog([{"sku": "A", "quantity": 1}]) == [1001]
    assert len(server.api.requests_to("POST", "/ws/listings")) == 2


def test_price_update_retried(server: LoopbackServer, client: BackMarketClient) -> None:
    server.api.script("POST", "/ws/listings/4561", Reply(502))
    assert client.listings.update(4561, price="149.90").price == Decimal("149.90")
    assert len(server.api.requests_to("POST", "/ws/listings/4561")) == 2


def test_quantity_update_not_resent_after_502(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    # A gateway error may follow an update that applied; a sale since then
    # would be undone by sending the old absolute quantity again.
    server.api.script("POST", "/ws/listings/4561", Reply(502))
    with pytest.raises(errors.ServerError):
        client.listings.update(4561, quantity=1)
    assert len(server.api.requests_to("POST", "/ws/listings/4561")) == 1


def test_quantity_update_not_resent_after_timeout(
    server: LoopbackServer, fake_time: FakeTime
) -> None:
    reply = Reply(passthrough=True, delay=2.0)
    server.api.script("POST", "/ws/listings/4561", reply)
    client = make_client(server.url, fake_time, timeout=0.5)
    with client, pytest.raises(errors.APITimeoutError):
        client.listings.update(4561, quantity=1)
    assert len(server.api.requests_to("POST", "/ws/listings/4561")) == 1


def test_quantity_update_retried_after_429(
    server: LoopbackServer, client: BackMarketClient
) -> None:
    server.api.script("POST", "/ws/listings/4561", Reply(429, json=RATE_LIMITED))
    assert client.listings.update(4561, quantity=0).quantity == 0
    assert len(server.api.requests_to("POST", "/ws/listings/4561")) == 2


def test_backoff_grows_with_jitter() -> None:
    policy = RetryPolicy(initial_backoff=0.5, max_backoff=8.0)
    low = [compute_wait(policy, n, None, rand=lambda: 0.0) for n in range(1, 7)]
    high = [compute_wait(policy, n, None, rand=lambda: 1.0) for n in range(1, 7)]
    assert low == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0]
    assert high == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_async_sleep_rejected_by_sync_client(server: LoopbackServer) -> None:
    async def async_sleep(seconds: float) -> None:
        return None

    server.api.script("GET", ORDER_PATH, Reply(503))
    client = BackMarketClient(
        token=TOKEN,
        user_agent=USER_AGENT,
        base_url=server.url,
        sleep=async_sleep,  # type: ignore[arg-type]
    )
    with (
        client,
        pytest.raises(errors.ConfigurationError, match="returned an awaitable"),
    ):
        client.orders.get(1)
    assert len(server.api.requests_to("GET", ORDER_PATH)) == 1


def test_deep_category_tree_malformed(
    server: LoopbackServer, fake_time: FakeTime
) -> None:
    body = ('{"id": 0, "name": "root", "children": [' * 2999 + "]}" * 2999).encode()
    headers = {"Content-Type": "application/json"}
    server.api.script("GET", "/ws/category/tree", Reply(200, raw=body, headers=headers))
    client = make_client(server.url, fake_time, max_retries=0)
    with client, pytest.raises(errors.MalformedResponseError):
        client.categories.tree()


def test_deep_category_model_malformed(
    server: LoopbackServer, fake_time: FakeTime
) -> None:
    # Decodable JSON, but deeper than the model conversion can recurse.
    tree = '{"category_id": 1, "childrens": [' * 300 + "]}" * 300
    body = f"[{tree}]".encode()
    headers = {"Content-Type": "application/json"}
    server.api.script("GET", "/ws/category/tree", Reply(200, raw=body, headers=headers))
    client = make_client(server.url, fake_time, max_retries=0)
    with client, pytest.raises(errors.MalformedResponseError, match="RecursionError"):
        client.categories.tree()
