from __future__ import annotations

from decimal import Decimal

import pytest

from backmarket_sdk.sandbox import ListingSeed, ProductSeed, Sandbox
from tests.sandbox.conftest import make_sandbox

NEW_PRODUCT = ProductSeed(
    "3f1c9a52-8a44-4f5e-9a43-1f2d3c4b5a60", "0190199098787", "Phone Z - 64GB"
)
EAN_PRODUCT = ProductSeed(
    "3f1c9a52-8a44-4f5e-9a43-1f2d3c4b5a61", "4006381333931", "Tablet Y - 32GB"
)


@pytest.fixture
def sandbox() -> Sandbox:
    return make_sandbox(
        orders=0,
        products=[NEW_PRODUCT, EAN_PRODUCT],
        listings=[
            ListingSeed(
                "OLD-SKU",
                "Old phone",
                "0b6b1b2e-6b1e-4a4e-9d0e-5d1c3a0c0009",
                4,
                Decimal("99.00"),
            ),
        ],
        task_start_after=1.0,
        task_duration=3.0,
    )


def submit(client, check, catalog: str, **options: str):
    body = {"catalog": catalog, "delimiter": ",", "quotechar": '"', "encoding": "utf-8"}
    body.update(options)
    response = client.post("/ws/listings", json=body)
    return response, check(response, "/ws/listings")


def task(client, check, task_id: int) -> dict:
    response = client.get(f"/ws/tasks/{task_id}")
    body = check(response, "/ws/tasks/{taskId}")
    assert response.status_code == 200
    return body


def test_import_runs_to_done(client, check, sandbox):
    catalog = "\n".join(
        [
            "sku,product_id,ean,quantity,price,grade,comment",
            f'new-z,{NEW_PRODUCT.product_id},,3,149.90,GOOD,"Boxed, with charger"',
            "NEW-Y,,4006381333931,2,89.00,,",
            "old-sku,,,0,95.50,,",
            "GHOST,,,1,10.00,,",
            "NOPROD,,9999999999999,1,10.00,,",
            "BADQTY,,4006381333931,lots,10.00,,",
            ",,,1,1.00,,",
        ]
    )
    response, body = submit(client, check, catalog)
    assert response.status_code == 200
    task_id = body["bodymessage"]
    assert body["statuscode"] == 200

    assert task(client, check, task_id)["action_status"] == 0
    sandbox.advance(1.5)
    assert task(client, check, task_id)["action_status"] == 2
    with pytest.raises(KeyError):
        sandbox.listing("NEW-Z")
    sandbox.advance(2)
    done = task(client, check, task_id)
    assert done["action_status"] == 9
    assert done["last_action_error"] is None
    result = done["result"]
    assert result["new-z"]["success"] is True
    assert result["new-z"]["action"] == "created"
    assert result["NEW-Y"]["action"] == "created"
    assert result["old-sku"]["action"] == "updated"
    for sku, reason in (
        ("GHOST", "no listing with SKU"),
        ("NOPROD", "no product with ean 9999999999999"),
        ("BADQTY", "quantity 'lots' is not a whole number"),
        ("row 8", "sku is empty"),
    ):
        assert result[sku]["success"] is False
        assert reason in result[sku]["errors"][0]

    created = sandbox.listing("NEW-Z")
    assert created["quantity"] == 3
    assert created["price"] == "149.90"
    assert created["grade"] == "GOOD"
    assert created["comment"] == "Boxed, with charger"
    assert created["product_id"] == NEW_PRODUCT.product_id
    assert sandbox.listing("new-y")["title"] == EAN_PRODUCT.title
    old = sandbox.listing("OLD-SKU")
    assert old["quantity"] == 0
    assert old["price"] == "95.50"
    assert old["publication_state"] == 3


def test_import_delimiter_quotechar_encoding(client, check, sandbox):
    catalog = "sku;quantity;comment\nOLD-SKU;9;'Reconditionné; garanti'\n"
    _, body = submit(
        client, check, catalog, delimiter=";", quotechar="'", encoding="latin-1"
    )
    sandbox.advance(5)
    done = task(client, check, body["bodymessage"])
    assert done["action_status"] == 9
    assert done["result"]["OLD-SKU"]["success"] is True
    assert sandbox.listing("OLD-SKU")["comment"] == "Reconditionné; garanti"
    assert sandbox.listing("OLD-SKU")["quantity"] == 9


def test_import_failures(client, check, sandbox):
    _, body = submit(client, check, "quantity,price\n3,10\n")
    sandbox.advance(5)
    failed = task(client, check, body["bodymessage"])
    assert failed["action_status"] == 8
    assert "no sku column" in failed["last_action_error"]

    _, body = submit(client, check, "sku,comment\nOLD-SKU,5 €\n", encoding="ascii")
    sandbox.advance(5)
    failed = task(client, check, body["bodymessage"])
    assert failed["action_status"] == 8
    assert "not valid ascii" in failed["last_action_error"]
    assert sandbox.listing("OLD-SKU")["comment"] is None


def test_import_rejects_bad_requests(client, check):
    cases = [
        (
            {"delimiter": ",", "quotechar": '"', "encoding": "utf-8"},
            "parameter catalog not found",
        ),
        (
            {
                "catalog": "sku\nA",
                "delimiter": ",,",
                "quotechar": '"',
                "encoding": "utf-8",
            },
            "single character",
        ),
        (
            {
                "catalog": "sku\nA",
                "delimiter": ",",
                "quotechar": '"',
                "encoding": "klingon",
            },
            "unknown encoding",
        ),
        (
            {"catalog": "sku\nA", "delimiter": ",", "quotechar": '"'},
            "parameter encoding not found",
        ),
    ]
    for body, message in cases:
        response = client.post("/ws/listings", json=body)
        check(response, "/ws/listings")
        assert response.status_code == 400
        assert message in response.json()


def test_import_refuses_over_15000_lines(client, check, sandbox):
    catalog = "sku,quantity\n" + "\n".join(f"SKU-{i},1" for i in range(15000))
    response, body = submit(client, check, catalog)
    assert response.status_code == 400
    assert "15001 lines" in body
    assert sandbox.store.tasks == {}


def test_unknown_task_is_404(client, check):
    response = client.get("/ws/tasks/12")
    check(response, "/ws/tasks/{taskId}")
    assert response.status_code == 404


def test_import_bom_and_multiline_comment(client, check, sandbox):
    catalog = '\ufeffsku,comment\r\nOLD-SKU,"Line one\nline two"\r\n'
    _, body = submit(client, check, catalog)
    sandbox.advance(5)
    done = task(client, check, body["bodymessage"])
    assert done["action_status"] == 9
    assert done["result"]["OLD-SKU"]["success"] is True
    assert sandbox.listing("OLD-SKU")["comment"] == "Line one\nline two"
