"""The alliance registry: ATOP 5.1 alliances (and curated treaties) with phases, members and
provisions, resolvable by the names people use (NATO, Rio Pact, US–Japan…).

``names.csv`` (next to this module) maps common names and aliases to ATOPIDs; every row is
checked against the ATOP member-level file by the test suite (signature date and founding
members). Unknown names raise :class:`UnknownAllianceError` with close matches.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import polars as pl

from foedus.alliances.codebook import CONDITIONS, PROVISIONS, TERMMODE
from foedus.alliances.curated import Curated
from foedus.alliances.data import (
    ATOP_LAST_YEAR,
    OBLIGATIONS,
    AllianceData,
    Spell,
    check_year,
    get_data,
    ymd_date,
)
from foedus.alliances.names import names_table
from foedus.errors import InvalidYearsError, UnknownAllianceError


def _norm(text: str) -> str:
    """Case-, accent-, dash- and punctuation-insensitive form of a name.

    Example:
        >>> _norm("US–Japan") == _norm("us-japan") == _norm("U.S. Japan")
        True
    """
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _lookup(data: AllianceData) -> dict[str, str]:
    table: dict[str, str] = {}
    for entry in names_table():
        for label in (entry.name, *entry.aliases):
            table.setdefault(_norm(label), str(entry.atopid))
    for key, info in data.info.items():
        if info.source == "curated":
            table.setdefault(_norm(key), key)
            table.setdefault(_norm(info.name), key)
    return table


def resolve_alliance(value: str | int, data: AllianceData) -> str:
    """The alliance key for an ATOPID, a common name, an alias or a curated treaty key.

    Example:
        >>> resolve_alliance("NATO", data)  # doctest: +SKIP
        '3180'
    """
    text = str(value).strip()
    if text.isdigit():
        if text in data.info:
            return text
        ids = sorted(int(k) for k in data.info if k.isdigit())
        raise UnknownAllianceError(
            f"ATOPID {text} is not in ATOP 5.1", where="ATOP member-level file",
            fix=f"ATOPIDs run from {ids[0]} to {ids[-1]}; look names up with "
            "`foedus alliance names`",
        )
    table = _lookup(data)
    key = table.get(_norm(text))
    if key is not None:
        return key
    labels = {e.name: str(e.atopid) for e in names_table()}
    for e in names_table():
        for alias in e.aliases:
            labels.setdefault(alias, str(e.atopid))
    for key, info in data.info.items():
        if info.source == "curated":
            labels.setdefault(info.name, key)
    close = difflib.get_close_matches(text, list(labels), n=5, cutoff=0.5)
    if not close:
        by_norm = {_norm(k): k for k in labels}
        close = [by_norm[c] for c in difflib.get_close_matches(_norm(text), list(by_norm), n=5,
                                                                cutoff=0.5)]
    hint = ", ".join(f"{c} ({labels[c]})" for c in close)
    raise UnknownAllianceError(
        f"unknown alliance '{value}'", where="names table (src/foedus/alliances/names.csv)",
        fix=(f"did you mean {hint}? " if hint else "")
        + "give an ATOPID or a name from `foedus alliance names`",
    )


# ---------------------------------------------------------------------------------------------
# typed records
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConditionFlag:
    """A condition ATOP codes for a member's obligation (the dummy is 1)."""

    variable: str
    obligation: str
    kind: str
    meaning: str


@dataclass(frozen=True)
class Provision:
    """An institutional provision of an alliance phase with its codebook meaning."""

    variable: str
    title: str
    code: int | None
    meaning: str


@dataclass(frozen=True)
class Membership:
    """A state's membership spell in one phase of an alliance."""

    ccode: int
    abb: str
    name: str
    phase: int
    entered: date | None
    left: date | None
    obligations: tuple[str, ...]
    conditions: tuple[ConditionFlag, ...]
    other_condition: bool
    partner_specific: bool
    source: str
    in_force: date | None
    suspended: date | None
    termination: str | None
    facts: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@dataclass(frozen=True)
class Phase:
    """One phase of an alliance: its dates, institutional provisions and institutionalisation."""

    phase: int
    begin: date | None
    end: date | None
    provisions: tuple[Provision, ...]
    milinst: int | None
    formal: int | None
    threats: tuple[str, ...]


@dataclass(frozen=True)
class Alliance:
    """An alliance with its phases and member spells (all, or those of ``year``)."""

    alliance_id: str
    atopid: int | None
    name: str
    aliases: tuple[str, ...]
    source: str
    begin: date | None
    end: date | None
    year: int | None
    phases: tuple[Phase, ...]
    members: tuple[Membership, ...]
    note: str
    treaty_text: str

    def member_codes(self) -> list[int]:
        """COW codes of the members listed (sorted, unique)."""
        return sorted({m.ccode for m in self.members})

    def members_frame(self) -> pl.DataFrame:
        """One row per membership spell.

        Example:
            >>> alliance("NATO", 2018, warehouse=wh).members_frame().height  # doctest: +SKIP
            29
        """
        rows = [
            {"ccode": m.ccode, "abb": m.abb, "name": m.name, "phase": m.phase,
             "entered": m.entered, "left": m.left, "obligations": list(m.obligations),
             "conditions": [c.variable for c in m.conditions], "source": m.source,
             "in_force": m.in_force, "suspended": m.suspended}
            for m in self.members
        ]
        return pl.DataFrame(rows, schema={
            "ccode": pl.Int64, "abb": pl.String, "name": pl.String, "phase": pl.Int64,
            "entered": pl.Date, "left": pl.Date, "obligations": pl.List(pl.String),
            "conditions": pl.List(pl.String), "source": pl.String, "in_force": pl.Date,
            "suspended": pl.Date})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def _membership(data: AllianceData, spell: Spell) -> Membership:
    state = data.states.get(spell.member)
    mode = data.termmode(spell)
    term = TERMMODE.get(int(mode)) if mode else None
    return Membership(
        ccode=spell.member, abb=state.abb, name=state.name, phase=spell.phase,
        entered=ymd_date(spell.start), left=ymd_date(spell.end),
        obligations=tuple(o for o in OBLIGATIONS if o in spell.obligations),
        conditions=tuple(
            ConditionFlag(v, CONDITIONS[v].obligation, CONDITIONS[v].kind,
                          CONDITIONS[v].label(1))
            for v in spell.conditions
        ),
        other_condition=spell.olimob, partner_specific=spell.obvary, source=spell.source,
        in_force=ymd_date(spell.in_force) if spell.in_force else None,
        suspended=ymd_date(spell.suspended) if spell.suspended else None,
        termination=term, facts=spell.facts,
    )


def _phase_rows(data: AllianceData, atopid: int | None) -> dict[int, dict[str, Any]]:
    if atopid is None:
        return {}
    rows: dict[int, dict[str, Any]] = {}
    if data.phases is not None:
        for row in data.phases.filter(pl.col("atopid") == atopid).to_dicts():
            rows[int(row["phase"])] = row
    else:
        for row in data.members.filter(pl.col("atopid") == atopid).to_dicts():
            rows.setdefault(int(row["phase"]), row)
    return rows


def _phases(data: AllianceData, key: str, atopid: int | None, spells: list[Spell]) -> list[Phase]:
    rows = _phase_rows(data, atopid)
    inst: dict[int, tuple[int | None, int | None]] = {}
    if data.inst is not None and atopid is not None:
        for r in data.inst.filter(pl.col("atopid") == atopid).iter_rows(named=True):
            inst[int(r["phase"])] = (r.get("milinst"), r.get("formal"))
    out = []
    for phase in sorted({s.phase for s in spells} | set(rows)):
        row = rows.get(phase, {})
        same = [s for s in spells if s.phase == phase]
        begin = ymd_date(min(s.start for s in same)) if same else None
        end = ymd_date(max(s.end for s in same)) if same else None
        provisions = tuple(
            Provision(var, code.title, row.get(var), code.label(row.get(var)))
            for var, code in PROVISIONS.items() if row
        )
        threats = tuple(
            data.states.abb(int(row[v])) for v in ("statthr1", "statthr2") if row.get(v)
        )
        milinst, formal = inst.get(phase, (None, None))
        out.append(Phase(phase, begin, end, provisions, milinst, formal, threats))
    return out


def alliance(
    name_or_id: str | int,
    year: int | None = None,
    *,
    warehouse: Any = None,
    curated: Curated | None = None,
) -> Alliance:
    """An alliance by name, alias, ATOPID or curated treaty key, with its phases and members.

    With ``year``, only the spells and phases in force during that year are listed (for years
    after 2018: ATOP's alliances in force at the end of 2018, carried forward, plus curated
    facts); a year in which the alliance is not in force is an error that says when it was.

    Args:
        name_or_id: "NATO", "Rio Pact", "US–Japan", 3180, "rus-prk-2024"…
        year: restrict to one year.
        warehouse: a ``Warehouse``, a warehouse path, or ``None`` for the default.
        curated: curated facts (default: the packaged file), from :func:`load_curated`.

    Example:
        >>> nato = alliance("NATO", 2018, warehouse=wh)  # doctest: +SKIP
        >>> nato.atopid, len(nato.member_codes())  # doctest: +SKIP
        (3180, 29)
    """
    data = get_data(warehouse, curated=curated)
    key = resolve_alliance(name_or_id, data)
    info = data.info[key]
    spells = [s for s in data.spells if s.key == key]
    entry = next((e for e in names_table() if str(e.atopid) == key), None)
    begin = ymd_date(min(s.start for s in spells))
    ends = [s.end for s in spells]
    end = ymd_date(max(ends))
    phases = _phases(data, key, info.atopid, spells)
    chosen = spells
    if year is not None:
        check_year(year)
        chosen = data.active_spells(key, year)
        if not chosen:
            last = "in force at the end of the data" if end is None else str(end.year)
            raise InvalidYearsError(
                f"{info.name} ({key}) is not in force in {year}",
                fix=f"it runs from {begin.year if begin else '?'} to {last}",
            )
        in_year = {s.phase for s in chosen}
        phases = [p for p in phases if p.phase in in_year]
    chosen = sorted(chosen, key=lambda s: (s.phase, s.start, s.member))
    return Alliance(
        alliance_id=key, atopid=info.atopid, name=info.name,
        aliases=entry.aliases if entry else (), source=info.source, begin=begin, end=end,
        year=year, phases=tuple(phases), members=tuple(_membership(data, s) for s in chosen),
        note=entry.note if entry else "", treaty_text=entry.treaty_text if entry else "",
    )


def alliances_of(
    state: str | int,
    year: int,
    *,
    warehouse: Any = None,
    curated: Curated | None = None,
) -> pl.DataFrame:
    """Every alliance ``state`` belongs to in ``year``, one row each.

    Columns: ``alliance_id``, ``atopid``, ``name``, ``phase``, ``entered``, ``left``, ``status``
    (in force / signed / suspended), ``basis`` (atop, atop-carried-forward, curated), the five
    obligations of the state (booleans), ``conditions`` (ATOP condition variables coded 1),
    ``partner_specific`` (OBVARY), ``partners`` (co-members it is paired with that year) and
    ``facts`` (curated fact ids).

    Example:
        >>> alliances_of("JPN", 2010, warehouse=wh)["name"].to_list()  # doctest: +SKIP
        ['Treaty of Mutual Cooperation and Security between Japan and the United States', ...]
    """
    data = get_data(warehouse, curated=curated)
    check_year(year)
    code = data.state(state).ccode
    partners: dict[str, list[str]] = {}
    for other, _own in data.toward(code, year):
        partners.setdefault(other.key, []).append(data.states.abb(other.member))
    rows = []
    for spell in data.spells_of(code, year):
        rows.append({
            "alliance_id": spell.key, "atopid": spell.atopid, "name": data.name(spell.key),
            "phase": spell.phase, "entered": ymd_date(spell.start), "left": ymd_date(spell.end),
            "status": spell.status(year), "basis": spell.basis(year),
            **{o: o in spell.obligations for o in OBLIGATIONS},
            "conditions": list(spell.conditions), "partner_specific": spell.obvary,
            "partners": sorted(partners.get(spell.key, [])), "facts": list(spell.facts),
        })
    schema: dict[str, Any] = {
        "alliance_id": pl.String, "atopid": pl.Int64, "name": pl.String, "phase": pl.Int64,
        "entered": pl.Date, "left": pl.Date, "status": pl.String, "basis": pl.String,
        **{o: pl.Boolean for o in OBLIGATIONS}, "conditions": pl.List(pl.String),
        "partner_specific": pl.Boolean, "partners": pl.List(pl.String),
        "facts": pl.List(pl.String),
    }
    return pl.DataFrame(rows, schema=schema)


def coverage_note(year: int) -> str | None:
    """A sentence on what data cover ``year`` when it is after ATOP's last year.

    Example:
        >>> coverage_note(2010) is None, coverage_note(2020)[:25]
        (True, '2020 is after ATOP 5.1 (1')
    """
    if year <= ATOP_LAST_YEAR:
        return None
    return (f"{year} is after ATOP 5.1 (1815–2018): alliances in force on 31 December 2018 are "
            "carried forward; changes since come from the curated file")
