from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx

from backmarket_sdk.sandbox import ListingSeed, Sandbox
from tests.sandbox.conftest import api_client, make_sandbox

VALID_IMEI = "490154203237518"


def orders_in_state(client: httpx.Client, check, state: int) -> list[dict]:
    response = client.get("/ws/orders", params={"state": state, "page-size": 50})
    body = check(response, "/ws/orders")
    assert response.status_code == 200
    return body["results"]


def single_line_order(sandbox: Sandbox, state: int = 1) -> int:
    sku = next(
        s
        for s in sandbox.skus
        if sandbox.listing(s)["quantity"] > 0
        and "fr-fr" in sandbox.listing(s)["markets"]
    )
    return sandbox.place_order(sku, quantity=1, market="fr-fr", state=state)


def test_list_excludes_states_0_and_8(client, check, sandbox):
    response = client.get("/ws/orders", params={"page-size": 50})
    body = check(response, "/ws/orders")
    states = {order["state"] for order in body["results"]}
    assert 0 not in states
    assert 8 not in states
    hidden = sum(1 for o in sandbox.store.orders.values() if o.state in (0, 8))
    assert hidden >= 2
    assert body["count"] == len(sandbox.store.orders) - hidden


def test_list_state_filter_returns_hidden(client, check):
    for state in (0, 8, 10, 1, 3, 9):
        results = orders_in_state(client, check, state)
        assert results, f"no seeded order in state {state}"
        assert {order["state"] for order in results} == {state}


def test_list_country_filter(client, check):
    response = client.get(
        "/ws/orders", params={"country_code": "fr-fr", "page-size": 50}
    )
    body = check(response, "/ws/orders")
    assert body["results"]
    assert {order["country_code"] for order in body["results"]} == {"fr-fr"}
    assert {order["currency"] for order in body["results"]} == {"EUR"}


def test_list_invalid_filter_is_400(client, check):
    for params in (
        {"state": "5"},
        {"country_code": "xx-yy"},
        {"date_creation": "yesterday"},
    ):
        response = client.get("/ws/orders", params=params)
        check(response, "/ws/orders")
        assert response.status_code == 400
        assert "error" in response.json()


def test_list_date_modification_filter(client, check, sandbox):
    order_id = single_line_order(sandbox)
    placed = sandbox.order(order_id)["date_modification"]
    response = client.get(
        "/ws/orders", params={"date_modification": placed, "page-size": 50}
    )
    body = check(response, "/ws/orders")
    assert [order["order_id"] for order in body["results"]] == [order_id]


def test_pagination_follows_absolute_next(client, check, server, sandbox):
    seen: list[int] = []
    url: str | None = "/ws/orders?page-size=7"
    pages = 0
    while url:
        response = client.get(url)
        body = check(response, "/ws/orders")
        seen.extend(order["order_id"] for order in body["results"])
        if body["next"]:
            assert body["next"].startswith(server.url + "/ws/orders?")
            assert "page-size=7" in body["next"]
        url = body["next"]
        pages += 1
    assert len(seen) == len(set(seen)) == body["count"]
    assert pages == -(-body["count"] // 7)
    assert seen == sorted(seen)


def test_pagination_caps_page_size_at_50(check):
    sandbox = make_sandbox(orders=120)
    with (
        sandbox.serve() as server,
        api_client(sandbox, check, server.url) as http,
    ):
        response = http.get("/ws/orders", params={"page-size": 200})
        body = check(response, "/ws/orders")
    assert len(body["results"]) == 50
    assert body["previous"] is None
    assert "page=2" in body["next"]


def test_page_past_end_is_404(client, check):
    response = client.get("/ws/orders", params={"page": 99})
    check(response, "/ws/orders")
    assert response.status_code == 404


def test_get_order_and_unknown(client, check, sandbox):
    order_id = next(iter(sandbox.store.orders))
    response = client.get(f"/ws/orders/{order_id}")
    body = check(response, "/ws/orders/{order_id}")
    assert body["order_id"] == order_id
    missing = client.get("/ws/orders/1")
    check(missing, "/ws/orders/{order_id}")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "order-not-found"


def test_accept_moves_line_and_order(client, check, sandbox):
    order = orders_in_state(client, check, 1)
    two_lines = next(o for o in order if len(o["orderlines"]) == 2)
    order_id = two_lines["order_id"]
    first, second = (line["listing"] for line in two_lines["orderlines"])
    before = two_lines["date_modification"]

    response = client.post(
        f"/ws/orders/{order_id}",
        json={"order_id": order_id, "new_state": 2, "sku": first.lower()},
    )
    body = check(response, "/ws/orders/{order_id}")
    assert response.status_code == 200
    assert [line["state"] for line in body["orderlines"]] == [2, 1]
    assert body["state"] == 1
    assert body["date_modification"] > before

    response = client.post(
        f"/ws/orders/{order_id}", json={"new_state": 2, "sku": second}
    )
    body = check(response, "/ws/orders/{order_id}")
    assert [line["state"] for line in body["orderlines"]] == [2, 2]
    assert body["state"] == 3
    assert sandbox.order(order_id)["state"] == 3


def test_accept_twice_is_400(client, check, sandbox):
    order_id = single_line_order(sandbox)
    sku = sandbox.order(order_id)["orderlines"][0]["listing"]
    client.post(f"/ws/orders/{order_id}", json={"new_state": 2, "sku": sku})
    response = client.post(f"/ws/orders/{order_id}", json={"new_state": 2, "sku": sku})
    check(response, "/ws/orders/{order_id}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid-state-transition"
    assert "state 2" in response.json()["error"]["message"]


def test_invalid_transitions(client, check, sandbox):
    hidden = orders_in_state(client, check, 10)[0]
    cases = [
        ({"new_state": 2, "sku": hidden["orderlines"][0]["listing"]}, hidden, 400),
        ({"new_state": 6}, hidden, 400),
        ({"new_state": 2, "sku": "NO-SUCH-SKU"}, hidden, 404),
        ({"new_state": 2}, hidden, 400),
        ({"sku": "X"}, hidden, 400),
        ({"new_state": 2, "order_id": 1, "sku": "X"}, hidden, 400),
    ]
    for payload, order, status in cases:
        response = client.post(f"/ws/orders/{order['order_id']}", json=payload)
        check(response, "/ws/orders/{order_id}")
        assert response.status_code == status, payload
        assert response.json()["error"]["message"]
    unchanged = sandbox.order(hidden["order_id"])
    assert unchanged["orderlines"][0]["state"] == hidden["orderlines"][0]["state"]


def test_cancel_restores_stock(client, check, sandbox):
    order_id = single_line_order(sandbox)
    sku = sandbox.order(order_id)["orderlines"][0]["listing"]
    stock = sandbox.listing(sku)["quantity"]
    response = client.post(
        f"/ws/orders/{order_id}",
        json={
            "new_state": 4,
            "sku": sku,
            "return_reason": 0,
            "return_message": "Out of stock",
        },
    )
    body = check(response, "/ws/orders/{order_id}")
    assert body["orderlines"][0]["state"] == 4
    assert body["orderlines"][0]["return_message"] == "Out of stock"
    assert sandbox.listing(sku)["quantity"] == stock + 1


def test_ship_requires_tracking_and_acceptance(client, check, sandbox):
    order_id = single_line_order(sandbox)
    sku = sandbox.order(order_id)["orderlines"][0]["listing"]
    early = client.post(
        f"/ws/orders/{order_id}", json={"new_state": 3, "tracking_number": "TRK1"}
    )
    check(early, "/ws/orders/{order_id}")
    assert early.status_code == 400
    assert "accept or cancel" in early.json()["error"]["message"]

    client.post(f"/ws/orders/{order_id}", json={"new_state": 2, "sku": sku})
    untracked = client.post(f"/ws/orders/{order_id}", json={"new_state": 3})
    check(untracked, "/ws/orders/{order_id}")
    assert untracked.status_code == 400
    assert untracked.json()["error"]["code"] == "missing-tracking-number"
    assert sandbox.order(order_id)["state"] == 3


def test_ship_whole_order(client, check, sandbox):
    order_id = single_line_order(sandbox)
    sku = sandbox.order(order_id)["orderlines"][0]["listing"]
    client.post(f"/ws/orders/{order_id}", json={"new_state": 2, "sku": sku})
    response = client.post(
        f"/ws/orders/{order_id}",
        json={
            "order_id": order_id,
            "new_state": 3,
            "tracking_number": "6A123456789",
            "tracking_url": "https://tracking.example.com/6A123456789",
            "shipper": "Colissimo",
            "date_shipping": "2026-01-05T10:00:00Z",
            "imei": VALID_IMEI,
        },
    )
    body = check(response, "/ws/orders/{order_id}")
    assert response.status_code == 200
    assert body["state"] == 9
    assert body["orderlines"][0]["state"] == 3
    assert body["orderlines"][0]["imei"] == VALID_IMEI
    assert body["tracking_number"] == "6A123456789"
    assert body["tracking_url"] == "https://tracking.example.com/6A123456789"
    assert body["shipper"] == "Colissimo"
    assert body["date_shipping"].startswith("2026-01-05T10:00:00")

    again = client.post(
        f"/ws/orders/{order_id}", json={"new_state": 3, "tracking_number": "X"}
    )
    check(again, "/ws/orders/{order_id}")
    assert again.status_code == 400


def test_ship_multi_line_keeps_cancelled(client, check, sandbox):
    order = next(
        o for o in orders_in_state(client, check, 1) if len(o["orderlines"]) == 2
    )
    order_id = order["order_id"]
    first, second = (line["listing"] for line in order["orderlines"])
    client.post(f"/ws/orders/{order_id}", json={"new_state": 2, "sku": first})
    client.post(f"/ws/orders/{order_id}", json={"new_state": 4, "sku": second})
    imei = client.post(
        f"/ws/orders/{order_id}",
        json={"new_state": 3, "tracking_number": "T", "imei": VALID_IMEI},
    )
    check(imei, "/ws/orders/{order_id}")
    assert imei.status_code == 400
    assert imei.json()["error"]["code"] == "identifier-not-allowed"
    response = client.post(
        f"/ws/orders/{order_id}", json={"new_state": 3, "tracking_number": "T"}
    )
    body = check(response, "/ws/orders/{order_id}")
    assert [line["state"] for line in body["orderlines"]] == [3, 4]
    assert body["state"] == 9


def test_ship_rejects_bad_imei(client, check, sandbox):
    order_id = single_line_order(sandbox)
    sku = sandbox.order(order_id)["orderlines"][0]["listing"]
    client.post(f"/ws/orders/{order_id}", json={"new_state": 2, "sku": sku})
    response = client.post(
        f"/ws/orders/{order_id}",
        json={"new_state": 3, "tracking_number": "T", "imei": "490154203237519"},
    )
    check(response, "/ws/orders/{order_id}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid-imei"
    assert sandbox.order(order_id)["state"] == 3


def test_orderline_identifiers_once(client, check, sandbox):
    order_id = single_line_order(sandbox, state=3)
    line_id = sandbox.order(order_id)["orderlines"][0]["id"]
    response = client.patch(f"/ws/orderlines/{line_id}", json={"serial_number": "SN-1"})
    body = check(response, "/ws/orderlines/{orderline_id}")
    assert body == {"serial_number": "SN-1"}
    response = client.patch(f"/ws/orderlines/{line_id}", json={"imei": VALID_IMEI})
    body = check(response, "/ws/orderlines/{orderline_id}")
    assert body == {"imei": VALID_IMEI, "serial_number": "SN-1"}
    same = client.patch(f"/ws/orderlines/{line_id}", json={"imei": VALID_IMEI})
    assert same.status_code == 200
    corrected = client.patch(
        f"/ws/orderlines/{line_id}", json={"serial_number": "SN-2"}
    )
    check(corrected, "/ws/orderlines/{orderline_id}")
    assert corrected.status_code == 422
    empty = client.patch(f"/ws/orderlines/{line_id}", json={})
    check(empty, "/ws/orderlines/{orderline_id}")
    assert empty.status_code == 400
    missing = client.patch("/ws/orderlines/1", json={"imei": VALID_IMEI})
    check(missing, "/ws/orderlines/{orderline_id}")
    assert missing.status_code == 404
    assert sandbox.order(order_id)["orderlines"][0]["serial_number"] == "SN-1"


def test_invoice_upload(client, check, sandbox):
    order_id = single_line_order(sandbox, state=9)
    response = client.post(
        f"/ws/orders/{order_id}/invoice",
        files={"invoice": ("invoice-1.pdf", b"%PDF-1.4 sandbox", "application/pdf")},
    )
    check(response, "/ws/orders/{order_id}/invoice")
    assert response.status_code == 200
    invoices = sandbox.order(order_id)["invoices"]
    assert invoices == [
        {"filename": "invoice-1.pdf", "content_type": "application/pdf", "size": 16}
    ]
    wrong = client.post(f"/ws/orders/{order_id}/invoice", json={"invoice": "x"})
    check(wrong, "/ws/orders/{order_id}/invoice")
    assert wrong.status_code == 400


def test_place_order_lowers_stock(check):
    sandbox = make_sandbox(
        orders=0,
        listings=[
            ListingSeed(
                "Phone-A",
                "Phone A",
                "0b6b1b2e-6b1e-4a4e-9d0e-5d1c3a0c0001",
                2,
                Decimal("100.00"),
            )
        ],
    )
    order_id = sandbox.place_order("phone-a", quantity=2)
    assert sandbox.listing("PHONE-A")["quantity"] == 0
    assert sandbox.listing("PHONE-A")["publication_state"] == 3
    assert sandbox.order(order_id)["orderlines"][0]["listing"] == "Phone-A"
    assert sandbox.order(order_id)["price"] == "200.00"
    for bad in (
        {"sku": "nope"},
        {"sku": "Phone-A", "quantity": 1},
        {"sku": "Phone-A", "market": "de-de"},
    ):
        try:
            sandbox.place_order(**bad)
        except ValueError as error:
            assert str(error)
        else:
            raise AssertionError(f"place_order accepted {bad}")


def test_concurrent_accepts(sandbox, server, check):
    sku = next(s for s in sandbox.skus if sandbox.listing(s)["quantity"] >= 8)
    stock = sandbox.listing(sku)["quantity"]
    order_ids = [sandbox.place_order(sku) for _ in range(8)]

    def accept(order_id: int) -> int:
        with api_client(sandbox, check, server.url) as http:
            body = {"new_state": 2, "sku": sku}
            return http.post(f"/ws/orders/{order_id}", json=body).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(accept, order_ids))
    assert statuses == [200] * 8
    assert {sandbox.order(order_id)["state"] for order_id in order_ids} == {3}
    assert sandbox.listing(sku)["quantity"] == stock - 8
