from __future__ import annotations

import httpx
import pytest

from tests.sandbox.spec_check import SpecChecker


def response_for(method: str, url: str, status: int, payload: object) -> httpx.Response:
    request = httpx.Request(method, url)
    return httpx.Response(status, json=payload, request=request)


def test_hook_rejects_wrong_shape(openapi_spec):
    checker = SpecChecker(openapi_spec)
    bad_page = response_for(
        "GET", "http://x/ws/orders", 200, {"count": "many", "results": [{"state": 77}]}
    )
    with pytest.raises(AssertionError, match="'many' is not of type 'integer'"):
        checker.hook(bad_page)


def test_hook_handles_nullable(openapi_spec):
    checker = SpecChecker(openapi_spec)
    page = response_for(
        "GET",
        "http://x/ws/listings",
        200,
        {"count": 0, "next": None, "previous": None, "results": []},
    )
    checker.hook(page)
    with pytest.raises(AssertionError, match="None is not of type 'integer'"):
        checker.hook(
            response_for(
                "GET",
                "http://x/ws/listings",
                200,
                {"count": None, "next": None, "previous": None, "results": []},
            )
        )


def test_hook_requires_v1_when_undeclared(openapi_spec):
    checker = SpecChecker(openapi_spec)
    checker.hook(
        response_for(
            "GET",
            "http://x/ws/orders/1",
            503,
            {"error": {"code": "down", "message": "down"}, "requestId": "r1"},
        )
    )
    with pytest.raises(AssertionError):
        checker.hook(response_for("GET", "http://x/ws/orders/1", 503, {"oops": 1}))
