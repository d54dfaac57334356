"""Locate and load Back Market's OpenAPI description for contract tests.

The description is not part of this repository. Tests read it from the path in
``BACKMARKET_OPENAPI`` or from ``../shared/backmarket/openapi.yml`` beside the
clone, and skip with that reason when neither exists.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_VAR = "BACKMARKET_OPENAPI"
DEFAULT_PATH = REPO_ROOT.parent / "shared" / "backmarket" / "openapi.yml"


def spec_path() -> Path | None:
    """Return the path of the OpenAPI description, or None when absent."""
    configured = os.environ.get(ENV_VAR)
    candidate = Path(configured) if configured else DEFAULT_PATH
    return candidate if candidate.is_file() else None


@functools.cache
def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def load_spec() -> dict[str, Any]:
    """Return the parsed OpenAPI description, or skip the calling test."""
    path = spec_path()
    if path is None:
        pytest.skip(
            f"Back Market OpenAPI description not found: set {ENV_VAR} "
            f"or place it at {DEFAULT_PATH}"
        )
    return _load(path)
