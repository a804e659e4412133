"""Alliances: the ATOP 5.1 registry, curated changes after 2018, and the collective-defence engine.

Example:
    >>> from foedus.alliances import load_curated
    >>> load_curated().version
    '2026.11.1'
"""

from foedus.alliances.curated import Curated, CuratedFact, load_curated
from foedus.alliances.defence import DefenceAnalysis, EscalationNode, Obligation, responders
from foedus.alliances.registry import (
    Alliance,
    Membership,
    Phase,
    UnknownAllianceError,
    alliance,
    alliances_of,
    names_table,
)

__all__ = [
    "Alliance",
    "Curated",
    "CuratedFact",
    "DefenceAnalysis",
    "EscalationNode",
    "Membership",
    "Obligation",
    "Phase",
    "UnknownAllianceError",
    "alliance",
    "alliances_of",
    "load_curated",
    "names_table",
    "responders",
]
