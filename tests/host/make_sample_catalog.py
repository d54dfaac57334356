"""Write the host's bundled sample catalog (run once; the output is committed).

    python tests/host/make_sample_catalog.py

The devices are invented stock of real-world model families. EANs use the
200-299 prefix range, which GS1 reserves for internal numbering, so none of
them belongs to a real product. The random generator is seeded, so running
the script again writes the same files.
"""

from __future__ import annotations

import csv
import random
import uuid
from decimal import Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "commercium_connector" / "host" / "data"
SEED = 20260105
GRADES = (
    ("EXCELLENT", "A", Decimal("1.00")),
    ("VERY_GOOD", "B", Decimal("0.92")),
    ("GOOD", "C", Decimal("0.85")),
    ("FAIR", "D", Decimal("0.76")),
)

# (category, brand, model, code, base price in EUR, storage options, colours)
MODELS = (
    (
        "phone",
        "Apple",
        "iPhone 12",
        "IP12",
        329,
        ("64GB", "128GB"),
        ("Black", "Blue", "White"),
    ),
    (
        "phone",
        "Apple",
        "iPhone 13",
        "IP13",
        419,
        ("128GB", "256GB"),
        ("Midnight", "Pink", "Blue"),
    ),
    (
        "phone",
        "Apple",
        "iPhone 14",
        "IP14",
        529,
        ("128GB", "256GB"),
        ("Midnight", "Purple"),
    ),
    (
        "phone",
        "Apple",
        "iPhone 15 Pro",
        "IP15P",
        849,
        ("128GB", "256GB"),
        ("Natural Titanium", "Black Titanium"),
    ),
    (
        "phone",
        "Samsung",
        "Galaxy S22",
        "GS22",
        339,
        ("128GB", "256GB"),
        ("Phantom Black", "Green"),
    ),
    (
        "phone",
        "Samsung",
        "Galaxy S23",
        "GS23",
        469,
        ("128GB", "256GB"),
        ("Cream", "Lavender"),
    ),
    (
        "phone",
        "Samsung",
        "Galaxy A54",
        "GA54",
        219,
        ("128GB",),
        ("Awesome Graphite", "Awesome Lime"),
    ),
    ("phone", "Google", "Pixel 7", "PX7", 299, ("128GB",), ("Obsidian", "Snow")),
    (
        "phone",
        "Google",
        "Pixel 8",
        "PX8",
        449,
        ("128GB", "256GB"),
        ("Hazel", "Obsidian"),
    ),
    (
        "laptop",
        "Apple",
        "MacBook Air 13 M1",
        "MBA-M1",
        649,
        ("256GB", "512GB"),
        ("Space Grey", "Silver"),
    ),
    (
        "laptop",
        "Apple",
        "MacBook Air 13 M2",
        "MBA-M2",
        879,
        ("256GB", "512GB"),
        ("Midnight", "Starlight"),
    ),
    (
        "laptop",
        "Apple",
        "MacBook Pro 14 M1 Pro",
        "MBP14",
        1299,
        ("512GB", "1TB"),
        ("Space Grey",),
    ),
    (
        "laptop",
        "Lenovo",
        "ThinkPad T14 Gen 2",
        "T14G2",
        489,
        ("256GB", "512GB"),
        ("Black",),
    ),
    ("laptop", "Dell", "XPS 13 9310", "XPS13", 599, ("512GB",), ("Platinum Silver",)),
    (
        "tablet",
        "Apple",
        "iPad 9th gen",
        "IPAD9",
        249,
        ("64GB", "256GB"),
        ("Space Grey", "Silver"),
    ),
    (
        "tablet",
        "Apple",
        "iPad Air 5th gen",
        "IPADA5",
        479,
        ("64GB", "256GB"),
        ("Blue", "Purple"),
    ),
    ("tablet", "Samsung", "Galaxy Tab S8", "GTS8", 429, ("128GB",), ("Graphite",)),
    (
        "phone",
        "Apple",
        "iPhone 13 mini",
        "IP13M",
        379,
        ("128GB",),
        ("Midnight", "Starlight"),
    ),
    (
        "phone",
        "Samsung",
        "Galaxy Z Flip4",
        "GZF4",
        399,
        ("128GB", "256GB"),
        ("Graphite", "Bora Purple"),
    ),
    (
        "laptop",
        "Microsoft",
        "Surface Laptop 4",
        "SL4",
        549,
        ("256GB",),
        ("Platinum", "Matte Black"),
    ),
    ("laptop", "HP", "EliteBook 840 G8", "EB840", 529, ("256GB", "512GB"), ("Silver",)),
    (
        "tablet",
        "Apple",
        "iPad Pro 11 3rd gen",
        "IPADP11",
        629,
        ("128GB", "256GB"),
        ("Space Grey", "Silver"),
    ),
    ("console", "Valve", "Steam Deck", "SDECK", 339, ("256GB", "512GB"), ("Black",)),
    ("console", "Sony", "PlayStation 5", "PS5", 389, ("825GB",), ("White",)),
    ("console", "Nintendo", "Switch OLED", "NSWO", 259, ("64GB",), ("White", "Neon")),
    ("console", "Microsoft", "Xbox Series S", "XBSS", 199, ("512GB",), ("White",)),
)
STORAGE_STEP = Decimal("0.12")


def ean13(rng: random.Random) -> str:
    """Return a valid EAN-13 in the internal-use 200-299 prefix range."""
    digits = [2, rng.randint(0, 9), rng.randint(0, 9)] + [
        rng.randint(0, 9) for _ in range(9)
    ]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def colour_code(colour: str) -> str:
    return "".join(word[0] for word in colour.split()).upper() + colour[-1].upper()


def main() -> None:
    rng = random.Random(SEED)
    products: list[dict[str, str]] = []
    listings: list[dict[str, str]] = []
    catalogue: list[dict[str, str]] = []
    for category, brand, model, code, base, storages, colours in MODELS:
        for s_index, storage in enumerate(storages):
            for colour in colours:
                for grade, letter, factor in GRADES:
                    if rng.random() < 0.12:
                        continue
                    size = storage.replace("GB", "G").replace("TB", "T")
                    sku = f"{code}-{size}-{colour_code(colour)}-{letter}"
                    title = f"{brand} {model} {storage} {colour}"
                    ean = ean13(rng)
                    product_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                    price = (
                        Decimal(base) * (1 + STORAGE_STEP * s_index) * factor
                    ).quantize(Decimal("1")) - Decimal("0.10")
                    tracked = rng.random() > 0.08
                    quantity = (
                        rng.choice((0, 1, 1, 2, 3, 4, 5, 6, 8, 12)) if tracked else None
                    )
                    catalogue.append(
                        {"product_id": product_id, "ean": ean, "title": title}
                    )
                    products.append(
                        {
                            "sku": sku,
                            "title": f"{title} - {grade.replace('_', ' ').title()}",
                            "barcode": ean,
                            "grade": grade,
                            "quantity": "" if quantity is None else str(quantity),
                            "price": str(price),
                            "currency": "EUR",
                            "marketplace_product_id": product_id,
                            "brand": brand,
                            "category": category,
                            "model": model,
                            "storage": storage,
                            "colour": colour,
                        }
                    )
                    if rng.random() < 0.12:
                        continue  # sold in the shop only: not on the marketplace yet
                    listed_quantity = quantity if quantity is not None else 3
                    if rng.random() < 0.3:
                        listed_quantity = max(
                            0, listed_quantity + rng.choice((-2, -1, 1, 3))
                        )
                    listed_price = price
                    if rng.random() < 0.2:
                        listed_price = price + rng.choice(
                            (Decimal(-20), Decimal(-5), Decimal(10), Decimal(25))
                        )
                    max_price = (price * Decimal("1.25")).quantize(Decimal("1"))
                    if rng.random() < 0.03:
                        max_price = (price * Decimal("0.95")).quantize(Decimal("1"))
                    listings.append(
                        {
                            "sku": sku.lower() if rng.random() < 0.05 else sku,
                            "title": title,
                            "product_id": product_id,
                            "quantity": str(listed_quantity),
                            "price": str(listed_price),
                            "currency": "EUR",
                            "grade": grade,
                            "ean": ean,
                            "max_price": str(max_price),
                        }
                    )
    # Listings the seller still has on the marketplace for devices the host no
    # longer carries: orders for them come in with unlinked lines.
    for code, title, base in (
        ("IP8-64G-SG", "Apple iPhone 8 64GB Space Grey", 129),
        ("IPX-64G-SV", "Apple iPhone X 64GB Silver", 179),
        ("IP11-64G-PR", "Apple iPhone 11 64GB Purple", 249),
        ("GS20-128G-CG", "Samsung Galaxy S20 128GB Cosmic Grey", 219),
        ("GS21-128G-PW", "Samsung Galaxy S21 128GB Phantom White", 259),
        ("PX6-128G-SF", "Google Pixel 6 128GB Sorta Seafoam", 199),
        ("MBA-2017-128-SV", "Apple MacBook Air 13 2017 128GB Silver", 329),
        ("IPAD8-32G-SG", "Apple iPad 8th gen 32GB Space Grey", 199),
        ("PS4P-1T-BK", "Sony PlayStation 4 Pro 1TB Black", 229),
        ("NSW-32G-NE", "Nintendo Switch 32GB Neon", 169),
        ("XB1X-1T-BK", "Microsoft Xbox One X 1TB Black", 159),
        ("T480-256-BK", "Lenovo ThinkPad T480 256GB Black", 289),
    ):
        grade, letter, factor = rng.choice(GRADES)
        product_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        price = (Decimal(base) * factor).quantize(Decimal("1")) - Decimal("0.10")
        ean = ean13(rng)
        catalogue.append({"product_id": product_id, "ean": ean, "title": title})
        listings.append(
            {
                "sku": f"OLD-{code}-{letter}",
                "title": title,
                "product_id": product_id,
                "quantity": str(rng.randint(1, 4)),
                "price": str(price),
                "currency": "EUR",
                "grade": grade,
                "ean": ean,
                "max_price": str((price * Decimal("1.25")).quantize(Decimal("1"))),
            }
        )
    write(OUT / "sample_products.csv", products)
    write(OUT / "sample_marketplace_listings.csv", listings)
    write(OUT / "sample_marketplace_catalogue.csv", catalogue)
    print(
        f"{len(products)} products, {len(listings)} listings, "
        f"{len(catalogue)} catalogue entries"
    )


def write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
