"""Provenance: which source release served which figure, and BibTeX for the sources used.

:class:`Used` is the one provenance record of foedus: the warehouse hands one out with every table
it serves (:meth:`foedus.warehouse.Warehouse.read`), frames collect them (``Frame.used``), and
assessments tag them with the section of the report they served; :class:`Provenance` is a set of
them with BibTeX for all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any

from foedus.sources.catalog import PEACESCIENCER_BIBTEX, get_source


@dataclass(frozen=True)
class Used:
    """One source release used, for what, and (in an assessment) by which section of it.

    Example:
        >>> u = Used("nmc", "6.0", "nmc", "NMC-60-abridged.csv", None, "material capabilities")
        >>> u.label, u.for_section("capability").section
        ('nmc 6.0 (nmc)', 'capability')
    """

    source: str
    version: str
    table: str
    file: str
    via: str | None
    purpose: str
    section: str | None = None

    @property
    def label(self) -> str:
        """``source version (table)``, as reports print it."""
        return f"{self.source} {self.version} ({self.table})"

    def for_section(self, section: str) -> Used:
        """The same record, saying which section of a report it served."""
        return replace(self, section=section)

    def to_dict(self) -> dict[str, str | None]:
        """Machine-readable form (frames' provenance, the API, briefs).

        Example:
            >>> Used("atop", "5.1", "atop_member", "atop5_1m.csv", None, "x").to_dict()["file"]
            'atop5_1m.csv'
        """
        return asdict(self)


@dataclass(frozen=True)
class Provenance:
    """Every source release a result used (by section, for reports), with BibTeX for all.

    Example:
        >>> p = Provenance((Used("nmc", "6.0", "nmc", "f", None, "x", section="capability"),))
        >>> p.sources(), p.labels("capability"), p.labels("cohesion")
        (['nmc'], ['nmc 6.0 (nmc)'], [])
    """

    uses: tuple[Used, ...] = ()

    def sources(self) -> list[str]:
        """Source names, in order of first use."""
        seen: list[str] = []
        for use in self.uses:
            if use.source not in seen:
                seen.append(use.source)
        return seen

    def labels(self, section: str | None = None) -> list[str]:
        """``source version (table)`` labels, for one section or all, unique and sorted."""
        return sorted({u.label for u in self.uses if section is None or u.section == section})

    def bibtex(self) -> tuple[str, list[str]]:
        """BibTeX text and keys of every source used (and foedus).

        Example:
            >>> Provenance((Used("atop", "5.1", "atop_member", "f", None, "x"),)).bibtex()[1]
            ['leeds2002atop', 'foedus']
        """
        return bibtex_for(self.sources())

    def frame(self) -> Any:
        """One row per (section, source, version, table, file, purpose), as a Polars frame.

        Example:
            >>> Provenance().frame().columns
            ['section', 'source', 'version', 'table', 'file', 'purpose']
        """
        import polars as pl

        columns = ("section", "source", "version", "table", "file", "purpose")
        schema = {k: pl.String for k in columns}
        rows = [{k: getattr(u, k) for k in columns} for u in self.uses]
        return pl.DataFrame(rows, schema=schema).unique(maintain_order=True)

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


__all__ = ["FOEDUS_BIBTEX", "PEACESCIENCER_BIBTEX", "Provenance", "Used", "bibtex_for"]
