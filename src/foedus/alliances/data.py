"""Alliance data in memory: ATOP member spells plus curated facts, indexed lazily by year.

:class:`AllianceData` is built once per warehouse (and curated file set) from the canonical tables
``atop_member``, ``atop_phase``, ``atop_inst``, ``cow_system``, ``nmc`` and ``cow_majors``, and
cached. Everything the registry and the collective-defence engine ask is answered from plain
Python indexes that are built the first time a year is asked for, so that a state-year query
costs well under a millisecond once the tables are loaded.

Pairing follows ATOP's directed dyad rules (``docs/atop-dyad-rules.md``): state A owes B the
obligations of A's own member row, in an alliance phase in which both are members, if each
entered strictly before the other left; when a pair shares two phases of an alliance in a year,
the later phase codes the year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from foedus.alliances.codebook import CONDITIONS
from foedus.alliances.curated import Curated, CuratedFact, load_curated
from foedus.alliances.names import common_names
from foedus.alliances.states import State, StateTable
from foedus.errors import FoedusError, InvalidYearsError, MissingDataError, UnknownStateError

#: ATOP 5.1 coverage.
ATOP_FIRST_YEAR = 1815
ATOP_LAST_YEAR = 2018
#: "No exit" as a yyyymmdd integer: after every real date.
OPEN = 99_999_999
OBLIGATIONS: tuple[str, ...] = ("defense", "offense", "neutral", "nonagg", "consul")
NMC_COLUMNS: tuple[str, ...] = ("cinc", "milex", "milper", "irst", "pec", "tpop", "upop")


def last_year() -> int:
    """The last year any query may ask for: the current year (curated facts reach today).

    Example:
        >>> last_year() >= 2025
        True
    """
    return date.today().year


def coverage_text() -> str:
    """Which data cover which years, for messages.

    Example:
        >>> "1815–2018" in coverage_text()
        True
    """
    return (
        f"ATOP 5.1 covers {ATOP_FIRST_YEAR}–{ATOP_LAST_YEAR}; for 2019–{last_year()} foedus carries "
        "forward the ATOP alliances in force on 31 December 2018 and adds the curated file's facts"
    )


def check_year(year: int) -> int:
    """Validate a query year; outside 1815–today says which data cover which years.

    Example:
        >>> check_year(1914)
        1914
        >>> check_year(1700)
        Traceback (most recent call last):
        ...
        foedus.errors.InvalidYearsError: year 1700 is outside the alliance data. Fix: ATOP 5.1 covers 1815–2018; ...
    """
    if not isinstance(year, int) or isinstance(year, bool):
        raise InvalidYearsError(f"year must be a whole number, not {year!r}", fix=coverage_text())
    if year < ATOP_FIRST_YEAR or year > last_year():
        raise InvalidYearsError(f"year {year} is outside the alliance data", fix=coverage_text())
    return year


def ymd(y: int, m: int | None, d: int | None, *, end: bool = False) -> int:
    """A date as a sortable yyyymmdd integer; an unknown day is the 1st (entry) or 31st (exit).

    Example:
        >>> ymd(1949, 4, 4), ymd(1990, 10, None, end=True)
        (19490404, 19901031)
    """
    day = d if d else (31 if end else 1)
    return y * 10_000 + (m or (12 if end else 1)) * 100 + day


@lru_cache(maxsize=65_536)
def ymd_date(value: int) -> date | None:
    """A yyyymmdd integer back to a date (``None`` for an open end; day 31 clipped to the month).

    Example:
        >>> ymd_date(19901031), ymd_date(OPEN)
        (datetime.date(1990, 10, 31), None)
    """
    if value >= OPEN:
        return None
    y, rest = divmod(value, 10_000)
    m, d = divmod(rest, 100)
    import calendar

    return date(y, max(1, m), min(max(1, d), calendar.monthrange(y, max(1, m))[1]))


@dataclass(slots=True)
class Spell:
    """One membership spell: a state in one phase of one alliance, with its own obligations."""

    key: str
    atopid: int | None
    phase: int
    member: int
    start: int
    end: int
    first_year: int
    last_year: int | None
    obligations: frozenset[str]
    conditions: tuple[str, ...]
    olimob: bool
    obvary: bool
    source: str
    in_force: int | None = None
    signed_only: bool = False
    suspended: int | None = None
    facts: tuple[str, ...] = ()
    changed: int | None = None
    row: int | None = None

    def active(self, year: int) -> bool:
        """Whether the spell covers some day of ``year``."""
        return self.first_year <= year and (self.last_year is None or self.last_year >= year)

    def status(self, year: int) -> str:
        """``in force``, ``signed`` (not yet in force that year) or ``suspended``."""
        if self.suspended is not None and self.suspended // 10_000 <= year:
            return "suspended"
        if self.signed_only or (self.in_force is not None and self.in_force // 10_000 > year):
            return "signed"
        return "in force"

    def basis(self, year: int) -> str:
        """Where the year's record comes from: ``atop``, ``atop-carried-forward`` or ``curated``."""
        if self.source == "curated" or (self.changed is not None and self.changed <= year):
            return "curated"
        if year > ATOP_LAST_YEAR:
            return "atop-carried-forward"
        return "atop"


@dataclass
class YearIndex:
    """Spells active in one year, as spell indices (tuples of ints: cheap for the garbage
    collector however many years are cached).

    ``by_key``: alliance key → indices of its active spells; ``by_state``: state → alliance keys;
    ``toward``: target → encoded (partner spell, target spell) index pairs, filled on demand.
    """

    year: int
    by_key: dict[str, tuple[int, ...]]
    by_state: dict[int, tuple[str, ...]]
    toward: dict[int, tuple[int, ...]] = field(default_factory=dict)


_SHIFT = 20


@dataclass(frozen=True)
class AllianceInfo:
    """Alliance-level facts for one alliance key."""

    key: str
    atopid: int | None
    name: str
    source: str
    phases: tuple[int, ...]


class AllianceData:
    """All alliance records and lazy per-year indexes (see the module docstring).

    Build it with :func:`get_data` (cached per warehouse) or :meth:`from_frames` (tests).
    """

    def __init__(
        self,
        *,
        members: pl.DataFrame,
        system: pl.DataFrame,
        phases: pl.DataFrame | None = None,
        inst: pl.DataFrame | None = None,
        nmc: pl.DataFrame | None = None,
        majors: pl.DataFrame | None = None,
        curated: Curated | None = None,
        names: dict[str, str] | None = None,
        sources: dict[str, str] | None = None,
    ) -> None:
        self.states = StateTable(system)
        self.members = members
        self.phases = phases
        self.inst = inst
        self.nmc = nmc
        self.majors = majors
        self.sources = dict(sources or {})
        self.curated = curated if curated is not None else load_curated()
        self.spells: list[Spell] = []
        self.info: dict[str, AllianceInfo] = {}
        self._years: dict[int, YearIndex] = {}
        self._nmc_years: dict[int, dict[int, tuple[float | None, ...]]] = {}
        self._majors_years: dict[int, frozenset[int] | None] = {}
        # Per member row: (statthr1, statthr2, termmode) — tuples of ints, which the garbage
        # collector stops tracking (the full rows are read from the frame on demand).
        self._row_extra: list[tuple[int | None, int | None, int | None]] = []
        self._load_atop(names or {})
        self._attach_curated()

    # -- building ------------------------------------------------------------------------------
    @classmethod
    def from_frames(cls, **frames: Any) -> AllianceData:
        """Build from frames already in memory (keyword names as in ``__init__``)."""
        return cls(**frames)

    def _load_atop(self, names: dict[str, str]) -> None:
        required = {"atopid", "member", "phase", "yrent", "moent", "dayent", "yrexit", "moexit",
                    "dayexit", *OBLIGATIONS}
        missing = sorted(required - set(self.members.columns))
        if missing:
            raise MissingDataError(
                f"the ATOP member-level table lacks columns {missing}", where="atop_member",
                fix="import the official member-level file atop5_1m.csv",
            )
        phases_of: dict[int, set[int]] = {}
        wanted = ["atopid", "member", "phase", "yrent", "moent", "dayent", "yrexit", "moexit",
                  "dayexit", *OBLIGATIONS, *CONDITIONS, "olimob", "obvary", "statthr1",
                  "statthr2", "termmode"]
        frame = self.members.select([c for c in wanted if c in self.members.columns])
        for index, row in enumerate(frame.iter_rows(named=True)):
            self._row_extra.append((row.get("statthr1"), row.get("statthr2"), row.get("termmode")))
            atopid, member = int(row["atopid"]), int(row["member"])
            open_end = not row["yrexit"]
            conds = tuple(v for v in CONDITIONS if row.get(v) == 1)
            spell = Spell(
                key=str(atopid), atopid=atopid, phase=int(row["phase"] or 0), member=member,
                start=ymd(row["yrent"], row["moent"], row["dayent"]),
                end=OPEN if open_end else ymd(row["yrexit"], row["moexit"], row["dayexit"],
                                              end=True),
                first_year=int(row["yrent"]),
                last_year=None if open_end else int(row["yrexit"]),
                obligations=frozenset(o for o in OBLIGATIONS if row.get(o) == 1),
                conditions=conds, olimob=row.get("olimob") == 1, obvary=row.get("obvary") == 1,
                source="atop", row=index,
            )
            self.spells.append(spell)
            phases_of.setdefault(atopid, set()).add(spell.phase)
        for atopid, phs in phases_of.items():
            key = str(atopid)
            self.info[key] = AllianceInfo(key, atopid, names.get(key, f"ATOP {atopid}"), "atop",
                                          tuple(sorted(phs)))

    def _attach_curated(self) -> None:
        for treaty, facts in self.curated.treaties().items():
            for fact in facts:
                for abb in fact.states:
                    if self.states.find(abb) is None:
                        raise UnknownStateError(
                            f"unknown state '{abb}'", where=fact.where(),
                            fix=self.states.suggest(abb),
                        )
            atopid = facts[0].atopid
            if atopid is not None and str(atopid) not in self.info:
                raise FoedusError(
                    f"ATOPID {atopid} is not in ATOP 5.1", where=facts[0].where(),
                    fix="give an ATOPID from atop5_1m.csv, or leave it empty for a new treaty",
                )
            key = str(atopid) if atopid is not None else treaty
            if atopid is None:
                self.info[key] = AllianceInfo(key, None, facts[0].treaty_name, "curated", (0,))
            by_state: dict[int, list[CuratedFact]] = {}
            for fact in facts:
                for abb in fact.states:
                    by_state.setdefault(self.states.resolve(abb).ccode, []).append(fact)
            for ccode, state_facts in by_state.items():
                self._apply_state_facts(key, atopid, ccode, state_facts)

    def _apply_state_facts(self, key: str, atopid: int | None, ccode: int,
                           facts: list[CuratedFact]) -> None:
        dated: dict[str, CuratedFact] = {f.status: f for f in facts}
        ids = tuple(f.fact_id for f in facts)
        joins = [f for f in facts if f.status in ("signed", "in force")]
        existing = [s for s in self.spells if s.key == key and s.member == ccode
                    and s.last_year is None]
        if existing and joins:
            raise FoedusError(
                f"{self.states.abb(ccode)} is already a member of ATOPID {atopid} in force at the "
                "end of 2018 (ATOP)", where=joins[0].where(),
                fix="record only changes: 'suspended' or 'left' for existing members",
            )
        if not existing and not joins:
            first = facts[0]
            raise FoedusError(
                f"{self.states.abb(ccode)} is '{first.status}' in treaty '{first.treaty}' but never "
                "joins it (no ATOP membership in force at the end of 2018, no 'signed' or "
                "'in force' row)", where=first.where(), fix="add the row that makes it a member",
            )
        if existing:
            spell = max(existing, key=lambda s: s.phase)
            spells = [spell]
        else:
            start_fact = dated.get("signed") or dated["in force"]
            obligations = frozenset(o for f in joins for o in f.obligations)
            phase = max(self.info[key].phases)
            template = self._template(key, phase, obligations)
            spell = Spell(
                key=key, atopid=atopid, phase=phase, member=ccode,
                start=_int_date(start_fact.date), end=OPEN, first_year=start_fact.date.year,
                last_year=None, obligations=obligations,
                conditions=template.conditions if template else (),
                olimob=template.olimob if template else False, obvary=False, source="curated",
                in_force=_int_date(dated["in force"].date) if "in force" in dated else None,
                signed_only="in force" not in dated,
            )
            self.spells.append(spell)
            spells = [spell]
        for spell in spells:
            spell.facts = spell.facts + ids
            earliest = min(f.date.year for f in facts)
            spell.changed = earliest if spell.changed is None else min(spell.changed, earliest)
            if "suspended" in dated:
                spell.suspended = _int_date(dated["suspended"].date)
            if "left" in dated:
                left = dated["left"].date
                spell.end = _int_date(left)
                spell.last_year = left.year

    def _template(self, key: str, phase: int, obligations: frozenset[str]) -> Spell | None:
        """An open ATOP member row of the same phase with the same obligations (for conditions)."""
        for spell in self.spells:
            if (spell.key == key and spell.phase == phase and spell.last_year is None
                    and spell.source == "atop" and spell.obligations == obligations):
                return spell
        return None

    # -- per-year indexes -------------------------------------------------------------------
    def year(self, year: int) -> YearIndex:
        """The lazily built index of spells active in ``year``."""
        index = self._years.get(year)
        if index is None:
            by_key: dict[str, list[int]] = {}
            by_state: dict[int, list[str]] = {}
            for i, spell in enumerate(self.spells):
                if spell.active(year):
                    by_key.setdefault(spell.key, []).append(i)
                    keys = by_state.setdefault(spell.member, [])
                    if spell.key not in keys:
                        keys.append(spell.key)
            index = YearIndex(year, {k: tuple(v) for k, v in by_key.items()},
                              {k: tuple(v) for k, v in by_state.items()})
            self._years[year] = index
        return index

    def active_spells(self, key: str, year: int) -> list[Spell]:
        """Spells of alliance ``key`` active in ``year``."""
        return [self.spells[i] for i in self.year(year).by_key.get(key, ())]

    def members_in(self, key: str, year: int) -> frozenset[int]:
        """States with a spell in alliance ``key`` active in ``year``."""
        return _members_in(self, key, year)

    def toward(self, target: int, year: int) -> list[tuple[Spell, Spell]]:
        """(partner's spell, target's spell) for every alliance partner of ``target`` in ``year``.

        The partner's spell carries the partner's obligations toward the target.
        """
        index = self.year(year)
        encoded = index.toward.get(target)
        if encoded is None:
            spells = self.spells
            best: dict[tuple[str, int], tuple[int, int]] = {}
            for key in index.by_state.get(target, ()):
                members = index.by_key[key]
                mine = [i for i in members if spells[i].member == target]
                for j in members:
                    other = spells[j]
                    if other.member == target:
                        continue
                    for i in mine:
                        own = spells[i]
                        if own.phase != other.phase:
                            continue
                        if not (own.start < other.end and other.start < own.end):
                            continue
                        pair_key = (key, other.member)
                        kept = best.get(pair_key)
                        if kept is None or other.phase > spells[kept[0]].phase:
                            best[pair_key] = (j, i)
            order = sorted(best.values(), key=lambda p: (spells[p[0]].member, spells[p[0]].key))
            encoded = tuple((j << _SHIFT) | i for j, i in order)
            index.toward[target] = encoded
        mask = (1 << _SHIFT) - 1
        return [(self.spells[e >> _SHIFT], self.spells[e & mask]) for e in encoded]

    def spells_of(self, state: int, year: int) -> list[Spell]:
        """The state's own spells active in ``year`` (latest phase per alliance)."""
        index = self.year(year)
        out: dict[str, Spell] = {}
        for key in index.by_state.get(state, ()):
            for i in index.by_key[key]:
                spell = self.spells[i]
                if spell.member == state and (key not in out or spell.phase > out[key].phase):
                    out[key] = spell
        return [out[k] for k in sorted(out, key=_key_order)]

    # -- capabilities and major powers --------------------------------------------------------
    def nmc_year(self, year: int) -> dict[int, tuple[float | None, ...]] | None:
        """NMC values (``NMC_COLUMNS`` order) by state for ``year``; ``None`` if not covered."""
        if self.nmc is None:
            return None
        if year not in self._nmc_years:
            rows = self.nmc.filter(pl.col("year") == year)
            values: dict[int, tuple[float | None, ...]] = {}
            for row in rows.select("ccode", *NMC_COLUMNS).iter_rows():
                values[int(row[0])] = tuple(
                    None if v is None or v < 0 else float(v) for v in row[1:]
                )
            self._nmc_years[year] = values
        values = self._nmc_years[year]
        return values or None

    def nmc_span(self) -> tuple[int, int] | None:
        """First and last NMC year, if NMC is loaded."""
        if self.nmc is None or self.nmc.height == 0:
            return None
        return int(self.nmc["year"].min()), int(self.nmc["year"].max())  # type: ignore[arg-type]

    def majors_in(self, year: int) -> frozenset[int] | None:
        """COW major powers at some point of ``year``; ``None`` if the COW list does not cover it."""
        if self.majors is None:
            return None
        if year not in self._majors_years:
            last = int(self.majors["endyear"].max())  # type: ignore[arg-type]
            if year > last:
                self._majors_years[year] = None
            else:
                rows = self.majors.filter(
                    (pl.col("styear") <= year) & (pl.col("endyear") >= year)
                )
                self._majors_years[year] = frozenset(int(c) for c in rows["ccode"].to_list())
        return self._majors_years[year]

    # -- convenience -------------------------------------------------------------------------
    def state(self, value: str | int) -> State:
        """Resolve a state (code, abbreviation or name)."""
        return self.states.resolve(value)

    def threats(self, spell: Spell) -> tuple[int, ...]:
        """COW codes ATOP names as the alliance's threat (STATTHR1/2) for a spell's row."""
        if spell.row is None:
            return ()
        first, second, _ = self._row_extra[spell.row]
        return tuple(int(c) for c in (first, second) if c)

    def termmode(self, spell: Spell) -> int | None:
        """ATOP's TERMMODE for a spell's row (how the member left)."""
        return self._row_extra[spell.row][2] if spell.row is not None else None

    def name(self, key: str) -> str:
        """Common name of an alliance key."""
        info = self.info.get(key)
        return info.name if info else key


@lru_cache(maxsize=8_192)
def _members_in(data: AllianceData, key: str, year: int) -> frozenset[int]:
    return frozenset(data.spells[i].member for i in data.year(year).by_key.get(key, ()))


def _int_date(value: date) -> int:
    return value.year * 10_000 + value.month * 100 + value.day


def _key_order(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() else (10**9, key)


# ---------------------------------------------------------------------------------------------
# building from a warehouse, cached
# ---------------------------------------------------------------------------------------------
_CACHE: dict[tuple[Any, ...], AllianceData] = {}
_TABLES = ("atop_member", "cow_system", "atop_phase", "atop_inst", "nmc", "cow_majors")


def _open(warehouse: Any) -> Any:
    from foedus.warehouse import Warehouse

    if isinstance(warehouse, Warehouse):
        return warehouse
    return Warehouse(Path(warehouse) if warehouse is not None else None, read_only=True)


def get_data(warehouse: Any = None, *, curated: Curated | None = None) -> AllianceData:
    """The :class:`AllianceData` of a warehouse (a ``Warehouse``, a path, or ``None`` for the
    default), built once and cached per imported release and curated file set.

    An :class:`AllianceData` passed as ``warehouse`` is returned as it is.

    Example:
        >>> data = get_data("/path/to/warehouse.duckdb")  # doctest: +SKIP
        >>> data.states.resolve("JPN").ccode  # doctest: +SKIP
        740
    """
    if isinstance(warehouse, AllianceData):
        return warehouse
    wh = _open(warehouse)
    records = {}
    for table in _TABLES:
        if wh.has(table):
            rec = wh.active(table)
            records[table] = rec
    for required in ("atop_member", "cow_system"):
        if required not in records:
            wh.active(required)  # raises MissingDataError with the fix
    cur = curated if curated is not None else load_curated()
    opened_here = wh is not warehouse
    key = (
        str(wh.path),
        tuple((t, r.sha256, r.imported_at.isoformat()) for t, r in sorted(records.items())),
        hash(cur.facts),
    )
    data = _CACHE.get(key)
    if data is None:
        frames = {t: wh.table(t) for t in records}
        data = AllianceData(
            members=frames["atop_member"], system=frames["cow_system"],
            phases=frames.get("atop_phase"), inst=frames.get("atop_inst"),
            nmc=frames.get("nmc"), majors=frames.get("cow_majors"), curated=cur,
            names=common_names(),
            sources={t: r.label() for t, r in records.items()},
        )
        _CACHE[key] = data
    if opened_here:
        wh.close()
    return data


def clear_cache() -> None:
    """Forget every cached :class:`AllianceData` (e.g. after re-importing)."""
    _CACHE.clear()
