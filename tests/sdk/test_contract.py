"""Contract tests: the SDK against Back Market's OpenAPI description.

The description is read at run time through the ``openapi_spec`` fixture;
these tests skip when it is absent.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import jsonschema
import pytest

from backmarket_sdk import MARKETS, BackMarketClient, errors
from backmarket_sdk.models import (
    Address,
    Category,
    Grade,
    Listing,
    Order,
    OrderLine,
    OrderLineIdentifiers,
    OrderLineState,
    OrderState,
    PublicationState,
    ShippingOption,
    Task,
    structure,
)
from backmarket_sdk.shippers import SHIPPERS
from tests.sdk import fixtures
from tests.sdk.conftest import FakeTime, make_client
from tests.sdk.loopback import LoopbackServer, Recorded

pytestmark = pytest.mark.spec

Spec = dict[str, Any]
AREAS = ("/ws/orders", "/ws/orderlines", "/ws/listings", "/ws/tasks", "/ws/category")
SHIPPED_AT = datetime(2024, 3, 2, 10, 30, tzinfo=timezone.utc)
UUID = fixtures.listing(4561, "SKU-1")["id"]


# Reading the description


def deref(spec: Spec, node: Any) -> Any:
    if isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return deref(spec, target)
    return node


def to_json_schema(spec: Spec, node: Any, seen: tuple[str, ...] = ()) -> Any:
    """Inline refs and turn OpenAPI 3.0 ``nullable`` into JSON Schema."""
    if isinstance(node, list):
        return [to_json_schema(spec, item, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if ref in seen:
            return {}
        return to_json_schema(spec, deref(spec, node), (*seen, ref))
    converted = {
        key: to_json_schema(spec, value, seen)
        for key, value in node.items()
        if key not in ("example", "examples", "description", "nullable", "format")
        and not key.startswith("x-")
    }
    if "properties" in node:
        converted["properties"] = {
            name: to_json_schema(spec, value, seen)
            for name, value in node["properties"].items()
        }
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def synthesize(spec: Spec, node: Any, depth: int = 0) -> Any:
    """Build an instance of a schema from the examples the description gives."""
    node = deref(spec, node)
    if not isinstance(node, dict) or depth > 6:
        return None
    if "example" in node and node.get("type") != "object":
        return copy.deepcopy(node["example"])
    for combinator in ("allOf",):
        if combinator in node:
            merged: dict[str, Any] = {}
            for part in node[combinator]:
                value = synthesize(spec, part, depth + 1)
                if isinstance(value, dict):
                    merged.update(value)
            own = {k: v for k, v in node.items() if k != combinator}
            if own.get("properties"):
                merged.update(synthesize(spec, own, depth + 1) or {})
            return merged
    for combinator in ("oneOf", "anyOf"):
        if combinator in node:
            return synthesize(spec, node[combinator][0], depth + 1)
    if node.get("type") == "array" or "items" in node:
        item = synthesize(spec, node.get("items", {}), depth + 1)
        return [] if item is None else [item]
    if node.get("type") == "object" or "properties" in node:
        result = {}
        for name, prop in node.get("properties", {}).items():
            value = synthesize(spec, prop, depth + 1)
            if value is not None:
                result[name] = value
        return result
    if "enum" in node:
        return node["enum"][0]
    return None


def operations(spec: Spec) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """Yield (method, path, operation, path item) of the SDK's areas."""
    for path, item in spec["paths"].items():
        if not path.startswith(AREAS) or path.startswith("/ws/listings_bi"):
            continue
        for method in ("get", "post", "put", "patch", "delete"):
            if method in item:
                yield method.upper(), path, item[method], item


def template_regex(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(path)) + "$")


def match_operation(
    spec: Spec, method: str, path: str
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    candidates = [
        (template, op, item)
        for op_method, template, op, item in operations(spec)
        if op_method == method and template_regex(template).match(path)
    ]
    # A literal path (/ws/listings/detail) wins over a template that also matches.
    candidates.sort(key=lambda c: c[0].count("{"))
    assert candidates, f"{method} {path} matches no operation of the description"
    return candidates[0]


def parameter_names(
    spec: Spec, op: dict[str, Any], item: dict[str, Any], where: str
) -> set[str]:
    names = set()
    for param in [*item.get("parameters", []), *op.get("parameters", [])]:
        param = deref(spec, param)
        if param["in"] == where:
            names.add(param["name"])
    return names


def body_schema(spec: Spec, op: dict[str, Any], media: str) -> dict[str, Any]:
    return deref(spec, op["requestBody"]["content"][media]["schema"])  # type: ignore[no-any-return]


def update_order_schema(spec: Spec) -> dict[str, Any]:
    schema = to_json_schema(spec, spec["components"]["schemas"]["UpdateOrder"])
    # The description lists "id" as required where the field is "order_id";
    # the API reads order_id, so the test requires that instead.
    schema["required"] = ["order_id", "new_state"]
    return schema  # type: ignore[no-any-return]


def request_schema(spec: Spec, method: str, template: str) -> dict[str, Any]:
    if method == "POST" and template == "/ws/orders/{order_id}":
        return update_order_schema(spec)
    op = spec["paths"][template][method.lower()]
    return to_json_schema(spec, body_schema(spec, op, "application/json"))  # type: ignore[no-any-return]


# The SDK calls under test, each with the operation it must map to


Call = Callable[[BackMarketClient], Any]

CALLS: list[tuple[str, Call, str, str]] = [
    (
        "orders.list",
        lambda c: list(
            c.orders.list(
                state=1,
                country_code="fr-fr",
                date_creation=SHIPPED_AT,
                date_modification=SHIPPED_AT,
            )
        ),
        "GET",
        "/ws/orders",
    ),
    ("orders.get", lambda c: c.orders.get(1), "GET", "/ws/orders/{order_id}"),
    (
        "orders.accept_line",
        lambda c: c.orders.accept_line(1, "SKU-1"),
        "POST",
        "/ws/orders/{order_id}",
    ),
    (
        "orders.cancel_line",
        lambda c: c.orders.cancel_line(2, "SKU-2"),
        "POST",
        "/ws/orders/{order_id}",
    ),
    (
        "orders.ship",
        lambda c: c.orders.ship(
            3,
            tracking_number="1Z 99",
            shipper="UPS",
            date_shipping=SHIPPED_AT,
            tracking_url="https://t.example/1Z99",
            imei="011415009346880",
            serial_number="SN-1",
        ),
        "POST",
        "/ws/orders/{order_id}",
    ),
    (
        "orders.upload_invoice",
        lambda c: c.orders.upload_invoice(1, b"%PDF", "i.pdf"),
        "POST",
        "/ws/orders/{order_id}/invoice",
    ),
    (
        "orderlines.update",
        lambda c: c.orderlines.update(11, imei="011415009346880", serial_number="SN-1"),
        "PATCH",
        "/ws/orderlines/{orderline_id}",
    ),
    (
        "listings.list",
        lambda c: list(
            c.listings.list(publication_state=2, min_quantity=0, max_quantity=100)
        ),
        "GET",
        "/ws/listings",
    ),
    ("listings.get", lambda c: c.listings.get(UUID), "GET", "/ws/listings/{listingId}"),
    (
        "listings.get legacy",
        lambda c: c.listings.get(4561),
        "GET",
        "/ws/listings/{listingId}",
    ),
    (
        "listings.get_by_sku",
        lambda c: c.listings.get_by_sku("SKU-1"),
        "GET",
        "/ws/listings/detail",
    ),
    (
        "listings.update",
        lambda c: c.listings.update(
            4561,
            quantity=3,
            price=Decimal("99.90"),
            comment="ok",
            warranty_delay=12,
            min_price="80",
            shippings=[ShippingOption("UPS", Decimal("4.90"), 24, "UPS")],
        ),
        "POST",
        "/ws/listings/{listingId}",
    ),
    (
        "listings.import_catalog",
        lambda c: c.listings.import_catalog(
            [{"sku": "N1", "ean": "0190199098466", "quantity": 1, "price": "9.90"}]
        ),
        "POST",
        "/ws/listings",
    ),
    (
        "tasks.get",
        lambda c: (c.listings.import_catalog([{"sku": "T"}]), c.tasks.get(1001)),
        "GET",
        "/ws/tasks/{taskId}",
    ),
    ("categories.tree", lambda c: c.categories.tree(), "GET", "/ws/category/tree"),
    (
        "categories.get",
        lambda c: c.categories.get(3),
        "GET",
        "/ws/category/tree/{categoryId}",
    ),
]


def run_call(call: Call, fake: FakeTime) -> list[Recorded]:
    with LoopbackServer() as server, make_client(server.url, fake) as client:
        call(client)
        return list(server.api.log)


@pytest.mark.parametrize(
    ("name", "call", "method", "template"), CALLS, ids=[c[0] for c in CALLS]
)
def test_call_matches_operation(
    openapi_spec: Spec,
    fake_time: FakeTime,
    name: str,
    call: Call,
    method: str,
    template: str,
) -> None:
    recorded = run_call(call, fake_time)
    sent = [r for r in recorded if r.method == method][-1]
    found, op, item = match_operation(openapi_spec, sent.method, sent.path)
    assert found == template

    allowed_query = parameter_names(openapi_spec, op, item, "query")
    assert set(sent.query) <= allowed_query

    headers = parameter_names(openapi_spec, op, item, "header")
    if "Accept-Language" in headers:
        assert sent.headers["accept-language"] == "fr-fr"

    if sent.method in ("POST", "PATCH"):
        content = op["requestBody"]["content"]
        if "multipart/form-data" in content:
            fields = body_schema(openapi_spec, op, "multipart/form-data")["properties"]
            assert sent.headers["content-type"].startswith("multipart/form-data")
            for field in fields:
                assert f'name="{field}"'.encode() in sent.body
        else:
            body = json.loads(sent.body)
            schema = request_schema(openapi_spec, sent.method, template)
            assert set(body) <= set(schema["properties"])
            jsonschema.validate(body, schema)


def test_every_operation_covered(openapi_spec: Spec) -> None:
    covered = {(method, template) for _, _, method, template in CALLS}
    described = {(method, path) for method, path, _, _ in operations(openapi_spec)}
    assert described == covered


def test_page_size_within_maximum(openapi_spec: Spec, fake_time: FakeTime) -> None:
    page_size = deref(
        openapi_spec, openapi_spec["components"]["parameters"]["PageSize"]
    )
    maximum = page_size["schema"]["maximum"]
    recorded = run_call(lambda c: list(c.orders.list(page_size=500)), fake_time)
    assert int(recorded[0].query["page-size"]) == maximum


# Requests the description would reject are rejected locally


BAD_CALLS: list[tuple[str, Call, dict[str, Any]]] = [
    (
        "long imei",
        lambda c: c.orderlines.update(1, imei="0114150093468801"),
        {"imei": "0114150093468801"},
    ),
    (
        "long serial",
        lambda c: c.orderlines.update(1, serial_number="S" * 51),
        {"serial_number": "S" * 51},
    ),
    ("empty orderline body", lambda c: c.orderlines.update(1), {}),
]


@pytest.mark.parametrize(
    ("name", "call", "body"), BAD_CALLS, ids=[b[0] for b in BAD_CALLS]
)
def test_spec_rejected_orderline_body(
    openapi_spec: Spec,
    client: BackMarketClient,
    server: LoopbackServer,
    name: str,
    call: Call,
    body: dict[str, Any],
) -> None:
    op = openapi_spec["paths"]["/ws/orderlines/{orderline_id}"]["patch"]
    schema = to_json_schema(
        openapi_spec, body_schema(openapi_spec, op, "application/json")
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(body, schema)
    with pytest.raises(errors.InvalidRequestError):
        call(client)
    assert server.api.log == []


def test_spec_rejected_ship_body(
    openapi_spec: Spec, client: BackMarketClient, server: LoopbackServer
) -> None:
    schema = update_order_schema(openapi_spec)
    too_long = "T" * 201
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"order_id": 1, "new_state": 3, "tracking_number": too_long}, schema
        )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"order_id": 1, "new_state": 11}, schema)
    with pytest.raises(errors.InvalidRequestError):
        client.orders.ship(1, tracking_number=too_long)
    assert server.api.log == []


def test_spec_rejected_catalog_options(
    openapi_spec: Spec, client: BackMarketClient, server: LoopbackServer
) -> None:
    schema = request_schema(openapi_spec, "POST", "/ws/listings")
    body = {
        "catalog": "sku\nA",
        "quotechar": '""',
        "delimiter": ",",
        "encoding": "utf-8",
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(body, schema)
    with pytest.raises(errors.InvalidRequestError):
        client.listings.import_catalog([{"sku": "A"}], quotechar='""')
    assert server.api.log == []


# Spec examples and schemas parse into the models


def schema_of(spec: Spec, name: str) -> dict[str, Any]:
    return spec["components"]["schemas"][name]  # type: ignore[no-any-return]


def response_schema(spec: Spec, method: str, path: str) -> dict[str, Any]:
    op = spec["paths"][path][method]
    return op["responses"]["200"]["content"]["application/json"]["schema"]  # type: ignore[no-any-return]


def test_order_example_parses(openapi_spec: Spec) -> None:
    example = synthesize(openapi_spec, schema_of(openapi_spec, "Order"))
    order = structure(example, Order)
    assert order.order_id == example["order_id"]
    assert order.price == Decimal(example["price"])
    assert order.date_creation is not None
    assert order.date_creation.tzinfo is timezone.utc
    assert order.extra == {}
    assert order.orderlines[0].extra == {}
    assert order.shipping_address is not None
    assert order.shipping_address.extra == {}


def test_orderline_example_parses(openapi_spec: Spec) -> None:
    example = synthesize(openapi_spec, schema_of(openapi_spec, "OrderLine"))
    line = structure(example, OrderLine)
    assert line.listing == example["listing"]
    assert line.backcare_price == Decimal(example["backcare_price"]) / 100
    assert line.serial_number is None


def test_address_example_parses(openapi_spec: Spec) -> None:
    example = synthesize(openapi_spec, schema_of(openapi_spec, "Address"))
    address = structure(example, Address)
    assert address.postal_code == example["postalCode"]
    assert address.phone_number == example["phoneNumber"]
    assert address.extra == {}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/ws/listings/{listingId}"),
        ("post", "/ws/listings/{listingId}"),
        ("get", "/ws/listings/detail"),
    ],
)
def test_listing_example_parses(openapi_spec: Spec, method: str, path: str) -> None:
    example = synthesize(openapi_spec, response_schema(openapi_spec, method, path))
    listing = structure(example, Listing)
    assert listing.id == example["id"]
    assert listing.price == Decimal(example["price"])
    assert listing.max_price == Decimal(example["max_price"])
    assert listing.grade is Grade(example["grade"])
    assert set(listing.extra) <= {"statuscode", "shippings_response"}


def test_listing_page_example_parses(openapi_spec: Spec) -> None:
    example = synthesize(
        openapi_spec, response_schema(openapi_spec, "get", "/ws/listings")
    )
    listings = structure(example["results"], list[Listing])
    assert listings[0].extra == {}


def test_task_example_parses(openapi_spec: Spec) -> None:
    example = synthesize(
        openapi_spec, response_schema(openapi_spec, "get", "/ws/tasks/{taskId}")
    )
    task = structure(example, Task)
    assert task.task_id == example["task_id"]
    assert task.action_status == example["action_status"]
    assert set(task.extra) == {"statuscode"}


def test_category_example_parses(openapi_spec: Spec) -> None:
    example = synthesize(
        openapi_spec, response_schema(openapi_spec, "get", "/ws/category/tree")
    )
    tree = structure(example, list[Category])
    assert tree[0].category_name == example[0]["category_name"]
    assert tree[0].attributes[0].field == example[0]["attributes"][0]["field"]


def test_orderline_patch_example_parses(openapi_spec: Spec) -> None:
    path = "/ws/orderlines/{orderline_id}"
    example = synthesize(openapi_spec, response_schema(openapi_spec, "patch", path))
    identifiers = structure(example, OrderLineIdentifiers)
    assert identifiers.imei == example["imei"]


@pytest.mark.parametrize(
    ("make", "method", "path"),
    [
        (lambda: fixtures.order(1), "get", "/ws/orders/{order_id}"),
        (
            lambda: {**fixtures.listing(4561, "S"), "statuscode": 200},
            "get",
            "/ws/listings/{listingId}",
        ),
        (fixtures.category_tree, "get", "/ws/category/tree"),
    ],
)
def test_fixtures_follow_schemas(
    openapi_spec: Spec, make: Callable[[], Any], method: str, path: str
) -> None:
    schema = to_json_schema(openapi_spec, response_schema(openapi_spec, method, path))
    jsonschema.validate(make(), schema)


# Enumerations


def enum_of(spec: Spec, name: str) -> set[Any]:
    return set(schema_of(spec, name)["enum"])


def test_shippers_equal_spec(openapi_spec: Spec) -> None:
    assert enum_of(openapi_spec, "Shipper") == SHIPPERS


def test_markets_equal_spec(openapi_spec: Spec) -> None:
    assert enum_of(openapi_spec, "CountryCode") == set(MARKETS)


def test_state_enums_equal_spec(openapi_spec: Spec) -> None:
    assert enum_of(openapi_spec, "OrderState") == {s.value for s in OrderState}
    assert enum_of(openapi_spec, "OrderLineState") == {s.value for s in OrderLineState}
    assert enum_of(openapi_spec, "AestheticGradeValue") == {g.value for g in Grade}


def test_publication_states_equal_spec(openapi_spec: Spec) -> None:
    listing = schema_of(openapi_spec, "ListingPublic")
    assert set(listing["properties"]["publication_state"]["enum"]) == {
        s.value for s in PublicationState
    }
