from __future__ import annotations

from typing import Any

import pytest

from tests.spec import load_spec


@pytest.fixture(scope="session")
def openapi_spec() -> dict[str, Any]:
    """The parsed Back Market OpenAPI description; skips when it is absent."""
    return load_spec()
