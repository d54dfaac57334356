"""Deterministic seed data of the BackShip, Care, BuyBack and BackBox routes.

The data hangs off the store's seeded orders and listings. It is drawn from
its own generator, seeded from the store's first listing and order, so that
seeding it never shifts the ids and UUIDs the store draws afterwards.
"""

from __future__ import annotations

import random
import string
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from .aftersales import (
    AftersalesState,
    BuybackListingRecord,
    BuybackMessageRecord,
    BuybackOrderRecord,
    CareFolderRecord,
    CareMessageRecord,
    ClaimRecord,
    Shipment,
    register,
)
from .records import Order
from .store import Store

BACKSHIP_CARRIERS = ((11, "Chronopost"), (12, "Colissimo"), (14, "DHL Express"))
LEGACY_FOLDER_BASE = 4_200_000
CURRENT_FOLDER_BASE = 100_300_000
CUSTOMER_ISSUES = (
    ("BATTERY_NOT_CHARGING", "TECHNICAL"),
    ("SCREEN_FLICKERING", "TECHNICAL"),
    ("SCRATCHES_ON_SCREEN", "AESTHETIC"),
    ("MISSING_CHARGER", "ACCESSORIES"),
    ("PARCEL_NOT_RECEIVED", "DELIVERY"),
)
RESOLUTIONS = ("REPAIR", "REPLACE", "REFUND", "REMOTE_ASSISTANCE", "REPAIR_REPLACE")
WARRANTY_STATES = ("IN_WARRANTY", "IN_WARRANTY", "WATER_OR_DROPPED")
CUSTOMER_LINES = (
    "Hello, the battery drains within two hours.",
    "The screen flickers when the brightness is low.",
    "I did not receive the charger with the phone.",
    "Could you tell me when the replacement ships?",
)

BUYBACK_STATUSES = (
    "NEW",
    "PENDING",
    "TO_SEND",
    "SENT",
    "RECEIVED",
    "RECEIVED",
    "COUNTER_PROPOSAL",
    "VALIDATED",
    "PAID",
    "MONEY_TRANSFERED",
    "SUSPENDED",
    "RECEIVED",
)
BUYBACK_MARKETS = (("FR", "EUR"), ("DE", "EUR"), ("ES", "EUR"), ("GB", "GBP"))
BUYBACK_PRODUCTS = (
    (2311, "Apple iPhone XS 64 GB", "GOLD"),
    (2402, "Apple iPhone 12 128 GB", "PLATINUM"),
    (2518, "Samsung Galaxy S21 128 GB", "SILVER"),
    (2630, "Google Pixel 6 128 GB", "BRONZE"),
    (2745, "Apple iPad Air 4 64 GB", "DIAMOND"),
)
BUYBACK_GRADE_CODES = (
    "FUNCTIONAL_FLAWLESS",
    "FUNCTIONAL_GOOD",
    "FUNCTIONAL_USED",
    "FUNCTIONAL_CRACKED",
    "NOT_FUNCTIONAL_USED",
    "NOT_FUNCTIONAL_CRACKED",
)
SUSPEND_REASONS = (
    ("parcel_empty", "Empty parcel", "Transport issue"),
    ("parcel_damaged", "Damaged parcel", "Transport issue"),
    ("wrong_device", "The device is not the one sold", "Device issue"),
    ("broken_device", "The device is broken", "Device issue"),
    ("icloud_locked", "The device is locked to an account", "Device issue"),
    ("missing_documents", "Identity documents are missing", "Customer issue"),
)
COUNTER_OFFER_REASONS = (
    (
        "functional",
        "Functionality",
        (("broken_screen", "Broken screen"), ("battery_worn", "Worn battery")),
    ),
    (
        "esthetics",
        "Aesthetics",
        (("scratched_screen", "Scratched screen"), ("dented_case", "Dented case")),
    ),
    ("other", "Other", (("wrong_storage", "Storage differs from the offer"),)),
)
FIRST_NAMES = ("Jeanne", "Tobias", "Aitana", "Oliver", "Margaux", "Lukas")
LAST_NAMES = ("Morel", "Weber", "Castillo", "Hughes", "Lambert", "Schulz")


def _generator(store: Store) -> random.Random:
    first_listing = store.listings[0].id if store.listings else "none"
    first_order = min(store.orders) if store.orders else 0
    return random.Random(f"aftersales:{first_listing}:{first_order}")


def seed_aftersales(store: Store) -> AftersalesState:
    """Create, register and return the after-sales state of ``store``."""
    state = AftersalesState(rng=_generator(store))
    now = store.now()
    sync_deliveries(state, store)
    _seed_care_folders(state, store, now)
    _seed_buyback(state, now)
    register(store, state)
    return state


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _backship_shipment(
    state: AftersalesState, order: Order, kind: str, line_ids: list[int]
) -> Shipment:
    rng = state.rng
    carrier_id, carrier_name = rng.choice(BACKSHIP_CARRIERS)

    # The API sends whole seconds, so the records keep whole seconds too and
    # date filters compare what clients see.
    created = (order.date_payment or order.date_creation).replace(microsecond=0)
    shipment_id = state.take("next_shipment_id")
    tracking = "".join(
        rng.choice(string.ascii_uppercase + string.digits) for _ in range(10)
    )

    # Pickup and delivery are the planned dates until the carrier scans the
    # label, and the API sends both for every shipment.
    pickup = created + timedelta(days=1, hours=rng.randrange(8, 17))
    prefix = "eu" if order.currency != "USD" else "us"
    return Shipment(
        id=shipment_id,
        kind=kind,
        order_id=order.order_id,
        orderline_ids=line_ids,
        carrier_id=carrier_id,
        carrier_name=carrier_name,
        reference_number=f"{order.order_id}-{shipment_id}",
        tracking_number=tracking,
        invoiced_price=rng.choice((6, 8, 11)),
        currency=order.currency,
        date_creation=created,
        date_pickup=pickup,
        date_delivery=pickup + timedelta(days=2),
        label=f"/static/shipment_labels/{prefix}-{_uuid(rng)}-1.pdf",
        pickup_id=shipment_id + 9000,
        confirmation_number=f"PU{rng.randrange(10**5, 10**6)}",
    )


def sync_deliveries(state: AftersalesState, store: Store) -> None:
    """Create the delivery label of every BackShip order accepted or shipped.

    Back Market creates a label as soon as an orderline is accepted, so an
    order accepted through the API gets its delivery on the next read.
    """
    known = {shipment.order_id for shipment in state.deliveries.values()}
    for order in sorted(store.orders.values(), key=lambda o: o.order_id):
        if not order.is_backship or order.order_id in known:
            continue
        lines = [line.id for line in order.lines if line.state in (2, 3, 5, 6)]
        if order.state not in (3, 9) or not lines:
            continue
        shipment = _backship_shipment(state, order, "DELIVERY", lines)
        shipment.hub_scanned = order.state == 9
        state.deliveries[shipment.id] = shipment


def _seed_care_folders(state: AftersalesState, store: Store, now: datetime) -> None:
    rng = state.rng
    shipped = [
        (order, line)
        for order in sorted(store.orders.values(), key=lambda o: o.order_id)
        for line in order.lines
        if line.state in (3, 6)
    ]
    for index, (order, line) in enumerate(shipped[:24]):
        legacy = index % 4 == 3
        base = LEGACY_FOLDER_BASE if legacy else CURRENT_FOLDER_BASE
        folder_id = base + 1000 * index + rng.randrange(1000)
        created = max(order.date_creation, now - timedelta(days=20)) + timedelta(
            hours=rng.randrange(1, 72)
        )
        created = min(created, now - timedelta(minutes=30)).replace(microsecond=0)
        issue = rng.choice(CUSTOMER_ISSUES)
        claim = ClaimRecord(
            id=folder_id * 10 + 1,
            state=0,
            issues=[issue],
            resolution_choice=rng.choice(RESOLUTIONS),
            declared_warranty_state=rng.choice(WARRANTY_STATES),
        )
        messages = [
            CareMessageRecord(
                id=state.take("next_message_id"),
                message=rng.choice(CUSTOMER_LINES),
                date_creation=created,
                initiator="Client",
                kind="CLIENT_TO_MERCHANT",
                sender=900 + index,
            )
        ]
        closed = index % 3 == 2
        folder = CareFolderRecord(
            id=folder_id,
            order_id=order.order_id,
            orderline_id=line.id,
            client_id=order.billing_address.id,
            state=9 if closed else 0,
            claims=[claim],
            messages=messages,
            date_creation=created,
            date_modification=created,
            date_last_message=created,
            date_closed=created + timedelta(hours=5) if closed else None,
            backcare=line.backcare,
        )
        if closed:
            claim.state = 9
            folder.date_modification = created + timedelta(hours=5)
        if claim.resolution_choice in ("REPAIR", "REPLACE", "REPAIR_REPLACE"):
            _add_return(state, order, line.id, claim, created)
        state.folders[folder_id] = folder


def _add_return(
    state: AftersalesState,
    order: Order,
    line_id: int,
    claim: ClaimRecord,
    created: datetime,
) -> None:
    shipment = _backship_shipment(state, order, "RETURN", [line_id])
    shipment.date_creation = created + timedelta(hours=2)
    shipment.date_pickup = created + timedelta(days=1)
    shipment.date_delivery = created + timedelta(days=3)
    shipment.hub_scanned = state.rng.random() < 0.5
    state.returns[shipment.id] = shipment
    claim.return_labels.append(
        {
            "date_creation": shipment.date_creation,
            "state": "USED" if shipment.hub_scanned else "ALIVE",
            "label": shipment.label,
            "initiator": "BackMarket",
            "kind": "CUSTOMER_TO_MERCHANT",
        }
    )


def _birth_date(rng: random.Random) -> str:
    year = rng.randrange(1960, 2000)
    return f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"


def _seed_buyback(state: AftersalesState, now: datetime) -> None:
    rng = state.rng
    for index in range(24):
        status = BUYBACK_STATUSES[index % len(BUYBACK_STATUSES)]
        market, currency = BUYBACK_MARKETS[index % len(BUYBACK_MARKETS)]
        product_id, title, grade = BUYBACK_PRODUCTS[index % len(BUYBACK_PRODUCTS)]
        letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(5))
        public_id = f"{market}-{24000 + index * 37}-{letters}"
        created = now - timedelta(days=30 - index, hours=rng.randrange(24))
        created = created.replace(microsecond=0)
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        order = BuybackOrderRecord(
            public_id=public_id,
            status=status,
            market=market,
            currency=currency,
            product_id=product_id,
            title=title,
            grade=grade,
            sku=f"BB-{product_id}-{grade[:3]}",
            customer={
                "firstName": first,
                "lastName": last,
                "phone": f"+3361{rng.randrange(10**7, 10**8)}",
                "dateOfBirth": _birth_date(rng),
                "documents": [
                    {
                        "type": "ID_CARD_FRONT",
                        "url": f"https://documents.sandbox.invalid/{public_id}/id-front.jpg",
                    }
                ],
            },
            return_address={
                "address1": f"{rng.randrange(1, 90)} rue des Peupliers",
                "city": "Nantes" if market == "FR" else "Berlin",
                "zipcode": "44000" if market == "FR" else "10115",
                "country": "France" if market == "FR" else "Germany",
            },
            original_price=Decimal(rng.randrange(60, 420)) + Decimal("0.00"),
            creation_date=created,
            modification_date=created + timedelta(hours=3),
        )
        if status not in ("NEW", "PENDING", "TO_SEND"):
            order.shipping_date = created + timedelta(days=2)
            order.tracking_number = f"8R{rng.randrange(10**10, 10**11)}"
            order.shipper = "DHL"
        if status in (
            "RECEIVED",
            "COUNTER_PROPOSAL",
            "VALIDATED",
            "PAID",
            "MONEY_TRANSFERED",
            "SUSPENDED",
        ):
            order.receival_date = created + timedelta(days=4)
            order.modification_date = order.receival_date
        if status == "SUSPENDED":
            order.suspension_date = created + timedelta(days=5)
            order.suspend_reasons = ["broken_device"]
        if status == "COUNTER_PROPOSAL":
            order.counter_proposal_date = created + timedelta(days=5)
            order.counter_offer_price = (
                order.original_price * Decimal("0.8")
            ).quantize(Decimal("0.01"))
            order.counter_offer_reasons = ["scratched_screen"]
        if status in ("PAID", "MONEY_TRANSFERED"):
            order.payment_date = created + timedelta(days=6)
        if index % 3 == 0:
            order.messages.append(
                BuybackMessageRecord(
                    body="Hello, did you receive my phone?",
                    date=created + timedelta(days=3),
                    author="Client",
                )
            )
        if index % 6 == 0:
            order.messages.insert(
                0,
                BuybackMessageRecord(
                    body="Thank you for your trade-in.",
                    date=created + timedelta(hours=1),
                    author="Merchant",
                ),
            )
        state.buyback_orders[public_id] = order
    for index in range(14):
        product_id, _, _ = BUYBACK_PRODUCTS[index % len(BUYBACK_PRODUCTS)]
        base = Decimal(rng.randrange(40, 380))
        prices: dict[str, tuple[Decimal, str]] = {}
        for market, currency in BUYBACK_MARKETS[: 1 + index % len(BUYBACK_MARKETS)]:
            factor = Decimal("0.86") if currency == "GBP" else Decimal("1")
            prices[market] = ((base * factor).quantize(Decimal("0.01")), currency)
        listing = BuybackListingRecord(
            id=_uuid(rng),
            product_id=str(uuid.UUID(int=product_id, version=4)),
            grade_code=BUYBACK_GRADE_CODES[index % len(BUYBACK_GRADE_CODES)],
            sku=None if index % 5 == 4 else f"TRADE-{product_id}-{index:02d}",
            prices=prices,
        )
        state.buyback_listings[listing.id] = listing
