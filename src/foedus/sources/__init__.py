"""Sources: every dataset declared once (the catalogue), the readers that validate release files and
the formats that turn them into canonical tables.

Example:
    >>> from foedus.sources import get_source, declared_coverage
    >>> get_source("dcad").name, declared_coverage("dcad_agreements")
    ('dcad', (1980, 2010))
"""

from __future__ import annotations

from foedus._lazy import exports as _exports

_NAMES = {
    "FORMATS": "foedus.sources.formats",
    "Format": "foedus.sources.model",
    "PEACESCIENCER_BIBTEX": "foedus.sources.catalog",
    "Release": "foedus.sources.model",
    "SOURCES": "foedus.sources.catalog",
    "Source": "foedus.sources.model",
    "all_releases": "foedus.sources.catalog",
    "declared_coverage": "foedus.sources.catalog",
    "get_source": "foedus.sources.catalog",
    "release_for_filename": "foedus.sources.catalog",
    "version_key": "foedus.sources.catalog",
}

__all__ = [
    "FORMATS",
    "Format",
    "PEACESCIENCER_BIBTEX",
    "Release",
    "SOURCES",
    "Source",
    "all_releases",
    "declared_coverage",
    "get_source",
    "release_for_filename",
    "version_key",
]

__getattr__, __dir__ = _exports(__name__, _NAMES)
