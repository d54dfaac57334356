"""Set listing stock from a CSV of ``sku,quantity`` rows, one real-time update each.

Run against the sandbox: python examples/push_stock_from_csv.py
Run against your account: python examples/push_stock_from_csv.py my_stock.csv

Each update counts against Back Market's hourly SKU budget of about 2,000
SKU updates. For thousands of SKUs, send one catalog CSV instead, as
bulk_price_update.py does.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from example_client import open_client, uses_real_account

from backmarket_sdk import NotFoundError

BUNDLED_CSV = Path(__file__).with_name("stock.csv")


def read_stock(path: Path) -> list[tuple[str, int]]:
    """Return (SKU, quantity) pairs, rejecting a row whose quantity is not a count."""
    pairs = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            quantity = row["quantity"].strip()
            if not quantity.isdigit():
                sys.exit(f"{path}, line {number}: invalid quantity {quantity!r}")
            pairs.append((row["sku"].strip(), int(quantity)))
    return pairs


def main(argv: list[str]) -> None:
    if not argv and uses_real_account():
        # The bundled file contains sandbox SKUs, so a real account needs its own file.
        sys.exit("usage: push_stock_from_csv.py STOCK_CSV")
    path = Path(argv[0]) if argv else BUNDLED_CSV
    counts = {"updated": 0, "unchanged": 0, "not found": 0}

    with open_client() as client:
        for sku, quantity in read_stock(path):
            try:
                # Back Market compares SKUs case-insensitively.
                listing = client.listings.get_by_sku(sku)
            except NotFoundError:
                print(f"{sku}: not found, skipped")
                counts["not found"] += 1
                continue
            if listing.quantity == quantity:
                counts["unchanged"] += 1
                continue
            # Quantity applies to every market of the listing; 0 takes it offline.
            client.listings.update(listing.id, quantity=quantity)
            print(f"{listing.sku}: {listing.quantity} -> {quantity}")
            counts["updated"] += 1

    print(", ".join(f"{count} {name}" for name, count in counts.items()))


if __name__ == "__main__":
    main(sys.argv[1:])
