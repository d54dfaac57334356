"""Categories: Back Market's product taxonomy."""

from __future__ import annotations

from backmarket_sdk._http import RequestSpec
from backmarket_sdk.models.categories import Category
from backmarket_sdk.resources._base import (
    AsyncResource,
    SyncResource,
    parse_list,
    parse_model,
    require_id,
)

TREE_PATH = "/ws/category/tree"


def tree_spec() -> RequestSpec:
    """Describe ``GET /ws/category/tree``; it counts against the catalog budget."""
    return RequestSpec("GET", TREE_PATH, catalog=True)


def branch_spec(category_id: int) -> RequestSpec:
    """Describe ``GET /ws/category/tree/{categoryId}``."""
    path = f"{TREE_PATH}/{require_id('category_id', category_id)}"
    return RequestSpec("GET", path, catalog=True)


class Categories(SyncResource):
    """``client.categories``: the category tree."""

    def tree(self) -> list[Category]:
        """Return the whole category tree, one entry per top-level category."""
        spec = tree_spec()
        return parse_list(self._client.request(spec), Category, spec)

    def get(self, category_id: int) -> Category:
        """Return one category with the branch below it."""
        spec = branch_spec(category_id)
        return parse_model(self._client.request(spec), Category, spec)


class AsyncCategories(AsyncResource):
    """``client.categories`` of the async client; see :class:`Categories`."""

    async def tree(self) -> list[Category]:
        """Return the whole category tree."""
        spec = tree_spec()
        return parse_list(await self._client.request(spec), Category, spec)

    async def get(self, category_id: int) -> Category:
        """Return one category with the branch below it."""
        spec = branch_spec(category_id)
        return parse_model(await self._client.request(spec), Category, spec)
