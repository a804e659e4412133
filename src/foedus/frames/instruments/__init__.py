"""Enrichers for the instruments of military diplomacy (arms transfers, military spending, defence
cooperation, exercises, US training/troops/visits, peace operations).

Each module adds columns to a state-year or dyad-year table and keeps its rows and their order;
coverage is explicit: outside a source's years (as the catalogue declares them) a value is null,
not 0.

Example:
    >>> import polars as pl
    >>> from foedus.frames.instruments import allocate_deliveries
    >>> deals = pl.DataFrame({"deal_id": [1], "supplier": ["France"], "recipient": ["India"],
    ...                       "delivery_years": [[2019, 2020]], "tiv_delivered": [10.0]})
    >>> allocate_deliveries(deals, resolve=False).select("year", "tiv").rows()
    [(2019, 5.0), (2020, 5.0)]
"""

from __future__ import annotations

from foedus._lazy import exports as _exports

_NAMES = {
    "allocate_deliveries": "foedus.frames.instruments.arms",
    "enrich_arms": "foedus.frames.instruments.arms",
    "enrich_dcas": "foedus.frames.instruments.defence_cooperation",
    "enrich_joint_exercises": "foedus.frames.instruments.exercises",
    "enrich_milex": "foedus.frames.instruments.arms",
    "enrich_pko": "foedus.frames.instruments.peacekeeping",
    "enrich_us_training": "foedus.frames.instruments.training",
    "enrich_us_troops": "foedus.frames.instruments.posture",
    "enrich_us_visits": "foedus.frames.instruments.visits",
    "milex_state_years": "foedus.frames.instruments.arms",
}

__all__ = [
    "allocate_deliveries",
    "enrich_arms",
    "enrich_dcas",
    "enrich_joint_exercises",
    "enrich_milex",
    "enrich_pko",
    "enrich_us_training",
    "enrich_us_troops",
    "enrich_us_visits",
    "milex_state_years",
]

__getattr__, __dir__ = _exports(__name__, _NAMES)
