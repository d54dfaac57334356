"""An in-process httpx transport that hands requests to the sandbox directly."""

from __future__ import annotations

import asyncio
import time

import httpx

from .messages import SandboxRequest, SandboxResponse
from .sandbox import Sandbox


def _to_sandbox(request: httpx.Request, body: bytes) -> SandboxRequest:
    url = request.url
    host = url.host if url.port is None else f"{url.host}:{url.port}"
    return SandboxRequest.build(
        request.method,
        url.path,
        url.query.decode("ascii"),
        [(name, value) for name, value in request.headers.items()],
        body,
        scheme=url.scheme,
        host=host,
    )


def _to_httpx(response: SandboxResponse, request: httpx.Request) -> httpx.Response:
    if response.drop == "timeout":
        raise httpx.ReadTimeout(
            "sandbox fault: the response never came", request=request
        )
    if response.drop == "reset":
        raise httpx.ReadError(
            "sandbox fault: connection reset by peer", request=request
        )
    headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
    headers.append(("Content-Length", str(len(response.body))))
    return httpx.Response(
        response.status, headers=headers, content=response.body, request=request
    )


class SandboxTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Serves httpx requests from a ``Sandbox`` without a socket.

    Works with ``httpx.Client(transport=...)`` and
    ``httpx.AsyncClient(transport=...)``. The ``timeout`` and ``reset`` faults
    raise ``httpx.ReadTimeout`` and ``httpx.ReadError`` at once; ``slow``
    sleeps ``sandbox.slow_seconds``.
    """

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send a sync client's request to the sandbox and return its response."""
        response = self.sandbox.handle(_to_sandbox(request, request.read()))
        if response.delay > 0:
            time.sleep(response.delay)
        return _to_httpx(response, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send an async client's request to the sandbox and return its response."""
        body = await request.aread()
        response = self.sandbox.handle(_to_sandbox(request, body))
        if response.delay > 0:
            await asyncio.sleep(response.delay)
        return _to_httpx(response, request)
