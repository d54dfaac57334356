"""The confirming read of a state change does not retry inside the change's retries."""

from __future__ import annotations

import pytest

from backmarket_sdk import BackMarketClient, errors
from backmarket_sdk.sandbox import Sandbox
from tests.sdk_extra.harness import USER_AGENT, FakeTime


def test_confirm_reads_bounded_by_max_retries() -> None:
    sandbox = Sandbox(seed=5, orders=0)
    sku = sandbox.skus[2]
    order_id = sandbox.place_order(sku, quantity=1)
    fake = FakeTime(sandbox)
    client = BackMarketClient(
        token=sandbox.token,
        user_agent=USER_AGENT,
        base_url="http://127.0.0.1:9",
        transport=sandbox.transport(),
        max_retries=3,
        clock=fake.clock,
        sleep=fake.sleep,
    )
    sandbox.set_fault(f"POST /ws/orders/{order_id}", "timeout", count=1)
    sandbox.set_fault(f"GET /ws/orders/{order_id}", "503")
    with client, pytest.raises(errors.ServerError):
        client.orders.accept_line(order_id, sku)
    sent = [(request.method, request.status) for request in sandbox.requests]
    # One accept, then one read per retry of the change: never 4 reads each.
    assert sent == [("POST", 0), ("GET", 503), ("GET", 503), ("GET", 503)]
