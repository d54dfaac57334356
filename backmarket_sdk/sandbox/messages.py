"""Transport-neutral request and response objects and the error envelopes.

The routing core takes a ``SandboxRequest`` and returns a ``SandboxResponse``;
the loopback HTTP server and the httpx transports only convert to and from
them, so both serve exactly the same behaviour.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class SandboxRequest:
    """An HTTP request as the routing core sees it.

    Attributes:
        method: the upper-case HTTP method.
        path: the URL path, without the query string.
        query_string: the raw query string, without ``?``.
        headers: the request headers with lower-case names.
        body: the raw request body.
        scheme: ``http`` or ``https``, used to build absolute ``next`` URLs.
        host: the ``Host`` the client addressed, with its port.
    """

    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    body: bytes
    scheme: str = "http"
    host: str = "127.0.0.1"

    @classmethod
    def build(
        cls,
        method: str,
        path: str,
        query_string: str,
        headers: Mapping[str, str] | list[tuple[str, str]],
        body: bytes,
        *,
        scheme: str = "http",
        host: str | None = None,
    ) -> SandboxRequest:
        """Build a request, folding header names to lower case."""
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        lowered = {name.lower(): value for name, value in pairs}
        return cls(
            method=method.upper(),
            path=path,
            query_string=query_string,
            headers=lowered,
            body=body,
            scheme=scheme,
            host=host or lowered.get("host", "127.0.0.1"),
        )

    @property
    def query(self) -> dict[str, str]:
        """The query parameters; the last value wins for a repeated name."""
        return dict(parse_qsl(self.query_string, keep_blank_values=True))

    def json(self) -> Any:
        """Return the body parsed as JSON; raises ValueError when it is not."""
        return json.loads(self.body.decode("utf-8"))


@dataclass
class SandboxResponse:
    """A response from the routing core.

    Attributes:
        status: the HTTP status code.
        headers: response headers (name, value) in order.
        body: the raw body.
        delay: seconds to wait before sending, for the slow fault.
        drop: ``"timeout"`` to send nothing and hold the connection,
            ``"reset"`` to reset the connection, or None to send normally.
    """

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    delay: float = 0.0
    drop: str | None = None

    def header(self, name: str) -> str | None:
        """Return the first header named ``name`` (case insensitive), or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def set_header(self, name: str, value: str) -> None:
        """Replace every header named ``name`` with one of ``value``."""
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))


def json_response(status: int, payload: Any) -> SandboxResponse:
    """Return a JSON response with ``payload`` serialised compactly."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return SandboxResponse(
        status=status,
        headers=[("Content-Type", "application/json")],
        body=body,
    )


def request_id() -> str:
    """Return a fresh request id, as Back Market puts in error bodies."""
    return uuid.uuid4().hex


def error_v1(status: int, code: str, message: str) -> SandboxResponse:
    """Return an error in the ``{error: {code, message}, requestId}`` envelope."""
    payload = {"error": {"code": code, "message": message}, "requestId": request_id()}
    return json_response(status, payload)


def error_v2(status: int, code: str, message: str) -> SandboxResponse:
    """Return an error in the ``{errors: [{code, message}], requestId}`` envelope."""
    payload = {
        "errors": [{"code": code, "message": message}],
        "requestId": request_id(),
    }
    return json_response(status, payload)


def error_text(status: int, message: str) -> SandboxResponse:
    """Return an error whose JSON body is a bare string, as some routes do."""
    return json_response(status, message)


def html_response(status: int, html: str) -> SandboxResponse:
    """Return an HTML response, as the edge in front of the API serves."""
    return SandboxResponse(
        status=status,
        headers=[("Content-Type", "text/html; charset=UTF-8")],
        body=html.encode("utf-8"),
    )
