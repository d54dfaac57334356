"""Faults that tests and demos switch on per route.

Each fault kind imitates what a client meets in production: errors from the
API or from the edge in front of it, responses that arrive late, never, cut
short or broken, and connections reset mid-request.
"""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import dataclass

from .messages import SandboxResponse, error_v1, html_response

# Faults whose response replaces the API's: the request has no effect.
ANSWERED_KINDS = frozenset(
    {"500", "502", "503", "504", "429", "waf_html", "bot_challenge"}
)
# Faults applied after the API handled the request: the change is made and
# the client sees a late, missing or damaged response, as when a network
# fails after the server committed.
AFTER_KINDS = frozenset(
    {"slow", "timeout", "malformed_json", "truncated_json", "reset"}
)
FAULT_KINDS = ANSWERED_KINDS | AFTER_KINDS


@dataclass
class Fault:
    """One switched-on fault.

    Attributes:
        pattern: a path glob (``/ws/orders*``), optionally prefixed with a
            method (``POST /ws/orders/*``).
        kind: one of ``FAULT_KINDS``.
        remaining: how many more requests it hits, or None until cleared.
    """

    pattern: str
    kind: str
    remaining: int | None = None

    def matches(self, method: str, path: str) -> bool:
        """Return whether the fault applies to ``method path``."""
        wanted_method, _, wanted_path = self.pattern.partition(" ")
        if not wanted_path:
            return fnmatch.fnmatchcase(path, self.pattern)
        method_ok = fnmatch.fnmatchcase(method, wanted_method.upper())
        return method_ok and fnmatch.fnmatchcase(path, wanted_path)


class FaultTable:
    """The faults in force; the first match in insertion order applies."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, pattern: str, kind: str, count: int | None = None) -> Fault:
        """Switch a fault on; raises ValueError for an unknown kind or count."""
        if kind not in FAULT_KINDS:
            known = ", ".join(sorted(FAULT_KINDS))
            raise ValueError(f"unknown fault kind {kind!r}; use one of {known}")
        if count is not None and count < 1:
            raise ValueError(
                f"fault count must be >= 1 or None (until cleared), got {count}"
            )
        if not pattern.strip():
            raise ValueError("fault route pattern is empty; pass e.g. '/ws/orders*'")
        fault = Fault(pattern=pattern.strip(), kind=kind, remaining=count)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Switch every fault off."""
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> str | None:
        """Return the kind of the fault hitting this request, counting it."""
        with self._lock:
            for fault in self._faults:
                if not fault.matches(method, path):
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                return fault.kind
        return None

    def snapshot(self) -> list[dict[str, object]]:
        """Return the faults in force as plain dictionaries."""
        with self._lock:
            return [
                {"route": f.pattern, "kind": f.kind, "count": f.remaining}
                for f in self._faults
            ]


_EDGE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>{title}</title></head>
<body><h1>{title}</h1>
<p>{text}</p>
<p>Ray ID: <code>{ray}</code></p>
</body></html>
"""


def answer(kind: str, ray: str) -> SandboxResponse:
    """Return the response of a fault kind in ``ANSWERED_KINDS``.

    500 and 503 come from the API as V1 JSON; 502 and 504 come from the edge
    as HTML pages, as a proxy in front of a failing origin serves them.
    """
    if kind == "500":
        return error_v1(500, "internal-error", "internal server error")
    if kind == "503":
        response = error_v1(503, "service-unavailable", "service unavailable")
        return response
    if kind in ("502", "504"):
        title = "502 Bad Gateway" if kind == "502" else "504 Gateway Timeout"
        page = _EDGE_PAGE.format(
            title=title, text="The origin server did not answer.", ray=ray
        )
        return html_response(int(kind), page)
    if kind == "429":
        return error_v1(429, "too-many-requests", "too many requests; retry later")
    if kind == "waf_html":
        page = _EDGE_PAGE.format(
            title="Access denied",
            text="The web application firewall blocked this request.",
            ray=ray,
        )
        return html_response(403, page)
    if kind == "bot_challenge":
        return error_v1(
            403, "bot-need-challenge", "bot management requires a challenge"
        )
    raise ValueError(f"fault kind {kind!r} does not replace the API's response")


def damage(
    kind: str, response: SandboxResponse, slow_seconds: float
) -> SandboxResponse:
    """Apply an after-the-fact fault kind (see ``AFTER_KINDS``) to ``response``."""
    if kind == "slow":
        response.delay = slow_seconds
    elif kind in ("timeout", "reset"):
        response.drop = kind
    elif kind == "malformed_json":
        response.body = b'{"count": 1, "results": [{\'id\': 1,, }'
        response.set_header("Content-Type", "application/json")
    elif kind == "truncated_json":
        body = response.body or b'{"statuscode": 200}'
        response.body = body[: max(1, len(body) // 2)]
        response.set_header("Content-Type", "application/json")
    else:
        raise ValueError(f"fault kind {kind!r} does not damage a response")
    return response
