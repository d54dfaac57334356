"""Handlers of the listing, task and category routes."""

from __future__ import annotations

from typing import Any

from . import categories, csv_import, serialize
from .errors import ApiError, bad_request, not_found
from .limits import RateLimiter
from .markets import market as lookup_market
from .messages import SandboxRequest, SandboxResponse, json_response
from .pages import paginate
from .records import TASK_DONE, TASK_FAILED, TASK_IN_PROGRESS, TASK_TODO, Listing, Task
from .store import (
    MAX_COMMENT,
    MIN_WARRANTY_MONTHS,
    ListingChange,
    Store,
    parse_int,
    parse_price,
)


def _int_filter(request: SandboxRequest, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    if not raw.lstrip("-").isdigit():
        raise bad_request(f"{name} must be an integer, got {raw!r}")
    return int(raw)


def list_listings(
    store: Store, request: SandboxRequest, market: str
) -> SandboxResponse:
    """Handle ``GET /ws/listings`` for the listings offered on ``market``."""
    publication = _int_filter(request, "publication_state")
    if publication is not None and publication not in range(5):
        raise bad_request(f"publication_state must be 0 to 4, got {publication}")
    low = _int_filter(request, "min_quantity")
    high = _int_filter(request, "max_quantity")

    def keep(listing: Listing) -> bool:
        if market not in listing.offers:
            return False
        if publication is not None and listing.publication_state(market) != publication:
            return False
        if low is not None and listing.quantity < low:
            return False
        return high is None or listing.quantity <= high

    listings = [listing for listing in store.listings if keep(listing)]
    page = paginate(request, listings, lambda item: serialize.listing(item, market))
    return json_response(200, page)


def _detail(listing: Listing, market: str) -> dict[str, Any]:
    payload = serialize.listing(listing, market)
    payload["statuscode"] = 200
    return payload


def get_listing(
    store: Store, request: SandboxRequest, market: str, key: str
) -> SandboxResponse:
    """Handle ``GET /ws/listings/{listingId}`` (UUID or legacy integer id)."""
    listing = store.listing_by_key(key)
    if listing is None:
        raise not_found(f"listing {key} does not exist", code="listing-not-found")
    return json_response(200, _detail(listing, market))


def listing_detail(
    store: Store, request: SandboxRequest, market: str
) -> SandboxResponse:
    """Handle ``GET /ws/listings/detail`` by ``sku``, ``listing_id`` or ``id``."""
    query = request.query
    listing: Listing | None
    if query.get("sku"):
        listing = store.listing_by_sku(query["sku"])
        criterion = f"SKU {query['sku']!r}"
    elif query.get("listing_id"):
        if not query["listing_id"].isdigit():
            raise bad_request(
                f"listing_id must be an integer, got {query['listing_id']!r}"
            )
        listing = store.listing_by_key(query["listing_id"])
        criterion = f"listing_id {query['listing_id']}"
    elif query.get("id"):
        listing = store.listing_by_key(query["id"])
        criterion = f"id {query['id']}"
    else:
        raise bad_request("pass one of sku, listing_id or id")
    if listing is None:
        raise not_found(f"no listing with {criterion}", code="listing-not-found")
    return json_response(200, _detail(listing, market))


SHIPPING_SLOTS = (1, 2, 3)
_SHIPPING_KEYS = ("shipper", "shipper_display", "shipping_delay", "shipping_price")
UPDATE_FIELDS = frozenset(
    {"quantity", "price", "currency", "comment", "warranty_delay", "min_price"}
    | {f"{key}_{slot}" for key in _SHIPPING_KEYS for slot in SHIPPING_SLOTS}
)


def _shipping_option(body: dict[str, Any], slot: int) -> dict[str, Any] | None:
    """Validate shipping option ``slot``; None when the request removes it."""
    shipper = body.get(f"shipper_{slot}")
    if shipper is None:
        return None
    if not isinstance(shipper, str) or not shipper.strip() or len(shipper) > 200:
        raise bad_request(f"shipper_{slot} must be a carrier name, got {shipper!r}")
    missing = [
        f"{key}_{slot}"
        for key in ("shipping_price", "shipping_delay")
        if body.get(f"{key}_{slot}") is None
    ]
    if missing:
        raise bad_request(
            f"shipper_{slot} needs {' and '.join(missing)}; send the price and "
            "the delay in hours of this shipping option"
        )
    display = body.get(f"shipper_display_{slot}") or shipper
    if not isinstance(display, str):
        raise bad_request(f"shipper_display_{slot} must be text, got {display!r}")
    price = parse_price(body[f"shipping_price_{slot}"], f"shipping_price_{slot}")
    return {
        "shipping_price": serialize.money(price),
        "shipping_delay": parse_int(
            body[f"shipping_delay_{slot}"], f"shipping_delay_{slot}"
        ),
        "shipper": shipper,
        "shipper_display": display,
    }


def _listing_change(body: dict[str, Any], market: str) -> ListingChange:
    unknown = sorted(set(body) - UPDATE_FIELDS)
    if unknown:
        raise bad_request(
            f"unknown fields {', '.join(unknown)}; a listing update takes "
            "quantity, price, currency, comment, warranty_delay, min_price and "
            "shipper_N, shipper_display_N, shipping_price_N, shipping_delay_N "
            "for N from 1 to 3"
        )
    change = ListingChange()
    for slot in SHIPPING_SLOTS:
        if any(f"{key}_{slot}" in body for key in _SHIPPING_KEYS):
            change.shippings[slot] = _shipping_option(body, slot)
    if "quantity" in body:
        change.quantity = parse_int(body["quantity"], "quantity", 0)
    if "price" in body:
        change.price = parse_price(body["price"])
        expected = lookup_market(market).currency
        currency = body.get("currency", expected)
        if not isinstance(currency, str) or currency.upper() != expected:
            raise bad_request(
                f"currency {currency!r} does not match the market {market} "
                f"({expected}); send currency {expected} or change Accept-Language",
                code="invalid-currency",
            )
    if body.get("min_price") is not None:
        change.min_price = parse_price(body["min_price"], "min_price")
    if "comment" in body:
        comment = body["comment"]
        if comment is not None and (
            not isinstance(comment, str) or len(comment) > MAX_COMMENT
        ):
            raise bad_request(
                f"comment must be text of at most {MAX_COMMENT} characters"
            )
        change.comment = comment
        change.set_comment = True
    if "warranty_delay" in body:
        change.warranty_delay = parse_int(
            body["warranty_delay"], "warranty_delay", MIN_WARRANTY_MONTHS
        )
    return change


def update_listing(
    store: Store,
    limiter: RateLimiter,
    request: SandboxRequest,
    market: str,
    key: str,
) -> SandboxResponse:
    """Handle ``POST /ws/listings/{listingId}``, a real-time partial update."""
    listing = store.listing_by_key(key)
    if listing is None:
        raise not_found(f"listing {key} does not exist", code="listing-not-found")
    try:
        return _update_listing(store, limiter, request, market, listing)
    except ApiError as error:
        # This route responds to a 400 with a bare JSON string, not an envelope.
        if error.status == 400:
            error.envelope = "text"
        raise


def _update_listing(
    store: Store,
    limiter: RateLimiter,
    request: SandboxRequest,
    market: str,
    listing: Listing,
) -> SandboxResponse:
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        raise bad_request(
            "request body is not valid JSON", code="invalid-json"
        ) from None
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object", code="invalid-json")
    change = _listing_change(body, market)
    if not limiter.admit_sku_lines(1, store.clock.seconds()):
        raise sku_limit_error()
    store.change_listing(listing, market, change)
    payload = _detail(listing, market)
    if change.shippings:
        payload["shippings_response"] = _shipping_messages(change, market)
    return json_response(200, payload)


def _shipping_messages(change: ListingChange, market: str) -> list[str]:
    messages = []
    for slot, option in sorted(change.shippings.items()):
        if option is None:
            messages.append(f"shipping option {slot} removed for {market}")
        else:
            shipper = option["shipper"]
            messages.append(f"shipping option {slot} ({shipper}) saved for {market}")
    return messages


def sku_limit_error() -> ApiError:
    """Return the 429 of the hourly SKU-line limit."""
    return ApiError(
        429,
        "too-many-sku-lines",
        "too many SKU lines updated in the last hour; retry later",
    )


def import_catalog(
    store: Store,
    limiter: RateLimiter,
    request: SandboxRequest,
    market: str,
) -> SandboxResponse:
    """Handle ``POST /ws/listings``: queue a catalog CSV task."""
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        raise ApiError(
            400, "invalid-json", "request body is not valid JSON", envelope="text"
        ) from None
    catalog, delimiter, quotechar, encoding = csv_import.parse_body(body)
    now = store.clock.seconds()
    if not limiter.admit_sku_lines(csv_import.data_rows(catalog), now):
        raise sku_limit_error()
    task = Task(
        task_id=store.take_id("next_task_id"),
        market=market,
        catalog=catalog,
        delimiter=delimiter,
        quotechar=quotechar,
        encoding=encoding,
        created_at=now,
    )
    store.add_task(task)
    return json_response(200, {"bodymessage": task.task_id, "statuscode": 200})


def advance_tasks(store: Store, durations: tuple[float, float]) -> None:
    """Move every unfinished task along the sandbox clock.

    A task is todo until ``durations[0]`` seconds after creation, in progress
    until ``durations[1]``, then processed (done or failed).
    """
    now = store.clock.seconds()
    start_after, finish_after = durations
    for task in store.tasks.values():
        if task.status in (TASK_DONE, TASK_FAILED):
            continue
        elapsed = now - task.created_at
        if elapsed >= finish_after:
            csv_import.process(store, task)
        elif elapsed >= start_after:
            task.status = TASK_IN_PROGRESS
        else:
            task.status = TASK_TODO


def get_task(store: Store, request: SandboxRequest, task_id: str) -> SandboxResponse:
    """Handle ``GET /ws/tasks/{taskId}``."""
    task = store.tasks.get(int(task_id)) if task_id.isdigit() else None
    if task is None:
        raise not_found(f"task {task_id} does not exist", code="task-not-found")
    return json_response(
        200,
        {
            "task_id": task.task_id,
            "action_status": task.status,
            "last_action_error": task.last_action_error,
            "result": task.result,
            "statuscode": 200,
        },
    )


def category_tree(store: Store, request: SandboxRequest) -> SandboxResponse:
    """Handle ``GET /ws/category/tree``."""
    return json_response(200, categories.tree())


def category_branch(
    store: Store, request: SandboxRequest, category_id: str
) -> SandboxResponse:
    """Handle ``GET /ws/category/tree/{categoryId}``."""
    branch = categories.branch(int(category_id)) if category_id.isdigit() else None
    if branch is None:
        raise not_found(
            f"category {category_id} does not exist", code="category-not-found"
        )
    return json_response(200, branch)
