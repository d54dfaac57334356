from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from backmarket_sdk.sandbox import Sandbox, SandboxServer
from tests.sdk_extra.harness import make_sandbox
from tests.sdk_extra.spec_validation import SpecValidator


@pytest.fixture(scope="session")
def spec_validator(openapi_spec: dict[str, Any]) -> SpecValidator:
    return SpecValidator(openapi_spec)


@pytest.fixture
def sandbox() -> Sandbox:
    return make_sandbox()


@pytest.fixture
def server(sandbox: Sandbox) -> Iterator[SandboxServer]:
    with sandbox.serve() as running:
        yield running
