"""Report shipped host orders to Back Market, never twice.

Before a ship call the plugin reads the order: one Back Market already shows
as shipped with the same tracking number is done without a call. It records
a "ship in flight" marker in the connection's state before the call and a
"shipped" record after it, so that after a crash between the two the next
run reads the order before sending anything again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from backmarket_sdk import models as bm
from commercium_connector.backmarket.client_factory import ITEM_ERRORS
from commercium_connector.backmarket.context import SyncContext
from commercium_connector.backmarket.normalise import (
    LINE_CLOSED_STATES,
    LINE_PAID,
    LINE_SHIPPED,
    ORDER_SHIPPED,
    PAID_ORDER_STATES,
    state_code,
)
from commercium_connector.backmarket.results import dry_run_done
from commercium_connector.types import ItemResult, ItemStatus, Shipment

logger = logging.getLogger(__name__)

IN_FLIGHT_PREFIX = "ship:in_flight:"
SHIPPED_PREFIX = "ship:done:"


def clean_tracking(number: str) -> str:
    """Return a tracking number without any whitespace."""
    return "".join(number.split())


def _failed(
    key: str, message: str, details: dict[str, str] | None = None
) -> ItemResult:
    return ItemResult(
        key=key,
        status=ItemStatus.FAILED,
        action="ship",
        message=message,
        details=details or {},
    )


def _is_shipped(order: bm.Order) -> bool:
    if state_code(order.state) == ORDER_SHIPPED:
        return True
    open_lines = [
        line
        for line in order.orderlines
        if state_code(line.state) not in LINE_CLOSED_STATES
    ]
    return bool(open_lines) and all(
        state_code(line.state) == LINE_SHIPPED for line in open_lines
    )


def _device_ids(shipment: Shipment, order: bm.Order) -> tuple[dict[str, str], str]:
    """Return the IMEI or serial number to send, and a warning if one is dropped.

    Back Market takes them only for an order of one line of quantity 1.
    """
    wanted = {
        name: value.strip()
        for name, value in (
            ("imei", shipment.imei),
            ("serial_number", shipment.serial_number),
        )
        if value and value.strip()
    }
    if not wanted:
        return {}, ""
    open_lines = [
        line
        for line in order.orderlines
        if state_code(line.state) not in LINE_CLOSED_STATES
    ]
    if len(open_lines) == 1 and open_lines[0].quantity == 1:
        return wanted, ""
    return {}, (
        f"{' and '.join(sorted(wanted))} not sent: Back Market takes them only for "
        "an order of one line of quantity 1"
    )


class _ShipmentSender:
    """Sends the shipments of one hook call."""

    def __init__(self, ctx: SyncContext, dry_run: bool) -> None:
        self.ctx = ctx
        self.state = ctx.connection.state
        self.dry_run = dry_run

    def send(self, shipment: Shipment) -> ItemResult:
        key = shipment.order_number
        method = shipment.shipping_method
        shipper = self.ctx.settings.shipments.shipper_for(method)
        if shipper is None:
            return _failed(
                key,
                (
                    f"no Back Market shipper mapped for shipping method {method!r}; "
                    "add it under shipments.mappings or set shipments.fallback"
                ),
            )
        tracking = clean_tracking(shipment.tracking_number)
        if not tracking:
            return _failed(key, "tracking number is blank; Back Market requires one")
        try:
            order_id = int(shipment.order_external_id)
        except ValueError:
            return _failed(
                key,
                (
                    f"invalid Back Market order id {shipment.order_external_id!r}: "
                    "expected a whole number"
                ),
            )
        details = {
            "order_id": str(order_id),
            "shipper": shipper,
            "tracking_number": tracking,
        }

        if self.state.get(f"{SHIPPED_PREFIX}{order_id}") == tracking:
            return ItemResult(
                key=key,
                status=ItemStatus.DONE,
                action="ship",
                message="already sent to Back Market",
                details={**details, "already_applied": "true"},
            )
        try:
            return self._read_then_ship(shipment, order_id, shipper, tracking, details)
        except ITEM_ERRORS as error:
            logger.warning("shipment of order %s failed: %s", order_id, error)
            return _failed(key, f"Back Market rejected the shipment: {error}", details)

    def _read_then_ship(
        self,
        shipment: Shipment,
        order_id: int,
        shipper: str,
        tracking: str,
        details: dict[str, str],
    ) -> ItemResult:
        key = shipment.order_number
        in_flight_key = f"{IN_FLIGHT_PREFIX}{order_id}"
        if self.state.get(in_flight_key) is not None:
            # An earlier run stopped during its ship call, so the read below shows
            # whether Back Market applied it.
            logger.info("order %s: resuming an interrupted shipment", order_id)
            details = {**details, "interrupted_send": "true"}
        order = self.ctx.client.orders.get(order_id)
        if _is_shipped(order):
            held = clean_tracking(order.tracking_number or "")
            if held.casefold() != tracking.casefold():
                return _failed(
                    key,
                    (
                        f"order already shipped with tracking number {held!r}; "
                        f"{tracking!r} was not sent"
                    ),
                    details,
                )
            if not self.dry_run:
                self.state.set(f"{SHIPPED_PREFIX}{order_id}", tracking)
                self.state.delete(in_flight_key)
            return ItemResult(
                key=key,
                status=ItemStatus.DONE,
                action="ship",
                message="already shipped on Back Market with this tracking number",
                details={**details, "already_applied": "true"},
            )
        state = state_code(order.state)
        if state not in PAID_ORDER_STATES:
            return _failed(
                key,
                (f"order is not paid (Back Market state {state}); it cannot ship"),
                details,
            )

        device_ids, warning = _device_ids(shipment, order)
        to_accept = [
            line for line in order.orderlines if state_code(line.state) == LINE_PAID
        ]
        if self.dry_run:
            accepts = ",".join(line.listing for line in to_accept)
            result = dry_run_done(
                key, "ship", {**details, **device_ids, "accept_first": accepts}
            )
            return result
        for line in to_accept:
            self.ctx.client.orders.accept_line(order_id, line.listing)

        # Written before the call: if the process dies after Back Market applied
        # the shipment but before the record below, the next run finds the
        # marker, reads the order and finds it shipped.
        self.state.set(
            in_flight_key, json.dumps({"tracking_number": tracking, "shipper": shipper})
        )
        try:
            self.ctx.client.orders.ship(
                order_id,
                tracking_number=tracking,
                shipper=shipper,
                tracking_url=shipment.tracking_url or None,
                date_shipping=shipment.shipped_at,
                **device_ids,
            )
        except ITEM_ERRORS:
            # Back Market rejected the call, so nothing was applied.
            self.state.delete(in_flight_key)
            raise
        self.state.set(f"{SHIPPED_PREFIX}{order_id}", tracking)
        self.state.delete(in_flight_key)
        accepted = ",".join(line.listing for line in to_accept)
        return ItemResult(
            key=key,
            status=ItemStatus.DONE,
            action="ship",
            message=warning,
            details={**details, **device_ids, "accepted_first": accepted},
        )


def push_shipments(
    ctx: SyncContext, shipments: Sequence[Shipment], dry_run: bool
) -> list[ItemResult]:
    """Send each shipment once and return a result per shipment."""
    sender = _ShipmentSender(ctx, dry_run)
    return [sender.send(shipment) for shipment in shipments]
