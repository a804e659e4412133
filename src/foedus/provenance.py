"""Provenance: which source release served which figure, and BibTeX for the sources used.

:class:`Used` is the one provenance record of foedus: the warehouse hands one out with every table
it serves (:meth:`foedus.warehouse.Warehouse.read`), frames collect them (``Frame.used``), and
assessments tag them with the section of the report they served.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from foedus.sources.catalog import PEACESCIENCER_BIBTEX, get_source


@dataclass(frozen=True)
class Used:
    """One source release used, and for what.

    Example:
        >>> u = Used("nmc", "6.0", "nmc", "NMC-60-abridged.csv", None, "material capabilities")
        >>> u.label
        'nmc 6.0 (nmc)'
    """

    source: str
    version: str
    table: str
    file: str
    via: str | None
    purpose: str

    @property
    def label(self) -> str:
        """``source version (table)``, as reports print it."""
        return f"{self.source} {self.version} ({self.table})"

FOEDUS_BIBTEX = """@Manual{foedus,
  title  = {foedus: Military Diplomacy Analytics from Public Datasets},
  author = {{The foedus developers}},
  year   = {2026},
  note   = {Python package, version 0.1}
}"""


def bibtex_for(sources: Iterable[str], *, include_foedus: bool = True) -> tuple[str, list[str]]:
    """BibTeX text and keys for the named sources (unknown names raise a clear error).

    Example:
        >>> text, keys = bibtex_for(["atop"], include_foedus=False)
        >>> keys
        ['leeds2002atop']
    """
    entries: list[str] = []
    for name in sources:
        bib = get_source(name).bibtex
        if bib not in entries:
            entries.append(bib)
    if include_foedus:
        entries.append(FOEDUS_BIBTEX)
    keys: list[str] = []
    for entry in entries:
        for chunk in entry.split("@")[1:]:
            keys.append(chunk.split("{", 1)[1].split(",", 1)[0])
    return "\n\n".join(entries) + "\n", keys


__all__ = ["FOEDUS_BIBTEX", "PEACESCIENCER_BIBTEX", "Used", "bibtex_for"]
