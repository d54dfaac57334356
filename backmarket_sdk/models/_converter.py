"""The one cattrs converter that turns API JSON into the SDK's models.

Rules applied to every model:

- money fields typed ``Decimal`` accept decimal strings, integers and floats
  (a float goes through ``repr`` so that ``3.9`` stays ``Decimal("3.9")``);
- ``datetime`` fields accept RFC 3339 and ISO 8601 text with or without a
  fraction of any length and with or without a zone, and become aware UTC
  datetimes (a value without a zone is taken as UTC);
- an empty string in an optional field becomes None;
- keys a model does not declare are kept in its ``extra`` mapping.
"""

from __future__ import annotations

import enum
import re
import types
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

T = TypeVar("T")

EXTRA_FIELD = "extra"
JSON_KEY = "json_key"
CENTS = "cents"
"""Field metadata: the API sends this amount in cents."""

_DATETIME_RE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})(?:[Tt ](?P<h>\d{2}):(?P<m>\d{2})"
    r"(?::(?P<s>\d{2})(?:[.,](?P<frac>\d+))?)?)?\s*"
    r"(?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)


def parse_decimal(value: Any) -> Decimal:
    """Convert a JSON money value to ``Decimal`` without float rounding."""
    if isinstance(value, bool):
        raise ValueError(f"Invalid amount {value!r}: expected a decimal number")
    if isinstance(value, float):
        value = repr(value)
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError):
        raise ValueError(
            f"Invalid amount {value!r}: expected a decimal number"
        ) from None


def _parse_zone(zone: str | None) -> timezone:
    if zone is None or zone in ("Z", "z"):
        return timezone.utc
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return timezone(sign * timedelta(minutes=minutes))


def parse_datetime(value: Any) -> datetime:
    """Convert an API timestamp to an aware ``datetime`` in UTC."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            # Fast path: Python 3.11+ reads "Z" and any fraction length itself.
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = _parse_datetime_slow(value)
    else:
        raise ValueError(f"Invalid timestamp {value!r}: expected ISO 8601 text")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _parse_datetime_slow(value: str) -> datetime:
    match = _DATETIME_RE.match(value.strip())
    if match is None:
        raise ValueError(f"Invalid timestamp {value!r}: expected ISO 8601 text")
    year, month, day = (int(part) for part in match["date"].split("-"))
    fraction = (match["frac"] or "0")[:6].ljust(6, "0")
    return datetime(
        year,
        month,
        day,
        int(match["h"] or 0),
        int(match["m"] or 0),
        int(match["s"] or 0),
        int(fraction),
        tzinfo=_parse_zone(match["zone"]),
    )


def _is_optional(annotation: Any) -> bool:
    origin = get_origin(annotation)
    return origin in (Union, types.UnionType) and type(None) in get_args(annotation)


def _model_hook_factory(
    converter: cattrs.Converter,
) -> Callable[[type[Any]], Callable[[Any, type[Any]], Any]]:
    def factory(cls: type[Any]) -> Callable[[Any, type[Any]], Any]:
        attrs.resolve_types(cls)
        fields = attrs.fields(cls)
        overrides: dict[str, Any] = {}
        json_keys: set[str] = set()
        optional_keys: set[str] = set()
        has_extra = False
        for field in fields:
            if field.name == EXTRA_FIELD:
                has_extra = True
                overrides[field.name] = override(struct_hook=lambda value, _: value)
                continue
            key = field.metadata.get(JSON_KEY, field.name)
            hook = _structure_cents if field.metadata.get(CENTS) else None
            if key != field.name or hook is not None:
                overrides[field.name] = override(
                    rename=None if key == field.name else key, struct_hook=hook
                )
            json_keys.add(key)
            if _is_optional(field.type):
                optional_keys.add(key)
        base = make_dict_structure_fn(cls, converter, **overrides)

        def structure(data: Any, _: type[Any]) -> Any:
            if not isinstance(data, Mapping):
                raise ValueError(
                    f"Invalid {cls.__name__}: expected a JSON object, "
                    f"got {type(data).__name__}"
                )
            cleaned: dict[str, Any] = {}
            extra: dict[str, Any] = {}
            for key, value in data.items():
                if key in json_keys:
                    if value == "" and key in optional_keys:
                        value = None
                    cleaned[key] = value
                else:
                    extra[key] = value
            if has_extra:
                cleaned[EXTRA_FIELD] = extra
            return base(cleaned, cls)

        return structure

    return factory


def _structure_decimal(value: Any, _: type[Any]) -> Decimal:
    return parse_decimal(value)


def _structure_datetime(value: Any, _: type[Any]) -> datetime:
    return parse_datetime(value)


def _structure_str(value: Any, _: type[Any]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"Invalid text {value!r}: expected a string")


def _structure_int(value: Any, _: type[Any]) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError(f"Invalid integer {value!r}")


def _is_enum(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, enum.Enum)


def _structure_enum(value: Any, cls: type[Any]) -> Any:
    return cls(value)


def _structure_cents(value: Any, _: type[Any]) -> Decimal | None:
    if value is None or value == "":
        return None
    return (parse_decimal(value) / 100).quantize(Decimal("0.01"))


def _structure_any(value: Any, _: type[Any]) -> Any:
    return value


def make_converter() -> cattrs.Converter:
    """Build a converter with the SDK's rules for models, money and time."""
    converter = cattrs.Converter(detailed_validation=False)
    converter.register_structure_hook(Decimal, _structure_decimal)
    converter.register_structure_hook(datetime, _structure_datetime)
    # Predicates rather than types: a type hook for int or str would also
    # catch the int and str enums, which must go through their own lookup.
    converter.register_structure_hook_func(lambda t: t is str, _structure_str)
    converter.register_structure_hook_func(lambda t: t is int, _structure_int)
    converter.register_structure_hook_func(_is_enum, _structure_enum)
    converter.register_structure_hook(Any, _structure_any)
    converter.register_structure_hook_factory(attrs.has, _model_hook_factory(converter))
    return converter


converter = make_converter()


def structure(data: Any, cls: type[T]) -> T:
    """Convert decoded JSON to a model with the SDK's converter."""
    return converter.structure(data, cls)
