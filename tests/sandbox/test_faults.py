from __future__ import annotations

import json

import httpx
import pytest

from tests.sandbox.conftest import api_client, make_sandbox


@pytest.mark.parametrize("kind", ["500", "503"])
def test_json_server_errors(client, check, sandbox, kind):
    sandbox.set_fault("/ws/orders", kind, count=1)
    response = client.get("/ws/orders")
    body = check(response, "/ws/orders", undeclared_ok=True)
    assert response.status_code == int(kind)
    assert body["error"]["message"]
    assert response.headers["cf-ray"]
    assert client.get("/ws/orders").status_code == 200


@pytest.mark.parametrize("kind", ["502", "504"])
def test_edge_html_errors(client, sandbox, kind):
    sandbox.set_fault("/ws/orders*", kind, count=1)
    response = client.get("/ws/orders/123")
    assert response.status_code == int(kind)
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cf-ray"].split("-")[0] in response.text


def test_fault_429(client, check, sandbox):
    sandbox.set_fault("/ws/listings", "429", count=2)
    first = client.get("/ws/listings")
    check(first, "/ws/listings", undeclared_ok=True)
    assert first.status_code == 429
    assert first.json()["error"]["code"] == "too-many-requests"
    assert client.get("/ws/listings").status_code == 429
    assert client.get("/ws/listings").status_code == 200


def test_waf_html_403(client, sandbox):
    sandbox.set_fault("/ws/*", "waf_html")
    response = client.get("/ws/listings")
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "cf-ray" in response.headers
    assert client.get("/ws/orders").status_code == 403
    sandbox.clear_faults()
    assert client.get("/ws/orders").status_code == 200


def test_bot_challenge(client, check, sandbox):
    sandbox.set_fault("GET /ws/listings", "bot_challenge", count=1)
    response = client.get("/ws/listings")
    body = check(response, "/ws/listings")
    assert response.status_code == 403
    assert body["error"]["code"] == "bot-need-challenge"


def test_answered_fault_changes_nothing(client, sandbox):
    order_id = next(o.order_id for o in sandbox.store.orders.values() if o.state == 1)
    sku = sandbox.order(order_id)["orderlines"][0]["listing"]
    sandbox.set_fault("POST /ws/orders/*", "503", count=1)
    response = client.post(f"/ws/orders/{order_id}", json={"new_state": 2, "sku": sku})
    assert response.status_code == 503
    assert sandbox.order(order_id)["orderlines"][0]["state"] == 1


def test_method_prefix_limits_fault(client, sandbox):
    sandbox.set_fault("POST /ws/orders/*", "500")
    assert client.get("/ws/orders/1").status_code == 404
    assert client.post("/ws/orders/1", json={}).status_code == 500


def test_malformed_json(client, sandbox):
    sandbox.set_fault("/ws/orders", "malformed_json", count=1)
    response = client.get("/ws/orders")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_truncated_json(client, sandbox):
    whole = client.get("/ws/orders").content
    sandbox.set_fault("/ws/orders", "truncated_json", count=1)
    response = client.get("/ws/orders")
    assert response.status_code == 200
    assert whole.startswith(response.content)
    assert len(response.content) == len(whole) // 2
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_slow_response(client, sandbox):
    sandbox.set_fault("/ws/orders", "slow", count=1)
    response = client.get("/ws/orders")
    assert response.status_code == 200
    assert sandbox.requests[-1].fault == "slow"


def test_timeout_applies_change(sandbox, server, check):
    order_id = next(o.order_id for o in sandbox.store.orders.values() if o.state == 1)
    sku = sandbox.order(order_id)["orderlines"][0]["listing"]
    sandbox.set_fault("POST /ws/orders/*", "timeout", count=1)
    with (
        api_client(sandbox, check, server.url, timeout=0.3) as http,
        pytest.raises(httpx.ReadTimeout),
    ):
        http.post(f"/ws/orders/{order_id}", json={"new_state": 2, "sku": sku})
    assert sandbox.order(order_id)["orderlines"][0]["state"] == 2
    assert sandbox.requests[-1].status == 0
    assert sandbox.requests[-1].fault == "timeout"


def test_connection_reset(client, sandbox):
    sandbox.set_fault("/ws/listings", "reset", count=1)
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        client.get("/ws/listings")
    assert client.get("/ws/listings").status_code == 200


def test_unknown_fault_kind(sandbox):
    with pytest.raises(ValueError, match="unknown fault kind 'boom'"):
        sandbox.set_fault("/ws/orders", "boom")
    with pytest.raises(ValueError, match="count must be >= 1"):
        sandbox.set_fault("/ws/orders", "500", count=0)


def test_transport_faults_raise(check):
    sandbox = make_sandbox()
    with api_client(
        sandbox, check, "http://sandbox.local", transport=sandbox.transport()
    ) as http:
        sandbox.set_fault("/ws/orders", "timeout", count=1)
        with pytest.raises(httpx.ReadTimeout):
            http.get("/ws/orders")
        sandbox.set_fault("/ws/orders", "reset", count=1)
        with pytest.raises(httpx.ReadError):
            http.get("/ws/orders")
        assert http.get("/ws/orders").status_code == 200
