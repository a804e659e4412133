"""Common names and aliases of alliances (``names.csv`` next to this module) → ATOPIDs.

Every row is checked against the ATOP member-level file by the test suite (signature date and
founding members). Kept apart from :mod:`foedus.alliances.registry` so that the data layer
(:mod:`foedus.alliances.data`) can name alliances without importing the registry.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

__all__ = ["NAMES_PATH", "NameEntry", "common_names", "names_table"]

NAMES_PATH = Path(__file__).with_name("names.csv")


@dataclass(frozen=True)
class NameEntry:
    """One row of ``names.csv``."""

    atopid: int
    name: str
    aliases: tuple[str, ...]
    signed: date
    founding_members: tuple[str, ...]
    treaty_text: str
    note: str


@lru_cache(maxsize=1)
def names_table() -> tuple[NameEntry, ...]:
    """The packaged names table.

    Example:
        >>> [e.atopid for e in names_table() if "NATO" in e.aliases]
        [3180]
    """
    lines = [line for line in NAMES_PATH.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    return tuple(
        NameEntry(
            atopid=int(r["atopid"]), name=r["name"],
            aliases=tuple(a.strip() for a in r["aliases"].split(";") if a.strip()),
            signed=date.fromisoformat(r["signed"]),
            founding_members=tuple(r["founding_members"].split()),
            treaty_text=r["treaty_text"], note=r["note"],
        )
        for r in rows
    )


def common_names() -> dict[str, str]:
    """Alliance key (ATOPID as text) → common name.

    Example:
        >>> common_names()["3285"]
        'Warsaw Pact'
    """
    return {str(e.atopid): e.name for e in names_table()}
