"""Every SDK operation replayed from a recorded cassette.

The cassettes in ``cassettes/`` were recorded against the loopback server of
``tests/sdk/loopback.py``. Replays run with record mode ``none`` and a base
URL where nothing listens, so a request missing from a cassette fails. To
record them again::

    python -m pytest tests/sdk/test_cassettes.py --record-mode=rewrite
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from backmarket_sdk import BackMarketClient
from backmarket_sdk.models import OrderLineState, OrderState, TaskStatus
from tests.sdk.conftest import CASSETTE_DIR, FakeTime, make_client
from tests.sdk.fixtures import TOKEN
from tests.sdk.loopback import LoopbackServer

# Nothing listens on port 9 of loopback, so only the cassette can respond.
REPLAY_URL = "http://127.0.0.1:9"
SHIPPED_AT = datetime(2024, 3, 2, 10, 30, tzinfo=timezone.utc)


def check_orders_list(c: BackMarketClient) -> None:
    orders = list(c.orders.list(page_size=2, state=1))
    assert [o.order_id for o in orders] == [1, 2, 3]
    assert orders[0].price == Decimal("229.00")


def check_orders_get(c: BackMarketClient) -> None:
    assert c.orders.get(2).orderlines[0].listing == "SKU-2"


def check_orders_accept(c: BackMarketClient) -> None:
    order = c.orders.accept_line(1, "SKU-1")
    assert order.orderlines[0].state is OrderLineState.ACCEPTED


def check_orders_cancel(c: BackMarketClient) -> None:
    order = c.orders.cancel_line(2, "SKU-2")
    assert order.orderlines[0].state is OrderLineState.CANCELLED


def check_orders_ship(c: BackMarketClient) -> None:
    order = c.orders.ship(
        3, tracking_number="1Z 999", shipper="UPS", date_shipping=SHIPPED_AT
    )
    assert order.state is OrderState.SHIPPED
    assert order.tracking_number == "1Z999"


def check_orders_invoice(c: BackMarketClient) -> None:
    assert c.orders.upload_invoice(1, b"%PDF-1.7 invoice", "INV-1.pdf") is None


def check_orderlines_update(c: BackMarketClient) -> None:
    result = c.orderlines.update(11, imei="011415009346880")
    assert result.imei == "011415009346880"


def check_listings_list(c: BackMarketClient) -> None:
    assert [item.sku for item in c.listings.list(page_size=2)] == [
        "SKU-1",
        "SKU-2",
        "SKU-3",
    ]


def check_listings_get(c: BackMarketClient) -> None:
    listing = c.listings.get("7a97a1b6-547e-4718-bc72-000000004561")
    assert listing.listing_id == 4561
    assert c.listings.get(4562).sku == "SKU-2"


def check_listings_detail(c: BackMarketClient) -> None:
    assert c.listings.get_by_sku("sku-3").listing_id == 4563


def check_listings_update(c: BackMarketClient) -> None:
    listing = c.listings.update(4561, quantity=5, price=Decimal("149.90"))
    assert listing.quantity == 5
    assert listing.price == Decimal("149.90")


def check_listings_import(c: BackMarketClient) -> None:
    rows = [{"sku": "NEW-1", "ean": "0190199098466", "quantity": 2, "price": "99.00"}]
    assert c.listings.import_catalog(rows) == [1001]


def check_tasks(c: BackMarketClient) -> None:
    c.listings.import_catalog([{"sku": "NEW-2", "quantity": 1}])
    assert c.tasks.get(1001).status is TaskStatus.TODO
    assert c.tasks.wait(1001, poll_interval=1).status is TaskStatus.DONE


def check_categories(c: BackMarketClient) -> None:
    assert c.categories.tree()[0].children[0].category_id == 3
    assert c.categories.get(3).is_leaf is True


CHECKS: dict[str, Callable[[BackMarketClient], None]] = {
    "orders_list": check_orders_list,
    "orders_get": check_orders_get,
    "orders_accept_line": check_orders_accept,
    "orders_cancel_line": check_orders_cancel,
    "orders_ship": check_orders_ship,
    "orders_upload_invoice": check_orders_invoice,
    "orderlines_update": check_orderlines_update,
    "listings_list": check_listings_list,
    "listings_get": check_listings_get,
    "listings_get_by_sku": check_listings_detail,
    "listings_update": check_listings_update,
    "listings_import_catalog": check_listings_import,
    "tasks_get_and_wait": check_tasks,
    "categories_tree_and_branch": check_categories,
}


@pytest.fixture
def base_url(record_mode: str) -> Iterator[str]:
    if record_mode == "none":
        yield REPLAY_URL
        return
    with LoopbackServer() as server:
        yield server.url


@pytest.fixture
def default_cassette_name(request: pytest.FixtureRequest) -> str:
    return str(request.node.callspec.id)


@pytest.mark.vcr
@pytest.mark.parametrize("operation", list(CHECKS))
def test_replay(operation: str, base_url: str, fake_time: FakeTime) -> None:
    with make_client(base_url, fake_time, max_retries=0) as client:
        CHECKS[operation](client)


def test_one_cassette_per_check() -> None:
    names = {path.stem for path in CASSETTE_DIR.glob("*.yaml")}
    assert set(CHECKS) <= names


def cassette_texts() -> list[tuple[Path, str]]:
    return [(p, p.read_text("utf-8")) for p in sorted(CASSETTE_DIR.glob("*.yaml"))]


def test_cassettes_hold_no_token() -> None:
    texts = cassette_texts()
    assert texts
    for path, text in texts:
        assert TOKEN not in text, path.name
        assert "basic " not in text.lower(), path.name
        assert "authorization" not in text.lower(), path.name


def test_cassettes_keep_user_agent() -> None:
    # Headers other than Authorization stay, which shows the filter is narrow.
    for path, text in cassette_texts():
        assert "BM-Acme-Sync;ops@acme.example" in text, path.name


def count_requests(text: str) -> Any:
    return text.count("- request:")


def test_cassettes_not_empty() -> None:
    for path, text in cassette_texts():
        assert count_requests(text) >= 1, path.name
