"""BackShip: the shipping labels Back Market creates for deliveries and returns."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from backmarket_sdk.models._converter import JSON_KEY


def _json(key: str) -> dict[str, str]:
    return {JSON_KEY: key}


@attrs.frozen(weakref_slot=False)
class PickupInfo:
    """The carrier pickup booked for a delivery."""

    pickup_id: int | None = attrs.field(default=None, metadata=_json("pickupId"))
    confirmation_number: str | None = attrs.field(
        default=None, metadata=_json("confirmationNumber")
    )
    date_pickup_actual: datetime | None = attrs.field(
        default=None, metadata=_json("datePickupActual")
    )
    date_pickup_range_start: datetime | None = attrs.field(
        default=None, metadata=_json("datePickupRangeStart")
    )
    date_pickup_range_end: datetime | None = attrs.field(
        default=None, metadata=_json("datePickupRangeEnd")
    )
    date_pickup_requested: str | None = attrs.field(
        default=None, metadata=_json("datePickupRequested")
    )
    """Requested pickup day as ``YYYY-MM-DD`` text."""
    is_canceled: bool | None = attrs.field(default=None, metadata=_json("isCanceled"))
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class Delivery:
    """A BackShip shipment from the seller to a customer, with its label."""

    order: int
    """Order id."""
    shipment_id: int = attrs.field(metadata=_json("shipmentId"))
    orderlines: list[int] = attrs.field(factory=list)
    """Ids of the orderlines in the parcel."""
    carrier_id: int | None = attrs.field(default=None, metadata=_json("carrierId"))
    carrier_name: str | None = attrs.field(default=None, metadata=_json("carrierName"))
    reference_number: str | None = attrs.field(
        default=None, metadata=_json("referenceNumber")
    )
    tracking_number: str | None = attrs.field(
        default=None, metadata=_json("trackingNumber")
    )
    tracking_url: str | None = attrs.field(default=None, metadata=_json("trackingUrl"))
    hub_scanned: bool | None = attrs.field(default=None, metadata=_json("hubScanned"))
    """True once the carrier scanned the label."""
    invoiced_price: Decimal | None = attrs.field(
        default=None, metadata=_json("invoicedPrice")
    )
    """Amount invoiced for the label.

    NOTE: the API sends a whole number and does not say whether it is in
    currency units or cents; the SDK passes it on unchanged.
    """
    invoiced_currency: str | None = attrs.field(
        default=None, metadata=_json("invoicedCurrency")
    )
    date_creation: datetime | None = attrs.field(
        default=None, metadata=_json("dateCreation")
    )
    date_pickup: datetime | None = attrs.field(
        default=None, metadata=_json("datePickup")
    )
    date_delivery: datetime | None = attrs.field(
        default=None, metadata=_json("dateDelivery")
    )
    label_url: str | None = attrs.field(default=None, metadata=_json("labelUrl"))
    """Label PDF, often a path on the API host; see ``backship.label_url()``."""
    type: str | None = None
    pickup_info: PickupInfo | None = attrs.field(
        default=None, metadata=_json("pickupInfo")
    )
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""


@attrs.frozen(weakref_slot=False)
class Return:
    """A BackShip shipment of a returned product back to the seller."""

    order_id: int = attrs.field(metadata=_json("orderId"))
    orderline_id: int = attrs.field(metadata=_json("orderlineId"))
    shipment_id: int = attrs.field(metadata=_json("shipmentId"))
    carrier_id: int | None = attrs.field(default=None, metadata=_json("carrierId"))
    carrier_name: str | None = attrs.field(default=None, metadata=_json("carrierName"))
    reference_number: str | None = attrs.field(
        default=None, metadata=_json("referenceNumber")
    )
    tracking_number: str | None = attrs.field(
        default=None, metadata=_json("trackingNumber")
    )
    tracking_url: str | None = attrs.field(default=None, metadata=_json("trackingUrl"))
    hub_scanned: bool | None = attrs.field(default=None, metadata=_json("hubScanned"))
    invoiced_price: Decimal | None = attrs.field(
        default=None, metadata=_json("invoicedPrice")
    )
    """Amount invoiced for the label, unit as sent (see ``Delivery``)."""
    invoiced_currency: str | None = attrs.field(
        default=None, metadata=_json("invoicedCurrency")
    )
    date_creation: datetime | None = attrs.field(
        default=None, metadata=_json("dateCreation")
    )
    date_pickup: datetime | None = attrs.field(
        default=None, metadata=_json("datePickup")
    )
    date_delivery: datetime | None = attrs.field(
        default=None, metadata=_json("dateDelivery")
    )
    label: str | None = None
    """Label PDF URL or path; see ``backship.label_url()``."""
    type: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""
