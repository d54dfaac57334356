"""Turn Back Market orders into the host's order type.

Back Market order states: 0 payment being verified and 10 awaiting payment
(do not ship), 1 paid (each line to accept or cancel), 3 accepted, 8 not paid
(ignored), 9 shipped. Order line states: 1 paid and waiting for the seller,
2 accepted, 3 shipped, 4 cancelled, 5 and 6 refunded, 7 payment refused.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from backmarket_sdk import models as bm
from commercium_connector.backmarket.identifiers import ProductIndex
from commercium_connector.backmarket.settings import OrderSettings
from commercium_connector.types import Address, Order, OrderLine, OrderStatus

ORDER_NEW = 0
ORDER_PAID = 1
ORDER_ACCEPTED = 3
ORDER_NOT_PAID = 8
ORDER_SHIPPED = 9
ORDER_PENDING = 10
UNPAID_ORDER_STATES = frozenset({ORDER_NEW, ORDER_PENDING})
PAID_ORDER_STATES = frozenset({ORDER_PAID, ORDER_ACCEPTED, ORDER_SHIPPED})

LINE_PAID = 1
LINE_ACCEPTED = 2
LINE_SHIPPED = 3
# Lines that will never ship: cancelled, refunded or payment refused.
LINE_CLOSED_STATES = frozenset({4, 5, 6, 7})
# Lines closed before they left the warehouse, so their units are still in
# stock: cancelled, refunded before shipping and payment refused. State 6,
# refunded after shipping, is left out because that unit comes back only
# through a return, which the seller handles.
LINE_CANCELLED_STATES = frozenset({4, 5, 7})


def state_code(state: Any) -> int:
    """Return the integer of a Back Market state enum member or plain value."""
    return int(getattr(state, "value", state))


def render_template(
    template: str, prefix: str, suffix: str, order: bm.Order, market: str
) -> str:
    """Fill an order number or notes template for one order.

    The template was checked by the settings parser, so only its known
    placeholders remain.
    """
    country = getattr(order, "country_code", None) or ""
    body = template.format(
        order_id=order.order_id, market=market, country_code=str(country)
    )
    return f"{prefix}{body}{suffix}"


def order_number(order: bm.Order, settings: OrderSettings, market: str) -> str:
    """Return the host order number of a Back Market order."""
    return render_template(
        settings.number_format,
        settings.number_prefix,
        settings.number_suffix,
        order,
        market,
    )


def order_notes(order: bm.Order, settings: OrderSettings, market: str) -> str:
    """Return the host order notes of a Back Market order."""
    return render_template(
        settings.notes_format,
        settings.notes_prefix,
        settings.notes_suffix,
        order,
        market,
    )


def order_status(order: bm.Order) -> OrderStatus:
    """Return the host status of a Back Market order."""
    lines = order.orderlines
    if lines and all(state_code(line.state) in LINE_CLOSED_STATES for line in lines):
        return OrderStatus.CANCELLED
    state = state_code(order.state)
    if state == ORDER_SHIPPED:
        return OrderStatus.SHIPPED
    if state == ORDER_ACCEPTED:
        return OrderStatus.ACCEPTED
    if state == ORDER_PAID:
        return OrderStatus.PAID
    if state == ORDER_NOT_PAID:
        return OrderStatus.CANCELLED
    return OrderStatus.PENDING_PAYMENT


def _address(address: Any) -> Address:
    if address is None:
        return Address()
    return Address(
        first_name=address.first_name or "",
        last_name=address.last_name or "",
        company=address.company or "",
        street=address.street or "",
        street2=address.street2 or "",
        postal_code=address.postal_code or "",
        city=address.city or "",
        state=address.state or "",
        country=address.country or "",
        phone=address.phone_number or "",
        email=getattr(address, "email", None) or "",
    )


def _money(value: Decimal | None) -> Decimal:
    return value if value is not None else Decimal("0")


def normalise_line(line: bm.OrderLine, index: ProductIndex, currency: str) -> OrderLine:
    """Return a host order line, linked to the host product when one matches."""
    product = index.find(line.listing)
    state = state_code(line.state)
    return OrderLine(
        external_id=str(line.id),
        marketplace_sku=line.listing,
        product_key=index.key_of(product) if product is not None else None,
        title=line.product or "",
        quantity=line.quantity,
        # NOTE: Back Market's line price is read as the unit price, taxes
        # included; its description does not say whether quantity multiplies it.
        unit_price=_money(line.price),
        shipping_price=_money(line.shipping_price),
        currency=line.currency or currency,
        state=str(state),
        cancelled=state in LINE_CANCELLED_STATES,
    )


def normalise_order(
    order: bm.Order,
    settings: OrderSettings,
    market: str,
    index: ProductIndex,
    received_at: datetime,
) -> Order:
    """Return the host's form of a Back Market order.

    Args:
        order: The order as Back Market returned it.
        settings: The connection's order settings.
        market: The connection's market code.
        index: Host products by identifier value, to link lines.
        received_at: When the order was fetched. It replaces the creation and
            change times when Back Market sends neither, so that such an order
            is still imported.
    """
    currency = order.currency or ""
    created = order.date_creation or order.date_modification or received_at
    modified = order.date_modification or order.date_creation or received_at
    return Order(
        external_id=str(order.order_id),
        number=order_number(order, settings, market),
        notes=order_notes(order, settings, market),
        status=order_status(order),
        paid=state_code(order.state) in PAID_ORDER_STATES,
        created_at=created,
        modified_at=modified,
        currency=currency,
        total=_money(order.price),
        shipping_total=_money(order.shipping_price),
        shipping_address=_address(order.shipping_address),
        billing_address=_address(order.billing_address),
        lines=tuple(normalise_line(line, index, currency) for line in order.orderlines),
        tracking_number=order.tracking_number or None,
        carrier=order.shipper_display or None,
    )


def modified_at(order: bm.Order) -> datetime | None:
    """Return when Back Market last changed an order, or None when unknown."""
    return order.date_modification or order.date_creation
