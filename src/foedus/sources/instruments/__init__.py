"""Sources of the instruments of military diplomacy (arms transfers, spending, defence cooperation,
exercises, training, troops and bases, visits, peace operations).

Each family module declares its sources (``SOURCES``: list of :class:`foedus.sources.model.Source`)
and formats (``FORMATS``: list of :class:`foedus.sources.model.Format`); :data:`FAMILIES` names the
modules that the core registry loads.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["FAMILIES", "family_modules"]

#: Module names (under this package) whose SOURCES and FORMATS join the registry.
FAMILIES: tuple[str, ...] = (
    "unga",
    "sipri",
    "dcad",
    "exercises",
    "training",
    "us_posture",
    "visits",
    "peacekeeping",
    "events",
    "arms_control",
    "nonstate",
    "us_aid",
)


def family_modules() -> list[ModuleType]:
    """The imported family modules, in :data:`FAMILIES` order.

    Example:
        >>> isinstance(family_modules(), list)
        True
    """
    return [importlib.import_module(f"{__name__}.{name}") for name in FAMILIES]
