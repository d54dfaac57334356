"""BackShip: deliveries and returns shipped on Back Market's labels."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urljoin, urlsplit

from backmarket_sdk import errors
from backmarket_sdk._http import RequestSpec
from backmarket_sdk._pagination import AsyncPager, Params, SyncPager
from backmarket_sdk.models.backship import Delivery, Return
from backmarket_sdk.models.orders import OrderState
from backmarket_sdk.resources._base import (
    AsyncResource,
    SyncResource,
    format_datetime,
    parse_model,
    require_id,
)

DELIVERIES_PATH = "/ws/shipping/v1/deliveries"
RETURNS_PATH = "/ws/shipping/v1/returns"
# Order states these lists filter on; 10 (pending payment) is not among them.
FILTER_ORDER_STATES = (0, 1, 3, 8, 9)


def list_params(
    *,
    order_id: int | None,
    start_date: datetime | None,
    end_date: datetime | None,
    pickup_start_date: datetime | None,
    pickup_end_date: datetime | None,
    order_state: int | None,
    hub_scanned: bool | None,
) -> Params:
    """Build the query shared by the delivery and return lists."""
    params: Params = {}
    if order_id is not None:
        params["order_id"] = require_id("order_id", order_id)
    for name, value in (
        ("start_date", start_date),
        ("end_date", end_date),
        ("pickup_start_date", pickup_start_date),
        ("pickup_end_date", pickup_end_date),
    ):
        if value is not None:
            params[name] = format_datetime(name, value)
    _check_range("start_date", start_date, "end_date", end_date)
    _check_range(
        "pickup_start_date", pickup_start_date, "pickup_end_date", pickup_end_date
    )
    if order_state is not None:
        if isinstance(order_state, bool) or order_state not in FILTER_ORDER_STATES:
            known = ", ".join(str(state) for state in FILTER_ORDER_STATES)
            raise errors.InvalidRequestError(
                f"Invalid order_state {order_state!r}: use one of {known}."
            )
        params["order_state"] = int(OrderState(order_state))
    if hub_scanned is not None:
        if not isinstance(hub_scanned, bool):
            raise errors.InvalidRequestError(
                f"Invalid hub_scanned {hub_scanned!r}: use True or False."
            )
        params["hub_scanned"] = "true" if hub_scanned else "false"
    return params


def _check_range(
    start_name: str, start: datetime | None, end_name: str, end: datetime | None
) -> None:
    if start is not None and end is not None and start > end:
        raise errors.InvalidRequestError(
            f"Invalid date range: {start_name} {start.isoformat()} is after "
            f"{end_name} {end.isoformat()}."
        )


def delivery_spec(delivery_id: int) -> RequestSpec:
    """Describe ``GET /ws/shipping/v1/deliveries/{id}``."""
    return RequestSpec(
        "GET", f"{DELIVERIES_PATH}/{require_id('delivery_id', delivery_id)}"
    )


def return_spec(return_id: int) -> RequestSpec:
    """Describe ``GET /ws/shipping/v1/returns/{id}``."""
    return RequestSpec("GET", f"{RETURNS_PATH}/{require_id('return_id', return_id)}")


def resolve_label_url(base_url: str, shipment: Delivery | Return) -> str:
    """Return the absolute URL of a shipment's label.

    Back Market often sends the label as a path on the API host, such as
    ``/static/shipment_labels/....pdf``. Such a path is joined to the
    client's base URL, and an absolute URL is returned as sent.

    Raises:
        InvalidRequestError: The shipment has no label yet.
    """
    raw = shipment.label_url if isinstance(shipment, Delivery) else shipment.label
    if not raw:
        kind = "delivery" if isinstance(shipment, Delivery) else "return"
        raise errors.InvalidRequestError(
            f"The {kind} of shipment {shipment.shipment_id} has no label yet; "
            "read it again once Back Market has created the label."
        )
    if urlsplit(raw).scheme:
        return raw
    return urljoin(base_url + "/", raw)


class BackShip(SyncResource):
    """``client.backship``: BackShip deliveries, returns and their labels."""

    def list_deliveries(
        self,
        *,
        order_id: int | None = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        pickup_start_date: datetime | None = None,
        pickup_end_date: datetime | None = None,
        order_state: int | None = None,
        hub_scanned: bool | None = None,
    ) -> SyncPager[Delivery]:
        """List deliveries lazily, following each page's ``next``.

        Args:
            order_id: Only the deliveries of this order.
            start_date: Only deliveries created at or after this aware datetime.
            end_date: Only deliveries created at or before this datetime.
            pickup_start_date: Only deliveries picked up at or after this time.
            pickup_end_date: Only deliveries picked up at or before this time.
            order_state: Only deliveries of orders in this state (0, 1, 3, 8, 9).
            hub_scanned: Only deliveries whose label was (True) or was not
                (False) scanned by the carrier.
        """
        params = list_params(
            order_id=order_id,
            start_date=start_date,
            end_date=end_date,
            pickup_start_date=pickup_start_date,
            pickup_end_date=pickup_end_date,
            order_state=order_state,
            hub_scanned=hub_scanned,
        )
        return self._client.paginate(DELIVERIES_PATH, params, Delivery)

    def get_delivery(self, delivery_id: int) -> Delivery:
        """Return one delivery."""
        spec = delivery_spec(delivery_id)
        return parse_model(self._client.request(spec), Delivery, spec)

    def list_returns(
        self,
        *,
        order_id: int | None = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        pickup_start_date: datetime | None = None,
        pickup_end_date: datetime | None = None,
        order_state: int | None = None,
        hub_scanned: bool | None = None,
    ) -> SyncPager[Return]:
        """List product returns lazily; filters as :meth:`list_deliveries`."""
        params = list_params(
            order_id=order_id,
            start_date=start_date,
            end_date=end_date,
            pickup_start_date=pickup_start_date,
            pickup_end_date=pickup_end_date,
            order_state=order_state,
            hub_scanned=hub_scanned,
        )
        return self._client.paginate(RETURNS_PATH, params, Return)

    def get_return(self, return_id: int) -> Return:
        """Return one product return."""
        spec = return_spec(return_id)
        return parse_model(self._client.request(spec), Return, spec)

    def label_url(self, shipment: Delivery | Return) -> str:
        """Return the absolute URL of a delivery's or return's label PDF."""
        return resolve_label_url(self._client.config.base_url, shipment)


class AsyncBackShip(AsyncResource):
    """``client.backship`` of the async client; see :class:`BackShip`."""

    def list_deliveries(
        self,
        *,
        order_id: int | None = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        pickup_start_date: datetime | None = None,
        pickup_end_date: datetime | None = None,
        order_state: int | None = None,
        hub_scanned: bool | None = None,
    ) -> AsyncPager[Delivery]:
        """List deliveries lazily; see :meth:`BackShip.list_deliveries`."""
        params = list_params(
            order_id=order_id,
            start_date=start_date,
            end_date=end_date,
            pickup_start_date=pickup_start_date,
            pickup_end_date=pickup_end_date,
            order_state=order_state,
            hub_scanned=hub_scanned,
        )
        return self._client.paginate(DELIVERIES_PATH, params, Delivery)

    async def get_delivery(self, delivery_id: int) -> Delivery:
        """Return one delivery."""
        spec = delivery_spec(delivery_id)
        return parse_model(await self._client.request(spec), Delivery, spec)

    def list_returns(
        self,
        *,
        order_id: int | None = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        pickup_start_date: datetime | None = None,
        pickup_end_date: datetime | None = None,
        order_state: int | None = None,
        hub_scanned: bool | None = None,
    ) -> AsyncPager[Return]:
        """List product returns lazily; see :meth:`BackShip.list_returns`."""
        params = list_params(
            order_id=order_id,
            start_date=start_date,
            end_date=end_date,
            pickup_start_date=pickup_start_date,
            pickup_end_date=pickup_end_date,
            order_state=order_state,
            hub_scanned=hub_scanned,
        )
        return self._client.paginate(RETURNS_PATH, params, Return)

    async def get_return(self, return_id: int) -> Return:
        """Return one product return."""
        spec = return_spec(return_id)
        return parse_model(await self._client.request(spec), Return, spec)

    def label_url(self, shipment: Delivery | Return) -> str:
        """Return the absolute URL of a delivery's or return's label PDF."""
        return resolve_label_url(self._client.config.base_url, shipment)
