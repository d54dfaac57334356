from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from backmarket_sdk.sandbox import Sandbox
from commercium_connector.host.demo import build_sandbox, write_demo_config
from commercium_connector.host.store import Store


@attrs.frozen
class ServedSandbox:
    sandbox: Sandbox
    url: str


@attrs.frozen
class DemoSetup:
    sandbox: Sandbox
    config: Path
    store_path: Path
    folder: Path


@pytest.fixture
def served_sandbox() -> Iterator[ServedSandbox]:
    """The sample shop's sandbox on loopback, served from the test process."""
    sandbox = build_sandbox(task_start_after=0.05, task_duration=0.1)
    with sandbox.serve(host="127.0.0.1", port=0) as server:
        yield ServedSandbox(sandbox, server.url)


@pytest.fixture
def demo_setup(tmp_path: Path, served_sandbox: ServedSandbox) -> DemoSetup:
    """A configuration of the sample shop against the served sandbox, with
    the sample products imported into a fresh store."""
    from commercium_connector.host.csv_import import import_products
    from commercium_connector.host.demo import sample_file

    token_file = tmp_path / "token"
    token_file.write_text(served_sandbox.sandbox.token, encoding="utf-8")
    store_path = tmp_path / "store" / "commercium.sqlite"
    config = tmp_path / "commercium.toml"
    write_demo_config(
        config,
        base_url=served_sandbox.url,
        store_path=store_path,
        token_file=token_file,
    )
    with Store.open(store_path) as store:
        import_products(store, sample_file("sample_products.csv"))
    return DemoSetup(served_sandbox.sandbox, config, store_path, tmp_path)
