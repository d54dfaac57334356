"""Lazy pagers over Back Market's ``{count, next, previous, results}`` pages.

Only the query string of ``next`` is used: the path and host stay those of
the first request, so a ``next`` URL pointing at another host can never
receive the token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, urlsplit

import attrs

from backmarket_sdk import errors
from backmarket_sdk._logging import logger

T = TypeVar("T")

MAX_PAGE_SIZE = 50
PAGE_SIZE_PARAM = "page-size"

Params = dict[str, str | int]
FetchPage = Callable[[Params], Any]
AsyncFetchPage = Callable[[Params], Awaitable[Any]]
ParseItems = Callable[[list[Any]], list[T]]


def clamp_page_size(page_size: int) -> int:
    """Return a page size within 1..50; above 50 is lowered to 50.

    Raises:
        InvalidRequestError: The page size is not a positive integer.
    """
    if not isinstance(page_size, int) or isinstance(page_size, bool) or page_size < 1:
        raise errors.InvalidRequestError(
            f"Invalid page_size {page_size!r}: use an integer from 1 to "
            f"{MAX_PAGE_SIZE}."
        )
    return min(page_size, MAX_PAGE_SIZE)


@attrs.frozen
class Page(Generic[T]):
    """One page of a list call.

    Attributes:
        items: The page's results as models.
        count: Total number of results the server reported, if any.
        next: URL of the next page as sent by the server, or None.
        previous: URL of the previous page, or None.
        params: Query parameters that fetched this page.
    """

    items: list[T]
    count: int | None
    next: str | None
    previous: str | None
    params: Mapping[str, str | int]


def next_params(next_url: Any, current: Params) -> Params | None:
    """Return the query parameters of the next page, or None at the end."""
    if not isinstance(next_url, str) or not next_url.strip():
        return None
    query = dict(parse_qsl(urlsplit(next_url).query, keep_blank_values=True))
    params: Params = dict(query)
    size = query.get(PAGE_SIZE_PARAM)
    if size is not None and size.isdigit() and int(size) > MAX_PAGE_SIZE:
        params[PAGE_SIZE_PARAM] = MAX_PAGE_SIZE
    if {k: str(v) for k, v in params.items()} == {
        k: str(v) for k, v in current.items()
    }:
        logger.warning("Stopping pagination: next page repeats the current one")
        return None
    return params


def build_page(data: Any, params: Params, parse: ParseItems[T], url: str) -> Page[T]:
    """Validate a page envelope and convert its results."""
    if not isinstance(data, Mapping) or not isinstance(data.get("results"), list):
        raise errors.MalformedResponseError(
            "Expected a page object with a 'results' list",
            status=200,
            method="GET",
            url=url,
            body=data,
        )
    count = data.get("count")
    return Page(
        items=parse(data["results"]),
        count=count if isinstance(count, int) else None,
        next=data.get("next") or None,
        previous=data.get("previous") or None,
        params=dict(params),
    )


class SyncPager(Iterator[T]):
    """An iterator over the items of every page, fetching pages as needed.

    ``for item in pager`` and ``next(pager)`` walk items once, like any
    iterator; ``pager.pages()`` starts a separate walk over whole pages.
    """

    def __init__(
        self, fetch: FetchPage, params: Params, parse: ParseItems[T], path: str
    ) -> None:
        self._fetch = fetch
        self._params = params
        self._parse = parse
        self._path = path
        self._items: Iterator[T] | None = None

    def pages(self) -> Iterator[Page[T]]:
        """Yield each page, following ``next`` until it is null or empty."""
        params: Params | None = dict(self._params)
        while params is not None:
            page = build_page(self._fetch(params), params, self._parse, self._path)
            yield page
            if not page.items:
                return
            params = next_params(page.next, params)

    def _walk_items(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items

    def __iter__(self) -> SyncPager[T]:
        return self

    def __next__(self) -> T:
        if self._items is None:
            self._items = self._walk_items()
        return next(self._items)


class AsyncPager(AsyncIterator[T]):
    """Async twin of :class:`SyncPager`: ``async for item in pager``."""

    def __init__(
        self, fetch: AsyncFetchPage, params: Params, parse: ParseItems[T], path: str
    ) -> None:
        self._fetch = fetch
        self._params = params
        self._parse = parse
        self._path = path
        self._items: AsyncIterator[T] | None = None

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Yield each page, following ``next`` until it is null or empty."""
        params: Params | None = dict(self._params)
        while params is not None:
            data = await self._fetch(params)
            page = build_page(data, params, self._parse, self._path)
            yield page
            if not page.items:
                return
            params = next_params(page.next, params)

    async def _walk_items(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item

    def __aiter__(self) -> AsyncPager[T]:
        return self

    async def __anext__(self) -> T:
        if self._items is None:
            self._items = self._walk_items()
        return await self._items.__anext__()
