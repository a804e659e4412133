"""The data side of the REST API: one read-only warehouse, library calls, and caches.

Everything here is plain Python that returns JSON-ready documents (dicts, lists) or a built
:class:`~foedus.frames.frame.Frame`; :mod:`foedus.api.app` turns them into HTTP responses. Each
answer is computed with the library's own functions (``alliances_of``, ``responders``,
``similarity_matrix``, ``network_state_years``, ``capability_concentration``, Frames and their
enrichers); what is expensive and shared between requests (the alliance data, a year's
state-year frame, a year's network, the similarity of every dyad-year) is built once, on first
use, and kept in bounded caches.

Thread safety: the API runs its work in a thread pool. DuckDB connections are not meant to be
shared between threads, so :class:`SharedWarehouse` serialises every read of the warehouse with
a lock and keeps the (read-only, hence unchanging) import catalogue in memory; everything read
from it is then a Polars frame, which threads can share.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from foedus.errors import (
    FoedusError,
    InvalidYearsError,
    MissingDataError,
    RowLimitError,
    UnknownStateError,
)
from foedus.warehouse import ImportRecord, Warehouse

T = TypeVar("T")

#: ATOP 5.1's years in the COW system (the alliance measures' coverage).
ATOP_FIRST, ATOP_LAST = 1816, 2018
#: Alliance-portfolio similarity measures shown on dyad profiles (``docs/similarity.md``).
DYAD_SIMILARITY = ("s_un_val_sq", "s_wt_val_sq")
#: Obligation columns of ATOP dyad-years.
ATOP_OBLIGATIONS = ("defense", "offense", "neutral", "nonagg", "consul")
#: NMC columns, as the ``nmc`` enricher adds them.
NMC_COLUMNS = ("milex", "milper", "irst", "pec", "tpop", "upop", "cinc")
#: Network-position columns, as the ``network`` enricher adds them.
NETWORK_COLUMNS = ("degree", "weighted_degree", "betweenness", "eigenvector", "clustering", "bloc")
#: ``/map`` measures: name → (column of the year's state-year frame, what it is).
MAP_MEASURES: dict[str, str] = {
    "cinc": "NMC composite index of national capability",
    "milex": "NMC military expenditure (thousands of current US$ / £ before 1914)",
    "milper": "NMC military personnel (thousands)",
    "irst": "NMC iron and steel production (thousand tons)",
    "pec": "NMC primary energy consumption (thousand coal-ton equivalents)",
    "tpop": "NMC total population (thousands)",
    "upop": "NMC urban population (thousands)",
    "cowmaj": "COW major power (1) or not (0)",
    "degree": "number of alliance partners (alliance network)",
    "weighted_degree": "summed tie weights (alliance network)",
    "betweenness": "betweenness centrality (alliance network)",
    "eigenvector": "eigenvector centrality (alliance network)",
    "clustering": "local clustering coefficient (alliance network)",
    "bloc": "alliance bloc number (alliance network; null outside every bloc)",
    "idealpoint": "UN General Assembly ideal point (Bailey, Strezhnev and Voeten)",
}

#: COW states whose name country_converter does not match to exactly one present-day country,
#: mapped to the present-day country that carries the state's COW code on (for drawing maps).
ISO3_SUCCESSORS: dict[int, str] = {260: "DEU", 300: "AUT", 345: "SRB"}


def today_year() -> int:
    """The current calendar year (the last year alliance queries accept).

    Example:
        >>> today_year() >= 2025
        True
    """
    return date.today().year


# ---------------------------------------------------------------------------------------------
# caches
# ---------------------------------------------------------------------------------------------
class Memo:
    """A bounded, thread-safe least-recently-used cache that builds each value once.

    Two threads asking for the same missing key do not both build it: the second waits for the
    first. A build that raises caches nothing (the next caller builds again).

    Example:
        >>> memo = Memo(2)
        >>> memo.get("a", lambda: 1), memo.get("a", lambda: 2)
        (1, 1)
        >>> _ = memo.get("b", lambda: 3); _ = memo.get("c", lambda: 4)
        >>> "a" in memo
        False
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._building: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._data

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The cached value for ``key``, built with ``build()`` when missing.

        Example:
            >>> Memo(1).get("k", lambda: 42)
            42
        """
        while True:
            with self._lock:
                if key in self._data:
                    self._data.move_to_end(key)
                    return self._data[key]  # type: ignore[no-any-return]
                event = self._building.get(key)
                if event is None:
                    event = threading.Event()
                    self._building[key] = event
                    break
            event.wait()
            with self._lock:
                if key in self._data:
                    continue
            # the other builder failed: build it here (and raise its error, if any)
            return build()
        try:
            value = build()
        except BaseException:
            with self._lock:
                self._building.pop(key, None)
            event.set()
            raise
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
            self._building.pop(key, None)
        event.set()
        return value

    def clear(self) -> None:
        """Forget every value.

        Example:
            >>> m = Memo(1); _ = m.get("k", lambda: 1); m.clear(); len(m)
            0
        """
        with self._lock:
            self._data.clear()


class SharedWarehouse(Warehouse):
    """A read-only :class:`~foedus.warehouse.Warehouse` that threads can share.

    Every DuckDB read happens under one lock, and the import catalogue (which cannot change
    while the file is open read-only) is read once.

    Example:
        >>> import tempfile, pathlib
        >>> wh = SharedWarehouse(pathlib.Path(tempfile.mkdtemp()) / "none.duckdb")
        >>> wh.exists(), wh.records()
        (False, [])
    """

    def __init__(self, path: str | Path | None = None) -> None:
        super().__init__(path, read_only=True)
        self._lock = threading.RLock()
        self._records: list[ImportRecord] | None = None
        self._pins: dict[str, str] | None = None

    def exists(self) -> bool:
        """Whether the warehouse file exists.

        Example:
            >>> SharedWarehouse("/nonexistent/w.duckdb").exists()
            False
        """
        return self.path.exists()

    def records(self) -> list[ImportRecord]:
        """Every imported release (read once); ``[]`` when the file does not exist.

        Example:
            >>> SharedWarehouse("/nonexistent/w.duckdb").records()
            []
        """
        with self._lock:
            if self._records is None:
                self._records = super().records() if self.exists() else []
            return list(self._records)

    def pins(self) -> dict[str, str]:
        """Pinned releases (read once).

        Example:
            >>> SharedWarehouse("/nonexistent/w.duckdb").pins()
            {}
        """
        with self._lock:
            if self._pins is None:
                self._pins = super().pins() if self.exists() else {}
            return dict(self._pins)

    def table(self, table: str) -> pl.DataFrame:
        """The active release of ``table`` (cached; read under the lock).

        Example:
            >>> SharedWarehouse(path).table("nmc").height  # doctest: +SKIP
            17121
        """
        with self._lock:
            if not self.exists():
                raise MissingDataError(
                    "the warehouse does not exist yet",
                    where=str(self.path),
                    fix="import data first: foedus data import-all DIR (or foedus serve --data DIR)",
                )
            return super().table(table)

    def status(self) -> pl.DataFrame:
        """One row per imported release (see :meth:`Warehouse.status`).

        Example:
            >>> SharedWarehouse(path).status().columns[:3]  # doctest: +SKIP
            ['table', 'source', 'version']
        """
        with self._lock:
            return super().status()


# ---------------------------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------------------------
def split_list(values: str | Sequence[str] | None) -> list[str]:
    """Comma-separated and/or repeated query values as one list (blanks dropped).

    Example:
        >>> split_list(["defense,offense", " consul "])
        ['defense', 'offense', 'consul']
        >>> split_list(None)
        []
    """
    if values is None:
        return []
    items = [values] if isinstance(values, str) else list(values)
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def check_span(first: int | None, last: int | None, *, default: tuple[int, int]) -> tuple[int, int]:
    """A validated ``(first, last)`` year span (the library's rules and messages).

    Example:
        >>> check_span(None, 1990, default=(1816, 2020))
        (1816, 1990)
    """
    from foedus.frames.universe import parse_years

    span = parse_years((default[0] if first is None else first, default[1] if last is None else last))
    assert span is not None
    return span


def _is_int_text(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 6


def iso3_codes(names: dict[int, str]) -> dict[int, str | None]:
    """ISO 3166-1 alpha-3 codes of present-day countries for state names (COW or G-W), by
    country_converter's regular expressions; a name matching none or several countries gets
    :data:`ISO3_SUCCESSORS`' code or ``None``.

    Example:
        >>> iso3_codes({740: "Japan", 267: "Baden", 260: "German Federal Republic"})  # doctest: +SKIP
        {740: 'JPN', 267: None, 260: 'DEU'}
    """
    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    codes = list(names)
    found = coco.CountryConverter().convert([names[c] for c in codes], to="ISO3", not_found=None)
    if isinstance(found, str):
        found = [found]
    out: dict[int, str | None] = {}
    for code, value in zip(codes, found, strict=True):
        ok = isinstance(value, str) and re.fullmatch(r"[A-Z]{3}", value) is not None
        out[code] = value if ok else ISO3_SUCCESSORS.get(code)
    return out


def unique_iso3(codes: Sequence[int], iso3: dict[int, str | None]) -> list[str | None]:
    """ISO3 per code, kept only for the lowest code when several codes share one (a map has one
    shape per ISO3: North and South Yemen 1967–1990 both match YEM).

    Example:
        >>> unique_iso3([680, 678, 2], {678: "YEM", 680: "YEM", 2: "USA"})
        [None, 'YEM', 'USA']
    """
    owner: dict[str, int] = {}
    for c in sorted(codes):
        value = iso3.get(c)
        if value is not None and value not in owner:
            owner[value] = c
    return [iso3.get(c) if iso3.get(c) is not None and owner[iso3[c]] == c else None for c in codes]  # type: ignore[index]


# ---------------------------------------------------------------------------------------------
# the service
# ---------------------------------------------------------------------------------------------
class Service:
    """Answers for every API endpoint, from one read-only warehouse.

    Example:
        >>> svc = Service("/path/to/warehouse.duckdb")      # doctest: +SKIP
        >>> svc.state_profile("JPN", 2010)["major_power"]   # doctest: +SKIP
        False
    """

    def __init__(self, warehouse: str | Path | None = None, *, row_limit: int = 100_000) -> None:
        self.wh = SharedWarehouse(warehouse)
        self.row_limit = row_limit
        self._one = Memo(32)  # singletons: alliance data, state tables, similarity, after-ATOP
        self._years = Memo(256)  # a year's enriched state-year frame
        self._networks = Memo(512)  # (year, obligations) → network document parts
        self._matrices = Memo(64)  # (year, measure) → similarity matrix
        self._frames = Memo(4)  # frame-export requests → built Frame
        self._dyads = Memo(256)  # dyad profiles

    # -- basics ----------------------------------------------------------------------------
    def require_data(self) -> None:
        """Raise a clear error when the warehouse is missing or empty.

        Example:
            >>> Service("/nonexistent/w.duckdb").require_data()  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            foedus.errors.MissingDataError: ...: the warehouse does not exist yet. Fix: ...
        """
        if not self.wh.exists():
            raise MissingDataError(
                "the warehouse does not exist yet",
                where=str(self.wh.path),
                fix="import data first: foedus data import-all DIR (or foedus serve --data DIR)",
            )
        if not self.wh.records():
            raise MissingDataError(
                "the warehouse is empty",
                where=str(self.wh.path),
                fix="import data first: foedus data import-all DIR (or foedus serve --data DIR)",
            )

    def provenance(self, tables: Iterable[str], *, extra: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
        """Sources and versions of the warehouse tables an answer used.

        Example:
            >>> Service("/nonexistent/w.duckdb").provenance(["nmc"])["sources"]
            []
        """
        import foedus

        sources: list[dict[str, Any]] = []
        for table in dict.fromkeys(tables):
            if self.wh.has(table):
                r = self.wh.active(table)
                sources.append({"table": table, "source": r.source, "version": r.version,
                                "file": Path(r.path).name, "via": r.via})
        sources.extend(extra)
        return {"foedus_version": foedus.__version__, "sources": sources}

    @staticmethod
    def frame_provenance(frame: Any) -> dict[str, Any]:
        """Provenance of a built Frame (every release it used, with purpose).

        Example:
            >>> import polars as pl, foedus
            >>> f = foedus.Frame(pl.DataFrame({"ccode": [2], "year": [1816]}), unit="state-year", system="cow")
            >>> Service.frame_provenance(f)["sources"]
            []
        """
        import foedus

        return {"foedus_version": foedus.__version__,
                "sources": [dict(u.__dict__) for u in frame.used]}

    def status(self) -> dict[str, Any]:
        """Which releases the warehouse holds and serves.

        Example:
            >>> Service("/nonexistent/w.duckdb").status()["ready"]
            False
        """
        import foedus

        ready = self.wh.exists() and bool(self.wh.records())
        releases = self.wh.status().to_dicts() if ready else []
        doc: dict[str, Any] = {"foedus_version": foedus.__version__, "warehouse": str(self.wh.path),
                               "ready": ready, "row_limit": self.row_limit,
                               "releases": releases,
                               "in_use": [r for r in releases if r["in_use"]]}
        if not ready:
            doc["fix"] = "import data first: foedus data import-all DIR (or foedus serve --data DIR)"
        return doc

    # -- states -------------------------------------------------------------------------------
    def _state_names(self, system: str) -> dict[int, tuple[str, str]]:
        def build() -> dict[int, tuple[str, str]]:
            if system == "cow":
                table = self.wh.table("cow_system").sort("start")
                cols = ("ccode", "cw_abb", "cw_name")
            else:
                table = self.wh.table("gw_system").sort("start")
                cols = ("gwcode", "gw_abb", "gw_name")
            return {int(c): (str(a), str(n)) for c, a, n in table.select(cols).iter_rows()}

        return self._one.get(("names", system), build)

    def iso3(self, system: str = "cow") -> dict[int, str | None]:
        """COW (or G-W) code → ISO3 of the present-day country (see :func:`iso3_codes`).

        Example:
            >>> Service(path).iso3()[740]  # doctest: +SKIP
            'JPN'
        """
        return self._one.get(("iso3", system), lambda: iso3_codes(
            {c: n for c, (_, n) in self._state_names(system).items()}))

    def state_table(self) -> Any:
        """The COW state list as a resolver (:class:`foedus.alliances.states.StateTable`).

        Example:
            >>> Service(path).state_table().resolve("Japan").ccode  # doctest: +SKIP
            740
        """
        from foedus.alliances.states import StateTable

        return self._one.get("state_table", lambda: StateTable(self.wh.table("cow_system")))

    def resolve_state(self, value: str, *, what: str = "state") -> Any:
        """A COW state from a code, an abbreviation or a name; unknown input suggests close
        matches (:class:`~foedus.errors.UnknownStateError`).

        Example:
            >>> Service(path).resolve_state("JPN").name  # doctest: +SKIP
            'Japan'
        """
        table = self.state_table()
        text = str(value).strip()
        if not text or len(text) > 80:
            raise UnknownStateError(f"unknown {what} '{text[:80]}'", where="COW state list (cow_system)",
                                    fix="use a COW code (740), a COW abbreviation (JPN) or a name (Japan)")
        if text.isdigit() and not _is_int_text(text):
            raise UnknownStateError(f"unknown {what} '{text}'", where="COW state list (cow_system)",
                                    fix="use a COW code (740), a COW abbreviation (JPN) or a name (Japan)")
        return table.resolve(text, what=what)

    def _state_label(self, ccode: int) -> dict[str, Any]:
        names = self._state_names("cow")
        abb, name = names.get(ccode, (str(ccode), f"code {ccode}"))
        return {"ccode": ccode, "abbreviation": abb, "name": name, "iso3": self.iso3("cow").get(ccode)}

    def states(self, system: str = "cow", year: int | None = None) -> dict[str, Any]:
        """The states of a system: all of them, or the members in ``year``.

        Example:
            >>> Service(path).states("cow", 2010)["count"]  # doctest: +SKIP
            194
        """
        import foedus

        frame = foedus.state_years(system, years=year, warehouse=self.wh)
        key = "ccode" if frame.system == "cow" else "gwcode"
        span = (frame.df.group_by(key).agg(pl.col("year").min().alias("first_year"),
                                           pl.col("year").max().alias("last_year"))
                .sort(key))
        names = self._state_names(frame.system)
        codes = [int(c) for c in span[key].to_list()]
        iso = unique_iso3(codes, self.iso3(frame.system)) if year is not None else [
            self.iso3(frame.system).get(c) for c in codes]
        rows = [{"code": c, "abbreviation": names.get(c, ("", ""))[0],
                 "name": names.get(c, ("", f"code {c}"))[1], "iso3": i,
                 "first_year": int(f), "last_year": int(last)}
                for c, i, f, last in zip(codes, iso, span["first_year"], span["last_year"], strict=True)]
        return {"system": frame.system, "year": year, "count": len(rows), "states": rows,
                "provenance": self.frame_provenance(frame)}

    # -- a year's state-year frame (NMC, majors, ideal points, network) -------------------------
    def year_frame(self, year: int) -> tuple[pl.DataFrame, dict[str, Any]]:
        """COW state-years of ``year`` enriched with NMC, major powers, UN ideal points and
        alliance-network position (whatever of those is imported), with provenance.

        Example:
            >>> Service(path).year_frame(2010)[0].height  # doctest: +SKIP
            194
        """
        from foedus.frames.universe import parse_years

        parse_years(year)
        return self._years.get(year, lambda: self._build_year_frame(year))

    def _build_year_frame(self, year: int) -> tuple[pl.DataFrame, dict[str, Any]]:
        import foedus

        frame = foedus.state_years("cow", years=year, warehouse=self.wh)
        names = [n for n, t in (("nmc", "nmc"), ("majors", "cow_majors"),
                                ("idealpoints", "unga_ideal_points")) if self.wh.has(t)]
        if year <= ATOP_LAST and (self.wh.has("atop_ddy") or self.wh.has("atop_member")):
            names.append("network")
        frame = frame.enrich(names)
        df = frame.df
        prov = self.frame_provenance(frame)
        if year > ATOP_LAST and self.wh.has("atop_member"):
            net = self.network_positions(year, None)
            df = df.join(net, on=["ccode", "year"], how="left", maintain_order="left")
            prov["sources"].extend(self._after_atop_sources())
        for column in (*NMC_COLUMNS, "cowmaj", "idealpoint", *NETWORK_COLUMNS):
            if column not in df.columns:
                dtype = pl.Int64 if column in ("cowmaj", "degree", "bloc") else pl.Float64
                df = df.with_columns(pl.lit(None, dtype=dtype).alias(column))
        return df, prov

    def state_profile(self, state: str, year: int) -> dict[str, Any]:
        """A state's profile in ``year``: capabilities, major-power status, alliances with their
        obligations, UN ideal point, alliance-network position.

        Example:
            >>> Service(path).state_profile("JPN", 2010)["network"]["degree"]  # doctest: +SKIP
            28
        """
        s = self.resolve_state(state)
        from foedus.alliances.data import check_year

        check_year(year)
        df, prov = self.year_frame(year)
        row = df.filter(pl.col("ccode") == s.ccode)
        member = row.height > 0
        values = row.row(0, named=True) if member else {}
        data = self.alliance_data()
        from foedus.alliances.registry import alliances_of, coverage_note

        alliances = alliances_of(s.ccode, year, warehouse=data)
        note = coverage_note(year)
        notes = [note] if note else []
        if not member:
            notes.append(f"{s.name} is not a member of the COW state system in {year}")
        if year > ATOP_LAST:
            notes.append("network position after 2018: ATOP alliances carried forward and the "
                         "curated changes (as the atop-extended enrichment)")
        capabilities = {c: values.get(c) for c in NMC_COLUMNS} if member else None
        if capabilities is not None and all(v is None for v in capabilities.values()):
            capabilities = None
        network = {c: values.get(c) for c in NETWORK_COLUMNS} if member else None
        if network is not None and values.get("degree") is None:
            network = None
        major = values.get("cowmaj")
        used = {x["table"] for x in prov["sources"]}
        prov = {**prov, "curated_version": data.curated.version, "sources": prov["sources"] + [
            x for x in self.provenance(data.sources)["sources"] if x["table"] not in used]}
        return {
            "state": self._state_label(s.ccode), "year": year, "in_system": member,
            "capabilities": capabilities,
            "major_power": None if major is None else bool(major),
            "idealpoint": values.get("idealpoint"),
            "network": network,
            "alliances": alliances.to_dicts(),
            "notes": notes,
            "provenance": prov,
        }

    # -- alliances ----------------------------------------------------------------------------
    def alliance_data(self) -> Any:
        """The alliance registry's data (built once; :func:`foedus.alliances.data.get_data`).

        Example:
            >>> Service(path).alliance_data().curated.version  # doctest: +SKIP
            '2026.11.1'
        """
        from foedus.alliances.data import get_data

        self.require_data()
        return self._one.get("alliance_data", lambda: get_data(self.wh))

    def _alliance_spans(self) -> dict[str, tuple[int, int | None]]:
        def build() -> dict[str, tuple[int, int | None]]:
            data = self.alliance_data()
            spans: dict[str, tuple[int, int | None]] = {}
            for s in data.spells:
                first, last = spans.get(s.key, (s.first_year, s.last_year))
                first = min(first, s.first_year)
                last = None if last is None or s.last_year is None else max(last, s.last_year)
                spans[s.key] = (first, last)
            return spans

        return self._one.get("alliance_spans", build)

    def alliances(self, state: str | None, year: int | None) -> dict[str, Any]:
        """Alliances of a state in a year (as ``foedus alliances --json``), every alliance in
        force in a year, every alliance a state ever belonged to, or every alliance.

        Example:
            >>> Service(path).alliances("JPN", 2010)["count"]  # doctest: +SKIP
            4
        """
        from foedus.alliances.data import check_year
        from foedus.alliances.registry import alliances_of, coverage_note

        data = self.alliance_data()
        if year is not None:
            check_year(year)
        s = self.resolve_state(state) if state is not None else None
        doc: dict[str, Any] = {"state": None, "year": year}
        notes = [coverage_note(year)] if year is not None and coverage_note(year) else []
        if s is not None:
            doc["state"] = self._state_label(s.ccode)
        if s is not None and year is not None:
            rows = alliances_of(s.ccode, year, warehouse=data).to_dicts()
        else:
            spans = self._alliance_spans()
            if year is not None:
                index = data.year(year)
                keys = [k for k in index.by_key if s is None or k in index.by_state.get(s.ccode, ())]
            elif s is not None:
                keys = list(dict.fromkeys(sp.key for sp in data.spells if sp.member == s.ccode))
            else:
                keys = list(data.info)
            from foedus.alliances.data import _key_order

            rows = []
            for key in sorted(keys, key=_key_order):
                info = data.info[key]
                first, last = spans.get(key, (None, None))
                row = {"alliance_id": key, "atopid": info.atopid, "name": info.name,
                       "source": info.source, "first_year": first, "last_year": last}
                if year is not None:
                    row["members"] = sorted(data.states.abb(c) for c in data.members_in(key, year))
                    row["n_members"] = len(row["members"])
                rows.append(row)
        doc.update({"count": len(rows), "alliances": rows, "notes": notes,
                    "provenance": self.provenance(data.sources) | {
                        "curated_version": data.curated.version}})
        return doc

    def alliance(self, name_or_id: str, year: int | None) -> dict[str, Any]:
        """One alliance: phases, provisions, members (as ``foedus alliance show --json``).

        Example:
            >>> Service(path).alliance("NATO", 2018)["alliance"]["atopid"]  # doctest: +SKIP
            3180
        """
        from foedus.alliances.registry import alliance, coverage_note

        data = self.alliance_data()
        text = str(name_or_id).strip()
        if len(text) > 120:
            text = text[:120]
        a = alliance(text, year, warehouse=data)
        note = coverage_note(year) if year is not None else None
        return {"alliance": a.to_dict(), "notes": [note] if note else [],
                "provenance": self.provenance(data.sources) | {"curated_version": data.curated.version}}

    def defend(self, target: str, year: int, attackers: Sequence[str], location: str | None,
               provoked: bool | None, depth: int | None) -> tuple[dict[str, Any], Any]:
        """The collective-defence answer (``responders``) as ``foedus defend --json`` prints it,
        and the :class:`~foedus.alliances.defence.DefenceAnalysis` itself.

        Example:
            >>> doc, analysis = Service(path).defend("POL", 2018, ["RUS"], "POL", None, None)  # doctest: +SKIP
            >>> 2 in doc["responders"]  # doctest: +SKIP
            True
        """
        from foedus.alliances.data import check_year
        from foedus.alliances.defence import responders

        data = self.alliance_data()
        check_year(year)
        self.resolve_state(target, what="state")
        for a in attackers:
            self.resolve_state(a, what="attacker")
        if location is not None:
            text = location.strip()
            if len(text) > 80 or (text.isdigit() and not _is_int_text(text)):
                raise UnknownStateError(f"unknown location '{text[:80]}'", where="location",
                                        fix="give a state (code, abbreviation or name) or a "
                                        "region such as europe or east_asia")
        analysis = responders(target, year, list(attackers) or None, location, provoked=provoked,
                              depth=depth, warehouse=data)
        doc = analysis.to_dict()
        doc["sources"] = data.sources
        doc["curated_version"] = data.curated.version
        doc["provenance"] = self.provenance(data.sources) | {"curated_version": data.curated.version}
        return doc, analysis

    # -- obligations, networks, similarity ---------------------------------------------------------
    def _atop_ddy(self) -> tuple[pl.DataFrame, Any]:
        import foedus

        def build() -> tuple[pl.DataFrame, Any]:
            frame = foedus.state_years("cow", years=ATOP_FIRST, warehouse=self.wh)
            return frame._atop_obligations()

        return self._one.get("atop_ddy", build)

    def after_atop(self) -> pl.DataFrame:
        """Directed dyad-year obligations 2019–today (ATOP carried forward + curated facts),
        :func:`foedus.alliances.dyads.dyad_years_after_atop`, built once.

        Example:
            >>> Service(path).after_atop()["year"].min()  # doctest: +SKIP
            2019
        """
        from foedus.alliances.dyads import dyad_years_after_atop

        return self._one.get("after_atop", lambda: dyad_years_after_atop(
            ATOP_LAST + 1, today_year(), warehouse=self.alliance_data()))

    def _after_atop_sources(self) -> list[dict[str, Any]]:
        data = self.alliance_data()
        return [{"table": "curated", "source": "alliances-curated", "version": data.curated.version,
                 "file": "curated.csv", "via": None}]

    def _obligations_for(self, year: int) -> tuple[pl.DataFrame, str]:
        if year <= ATOP_LAST:
            return self._atop_ddy()[0], "atop"
        return self.after_atop().filter(pl.col("year") == year), "atop-carried-forward+curated"

    def _members(self, year: int) -> pl.DataFrame:
        from foedus.frames.systems import create_state_years

        return create_state_years(self.wh.table("cow_system"), system="cow",
                                  years=(year, year)).select("ccode", "year")

    def _check_network_year(self, year: int) -> None:
        from foedus.frames.universe import parse_years

        parse_years(year)
        if year > today_year():
            raise InvalidYearsError(f"year {year} is in the future",
                                    fix=f"choose a year between {ATOP_FIRST} and {today_year()}")

    def network_positions(self, year: int, obligations: Sequence[str] | None) -> pl.DataFrame:
        """Each COW member's position in ``year``'s alliance network (``network_state_years``).

        Example:
            >>> Service(path).network_positions(1985, None).columns[:3]  # doctest: +SKIP
            ['ccode', 'year', 'degree']
        """
        return self._network(year, obligations)["positions"]

    def _network(self, year: int, obligations: Sequence[str] | None) -> dict[str, Any]:
        from foedus.measures import networks

        self._check_network_year(year)
        chosen = tuple(obligations) if obligations else networks.OBLIGATIONS
        networks._obligation_names(list(chosen))  # validates with the library's message
        key = (year, tuple(sorted(o.lower().removeprefix("atop_") for o in chosen)))

        def build() -> dict[str, Any]:
            ddy, basis = self._obligations_for(year)
            states = self._members(year)
            opts: dict[str, Any] = {"obligations": list(key[1]), "states": states}
            positions = networks.network_state_years(ddy, (year, year), **opts)
            caps = self.wh.table("nmc") if self.wh.has("nmc") else None
            metrics = networks.network_years(ddy, (year, year), capabilities=caps, **opts)
            graph = networks.alliance_graph(ddy, year, obligations=list(key[1]),
                                            nodes=states["ccode"].to_list())
            members = set(states["ccode"].to_list())
            edges = []
            for u, v, attrs in graph.edges(data=True):
                if u in members and v in members:
                    a, b = sorted((int(u), int(v)))
                    edges.append({"source": a, "target": b, "weight": attrs.get("weight"),
                                  **{o: int(attrs.get(o, 0) or 0) for o in key[1]}})
            edges.sort(key=lambda e: (e["source"], e["target"]))
            return {"positions": positions, "metrics": metrics, "edges": edges, "basis": basis}

        return self._networks.get(key, build)

    def network(self, year: int, obligations: Sequence[str] | None) -> dict[str, Any]:
        """``year``'s alliance network: nodes (COW members, with position and bloc), edges with
        weights, and the year's metrics (density, blocs, modularity, polarisation).

        Example:
            >>> Service(path).network(1985, None)["metrics"]["nodes"]  # doctest: +SKIP
            161
        """
        self.require_data()
        net = self._network(year, obligations)
        names = self._state_names("cow")
        iso = self.iso3("cow")
        nodes = []
        for r in net["positions"].iter_rows(named=True):
            c = int(r["ccode"])
            abb, name = names.get(c, (str(c), f"code {c}"))
            nodes.append({"ccode": c, "abbreviation": abb, "name": name, "iso3": iso.get(c),
                          **{k: r[k] for k in NETWORK_COLUMNS}})
        metrics = net["metrics"].to_dicts()
        chosen = sorted({k for e in net["edges"] for k in ATOP_OBLIGATIONS if k in e}) or None
        tables = ["atop_ddy" if self.wh.has("atop_ddy") else "atop_member", "cow_system", "nmc"]
        prov = self.provenance(tables)
        if net["basis"] != "atop":
            prov["sources"].extend(self._after_atop_sources())
        from foedus.measures.networks import OBLIGATIONS

        return {"year": year, "obligations": chosen or list(
            sorted(o.lower().removeprefix("atop_") for o in (obligations or OBLIGATIONS))),
                "basis": net["basis"], "metrics": metrics[0] if metrics else None,
                "nodes": nodes, "edges": net["edges"], "provenance": prov}

    def similarity(self, year: int, measure: str) -> dict[str, Any]:
        """Alliance-portfolio similarity of every pair of COW members in ``year`` (1816–2018).

        Example:
            >>> len(Service(path).similarity(1914, "s_un_val_sq")["codes"])  # doctest: +SKIP
            45
        """
        from foedus.measures import similarity

        self.require_data()
        similarity._check_measures(measure)
        if not ATOP_FIRST <= year <= ATOP_LAST:
            raise InvalidYearsError(
                f"year {year} is outside the alliance-portfolio similarity's years",
                fix=f"choose a year between {ATOP_FIRST} and {ATOP_LAST} (ATOP 5.1)")

        def build() -> tuple[list[int], list[list[float | None]]]:
            ddy = self._atop_ddy()[0]
            caps = self.wh.table("nmc") if measure in similarity.WEIGHTED_MEASURES else None
            codes, matrix = similarity.similarity_matrix(ddy, self._members(year), year,
                                                         measure=measure, capabilities=caps)
            values = [[None if x != x else float(x) for x in row] for row in matrix.tolist()]
            return [int(c) for c in codes], values

        codes, matrix = self._matrices.get((year, measure), build)
        names = self._state_names("cow")
        tables = ["atop_ddy" if self.wh.has("atop_ddy") else "atop_member", "cow_system"]
        if measure in similarity.WEIGHTED_MEASURES:
            tables.append("nmc")
        return {"year": year, "measure": measure, "codes": codes,
                "abbreviations": [names.get(c, (str(c), ""))[0] for c in codes],
                "names": [names.get(c, ("", f"code {c}"))[1] for c in codes],
                "matrix": matrix, "provenance": self.provenance(tables)}

    def similarity_table(self, measures: Sequence[str] = DYAD_SIMILARITY) -> pl.DataFrame:
        """Similarity of every directed COW dyad-year 1816–2018 (``similarity_dyad_years`` with
        the inputs of the ``similarity`` enrichment), built once per set of measures.

        Example:
            >>> Service(path).similarity_table().height  # doctest: +SKIP
            1988010
        """
        from foedus.measures import similarity

        def build() -> pl.DataFrame:
            ddy = self._atop_ddy()[0]
            members = self._members_span(ATOP_FIRST, ATOP_LAST)
            caps = self.wh.table("nmc") if any(m in similarity.WEIGHTED_MEASURES for m in measures) else None
            return similarity.similarity_dyad_years(ddy, members, capabilities=caps,
                                                    measures=tuple(measures),
                                                    years=(ATOP_FIRST, ATOP_LAST))

        return self._one.get(("similarity", tuple(measures)), build)

    def _members_span(self, first: int, last: int) -> pl.DataFrame:
        from foedus.frames.systems import create_state_years

        return create_state_years(self.wh.table("cow_system"), system="cow",
                                  years=(first, last)).select("ccode", "year")

    # -- structure and map -------------------------------------------------------------------
    def structure(self, first: int | None, last: int | None, group: str) -> dict[str, Any]:
        """System structure per year (``capability_concentration``).

        Example:
            >>> Service(path).structure(1946, 1991, "majors")["count"]  # doctest: +SKIP
            46
        """
        from foedus.measures import structure

        self.require_data()
        if group not in ("majors", "all"):
            raise FoedusError(f"unknown group '{group[:40]}'", fix="use majors or all")
        span = check_span(first, last, default=(ATOP_FIRST, 2022))
        table = structure.capability_concentration(
            self.wh.table("nmc"), group=group,  # type: ignore[arg-type]
            majors=self.wh.table("cow_majors"), years=span)
        names = self._state_names("cow")
        rows = table.to_dicts()
        for r in rows:
            leader = r.get("leader")
            r["leader_abbreviation"] = names.get(int(leader), (None, None))[0] if leader is not None else None
        return {"from": span[0], "to": span[1], "group": group, "count": len(rows), "rows": rows,
                "provenance": self.provenance(["nmc", "cow_majors"])}

    def map_values(self, measure: str, year: int) -> dict[str, Any]:
        """One value per COW member in ``year`` for a choropleth, with ISO3 codes.

        Example:
            >>> Service(path).map_values("cinc", 2010)["count"]  # doctest: +SKIP
            194
        """
        self.require_data()
        if measure not in MAP_MEASURES:
            raise FoedusError(f"unknown map measure '{measure[:40]}'",
                              fix="use one of: " + ", ".join(MAP_MEASURES))
        self._check_network_year(year)
        df, prov = self.year_frame(year)
        codes = [int(c) for c in df["ccode"].to_list()]
        iso = unique_iso3(codes, self.iso3("cow"))
        names = self._state_names("cow")
        values = df[measure].to_list()
        rows = []
        for c, i, v in zip(codes, iso, values, strict=True):
            abb, name = names.get(c, (str(c), f"code {c}"))
            if isinstance(v, float) and v != v:
                v = None
            rows.append({"ccode": c, "abbreviation": abb, "name": name, "iso3": i, "value": v})
        present = [r["value"] for r in rows if r["value"] is not None]
        return {"measure": measure, "description": MAP_MEASURES[measure], "year": year,
                "count": len(rows), "missing": len(rows) - len(present),
                "min": min(present) if present else None, "max": max(present) if present else None,
                "values": rows, "provenance": prov}

    # -- dyads ---------------------------------------------------------------------------------
    def dyad(self, a: str, b: str, first: int | None, last: int | None) -> dict[str, Any]:
        """Dyad profile timeline of states ``a`` and ``b``, built from a directed COW dyad-year
        Frame of the two states (one row per year both are system members).

        Example:
            >>> Service(path).dyad("USA", "RUS", 2012, 2021)["summary"]["years"]  # doctest: +SKIP
            10
        """
        sa = self.resolve_state(a)
        sb = self.resolve_state(b)
        if sa.ccode == sb.ccode:
            raise FoedusError(f"a dyad needs two different states, not {sa.abb} twice",
                              fix="give two different states, e.g. /dyads/USA/RUS")
        span = check_span(first, last, default=(ATOP_FIRST, today_year()))
        key = (sa.ccode, sb.ccode, span)
        return self._dyads.get(key, lambda: self._build_dyad(sa.ccode, sb.ccode, span))

    def dyad_frame(self, a: int, b: int, span: tuple[int, int]) -> Any:
        """The two directed dyads (a→b, b→a) of ``span`` with the profile's enrichments.

        Example:
            >>> Service(path).dyad_frame(2, 365, (2000, 2001)).height  # doctest: +SKIP
            4
        """
        import foedus

        self.require_data()
        frame = foedus.dyad_years("cow", directed=True, years=span, warehouse=self.wh)
        pair = ((pl.col("ccode1") == a) & (pl.col("ccode2") == b)) | (
            (pl.col("ccode1") == b) & (pl.col("ccode2") == a))
        frame = replace(frame, df=frame.df.filter(pair))
        wanted = [("atop", ("atop_ddy", "atop_member")), ("nmc", ("nmc",)),
                  ("majors", ("cow_majors",)), ("contiguity", ("cow_contdir",)),
                  ("gml-mids", ("gml_mid_ddydisps",)), ("cow-mids", ("cow_mid_ddydisps",)),
                  ("idealpoints", ("unga_ideal_points",)),
                  ("idealpoint-distance", ("unga_ideal_points",))]
        names = [n for n, tables in wanted if any(self.wh.has(t) for t in tables)]
        if any(n.endswith("mids") for n in names):
            names.append("peace-years")
        return frame.enrich(names)

    def _build_dyad(self, a: int, b: int, span: tuple[int, int]) -> dict[str, Any]:
        from foedus.frames.atop import ATOP_COLUMNS

        frame = self.dyad_frame(a, b, span)
        df = frame.df
        keys = ["ccode1", "ccode2", "year"]
        extra_sources: list[dict[str, Any]] = []
        if "atop_alliance" in df.columns and span[1] > ATOP_LAST and self.wh.has("atop_member"):
            df = self._extend_atop(df)
            extra_sources = self._after_atop_sources()
        if span[0] <= ATOP_LAST and (self.wh.has("atop_ddy") or self.wh.has("atop_member")):
            sims = self.similarity_table().filter(
                pl.col("ccode1").is_in([a, b]) & pl.col("ccode2").is_in([a, b]))
            df = df.join(sims, on=keys, how="left", maintain_order="left")
        else:
            df = df.with_columns(pl.lit(None, dtype=pl.Float64).alias(m) for m in DYAD_SIMILARITY)
        if "cinc1" in df.columns:
            df = df.with_columns(
                capability_ratio=pl.when(pl.col("cinc2") > 0).then(pl.col("cinc1") / pl.col("cinc2")),
                capability_share=pl.when((pl.col("cinc1") + pl.col("cinc2")) > 0)
                .then(pl.col("cinc1") / (pl.col("cinc1") + pl.col("cinc2"))))
        atop_cols = [c for c in ("atop_alliance", *ATOP_COLUMNS) if c in df.columns]
        reverse = df.filter((pl.col("ccode1") == b) & (pl.col("ccode2") == a)).select(
            "year", *[pl.col(c).alias(f"{c}_ba") for c in atop_cols])
        rows = (df.filter((pl.col("ccode1") == a) & (pl.col("ccode2") == b))
                .join(reverse, on="year", how="left", maintain_order="left").sort("year"))
        summary = {
            "years": rows.height,
            "first_year": int(rows["year"].min()) if rows.height else None,  # type: ignore[arg-type]
            "last_year": int(rows["year"].max()) if rows.height else None,  # type: ignore[arg-type]
        }
        for label, column in (("years_allied", "atop_alliance"),
                              ("years_defence_pact", "atop_defense"),
                              ("gml_mid_onsets", "gmlmidonset"),
                              ("cow_mid_onsets", "cowmidonset"),
                              ("years_contiguous_by_land", "conttype")):
            if column in rows.columns:
                col = rows[column]
                summary[label] = int((col == 1).sum()) if label.startswith("years_contiguous") else int(
                    (col.fill_null(0) > 0).sum())
        prov = self.frame_provenance(frame)
        prov["sources"].extend(extra_sources)
        if span[0] <= ATOP_LAST:
            used = {s["table"] for s in prov["sources"]}
            prov["sources"].extend(
                s | {"purpose": "alliance-portfolio similarity (" + ", ".join(DYAD_SIMILARITY) + ")"}
                for s in self.provenance(["cow_system", "nmc"])["sources"] if s["table"] not in used)
        return {"a": self._state_label(a), "b": self._state_label(b),
                "from": span[0], "to": span[1], "columns": rows.columns,
                "summary": summary, "timeline": rows, "provenance": prov}

    def _extend_atop(self, df: pl.DataFrame) -> pl.DataFrame:
        """ATOP columns after 2018 as the ``atop-extended`` enrichment fills them."""
        from foedus.frames.atop import ATOP_COLUMNS

        after = self.after_atop().select(
            "ccode1", "ccode2", "year", pl.lit(1.0).alias("_alliance"),
            *[pl.col(c).alias(f"_{c}") for c in ATOP_COLUMNS], pl.col("atop_basis"))
        later = pl.col("year") > ATOP_LAST
        out = df.join(after, on=["ccode1", "ccode2", "year"], how="left", maintain_order="left")
        return out.with_columns(
            pl.when(later).then(pl.col("_alliance").fill_null(0.0)).otherwise(
                pl.col("atop_alliance")).alias("atop_alliance"),
            *[pl.when(later).then(pl.col(f"_{c}").fill_null(0.0)).otherwise(pl.col(c)).alias(c)
              for c in ATOP_COLUMNS],
            pl.when(~later).then(pl.lit("atop"))
            .when(pl.col("atop_basis").is_null()).then(pl.lit("atop-carried-forward"))
            .otherwise(pl.col("atop_basis")).alias("atop_basis"),
        ).drop("_alliance", *[f"_{c}" for c in ATOP_COLUMNS])

    # -- frames ------------------------------------------------------------------------------------
    def frame(self, unit: str, system: str, directed: bool, years: str | None,
              with_: Sequence[str], whittle: Sequence[str]) -> Any:
        """A state-year or dyad-year Frame as ``foedus frame … --with`` builds it; refuses (before
        enriching) a frame larger than the row limit.

        Example:
            >>> Service(path).frame("state-years", "cow", True, "2010", ["nmc"], []).height  # doctest: +SKIP
            194
        """
        import foedus
        from foedus.frames.frame import ALIASES, ENRICHERS
        from foedus.frames.universe import parse_years

        self.require_data()
        span = parse_years(years) if years is not None else None
        names = []
        for raw in with_:
            n = raw.strip().lower().replace("_", "-")
            names.append(ALIASES.get(n, n))
        unknown = [n for n in names if n not in ENRICHERS]
        if unknown:
            from foedus.errors import UnknownEnrichmentError

            raise UnknownEnrichmentError(f"unknown enrichment '{unknown[0][:40]}'",
                                         fix="use one or more of: " + ", ".join(ENRICHERS))
        key = (unit, system.lower(), directed if unit == "dyad-years" else None, span,
               tuple(names), tuple(whittle))

        def build() -> Any:
            if unit == "dyad-years":
                base = foedus.dyad_years(system, directed=directed, years=span, warehouse=self.wh)
            else:
                base = foedus.state_years(system, years=span, warehouse=self.wh)
            self.check_rows(base.height, unit, base.years())
            return base.enrich(names, whittle=list(whittle) or None)

        frame = self._frames.get(key, build)
        self.check_rows(frame.height, unit, frame.years())
        return frame

    def check_rows(self, rows: int, unit: str, years: tuple[int, int] | None) -> None:
        """Refuse a result over the row limit, saying how to narrow it.

        Example:
            >>> Service("/nonexistent/w.duckdb", row_limit=10).check_rows(5, "state-years", (2000, 2000))
        """
        if rows <= self.row_limit:
            return
        n_years = (years[1] - years[0] + 1) if years else 1
        per_year = max(1, rows // n_years)
        fit = max(1, self.row_limit // per_year)
        raise RowLimitError(
            f"the {unit} frame has {rows:,} rows, more than the limit of {self.row_limit:,}",
            where=f"/api/v1/frames/{unit}",
            fix=f"narrow `years` (about {per_year:,} rows per year: at most {fit} year"
            f"{'s' if fit != 1 else ''} per request, e.g. years={years[0] if years else 2000}"
            f"-{(years[0] if years else 2000) + fit - 1}), or build the whole frame locally with "
            f"`foedus frame {unit} … -o FILE.parquet`",
        )

    # -- warming --------------------------------------------------------------------------------
    def warm(self, years: Iterable[int] = ()) -> None:
        """Build the shared caches now (alliance data, ISO3 codes, similarity of every
        dyad-year, obligations after 2018, and the given years' frames and networks).

        Example:
            >>> Service("/nonexistent/w.duckdb").warm()  # no warehouse: nothing to build
        """
        if not (self.wh.exists() and self.wh.records()):
            return
        self.alliance_data()
        self.iso3("cow")
        if self.wh.has("gw_system"):
            self.iso3("gw")
        self._atop_ddy()
        self.after_atop()
        self.similarity_table()
        for year in years:
            self.year_frame(year)
            self._network(year, None)


