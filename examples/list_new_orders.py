"""List the orders waiting for the seller's acceptance.

Run: python examples/list_new_orders.py
"""

from __future__ import annotations

from example_client import open_client

from backmarket_sdk.models import OrderState


def main() -> None:
    with open_client() as client:
        # State 1 (PAID) is "new" for a seller: paid, each line to accept or
        # cancel. The pager fetches pages of 50 lazily as the loop needs them.
        orders = list(client.orders.list(state=OrderState.PAID))
        print(f"{len(orders)} new orders")
        for order in orders:
            skus = ", ".join(
                f"{line.listing} x{line.quantity}" for line in order.orderlines
            )
            print(f"  order {order.order_id} ({order.country_code}): {skus}")


if __name__ == "__main__":
    main()
