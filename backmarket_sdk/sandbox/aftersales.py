"""State and helpers of the BackShip, Care, BuyBack and BackBox routes.

These areas keep their records in an :class:`AftersalesState`, one per
sandbox :class:`Store`. They also read the store's orders and listings, so
a delivery follows its order and a refund changes its orderline. Handlers
run under the store's lock.
"""

from __future__ import annotations

import json
import random
import weakref
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from email import message_from_bytes
from email.message import Message
from typing import Any

from .errors import ApiError
from .messages import SandboxRequest, SandboxResponse, request_id
from .store import Store

PROBLEM_JSON = "application/problem+json"
MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0


class ProblemError(ApiError):
    """A client error sent in the problem shapes of the newer endpoints.

    Args:
        status: the HTTP status.
        code: a short machine-readable code.
        message: the human-readable message.
        shape: ``"v3"`` for ``{error, status, title, type, requestId}`` sent as
            ``application/problem+json``, ``"problem"`` for an RFC 7807
            problem sent as ``application/json``.
        errors: validation members ``{type, title, detail, target}``.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        shape: str = "v3",
        errors: Sequence[dict[str, str]] = (),
    ) -> None:
        super().__init__(status, code, message)
        self.shape = shape
        self.errors = list(errors)

    def response(self) -> SandboxResponse:
        """Return the response a client sees for this error."""
        payload: dict[str, Any]
        if self.shape == "problem":
            payload = {
                "type": f"/errors/{self.code}",
                "title": self.message,
                "status": self.status,
                "detail": self.message,
            }
            content_type = "application/json"
        else:
            payload = {
                "error": {"code": self.code, "message": self.message},
                "status": self.status,
                "title": self.message,
                "type": f"/errors/{self.code}",
                "requestId": request_id(),
            }
            content_type = PROBLEM_JSON
        if self.errors:
            payload["errors"] = self.errors
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return SandboxResponse(
            status=self.status, headers=[("Content-Type", content_type)], body=body
        )


def validation_member(target: str, detail: str) -> dict[str, str]:
    """Return one ``errors[]`` member of a validation problem."""
    return {
        "type": "/errors/validation-error",
        "title": "Validation error",
        "detail": detail,
        "target": target,
    }


def empty_response(status: int) -> SandboxResponse:
    """Return a response without a body, as several write routes return."""
    return SandboxResponse(status=status)


# -- request bodies -----------------------------------------------------------


@dataclass(frozen=True)
class FormPart:
    """One part of a multipart/form-data body."""

    name: str
    filename: str | None
    content_type: str
    content: bytes

    @property
    def text(self) -> str:
        """The part's content decoded as UTF-8."""
        return self.content.decode("utf-8", errors="replace")


def form_parts(request: SandboxRequest) -> list[FormPart]:
    """Parse a multipart/form-data body; raises ApiError 400 for another type."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise ApiError(
            400,
            "invalid-content-type",
            f"Content-Type {content_type or '(none)'!r} is not multipart/form-data",
        )
    message = message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + request.body
    )
    parts: list[FormPart] = []
    payload = message.get_payload() if message.is_multipart() else []
    for part in payload if isinstance(payload, list) else []:
        if not isinstance(part, Message):
            continue
        name = part.get_param("name", header="content-disposition")
        content = part.get_payload(decode=True)
        parts.append(
            FormPart(
                name=str(name) if name is not None else "",
                filename=part.get_filename(),
                content_type=part.get_content_type(),
                content=content if isinstance(content, bytes) else b"",
            )
        )
    return parts


def json_object(request: SandboxRequest) -> dict[str, Any]:
    """Parse a JSON object body; raises ApiError 400 otherwise."""
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "invalid-json", "request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid-json", "request body must be a JSON object")
    return body


def parse_query_datetime(raw: str, name: str) -> datetime:
    """Parse an ISO 8601 query value; one without a zone is taken as UTC."""
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise ApiError(
            400,
            "invalid-date",
            f"{name} {raw!r} is not a date-time such as '2021-05-05T06:58:31'",
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


# -- records ------------------------------------------------------------------


@dataclass
class Shipment:
    """A BackShip delivery or return label."""

    id: int
    kind: str
    order_id: int
    orderline_ids: list[int]
    carrier_id: int
    carrier_name: str
    reference_number: str
    tracking_number: str
    invoiced_price: int
    currency: str
    date_creation: datetime
    date_pickup: datetime
    date_delivery: datetime
    label: str
    hub_scanned: bool = False
    pickup_id: int = 0
    confirmation_number: str = ""


@dataclass
class CareAttachmentRecord:
    """A file attached to a Care message."""

    id: int
    url: str
    date_creation: datetime


@dataclass
class CareMessageRecord:
    """A message of a Care folder."""

    id: int
    message: str
    date_creation: datetime
    initiator: str
    kind: str
    sender: int
    attachments: list[CareAttachmentRecord] = field(default_factory=list)


@dataclass
class ClaimRecord:
    """A claim of a Care folder."""

    id: int
    state: int
    issues: list[tuple[str, str]]
    resolution_choice: str
    declared_warranty_state: str
    return_labels: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class CareFolderRecord:
    """A Care (after-sales) folder on one orderline."""

    id: int
    order_id: int
    orderline_id: int
    client_id: int
    state: int
    claims: list[ClaimRecord]
    messages: list[CareMessageRecord]
    date_creation: datetime
    date_modification: datetime
    date_last_message: datetime | None = None
    date_closed: datetime | None = None
    backcare: bool = False
    problems: list[dict[str, Any]] = field(default_factory=list)
    transfers: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class BuybackMessageRecord:
    """A message on a BuyBack order."""

    body: str
    date: datetime
    author: str
    attachments: list[str] = field(default_factory=list)


@dataclass
class BuybackOrderRecord:
    """A BuyBack (trade-in) order."""

    public_id: str
    status: str
    market: str
    currency: str
    product_id: int
    title: str
    grade: str
    sku: str
    customer: dict[str, Any]
    return_address: dict[str, str]
    original_price: Decimal
    creation_date: datetime
    modification_date: datetime
    shipping_date: datetime | None = None
    receival_date: datetime | None = None
    suspension_date: datetime | None = None
    payment_date: datetime | None = None
    counter_proposal_date: datetime | None = None
    counter_offer_price: Decimal | None = None
    tracking_number: str = ""
    shipper: str = ""
    suspend_reasons: list[str] = field(default_factory=list)
    counter_offer_reasons: list[str] = field(default_factory=list)
    messages: list[BuybackMessageRecord] = field(default_factory=list)


@dataclass
class BuybackListingRecord:
    """A BuyBack listing: a price per two-letter market code."""

    id: str
    product_id: str
    grade_code: str
    sku: str | None
    prices: dict[str, tuple[Decimal, str]]

    @property
    def markets(self) -> list[str]:
        """Markets where the listing is online: those with a price above 0."""
        return sorted(code for code, (amount, _) in self.prices.items() if amount > 0)


class OperationBudgets:
    """Sliding-window call counters per operation key, on sandbox seconds."""

    def __init__(self) -> None:
        self.enabled = True
        self._calls: dict[str, deque[float]] = {}

    def admit(self, key: str, budgets: Sequence[tuple[int, float]], now: float) -> bool:
        """Count one call of ``key``; return False, counting none, when over."""
        if not self.enabled:
            return True
        calls = self._calls.setdefault(key, deque())
        longest = max((period for _, period in budgets), default=0.0)
        while calls and calls[0] <= now - longest:
            calls.popleft()
        for limit, period in budgets:
            if sum(1 for sent in calls if sent > now - period) >= limit:
                return False
        calls.append(now)
        return True


@dataclass
class AftersalesState:
    """The records of the BackShip, Care, BuyBack and BackBox routes."""

    rng: random.Random
    deliveries: dict[int, Shipment] = field(default_factory=dict)
    returns: dict[int, Shipment] = field(default_factory=dict)
    folders: dict[int, CareFolderRecord] = field(default_factory=dict)
    refunded: dict[int, Decimal] = field(default_factory=dict)
    buyback_orders: dict[str, BuybackOrderRecord] = field(default_factory=dict)
    buyback_listings: dict[str, BuybackListingRecord] = field(default_factory=dict)
    # Best competitor price per (listing UUID, market), drawn as a factor of
    # the listing's price when first read.
    competitor_prices: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    budgets: OperationBudgets = field(default_factory=OperationBudgets)
    next_shipment_id: int = 610000
    next_message_id: int = 7700000
    next_attachment_id: int = 880000

    def take(self, counter: str) -> int:
        """Return the next value of the id counter named ``counter``."""
        value: int = getattr(self, counter)
        setattr(self, counter, value + 1)
        return value


_STATES: weakref.WeakKeyDictionary[Store, AftersalesState] = weakref.WeakKeyDictionary()


def register(store: Store, state: AftersalesState) -> None:
    """Tie ``state`` to ``store``."""
    _STATES[store] = state


def state_for(store: Store) -> AftersalesState:
    """Return the store's after-sales state, seeding it on first use."""
    state = _STATES.get(store)
    if state is None:
        from .seed_aftersales import seed_aftersales

        state = seed_aftersales(store)
    return state


def too_many_requests(key: str, limit_text: str) -> ProblemError:
    """Return the 429 of an operation budget."""
    return ProblemError(
        429,
        "too-many-requests",
        f"{key} is limited to {limit_text}; retry later",
    )


def iso(value: datetime) -> str:
    """Return an ISO 8601 timestamp with the UTC offset, as these routes send."""
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")
