"""Page/page-size parsing and the ``{count, next, previous, results}`` envelope."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from .errors import ApiError, bad_request
from .messages import SandboxRequest

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 50


def _positive(request: SandboxRequest, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise bad_request(f"{name} must be a whole number >= 1, got {raw!r}")
    return int(raw)


def page_url(request: SandboxRequest, page: int) -> str:
    """Return the absolute URL of ``page`` of the request's list."""
    query = request.query
    query["page"] = str(page)
    return f"{request.scheme}://{request.host}{request.path}?{urlencode(query)}"


def paginate(
    request: SandboxRequest,
    items: Sequence[T],
    render: Callable[[T], dict[str, Any]],
) -> dict[str, Any]:
    """Return the list envelope for the requested page of ``items``.

    Page sizes above the maximum are lowered to it, as the API does. A page
    past the last one is a 404, except page 1 of an empty list.
    """
    page = _positive(request, "page", 1)
    size = min(_positive(request, "page-size", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
    start = (page - 1) * size
    if page > 1 and start >= len(items):
        raise ApiError(404, "invalid-page", f"page {page} does not exist")
    chunk = items[start : start + size]
    return {
        "count": len(items),
        "next": page_url(request, page + 1) if start + size < len(items) else None,
        "previous": page_url(request, page - 1) if page > 1 else None,
        "results": [render(item) for item in chunk],
    }
