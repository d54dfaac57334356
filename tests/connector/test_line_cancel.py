"""Order lines that Back Market cancels or refunds before shipping."""

from __future__ import annotations

from decimal import Decimal

from backmarket_sdk import BackMarketClient
from backmarket_sdk import models as bm
from backmarket_sdk.sandbox import Sandbox
from commercium_connector.backmarket import plugin
from commercium_connector.backmarket.identifiers import ProductIdentifier, ProductIndex
from commercium_connector.backmarket.normalise import normalise_line
from commercium_connector.types import OrderStatus
from tests.connector.conftest import (
    LISTINGS,
    NEW_PRODUCTS,
    START,
    make_settings,
    product,
    sandbox_connection,
)

SELLER_AGENT = "BM-Seller-BackOffice;seller@acme.example"


# Refunded after shipping (6) is not cancelled: that unit left the warehouse.
CANCELLED_BY_STATE = {1: False, 2: False, 3: False, 4: True, 5: True, 6: False, 7: True}


def test_normalise_line_cancelled_states() -> None:
    index = ProductIndex.build(ProductIdentifier(kind="sku"), [product("SKU-1")])
    for state, cancelled in CANCELLED_BY_STATE.items():
        raw = bm.OrderLine(
            id=state,
            listing="SKU-1",
            state=bm.OrderLineState(state),
            quantity=1,
            price=Decimal("10.50"),
            currency="EUR",
        )
        line = normalise_line(raw, index, "EUR")
        assert line.cancelled is cancelled, f"line state {state}"
        assert line.state == str(state)
        assert line.product_key == "SKU-1"


def test_pull_one_line_cancelled() -> None:
    box = Sandbox(
        seed=7,
        orders=2,
        listings=LISTINGS,
        products=NEW_PRODUCTS,
        start=START,
        freeze_clock=True,
    )
    order_id = next(i for i in box.store.orders if len(box.order(i)["orderlines"]) == 2)
    first, second = (line["listing"] for line in box.order(order_id)["orderlines"])
    products = [product(first, quantity=10), product(second, quantity=10)]

    with box.serve(host="127.0.0.1", port=0) as server:
        with BackMarketClient(
            token=box.token, base_url=server.url, user_agent=SELLER_AGENT
        ) as seller:
            seller.orders.cancel_line(order_id, first)
        connection = sandbox_connection(box, make_settings(), base_url=server.url)
        batch = plugin.commercium_pull_orders(
            connection=connection, since=None, products=products, dry_run=False
        )

    assert batch is not None
    order = next(o for o in batch.orders if o.external_id == str(order_id))
    lines = {line.marketplace_sku: line for line in order.lines}
    assert lines[first].cancelled is True
    assert lines[second].cancelled is False
    assert order.status is OrderStatus.ACCEPTED
