"""MkDocs hook: leave out nav entries whose page does not exist yet.

Some pages are written separately from this site (the reference host's page,
for one). Until a page is added, its nav entry is dropped with a log line
instead of failing the strict build.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.nav")


def _prune(entries: list[Any], docs_dir: Path) -> list[Any]:
    kept: list[Any] = []
    for entry in entries:
        if isinstance(entry, dict):
            pruned = {}
            for title, target in entry.items():
                if isinstance(target, list):
                    children = _prune(target, docs_dir)
                    if children:
                        pruned[title] = children
                elif _exists(target, docs_dir):
                    pruned[title] = target
                else:
                    log.info("nav: %s is not written yet; left out", target)
            if pruned:
                kept.append(pruned)
        elif isinstance(entry, str) and not _exists(entry, docs_dir):
            log.info("nav: %s is not written yet; left out", entry)
        else:
            kept.append(entry)
    return kept


def _exists(target: str, docs_dir: Path) -> bool:
    if "://" in target:
        return True
    return (docs_dir / target).is_file()


def on_config(config: Any) -> Any:
    """Drop the nav entries of missing pages before the build reads the nav."""
    if config.nav:
        config.nav = _prune(config.nav, Path(config.docs_dir))
    return config
