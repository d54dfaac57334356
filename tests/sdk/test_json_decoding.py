"""Response bodies decode the same with orjson as with the standard library."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backmarket_sdk import _json, errors
from tests.sdk.conftest import FakeTime, make_client
from tests.sdk.fixtures import TOKEN, varied_order
from tests.sdk.loopback import LoopbackServer, Reply

orjson = pytest.importorskip("orjson", reason="orjson is installed only on CPython")

LOADERS = [
    pytest.param(_json.stdlib_loads, id="json"),
    pytest.param(_json.orjson_loads, id="orjson"),
]
Loads = Callable[[bytes], Any]

# Bodies that orjson rejects but json reads, each with the repr json gives.
LENIENT_BODIES = [
    pytest.param(b'{"price": NaN}', "{'price': nan}", id="nan"),
    pytest.param(b'{"price": Infinity}', "{'price': inf}", id="infinity"),
    pytest.param(b'{"price": 1e400}', "{'price': inf}", id="float-overflow"),
    pytest.param(b'\xef\xbb\xbf{"price": "1.00"}', "{'price': '1.00'}", id="utf8-bom"),
    pytest.param('{"price": "1.00"}'.encode("utf-16"), "{'price': '1.00'}", id="utf16"),
    pytest.param(b'{"price": "\\ud800"}', "{'price': '\\ud800'}", id="surrogate"),
]


def test_orjson_is_the_decoder() -> None:
    assert _json.loads is _json.orjson_loads
    assert _json.DECODER.startswith("orjson ")


@pytest.mark.parametrize("body", [param.values[0] for param in LENIENT_BODIES])
def test_orjson_rejects_lenient_bodies(body: bytes) -> None:
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(body)


@pytest.mark.parametrize(("body", "expected"), LENIENT_BODIES)
def test_lenient_body_falls_back(body: bytes, expected: str) -> None:
    assert repr(_json.orjson_loads(body)) == expected
    assert repr(json.loads(body)) == expected


@pytest.mark.parametrize("loads", LOADERS)
@pytest.mark.parametrize(
    "body", [b'{"order_id": 1, "state"', b"", b"<html>", b'{"a": 1}}', b'"\x01"']
)
def test_malformed_body_raises_value_error(loads: Loads, body: bytes) -> None:
    with pytest.raises(ValueError):
        loads(body)


@pytest.mark.parametrize("loads", LOADERS)
def test_duplicate_key_keeps_last(loads: Loads) -> None:
    assert loads(b'{"state": 1, "state": 3}') == {"state": 3}


@pytest.mark.parametrize("loads", LOADERS)
def test_64_bit_integers_exact(loads: Loads) -> None:
    body = b"[18446744073709551615, -9223372036854775808, 9007199254740993]"
    decoded = loads(body)
    assert decoded == [2**64 - 1, -(2**63), 2**53 + 1]
    assert all(type(number) is int for number in decoded)


@pytest.mark.parametrize("loads", LOADERS)
def test_float_rounding_matches_repr(loads: Loads) -> None:
    texts = ["0.1", "2.2250738585072011e-308", "5e-324", "1.7976931348623157e308"]
    decoded = loads(f"[{', '.join(texts)}]".encode())
    assert decoded == [float(text) for text in texts]


def test_huge_order_id_rejected(server: LoopbackServer, fake_time: FakeTime) -> None:
    order = varied_order(1)
    order["order_id"] = 2**70 + 1  # orjson decodes it as a rounded float
    server.api.script("GET", "/ws/orders/1", Reply(200, json=order))
    sdk = make_client(server.url, fake_time, max_retries=0)
    with sdk, pytest.raises(errors.MalformedResponseError, match=r"order_id"):
        sdk.orders.get(1)


def test_order_page_decodes_alike() -> None:
    body = json.dumps([varied_order(number) for number in range(1, 51)]).encode()
    assert _json.orjson_loads(body) == _json.stdlib_loads(body)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values, st.booleans())
def test_decoders_agree(value: Any, ascii_only: bool) -> None:
    body = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    assert repr(_json.orjson_loads(body)) == repr(_json.stdlib_loads(body))


def test_truncated_page_is_malformed(
    server: LoopbackServer, fake_time: FakeTime
) -> None:
    raw = json.dumps({"results": [varied_order(1)], "next": None}).encode()[:-40]
    headers = {"Content-Type": "application/json"}
    server.api.script("GET", "/ws/orders", Reply(200, raw=raw, headers=headers))
    sdk = make_client(server.url, fake_time, max_retries=0)
    with sdk, pytest.raises(errors.MalformedResponseError) as caught:
        list(sdk.orders.list())
    assert caught.value.status == 200
    assert caught.value.body == raw.decode()


def test_nan_amount_names_field(server: LoopbackServer, fake_time: FakeTime) -> None:
    order = varied_order(1)
    order["price"] = "NAN-PLACEHOLDER"
    raw = json.dumps(order).replace('"NAN-PLACEHOLDER"', "NaN").encode()
    headers = {"Content-Type": "application/json"}
    server.api.script("GET", "/ws/orders/1", Reply(200, raw=raw, headers=headers))
    sdk = make_client(server.url, fake_time, max_retries=0)
    with sdk, pytest.raises(errors.MalformedResponseError, match=r"Order\.price"):
        sdk.orders.get(1)


def test_varied_orders_parse(server: LoopbackServer, fake_time: FakeTime) -> None:
    server.api.orders = {n: varied_order(n) for n in range(1, 6)}
    with make_client(server.url, fake_time) as sdk:
        orders = list(sdk.orders.list())
    prices = [str(order.price) for order in orders]
    assert prices == [varied_order(n)["price"] for n in range(1, 6)]


def test_bad_order_in_page_named(server: LoopbackServer, fake_time: FakeTime) -> None:
    server.api.orders = {n: varied_order(n) for n in range(1, 6)}
    server.api.orders[4]["date_creation"] = "0000-00-00"
    sdk = make_client(server.url, fake_time, max_retries=0)
    with sdk, pytest.raises(errors.MalformedResponseError) as caught:
        list(sdk.orders.list())
    message = str(caught.value)
    assert "Order at index 3 (order_id 4)" in message
    assert "'0000-00-00'" in message
    assert caught.value.body == server.api.orders[4]


def test_model_error_not_chained(server: LoopbackServer, fake_time: FakeTime) -> None:
    order = varied_order(1)
    order["date_creation"] = f"Basic {TOKEN}"
    server.api.script("GET", "/ws/orders/1", Reply(200, json=order))
    sdk = make_client(server.url, fake_time, max_retries=0)
    with sdk, pytest.raises(errors.MalformedResponseError) as caught:
        sdk.orders.get(1)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    assert TOKEN not in str(caught.value)
    assert "Order.date_creation" in str(caught.value)
