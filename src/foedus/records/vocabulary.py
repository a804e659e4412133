"""Controlled vocabularies of the engagement records: instruments, statuses and their lifecycle,
handling markings, roles, assessment ratings and currencies (ISO 4217).

Example:
    >>> canonical_instrument("Exercise")
    'exercises'
    >>> next_statuses("approved")
    ('ongoing', 'cancelled')
    >>> visible_markings("internal")
    ('public', 'internal')
"""

from __future__ import annotations

__all__ = [
    "CURRENCIES",
    "INSTRUMENTS",
    "MARKINGS",
    "RATINGS",
    "ROLES",
    "STATUSES",
    "canonical_instrument",
    "next_statuses",
    "visible_markings",
]

#: Instrument of an engagement → the foedus enricher that measures the same instrument in the
#: public data (``None``: no public counterpart). The names follow foedus's ``--with`` vocabulary.
INSTRUMENTS: dict[str, str | None] = {
    "arms": "arms",  # equipment deliveries / arms transfers (SIPRI)
    "dca": "dca",  # defence cooperation agreements (DCAD)
    "exercises": "exercises",  # joint exercises (JME / MME)
    "training": "us-training",  # training of foreign military personnel (FMTR)
    "troops": "us-troops",  # troop presence
    "visits": "us-visits",  # senior defence leader visits
    "pko": "pko",  # peace operations
    "advisory": None,  # advisory / mentoring missions
    "other": None,
}

_INSTRUMENT_ALIASES = {
    "arms-transfer": "arms", "arms-transfers": "arms", "equipment": "arms",
    "equipment-delivery": "arms", "delivery": "arms", "defence-cooperation-agreement": "dca",
    "defense-cooperation-agreement": "dca", "dcas": "dca", "exercise": "exercises",
    "joint-exercise": "exercises", "us-training": "training", "education": "training",
    "troop-presence": "troops", "deployment": "troops", "us-troops": "troops", "visit": "visits",
    "us-visits": "visits", "peacekeeping": "pko", "peace-operation": "pko",
    "advisory-mission": "advisory", "mentoring": "advisory",
}  # fmt: skip

#: The lifecycle: each status and the statuses it may move to.
STATUSES: dict[str, tuple[str, ...]] = {
    "proposed": ("approved", "cancelled"),
    "approved": ("ongoing", "cancelled"),
    "ongoing": ("completed", "cancelled"),
    "completed": ("assessed",),
    "assessed": (),
    "cancelled": (),
}

#: Handling markings, least to most sensitive.
MARKINGS: tuple[str, ...] = ("public", "internal", "restricted")

#: Roles and what they may do. ``clearance`` is the default highest marking a role may see.
ROLES: dict[str, dict[str, object]] = {
    "viewer": {"write": False, "admin": False, "clearance": "internal"},
    "analyst": {"write": True, "admin": False, "clearance": "restricted"},
    "admin": {"write": True, "admin": True, "clearance": "restricted"},
}

RATINGS: tuple[str, ...] = ("not-achieved", "partly-achieved", "achieved", "exceeded")

#: Active ISO 4217 alphabetic codes (2024 list, funds and metals excluded).
CURRENCIES: frozenset[str] = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT
LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR
NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP
STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD
XOF XPF YER ZAR ZMW ZWG
""".split())


def canonical_instrument(value: str) -> str:
    """The instrument's canonical name, or ``ValueError`` listing the valid ones.

    Example:
        >>> canonical_instrument("peacekeeping")
        'pko'
    """
    key = value.strip().lower().replace("_", "-").replace(" ", "-")
    key = _INSTRUMENT_ALIASES.get(key, key)
    if key not in INSTRUMENTS:
        raise ValueError(f"unknown instrument '{value}'; use one of: {', '.join(INSTRUMENTS)}")
    return key


def next_statuses(status: str) -> tuple[str, ...]:
    """Statuses an engagement in ``status`` may move to.

    Example:
        >>> next_statuses("completed")
        ('assessed',)
    """
    return STATUSES[status]


def visible_markings(clearance: str) -> tuple[str, ...]:
    """Markings a user with ``clearance`` may see.

    Example:
        >>> visible_markings("restricted")
        ('public', 'internal', 'restricted')
    """
    return MARKINGS[: MARKINGS.index(clearance) + 1]
