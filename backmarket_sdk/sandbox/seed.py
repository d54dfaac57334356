"""Deterministic seed data: products, listings and orders of invented people.

Everything is drawn from one ``random.Random(seed)``, so the same seed, counts
and start time give the same ids, SKUs, people, dates and states on every run.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from .markets import convert, market, quantize
from .records import (
    GRADES,
    Address,
    Listing,
    ListingSeed,
    Offer,
    Order,
    OrderLine,
    Product,
    ProductSeed,
)
from .store import LINE_STATE_FOR_ORDER_STATE, Store

# (brand, model, SKU code, base price in EUR, storages, colours)
_MODELS: tuple[tuple[str, str, str, int, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Apple", "iPhone 12", "IP12", 310, ("64GB", "128GB"), ("Black", "Blue", "White")),
    ("Apple", "iPhone 13", "IP13", 420, ("128GB", "256GB"), ("Midnight", "Pink")),
    ("Apple", "iPhone 14 Pro", "IP14P", 690, ("128GB", "256GB"), ("Purple", "Gold")),
    ("Samsung", "Galaxy S22", "GS22", 330, ("128GB", "256GB"), ("Phantom Black",)),
    ("Samsung", "Galaxy A54", "GA54", 210, ("128GB",), ("Awesome Lime", "Graphite")),
    ("Google", "Pixel 7", "PX7", 290, ("128GB",), ("Obsidian", "Snow")),
    ("Apple", "iPad Air 5", "IPAD5", 480, ("64GB", "256GB"), ("Space Grey",)),
    ("Apple", "MacBook Air M1", "MBAM1", 640, ("256GB", "512GB"), ("Silver",)),
    ("Lenovo", "ThinkPad T14", "TPT14", 520, ("512GB",), ("Black",)),
    ("Sony", "PlayStation 5", "PS5", 380, ("825GB",), ("White",)),
    ("Nintendo", "Switch OLED", "NSWO", 260, ("64GB",), ("White", "Neon")),
    ("Apple", "AirPods Pro 2", "APP2", 170, ("",), ("White",)),
)

# Phones carry "Unlocked" in their title, as phone listings do.
_PHONE_CODES = frozenset({"IP12", "IP13", "IP14P", "GS22", "GA54", "PX7"})

_GRADE_FACTORS: dict[str, Decimal] = {
    "PREMIUM": Decimal("1.15"),
    "EXCELLENT": Decimal("1.00"),
    "VERY_GOOD": Decimal("0.93"),
    "GOOD": Decimal("0.86"),
    "FAIR": Decimal("0.78"),
    "STALLONE": Decimal("0.70"),
}

# Invented people and places, per country, made up for the sandbox.
_PEOPLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "FR": (("Camille", "Louis", "Inès", "Hugo", "Manon"), ("Perrin", "Garnier")),
    "BE": (("Lotte", "Arthur", "Elise"), ("Peeters", "Dubois", "Maes")),
    "DE": (("Lena", "Jonas", "Mia", "Felix"), ("Hartmann", "Krüger", "Vogel")),
    "ES": (("Lucía", "Mateo", "Carmen"), ("Navarro", "Ortega", "Serrano")),
    "IT": (("Giulia", "Marco", "Chiara"), ("Bianchi", "Esposito", "Greco")),
    "GB": (("Olivia", "Harry", "Amelia"), ("Whitmore", "Ashdown", "Pryce")),
    "SE": (("Astrid", "Elias", "Saga"), ("Lindqvist", "Berglund", "Nyström")),
    "NL": (("Sanne", "Daan", "Fleur"), ("de Vries", "Bakker", "Visser")),
}
_PLACES: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    # (street pattern, postal code, city, phone pattern with # for a digit)
    "FR": (
        ("{n} rue des Tilleuls", "69003", "Lyon", "+336########"),
        ("{n} avenue du Lac", "33000", "Bordeaux", "+337########"),
    ),
    "BE": (("Kerkstraat {n}", "9000", "Gent", "+3247#######"),),
    "DE": (
        ("Lindenweg {n}", "50667", "Köln", "+49151########"),
        ("Bergstraße {n}", "80331", "München", "+49160#######"),
    ),
    "ES": (("Calle del Olmo {n}", "46001", "Valencia", "+346########"),),
    "IT": (("Via dei Mille {n}", "40121", "Bologna", "+393#########"),),
    "GB": (("{n} Orchard Lane", "BS1 4DJ", "Bristol", "+447#########"),),
    "SE": (("Björkvägen {n}", "411 04", "Göteborg", "+4670#######"),),
    "NL": (("Molenstraat {n}", "3511 AB", "Utrecht", "+316########"),),
}

_SHIPPERS = ("Colissimo", "DHL Express", "UPS", "Chronopost", "DPD FR", "Other")

# Order templates that together cover every order and orderline state. The
# first seeded orders use them in turn, so a sandbox with at least this many
# orders contains each order state, and each orderline state once one market
# offers three listings. Later orders draw from the random templates.
_TEMPLATES: tuple[tuple[int, tuple[int, ...]], ...] = (
    (1, (1,)),
    (1, (1, 1)),
    (3, (2,)),
    (9, (3,)),
    (0, (0,)),
    (10, (8,)),
    (8, (7,)),
    (1, (9,)),
    (3, (2, 4)),
    (9, (3, 6)),
    (3, (2, 5)),
    (9, (3, 3, 4)),
)
_RANDOM_TEMPLATES = ((9, (3,)), (9, (3,)), (9, (3,)), (1, (1,)), (3, (2,)), (1, (1, 1)))

_EXTRA_MARKETS = ("de-de", "es-es", "it-it", "en-gb", "fr-be", "nl-nl", "sv-se")


def ean13(rng: random.Random) -> str:
    """Return a random EAN-13 with a valid check digit."""
    digits = [rng.randrange(10) for _ in range(12)]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def luhn_imei(rng: random.Random) -> str:
    """Return a random 15-digit IMEI with a valid Luhn check digit."""
    digits = [rng.randrange(10) for _ in range(14)]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        value = digit * 2 if index % 2 == 0 else digit
        total += value - 9 if value > 9 else value
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def generate_products(store: Store) -> list[tuple[Product, str, Decimal]]:
    """Add the generated catalogue; return (product, SKU stem, base price)."""
    rng = store.rng
    catalogue: list[tuple[Product, str, Decimal]] = []
    for brand, model, code, base, storages, colours in _MODELS:
        for step, storage in enumerate(storages):
            for colour in colours:
                parts = [model, storage, colour]
                if code in _PHONE_CODES:
                    parts.append("Unlocked")
                title = " - ".join(part for part in parts if part)
                product = Product(
                    product_id=store.new_uuid(),
                    backmarket_id=store.take_id("next_product_id"),
                    ean=ean13(rng),
                    title=title,
                    brand=brand,
                )
                store.add_product(product)
                stem = "-".join(
                    part for part in (code, storage, colour[:3].upper()) if part
                )
                catalogue.append((product, stem, Decimal(base + 60 * step)))
    return catalogue


def add_seed_products(store: Store, seeds: Sequence[ProductSeed]) -> None:
    """Add caller-given catalogue products."""
    for seed in seeds:
        if store.find_product(seed.product_id, None) is not None:
            continue
        store.add_product(
            Product(
                product_id=seed.product_id.strip().lower(),
                backmarket_id=store.take_id("next_product_id"),
                ean=seed.ean,
                title=seed.title,
                brand=seed.title.split(" ", 1)[0],
            )
        )


def _offers(
    rng: random.Random,
    price: Decimal,
    currency: str,
    markets: Sequence[str],
    max_price: Decimal | None,
) -> dict[str, Offer]:
    offers: dict[str, Offer] = {}
    for code in markets:
        target = market(code).currency
        local = convert(price, currency, target)
        cap = convert(max_price, currency, target) if max_price else local * 2
        offers[market(code).code] = Offer(
            price=local,
            currency=target,
            max_price=quantize(cap, target),
            comment=None,
            warranty_delay=rng.choice((12, 12, 24)),
        )
    return offers


def add_seed_listings(store: Store, seeds: Sequence[ListingSeed]) -> None:
    """Add caller-given listings, and their products to the catalogue."""
    for seed in seeds:
        if seed.grade.upper() not in GRADES:
            raise ValueError(
                f"ListingSeed {seed.sku!r}: grade {seed.grade!r} is not one of "
                f"{', '.join(GRADES)}"
            )
        if not seed.markets:
            raise ValueError(f"ListingSeed {seed.sku!r}: markets is empty")
        product = store.find_product(seed.product_id, None)
        if product is None:
            product = Product(
                product_id=seed.product_id.strip().lower(),
                backmarket_id=store.take_id("next_product_id"),
                ean=seed.ean,
                title=seed.title,
                brand=seed.title.split(" ", 1)[0],
            )
            store.add_product(product)
        listing = Listing(
            id=store.new_uuid(),
            listing_id=store.take_id("next_listing_id"),
            sku=seed.sku,
            product=product,
            grade=seed.grade.upper(),
            quantity=seed.quantity,
            offers=_offers(
                store.rng, seed.price, seed.currency, seed.markets, seed.max_price
            ),
            date_modification=store.now(),
        )
        store.add_listing(listing)


def generate_listings(
    store: Store, catalogue: list[tuple[Product, str, Decimal]], count: int
) -> None:
    """Add ``count`` listings on the generated catalogue."""
    rng = store.rng
    for index in range(count):
        product, stem, base = catalogue[index % len(catalogue)]
        grade = GRADES[(index // len(catalogue) + 1) % len(GRADES)]
        sku = f"{stem}-{grade[:2]}"
        if index >= len(catalogue) * len(GRADES):
            sku = f"{sku}-{index // (len(catalogue) * len(GRADES)) + 1}"
        price = (base * _GRADE_FACTORS[grade]).quantize(Decimal(1)) - Decimal("0.01")
        markets = ["fr-fr", *rng.sample(_EXTRA_MARKETS, rng.randrange(0, 4))]
        quantity = rng.choice((0, 1, 2, 3, 5, 8, 12, 20))
        listing = Listing(
            id=store.new_uuid(),
            listing_id=store.take_id("next_listing_id"),
            sku=sku,
            product=product,
            grade=grade,
            quantity=quantity,
            offers=_offers(rng, price, "EUR", markets, None),
            date_modification=store.now() - timedelta(days=rng.randrange(1, 60)),
        )
        if rng.random() < 0.05:
            listing.deactivated = True
        store.add_listing(listing)


def make_address(store: Store, country: str) -> Address:
    """Return an address of an invented person in ``country``."""
    rng = store.rng
    firsts, lasts = _PEOPLE.get(country, _PEOPLE["FR"])
    street, postal, city, phone = rng.choice(_PLACES.get(country, _PLACES["FR"]))
    first = rng.choice(firsts)
    last = rng.choice(lasts)
    local = f"{first}.{last}".lower().replace(" ", "")
    return Address(
        id=store.take_id("next_address_id"),
        first_name=first,
        last_name=last,
        street=street.format(n=rng.randrange(1, 180)),
        street2=rng.choice(("", "", "Apt 4", "2nd floor", "Building B")),
        postal_code=postal,
        city=city,
        country=country,
        phone="".join(
            str(rng.randrange(10)) if char == "#" else char for char in phone
        ),
        email=f"{local}{rng.randrange(10, 99)}@example.com",
        company=rng.choice(("", "", "", "Atelier Nord")),
    )


def generate_orders(store: Store, count: int) -> None:
    """Add ``count`` orders on the stored listings, covering every state."""
    rng = store.rng
    listings = [listing for listing in store.listings if listing.offers]
    if not listings or count <= 0:
        return
    by_market: dict[str, list[Listing]] = {}
    for listing in listings:
        for code in listing.offers:
            by_market.setdefault(code, []).append(listing)
    now = store.now()
    ages = sorted((rng.uniform(1, 30 * 24) for _ in range(count)), reverse=True)
    for index, age_hours in enumerate(ages):
        template = (
            _TEMPLATES[index]
            if index < len(_TEMPLATES)
            else rng.choice(_RANDOM_TEMPLATES)
        )
        created = now - timedelta(hours=age_hours)
        store.add_order(_make_order(store, template, created, by_market))


def _make_lines(
    store: Store,
    offered: list[Listing],
    code: str,
    line_states: tuple[int, ...],
    created: datetime,
) -> list[OrderLine]:
    rng = store.rng
    chosen = rng.sample(offered, min(len(line_states), len(offered)))
    lines: list[OrderLine] = []
    for listing, line_state in zip(chosen, line_states, strict=False):
        offer = listing.offers[code]
        quantity = 1 if len(line_states) == 1 or rng.random() < 0.7 else 2
        line = OrderLine(
            id=store.take_id("next_line_id"),
            listing=listing,
            quantity=quantity,
            price=offer.price,
            shipping_price=rng.choice((Decimal("0.00"), Decimal("4.99"))),
            currency=offer.currency,
            state=line_state,
            date_creation=created,
            backcare=rng.random() < 0.2,
        )
        if line_state in (3, 6) and quantity == 1 and rng.random() < 0.5:
            line.imei = luhn_imei(rng)
        if line_state in (4, 5):
            line.return_reason = 0
            line.return_message = "Sorry, this item is no longer in stock."
        lines.append(line)
    return lines


def _make_order(
    store: Store,
    template: tuple[int, tuple[int, ...]],
    created: datetime,
    by_market: dict[str, list[Listing]],
) -> Order:
    rng = store.rng
    order_state, line_states = template
    # Multi-line templates need a market that offers enough distinct listings.
    roomy = [
        code for code in sorted(by_market) if len(by_market[code]) >= len(line_states)
    ]
    code = rng.choice(roomy or sorted(by_market))
    lines = _make_lines(store, by_market[code], code, line_states, created)

    country = market(code).country
    shipping = make_address(store, country)
    billing = shipping if rng.random() < 0.8 else make_address(store, country)
    paid = LINE_STATE_FOR_ORDER_STATE[order_state] in (1, 2, 3)
    modified = created + timedelta(minutes=rng.randrange(5, 600))
    order = Order(
        order_id=store.take_id("next_order_id"),
        market=code,
        currency=lines[0].currency,
        state=order_state,
        shipping_address=shipping,
        billing_address=billing,
        lines=lines,
        date_creation=created,
        date_modification=min(modified, store.now()),
        date_payment=created + timedelta(minutes=2) if paid else None,
        is_backship=rng.random() < 0.3,
        payment_method=rng.choice(("CARD", "CARD", "PAYPAL", "KLARNA")),
        expected_dispatch_date=created + timedelta(days=2),
    )

    if order_state == 9:
        order.shipper = rng.choice(_SHIPPERS)
        order.tracking_number = f"SB{rng.randrange(10**9, 10**10)}FR"
        order.tracking_url = f"https://tracking.sandbox.invalid/{order.tracking_number}"
        order.date_shipping = order.date_modification
    return order
