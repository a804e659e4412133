"""foedus — military diplomacy analytics from real public datasets.

Example:
    >>> import foedus
    >>> sorted(foedus.ENRICHERS)[:2]
    ['arms', 'arms-categories']
"""

from foedus.errors import FoedusError
from foedus.frames.frame import ENRICHERS, Frame
from foedus.frames.universe import dyad_years, parse_years, state_years
from foedus.provenance import bibtex_for
from foedus.sources.catalog import SOURCES, get_source
from foedus.warehouse import Warehouse

__version__ = "0.1.0"

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
