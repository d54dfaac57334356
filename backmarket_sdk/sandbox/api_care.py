"""Handlers of the Care routes: folders, problems, refunds, messages, transfers."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from . import serialize
from .aftersales import (
    DAY,
    MINUTE,
    AftersalesState,
    CareAttachmentRecord,
    CareFolderRecord,
    CareMessageRecord,
    FormPart,
    empty_response,
    form_parts,
    iso,
    json_object,
    state_for,
    too_many_requests,
)
from .errors import ApiError, bad_request, not_found
from .messages import SandboxRequest, SandboxResponse, json_response
from .records import Address, Order, OrderLine
from .store import Store

if TYPE_CHECKING:
    from .router import RouteContext

PAGE_SIZE = 10
CARE_DATE_FORMAT = "%Y-%m-%d-%H-%M"
LEGACY_LIMIT = 100_000_000
MAX_FILES = 10
MAX_FILE_BYTES = 3 * 1024 * 1024
PROBLEM_TYPES = (
    "ACCOUNT_LOCKED",
    "CODE_LOCKED",
    "DAMAGED_PACKAGE",
    "ITEM_NOT_RECEIVED",
    "MISSING_PART",
    "OOW_ITEM",
    "PROBLEM_NOT_IDENTIFIED",
    "WRONG_ITEM",
    "OTHER",
)
NEED_ATTACHMENTS = ("DAMAGED_PACKAGE", "ITEM_NOT_RECEIVED", "OOW_ITEM")
TRANSFER_ACTIONS = ("REPAIR", "REPLACE", "NOTHING")
SELLER_ID = 4242
SELLER_USER = 5151

# Per-minute and per-day limits of each route, as Back Market documents them.
BUDGETS: dict[str, tuple[tuple[int, float], ...]] = {
    "care.list": ((520, MINUTE), (4000, DAY)),
    "care.get": ((600, MINUTE), (40000, DAY)),
    "care.declare_problem": ((750, MINUTE), (1000, DAY)),
    "care.refund": ((500, DAY),),
    "care.post_message": ((560, MINUTE), (40000, DAY)),
    "care.transfer_item": ((292, MINUTE), (500, DAY)),
}


def _admit(store: Store, state: AftersalesState, key: str) -> None:
    budgets = BUDGETS[key]
    if not state.budgets.admit(key, budgets, store.clock.seconds()):
        text = " and ".join(
            f"{limit} per {'minute' if period == MINUTE else 'day'}"
            for limit, period in budgets
        )
        raise too_many_requests(key, text)


def _care_date(request: SandboxRequest, name: str) -> datetime | None:
    raw = request.query.get(name)
    if not raw:
        return None
    try:
        return datetime.strptime(raw, CARE_DATE_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        raise bad_request(
            f"{name} {raw!r} is not in the format YYYY-MM-DD-hh-mm, such as "
            "'2024-06-24-12-55'"
        ) from None


def _int_query(request: SandboxRequest, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise bad_request(f"{name} must be a whole number, got {raw!r}")
    return int(raw)


def summary_json(folder: CareFolderRecord) -> dict[str, Any]:
    """Return a folder as the folder list shows it."""
    payload: dict[str, Any] = {
        "id": folder.id,
        "client": 0,
        "merchant": SELLER_ID,
        "orderline": folder.orderline_id,
        "date_creation": iso(folder.date_creation),
        "date_modification": iso(folder.date_modification),
        "state": folder.state,
        "lines": [claim.id for claim in folder.claims],
        "backcare": folder.backcare,
    }
    if folder.date_last_message is not None:
        payload["date_last_message"] = iso(folder.date_last_message)
    if folder.date_closed is not None:
        payload["date_closed"] = iso(folder.date_closed)
    return payload


def list_folders(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``GET /ws/sav``: 10 folders a page, ``next`` while more remain."""
    store, request = context.store, context.request
    state = state_for(store)
    _admit(store, state, "care.list")
    last_id = _int_query(request, "last_id")
    folder_state = _int_query(request, "state")
    if folder_state is not None and folder_state not in (0, 9):
        raise bad_request(f"state {folder_state} is not 0 (open) or 9 (closed)")
    orderline = _int_query(request, "orderline")
    modified = _care_date(request, "last_modification_date")
    messaged = _care_date(request, "last_message_date")
    page = _int_query(request, "page") or 1
    if page < 1:
        raise bad_request("page must be a whole number >= 1")
    country = {f.id: _market_of(store, f) for f in state.folders.values()}

    def keep(folder: CareFolderRecord) -> bool:
        if last_id is not None and folder.id <= last_id:
            return False
        if folder_state is not None and folder.state != folder_state:
            return False
        if orderline is not None and folder.orderline_id != orderline:
            return False
        if modified is not None and folder.date_modification < modified:
            return False
        last_message = folder.date_last_message
        return messaged is None or (
            last_message is not None and last_message >= messaged
        )

    chosen = [f for _, f in sorted(state.folders.items()) if keep(f)]
    start = (page - 1) * PAGE_SIZE
    if page > 1 and start >= len(chosen):
        raise not_found(f"page {page} does not exist", code="invalid-page")
    results = []
    for folder in chosen[start : start + PAGE_SIZE]:
        item = summary_json(folder)
        item["country_code"] = country[folder.id]
        results.append(item)
    payload: dict[str, Any] = {"count": len(results), "results": results}
    # Back Market types next and previous as strings, so the sandbox leaves
    # them out at either end instead of sending null.
    if start + PAGE_SIZE < len(chosen):
        payload["next"] = _page_url(request, page + 1)
    if page > 1:
        payload["previous"] = _page_url(request, page - 1)
    return json_response(200, payload)


def _page_url(request: SandboxRequest, page: int) -> str:
    query = request.query
    query["page"] = str(page)
    return f"{request.scheme}://{request.host}{request.path}?{urlencode(query)}"


def _market_of(store: Store, folder: CareFolderRecord) -> str:
    order = store.orders.get(folder.order_id)
    return order.market if order is not None else "fr-fr"


def _folder(state: AftersalesState, raw: str) -> CareFolderRecord:
    folder = state.folders.get(int(raw)) if raw.isdigit() else None
    if folder is None:
        raise not_found(
            f"Care folder {raw} does not exist", code="care-folder-not-found"
        )
    return folder


def _address_json(address: Address) -> dict[str, Any]:
    return {
        "company": address.company,
        "first_name": address.first_name,
        "last_name": address.last_name,
        "street": address.street,
        "street2": address.street2,
        "postal_code": address.postal_code,
        "country": address.country,
        "city": address.city,
        "phone": address.phone,
        "email": address.email,
        "customer_id_number": str(address.id),
    }


def _order_json(order: Order) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "order_id": order.order_id,
        "shipping_address": _address_json(order.shipping_address),
        "billing_address": _address_json(order.billing_address),
        "tracking_number": order.tracking_number,
        "tracking_url": order.tracking_url,
        "shipper": 0 if not order.shipper else 100 + len(order.shipper),
        "shipper_display": order.shipper,
        "date_creation": iso(order.date_creation),
        "date_modification": iso(order.date_modification),
        "state": order.state if order.state in (0, 1, 3, 8, 9) else 1,
        "price": serialize.money(
            sum((line.price * line.quantity for line in order.lines), Decimal(0))
        ),
        "shipping_price": serialize.money(
            sum((line.shipping_price for line in order.lines), Decimal(0))
        ),
        "currency": order.currency,
        "country_code": order.market,
    }
    if order.date_shipping is not None:
        payload["date_shipping"] = iso(order.date_shipping)
    if order.date_payment is not None:
        payload["date_payment"] = iso(order.date_payment)
    return payload


def _orderline_json(order: Order, line: OrderLine) -> dict[str, Any]:
    listing = line.listing
    return {
        "id": line.id,
        "order": _order_json(order),
        "snapshot": {
            "id": 0,
            "product": {
                "product_id": listing.product.backmarket_id,
                "category_3": {"category_name": _category(listing.product.title)},
            },
            "listing": listing.listing_id,
            "sku": listing.sku,
            "image": f"https://images.sandbox.invalid/{listing.product.backmarket_id}.jpg",
        },
        "quantity": line.quantity,
        "price": serialize.money(line.price),
        "state": line.state,
    }


def _category(title: str) -> str:
    lowered = title.lower()
    if "macbook" in lowered or "thinkpad" in lowered:
        return "Laptops"
    if "ipad" in lowered:
        return "Tablets"
    if "playstation" in lowered or "switch" in lowered:
        return "Consoles"
    if "airpods" in lowered:
        return "Headphones"
    return "Smartphones"


def _message_json(message: CareMessageRecord) -> dict[str, Any]:
    return {
        "id": message.id,
        "message": message.message,
        "date_creation": iso(message.date_creation),
        "attachments": [
            {"id": a.id, "attachment": a.url, "date_creation": iso(a.date_creation)}
            for a in message.attachments
        ],
        "initiator": message.initiator,
        "kind": message.kind,
        "is_informative": False,
    }


def folder_json(store: Store, folder: CareFolderRecord) -> dict[str, Any]:
    """Return a folder with its claims, messages and orderline."""
    order, line = store.lines[folder.orderline_id]
    payload: dict[str, Any] = {
        "id": folder.id,
        "backcare": folder.backcare,
        "client": {
            "id": 0,
            "username": "",
            "first_name": order.billing_address.first_name,
            "last_name": order.billing_address.last_name,
            "email": order.billing_address.email,
        },
        "country_code": order.market,
        "date_creation": iso(folder.date_creation),
        "date_modification": iso(folder.date_modification),
        "lines": [
            {
                "id": claim.id,
                "issues": [{"customerIssue": i, "tag": t} for i, t in claim.issues],
                "state": claim.state,
                "resolution_choice": claim.resolution_choice,
                "declared_warranty_state": claim.declared_warranty_state,
                "return_labels": [
                    {**label, "date_creation": iso(label["date_creation"])}
                    for label in claim.return_labels
                ],
            }
            for claim in folder.claims
        ],
        "merchant": {
            "id": SELLER_ID,
            "username": "seller@sandbox.invalid",
            "first_name": "Sandbox",
            "last_name": "Seller",
        },
        "messages": [_message_json(m) for m in folder.messages],
        "orderline": _orderline_json(order, line),
        "state": folder.state,
    }
    if folder.date_last_message is not None:
        payload["date_last_message"] = iso(folder.date_last_message)
    if folder.date_closed is not None:
        payload["date_closed"] = iso(folder.date_closed)
    return payload


def get_folder(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``GET /ws/sav/{careFolderId}``."""
    state = state_for(context.store)
    _admit(context.store, state, "care.get")
    folder = _folder(state, params[0])
    return json_response(200, folder_json(context.store, folder))


def _files(parts: list[FormPart], name: str) -> list[FormPart]:
    files = [part for part in parts if part.name in (name, f"{name}[]")]
    if len(files) > MAX_FILES:
        raise ApiError(413, "too-many-attachments", f"at most {MAX_FILES} files")
    for part in files:
        if len(part.content) > MAX_FILE_BYTES:
            raise ApiError(
                413, "attachment-too-large", f"{part.filename} is larger than 3 MB"
            )
    return files


def _field(parts: list[FormPart], name: str) -> str | None:
    for part in parts:
        if part.name == name and not part.filename:
            return part.text
    return None


def declare_problem(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``POST /ws/sav/{careFolderId}/problem`` (multipart)."""
    store = context.store
    state = state_for(store)
    _admit(store, state, "care.declare_problem")
    folder = _folder(state, params[0])

    parts = form_parts(context.request)
    problem = (_field(parts, "problem_type") or "OTHER").strip().upper()
    if problem not in PROBLEM_TYPES:
        raise bad_request(
            f"problem_type {problem!r} is not one of {', '.join(PROBLEM_TYPES)}"
        )
    message = _field(parts, "message")
    files = _files(parts, "attachment")
    if problem in NEED_ATTACHMENTS and not files:
        raise ApiError(
            422, "attachments-required", f"attachments are mandatory for {problem}"
        )
    if folder.id < LEGACY_LIMIT and (problem != "OTHER" or message or files):
        raise ApiError(
            422,
            "legacy-folder",
            "only the OTHER problem type, without message or attachments, is "
            "allowed for Care folders below 100,000,000",
        )

    if folder.state == 9:
        raise ApiError(
            422,
            "folder-closed",
            f"cannot declare a problem on closed folder {folder.id}",
        )

    folder.problems.append(
        {"problem_type": problem, "message": message, "attachments": len(files)}
    )
    folder.date_modification = store.stamp(folder.date_modification)
    return empty_response(201)


def refund(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``POST /ws/sav/refund`` with a ``text/plain`` summary."""
    store = context.store
    state = state_for(store)
    _admit(store, state, "care.refund")

    body = json_object(context.request)
    line_id = body.get("orderline_pk")
    if not isinstance(line_id, int) or isinstance(line_id, bool):
        raise bad_request("orderline_pk must be the integer id of an orderline")
    if line_id not in store.lines:
        raise not_found(
            f"orderline {line_id} does not exist", code="orderline-not-found"
        )

    order, line = store.lines[line_id]
    refund_type = body.get("refund_type")
    required = {4: 1, 5: 2, 6: 3}
    if refund_type not in required or isinstance(refund_type, bool):
        raise bad_request("refund_type must be 4, 5 or 6")
    if line.state != required[refund_type]:
        raise bad_request(
            f"refund_type {refund_type} needs an orderline in state "
            f"{required[refund_type]}; orderline {line.id} is in state {line.state}"
        )

    total = line.price * line.quantity
    amount = total
    if refund_type == 6 and body.get("amount") is not None:
        amount = _amount(body["amount"])
    elif body.get("amount") is not None:
        raise bad_request("amount is taken only with refund_type 6")
    already = state.refunded.get(line.id, Decimal(0))
    if amount <= 0 or already + amount > total:
        raise bad_request(
            f"amount {amount} is not between 0 and the {total - already} "
            "left to refund on this orderline"
        )

    state.refunded[line.id] = already + amount
    if refund_type == 4:
        store.cancel_line(order, line.listing.sku, None, "Refunded by the seller")
    elif refund_type == 5:
        line.state = 5
    elif state.refunded[line.id] == total:
        line.state = 6
    order.date_modification = store.stamp(order.date_modification)

    amount_text = f"{serialize.money(amount)} {line.currency}"
    text = f"{amount_text} refunded on the sku {line.listing.sku}"
    return SandboxResponse(
        status=201,
        headers=[("Content-Type", "text/plain; charset=utf-8")],
        body=text.encode("utf-8"),
    )


def _amount(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise bad_request("amount must be a number such as 89.99")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise bad_request(f"amount {value!r} is not a number") from None


def post_message(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``POST /ws/sav/{careFolderId}/msg``; a closed folder opens again."""
    store = context.store
    state = state_for(store)
    _admit(store, state, "care.post_message")
    folder = _folder(state, params[0])

    parts = form_parts(context.request)
    text = _field(parts, "message")
    if text is None or not text.strip():
        raise bad_request("message is required")

    now = store.now()
    message = CareMessageRecord(
        id=state.take("next_message_id"),
        message=text,
        date_creation=now,
        initiator="Merchant",
        kind="MERCHANT_TO_ALL",
        sender=SELLER_USER,
    )
    for part in _files(parts, "attachment"):
        attachment_id = state.take("next_attachment_id")
        message.attachments.append(
            CareAttachmentRecord(
                id=attachment_id,
                url=f"/media/sav/{folder.id}/{attachment_id}-{part.filename}",
                date_creation=now,
            )
        )

    folder.messages.append(message)
    folder.date_last_message = now
    folder.date_modification = store.stamp(folder.date_modification)
    if folder.state == 9:
        folder.state = 0
        folder.date_closed = None

    attachments = [
        {
            "msg": message.id,
            "group": folder.id,
            "sender": SELLER_USER,
            "attachment": a.url,
        }
        for a in message.attachments
    ]
    payload: dict[str, Any] = {
        "attachments": attachments,
        "date_creation": iso(now),
        "group": folder.id,
        "id": message.id,
        "message": text,
        "sender": SELLER_USER,
    }
    if attachments:
        payload["attachment"] = attachments[0]
    return json_response(201, payload)


def transfer_item(context: RouteContext, params: list[str]) -> SandboxResponse:
    """Serve ``POST /ws/sav/{careFolderId}/item-transfer``."""
    store = context.store
    state = state_for(store)
    _admit(store, state, "care.transfer_item")
    folder = _folder(state, params[0])

    body = json_object(context.request)
    shipper = body.get("shipperName")
    tracking = body.get("trackingNumber")
    if not isinstance(shipper, str) or not shipper.strip():
        raise bad_request("shipperName is required")
    if not isinstance(tracking, str) or not tracking.strip():
        raise bad_request("trackingNumber is required")
    action = body.get("action")
    if action is not None and action not in TRANSFER_ACTIONS:
        raise bad_request(
            f"action {action!r} is not one of {', '.join(TRANSFER_ACTIONS)}"
        )

    if folder.id >= LEGACY_LIMIT:
        raise ApiError(
            422,
            "not-supported",
            "Care folders with ID above 100,000,000 are not yet supported on this "
            "endpoint",
        )
    if any(
        t["trackingNumber"] == tracking
        for f in state.folders.values()
        for t in f.transfers
    ):
        raise bad_request(
            "An item transfer with this tracking number already exists",
            code="duplicate-tracking-number",
        )

    folder.transfers.append(
        {"shipperName": shipper, "trackingNumber": tracking, "action": action}
    )
    folder.date_modification = store.stamp(folder.date_modification)
    return empty_response(201)


ROUTE_SPECS = (
    ("GET", "/ws/sav", list_folders, "v1"),
    # The refund route comes before {careFolderId}, which would also match it.
    ("POST", "/ws/sav/refund", refund, "v1"),
    ("GET", "/ws/sav/{careFolderId}", get_folder, "v1"),
    ("POST", "/ws/sav/{careFolderId}/problem", declare_problem, "v1"),
    ("POST", "/ws/sav/{careFolderId}/msg", post_message, "v1"),
    ("POST", "/ws/sav/{careFolderId}/item-transfer", transfer_item, "v1"),
)
"""``(method, path, handler, auth error envelope)`` of each Care route."""
