from __future__ import annotations

from pathlib import Path

import attrs

from commercium_connector import hookspecs
from commercium_connector.backmarket.settings import BackMarketSettings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_docs_list_every_setting() -> None:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    missing = []
    attrs.resolve_types(BackMarketSettings)
    for field in attrs.fields(BackMarketSettings):
        if attrs.has(field.type) and field.name != "product_identifier":
            assert f"## `[{field.name}]`" in text
            missing += [
                f"{field.name}.{sub.name}"
                for sub in attrs.fields(field.type)
                if f"`{sub.name}`" not in text
            ]
        elif f"`{field.name}`" not in text:
            missing.append(field.name)
    assert missing == []


def test_docs_list_every_hook() -> None:
    text = (DOCS / "contract.md").read_text(encoding="utf-8")
    hooks = [name for name in dir(hookspecs) if name.startswith("commercium_")]
    assert len(hooks) == 7
    for name in hooks:
        assert f"`{name}(" in text
