"""foedus — military diplomacy analytics from real public datasets.

The names below are loaded on first use (``foedus.dyad_years`` imports the frames, and Polars,
only when it is called for), so ``import foedus`` and the ``foedus`` command start at once.

Example:
    >>> import foedus
    >>> sorted(foedus.ENRICHERS)[:2]
    ['arms', 'arms-categories']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name → module that defines it.
_EXPORTS: dict[str, str] = {
    "ENRICHERS": "foedus.frames.enrichers",
    "FoedusError": "foedus.errors",
    "Frame": "foedus.frames.frame",
    "SOURCES": "foedus.sources.catalog",
    "Warehouse": "foedus.warehouse",
    "bibtex_for": "foedus.provenance",
    "dyad_years": "foedus.frames.universe",
    "get_source": "foedus.sources.catalog",
    "parse_years": "foedus.frames.universe",
    "state_years": "foedus.frames.universe",
}

__all__ = [
    "ENRICHERS",
    "FoedusError",
    "Frame",
    "SOURCES",
    "Warehouse",
    "__version__",
    "bibtex_for",
    "dyad_years",
    "get_source",
    "parse_years",
    "state_years",
]

if TYPE_CHECKING:
    from foedus.errors import FoedusError
    from foedus.frames.enrichers import ENRICHERS
    from foedus.frames.frame import Frame
    from foedus.frames.universe import dyad_years, parse_years, state_years
    from foedus.provenance import bibtex_for
    from foedus.sources.catalog import SOURCES, get_source
    from foedus.warehouse import Warehouse


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'foedus' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
