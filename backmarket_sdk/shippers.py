"""Carrier names that Back Market accepts as an order's ``shipper``.

A plain list kept by hand; a contract test compares it with the ``Shipper``
names of Back Market's OpenAPI description so that a change there shows up.
Some names differ only in spacing or case (``DHL Express`` and
``DHL  EXPRESS``); they are kept exactly as Back Market spells them.
"""

from __future__ import annotations

import difflib

SHIPPERS: frozenset[str] = frozenset(
    (
        "Allied Express",
        "Aramex Australia",
        "Australia Post",
        "Australia Post Express",
        "Austrian Post",
        "BPost",
        "BRT",
        "Chronopost",
        "Chronopost Express",
        "ColisPrivé",
        "Colissimo",
        "Correos",
        "Correos Express",
        "Couriers Please",
        "CTT",
        "Cubyn",
        "Cubyn Express",
        "DB Schenker",
        "Deutsche Post",
        "DHL",
        "DHL  EXPRESS",
        "DHL DE",
        "DHL Express",
        "DHL NL",
        "DHL Parcel Spain",
        "DHL SP",
        "DPD",
        "DPD Benelux",
        "DPD DE",
        "DPD FR",
        "DPD International",
        "DPD UK",
        "DPD UK Express",
        "DTDC Australia",
        "FedEx",
        "FedEx - 2Days",
        "FedEx - Overnight",
        "FedEx Express",
        "FedEx International",
        "Geodis",
        "Girard Agediss - Livraison dans la pièce de votre choix sur RDV",
        "GLS",
        "GLS - DE",
        "GLS - FR",
        "GLS - IT",
        "GLS International",
        "GLS Spain Express",
        "GLS-SPAIN",
        "Hermes - DE",
        "Hermes - UK",
        "Japan Post",
        "Livraison au pied du camion",
        "Livraison dans la pièce de votre choix",
        "Logoix",
        "MRW",
        "Murfy transporteur",
        "NACEX",
        "Other",
        "Parcelforce (Worldwide)",
        "ParcelForce Express",
        "Parcelpoint Pty Ltd",
        "Post NL",
        "Poste Italiane",
        "Private Transporter",
        "Royal Mail",
        "Royal Mail Express",
        "Sagawa",
        "Seino",
        "Sendle",
        "Seur",
        "Socolissimo",
        "Star Track Express",
        "TIPSA",
        "TIPSA Express",
        "TNT",
        "TNT Australia",
        "TNT Express",
        "Tourline",
        "UPS",
        "UPS 2 days",
        "UPS 2nd Day Air",
        "UPS Express",
        "UPS express save",
        "UPS Ground",
        "UPS next day",
        "UPS Overnight",
        "UPS standard",
        "USPS",
        "USPS - First Class",
        "USPS - Priority Mail",
        "USPS - Priority Mail Express",
        "USPS Express",
        "VIR",
        "Yamato",
        "Zeleris",
    )
)

_BY_FOLDED: dict[str, str] = {}
# Prefer the single-spaced spelling when two names fold to the same text.
for _name in sorted(SHIPPERS, key=lambda n: ("  " in n, n)):
    _BY_FOLDED.setdefault(" ".join(_name.casefold().split()), _name)


def canonical_shipper(name: str) -> str | None:
    """Return Back Market's spelling of a shipper name, or None if unknown.

    An exact name is returned as is; otherwise the match ignores case and
    repeated spaces.
    """
    if name in SHIPPERS:
        return name
    return _BY_FOLDED.get(" ".join(name.casefold().split()))


def suggest_shippers(name: str, limit: int = 3) -> list[str]:
    """Return the known shipper names closest to a misspelled one."""
    return difflib.get_close_matches(name, sorted(SHIPPERS), n=limit, cutoff=0.5)
