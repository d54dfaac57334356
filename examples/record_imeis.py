"""Record the IMEI of each device sold on an accepted order.

Run against the sandbox: python examples/record_imeis.py
Run against your account:
    python examples/record_imeis.py ORDERLINE_ID IMEI [ORDERLINE_ID IMEI ...]

Back Market cannot correct an IMEI once recorded, so the SDK checks the
format (15 digits) before the request and resends it only when the server
surely did not process it.
"""

from __future__ import annotations

import sys

from example_client import open_client, uses_real_account

from backmarket_sdk import BackMarketClient
from backmarket_sdk.models import OrderState


def luhn_complete(first_14_digits: str) -> str:
    """Append the Luhn check digit that a valid IMEI ends with."""
    total = 0
    for index, char in enumerate(reversed(first_14_digits)):
        digit = int(char) * (2 if index % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return first_14_digits + str((10 - total % 10) % 10)


def sandbox_pairs(client: BackMarketClient) -> list[tuple[int, str]]:
    """Return made-up IMEIs for the units of the first accepted order."""
    order = next(iter(client.orders.list(state=OrderState.ACCEPTED)))
    print(f"order {order.order_id}")
    # An orderline takes one IMEI, so this records those of one-unit lines.
    lines = [line for line in order.orderlines if line.quantity == 1]
    return [
        (line.id, luhn_complete(f"3569501234{line.id % 10_000:04d}")) for line in lines
    ]


def main(argv: list[str]) -> None:
    with open_client() as client:
        if argv:
            if len(argv) % 2:
                sys.exit(
                    "usage: record_imeis.py ORDERLINE_ID IMEI [ORDERLINE_ID IMEI ...]"
                )
            pairs = [(int(argv[i]), argv[i + 1]) for i in range(0, len(argv), 2)]
        elif uses_real_account():
            sys.exit("usage: record_imeis.py ORDERLINE_ID IMEI [ORDERLINE_ID IMEI ...]")
        else:
            pairs = sandbox_pairs(client)

        for orderline_id, imei in pairs:
            recorded = client.orderlines.update(orderline_id, imei=imei)
            print(f"orderline {orderline_id}: IMEI {recorded.imei}")


if __name__ == "__main__":
    main(sys.argv[1:])
