"""Care: after-sales folders, problems, refunds, messages and item transfers.

Every Care endpoint documents its own per-minute and per-day limits. The
resource counts them in an :class:`OperationLimiter` (``client.care.limiter``)
before the client's general limiter counts the call.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from backmarket_sdk import errors
from backmarket_sdk._http import FormField, MultipartPart, RequestSpec
from backmarket_sdk._operation_limits import (
    DAY,
    MINUTE,
    Budget,
    OperationLimiter,
)
from backmarket_sdk._pagination import AsyncPager, Params, SyncPager
from backmarket_sdk.models.care import (
    LEGACY_FOLDER_ID_LIMIT,
    PROBLEMS_NEEDING_ATTACHMENTS,
    Attachment,
    CareFolder,
    CareFolderState,
    CareFolderSummary,
    ItemTransferAction,
    PostedCareMessage,
    ProblemType,
    RefundType,
)
from backmarket_sdk.resources._base import (
    AsyncResource,
    SyncResource,
    parse_list,
    parse_model,
    reject_control_character,
    require_id,
    require_identifier,
    require_text,
)
from backmarket_sdk.resources.listings import format_amount

if TYPE_CHECKING:
    from backmarket_sdk._client import AsyncBackMarketClient, BackMarketClient

CARE_PATH = "/ws/sav"
REFUND_PATH = "/ws/sav/refund"
CARE_DATE_FORMAT = "%Y-%m-%d-%H-%M"
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 3 * 1024 * 1024
# Whitespace that message text may contain; other control characters are
# rejected.
MESSAGE_WHITESPACE = "\n\r\t"
# A refund is paid in whole cents. An amount of 10**13 or more has over 15
# significant digits, so refund_amount could not send it exactly.
MIN_REFUND = Decimal("0.01")
REFUND_LIMIT = Decimal(10) ** 13

# The limits each Care endpoint documents, per minute and per day.
CARE_BUDGETS: dict[str, tuple[Budget, ...]] = {
    "care.list": (Budget(520, MINUTE), Budget(4000, DAY)),
    "care.get": (Budget(600, MINUTE), Budget(40000, DAY)),
    "care.declare_problem": (Budget(750, MINUTE), Budget(1000, DAY)),
    "care.refund": (Budget(500, DAY),),
    "care.post_message": (Budget(560, MINUTE), Budget(40000, DAY)),
    "care.transfer_item": (Budget(292, MINUTE), Budget(500, DAY)),
}


def care_limiter(client: BackMarketClient | AsyncBackMarketClient) -> OperationLimiter:
    """Build the Care budgets of a client, on the clock of its general limiter.

    NOTE: a day is counted as a sliding 24-hour window; Back Market does not
    say whether its daily counters reset at a fixed hour, and a sliding window
    never lets more calls through than either reading allows.
    """
    general = client.rate_limiter
    return OperationLimiter(CARE_BUDGETS, general.clock, enabled=general.limits.enabled)


def format_care_date(name: str, value: datetime) -> str:
    """Format an aware datetime as ``YYYY-MM-DD-hh-mm`` in UTC.

    Seconds are dropped, so the filter also matches the rest of that minute:
    a poll may see a folder twice but never misses one.

    NOTE: Back Market does not say which time zone these filters use; UTC is
    assumed, as in the dates the API sends.
    """
    if not isinstance(value, datetime):
        raise errors.InvalidRequestError(
            f"Invalid {name} {value!r}: use a timezone-aware datetime."
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise errors.InvalidRequestError(
            f"Invalid {name} {value.isoformat()}: the datetime has no time zone; "
            "pass an aware datetime, such as one with tzinfo=timezone.utc."
        )
    return value.astimezone(timezone.utc).strftime(CARE_DATE_FORMAT)


def list_params(
    *,
    state: int | None,
    orderline_id: int | None,
    last_id: int | None,
    last_modification_date: datetime | None,
    last_message_date: datetime | None,
) -> Params:
    """Build the query of ``GET /ws/sav``; pages hold 10 folders, a fixed size."""
    params: Params = {}
    if state is not None:
        # bool is checked first: CareFolderState(False) would read as 0 (open).
        if (
            not isinstance(state, int)
            or isinstance(state, bool)
            or not CareFolderState(state).is_known
        ):
            raise errors.InvalidRequestError(
                f"Invalid Care folder state {state!r}: use 0 (open) or 9 (closed)."
            )
        params["state"] = int(state)
    if orderline_id is not None:
        params["orderline"] = require_id("orderline_id", orderline_id)
    if last_id is not None:
        if not isinstance(last_id, int) or isinstance(last_id, bool) or last_id < 0:
            raise errors.InvalidRequestError(
                f"Invalid last_id {last_id!r}: use the highest folder id already "
                "read, an integer of 0 or more."
            )
        params["last_id"] = last_id
    if last_modification_date is not None:
        params["last_modification_date"] = format_care_date(
            "last_modification_date", last_modification_date
        )
    if last_message_date is not None:
        params["last_message_date"] = format_care_date(
            "last_message_date", last_message_date
        )
    return params


def clean_page_links(data: Any) -> Any:
    """Turn the text ``"null"`` in a page's ``next`` or ``previous`` into None.

    Back Market types these links as strings and shows ``"null"`` as an
    example, and following such a link would fetch the first page again.
    """
    if isinstance(data, dict):
        for key in ("next", "previous"):
            if isinstance(data.get(key), str) and data[key].strip() in ("", "null"):
                data[key] = None
    return data


def folder_path(folder_id: int) -> str:
    """Return the path of one Care folder."""
    return f"{CARE_PATH}/{require_id('folder_id', folder_id)}"


def get_spec(folder_id: int) -> RequestSpec:
    """Describe ``GET /ws/sav/{careFolderId}``."""
    return RequestSpec("GET", folder_path(folder_id))


def require_message(name: str, value: object, max_length: int | None = None) -> str:
    """Check message text and return it unchanged.

    The text must be a non-blank string with no control or format character
    other than a line break or a tab.

    Raises:
        InvalidRequestError: The text is blank, too long or has such a
            character.
    """
    text = require_text(name, value, max_length)
    reject_control_character(name, text, MESSAGE_WHITESPACE)
    return text


def check_file_type(
    filename: str, content_type: str | None, allowed: Mapping[str, str]
) -> str:
    """Return the media type of a file whose type must be one of ``allowed``.

    Args:
        filename: The file's name; its extension must be a key of ``allowed``.
        content_type: The media type the caller gave, or None to take the
            one of the extension.
        allowed: Lower-case extension, such as ``.jpg``, to media type.
    """
    names = ", ".join(sorted(allowed))
    extension = "." + filename.rpartition(".")[2].lower() if "." in filename else ""
    media_type = allowed.get(extension)
    if media_type is None:
        raise errors.InvalidRequestError(
            f"Invalid file type of attachment {filename!r}: use a file ending "
            f"in one of {names}."
        )
    if content_type is not None:
        declared_type = content_type.partition(";")[0].strip().lower()
        if declared_type not in allowed.values():
            types = ", ".join(sorted(set(allowed.values())))
            raise errors.InvalidRequestError(
                f"Invalid content_type {content_type!r} of attachment "
                f"{filename!r}: use one of {types}, or leave it None to take "
                "the type of the file name."
            )
        media_type = declared_type
    return media_type


def check_attachments(
    name: str,
    attachments: Sequence[Attachment],
    field: str = "attachment",
    allowed: Mapping[str, str] | None = None,
) -> list[MultipartPart]:
    """Check files against the 10-file, 3 MB limits and return their parts.

    Args:
        name: Argument name shown in errors.
        attachments: The files.
        field: Multipart field name of each part.
        allowed: Lower-case file extension to media type, for a call that
            takes only some file types; None takes any type.
    """
    if isinstance(attachments, (str, bytes)) or not isinstance(attachments, Sequence):
        raise errors.InvalidRequestError(
            f"Invalid {name} {attachments!r}: pass a list of Attachment objects."
        )
    if len(attachments) > MAX_ATTACHMENTS:
        raise errors.InvalidRequestError(
            f"Too many {name}: {len(attachments)} files, at most {MAX_ATTACHMENTS}."
        )
    parts: list[MultipartPart] = []
    for item in attachments:
        if not isinstance(item, Attachment):
            raise errors.InvalidRequestError(
                f"Invalid {name} item {item!r}: use "
                "backmarket_sdk.models.Attachment(filename, content)."
            )
        # The name goes into a multipart header, where a line break would
        # start a new header.
        filename = require_identifier("attachment filename", item.filename)
        if not isinstance(item.content, (bytes, bytearray)) or not item.content:
            raise errors.InvalidRequestError(
                f"Invalid attachment {filename!r}: pass the file's bytes, not empty."
            )
        if len(item.content) > MAX_ATTACHMENT_BYTES:
            raise errors.InvalidRequestError(
                f"Attachment {filename!r} is {len(item.content)} bytes; Back Market "
                f"takes at most {MAX_ATTACHMENT_BYTES} bytes (3 MB) per file."
            )
        if allowed is not None:
            media_type = check_file_type(filename, item.content_type, allowed)
        else:
            media_type = item.content_type or (
                mimetypes.guess_type(filename)[0] or "application/octet-stream"
            )
        parts.append(MultipartPart(field, bytes(item.content), filename, media_type))
    return parts


def problem_spec(
    folder_id: int,
    problem_type: ProblemType | str,
    message: str | None,
    attachments: Sequence[Attachment],
) -> RequestSpec:
    """Describe ``POST /ws/sav/{careFolderId}/problem``."""
    path = folder_path(folder_id) + "/problem"
    kind = ProblemType(problem_type) if isinstance(problem_type, str) else None
    if kind is None or not kind.is_known:
        known = ", ".join(member.value for member in ProblemType)
        raise errors.InvalidRequestError(
            f"Invalid problem_type {problem_type!r}: use one of {known}."
        )
    files = check_attachments("attachments", attachments)
    if kind in PROBLEMS_NEEDING_ATTACHMENTS and not files:
        raise errors.InvalidRequestError(
            f"Missing attachments: a {kind.value} problem needs at least one file "
            "(a photo of the parcel, a proof of delivery)."
        )
    if folder_id < LEGACY_FOLDER_ID_LIMIT and (
        kind != ProblemType.OTHER or message is not None or files
    ):
        raise errors.InvalidRequestError(
            f"Care folder {folder_id} predates the current after-sales platform "
            "(id below 100,000,000): declare problem_type OTHER without a message "
            "or attachments."
        )
    form: list[FormField] = [("problem_type", kind.value)]
    if message is not None:
        form.append(("message", require_message("message", message)))
    return RequestSpec("POST", path, form=form, files=files, retry="unprocessed")


def refund_spec(
    orderline_id: int, refund_type: RefundType | int, amount: Decimal | str | None
) -> RequestSpec:
    """Describe ``POST /ws/sav/refund``; it is never resent once it may have run."""
    # bool is checked first: RefundType(True) raises a plain ValueError.
    if isinstance(refund_type, int) and not isinstance(refund_type, bool):
        kind: RefundType | None = RefundType(refund_type)
    else:
        kind = None
    if kind is None or not kind.is_known:
        raise errors.InvalidRequestError(
            f"Invalid refund_type {refund_type!r}: use 4 (paid orderline), "
            "5 (accepted orderline) or 6 (shipped orderline, with an amount)."
        )
    body: dict[str, Any] = {
        "orderline_pk": require_id("orderline_id", orderline_id),
        "refund_type": int(kind),
    }
    if amount is not None:
        if kind != RefundType.AFTER_SHIPPING:
            raise errors.InvalidRequestError(
                f"Invalid amount for refund_type {int(kind)}: only refund_type 6 "
                "takes an amount; types 4 and 5 refund the whole orderline."
            )
        body["amount"] = refund_amount(amount)
    # Back Market returns 201 with a text/plain summary of the refund.
    return RequestSpec(
        "POST", REFUND_PATH, json=body, retry="unprocessed", text_response=True
    )


def refund_amount(value: Decimal | str) -> float:
    """Check a refund amount and convert it to a float that JSON writes exactly.

    The API types the amount as a JSON number, and the JSON encoder writes a
    Decimal only through a float. An accepted amount has at most 15
    significant digits, so the float's shortest text, which the encoder
    writes, is the amount's own decimal text: ``89.99``, or ``10.0`` for a
    whole amount.
    """
    amount = Decimal(format_amount("amount", value))
    if amount < MIN_REFUND or amount >= REFUND_LIMIT:
        raise errors.InvalidRequestError(
            f"Invalid amount {value!r}: use an amount above 0, from "
            f"{MIN_REFUND} to {REFUND_LIMIT - MIN_REFUND}, such as '89.99'."
        )
    if amount != amount.quantize(MIN_REFUND):
        raise errors.InvalidRequestError(
            f"Invalid amount {value!r}: use whole cents, at most two decimal "
            "places, such as '89.99'."
        )
    return float(amount)


def message_spec(
    folder_id: int, message: str, attachments: Sequence[Attachment]
) -> RequestSpec:
    """Describe ``POST /ws/sav/{careFolderId}/msg``."""
    return RequestSpec(
        "POST",
        folder_path(folder_id) + "/msg",
        form=[("message", require_message("message", message))],
        files=check_attachments("attachments", attachments),
        retry="unprocessed",
    )


def transfer_spec(
    folder_id: int,
    shipper_name: str,
    tracking_number: str,
    action: ItemTransferAction | str | None,
) -> RequestSpec:
    """Describe ``POST /ws/sav/{careFolderId}/item-transfer``."""
    path = folder_path(folder_id) + "/item-transfer"
    # A tracking number is sent without the spaces often printed in it.
    body: dict[str, Any] = {
        "shipperName": require_identifier("shipper_name", shipper_name).strip(),
        "trackingNumber": "".join(
            require_identifier("tracking_number", tracking_number).split()
        ),
    }
    if action is not None:
        chosen = ItemTransferAction(action) if isinstance(action, str) else None
        if chosen is None or not chosen.is_known:
            raise errors.InvalidRequestError(
                f"Invalid action {action!r}: use REPAIR, REPLACE or NOTHING."
            )
        body["action"] = chosen.value
    return RequestSpec("POST", path, json=body, retry="unprocessed")


def refund_result(data: Any) -> str:
    """Return the refund summary, sent as text; an empty body gives ""."""
    return "" if data is None else str(data)


class Care(SyncResource):
    """``client.care``: after-sales (Care) folders of the seller.

    Attributes:
        limiter: The documented per-minute and per-day budgets of the Care
            endpoints, counted for this client.
    """

    def __init__(self, client: BackMarketClient) -> None:
        super().__init__(client)
        self.limiter = care_limiter(client)

    def _send(self, key: str, spec: RequestSpec) -> Any:
        # NOTE: a budget counts calls, not attempts: a retried call counts once.
        with self.limiter.hold(key, self._client.sleep):
            return self._client.request(spec)

    def list(
        self,
        *,
        state: int | None = None,
        orderline_id: int | None = None,
        last_id: int | None = None,
        last_modification_date: datetime | None = None,
        last_message_date: datetime | None = None,
    ) -> SyncPager[CareFolderSummary]:
        """List Care folders lazily, 10 a page, following each page's ``next``.

        To poll for new folders, keep the highest ``id`` seen and pass it as
        ``last_id`` next time: only folders with a higher id come back. In
        ``pages()``, ``Page.count`` is the number of folders on that page, as
        Back Market sends it, not a total.

        Args:
            state: 0 for open folders, 9 for closed ones.
            orderline_id: Only the folders of this orderline.
            last_id: Only folders with an id above this one.
            last_modification_date: Only folders modified after this aware
                datetime (sent to the minute).
            last_message_date: Only folders with a message after this datetime.
        """
        params = list_params(
            state=state,
            orderline_id=orderline_id,
            last_id=last_id,
            last_modification_date=last_modification_date,
            last_message_date=last_message_date,
        )

        # Keep the first request's filters on every page, in case a ``next``
        # URL leaves one out.
        def fetch(page_params: Params) -> Any:
            spec = RequestSpec("GET", CARE_PATH, {**params, **page_params})
            return clean_page_links(self._send("care.list", spec))

        def parse(items: list[Any]) -> list[CareFolderSummary]:
            return parse_list(items, CareFolderSummary, RequestSpec("GET", CARE_PATH))

        return SyncPager(fetch, params, parse, CARE_PATH)

    def get(self, folder_id: int) -> CareFolder:
        """Return one Care folder with its claims, messages and orderline."""
        spec = get_spec(folder_id)
        return parse_model(self._send("care.get", spec), CareFolder, spec)

    def declare_problem(
        self,
        folder_id: int,
        problem_type: ProblemType | str = ProblemType.OTHER,
        *,
        message: str | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> None:
        """Declare a problem on a Care folder.

        Args:
            folder_id: The Care folder.
            problem_type: A :class:`ProblemType`; DAMAGED_PACKAGE,
                ITEM_NOT_RECEIVED and OOW_ITEM need at least one attachment.
            message: Text sent with the declaration.
            attachments: Up to 10 files of at most 3 MB each.

        Raises:
            InvalidRequestError: A value is invalid, before any request. A
                folder below id 100,000,000 takes only OTHER, alone.
        """
        spec = problem_spec(folder_id, problem_type, message, attachments)
        self._send("care.declare_problem", spec)

    def refund(
        self,
        orderline_id: int,
        refund_type: RefundType | int,
        *,
        amount: Decimal | str | None = None,
    ) -> str:
        """Refund an orderline and return Back Market's summary of the refund.

        The call is never resent after a timeout, so a refund is never paid
        twice; check the orderline before calling again.

        Args:
            orderline_id: The orderline to refund.
            refund_type: 4 for a paid orderline, 5 for an accepted one, 6 for a
                shipped one.
            amount: Amount to refund, only with type 6, as a Decimal or a
                decimal string in whole cents of at least 0.01. None refunds
                the whole orderline.
        """
        spec = refund_spec(orderline_id, refund_type, amount)
        return refund_result(self._send("care.refund", spec))

    def post_message(
        self,
        folder_id: int,
        message: str,
        *,
        attachments: Sequence[Attachment] = (),
    ) -> PostedCareMessage:
        """Post a message on a Care folder; a closed folder opens again.

        Args:
            folder_id: The Care folder.
            message: Text of the message.
            attachments: Up to 10 files of at most 3 MB each.
        """
        spec = message_spec(folder_id, message, attachments)
        data = self._send("care.post_message", spec)
        return parse_model(data, PostedCareMessage, spec)

    def transfer_item(
        self,
        folder_id: int,
        *,
        shipper_name: str,
        tracking_number: str,
        action: ItemTransferAction | str | None = None,
    ) -> None:
        """Declare that an item is on its way back to the customer.

        Args:
            folder_id: The Care folder. Back Market documents that it does not
                support folders of id 100,000,000 and above here yet, and
                answers them with a 422 (``ValidationError``).
            shipper_name: Carrier name, such as DHL.
            tracking_number: Carrier tracking number; spaces are removed.
            action: What was done to the item: REPAIR, REPLACE or NOTHING.
        """
        spec = transfer_spec(folder_id, shipper_name, tracking_number, action)
        self._send("care.transfer_item", spec)


class AsyncCare(AsyncResource):
    """``client.care`` of the async client; see :class:`Care`."""

    def __init__(self, client: AsyncBackMarketClient) -> None:
        super().__init__(client)
        self.limiter = care_limiter(client)

    async def _send(self, key: str, spec: RequestSpec) -> Any:
        async with self.limiter.hold_async(key, self._client.sleep):
            return await self._client.request(spec)

    def list(
        self,
        *,
        state: int | None = None,
        orderline_id: int | None = None,
        last_id: int | None = None,
        last_modification_date: datetime | None = None,
        last_message_date: datetime | None = None,
    ) -> AsyncPager[CareFolderSummary]:
        """List Care folders lazily; use ``async for``. See :meth:`Care.list`."""
        params = list_params(
            state=state,
            orderline_id=orderline_id,
            last_id=last_id,
            last_modification_date=last_modification_date,
            last_message_date=last_message_date,
        )

        async def fetch(page_params: Params) -> Any:
            spec = RequestSpec("GET", CARE_PATH, {**params, **page_params})
            return clean_page_links(await self._send("care.list", spec))

        def parse(items: list[Any]) -> list[CareFolderSummary]:
            return parse_list(items, CareFolderSummary, RequestSpec("GET", CARE_PATH))

        return AsyncPager(fetch, params, parse, CARE_PATH)

    async def get(self, folder_id: int) -> CareFolder:
        """Return one Care folder with its claims, messages and orderline."""
        spec = get_spec(folder_id)
        return parse_model(await self._send("care.get", spec), CareFolder, spec)

    async def declare_problem(
        self,
        folder_id: int,
        problem_type: ProblemType | str = ProblemType.OTHER,
        *,
        message: str | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> None:
        """Declare a problem on a Care folder; see :meth:`Care.declare_problem`."""
        spec = problem_spec(folder_id, problem_type, message, attachments)
        await self._send("care.declare_problem", spec)

    async def refund(
        self,
        orderline_id: int,
        refund_type: RefundType | int,
        *,
        amount: Decimal | str | None = None,
    ) -> str:
        """Refund an orderline; see :meth:`Care.refund`."""
        spec = refund_spec(orderline_id, refund_type, amount)
        return refund_result(await self._send("care.refund", spec))

    async def post_message(
        self,
        folder_id: int,
        message: str,
        *,
        attachments: Sequence[Attachment] = (),
    ) -> PostedCareMessage:
        """Post a message on a Care folder; see :meth:`Care.post_message`."""
        spec = message_spec(folder_id, message, attachments)
        data = await self._send("care.post_message", spec)
        return parse_model(data, PostedCareMessage, spec)

    async def transfer_item(
        self,
        folder_id: int,
        *,
        shipper_name: str,
        tracking_number: str,
        action: ItemTransferAction | str | None = None,
    ) -> None:
        """Declare an item transfer; see :meth:`Care.transfer_item`."""
        spec = transfer_spec(folder_id, shipper_name, tracking_number, action)
        await self._send("care.transfer_item", spec)
