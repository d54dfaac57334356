"""Accept every line of a paid order, then ship it with a tracking number.

Run against the sandbox: python examples/accept_and_ship.py
Run against your account:
    python examples/accept_and_ship.py ORDER_ID TRACKING_NUMBER [SHIPPER]
"""

from __future__ import annotations

import sys

from example_client import open_client, uses_real_account

from backmarket_sdk import BackMarketClient
from backmarket_sdk.models import OrderLineState, OrderState


def pick_order(client: BackMarketClient, argv: list[str]) -> tuple[int, str, str]:
    """Return the order id, tracking number and shipper to use."""
    if len(argv) >= 2:
        shipper = argv[2] if len(argv) > 2 else "UPS"
        return int(argv[0]), argv[1], shipper
    if uses_real_account():
        # Never pick a real customer's order by default.
        sys.exit("usage: accept_and_ship.py ORDER_ID TRACKING_NUMBER [SHIPPER]")
    first = next(iter(client.orders.list(state=OrderState.PAID)))
    return first.order_id, "1Z999AA10123456784", "UPS"


def main(argv: list[str]) -> None:
    with open_client() as client:
        order_id, tracking_number, shipper = pick_order(client, argv)
        order = client.orders.get(order_id)

        # Accept each line still waiting (state 1). If a call times out, the
        # SDK reads the order before sending again, so no line is accepted twice.
        for line in order.orderlines:
            if line.state == OrderLineState.PAID:
                order = client.orders.accept_line(order_id, line.listing)
        print(f"order {order_id} is {order.state.name}")

        # Shipping sends new_state 3 for the whole order. The shipper name is
        # checked against backmarket_sdk.shippers.SHIPPERS before any request.
        order = client.orders.ship(
            order_id, tracking_number=tracking_number, shipper=shipper
        )
        print(
            f"order {order_id} is {order.state.name}, tracking {order.tracking_number}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
