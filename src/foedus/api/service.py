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

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from foedus.errors import FoedusError, MissingDataError, RowLimitError, UnknownStateError
from foedus.measures.year_views import (
    ATOP_FIRST,
    ATOP_LAST,
    NETWORK_COLUMNS,
    NMC_COLUMNS,
    YearInputs,
    unique_iso3,
)
from foedus.measures.year_views import MAP_MEASURES as _MEASURES
from foedus.warehouse import ImportRecord, Warehouse

T = TypeVar("T")

#: Obligation columns of ATOP dyad-years.
ATOP_OBLIGATIONS = ("defense", "offense", "neutral", "nonagg", "consul")
#: ``/map`` measures: name → description (the library's :data:`~foedus.measures.year_views.MAP_MEASURES`).
MAP_MEASURES: dict[str, str] = {k: v[1] for k, v in _MEASURES.items()}


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

    def table(self, table: str, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """The active release of ``table`` (cached; read under the lock), or only ``columns``.

        Example:
            >>> SharedWarehouse(path).table("nmc").height  # doctest: +SKIP
            17121
        """
        with self._lock:
            if not self.exists():
                raise MissingDataError(
                    "the warehouse does not exist yet",
                    where=f"warehouse {self.path.name}",
                    fix="import data first: foedus data import-all DIR (or foedus serve --data DIR)",
                )
            return super().table(table, columns)

    def refresh(self) -> bool:
        """Forget what was read if an import replaced the file (under the lock); whether it did.

        Example:
            >>> SharedWarehouse("/nonexistent/w.duckdb").refresh()
            False
        """
        with self._lock:
            if not self.changed():
                return False
            self.close()
            self._forget()
            return True

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
        self.inputs = YearInputs(self.wh)  # the library's shared inputs (ATOP, names, ISO3 …)
        self._refresh_lock = threading.Lock()

    def refresh(self) -> bool:
        """Serve the new warehouse when an import has replaced the file (imports write a copy
        and swap it in atomically): the catalogue, tables and every cached answer are dropped.
        Costs two ``stat`` calls when nothing changed. Returns whether the file had changed.

        Example:
            >>> Service("/nonexistent/w.duckdb").refresh()
            False
        """
        if not self.wh.changed():
            return False
        with self._refresh_lock:
            if not self.wh.refresh():
                return False  # another request refreshed it first
            for memo in (self._one, self._years, self._networks, self._matrices, self._frames,
                         self._dyads):  # fmt: skip
                memo.clear()
            self.inputs = YearInputs(self.wh)
            return True

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
                where=f"warehouse {self.wh.path.name}",
                fix="import data first: foedus data import-all DIR (or foedus serve --data DIR)",
            )
        if not self.wh.records():
            raise MissingDataError(
                "the warehouse is empty",
                where=f"warehouse {self.wh.path.name}",
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
        doc: dict[str, Any] = {"foedus_version": foedus.__version__, "warehouse": self.wh.path.name,
                               "ready": ready, "row_limit": self.row_limit,
                               "releases": releases,
                               "in_use": [r for r in releases if r["in_use"]]}
        if not ready:
            doc["fix"] = "import data first: foedus data import-all DIR (or foedus serve --data DIR)"
        return doc

    # -- states -------------------------------------------------------------------------------
    def _state_names(self, system: str) -> dict[int, tuple[str, str]]:
        return self.inputs.names(system)  # type: ignore[no-any-return]

    def iso3(self, system: str = "cow") -> dict[int, str | None]:
        """COW (or G-W) code → ISO3 of the present-day country (see :func:`iso3_codes`).

        Example:
            >>> Service(path).iso3()[740]  # doctest: +SKIP
            'JPN'
        """
        return self.inputs.iso3(system)  # type: ignore[no-any-return]

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
        from foedus.measures.year_views import state_year_frame

        self._check_network_year(year)
        return self._years.get(year, lambda: state_year_frame(
            year, inputs=self.inputs, network=self._network(year, None)))

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
        notes.append("network position: in the network of defence obligations (as the network "
                     "page's default)")
        if year > ATOP_LAST:
            notes.append("network position after 2018: ATOP alliances carried forward and the "
                         "curated changes (as the atop-extended enrichment)")
        capabilities = ({c: values.get(c) for c in (*NMC_COLUMNS, "sipri_milex", "sipri_milex_gdp")}
                        if member else None)
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

        self.require_data()
        return self.inputs.alliance_data()

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
        return self.inputs.atop_ddy(), None

    def after_atop(self) -> pl.DataFrame:
        """Directed dyad-year obligations 2019–today (:meth:`YearInputs.after_atop`).

        Example:
            >>> Service(path).after_atop()["year"].min()  # doctest: +SKIP
            2019
        """
        self.require_data()
        return self.inputs.after_atop()

    def _after_atop_sources(self) -> list[dict[str, Any]]:
        return [self.inputs.curated_source()]

    def _members(self, year: int) -> pl.DataFrame:
        return self.inputs.members(year)

    def _check_network_year(self, year: int) -> None:
        from foedus.measures.year_views import _check_year

        _check_year(year)

    def _network(self, year: int, obligations: Sequence[str] | None) -> dict[str, Any]:
        from foedus.measures.year_views import _obligation_list, network_of_year

        self.require_data()
        self._check_network_year(year)
        key = (year, tuple(_obligation_list(obligations)))
        return self._networks.get(key, lambda: network_of_year(year, list(key[1]),
                                                               inputs=self.inputs))

    def network(self, year: int, obligations: Sequence[str] | None) -> dict[str, Any]:
        """``year``'s alliance network (:func:`foedus.measures.year_views.network_of_year`;
        default ties: defence obligations).

        Example:
            >>> Service(path).network(1985, None)["metrics"]["nodes"]  # doctest: +SKIP
            161
        """
        return self._network(year, obligations)

    def similarity(self, year: int, measure: str) -> dict[str, Any]:
        """Alliance-portfolio similarity of every pair of COW members in ``year`` (1816–2018).

        Example:
            >>> len(Service(path).similarity(1914, "s_un_val_sq")["codes"])  # doctest: +SKIP
            45
        """
        from foedus.measures.year_views import similarity_of_year

        self.require_data()
        return self._matrices.get((year, measure), lambda: similarity_of_year(
            year, measure, inputs=self.inputs))

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
        from foedus.measures.year_views import map_of_year

        self.require_data()
        if measure not in MAP_MEASURES:
            raise FoedusError(f"unknown map measure '{measure[:40]}'",
                              fix="use one of: " + ", ".join(MAP_MEASURES))
        self._check_network_year(year)
        return map_of_year(measure, year, inputs=self.inputs, frame=self.year_frame(year))

    # -- dyads ---------------------------------------------------------------------------------
    def dyad(self, a: str, b: str, first: int | None, last: int | None,
             engagement: bool = False) -> dict[str, Any]:
        """The dyad profile of states ``a`` and ``b`` (:func:`foedus.measures.dyad_profile`, the
        document ``foedus dyad A B --json`` prints): every instrument, obligations each way,
        disputes, similarity, capabilities; the engagement index only with ``engagement``.

        Example:
            >>> len(Service(path).dyad("USA", "RUS", 2012, 2021)["timeline"])  # doctest: +SKIP
            10
        """
        from foedus.measures.dyad_profile import DEFAULT_LAST_YEAR, dyad_profile

        self.require_data()
        sa = self.resolve_state(a)
        sb = self.resolve_state(b)
        if sa.ccode == sb.ccode:
            raise FoedusError(f"a dyad needs two different states, not {sa.abb} twice",
                              fix="give two different states, e.g. /dyads/USA/RUS")
        if first is None and last is None:
            years: Any = None
        else:
            start = first if first is not None else max(
                min((s.year for s, _ in st.spells), default=ATOP_FIRST) for st in (sa, sb))
            years = check_span(start, last if last is not None else DEFAULT_LAST_YEAR,
                               default=(ATOP_FIRST, DEFAULT_LAST_YEAR))
        key = (sa.ccode, sb.ccode, years, engagement)
        return self._dyads.get(key, lambda: dyad_profile(
            sa.ccode, sb.ccode, years=years, warehouse=self.wh, engagement=engagement))

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
        """Build the shared caches now (alliance data, ISO3 codes, obligations after 2018, and
        the given years' frames and networks).

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
        for year in years:
            self.year_frame(year)
            self._network(year, None)


