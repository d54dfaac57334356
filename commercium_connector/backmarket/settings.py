"""Typed, validated settings of a Back Market connection.

``parse_settings`` builds ``BackMarketSettings`` from a plain mapping (a TOML
table or what a settings screen posts) and raises one ``SettingsError`` that
lists every invalid or missing value with its key and the fix. The token is
not a setting: the host passes it in ``Connection.credentials["token"]``.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timezone
from typing import Any, TypeVar

import attrs

from commercium_connector.backmarket.identifiers import ProductIdentifier
from commercium_connector.errors import SettingsError
from commercium_connector.types import SettingsProblem

T = TypeVar("T")

# Each market's currency: a price pushed to a market must be in this currency.
MARKET_CURRENCIES: Mapping[str, str] = {
    "fr-fr": "EUR",
    "fr-be": "EUR",
    "es-es": "EUR",
    "de-de": "EUR",
    "de-at": "EUR",
    "it-it": "EUR",
    "en-gb": "GBP",
    "nl-nl": "EUR",
    "pt-pt": "EUR",
    "en-ie": "EUR",
    "el-gr": "EUR",
    "sk-sk": "EUR",
    "sv-se": "SEK",
    "en-us": "USD",
    "ja-jp": "JPY",
    "en-au": "AUD",
}

ENVIRONMENTS = ("production", "preprod")
GRADES = ("PREMIUM", "EXCELLENT", "VERY_GOOD", "GOOD", "FAIR", "STALLONE")

# The form Back Market requires: BM-{CompanyName}-{IntegrationName};{email}.
USER_AGENT_PATTERN = re.compile(r"^BM-[^\s;-]+-[^\s;]+;[^\s;@]+@[^\s;@]+\.[^\s;@]+$")

# Placeholders a template may use; the values come from the Back Market order.
TEMPLATE_FIELDS = ("order_id", "market", "country_code")
TEMPLATE_SAMPLE = {"order_id": 123456, "market": "fr-fr", "country_code": "FR"}

# Values of ``orders.markets`` besides a list of market codes.
OWN_MARKET = "own"
ALL_MARKETS = "all"

# Back Market's documented data limit on the listing update paths.
DEFAULT_HOURLY_SKU_BUDGET = 2000
# Above this many price changes in one push, prices go through one catalog CSV
# task instead of one real-time call each.
DEFAULT_PRICE_CSV_THRESHOLD = 50


@attrs.frozen
class OrderSettings:
    """Order sync settings.

    Attributes:
        enabled: Whether orders are pulled.
        notify_unlinked: Whether the host should tell the seller about order
            lines (and their orders) that match no host product.
        skip_unpaid: Leave out orders whose payment is not confirmed (Back
            Market states 0 and 10); when off they are imported as unpaid.
        number_format: Template of the host order number.
        number_prefix: Text put before the formatted order number.
        number_suffix: Text put after the formatted order number.
        notes_format: Template of the host order notes.
        notes_prefix: Text put before the formatted notes.
        notes_suffix: Text put after the formatted notes.
        import_start: Orders created before this time (UTC) are not imported.
        overlap_minutes: How far before the newest change seen the next pull
            starts, so that a change written late on Back Market is not missed.
        markets: Whose orders the connection imports: ``"own"`` for the
            connection's market, ``"all"`` for every market of the seller
            account, or a tuple of market codes.
    """

    enabled: bool = True
    notify_unlinked: bool = True
    skip_unpaid: bool = True
    number_format: str = "{order_id}"
    number_prefix: str = ""
    number_suffix: str = ""
    notes_format: str = "Back Market order {order_id}"
    notes_prefix: str = ""
    notes_suffix: str = ""
    import_start: datetime | None = None
    overlap_minutes: int = 10
    markets: str | tuple[str, ...] = OWN_MARKET


@attrs.frozen
class ShipmentSettings:
    """Shipment sync settings.

    Attributes:
        enabled: Whether shipments are pushed.
        mappings: Back Market shipper for each host shipping method, keyed by
            the method name folded to lower case.
        fallback: Shipper for host methods with no mapping, or None to report
            such shipments as failed.
    """

    enabled: bool = True
    mappings: Mapping[str, str] = attrs.field(factory=dict)
    fallback: str | None = None

    def shipper_for(self, method: str) -> str | None:
        """Return the Back Market shipper for a host shipping method, or None."""
        return self.mappings.get(method.strip().casefold(), self.fallback)


@attrs.frozen
class InventorySettings:
    """Inventory sync settings.

    Attributes:
        enabled: Whether stock levels are pushed.
        safety_stock: Units kept back from Back Market: the pushed quantity is
            the available stock less this, and never below zero.
    """

    enabled: bool = True
    safety_stock: int = 0


@attrs.frozen
class PriceSettings:
    """Price sync settings.

    Attributes:
        enabled: Whether prices are pushed.
        csv_threshold: From this many changed prices in one push on, they go
            through one catalog CSV task instead of one real-time call each.
    """

    enabled: bool = True
    csv_threshold: int = DEFAULT_PRICE_CSV_THRESHOLD


@attrs.frozen
class ProductSettings:
    """Product sync settings.

    Attributes:
        enabled: Whether new listings are created for unlisted host products.
        default_inventory: Quantity pushed for products whose stock the host
            does not track, both on creation and by the inventory sync.
        default_grade: Grade of a new listing when the host product has none.
        warranty_delay: Warranty of a new listing, in months (12 at least).
    """

    enabled: bool = True
    default_inventory: int = 0
    default_grade: str = "EXCELLENT"
    warranty_delay: int = 12


@attrs.frozen
class BackMarketSettings:
    """All settings of one Back Market connection.

    Attributes:
        name: Friendly name of the seller account.
        market: Market code such as ``"fr-fr"``. Order pulls filter on it
            unless ``orders.markets`` says otherwise, and prices apply to it.
        user_agent: ``BM-{Company}-{Integration};{contact email}``, as Back
            Market requires.
        environment: ``"production"`` or ``"preprod"``.
        product_identifier: Which host product field equals the seller SKU.
        hourly_sku_budget: SKU lines the listing updates may use in one hour.
        task_timeout: Seconds to wait for a catalog CSV task to finish.
        task_poll_interval: Seconds between two reads of a running task.
        orders: Order sync settings.
        shipments: Shipment sync settings.
        inventory: Inventory sync settings.
        prices: Price sync settings.
        products: Product sync settings.
    """

    market: str
    user_agent: str
    name: str = ""
    environment: str = "production"
    product_identifier: ProductIdentifier = attrs.field(
        factory=lambda: ProductIdentifier(kind="sku")
    )
    hourly_sku_budget: int = DEFAULT_HOURLY_SKU_BUDGET
    task_timeout: float = 900.0
    task_poll_interval: float = 10.0
    orders: OrderSettings = attrs.field(factory=OrderSettings)
    shipments: ShipmentSettings = attrs.field(factory=ShipmentSettings)
    inventory: InventorySettings = attrs.field(factory=InventorySettings)
    prices: PriceSettings = attrs.field(factory=PriceSettings)
    products: ProductSettings = attrs.field(factory=ProductSettings)

    @property
    def currency(self) -> str:
        """ISO 4217 code of the market's currency."""
        return MARKET_CURRENCIES[self.market]

    @property
    def order_markets(self) -> tuple[str, ...] | None:
        """Market codes whose orders are imported, or None for every market."""
        chosen = self.orders.markets
        if chosen == ALL_MARKETS:
            return None
        if chosen == OWN_MARKET:
            return (self.market,)
        return tuple(chosen)


def known_shippers() -> frozenset[str]:
    """Return the shipper names Back Market accepts."""
    from backmarket_sdk.shippers import SHIPPERS

    return frozenset(SHIPPERS)


class _Reader:
    """Reads one table of settings, collecting every problem it meets."""

    def __init__(
        self, table: Mapping[str, Any], prefix: str, problems: list[SettingsProblem]
    ) -> None:
        self.table = table
        self.prefix = prefix
        self.problems = problems
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def problem(self, name: str, message: str) -> None:
        self.problems.append(SettingsProblem(key=self.key(name), message=message))

    def read(
        self, name: str, convert: Callable[[Any], T], default: T, *, required: bool
    ) -> T:
        self.seen.add(name)
        if name not in self.table:
            if required:
                self.problem(name, "missing; this setting is required")
            return default
        try:
            return convert(self.table[name])
        except ValueError as error:
            self.problem(name, str(error))
            return default

    def sub_table(self, name: str) -> Mapping[str, Any]:
        self.seen.add(name)
        value = self.table.get(name, {})
        if not isinstance(value, Mapping):
            self.problem(name, f"must be a table of settings, not {value!r}")
            return {}
        return value

    def reject_unknown(self, hints: Mapping[str, str] | None = None) -> None:
        for name in self.table:
            if name in self.seen:
                continue
            if hints and name in hints:
                self.problem(name, hints[name])
                continue
            close = difflib.get_close_matches(name, sorted(self.seen), n=1)
            fix = f"did you mean {close[0]!r}?" if close else "remove it"
            self.problem(name, f"unknown setting; {fix}")


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "yes", "on", "1"):
            return True
        if text in ("false", "no", "off", "0"):
            return False
    raise ValueError(f"invalid value {value!r}: use true or false")


def _to_int(minimum: int) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
            number = int(value.strip())
        if number is None:
            raise ValueError(f"invalid value {value!r}: use a whole number")
        if number < minimum:
            raise ValueError(f"invalid value {number}: use {minimum} or more")
        return number

    return convert


def _to_positive_float(value: Any) -> float:
    number: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or not number > 0:
        raise ValueError(f"invalid value {value!r}: use a number of seconds above 0")
    return number


def _to_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"invalid value {value!r}: use a text string")
    return value


def _to_non_blank(value: Any) -> str:
    text = _to_text(value).strip()
    if not text:
        raise ValueError("blank; give a value")
    return text


def _to_market(value: Any) -> str:
    text = _to_text(value).strip().lower()
    if text not in MARKET_CURRENCIES:
        known = ", ".join(MARKET_CURRENCIES)
        raise ValueError(f"unknown market {value!r}: use one of {known}")
    return text


def _to_order_markets(value: Any) -> str | tuple[str, ...]:
    fix = (
        "use 'own' (the connection's market), 'all' (every market of the "
        "seller account) or a list of market codes such as ['fr-fr', 'fr-be']"
    )
    if isinstance(value, str):
        text = value.strip().lower()
        if text in (OWN_MARKET, ALL_MARKETS):
            return text
        if text in MARKET_CURRENCIES:
            return (text,)
        raise ValueError(f"invalid value {value!r}: {fix}")
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError(f"invalid value {value!r}: {fix}")
    codes: list[str] = []
    for item in value:
        try:
            code = _to_market(item)
        except ValueError as error:
            raise ValueError(f"{error}; {fix}") from None
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _to_environment(value: Any) -> str:
    text = _to_text(value).strip().lower()
    if text not in ENVIRONMENTS:
        raise ValueError(
            f"unknown environment {value!r}: use 'production' or 'preprod'"
        )
    return text


def _to_user_agent(value: Any) -> str:
    text = _to_text(value).strip()
    if not USER_AGENT_PATTERN.match(text):
        raise ValueError(
            f"invalid user agent {value!r}: Back Market requires the form "
            "'BM-{CompanyName}-{IntegrationName};{contact email}', "
            "for example 'BM-Acme-Sync;ops@acme.example'"
        )
    return text


def _to_grade(value: Any) -> str:
    text = _to_text(value).strip().upper()
    if text not in GRADES:
        raise ValueError(f"unknown grade {value!r}: use one of {', '.join(GRADES)}")
    return text


def _to_identifier(value: Any) -> ProductIdentifier:
    return ProductIdentifier.parse(_to_text(value))


def _to_utc_datetime(value: Any) -> datetime:
    """Convert a TOML date-time, a date or an ISO 8601 text to an aware UTC time.

    A time without a zone is taken as UTC, as the setting is documented in UTC.
    """
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0, 0))
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            moment = None
    if moment is None:
        raise ValueError(
            f"invalid time {value!r}: use an ISO 8601 time in UTC, "
            "such as 2026-01-05T09:00:00Z"
        )
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _to_template(*, needs_order_id: bool) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        text = _to_text(value)
        fields = []
        try:
            for _, field, spec, conversion in string.Formatter().parse(text):
                if field is None:
                    continue
                if field not in TEMPLATE_FIELDS or conversion or "{" in (spec or ""):
                    allowed = ", ".join("{" + name + "}" for name in TEMPLATE_FIELDS)
                    raise ValueError(
                        f"invalid placeholder {{{field}}} in {text!r}: use {allowed}"
                    )
                fields.append(field)
            text.format(**TEMPLATE_SAMPLE)
        except (ValueError, IndexError, KeyError) as error:
            if str(error).startswith("invalid placeholder"):
                raise
            raise ValueError(
                f"invalid template {text!r} ({error}); write placeholders as "
                "{order_id} and a literal brace as {{ or }}"
            ) from None
        if needs_order_id and "order_id" not in fields:
            raise ValueError(
                f"template {text!r} lacks {{order_id}}: without it every order "
                "gets the same number"
            )
        return text

    return convert


def _to_mappings(
    known: frozenset[str],
) -> Callable[[Any], dict[str, str]]:
    def convert(value: Any) -> dict[str, str]:
        if not isinstance(value, Mapping):
            raise ValueError(
                f"invalid value {value!r}: use a table of host shipping method = "
                "Back Market shipper"
            )
        result: dict[str, str] = {}
        errors: list[str] = []
        originals: dict[str, str] = {}
        for method, shipper in value.items():
            folded = str(method).strip().casefold()
            if not folded:
                errors.append("a host shipping method is blank")
                continue
            if folded in originals:
                errors.append(
                    f"host shipping methods {originals[folded]!r} and {method!r} "
                    "differ only in case; keep one"
                )
                continue
            problem = _shipper_problem(shipper, known)
            if problem:
                errors.append(f"{method!r}: {problem}")
                continue
            originals[folded] = str(method)
            result[folded] = shipper
        if errors:
            raise ValueError("; ".join(errors))
        return result

    return convert


def _shipper_problem(shipper: Any, known: frozenset[str]) -> str | None:
    if not isinstance(shipper, str) or not shipper.strip():
        return f"invalid shipper {shipper!r}: use a Back Market shipper name"
    if shipper in known:
        return None
    by_case = {name.casefold(): name for name in known}
    suggestion = by_case.get(shipper.strip().casefold())
    if suggestion is None:
        close = difflib.get_close_matches(shipper, sorted(known), n=1, cutoff=0.6)
        suggestion = close[0] if close else None
    hint = f"did you mean {suggestion!r}?" if suggestion else "use 'Other' if absent"
    return f"unknown shipper {shipper!r}, not in Back Market's shipper list; {hint}"


def _to_shipper(known: frozenset[str]) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        problem = _shipper_problem(value, known)
        if problem:
            raise ValueError(problem)
        return str(value)

    return convert


def _parse_orders(reader: _Reader) -> OrderSettings:
    defaults = OrderSettings()
    number = _to_template(needs_order_id=True)
    notes = _to_template(needs_order_id=False)
    settings = OrderSettings(
        enabled=reader.read("enabled", _to_bool, defaults.enabled, required=False),
        notify_unlinked=reader.read(
            "notify_unlinked", _to_bool, defaults.notify_unlinked, required=False
        ),
        skip_unpaid=reader.read(
            "skip_unpaid", _to_bool, defaults.skip_unpaid, required=False
        ),
        number_format=reader.read(
            "number_format", number, defaults.number_format, required=False
        ),
        number_prefix=reader.read("number_prefix", _to_text, "", required=False),
        number_suffix=reader.read("number_suffix", _to_text, "", required=False),
        notes_format=reader.read(
            "notes_format", notes, defaults.notes_format, required=False
        ),
        notes_prefix=reader.read("notes_prefix", _to_text, "", required=False),
        notes_suffix=reader.read("notes_suffix", _to_text, "", required=False),
        import_start=reader.read(
            "import_start", _to_utc_datetime, None, required=False
        ),
        overlap_minutes=reader.read(
            "overlap_minutes", _to_int(0), defaults.overlap_minutes, required=False
        ),
        markets=reader.read(
            "markets", _to_order_markets, defaults.markets, required=False
        ),
    )
    reader.reject_unknown()
    return settings


def _parse_shipments(reader: _Reader) -> ShipmentSettings:
    known = known_shippers()
    settings = ShipmentSettings(
        enabled=reader.read("enabled", _to_bool, True, required=False),
        mappings=reader.read("mappings", _to_mappings(known), {}, required=False),
        fallback=reader.read("fallback", _to_shipper(known), None, required=False),
    )
    reader.reject_unknown()
    return settings


def _parse_inventory(reader: _Reader) -> InventorySettings:
    settings = InventorySettings(
        enabled=reader.read("enabled", _to_bool, True, required=False),
        safety_stock=reader.read("safety_stock", _to_int(0), 0, required=False),
    )
    reader.reject_unknown()
    return settings


def _parse_prices(reader: _Reader) -> PriceSettings:
    settings = PriceSettings(
        enabled=reader.read("enabled", _to_bool, True, required=False),
        csv_threshold=reader.read(
            "csv_threshold", _to_int(1), DEFAULT_PRICE_CSV_THRESHOLD, required=False
        ),
    )
    reader.reject_unknown()
    return settings


def _parse_products(reader: _Reader) -> ProductSettings:
    defaults = ProductSettings()
    settings = ProductSettings(
        enabled=reader.read("enabled", _to_bool, True, required=False),
        default_inventory=reader.read(
            "default_inventory", _to_int(0), 0, required=False
        ),
        default_grade=reader.read(
            "default_grade", _to_grade, defaults.default_grade, required=False
        ),
        warranty_delay=reader.read(
            "warranty_delay", _to_int(12), defaults.warranty_delay, required=False
        ),
    )
    reader.reject_unknown()
    return settings


_TOP_LEVEL_HINTS = {
    "token": (
        "the token is not a setting; pass it as the connection's credential "
        "'token', read from the environment or a secret file"
    ),
}


def parse_settings(table: Mapping[str, Any]) -> BackMarketSettings:
    """Build the settings of a connection from a plain mapping.

    Args:
        table: Setting names to values, as in a TOML table, with the
            sub-tables ``orders``, ``shipments``, ``inventory``, ``prices`` and
            ``products``.

    Returns:
        The typed settings.

    Raises:
        SettingsError: Lists every invalid, unknown or missing setting, each
            with its dotted key and the fix.
    """
    if not isinstance(table, Mapping):
        raise SettingsError(
            [
                SettingsProblem(
                    key="", message=f"settings must be a table, not {table!r}"
                )
            ]
        )
    problems: list[SettingsProblem] = []
    top = _Reader(table, "", problems)
    market = top.read("market", _to_market, "fr-fr", required=True)
    user_agent = top.read("user_agent", _to_user_agent, "", required=True)
    name = top.read("name", _to_non_blank, f"Back Market {market}", required=False)
    environment = top.read("environment", _to_environment, "production", required=False)
    identifier = top.read(
        "product_identifier",
        _to_identifier,
        ProductIdentifier(kind="sku"),
        required=False,
    )
    budget = top.read(
        "hourly_sku_budget", _to_int(1), DEFAULT_HOURLY_SKU_BUDGET, required=False
    )
    task_timeout = top.read("task_timeout", _to_positive_float, 900.0, required=False)
    poll = top.read("task_poll_interval", _to_positive_float, 10.0, required=False)

    sections = {
        name: _Reader(top.sub_table(name), f"{name}.", problems)
        for name in ("orders", "shipments", "inventory", "prices", "products")
    }
    orders = _parse_orders(sections["orders"])
    shipments = _parse_shipments(sections["shipments"])
    inventory = _parse_inventory(sections["inventory"])
    prices = _parse_prices(sections["prices"])
    products = _parse_products(sections["products"])
    top.reject_unknown(_TOP_LEVEL_HINTS)

    if problems:
        raise SettingsError(problems)
    return BackMarketSettings(
        market=market,
        user_agent=user_agent,
        name=name,
        environment=environment,
        product_identifier=identifier,
        hourly_sku_budget=budget,
        task_timeout=task_timeout,
        task_poll_interval=poll,
        orders=orders,
        shipments=shipments,
        inventory=inventory,
        prices=prices,
        products=products,
    )


def coerce_settings(value: Any) -> BackMarketSettings:
    """Return typed settings, parsing them first when the host passed a mapping.

    Raises:
        SettingsError: The mapping is invalid, or the value is neither typed
            settings nor a mapping.
    """
    if isinstance(value, BackMarketSettings):
        return value
    if isinstance(value, Mapping):
        return parse_settings(value)
    raise SettingsError(
        [
            SettingsProblem(
                key="",
                message=(
                    f"expected Back Market settings or a table of them, not "
                    f"{type(value).__name__}"
                ),
            )
        ]
    )
