"""Hook calls of one token share a rate limiter, as Back Market counts per token."""

from __future__ import annotations

import httpx

from backmarket_sdk.sandbox import Sandbox
from commercium_connector.backmarket.client_factory import build_client
from commercium_connector.backmarket.limiters import token_limiter
from tests.connector.conftest import make_settings, sandbox_connection


def test_network_clients_share_by_token() -> None:
    first = token_limiter("tok-a", None, None, None)
    again = token_limiter("tok-a", None, None, None)
    other_token = token_limiter("tok-b", None, None, None)
    other_host = token_limiter("tok-a", "http://127.0.0.1:8123", None, None)
    assert first is again
    assert first is not other_token
    assert first is not other_host


def test_transports_kept_apart() -> None:
    first = httpx.MockTransport(lambda request: httpx.Response(204))
    second = httpx.MockTransport(lambda request: httpx.Response(204))
    assert token_limiter("tok-a", None, first, None) is token_limiter(
        "tok-a", None, first, None
    )
    assert token_limiter("tok-a", None, first, None) is not token_limiter(
        "tok-a", None, second, None
    )


def test_limiter_keeps_first_clock() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(204))
    limiter = token_limiter("tok-c", None, transport, lambda: 42.0)
    assert limiter.clock() == 42.0
    assert token_limiter("tok-c", None, transport, lambda: 7.0).clock() == 42.0


def test_hook_clients_share_limiter(sandbox: Sandbox) -> None:
    connection = sandbox_connection(sandbox, make_settings())
    settings = make_settings()
    with build_client(connection, settings) as orders_client:
        orders_limiter = orders_client.rate_limiter
    with build_client(connection, settings) as stock_client:
        assert stock_client.rate_limiter is orders_limiter
