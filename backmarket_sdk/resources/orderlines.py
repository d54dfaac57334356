"""Orderlines: record the IMEI or serial number of a sold device."""

from __future__ import annotations

from typing import Any

from backmarket_sdk import errors
from backmarket_sdk._http import RequestSpec
from backmarket_sdk.models.orders import OrderLineIdentifiers
from backmarket_sdk.resources._base import (
    AsyncResource,
    SyncResource,
    parse_model,
    require_id,
)
from backmarket_sdk.resources.orders import check_imei, check_serial_number

ORDERLINES_PATH = "/ws/orderlines"


def update_spec(
    orderline_id: int, imei: str | None, serial_number: str | None
) -> RequestSpec:
    """Describe ``PATCH /ws/orderlines/{orderline_id}``.

    Back Market cannot correct these values once recorded, so the call is
    resent only when the server surely did not process it.
    """
    path = f"{ORDERLINES_PATH}/{require_id('orderline_id', orderline_id)}"
    body: dict[str, Any] = {}
    if imei is not None:
        body["imei"] = check_imei(imei)
    if serial_number is not None:
        body["serial_number"] = check_serial_number(serial_number)
    if not body:
        raise errors.InvalidRequestError(
            "Nothing to update: pass imei=, serial_number= or both."
        )
    return RequestSpec("PATCH", path, json=body, retry="unprocessed")


class OrderLines(SyncResource):
    """``client.orderlines``: orderline identifiers."""

    def update(
        self,
        orderline_id: int,
        *,
        imei: str | None = None,
        serial_number: str | None = None,
    ) -> OrderLineIdentifiers:
        """Record the IMEI and/or serial number of an orderline.

        Raises:
            InvalidRequestError: Neither is given, the IMEI is not 15 digits
                0-9, or the serial number is longer than 50 characters, has
                no visible character or has a control or format character.
        """
        spec = update_spec(orderline_id, imei, serial_number)
        return parse_model(self._client.request(spec), OrderLineIdentifiers, spec)


class AsyncOrderLines(AsyncResource):
    """``client.orderlines`` of the async client; see :class:`OrderLines`."""

    async def update(
        self,
        orderline_id: int,
        *,
        imei: str | None = None,
        serial_number: str | None = None,
    ) -> OrderLineIdentifiers:
        """Record the IMEI and/or serial number of an orderline."""
        spec = update_spec(orderline_id, imei, serial_number)
        data = await self._client.request(spec)
        return parse_model(data, OrderLineIdentifiers, spec)
