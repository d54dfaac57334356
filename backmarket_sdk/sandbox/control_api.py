"""The control API under ``/_sandbox/`` for tests and demos.

Routes (JSON in and out, same token as the seller API; these calls are not
logged, rate-limited or hit by faults):

- ``GET /_sandbox`` a summary: sandbox time, counts, faults in force.
- ``POST /_sandbox/orders`` ``{sku, quantity?, market?, state?}`` places an
  order and returns ``{order_id, order}``.
- ``GET /_sandbox/orders/{id}``, ``GET /_sandbox/listings/{sku}``: stored truth.
- ``GET /_sandbox/clock``; ``POST /_sandbox/clock`` ``{advance: seconds}``.
- ``GET|POST|DELETE /_sandbox/faults`` (POST ``{route, kind, count?}``).
- ``GET|DELETE /_sandbox/requests``: the request log.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from .messages import SandboxRequest, SandboxResponse, error_v1, json_response

if TYPE_CHECKING:
    from .sandbox import Sandbox

logger = logging.getLogger("backmarket_sdk.sandbox")


def handle(sandbox: Sandbox, request: SandboxRequest) -> SandboxResponse:
    """Handle one control request."""
    parts = [part for part in request.path.split("/") if part][1:]
    try:
        return _dispatch(sandbox, request, parts)
    except (ValueError, TypeError) as error:
        return error_v1(400, "invalid-control-request", str(error))
    except KeyError as error:
        return error_v1(404, "not-found", str(error.args[0]) if error.args else "")
    except Exception:
        logger.exception(
            "sandbox control request %s %s failed", request.method, request.path
        )
        return error_v1(500, "internal-error", "the sandbox failed on this request")


def _body(request: SandboxRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ValueError("control request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ValueError("control request body must be a JSON object")
    return body


def _dispatch(
    sandbox: Sandbox, request: SandboxRequest, parts: list[str]
) -> SandboxResponse:
    method = request.method
    if not parts and method == "GET":
        return json_response(200, _summary(sandbox))
    head, rest = (parts[0], parts[1:]) if parts else ("", [])
    if head == "orders" and method == "POST" and not rest:
        body = _body(request)
        if "sku" not in body:
            raise ValueError("sku is required to place an order")
        order_id = sandbox.place_order(
            str(body["sku"]),
            quantity=int(body.get("quantity", 1)),
            market=str(body.get("market", "fr-fr")),
            state=int(body.get("state", 1)),
        )
        return json_response(
            201, {"order_id": order_id, "order": sandbox.order(order_id)}
        )
    if head == "orders" and method == "GET" and len(rest) == 1:
        if not rest[0].isdigit():
            raise ValueError(f"order id {rest[0]!r} is not an integer")
        return json_response(200, sandbox.order(int(rest[0])))
    if head == "listings" and method == "GET" and len(rest) == 1:
        return json_response(200, sandbox.listing(rest[0]))
    if head == "clock" and not rest:
        if method == "POST":
            seconds = float(_body(request).get("advance", 0))
            sandbox.advance(seconds)
        if method in ("GET", "POST"):
            return json_response(200, {"now": sandbox.now().isoformat()})
    if head == "faults" and not rest:
        if method == "POST":
            body = _body(request)
            count = body.get("count")
            sandbox.set_fault(
                str(body.get("route", "")),
                str(body.get("kind", "")),
                None if count is None else int(count),
            )
        elif method == "DELETE":
            sandbox.clear_faults()
        if method in ("GET", "POST", "DELETE"):
            return json_response(200, {"faults": sandbox.faults.snapshot()})
    if head == "requests" and not rest:
        if method == "DELETE":
            sandbox.clear_requests()
        if method in ("GET", "DELETE"):
            entries = [entry.to_dict() for entry in sandbox.requests]
            return json_response(200, {"requests": entries})
    return error_v1(404, "not-found", f"no control route for {method} {request.path}")


def _summary(sandbox: Sandbox) -> dict[str, Any]:
    store = sandbox.store
    return {
        "now": sandbox.now().isoformat(),
        "orders": len(store.orders),
        "listings": len(store.listings),
        "tasks": len(store.tasks),
        "faults": sandbox.faults.snapshot(),
    }
