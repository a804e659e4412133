"""Frames: state-year and dyad-year tables with provenance, and the ``--with`` enrichers.

Example:
    >>> from foedus.frames import ENRICHERS, parse_years
    >>> parse_years("1816-2024"), ENRICHERS["contiguity"].tables
    ((1816, 2024), ('cow_contdir',))
"""

from __future__ import annotations

from foedus._lazy import exports as _exports

_NAMES = {
    "ENRICHERS": "foedus.frames.enrichers",
    "Enricher": "foedus.frames.enrichers",
    "Frame": "foedus.frames.frame",
    "create_dyad_years": "foedus.frames.systems",
    "create_state_years": "foedus.frames.systems",
    "dyad_years": "foedus.frames.universe",
    "parse_years": "foedus.frames.universe",
    "STANDARD_DYAD_ENRICHMENTS": "foedus.frames.universe",
    "standard_dyad_years": "foedus.frames.universe",
    "state_years": "foedus.frames.universe",
}

__all__ = [
    "ENRICHERS",
    "STANDARD_DYAD_ENRICHMENTS",
    "Enricher",
    "Frame",
    "create_dyad_years",
    "create_state_years",
    "dyad_years",
    "parse_years",
    "standard_dyad_years",
    "state_years",
]

__getattr__, __dir__ = _exports(__name__, _NAMES)
