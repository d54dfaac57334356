"""The log of API requests the sandbox served, without credentials."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from .messages import SandboxRequest

# Headers never stored: they carry credentials.
REDACTED_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})

MAX_TEXT_BODY = 64 * 1024


@dataclass(frozen=True)
class LoggedRequest:
    """One served API request.

    Attributes:
        time: the sandbox time when it was served (ISO 8601, UTC).
        method: the HTTP method.
        path: the URL path.
        query: the query parameters (last value of a repeated name).
        status: the status sent, or 0 when a fault sent none.
        body: the body parsed as JSON, else as text (cut at 64 KiB), else None.
        headers: the request headers except ``REDACTED_HEADERS``.
        fault: the fault kind that hit the request, or None.
    """

    time: str
    method: str
    path: str
    query: dict[str, str]
    status: int
    body: Any
    headers: dict[str, str]
    fault: str | None = None

    def __getitem__(self, key: str) -> Any:
        """Return a field by name, so entries also read like dictionaries."""
        if key not in self.__dataclass_fields__:
            raise KeyError(key)
        return getattr(self, key)

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as a JSON-ready dictionary."""
        return asdict(self)


def _body(request: SandboxRequest) -> Any:
    if not request.body:
        return None
    content_type = request.headers.get("content-type", "")
    if "json" in content_type or request.body[:1] in (b"{", b"["):
        try:
            return json.loads(request.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            pass
    if content_type.startswith("multipart/"):
        return f"<multipart body, {len(request.body)} bytes>"
    return request.body[:MAX_TEXT_BODY].decode("utf-8", errors="replace")


def record(
    request: SandboxRequest, status: int, time: str, fault: str | None
) -> LoggedRequest:
    """Return the log entry of ``request``, with credentials left out."""
    headers = {
        name: value
        for name, value in request.headers.items()
        if name not in REDACTED_HEADERS
    }
    return LoggedRequest(
        time=time,
        method=request.method,
        path=request.path,
        query=request.query,
        status=status,
        body=_body(request),
        headers=headers,
        fault=fault,
    )
