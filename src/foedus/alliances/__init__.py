"""Alliances: the ATOP 5.1 registry, curated changes after 2018, and the collective-defence engine.

Example:
    >>> from foedus.alliances import load_curated
    >>> load_curated().version
    '2026.11.1'
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Names load their module on first use (PEP 562): the enricher registry imports
# ``foedus.alliances.enrichers`` and need not pay for the collective-defence engine.
_HOME = {
    "Curated": "curated", "CuratedFact": "curated", "load_curated": "curated",
    "DefenceAnalysis": "defence", "EscalationNode": "defence", "Obligation": "defence",
    "responders": "defence",
    "Alliance": "registry", "Membership": "registry", "Phase": "registry",
    "UnknownAllianceError": "registry", "alliance": "registry", "alliances_of": "registry",
    "names_table": "registry",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _HOME:
        import importlib

        value = getattr(importlib.import_module(f"foedus.alliances.{_HOME[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
