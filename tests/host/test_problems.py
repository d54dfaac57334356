"""Open problems in `status`: they close once the item goes through."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from backmarket_sdk.sandbox import ListingSeed, Sandbox
from commercium_connector.host.cli import main
from commercium_connector.host.store import Store, schema

PRICE = Decimal("99.00")


@pytest.fixture
def small_shop(tmp_path: Path) -> Iterator[tuple[Sandbox, Path]]:
    """A sandbox with two listings, and a configuration that points at it."""
    sandbox = Sandbox(
        seed=9,
        orders=0,
        listings=[
            ListingSeed("KNOWN-1", "Known", product_id="p-1", quantity=5, price=PRICE),
            ListingSeed(
                "LATE-1", "Added late", product_id="p-2", quantity=5, price=PRICE
            ),
        ],
    )
    with sandbox.serve(host="127.0.0.1", port=0) as server:
        token = tmp_path / "token"
        token.write_text(sandbox.token, encoding="utf-8")
        config = tmp_path / "c.toml"
        config.write_text(
            f"""[store]
path = "s.sqlite"
[[connections]]
id = "bm"
channel = "backmarket"
token_file = "token"
[connections.settings]
market = "fr-fr"
user_agent = "BM-Test-Sync;qa@shop.example"
[connections.options]
base_url = "{server.url}"
""",
            encoding="utf-8",
        )
        yield sandbox, config


def _run(config: Path, *args: str) -> int:
    return main(["-q", *args, "--config", str(config)])


def _open_problems(store_path: Path) -> list[str]:
    table = schema.notifications
    with Store.open(store_path, exclusive=False) as store, store.read() as conn:
        query = sa.select(table.c.key).where(table.c.resolved_at.is_(None))
        return sorted(conn.execute(query).scalars())


def test_unlinked_line_resolved(
    small_shop: tuple[Sandbox, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox, config = small_shop
    first = config.parent / "p1.csv"
    first.write_text("sku,quantity\nKNOWN-1,5\n", encoding="utf-8")
    assert _run(config, "import", "products", str(first)) == 0
    order_id = sandbox.place_order("LATE-1", quantity=1)
    assert _run(config, "sync", "--only", "orders") == 0
    assert _open_problems(config.parent / "s.sqlite") != []

    second = config.parent / "p2.csv"
    second.write_text("sku,quantity\nLATE-1,3\n", encoding="utf-8")
    assert _run(config, "import", "products", str(second)) == 0
    sandbox.advance(3600)
    assert _run(config, "sync", "--only", "orders") == 0

    assert sandbox.order(order_id)["orderlines"][0]["state"] == 2
    assert _open_problems(config.parent / "s.sqlite") == []
    capsys.readouterr()
    assert _run(config, "status") == 0
    out = capsys.readouterr().out
    assert "with unlinked lines" not in out
    assert "unlinked line(s)" not in out
