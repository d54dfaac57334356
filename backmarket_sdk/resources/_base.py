"""Helpers shared by the resource modules: model parsing and value checks."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TypeVar

import cattrs

from backmarket_sdk import errors
from backmarket_sdk._http import RequestSpec
from backmarket_sdk.models._converter import converter, structure

if TYPE_CHECKING:
    from backmarket_sdk._client import AsyncBackMarketClient, BackMarketClient

T = TypeVar("T")


class SyncResource:
    """Base of the resource classes of :class:`BackMarketClient`."""

    def __init__(self, client: BackMarketClient) -> None:
        self._client = client


class AsyncResource:
    """Base of the resource classes of :class:`AsyncBackMarketClient`."""

    def __init__(self, client: AsyncBackMarketClient) -> None:
        self._client = client


# Exceptions a model hook raises for JSON that does not fit the model.
PARSE_ERRORS = (
    cattrs.BaseValidationError,
    ValueError,
    TypeError,
    KeyError,
    ArithmeticError,
    RecursionError,  # a category tree nested thousands of levels deep
)


def _malformed(
    cls: type[Any], spec: RequestSpec, data: Any, exc: Exception
) -> errors.MalformedResponseError:
    # NOTE: the parsers do not see the response, so a write answered with an
    # empty 204 where a model was expected is reported here as status 200.
    return errors.MalformedResponseError(
        f"Unexpected {cls.__name__} in the response ({type(exc).__name__}: {exc})",
        status=200,
        method=spec.method,
        url=spec.path,
        body=data,
    )


def parse_model(data: Any, cls: type[T], spec: RequestSpec) -> T:
    """Convert response JSON to a model, or raise ``MalformedResponseError``."""
    try:
        return structure(data, cls)
    except PARSE_ERRORS as exc:
        # Not chained: the cause is unmasked and its message is already in
        # this error's, masked.
        raise _malformed(cls, spec, data, exc) from None


def parse_list(data: Any, cls: type[T], spec: RequestSpec) -> list[T]:
    """Convert a JSON array to a list of models."""
    if not isinstance(data, list):
        raise errors.MalformedResponseError(
            f"Expected a JSON array of {cls.__name__}",
            status=200,
            method=spec.method,
            url=spec.path,
            body=data,
        )
    hook = converter.get_structure_hook(cls)
    try:
        return [hook(item, cls) for item in data]
    except PARSE_ERRORS:
        pass
    # Rare: convert again, item by item, to name the item that failed.
    for index, item in enumerate(data):
        try:
            hook(item, cls)
        except PARSE_ERRORS as exc:
            raise _malformed_item(cls, spec, index, item, exc) from None
    raise AssertionError("unreachable: a conversion that failed passed again")


# Keys that identify an item of a list, in the order they are tried.
_ITEM_ID_KEYS = ("order_id", "id", "listing_id", "sku", "listing")


def _malformed_item(
    cls: type[Any], spec: RequestSpec, index: int, item: Any, exc: Exception
) -> errors.MalformedResponseError:
    name = ""
    if isinstance(item, Mapping):
        key = next((k for k in _ITEM_ID_KEYS if item.get(k) is not None), None)
        if key is not None:
            name = f" ({key} {item[key]!r})"
    return errors.MalformedResponseError(
        f"Unexpected {cls.__name__} at index {index}{name} of the list in the "
        f"response ({type(exc).__name__}: {exc}); the other items were not "
        "returned",
        status=200,
        method=spec.method,
        url=spec.path,
        body=item,
    )


def require_id(name: str, value: object) -> int:
    """Return a positive integer id or raise ``InvalidRequestError``."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise errors.InvalidRequestError(
            f"Invalid {name} {value!r}: use a positive integer."
        )
    return value


def require_text(name: str, value: object, max_length: int | None = None) -> str:
    """Return a non-blank string or raise ``InvalidRequestError``."""
    if not isinstance(value, str) or not value.strip():
        raise errors.InvalidRequestError(
            f"Invalid {name} {value!r}: use a non-empty string."
        )
    if max_length is not None and len(value) > max_length:
        raise errors.InvalidRequestError(
            f"Invalid {name}: {len(value)} characters, at most {max_length} allowed."
        )
    return value


# Unicode general categories rejected in an identifier: control characters
# (Cc) such as NUL or a line feed, format characters (Cf) such as a zero-width
# space, and unpaired surrogates (Cs), which UTF-8 cannot encode.
CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})


def describe_character(char: str) -> str:
    """Name a character for an error message, such as ``U+200B ZERO WIDTH SPACE``."""
    name = unicodedata.name(char, "")
    kind = {"Cc": "control", "Cf": "format", "Cs": "surrogate"}.get(
        unicodedata.category(char)
    )
    label = f"U+{ord(char):04X}"
    if name:
        label += f" {name}"
    if kind:
        label += f", a {kind} character"
    return label


def find_control_character(value: str, allowed: str = "") -> int | None:
    """Return the index of the first control, format or surrogate character.

    Characters in ``allowed`` are skipped. Returns None when there is none.
    """
    for index, char in enumerate(value):
        if char not in allowed and unicodedata.category(char) in CONTROL_CATEGORIES:
            return index
    return None


def is_visible(char: str) -> bool:
    """Return whether a character is visible: not whitespace, a mark or a control."""
    return unicodedata.category(char)[0] not in "CMZ" and not char.isspace()


def reject_control_character(name: str, value: str, allowed: str = "") -> None:
    """Raise ``InvalidRequestError`` if ``value`` has a control character.

    Control characters here are those of :data:`CONTROL_CATEGORIES`, except
    the ones in ``allowed``.
    """
    index = find_control_character(value, allowed)
    if index is not None:
        raise errors.InvalidRequestError(
            f"Invalid {name} {value!r}: the character at index {index} is "
            f"{describe_character(value[index])}. Remove it; such characters "
            "are invisible and can come along when text is copied from a web "
            "page or a spreadsheet."
        )


def require_visible(name: str, value: str) -> None:
    """Raise ``InvalidRequestError`` unless ``value`` has a visible character."""
    if not any(is_visible(char) for char in value):
        raise errors.InvalidRequestError(
            f"Invalid {name} {value!r}: it has no visible character. Pass the "
            "value as printed, such as on the label or the device."
        )


def require_identifier(name: str, value: object, max_length: int | None = None) -> str:
    """Return a free-text identifier such as a SKU or a serial number, or raise.

    The value must be a non-blank string of at most ``max_length`` characters,
    with no control, format or surrogate character and at least one visible
    character. It is returned unchanged.
    """
    text = require_text(name, value, max_length)
    reject_control_character(name, text)
    require_visible(name, text)
    return text


def format_datetime(name: str, value: datetime) -> str:
    """Format an aware datetime as RFC 3339 in UTC, such as 2024-01-31T09:00:00Z."""
    if not isinstance(value, datetime):
        raise errors.InvalidRequestError(
            f"Invalid {name} {value!r}: use a timezone-aware datetime."
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise errors.InvalidRequestError(
            f"Invalid {name} {value.isoformat()}: the datetime has no time zone; "
            "pass an aware datetime, such as one with tzinfo=timezone.utc."
        )
    utc = value.astimezone(timezone.utc).replace(microsecond=0, tzinfo=None)
    return utc.isoformat() + "Z"
