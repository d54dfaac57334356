"""One scenario per API area, run live against the sandbox and from cassettes.

A scenario finds every id it needs through the API itself, so that it runs
the same against the sandbox and against a recorded cassette.
"""

from __future__ import annotations

import uuid
import warnings
from datetime import timedelta
from decimal import Decimal

import pytest

from backmarket_sdk import BackMarketClient, errors
from backmarket_sdk._operation_limits import OperationLimitError
from backmarket_sdk.models import (
    Attachment,
    BuybackOrderStatus,
    CareFolderState,
    ProblemType,
)
from tests.sdk_extra.harness import FakeTime

JPEG = b"\xff\xd8\xff\xe0sandbox-photo"
PDF = b"%PDF-1.4 sandbox proof"


def backship(client: BackMarketClient, fake: FakeTime) -> None:
    deliveries = list(client.backship.list_deliveries())
    assert len(deliveries) >= 2
    first = deliveries[0]
    fetched = client.backship.get_delivery(first.shipment_id)
    assert fetched == first
    assert first.orderlines
    assert first.pickup_info is not None
    assert first.pickup_info.date_pickup_requested is not None
    label = client.backship.label_url(first)
    assert label.startswith(client.config.base_url + "/static/")
    assert label.endswith(".pdf")

    scanned = list(client.backship.list_deliveries(hub_scanned=True))
    assert scanned
    assert all(delivery.hub_scanned for delivery in scanned)
    unscanned = list(client.backship.list_deliveries(hub_scanned=False))
    assert len(scanned) + len(unscanned) == len(deliveries)

    by_order = list(client.backship.list_deliveries(order_id=first.order))
    assert [d.order for d in by_order] == [first.order] * len(by_order)
    assert first.date_creation is not None
    window = list(
        client.backship.list_deliveries(
            start_date=first.date_creation, end_date=first.date_creation
        )
    )
    assert first.shipment_id in {d.shipment_id for d in window}
    assert first.date_pickup is not None
    after_pickup = list(
        client.backship.list_deliveries(
            pickup_start_date=first.date_pickup + timedelta(seconds=1)
        )
    )
    assert first.shipment_id not in {d.shipment_id for d in after_pickup}
    shipped = list(client.backship.list_deliveries(order_state=9))
    assert {d.shipment_id for d in shipped} <= {d.shipment_id for d in deliveries}

    returns = list(client.backship.list_returns())
    assert returns
    back = client.backship.get_return(returns[0].shipment_id)
    assert back == returns[0]
    assert back.type == "RETURN"
    assert client.backship.label_url(back).endswith(".pdf")
    assert list(client.backship.list_returns(order_id=back.order_id))

    with pytest.raises(errors.NotFoundError):
        client.backship.get_delivery(999_999_999)


def care(client: BackMarketClient, fake: FakeTime) -> None:
    pages = list(client.care.list().pages())
    assert len(pages) == 2
    assert len(pages[0].items) == 10
    assert pages[0].next is not None
    folders = [folder for page in pages for folder in page.items]
    ids = [folder.id for folder in folders]
    assert ids == sorted(ids)

    newer = list(client.care.list(last_id=ids[4]))
    assert [folder.id for folder in newer] == ids[5:]
    open_ones = list(client.care.list(state=CareFolderState.OPEN))
    assert open_ones
    assert all(folder.state == CareFolderState.OPEN for folder in open_ones)
    latest = max(
        folder.date_modification for folder in folders if folder.date_modification
    )
    recent = list(client.care.list(last_modification_date=latest))
    assert recent
    assert all(
        f.date_modification and f.date_modification >= latest.replace(second=0)
        for f in recent
    )
    target = next(f for f in open_ones if f.id >= 100_000_000)
    assert target.orderline is not None
    assert [f.id for f in client.care.list(orderline_id=target.orderline)] == [
        target.id
    ]

    folder = client.care.get(target.id)
    assert folder.id == target.id
    assert folder.orderline is not None
    assert folder.orderline.snapshot is not None
    assert folder.orderline.snapshot.sku
    assert folder.messages
    assert folder.client is not None
    assert not folder.is_legacy

    client.care.declare_problem(
        target.id,
        ProblemType.DAMAGED_PACKAGE,
        message="The parcel arrived crushed.",
        attachments=[Attachment("parcel.jpg", JPEG)],
    )
    posted = client.care.post_message(
        target.id,
        "We will send a replacement tomorrow.",
        attachments=[Attachment("proof.pdf", PDF), Attachment("photo.jpg", JPEG)],
    )
    assert posted.group == target.id
    assert len(posted.attachments) == 2
    again = client.care.get(target.id)
    assert again.messages[-1].id == posted.id
    assert again.messages[-1].message == "We will send a replacement tomorrow."
    assert len(again.messages[-1].attachments) == 2

    legacy = next(f for f in folders if f.id < 100_000_000)
    client.care.transfer_item(
        legacy.id, shipper_name="DHL", tracking_number="JD 0146 0013", action="REPAIR"
    )
    with pytest.raises(errors.ValidationError) as duplicate:
        client.care.transfer_item(
            legacy.id, shipper_name="DHL", tracking_number="JD01460013"
        )
    assert duplicate.value.status == 400

    line = folder.orderline
    assert line.price is not None
    summary = client.care.refund(line.id, 6, amount=Decimal("10.00"))
    assert "refunded" in summary
    assert "10.00" in summary
    with pytest.raises(errors.NotFoundError):
        client.care.get(99_999_999)


def buyback_orders(client: BackMarketClient, fake: FakeTime) -> None:
    orders = list(client.buyback.list_orders())
    assert len(orders) == 24
    received = list(client.buyback.list_orders(status=BuybackOrderStatus.RECEIVED))
    assert len(received) >= 3
    assert all(order.status == BuybackOrderStatus.RECEIVED for order in received)
    by_product = list(client.buyback.list_orders(product_id=2311))
    assert by_product
    assert all(o.listing and o.listing.product_id == 2311 for o in by_product)
    since = list(client.buyback.list_orders(creation_date=orders[-1].creation_date))
    assert [o.order_id for o in since] == [orders[-1].order_id]

    pending = list(client.buyback.list_pending_reply())
    assert pending
    reasons = client.buyback.suspend_reasons()
    assert "broken_device" in {reason.identifier for reason in reasons}

    first, second, third = received[:3]
    order = client.buyback.get_order(first.order_id)
    assert order.order_id == first.order_id
    assert order.original_price is not None
    before = list(client.buyback.list_messages(first.order_id))
    sent = client.buyback.post_message(
        first.order_id, "Your phone arrived.", files=[Attachment("screen.jpg", JPEG)]
    )
    assert sent.body == "Your phone arrived."
    assert len(sent.attachments) == 1
    after = list(client.buyback.list_messages(first.order_id))
    assert len(after) == len(before) + 1

    suspended = client.buyback.suspend(first.order_id, ["broken_device"])
    assert suspended.status == BuybackOrderStatus.SUSPENDED
    assert [r.identifier for r in suspended.suspend_reasons] == ["broken_device"]
    validated = client.buyback.validate(second.order_id)
    assert validated.status == BuybackOrderStatus.VALIDATED

    categories = client.buyback.counter_offer_reasons(third.order_id)
    reason_ids = [reason.id for category in categories for reason in category.reasons]
    assert "scratched_screen" in reason_ids
    client.buyback.counter_offer(
        third.order_id,
        price=Decimal("25.50"),
        reasons=["scratched_screen"],
        files=[Attachment("scratch.jpg", JPEG)],
        comment="Deep scratches on the screen.",
    )
    countered = client.buyback.get_order(third.order_id)
    assert countered.status == BuybackOrderStatus.COUNTER_PROPOSAL
    assert countered.counter_offer_price is not None
    assert countered.counter_offer_price.value == Decimal("25.5")

    with pytest.raises(errors.ValidationError) as refused:
        client.buyback.validate(first.order_id)
    assert refused.value.status == 422
    assert refused.value.code == "invalid-status"
    with pytest.raises(errors.NotFoundError) as missing:
        client.buyback.get_order("FR-00000-NONE")
    assert missing.value.code == "not-found"
    assert missing.value.request_id


def buyback_listings(client: BackMarketClient, fake: FakeTime) -> None:
    pages = list(client.buyback.list_listings(page_size=5).pages())
    assert [len(page.items) for page in pages] == [5, 5, 4]
    listings = [listing for page in pages for listing in page.items]
    assert len({listing.id for listing in listings}) == 14
    chosen = listings[0]
    fetched = client.buyback.get_listing(chosen.id)
    assert fetched == chosen
    assert fetched.product_id is not None
    same_product = list(client.buyback.list_listings(product_id=fetched.product_id))
    assert chosen.id in {listing.id for listing in same_product}

    client.buyback.update_listing(chosen.id, {"FR": Decimal("41.90")})
    updated = client.buyback.get_listing(chosen.id)
    assert updated.prices["FR"].amount == Decimal("41.90")
    assert updated.prices["FR"].currency == "EUR"
    client.buyback.update_listing(chosen.id, {"FR": 0})
    assert "FR" not in client.buyback.get_listing(chosen.id).markets

    competition = client.buyback.competitors(chosen.id)
    assert competition
    assert {c.market for c in competition} == set(updated.markets) - {"FR"}
    with pytest.raises(errors.NotFoundError) as missing:
        client.buyback.get_listing(uuid.UUID(int=1))
    # Listings answer errors as RFC 7807 problems, whose type is the code.
    assert missing.value.code == "/errors/not-found"


def backbox(client: BackMarketClient, fake: FakeTime) -> None:
    listing = next(iter(client.listings.list()))
    before = fake.now
    for _ in range(3):
        competition = client.backbox.competitors(listing.id)
        assert competition
        assert {c.listing_id for c in competition} == {listing.id}
        assert all(c.price is not None for c in competition)
    # Two calls a second: the third waited for the first to leave the window.
    assert fake.now - before >= 1.0

    with pytest.warns(DeprecationWarning, match="competitors"):
        rows = list(client.backbox.listings_bi())
    assert rows
    assert all(row.sku for row in rows)
    assert {row.currency for row in rows} == {"EUR"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert len(list(client.backbox.listings_bi())) == len(rows)
        with pytest.raises(OperationLimitError) as spent:
            list(client.backbox.listings_bi())
    assert spent.value.retry_after > 3000


SCENARIOS = {
    "backship": backship,
    "care": care,
    "buyback_orders": buyback_orders,
    "buyback_listings": buyback_listings,
    "backbox": backbox,
}
"""Scenario per cassette name."""
