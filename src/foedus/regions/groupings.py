"""Groupings beyond alliances: BRICS, SCO, CSTO, the Quad, AUKUS, ASEAN, AU, ECOWAS, G7 (a curated,
cited table with dated membership) and NATO (from the alliance registry: ATOP 5.1 and the curated
changes after 2018).

``groupings.csv`` (next to this module) has one row per membership spell: ``grouping, ccode, abb,
state, start, end, status, source, note``. Dates are ISO (``YYYY-MM-DD``; ``YYYY`` or ``YYYY-MM``
when the source gives no more; a partial start is read as its first day, a partial end as its
last); ``end`` is the last day of the spell (empty = open). ``status`` is ``member``, ``frozen``
(participation frozen, membership not renounced: Armenia in the CSTO from 22 Feb 2024) or
``invited`` (invited, not confirmed: Saudi Arabia in BRICS). Every row names its source.

**Year rule.** A state is a member of a grouping in year ``Y`` when a ``member`` spell covers 31
December of ``Y``: Iran is in the SCO from 2023 (joined 4 July 2023), Egypt, Ethiopia, Iran and
the UAE in BRICS from 2024 (1 January 2024), Mali, Burkina Faso and Niger leave ECOWAS in 2025
(they ceased to be members on 29 January 2025, so 2024 is their last year).
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from foedus.errors import RegionFileError, UnknownGroupingError

__all__ = [
    "GROUPINGS",
    "GROUPINGS_PATH",
    "Grouping",
    "Spell",
    "get_grouping",
    "grouping_members",
    "grouping_spells",
    "list_groupings",
]

GROUPINGS_PATH = Path(__file__).with_name("groupings.csv")
STATUSES: tuple[str, ...] = ("member", "frozen", "invited")


@dataclass(frozen=True)
class Grouping:
    """A grouping: short name, full name, kind, founding, what it is, and where members come from."""

    name: str
    title: str
    kind: str
    founded: str
    description: str
    basis: str  # "table" (groupings.csv) or "alliance" (the alliance registry)
    alliance: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


GROUPINGS: dict[str, Grouping] = {
    g.name: g
    for g in (
        Grouping("BRICS", "BRICS (Brazil, Russia, India, China, South Africa and the 2024–2025 "
                 "members)", "political-economic forum", "2009",
                 "annual leaders' summits since 2009; no mutual-defence commitment", "table"),
        Grouping("SCO", "Shanghai Cooperation Organisation", "security and political "
                 "organisation", "2001", "regional security (counter-terrorism), political and "
                 "economic cooperation; no mutual-defence clause", "table"),
        Grouping("CSTO", "Collective Security Treaty Organization", "military alliance "
                 "(organisation)", "2002", "the organisation built on the 1992 Collective "
                 "Security Treaty (Art. 4 collective defence)", "table"),
        Grouping("Quad", "Quadrilateral Security Dialogue", "security dialogue", "2017",
                 "consultations among four maritime democracies; no treaty", "table"),
        Grouping("AUKUS", "Australia–United Kingdom–United States security partnership",
                 "defence-technology partnership", "2021", "nuclear-powered submarines for "
                 "Australia and advanced capabilities; no mutual-defence clause", "table"),
        Grouping("ASEAN", "Association of Southeast Asian Nations", "regional organisation",
                 "1967", "political, economic and security cooperation in Southeast Asia",
                 "table"),
        Grouping("AU", "African Union", "continental organisation", "2002", "successor of "
                 "the OAU; Peace and Security Council; suspensions after coups are not coded",
                 "table"),
        Grouping("ECOWAS", "Economic Community of West African States", "regional economic "
                 "community", "1975", "West African integration; security protocols (ECOMOG)",
                 "table"),
        Grouping("G7", "Group of Seven", "political-economic forum", "1975",
                 "annual summits of the largest advanced economies (the EU also attends)",
                 "table"),
        Grouping("NATO", "North Atlantic Treaty Organization", "military alliance", "1949",
                 "members from ATOP 5.1 (ATOPID 3180; ATOP dates entry from signature) and the "
                 "curated alliance changes after 2018 (Finland 2023, Sweden 2024)", "alliance",
                 alliance="NATO"),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Spell:
    """One row of ``groupings.csv``: a state's spell in a grouping, with its status and source."""

    grouping: str
    ccode: int
    abb: str
    state: str
    start: date
    end: date | None
    status: str
    source: str
    note: str
    line: int

    def covers(self, day: date) -> bool:
        """Whether the spell includes ``day`` (start and end inclusive)."""
        return self.start <= day and (self.end is None or day <= self.end)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out = asdict(self)
        out["start"] = self.start.isoformat()
        out["end"] = self.end.isoformat() if self.end else None
        return out


def _date(text: str, *, end: bool, where: str) -> date:
    match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text.strip())
    if not match:
        raise RegionFileError(f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD", where=where,
                              fix="write an ISO date")  # fmt: skip
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else (12 if end else 1)
    try:
        if match.group(3):
            return date(year, month, int(match.group(3)))
        if end:
            following = date(year + (month == 12), month % 12 + 1, 1)
            return date.fromordinal(following.toordinal() - 1)
        return date(year, month, 1)
    except ValueError:
        raise RegionFileError(f"date {text!r} does not exist", where=where,
                              fix="correct the date") from None  # fmt: skip


def load_spells(path: str | Path = GROUPINGS_PATH) -> tuple[Spell, ...]:
    """Read and validate a groupings table (default: the packaged one).

    Checks: the columns; known groupings; whole-number codes; ISO dates with ``end`` not before
    ``start``; a known status; a source on every row; no overlapping spells of one state in one
    grouping.

    Example:
        >>> spells = load_spells()
        >>> all(s.source for s in spells)
        True
    """
    path = Path(path)
    where = str(path)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        needed = ["grouping", "ccode", "abb", "state", "start", "end", "status", "source", "note"]
        missing = [c for c in needed if c not in (reader.fieldnames or [])]
        if missing:
            raise RegionFileError(f"column(s) {', '.join(missing)} missing", where=where,
                                  fix="header: " + ",".join(needed))  # fmt: skip
        spells = []
        for line, row in enumerate(reader, start=2):
            at = f"{where}, line {line}"
            if row["grouping"] not in GROUPINGS or GROUPINGS[row["grouping"]].basis != "table":
                raise RegionFileError(f"unknown grouping {row['grouping']!r}", where=at,
                                      fix="declare it in foedus.regions.groupings.GROUPINGS")  # fmt: skip
            if not (row["ccode"] or "").strip().isdigit():
                raise RegionFileError(f"ccode {row['ccode']!r} is not a COW code", where=at,
                                      fix="write the COW numeric code")  # fmt: skip
            if row["status"] not in STATUSES:
                raise RegionFileError(f"status {row['status']!r} unknown", where=at,
                                      fix="use one of: " + ", ".join(STATUSES))  # fmt: skip
            if not (row["source"] or "").strip():
                raise RegionFileError("the row has no source", where=at,
                                      fix="cite the official statement or a report of it")  # fmt: skip
            start = _date(row["start"], end=False, where=at)
            end = _date(row["end"], end=True, where=at) if (row["end"] or "").strip() else None
            if end is not None and end < start:
                raise RegionFileError(f"end {end} is before start {start}", where=at,
                                      fix="correct the dates")  # fmt: skip
            spells.append(Spell(row["grouping"], int(row["ccode"]), row["abb"], row["state"],
                                start, end, row["status"], row["source"].strip(),
                                row["note"].strip(), line))  # fmt: skip
    by_state: dict[tuple[str, int], list[Spell]] = {}
    for spell in spells:
        by_state.setdefault((spell.grouping, spell.ccode), []).append(spell)
    for (grouping, code), items in by_state.items():
        items.sort(key=lambda s: s.start)
        for a, b in zip(items, items[1:], strict=False):
            if a.end is None or b.start <= a.end:
                raise RegionFileError(
                    f"{grouping}: two spells of state {code} overlap (lines {a.line} and "
                    f"{b.line})", where=where, fix="end the first spell before the second starts",
                )  # fmt: skip
    return tuple(spells)


@functools.lru_cache(maxsize=1)
def _packaged() -> tuple[Spell, ...]:
    return load_spells(GROUPINGS_PATH)


def list_groupings() -> list[Grouping]:
    """Every grouping foedus knows, in table order.

    Example:
        >>> [g.name for g in list_groupings()][:3]
        ['BRICS', 'SCO', 'CSTO']
    """
    return list(GROUPINGS.values())


def get_grouping(name: str) -> Grouping:
    """A grouping by name (case-insensitive); unknown names list the valid ones.

    Example:
        >>> get_grouping("brics").name
        'BRICS'
        >>> get_grouping("Warsaw")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        foedus.errors.UnknownGroupingError: unknown grouping 'Warsaw'. Fix: use one of: BRICS, ...
    """
    for key, grouping in GROUPINGS.items():
        if key.lower() == name.strip().lower():
            return grouping
    raise UnknownGroupingError(
        f"unknown grouping '{name}'",
        fix="use one of: " + ", ".join(GROUPINGS) + " (`foedus grouping list`); for any ATOP "
        "alliance use `foedus alliance show`",
    )


def grouping_spells(name: str) -> list[Spell]:
    """The table's spells of a grouping (any status), in table order.

    Example:
        >>> [s.abb for s in grouping_spells("AUKUS")]
        ['AUL', 'UKG', 'USA']
    """
    grouping = get_grouping(name)
    return [s for s in _packaged() if s.grouping == grouping.name]


def grouping_members(
    name: str, year: int, *, status: str = "member", warehouse: Any = None
) -> list[dict[str, Any]]:
    """The states of a grouping in ``year`` (status on 31 December), one dict each.

    Keys: ``ccode``, ``abb``, ``state``, ``status``, ``start``, ``end``, ``source``. ``status``:
    ``"member"`` (default: active members), ``"frozen"``, ``"invited"`` or ``"all"``. NATO comes
    from the alliance registry (needs ``warehouse``; ATOP 5.1 to 2018, curated changes after).

    Example:
        >>> sorted(m["abb"] for m in grouping_members("BRICS", 2023))
        ['BRA', 'CHN', 'IND', 'RUS', 'SAF']
        >>> sorted(m["abb"] for m in grouping_members("SCO", 2023))[:3]
        ['CHN', 'IND', 'IRN']
    """
    grouping = get_grouping(name)
    if status not in (*STATUSES, "all"):
        raise UnknownGroupingError(f"unknown status '{status}'",
                                   fix="use member, frozen, invited or all")  # fmt: skip
    if grouping.basis == "alliance":
        from foedus.measures.burden import alliance_members_by_year

        roster = alliance_members_by_year(grouping.alliance or grouping.name, year, year,
                                          warehouse=warehouse)  # fmt: skip
        rows = roster.filter(roster["member"]) if status in ("member",) else roster
        return [
            {"ccode": r["ccode"], "abb": r["abb"], "state": r["name"], "status": "member",
             "start": None, "end": None,
             "source": f"ATOP 5.1 / curated alliance facts ({r['basis']})"}
            for r in rows.sort("ccode").iter_rows(named=True)
        ]  # fmt: skip
    day = date(year, 12, 31)
    out = []
    for spell in grouping_spells(grouping.name):
        if spell.covers(day) and (status == "all" or spell.status == status):
            out.append({"ccode": spell.ccode, "abb": spell.abb, "state": spell.state,
                        "status": spell.status, "start": spell.start.isoformat(),
                        "end": spell.end.isoformat() if spell.end else None,
                        "source": spell.source})  # fmt: skip
    return sorted(out, key=lambda m: m["ccode"])
