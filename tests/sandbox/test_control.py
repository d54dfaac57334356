from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.sandbox.conftest import USER_AGENT, api_client, async_api_client

REPO = Path(__file__).resolve().parents[2]


def test_control_api(client, sandbox):
    sku = next(s for s in sandbox.skus if sandbox.listing(s)["quantity"] > 0)
    stock = sandbox.listing(sku)["quantity"]
    placed = client.post("/_sandbox/orders", json={"sku": sku.lower(), "quantity": 1})
    assert placed.status_code == 201
    order_id = placed.json()["order_id"]
    assert placed.json()["order"]["orderlines"][0]["listing"] == sku

    truth = client.get(f"/_sandbox/orders/{order_id}").json()
    assert truth["state"] == 1
    assert client.get(f"/_sandbox/listings/{sku}").json()["quantity"] == stock - 1
    assert client.get("/_sandbox/listings/NOPE").status_code == 404
    bad = client.post("/_sandbox/orders", json={"sku": sku, "quantity": 10_000})
    assert bad.status_code == 400
    assert "in stock" in bad.json()["error"]["message"]

    before = client.get("/_sandbox/clock").json()["now"]
    after = client.post("/_sandbox/clock", json={"advance": 60}).json()["now"]
    assert before == "2026-01-05T09:00:00+00:00"
    assert after == "2026-01-05T09:01:00+00:00"

    faults = client.post(
        "/_sandbox/faults", json={"route": "/ws/orders", "kind": "502", "count": 1}
    )
    assert faults.json()["faults"] == [
        {"route": "/ws/orders", "kind": "502", "count": 1}
    ]
    assert client.get("/ws/orders").status_code == 502
    client.post("/_sandbox/faults", json={"route": "/ws/orders", "kind": "500"})
    assert client.delete("/_sandbox/faults").json() == {"faults": []}
    assert client.get("/ws/orders").status_code == 200
    wrong = client.post(
        "/_sandbox/faults", json={"route": "/ws/orders", "kind": "meltdown"}
    )
    assert wrong.status_code == 400

    log = client.get("/_sandbox/requests").json()["requests"]
    assert [(e["path"], e["status"]) for e in log] == [
        ("/ws/orders", 502),
        ("/ws/orders", 200),
    ]
    assert all("authorization" not in e["headers"] for e in log)
    assert client.delete("/_sandbox/requests").json() == {"requests": []}
    summary = client.get("/_sandbox").json()
    assert summary["orders"] == len(sandbox.store.orders)


def test_control_needs_token(server):
    response = httpx.get(
        f"{server.url}/_sandbox/requests", headers={"User-Agent": USER_AGENT}
    )
    assert response.status_code == 401


def test_transport_sync(sandbox, check):
    with api_client(
        sandbox,
        check,
        "http://sandbox.local:8080",
        market="de-de",
        transport=sandbox.transport(),
    ) as http:
        body = http.get("/ws/listings", params={"page-size": 2}).json()
    assert body["next"].startswith("http://sandbox.local:8080/ws/listings?")


async def test_transport_async(sandbox, check):
    async with async_api_client(
        sandbox, check, "http://sandbox.local", transport=sandbox.transport()
    ) as http:
        response = await http.get("/ws/orders", params={"state": 1})
        order = response.json()["results"][0]
        sku = order["orderlines"][0]["listing"]
        accepted = await http.post(
            f"/ws/orders/{order['order_id']}", json={"new_state": 2, "sku": sku}
        )
    assert accepted.status_code == 200
    assert accepted.json()["orderlines"][0]["state"] == 2


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_command_line_serves(stop_signal):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "backmarket_sdk.sandbox",
            "--port",
            "0",
            "--seed",
            "3",
            "--orders",
            "12",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        url = process.stdout.readline().split()[-1]
        token = process.stdout.readline().split()[-1]
        assert url.startswith("http://127.0.0.1:")
        response = httpx.get(
            f"{url}/ws/orders",
            params={"page-size": 50},
            headers={"Authorization": f"Basic {token}", "User-Agent": USER_AGENT},
        )
        assert response.status_code == 200
        assert response.json()["count"] == 10
    finally:
        process.send_signal(stop_signal)
        assert process.wait(timeout=10) == 0
    assert "sandbox stopped" in process.stdout.read()
