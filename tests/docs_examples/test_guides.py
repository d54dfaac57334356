"""The code of the testing and catalog guides runs as the pages show it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import vcr  # type: ignore[import-untyped]

from backmarket_sdk import BackMarketClient
from backmarket_sdk.models import TaskStatus
from backmarket_sdk.sandbox import ListingSeed, RateLimits, Sandbox

USER_AGENT = "BM-Acme-Tests;dev@acme.example"


def in_process_client(sandbox: Sandbox) -> BackMarketClient:
    return BackMarketClient(
        token=sandbox.token,
        base_url="http://127.0.0.1:8123",
        user_agent=USER_AGENT,
        transport=sandbox.transport(),
        sleep=lambda seconds: None,
    )


def test_guide_same_seed_same_data() -> None:
    first, second = Sandbox(seed=42), Sandbox(seed=42)
    assert first.skus == second.skus
    with in_process_client(first) as a, in_process_client(second) as b:
        assert [o.order_id for o in a.orders.list()] == [
            o.order_id for o in b.orders.list()
        ]


def test_guide_seeded_listing() -> None:
    sandbox = Sandbox(
        orders=0,
        listings=[
            ListingSeed(
                "CASE-1",
                "Phone case",
                product_id="p-1",
                quantity=5,
                price=Decimal("9.90"),
            )
        ],
    )
    order_id = sandbox.place_order("CASE-1", quantity=2)
    assert sandbox.listing("CASE-1")["quantity"] == 3
    with in_process_client(sandbox) as client:
        order = client.orders.get(order_id)
    assert order.orderlines[0].listing == "CASE-1"
    assert order.orderlines[0].quantity == 2


def test_guide_fault_retried() -> None:
    sandbox = Sandbox()
    order_id = sandbox.place_order(sandbox.skus[0])
    sandbox.set_fault("GET /ws/orders/*", "503", count=1)
    with in_process_client(sandbox) as client:
        order = client.orders.get(order_id)
    assert order.order_id == order_id
    assert [r.status for r in sandbox.requests[-2:]] == [503, 200]


def test_guide_scaled_limits() -> None:
    limits = RateLimits().scaled(0.05)
    assert limits.general == 10
    assert limits.catalog == 1
    assert RateLimits.unlimited().general is None


def test_guide_cassette_replay(tmp_path: Path) -> None:
    sandbox = Sandbox()
    recorder = vcr.VCR(
        cassette_library_dir=str(tmp_path),
        filter_headers=["authorization"],
        record_mode="once",
        match_on=["method", "path", "query", "body"],
    )
    with sandbox.serve("127.0.0.1", 0) as server:
        client = BackMarketClient(
            token=sandbox.token, base_url=server.url, user_agent=USER_AGENT
        )
        with client, recorder.use_cassette("new_orders.yaml"):
            recorded = [o.order_id for o in client.orders.list(state=1)]
        port = server.url.rsplit(":", 1)[1]
    cassette = (tmp_path / "new_orders.yaml").read_text(encoding="utf-8")
    assert sandbox.token not in cassette
    assert "authorization" not in cassette.lower()

    recorder.record_mode = "none"
    # The server is gone: only the cassette can answer on its old port.
    replay = BackMarketClient(
        token=sandbox.token,
        base_url=f"http://127.0.0.1:{port}",
        user_agent=USER_AGENT,
        max_retries=0,
    )
    with replay, recorder.use_cassette("new_orders.yaml"):
        replayed = [o.order_id for o in replay.orders.list(state=1)]
    assert recorded
    assert replayed == recorded


def test_guide_catalog_rows() -> None:
    sandbox = Sandbox(task_start_after=0.1, task_duration=0.2)
    ean = sandbox.products[0].ean
    with in_process_client(sandbox) as client:
        task_ids = client.listings.import_catalog(
            [
                {"sku": "IP12-64GB-BLA-EX", "quantity": 7, "price": Decimal("289.00")},
                {"sku": "IP12-64GB-BLU-EX", "price": "279.50"},
                {
                    "sku": "IP12-64GB-RED-EX",
                    "ean": ean,
                    "quantity": 2,
                    "price": "299.00",
                    "grade": "EXCELLENT",
                },
            ]
        )
        sandbox.advance(1)
        task = client.tasks.wait(task_ids[0], poll_interval=0.1)
    assert task.status is TaskStatus.DONE
    assert task.result["IP12-64GB-RED-EX"]["action"] == "created"
    assert sandbox.listing("IP12-64GB-BLA-EX")["quantity"] == 7


def test_guide_after_sales_calls() -> None:
    sandbox = Sandbox()
    with in_process_client(sandbox) as client:
        delivery = next(iter(client.backship.list_deliveries(hub_scanned=False)))
        assert client.backship.label_url(delivery).startswith("http")
        listing = next(iter(client.listings.list()))
        competitors = client.backbox.competitors(listing.id)
        assert competitors
        assert all(c.listing_id == listing.id for c in competitors)
        assert client.care.limiter.max_wait == 60.0
