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
import sys
import types
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs

T = TypeVar("T")

EXTRA_FIELD = "extra"
JSON_KEY = "json_key"
CENTS = "cents"
"""Field metadata: the API sends this amount in cents."""
MINIMUM = "minimum"
"""Field metadata: the smallest integer the field accepts."""

_DATETIME_RE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})(?:[Tt ](?P<h>\d{2}):(?P<m>\d{2})"
    r"(?::(?P<s>\d{2})(?:[.,](?P<frac>\d+))?)?)?\s*"
    r"(?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)


def parse_decimal(value: Any) -> Decimal:
    """Convert a JSON money value to ``Decimal`` without float rounding.

    Raises:
        ValueError: The value is not a number, or is NaN or infinite.
    """
    if isinstance(value, bool):
        raise ValueError(f"Invalid amount {value!r}: expected a decimal number")
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError):
        raise ValueError(
            f"Invalid amount {value!r}: expected a decimal number"
        ) from None
    if not amount.is_finite():
        raise ValueError(f"Invalid amount {value!r}: expected a finite number")
    return amount


_TRUE_TEXTS = frozenset({"true", "1"})
_FALSE_TEXTS = frozenset({"false", "0"})


def parse_bool(value: Any) -> bool:
    """Convert a JSON boolean, or 0, 1, "true" or "false", to ``bool``.

    Raises:
        ValueError: Any other value. Kept as it came, the text "false" would
            read as true in an ``if``.
    """
    if isinstance(value, bool):
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().casefold()
        if text in _TRUE_TEXTS:
            return True
        if text in _FALSE_TEXTS:
            return False
    raise ValueError(f"Invalid boolean {value!r}: expected true or false")


class FieldValueError(ValueError):
    """A JSON value that does not fit a model field.

    Attributes:
        model: Name of the model class.
        field: Name of the model attribute.
    """

    def __init__(self, model: str, field: str, message: str) -> None:
        super().__init__(f"{model}.{field}: {message}")
        self.model = model
        self.field = field


def _field_error(
    cls: type[Any], field: str, cause: BaseException, value: Any
) -> FieldValueError:
    if isinstance(cause, InvalidOperation):
        # The inline Decimal(v) raises this with only a signal name to show.
        message = f"Invalid amount {value!r}: expected a decimal number"
    else:
        message = str(cause)
    return FieldValueError(cls.__name__, field, message)


def _parse_zone(zone: str | None) -> timezone:
    if zone is None or zone in ("Z", "z"):
        return timezone.utc
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return timezone(sign * timedelta(minutes=minutes))


if sys.version_info >= (3, 11):
    _fromisoformat = datetime.fromisoformat
else:

    def _fromisoformat(value: str) -> datetime:
        # Python 3.10 reads neither "Z" nor fractions other than 3 or 6 digits.
        # The common "Z" form is rewritten here, and the rest takes the slow path.
        if value[-1:] in ("Z", "z"):
            value = value[:-1] + "+00:00"
        return datetime.fromisoformat(value)


def parse_datetime(value: Any) -> datetime:
    """Convert an API timestamp to an aware ``datetime`` in UTC."""
    if type(value) is str:
        try:
            parsed = _fromisoformat(value)
        except ValueError:
            # The slow path always returns an aware datetime.
            parsed = _parse_datetime_slow(value)
        else:
            if parsed.tzinfo is None:
                return _assume_utc(value, parsed)
    elif isinstance(value, datetime):
        parsed = value
    else:
        raise ValueError(f"Invalid timestamp {value!r}: expected ISO 8601 text")
    zone = parsed.tzinfo
    if zone is timezone.utc:
        return parsed
    if zone is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _assume_utc(value: str, parsed: datetime) -> datetime:
    # On CPython 3.11 a second parse with an explicit UTC offset measured about
    # a tenth of the time of replace(tzinfo=...). A date without a time ignores
    # the offset, so the result is checked.
    try:
        again = _fromisoformat(value + "+00:00")
    except ValueError:
        again = parsed
    if again.tzinfo is timezone.utc:
        return again
    return parsed.replace(tzinfo=timezone.utc)


def _parse_datetime_slow(value: str) -> datetime:
    match = _DATETIME_RE.match(value.strip())
    if match is None:
        raise ValueError(f"Invalid timestamp {value!r}: expected ISO 8601 text")
    year, month, day = (int(part) for part in match["date"].split("-"))
    fraction = (match["frac"] or "0")[:6].ljust(6, "0")
    try:
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
    except ValueError as exc:
        raise ValueError(f"Invalid timestamp {value!r}: {exc}") from None


def _optional_inner(annotation: Any) -> Any | None:
    """Return X for ``X | None``, or None when the annotation is not optional."""
    if get_origin(annotation) not in (Union, types.UnionType):
        return None
    args = [arg for arg in get_args(annotation) if arg is not type(None)]
    if len(args) != len(get_args(annotation)) - 1 or len(args) != 1:
        return None
    return args[0]


FieldHook = Callable[[Any], Any]


def _passthrough(value: Any) -> Any:
    return value


def _fast_str(value: Any) -> str:
    if type(value) is str:
        return value
    return _structure_str(value, str)


def _fast_int(value: Any) -> int:
    if type(value) is int:
        return value
    return _structure_int(value, int)


def _enum_hook(cls: Any) -> FieldHook:
    members = cls._value2member_map_

    def structure_enum(value: Any) -> Any:
        member = members.get(value)
        return member if member is not None else cls(value)

    return structure_enum


def _minimum_hook(inner: FieldHook, minimum: int) -> FieldHook:
    def structure_bounded(value: Any) -> Any:
        number = inner(value)
        if number < minimum:
            raise ValueError(f"Invalid value {value!r}: expected at least {minimum}")
        return number

    return structure_bounded


def _list_hook(inner: FieldHook) -> FieldHook:
    def structure_list(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise ValueError(f"Invalid list {value!r}: expected a JSON array")
        return [inner(item) for item in value]

    return structure_list


def _model_field_hook(converter: cattrs.Converter, cls: type[Any]) -> FieldHook:
    # Resolved on first use: a model may contain itself (a category's children).
    hook: list[Callable[[Any, type[Any]], Any]] = []

    def structure_model(value: Any) -> Any:
        if not hook:
            hook.append(converter.get_structure_hook(cls))
        return hook[0](value, cls)

    return structure_model


def _field_hook(converter: cattrs.Converter, annotation: Any) -> FieldHook:
    """Return a one-argument converter for values of a field's type."""
    simple: dict[Any, FieldHook] = {
        str: _fast_str,
        int: _fast_int,
        bool: parse_bool,
        Any: _passthrough,
        Decimal: parse_decimal,
        datetime: parse_datetime,
    }
    if annotation in simple:
        return simple[annotation]
    if _is_enum(annotation):
        return _enum_hook(annotation)
    if attrs.has(annotation):
        return _model_field_hook(converter, annotation)
    origin = get_origin(annotation)
    if origin is list:
        return _list_hook(_field_hook(converter, get_args(annotation)[0]))
    if origin in (Mapping, dict) or annotation in (Mapping, dict):
        return _passthrough
    return lambda value: converter.structure(value, annotation)


# Models whose hook is being generated; a field of such a type (a category's
# children) is resolved lazily to break the recursion.
_GENERATING: set[type[Any]] = set()


@attrs.frozen
class _Conversion:
    """Generated expressions converting ``v`` for one field.

    Attributes:
        fast: Expression for the common JSON shape, used when ``test`` is true.
        test: Condition that selects ``fast``, or None when there is none.
        general: Expression for every other value, which raises for bad ones.
        check: Condition on the fast result, named ``r``, that it must meet,
            or None. When set, a ValueError from ``fast`` sends the value to
            ``general`` instead, and a failed check to ``repair``.
        repair: Expression for a fast result that fails ``check``, or None
            for ``general``.
    """

    fast: str
    test: str | None
    general: str
    check: str | None = None
    repair: str | None = None


def _inline_conversion(
    converter: cattrs.Converter,
    name: str,
    annotation: Any,
    namespace: dict[str, Any],
    minimum: int | None = None,
) -> _Conversion:
    """Return the expressions converting ``v`` for a field of this type.

    Common JSON shapes are converted inline: a non-empty str for a str or
    Decimal field, an int for an int or int enum field, an object or a list
    of objects. Anything else goes through the field's general hook
    ``h_<name>``. An int field with a ``minimum`` sends smaller values to the
    general hook, which rejects them.
    """
    hook = f"h_{name}"
    namespace[hook] = _field_hook(converter, annotation)
    general = f"{hook}(v)"
    if annotation is str:
        return _Conversion("v", "type(v) is str and v", general)
    if annotation is int and minimum is not None:
        namespace[hook] = _minimum_hook(namespace[hook], minimum)
        return _Conversion("v", f"type(v) is int and v >= {int(minimum)}", general)
    if annotation is int:
        return _Conversion("v", "type(v) is int", general)
    if annotation is bool:
        return _Conversion("v", "type(v) is bool", general)
    if annotation is Any:
        return _Conversion("v", None, "v")
    if annotation is datetime:
        # The C parser reads the common RFC 3339 forms; a value it rejects,
        # or one not in UTC, goes through parse_datetime.
        namespace["fromisoformat"] = _fromisoformat
        namespace["UTC"] = timezone.utc
        # A time without a zone, as expected_dispatch_date comes, is UTC:
        # assume_utc reuses the parse rather than starting again in general.
        namespace["assume_utc"] = _assume_utc
        return _Conversion(
            "fromisoformat(v)",
            "type(v) is str and v",
            general,
            check="r.tzinfo is UTC",
            repair=f"assume_utc(v, r) if r.tzinfo is None else {general}",
        )
    if annotation is Decimal:
        namespace["Decimal"] = Decimal
        # Every text Decimal reads as NaN or infinite contains an "n" ("NaN",
        # "sNaN", "Inf", "Infinity"), and no finite one does, so those go to
        # parse_decimal, which rejects them.
        test = "type(v) is str and v and 'n' not in v and 'N' not in v"
        return _Conversion("Decimal(v)", test, general)
    if _is_enum(annotation):
        members = f"m_{name}"
        namespace[members] = annotation._value2member_map_
        raw = "int" if issubclass(annotation, int) else "str"
        test = f"type(v) is {raw} and v in {members}"
        return _Conversion(f"{members}[v]", test, general)
    if attrs.has(annotation) and annotation not in _GENERATING:
        namespace[f"g_{name}"] = converter.get_structure_hook(annotation)
        return _Conversion(f"g_{name}(v, None)", "type(v) is dict", general)
    item = get_args(annotation)[0] if get_origin(annotation) is list else None
    if item is not None and attrs.has(item) and item not in _GENERATING:
        namespace[f"g_{name}"] = converter.get_structure_hook(item)
        fast = f"[g_{name}(i, None) for i in v]"
        return _Conversion(fast, "type(v) is list", general)
    return _Conversion(general, None, general)


def _field_lines(
    field: attrs.Attribute[Any], key: str, conversion: _Conversion, optional: bool
) -> list[str]:
    """Return generated source lines that set local ``a_<name>`` for one field.

    A required field reads ``data[key]``, so a missing one raises KeyError
    naming it. An absent or null optional field, or an empty string in one,
    takes the field's default.
    """
    target = f"a_{field.name}"
    if field.default is attrs.NOTHING:
        read = f"    v = data[{key!r}]"
        other = conversion.general
    else:
        read = f"    v = get({key!r})"
        if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            default = f"f_{field.name}()"
        else:
            default = f"d_{field.name}"
        empty = "v is None or v == ''" if optional else "v is None"
        other = f"({default} if {empty} else {conversion.general})"
    if conversion.test is None:
        return [read, f"    {target} = {other}"]
    if conversion.check is None:
        fast = f"{conversion.fast} if {conversion.test} else {other}"
        return [read, f"    {target} = {fast}"]
    # A fast parse that may fail: try/except costs nothing on CPython 3.11
    # unless it raises.
    return [
        read,
        f"    if {conversion.test}:",
        "        try:",
        f"            r = {conversion.fast}",
        "        except ValueError:",
        f"            r = {conversion.general}",
        "        else:",
        f"            if not ({conversion.check}):",
        f"                r = {conversion.repair or conversion.general}",
        f"        {target} = r",
        "    else:",
        f"        {target} = {other}",
    ]


@attrs.frozen
class _HookSource:
    """Generated source of a model's structure hook, and the names it uses."""

    body: list[str]
    arguments: list[str]
    namespace: dict[str, Any]
    has_extra: bool


def _hook_source(converter: cattrs.Converter, cls: type[Any]) -> _HookSource:
    namespace: dict[str, Any] = {"Mapping": Mapping, "cls": cls}
    body: list[str] = []
    known: set[str] = set()
    arguments: list[str] = []
    has_extra = False
    for field in attrs.fields(cls):
        if field.name == EXTRA_FIELD:
            has_extra = True
            arguments.append("a_extra")
            continue

        inner = _optional_inner(field.type)
        annotation = field.type if inner is None else inner
        if field.metadata.get(CENTS):
            namespace[f"h_{field.name}"] = _structure_cents
            general = f"h_{field.name}(v)"
            conversion = _Conversion(general, None, general)
        else:
            conversion = _inline_conversion(
                converter,
                field.name,
                annotation,
                namespace,
                field.metadata.get(MINIMUM),
            )
        if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            namespace[f"f_{field.name}"] = field.default.factory
        else:
            namespace[f"d_{field.name}"] = field.default

        key = field.metadata.get(JSON_KEY, field.name)
        known.add(key)
        # The name of the field being converted, for the error of a bad value.
        body.append(f"    field = {field.name!r}")
        body.extend(_field_lines(field, key, conversion, inner is not None))
        arguments.append(f"a_{field.name}")
    namespace["KNOWN"] = frozenset(known)
    namespace["invalid"] = _invalid_object
    namespace["FieldValueError"] = FieldValueError
    namespace["field_error"] = _field_error
    return _HookSource(body, arguments, namespace, has_extra)


def _compile_hook(
    cls: type[Any], source: _HookSource
) -> Callable[[Any, type[Any]], Any]:
    # The field conversions run in a try block, free on CPython 3.11 unless it
    # raises, so that an error names the model and field. A nested model's
    # error already names its own field and passes through unchanged.
    lines = [
        "def structure(data, _):",
        "    if type(data) is not dict and not isinstance(data, Mapping):",
        "        raise invalid(cls, data)",
        "    get = data.get",
        "    try:",
        *(f"    {line}" for line in source.body),
        "    except FieldValueError:",
        "        raise",
        "    except (ValueError, TypeError, ArithmeticError) as exc:",
        "        raise field_error(cls, field, exc, v) from exc",
    ]
    if source.has_extra:
        # Keys that no field declares are rare: a set test finds them in C.
        lines += [
            "    if KNOWN.issuperset(data):",
            "        a_extra = {}",
            "    else:",
            "        a_extra = {k: x for k, x in data.items() if k not in KNOWN}",
        ]
    lines += _build_lines(cls, source)
    code = compile(
        "\n".join(lines), f"<backmarket_sdk structure {cls.__name__}>", "exec"
    )
    # The source is built above from attrs field names and JSON keys only.
    exec(code, source.namespace)  # noqa: S102
    hook: Callable[[Any, type[Any]], Any] = source.namespace["structure"]
    return hook


def _build_lines(cls: type[Any], source: _HookSource) -> list[str]:
    """Return the generated lines that build the model from ``a_<name>``."""
    setters = _slot_setters(cls)
    if setters is None:
        # Positional arguments in field order: faster than keywords.
        return [f"    return cls({', '.join(source.arguments)})"]

    builder = _builder_class(cls)
    source.namespace["new"] = object.__new__
    if builder is not None:
        # Plain attribute stores on the mutable twin, then one switch of
        # __class__, measured about three times faster than the slot setters
        # below (CPython 3.11, 23 fields). The instance gets the same values
        # in the same slots, as tests/sdk/test_model_hooks.py checks.
        source.namespace["Builder"] = builder
        names = [field.name for field in attrs.fields(cls)]
        return [
            "    model = new(Builder)",
            *(
                f"    model.{name} = {argument}"
                for name, argument in zip(names, source.arguments, strict=True)
            ),
            "    model.__class__ = cls",
            "    return model",
        ]

    # attrs' __init__ of a frozen class sets each slot through
    # object.__setattr__ by name. Calling each slot's descriptor directly
    # stores the same values, and measured about a third faster (CPython
    # 3.11, tests/sdk/test_model_hooks.py checks the models are equal).
    lines = ["    model = new(cls)"]
    for argument, setter in zip(source.arguments, setters, strict=True):
        source.namespace[f"s_{argument}"] = setter
        lines.append(f"    s_{argument}(model, {argument})")
    lines.append("    return model")
    return lines


def _builder_class(cls: type[Any]) -> type[Any] | None:
    """Return a mutable class with the slot layout of ``cls``, or None.

    Python lets an instance change ``__class__`` between two classes whose
    instances have the same layout, which for slotted classes means the same
    base and the same ``__slots__``. A ``__weakref__`` slot defeats that test,
    so models are declared with ``weakref_slot=False``. Returns None for a
    class whose layout the twin cannot match, such as a subclass of a model.
    """
    slots = cls.__dict__.get("__slots__")
    if cls.__bases__ != (object,) or not isinstance(slots, tuple):
        return None
    if set(slots) != {field.name for field in attrs.fields(cls)}:
        return None
    builder = type(f"{cls.__name__}Builder", (), {"__slots__": slots})
    probe: Any = object.__new__(builder)
    try:
        probe.__class__ = cls
    except TypeError:
        return None
    return builder


def _slot_setters(cls: type[Any]) -> list[Callable[[Any, Any], None]] | None:
    """Return the slot setters of a model's fields, in field order.

    Returns None when building the model needs its ``__init__``. That is the
    case when the class has no slots, caches its hash or defines a pre- or
    post-init hook, and when a field has a validator, converter or on-setattr
    hook or is left out of ``__init__``.
    """
    if any(
        hasattr(cls, hook) for hook in ("__attrs_pre_init__", "__attrs_post_init__")
    ):
        return None
    # A cached hash lives in a hidden slot that only __init__ clears.
    if "_attrs_cached_hash" in getattr(cls, "__slots__", ()):
        return None
    setters: list[Callable[[Any, Any], None]] = []
    for field in attrs.fields(cls):
        if field.validator is not None or field.converter is not None:
            return None
        if not field.init or field.on_setattr not in (None, attrs.setters.NO_OP):
            return None
        descriptor = next(
            (
                base.__dict__[field.name]
                for base in cls.__mro__
                if field.name in base.__dict__
            ),
            None,
        )
        if not isinstance(descriptor, types.MemberDescriptorType):
            return None
        setters.append(descriptor.__set__)
    return setters


def _model_hook_factory(
    converter: cattrs.Converter,
) -> Callable[[type[Any]], Callable[[Any, type[Any]], Any]]:
    def factory(cls: type[Any]) -> Callable[[Any, type[Any]], Any]:
        # One straight-line function per model, as cattrs generates its own,
        # because parsing a page of 50 orders is on every order sync's path.
        attrs.resolve_types(cls)
        _GENERATING.add(cls)
        try:
            return _compile_hook(cls, _hook_source(converter, cls))
        finally:
            _GENERATING.discard(cls)

    return factory


def _invalid_object(cls: type[Any], data: Any) -> ValueError:
    return ValueError(
        f"Invalid {cls.__name__}: expected a JSON object, got {type(data).__name__}"
    )


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


_CENT = Decimal("0.01")
# Whole cents below this convert exactly with scaleb, well inside the 28
# digits of the default decimal context.
_EXACT_CENTS_LIMIT = 10**20


def _structure_cents(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if type(value) is int and -_EXACT_CENTS_LIMIT < value < _EXACT_CENTS_LIMIT:
        # Same result as the division below, at about a fifth of its cost.
        return Decimal(value).scaleb(-2)
    return (parse_decimal(value) / 100).quantize(_CENT)


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
    converter.register_structure_hook_func(
        lambda t: t is bool, lambda value, _: parse_bool(value)
    )
    converter.register_structure_hook_func(_is_enum, _structure_enum)
    converter.register_structure_hook_func(lambda t: t is Any, _structure_any)
    converter.register_structure_hook_factory(attrs.has, _model_hook_factory(converter))
    return converter


converter = make_converter()


def structure(data: Any, cls: type[T]) -> T:
    """Convert decoded JSON to a model with the SDK's converter."""
    return converter.structure(data, cls)
