"""Push stock for many SKUs concurrently with the async client.

Run against the sandbox: python examples/async_stock_push.py
Run against your account: python examples/async_stock_push.py my_stock.csv

One AsyncBackMarketClient is shared by every task: they share its connection
pool and its client-side rate limiter, so running many at once stays under
Back Market's request limits instead of meeting 429 responses.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from example_client import open_async_client, uses_real_account
from push_stock_from_csv import BUNDLED_CSV, read_stock

from backmarket_sdk import AsyncBackMarketClient, NotFoundError

CONCURRENCY = 8


async def push_one(
    client: AsyncBackMarketClient, limit: asyncio.Semaphore, sku: str, quantity: int
) -> bool:
    """Set one SKU's stock; return False when no listing has that SKU."""
    async with limit:
        try:
            listing = await client.listings.get_by_sku(sku)
        except NotFoundError:
            print(f"{sku}: not found, skipped")
            return False
        await client.listings.update(listing.id, quantity=quantity)
        return True


async def main(argv: list[str]) -> None:
    if not argv and uses_real_account():
        sys.exit("usage: async_stock_push.py STOCK_CSV")
    stock = read_stock(Path(argv[0]) if argv else BUNDLED_CSV)
    started = time.perf_counter()

    async with open_async_client() as client:
        # The semaphore caps requests in flight; the SDK's limiter caps the rate.
        limit = asyncio.Semaphore(CONCURRENCY)
        outcomes = await asyncio.gather(
            *(push_one(client, limit, sku, quantity) for sku, quantity in stock)
        )

    pushed = sum(outcomes)
    elapsed = time.perf_counter() - started
    print(f"pushed {pushed} of {len(stock)} SKUs in {elapsed:.2f} s")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
