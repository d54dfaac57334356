"""A small three-level category tree for ``/ws/category/tree``."""

from __future__ import annotations

from typing import Any

_COLOUR = {
    "field": "color",
    "field_name": "Colour",
    "type": 3,
    "allowed_values": "Black,White,Blue,Red,Green,Pink,Purple,Gold,Silver",
    "required": True,
}
_STORAGE = {
    "field": "storage",
    "field_name": "Storage",
    "type": 3,
    "allowed_values": "32GB,64GB,128GB,256GB,512GB,1TB",
    "required": True,
}
_NETWORK = {
    "field": "network",
    "field_name": "Network",
    "type": 3,
    "allowed_values": "Unlocked,Carrier locked",
    "required": False,
}
_SCREEN = {
    "field": "screen_size",
    "field_name": "Screen size (inches)",
    "type": 0,
    "allowed_values": "",
    "required": False,
}
_RAM = {
    "field": "ram",
    "field_name": "Memory (GB)",
    "type": 1,
    "allowed_values": "",
    "required": True,
}
_MODEL = {
    "field": "model_name",
    "field_name": "Model name",
    "type": 2,
    "allowed_values": "",
    "required": True,
}

# (category_id, name, marketplace_category_id, attributes, children)
_Node = tuple[int, str, int, list[dict[str, Any]], list[Any]]

_TREE: list[_Node] = [
    (
        1,
        "Smartphones & phones",
        100,
        [],
        [
            (
                11,
                "Smartphones",
                110,
                [],
                [
                    (111, "iPhone", 2, [_MODEL, _COLOUR, _STORAGE, _NETWORK], []),
                    (112, "Android smartphones", 3, [_MODEL, _COLOUR, _STORAGE], []),
                ],
            ),
            (12, "Basic phones", 120, [], [(121, "Feature phones", 4, [_MODEL], [])]),
        ],
    ),
    (
        2,
        "Computers & tablets",
        200,
        [],
        [
            (
                21,
                "Laptops",
                210,
                [],
                [
                    (211, "MacBook", 5, [_MODEL, _RAM, _STORAGE, _SCREEN], []),
                    (212, "Windows laptops", 6, [_MODEL, _RAM, _STORAGE, _SCREEN], []),
                ],
            ),
            (
                22,
                "Tablets",
                220,
                [],
                [(221, "iPad", 7, [_MODEL, _STORAGE, _COLOUR], [])],
            ),
        ],
    ),
    (
        3,
        "Gaming & audio",
        300,
        [],
        [
            (
                31,
                "Consoles",
                310,
                [],
                [(311, "Home consoles", 8, [_MODEL, _STORAGE], [])],
            ),
            (32, "Audio", 320, [], [(321, "Earbuds", 9, [_MODEL, _COLOUR], [])]),
        ],
    ),
]


def _render(node: _Node) -> dict[str, Any]:
    category_id, name, marketplace_id, attributes, children = node
    return {
        "category_id": category_id,
        "category_name": name,
        "marketplace_category_id": marketplace_id,
        "is_leaf": not children,
        "attributes": [dict(attribute) for attribute in attributes],
        "childrens": [_render(child) for child in children],
    }


def tree() -> list[dict[str, Any]]:
    """Return the whole category tree."""
    return [_render(node) for node in _TREE]


def branch(category_id: int) -> dict[str, Any] | None:
    """Return the branch rooted at ``category_id``, or None when unknown."""
    pending = list(_TREE)
    while pending:
        node = pending.pop()
        if node[0] == category_id:
            return _render(node)
        pending.extend(node[4])
    return None
