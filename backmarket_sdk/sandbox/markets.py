"""Back Market markets: the currency and country of each market code."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple


class Market(NamedTuple):
    """One Back Market market, named by its Accept-Language code."""

    code: str
    currency: str
    country: str
    platform: str


MARKETS: dict[str, Market] = {
    market.code: market
    for market in (
        Market("fr-fr", "EUR", "FR", "EU"),
        Market("fr-be", "EUR", "BE", "EU"),
        Market("es-es", "EUR", "ES", "EU"),
        Market("de-de", "EUR", "DE", "EU"),
        Market("de-at", "EUR", "AT", "EU"),
        Market("it-it", "EUR", "IT", "EU"),
        Market("en-gb", "GBP", "GB", "EU"),
        Market("nl-nl", "EUR", "NL", "EU"),
        Market("pt-pt", "EUR", "PT", "EU"),
        Market("en-ie", "EUR", "IE", "EU"),
        Market("el-gr", "EUR", "GR", "EU"),
        Market("sk-sk", "EUR", "SK", "EU"),
        Market("sv-se", "SEK", "SE", "EU"),
        Market("en-us", "USD", "US", "NA"),
        Market("ja-jp", "JPY", "JP", "AP"),
        Market("en-au", "AUD", "AU", "AP"),
    )
}

DEFAULT_MARKET = "fr-fr"

# Fixed sandbox exchange rates from EUR, used only to price seeded listings in
# markets whose currency differs from the seed's. They are not market data.
_RATES_FROM_EUR: dict[str, Decimal] = {
    "EUR": Decimal("1"),
    "GBP": Decimal("0.86"),
    "SEK": Decimal("11.2"),
    "USD": Decimal("1.08"),
    "JPY": Decimal("160"),
    "AUD": Decimal("1.65"),
}

_EXPONENTS: dict[str, Decimal] = {"JPY": Decimal("1")}


def market(code: str) -> Market:
    """Return the market for ``code``, raising ValueError with the known codes."""
    try:
        return MARKETS[code.lower()]
    except KeyError:
        known = ", ".join(MARKETS)
        raise ValueError(f"unknown market {code!r}; use one of {known}") from None


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` to the minor unit of ``currency``."""
    return amount.quantize(_EXPONENTS.get(currency, Decimal("0.01")), ROUND_HALF_UP)


def convert(amount: Decimal, source: str, target: str) -> Decimal:
    """Convert ``amount`` between currencies with the sandbox's fixed rates."""
    if source == target:
        return quantize(amount, target)
    if source not in _RATES_FROM_EUR or target not in _RATES_FROM_EUR:
        raise ValueError(
            f"no sandbox rate from {source} to {target}; "
            f"use one of {', '.join(_RATES_FROM_EUR)}"
        )
    in_eur = amount / _RATES_FROM_EUR[source]
    return quantize(in_eur * _RATES_FROM_EUR[target], target)
