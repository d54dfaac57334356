from __future__ import annotations

from backmarket_sdk.sandbox import RateLimits
from backmarket_sdk.sandbox.limits import RateLimiter
from tests.sandbox.conftest import USER_AGENT, api_client, make_sandbox


def test_bad_token_is_401_v1(client, check, sandbox):
    for header in ("Basic wrong-token", f"Bearer {sandbox.token}", ""):
        response = client.get("/ws/listings", headers={"Authorization": header})
        body = check(response, "/ws/listings")
        assert response.status_code == 401
        assert body["error"]["code"] == "unauthenticated"
        assert body["requestId"]


def test_category_tree_401_is_v2(client, check):
    response = client.get("/ws/category/tree", headers={"Authorization": "Basic nope"})
    body = check(response, "/ws/category/tree")
    assert response.status_code == 401
    assert body["errors"][0]["code"] == "unauthenticated"


def test_missing_user_agent_is_403(sandbox, server, check):
    with api_client(sandbox, check, server.url) as http:
        http.headers["User-Agent"] = ""
        response = http.get("/ws/listings")
    body = check(response, "/ws/listings")
    assert response.status_code == 403
    assert "User-Agent" in body["error"]["message"]


def test_unknown_market_is_400(client):
    response = client.get("/ws/listings", headers={"Accept-Language": "xx-yy"})
    assert response.status_code == 400
    assert "xx-yy" in response.json()["error"]["message"]


def test_unknown_route_and_method(client):
    assert client.get("/ws/nothing").status_code == 404
    response = client.delete("/ws/orders")
    assert response.status_code == 405
    assert "GET" in response.json()["error"]["message"]


def test_general_limit_blocks_then_recovers(check):
    sandbox = make_sandbox(limits=RateLimits().scaled(0.02))  # 4 per 10 s, catalog 1
    assert sandbox.limits.general == 4
    with (
        sandbox.serve() as server,
        api_client(sandbox, check, server.url) as http,
    ):
        statuses = [http.get("/ws/orders").status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 200, 429]
        blocked = http.get("/ws/orders/1")
        assert blocked.status_code == 429
        assert blocked.json()["error"]["code"] == "too-many-requests"
        assert "retry-after" not in blocked.headers
        sandbox.advance(9.5)
        assert http.get("/ws/orders").status_code == 429
        sandbox.advance(0.6)
        assert check(http.get("/ws/orders"), "/ws/orders")["count"] > 0


def test_catalog_limit_is_separate(check):
    limits = RateLimits(general=100, catalog=2, retry_after=True)
    sandbox = make_sandbox(limits=limits)
    with (
        sandbox.serve() as server,
        api_client(sandbox, check, server.url) as http,
    ):
        assert http.get("/ws/category/tree").status_code == 200
        assert http.get("/ws/category/tree/1").status_code == 200
        limited = http.get("/ws/category/tree")
        check(limited, "/ws/category/tree", undeclared_ok=True)
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "10"
        assert http.get("/ws/listings").status_code == 200
        assert http.get("/ws/orders").status_code == 200
        sandbox.advance(10)
        assert http.get("/ws/category/tree").status_code == 200


def test_catalog_routes():
    limiter = RateLimiter(RateLimits())
    assert limiter.is_catalog("POST", "/ws/listings")
    assert limiter.is_catalog("GET", "/ws/category/tree/12")
    assert limiter.is_catalog("GET", "/ws/listings_bi")
    assert not limiter.is_catalog("GET", "/ws/listings")
    assert not limiter.is_catalog("POST", "/ws/listings/7a97a1b6")


def test_sku_lines_per_hour(check):
    sandbox = make_sandbox(limits=RateLimits(sku_lines_per_hour=5))
    sku = sandbox.skus[0]
    listing_id = sandbox.listing(sku)["id"]
    catalog = "sku,quantity\n" + "\n".join(f"{sku},{n}" for n in range(4))
    body = {"catalog": catalog, "delimiter": ",", "quotechar": '"', "encoding": "utf-8"}
    with (
        sandbox.serve() as server,
        api_client(sandbox, check, server.url) as http,
    ):
        assert http.post("/ws/listings", json=body).status_code == 200
        assert (
            http.post(f"/ws/listings/{listing_id}", json={"quantity": 1}).status_code
            == 200
        )
        refused = http.post(f"/ws/listings/{listing_id}", json={"quantity": 2})
        check(refused, "/ws/listings/{listingId}")
        assert refused.status_code == 429
        too_big = http.post("/ws/listings", json=body)
        check(too_big, "/ws/listings")
        assert too_big.status_code == 429
        sandbox.advance(3601)
        assert (
            http.post(f"/ws/listings/{listing_id}", json={"quantity": 2}).status_code
            == 200
        )
    assert sandbox.listing(sku)["quantity"] == 2


def test_request_log_never_stores_token(client, sandbox):
    client.get("/ws/orders", params={"state": 1})
    client.get("/ws/orders", headers={"Authorization": "Basic other-secret"})
    client.post("/ws/listings/999", json={"quantity": 1})
    log = sandbox.requests
    assert [(e.method, e.path, e.status) for e in log] == [
        ("GET", "/ws/orders", 200),
        ("GET", "/ws/orders", 401),
        ("POST", "/ws/listings/999", 404),
    ]
    assert log[0].query == {"state": "1"}
    assert log[2]["body"] == {"quantity": 1}
    assert log[0].headers["user-agent"] == USER_AGENT
    for entry in log:
        assert "authorization" not in {name.lower() for name in entry.headers}
        text = repr(entry.to_dict())
        assert sandbox.token not in text
        assert "other-secret" not in text
    sandbox.clear_requests()
    assert sandbox.requests == []


def test_non_ascii_token_is_401(client, check):
    response = client.get(
        "/ws/listings", headers={"Authorization": "Basic jet\u00e9".encode("latin-1")}
    )
    check(response, "/ws/listings")
    assert response.status_code == 401
    control = client.get(
        "/_sandbox", headers={"Authorization": "Basic jet\u00e9".encode("latin-1")}
    )
    assert control.status_code == 401


def test_server_listen_backlog() -> None:
    # With the stdlib's backlog of 5, 32 concurrent clients of the served
    # sandbox saw about 1 in 170 connections reset (ReadError) before their
    # request was read. A burst that only waits for SYN retries cannot show
    # the reset here, so the setting itself is checked.
    sandbox = make_sandbox()
    with sandbox.serve() as server:
        listening = server._server
        assert listening.request_queue_size >= 64
