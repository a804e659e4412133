"""Citations: BibTeX for the sources a user worked with."""

from __future__ import annotations

from collections.abc import Iterable

from foedus.sources.catalog import PEACESCIENCER_BIBTEX, get_source

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


__all__ = ["bibtex_for", "FOEDUS_BIBTEX", "PEACESCIENCER_BIBTEX"]
