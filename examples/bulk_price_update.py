"""Lower the price of every listing in stock by a percentage through one catalog CSV.

A catalog CSV updates many listings in one request and is processed as a
task, which takes minutes on Back Market and about a second in the sandbox.

Run against the sandbox: python examples/bulk_price_update.py [PERCENT]
Run against your account: python examples/bulk_price_update.py PERCENT --apply
(without --apply it only prints the new prices).
"""

from __future__ import annotations

import sys
from decimal import ROUND_HALF_UP, Decimal

from example_client import open_client, uses_real_account

from backmarket_sdk.models import TaskStatus

CENT = Decimal("0.01")


def main(argv: list[str]) -> None:
    apply = "--apply" in argv or not uses_real_account()
    numbers = [arg for arg in argv if arg != "--apply"]
    percent = Decimal(numbers[0]) if numbers else Decimal(5)
    factor = 1 - percent / 100

    with open_client() as client:
        # Money is Decimal end to end: no float rounding on prices.
        rows = [
            {
                "sku": listing.sku,
                "price": (listing.price * factor).quantize(CENT, ROUND_HALF_UP),
            }
            for listing in client.listings.list(min_quantity=1)
            if listing.price is not None
        ]
        print(f"{len(rows)} listings in stock, {percent}% off")
        if not apply:
            for row in rows:
                print(f"  {row['sku']}: {row['price']}")
            print("dry run: add --apply to send these prices")
            return

        # One task per 15,000 CSV lines; the SDK quotes values as CSV needs.
        poll_seconds = 10.0 if uses_real_account() else 0.5
        for task_id in client.listings.import_catalog(rows):
            task = client.tasks.wait(task_id, poll_interval=poll_seconds)
            print(f"task {task_id}: {task.status.value}")
            if task.status is TaskStatus.FAILED:
                print(f"  error: {task.last_action_error}")
            # The report maps each SKU to its outcome.
            report = task.result if isinstance(task.result, dict) else {}
            for sku, outcome in report.items():
                if isinstance(outcome, dict) and outcome.get("success") is False:
                    print(f"  {sku} rejected: {outcome.get('errors')}")
            print(f"  {len(report)} SKUs reported")


if __name__ == "__main__":
    main(sys.argv[1:])
