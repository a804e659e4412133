"""Frames: state-year and dyad-year tables that remember where every column came from.

A :class:`Frame` wraps a Polars DataFrame with its unit (state-year or dyad-year), its state system
(COW or G-W), whether dyads are directed, and the list of source releases used to build it. Enrichers
are chainable methods that return a new Frame; each records its sources so that
:meth:`Frame.citation` prints BibTeX for exactly what was used.

The enrichers themselves live in their own modules and are declared in
:mod:`foedus.frames.enrichers` (the ``--with`` registry); this module imports none of them. An
enricher uses the public plumbing here: :meth:`Frame.read` (a warehouse table and its provenance
record), :meth:`Frame.with_data` (a new frame with more provenance), :meth:`Frame.require_dyads`
and :meth:`Frame.require_cow`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import polars as pl

from foedus.errors import FoedusError, UnknownEnrichmentError
from foedus.provenance import Used
from foedus.sources.catalog import PEACESCIENCER_BIBTEX, get_source
from foedus.warehouse import Warehouse

System = Literal["cow", "gw"]

F = TypeVar("F", bound=Callable[..., Any])


def in_memory_engine(function: F) -> F:
    """Run ``function`` with Polars' in-memory engine.

    Why: under Polars 2.1's default engine an order-keeping left join of a 2.2-million-row frame
    takes about 0.29 s, against 0.09 s in memory; every enricher makes one or two such joins.
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with pl.Config(engine_affinity="in-memory"):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


Unit = Literal["state-year", "dyad-year"]

#: The columns an enricher declared ``keys_only`` may read.
_KEY_COLUMNS = ("ccode1", "ccode2", "gwcode1", "gwcode2", "ccode", "gwcode", "year")
#: Below this many rows, enrichers run one after the other (threads would cost more than they save).
_SIDE_BY_SIDE_ROWS = 50_000


def _side_by_side(
    keys: Frame, names: Sequence[str], apply: Callable[[str, Frame], Frame]
) -> dict[str, Frame]:
    """Apply each of ``names`` to ``keys`` in a pool of threads (Polars and NumPy release the GIL).

    The first failure, in ``names`` order, is raised, as the sequential chain would raise it.
    """
    import os
    from concurrent.futures import ThreadPoolExecutor

    workers = max(1, min(len(names), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="foedus-enrich") as pool:
        futures = {name: pool.submit(apply, name, keys) for name in names}
        return {name: futures[name].result() for name in names}


@dataclass(frozen=True, eq=False)
class Frame:
    """A state-year or dyad-year table with provenance.

    Example:
        >>> import polars as pl
        >>> f = Frame(pl.DataFrame({"ccode": [2], "year": [1816]}), unit="state-year", system="cow")
        >>> f.height
        1
    """

    df: pl.DataFrame
    unit: Unit
    system: System
    directed: bool | None = None
    used: tuple[Used, ...] = ()
    warehouse: Warehouse | None = field(default=None, repr=False, compare=False)
    #: What the frame is, when it is an unmodified universe (or one enriched only by reusable
    #: enrichers): (universe, enrichers applied, height, columns). Not an ``__init__`` field, so
    #: ``dataclasses.replace`` and every transformation drop it; see :meth:`enrich`.
    _origin: tuple[Any, ...] | None = field(default=None, init=False, repr=False, compare=False)

    # -- basic views ------------------------------------------------------------------------
    @property
    def height(self) -> int:
        """Number of rows."""
        return self.df.height

    @property
    def columns(self) -> list[str]:
        """Column names."""
        return self.df.columns

    def __len__(self) -> int:
        return self.df.height

    def __repr__(self) -> str:
        kind = (
            self.unit
            if self.unit == "state-year"
            else (f"{'directed' if self.directed else 'non-directed'} dyad-year")
        )
        return f"<foedus.Frame {kind} ({self.system}) {self.df.height:,} rows × {self.df.width} columns>"

    def to_polars(self) -> pl.DataFrame:
        """The underlying Polars DataFrame."""
        return self.df

    def to_pandas(self) -> Any:
        """The frame as a pandas DataFrame (nullable dtypes keep missing values missing)."""
        return self.df.to_pandas(use_pyarrow_extension_array=True)

    def years(self) -> tuple[int, int] | None:
        """First and last year present."""
        if self.df.height == 0:
            return None
        return int(self.df["year"].min()), int(self.df["year"].max())  # type: ignore[arg-type]

    # -- writing ----------------------------------------------------------------------------
    def write_parquet(self, path: str | Path, *, reuse: bool = False) -> Path:
        """Write Parquet, with the provenance stored in the file's metadata (key ``foedus``).

        ``reuse=True``: when the frame is still exactly what :func:`~foedus.frames.dyad_years`
        or :func:`~foedus.frames.state_years` and :meth:`enrich` made of parts kept beside the
        warehouse, the file is assembled from those parts' encoded column chunks instead of
        encoding the data again (the same values, types and metadata; a fraction of the time).
        Only for a frame whose ``df`` was not changed in place (``DataFrame.replace_column``
        keeps the shape and cannot be detected); the CLI writes its frames this way.

        Example:
            >>> import tempfile, pathlib
            >>> f = Frame(pl.DataFrame({"ccode": [2], "year": [1816]}), unit="state-year", system="cow")
            >>> path = f.write_parquet(pathlib.Path(tempfile.mkdtemp()) / "sy.parquet", reuse=True)
            >>> pl.read_parquet(path).rows()
            [(2, 1816)]
        """
        import json

        meta = {"foedus": json.dumps(self.provenance(), default=str)}
        files = self._kept_files() if reuse else ()
        with _output(path) as tmp:
            if files and _stitchable(self.df.schema):
                from foedus.frames._parquet import stitch_parquet

                if stitch_parquet(files, self.df.columns, tmp, meta) is None:
                    return Path(path)
            self.df.write_parquet(tmp, metadata=meta)
        return Path(path)

    def write_csv(self, path: str | Path) -> Path:
        """Write CSV (missing values as empty cells, as R's ``write_csv``)."""
        with _output(path) as tmp:
            self.df.write_csv(tmp)
        return Path(path)

    def write_dta(self, path: str | Path) -> Path:
        """Write a Stata .dta file (version 118)."""
        pdf = self.df.to_pandas()
        for name in pdf.columns:
            if pdf[name].dtype == object:
                pdf[name] = pdf[name].astype(str).where(pdf[name].notna(), "")
        with _output(path, suffix=".dta") as tmp:
            pdf.to_stata(tmp, write_index=False, version=118)
        return Path(path)

    def write(self, path: str | Path, *, reuse: bool = False) -> Path:
        """Write by extension: ``.parquet``, ``.csv`` or ``.dta`` (``reuse`` as in
        :meth:`write_parquet`).

        Example:
            >>> import tempfile, pathlib, polars as pl
            >>> f = Frame(pl.DataFrame({"ccode": [2], "year": [1816]}), unit="state-year", system="cow")
            >>> f.write(pathlib.Path(tempfile.mkdtemp()) / "sy.csv").name
            'sy.csv'
        """
        suffix = Path(path).suffix.lower()
        writers: dict[str, Callable[[str | Path], Path]] = {
            ".parquet": lambda p: self.write_parquet(p, reuse=reuse),
            ".csv": self.write_csv,
            ".dta": self.write_dta,
        }
        if suffix not in writers:
            raise FoedusError(
                f"cannot write '{suffix or 'no extension'}' files",
                where=str(path),
                fix="end the output name with .parquet, .csv or .dta",
            )
        return writers[suffix](path)

    # -- provenance -------------------------------------------------------------------------
    def sources(self) -> list[str]:
        """Names of the sources used, in order of first use."""
        seen: list[str] = []
        for used in self.used:
            if used.source not in seen:
                seen.append(used.source)
        return seen

    def provenance(self) -> dict[str, Any]:
        """Machine-readable description: unit, system, rows and every release used."""
        return {
            "unit": self.unit,
            "system": self.system,
            "directed": self.directed,
            "rows": self.df.height,
            "columns": self.df.width,
            "years": self.years(),
            "sources": [{k: v for k, v in u.to_dict().items() if k != "section" or v}
                        for u in self.used],
        }

    def citation(self) -> str:
        """BibTeX for every source the frame used, plus peacesciencer where its tables were used.

        Example:
            >>> import polars as pl
            >>> f = Frame(pl.DataFrame({"year": [1816]}), unit="state-year", system="cow",
            ...           used=(Used("cow-states", "2016", "cow_system", "states2016.csv", None, "universe"),))
            >>> "cow2017states" in f.citation()
            True
        """
        entries: list[str] = []
        for name in self.sources():
            # A source may cite several works (the democracy measures); each entry once.
            for bib in get_source(name).bibtex.split("\n\n@"):
                bib = bib if bib.startswith("@") else "@" + bib
                if bib not in entries:
                    entries.append(bib)
        if any(u.via and u.via.startswith("peacesciencer") for u in self.used):
            if PEACESCIENCER_BIBTEX not in entries:
                entries.append(PEACESCIENCER_BIBTEX)
        return "\n\n".join(entries) + ("\n" if entries else "")

    def summary(self) -> str:
        """One line: rows, columns, years, sources and versions."""
        return self._summary_line(self.df.width, self.years())

    def _summary_line(self, width: int, span: tuple[int, int] | None) -> str:
        years = f"{span[0]}–{span[1]}" if span else "no years"
        versions = ", ".join(sorted({f"{u.source} {u.version}" for u in self.used}))
        return f"{self.df.height:,} rows × {width} columns, {years}; sources: {versions}"

    # -- plumbing for enrichers ---------------------------------------------------------------
    def require_warehouse(self) -> Warehouse:
        """The warehouse the frame reads from (a clear error when it has none)."""
        if self.warehouse is None:
            raise FoedusError(
                "this frame is not attached to a warehouse",
                fix="build it with foedus.state_years()/dyad_years(), or pass warehouse=",
            )
        return self.warehouse

    def read(
        self, table: str, purpose: str, columns: Sequence[str] | None = None
    ) -> tuple[pl.DataFrame, Used]:
        """A warehouse table (only ``columns``, if given) and the provenance record saying it
        served ``purpose``.

        Example:
            >>> import polars as pl
            >>> Frame(pl.DataFrame({"year": [1816]}), unit="state-year", system="cow").read("nmc", "x")
            Traceback (most recent call last):
            ...
            foedus.errors.FoedusError: this frame is not attached to a warehouse. Fix: build it with foedus.state_years()/dyad_years(), or pass warehouse=
        """
        return self.require_warehouse().read(table, purpose, columns)

    def with_data(self, df: pl.DataFrame, *used: Used) -> Frame:
        """A frame like this one holding ``df``, with ``used`` added to its provenance.

        Example:
            >>> import polars as pl
            >>> f = Frame(pl.DataFrame({"year": [1816]}), unit="state-year", system="cow")
            >>> u = Used("nmc", "6.0", "nmc", "f.csv", None, "x")
            >>> g = f.with_data(f.df.with_columns(pl.lit(1).alias("a")), u, u)
            >>> g.columns, len(g.used)
            (['year', 'a'], 1)
        """
        fresh: list[Used] = []
        for u in used:
            if u not in self.used and u not in fresh:
                fresh.append(u)
        return replace(self, df=df, used=self.used + tuple(fresh))

    def require_dyads(self, what: str) -> None:
        """Raise a clear error unless the frame is a dyad-year frame."""
        if self.unit != "dyad-year":
            raise FoedusError(
                f"{what} applies to dyad-years, not {self.unit}s",
                fix="build the frame with foedus.dyad_years()",
            )

    def require_states(self, what: str) -> None:
        """Raise a clear error unless the frame is a state-year frame."""
        if self.unit != "state-year":
            raise FoedusError(
                f"{what} applies to state-years",
                fix="build the frame with foedus.state_years()",
            )

    def require_cow(self, what: str) -> None:
        """Raise a clear error unless the frame carries Correlates of War codes."""
        key = "ccode1" if self.unit == "dyad-year" else "ccode"
        if key not in self.df.columns:
            raise FoedusError(
                f"{what} is coded in Correlates of War codes, but this frame has no '{key}'",
                fix="use system='cow', or add COW codes first with .add_ccode_to_gw()",
            )

    # The names enricher modules used before the plumbing was public (kept for callers).
    _wh = require_warehouse
    _table = read
    _with = with_data
    _require_dyads = require_dyads
    _require_cow = require_cow

    def _apply(self, name: str, **options: Any) -> Frame:
        from foedus.frames.enrichers import get

        with pl.Config(engine_affinity="in-memory"):
            return get(name).apply(self, **options)

    # -- enrichers (each delegates to the module that declares it) ----------------------------
    def add_atop_alliance(
        self, *, source: Literal["auto", "ddy", "derived"] = "auto", extend: bool = False
    ) -> Frame:
        """ATOP obligations (atop_alliance, atop_defense, …, atop_consul); 0 within 1815–2018
        when no obligation, null outside ATOP's years.

        ``source="derived"`` builds directed dyad-years from the member-level release
        ``atop5_1m.csv`` (rules in docs/atop-dyad-rules.md); ``"ddy"`` reads ATOP's own directed
        dyad-year table; ``"auto"`` (default) uses ATOP's table when it is imported — it also codes
        the partner-specific obligations of members with ``obvary = 1``, which the member-level file
        cannot express (421 cells) — and the derivation otherwise.

        ``extend=True`` also fills the years after ATOP's last (2018): alliances in force at the end
        of 2018 carried forward, changed by the curated facts (``docs/alliances.md``), with a column
        ``atop_basis`` saying where each row's values come from (``atop``,
        ``atop-carried-forward``, ``curated``). By default those years stay null, as the peer has.
        (:func:`foedus.frames.atop.enrich_atop`, :func:`foedus.alliances.enrichers.enrich_atop_extended`)
        """
        if source not in ("auto", "ddy", "derived"):
            raise FoedusError(f"unknown ATOP source '{source}'", fix="use auto, ddy or derived")
        return self._apply("atop-extended" if extend else "atop", source=source)

    def add_nmc(self) -> Frame:
        """National Material Capabilities (milex … cinc; suffixed 1/2 on dyad-years)."""
        return self._apply("nmc")

    def add_cow_majors(self) -> Frame:
        """COW major-power status (cowmaj, or cowmaj1/cowmaj2)."""
        return self._apply("majors")

    def add_contiguity(self) -> Frame:
        """COW direct contiguity type (conttype: 0 none, 1 land … 5 water over 400 miles)."""
        return self._apply("contiguity")

    def add_gml_mids(
        self, *, keep: Sequence[str] | None = None, whittle: Sequence[str] | None = None
    ) -> Frame:
        """GML MIDs (gmlmidonset, gmlmidongoing, …) whittled to one dispute per dyad-year."""
        return self._apply("gml-mids", keep=keep, whittle=whittle)

    def add_cow_mids(
        self,
        *,
        keep: Sequence[str] | None = None,
        whittle: Sequence[str] | None = None,
        source: Literal["auto", "midb", "peer"] = "auto",
    ) -> Frame:
        """COW MID 5.0 (cowmidonset, cowmidongoing, …) whittled to one dispute per dyad-year.

        ``source="midb"`` rebuilds the dispute-years from the official participant and dispute
        files (``MIDB 5.0.csv``, ``MIDA 5.0.csv``; ``foedus.frames.cow_mids``), so that ``whittle``
        chooses among all of a dyad-year's disputes; ``"peer"`` reads peacesciencer's
        ``cow_mid_ddydisps``; ``"auto"`` (default) rebuilds when the official files are imported.
        """
        return self._apply("cow-mids", keep=keep, whittle=whittle, source=source)

    def add_peace_years(self) -> Frame:
        """Years since the last onset (…spell) for every onset column present."""
        return self._apply("peace-years")

    def add_capital_distance(self) -> Frame:
        """Great-circle distance between capitals in km (capdist)."""
        return self._apply("capital-distance")

    def filter_prd(self) -> Frame:
        """Keep politically relevant dyads (contiguous, or one side a major power)."""
        return self._apply("prd")

    def add_prd(self) -> Frame:
        """Add a 0/1 politically-relevant-dyad indicator (prd)."""
        from foedus.frames.geography import enrich_prd_indicator

        with pl.Config(engine_affinity="in-memory"):
            return enrich_prd_indicator(self)

    def add_gwcode_to_cow(self) -> Frame:
        """Add Gleditsch–Ward codes to a COW frame (gwcode, or gwcode1/gwcode2), year-specific."""
        return self._apply("gwcode")

    def add_ccode_to_gw(self) -> Frame:
        """Add COW codes to a G-W frame (ccode, or ccode1/ccode2), year-specific."""
        return self._apply("ccode")

    def add_ucdp_acd(self) -> Frame:
        """UCDP/PRIO armed conflict on state-years (ucdpongoing, ucdponset, maxintensity, conflict_ids)."""
        return self._apply("ucdp")

    def add_democracy(self) -> Frame:
        """Democracy (extended UDS ``euds``/``aeuds``, Polity5 ``polity2``, V-Dem
        ``v2x_polyarchy``; suffixes 1/2 and weak-link ``*_min`` on dyad-years;
        ``docs/democracy-gdp.md``)."""
        return self._apply("democracy")

    def add_sim_gdp_pop(self) -> Frame:
        """Fariss et al. (2022) GDP per capita, GDP, population with SDs (``mrgdppc`` …;
        suffixes 1/2 and weak-link ``mrgdppc_min`` on dyad-years; ``docs/democracy-gdp.md``)."""
        return self._apply("gdp")

    def _atop_obligations(self, source: str = "auto") -> tuple[pl.DataFrame, Used]:
        """ATOP directed dyad-year obligations, as add_atop_alliance chooses them."""
        from foedus.frames.atop import atop_obligations

        return atop_obligations(self, source)

    def add_alliance_similarity(
        self,
        measures: Sequence[str] | None = None,
        *,
        coding: Literal["cow-types", "fpsim"] = "cow-types",
    ) -> Frame:
        """Foreign-policy similarity of alliance portfolios (Signorino–Ritter S variants, tau-b,
        kappa, pi; ``docs/similarity.md``) for each dyad-year in ATOP's years (1816–2018), over the
        global COW system; null outside those years. CINC weights come from NMC.

        ``coding``: ``"cow-types"`` (default; 3 defence/offence, 2 neutrality/non-aggression,
        1 consultation) or ``"fpsim"`` (FPSIM's ATOP computation: 3 defence/offence, 2 neutrality/
        consultation, 1 non-aggression only; tau-b over the tie matrix's columns).
        """
        return self._apply("similarity", measures=measures, coding=coding)

    def add_alliance_network(self, *, obligations: Sequence[str] | None = None) -> Frame:
        """Each state's position in that year's alliance network (degree, weighted degree,
        betweenness, eigenvector centrality, clustering, bloc; ``docs/networks-structure.md``),
        over the COW system in ATOP's years; null outside them.
        """
        return self._apply("network", obligations=obligations)

    def add_ideal_points(self, *, estimate: Literal["all", "fp", "legacy"] = "all") -> Frame:
        """UN General Assembly ideal points (Bailey, Strezhnev and Voeten 2017): ``idealpoint``
        on state-years, ``idealpoint1``/``idealpoint2`` on dyad-years; null outside coverage.
        ``estimate``: ``"all"`` votes (default), ``"fp"`` final-passage votes, ``"legacy"``.
        """
        return self._apply("idealpoints", estimate=estimate)

    def add_ideal_point_distance(
        self, *, estimate: Literal["all", "fp", "legacy"] = "all"
    ) -> Frame:
        """Absolute distance between the two states' UN ideal points (``idealpointdist``)."""
        return self._apply("idealpoint-distance", estimate=estimate)

    def add_arms_transfers(
        self, *, allocation: Literal["even", "first", "last"] = "even", categories: bool = False
    ) -> Frame:
        """SIPRI arms transfers: TIV delivered and deals (``arms_tiv``, ``arms_deals``; supplier
        ccode1 → recipient ccode2 on dyad-years, exports/imports on state-years), each deal's TIV
        split evenly over its delivery years by default; null outside 1950–2024
        (``docs/instruments-sipri.md``).
        """
        return self._apply("arms", allocation=allocation, categories=categories)

    def add_military_expenditure(self) -> Frame:
        """SIPRI military expenditure: constant 2022 USD, share of GDP, per capita
        (``sipri_milex``, ``sipri_milex_gdp``, ``sipri_milex_pc``; suffixes 1/2 on dyad-years).
        """
        return self._apply("milex")

    def add_dcas(self) -> Frame:
        """Defence cooperation agreements (DCAD v1.0, 1980–2010): agreements in force, by type,
        and new signings (``docs/instruments.md``)."""
        return self._apply("dca")

    def add_joint_exercises(self) -> Frame:
        """Joint and multinational military exercises (JME 1970–2010, MME 1980–2010): counts,
        bilateral vs multilateral, as host (``docs/instruments.md``)."""
        return self._apply("exercises")

    def add_us_training(self) -> Frame:
        """US training of foreign military personnel (FMTR FY1999–2020): students and cost."""
        return self._apply("us-training")

    def add_us_troops(self) -> Frame:
        """US troops stationed abroad (1950–2024) and bases."""
        return self._apply("us-troops")

    def add_us_visits(self) -> Frame:
        """US senior defence leader visits (1992–2012), by start year."""
        return self._apply("us-visits")

    def add_pko(self) -> Frame:
        """Peace operations: co-deployment in the same operation (dyad-years; Geo-PKO, UN
        operations in Africa 1994–2018) and troop contributions (state-years)."""
        return self._apply("pko")

    # -- the --with vocabulary ----------------------------------------------------------------
    @in_memory_engine
    def enrich(self, names: Sequence[str], *, whittle: Sequence[str] | None = None) -> Frame:
        """Apply enrichers by their public names (the CLI's ``--with``).

        ``whittle`` (step names of ``foedus.frames.disputes.WHITTLE_STEPS``) replaces the default
        order in which several disputes in one dyad-year are whittled to one, for ``cow-mids`` and
        ``gml-mids``.

        Example:
            >>> import polars as pl
            >>> f = Frame(pl.DataFrame({"ccode": [2], "year": [1816]}), unit="state-year", system="cow")
            >>> f.enrich(["contiguity"])  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            foedus.errors.UnknownEnrichmentError: 'contiguity' does not apply to state-years. Fix: state-years accept: gwcode, ccode, nmc, majors, ucdp, peace-years, ...
        """
        known, ordered = self._resolve(names)

        def apply(name: str, frame: Frame) -> Frame:
            spec = known[name]
            if whittle is not None and "whittle" in spec.options:
                return spec.apply(frame, whittle=whittle)
            return spec.apply(frame)

        # On an unmodified universe, a reusable enricher's columns are kept beside the warehouse
        # the first time they are computed and read back after (keyed by the universe, the
        # enrichers before it where it reads their columns, the releases and the package).
        reuse = _Reuse.plan(self, ordered, known, whittle)
        kept = reuse.found() if reuse else {}

        # Enrichers that read only the keys run side by side on a frame of the keys alone; their
        # new columns are then appended in the user's order, exactly as the chain would add them.
        # (One to be kept runs there even alone, so that its provenance is its own.)
        alone = [n for n in ordered if known[n].keys_only and known[n].phase == 0
                 and n not in kept]  # fmt: skip
        keys = [c for c in _KEY_COLUMNS if c in self.df.columns]
        big = self.df.height >= _SIDE_BY_SIDE_ROWS
        isolated = [n for n in alone if (len(alone) > 1 and big) or (reuse and n in reuse.idents)]
        ready: dict[str, Frame] = {}
        if isolated and "year" in keys:
            def added_only(name: str, keys_frame: Frame) -> Frame:
                done = apply(name, keys_frame)
                return replace(done, df=done.df.drop(keys, strict=False))

            keys_frame = replace(self, df=self.df.select(keys))
            if len(isolated) > 1 and big:
                ready = _side_by_side(keys_frame, isolated, added_only)
            else:
                ready = {n: added_only(n, keys_frame) for n in isolated}
        frame = self
        for name in ordered:
            part = kept.pop(name, None)  # (dropped once used: the peak stays one frame)
            if part is not None and not any(c in frame.df.columns for c in part[0].columns):
                frame = frame.with_data(frame.df.hstack(part[0].get_columns()), *part[1])
                continue
            done = ready.pop(name, None)
            before = frame
            if done is None or any(c in frame.df.columns for c in done.df.columns):
                frame = apply(name, frame)  # (also gives the enricher's own error on a clash)
                added = frame.df.select(frame.df.columns[before.df.width:])
                new_used = frame.used[len(before.used):]
            else:
                assert done.df.height == frame.df.height
                frame = frame.with_data(frame.df.hstack(done.df.get_columns()), *done.used)
                added, new_used = done.df, done.used[len(self.used):]
            if reuse and name in reuse.idents and frame.df.height == before.df.height \
                    and frame.df.columns[:before.df.width] == before.df.columns:  # fmt: skip
                reuse.keep(name, added, new_used)
        if reuse and reuse.whole:
            before_files = self._kept_files()
            files = (*before_files, *(reuse.path(n) for n in ordered)) if before_files else ()
            frame._mark(reuse.universe, reuse.applied, files)
        return frame

    def _resolve(self, names: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
        """The enricher registry and ``names`` as canonical names in the order they apply."""
        from foedus.frames.enrichers import canonical, registry

        known = registry()
        wanted: list[str] = []
        for raw in names:
            if not raw.strip():
                continue
            name = canonical(raw)
            spec = known[name]
            if self.unit not in spec.units:
                raise UnknownEnrichmentError(
                    f"'{name}' does not apply to {self.unit}s",
                    fix=f"{self.unit}s accept: "
                    + ", ".join(n for n, s in known.items() if self.unit in s.units),
                )
            if name not in wanted:
                wanted.append(name)
        # The user's order decides column order (as chained calls would); only enrichers that read
        # other enrichers' columns wait for them: prd after contiguity/majors, peace-years last.
        return known, sorted(wanted, key=lambda n: known[n].phase)

    def write_enriched(self, path: str | Path, names: Sequence[str], *,
                       whittle: Sequence[str] | None = None) -> dict[str, Any]:  # fmt: skip
        """Write ``self.enrich(names, whittle=whittle)`` to ``path`` (by extension) and describe
        what was written: :meth:`provenance` plus ``column_names`` and ``summary``.

        When this frame is an unmodified universe and every enricher's columns are kept beside
        the warehouse, a Parquet file is assembled from the kept parts' encoded column chunks
        without loading them (the standard 2.2-million-row file: no 620 MB in memory); otherwise
        the frame is enriched and written as usual (``Frame.write(path, reuse=True)``). The file
        and the description are the same either way.

        Example:
            >>> import tempfile, pathlib
            >>> f = Frame(pl.DataFrame({"ccode": [2], "year": [1816]}), unit="state-year", system="cow")
            >>> info = f.write_enriched(pathlib.Path(tempfile.mkdtemp()) / "sy.parquet", [])
            >>> info["rows"], info["column_names"], info["summary"]
            (1, ['ccode', 'year'], '1 rows × 2 columns, 1816–1816; sources: ')
        """
        known, ordered = self._resolve(names)
        if Path(path).suffix.lower() == ".parquet":
            done = self._write_kept(Path(path), ordered, known, whittle)
            if done is not None:
                return done
        frame = self.enrich(ordered, whittle=whittle)
        frame.write(path, reuse=True)
        return frame._describe(frame.df.width, frame.columns)

    def _describe(self, width: int, columns: list[str]) -> dict[str, Any]:
        """:meth:`provenance` of this frame with ``width`` columns named ``columns``."""
        info = self.provenance() | {"columns": width, "column_names": columns}
        info["summary"] = self._summary_line(width, info["years"])
        return info

    def _write_kept(self, path: Path, ordered: list[str], known: dict[str, Any],
                    whittle: Sequence[str] | None) -> dict[str, Any] | None:  # fmt: skip
        """Stitch the kept parts of ``ordered`` onto this universe's into ``path``, or ``None``
        (nothing written) unless every part is kept and fits."""
        import json

        from foedus.frames._parquet import ParquetParts

        before = self._kept_files()
        reuse = _Reuse.plan(self, ordered, known, whittle) if before else None
        if reuse is None or not reuse.whole:
            return None
        kept = reuse.found_files()
        if kept is None:
            return None
        files = (*before, *(path for path, _ in kept))
        parts = ParquetParts.open(files)
        if isinstance(parts, str) or parts.columns[:self.df.width] != self.df.columns:
            return None
        try:  # (the Polars types, from each part's Arrow schema: a footer read)
            if not all(_stitchable(pl.read_parquet_schema(f)) for f in files):
                return None
        except (OSError, pl.exceptions.PolarsError):
            return None
        columns = parts.columns
        frame = self.with_data(self.df, *(u for _, used in kept for u in used))
        # (the provenance exactly as write_parquet stores it for the enriched frame)
        meta = {"foedus": json.dumps(frame.provenance() | {"columns": len(columns)}, default=str)}
        built = parts.stitch(columns, meta)
        if isinstance(built, str):
            return None
        with _output(path) as tmp:
            tmp.write_bytes(built)
        return frame._describe(len(columns), columns)

    def _mark(self, universe: tuple[Any, ...], applied: tuple[Any, ...] = (),
              files: tuple[Path, ...] = ()) -> Frame:  # fmt: skip
        """Record that this frame is ``universe`` with the reusable enrichers ``applied``, whose
        columns are kept in ``files`` (the universe's first; empty when not all are kept)."""
        if self.warehouse is not None:
            origin = (universe, applied, self.df.height, tuple(self.df.columns), files)
            object.__setattr__(self, "_origin", origin)
        return self

    def _unmodified(self) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
        """``(universe, applied)`` if the frame is still what :meth:`_mark` recorded."""
        origin = self._origin
        if origin is None or self.warehouse is None:
            return None
        universe, applied, height, columns, _ = origin
        if self.df.height != height or tuple(self.df.columns) != columns:
            return None
        return universe, applied

    def _kept_files(self) -> tuple[Path, ...]:
        """The kept Parquet files holding all of this unmodified frame's columns, or ``()``."""
        if self._unmodified() is None:
            return ()
        files: tuple[Path, ...] = self._origin[4]  # type: ignore[index]
        return files

    # -- equality -----------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        """Frames are equal when unit, system, direction, provenance and data are all equal.

        Example:
            >>> import polars as pl
            >>> a = Frame(pl.DataFrame({"year": [1816]}), unit="state-year", system="cow")
            >>> a == Frame(pl.DataFrame({"year": [1816]}), unit="state-year", system="cow"), a == 3
            (True, False)
        """
        if not isinstance(other, Frame):
            return NotImplemented
        return (
            (self.unit, self.system, self.directed, self.used)
            == (other.unit, other.system, other.directed, other.used)
            and self.df.equals(other.df)
        )

    def __hash__(self) -> int:
        """Hash of the description and the data's shape and columns (equal frames hash equal)."""
        return hash((self.unit, self.system, self.directed, self.used, self.df.shape,
                     tuple(self.df.columns)))  # fmt: skip


class _Reuse:
    """Which enrichers of one :meth:`Frame.enrich` call can be read back from the warehouse's
    snapshot folder, and keeping the others' columns there once computed."""

    def __init__(self, warehouse: Warehouse, universe: tuple[Any, ...], applied: tuple[Any, ...],
                 idents: dict[str, dict[str, Any]], whole: bool) -> None:  # fmt: skip
        self.warehouse = warehouse
        self.universe = universe
        self.idents = idents
        self.whole = whole  # every enricher of the call is reusable: the result stays marked
        self.applied = applied
        self._tables: list[str] | None = None
        self._package = ""

    @classmethod
    def plan(cls, frame: Frame, ordered: Sequence[str], known: dict[str, Any],
             whittle: Sequence[str] | None) -> _Reuse | None:  # fmt: skip
        state = frame._unmodified()
        if state is None or frame.warehouse is None or not frame.warehouse.path.exists():
            return None
        universe, applied = state
        idents: dict[str, dict[str, Any]] = {}
        chain = list(applied)
        for name in ordered:
            spec = known[name]
            if not spec.reusable:
                return cls(frame.warehouse, universe, tuple(chain), idents, whole=False)
            option = list(whittle) if whittle is not None and "whittle" in spec.options else None
            alone = spec.keys_only and spec.phase == 0
            idents[name] = {"universe": list(universe), "enricher": name, "whittle": option,
                            "after": [] if alone else [list(step) for step in chain]}  # fmt: skip
            chain.append((name, option))
        return cls(frame.warehouse, universe, tuple(chain), idents, whole=True)

    def _key(self, name: str) -> tuple[str, list[str], dict[str, Any]]:
        from foedus._kept import package_digest

        if self._tables is None:
            self._tables = sorted({r.table for r in self.warehouse.records()})
            self._package = package_digest()
        options = {"ident": self.idents[name], "package": self._package}
        return f"frame-{name}", self._tables, options

    def _used(self, name: str) -> tuple[Used, ...] | None:
        """The kept provenance of enricher ``name``, or ``None``."""
        label, tables, options = self._key(name)
        used = self.warehouse.find_derived(label + "-used", tables, options)
        return None if used is None else tuple(Used(**row) for row in used.iter_rows(named=True))

    def found_files(self) -> list[tuple[Path, tuple[Used, ...]]] | None:
        """The kept columns' file and provenance of every enricher, in order, if all are kept
        (the columns are not read)."""
        result: list[tuple[Path, tuple[Used, ...]]] = []
        for name in self.idents:
            used, path = self._used(name), self.path(name)
            if used is None or not path.exists():
                return None
            result.append((path, used))
        return result

    def found(self) -> dict[str, tuple[pl.DataFrame, tuple[Used, ...]]]:
        """The kept columns and provenance of every enricher that has them."""
        import os
        from concurrent.futures import ThreadPoolExecutor

        def load(name: str) -> tuple[pl.DataFrame, tuple[Used, ...]] | None:
            used = self._used(name)
            if used is None:
                return None
            label, tables, options = self._key(name)
            columns = self.warehouse.find_derived(label, tables, options, parquet=True)
            return None if columns is None else (columns, used)

        names = list(self.idents)
        if names:
            self._key(names[0])  # (the releases and the package digest, once)
        # Decompressing the files runs outside the GIL: read them side by side.
        workers = max(1, min(len(names), os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="foedus-kept") as pool:
            loaded = dict(zip(names, pool.map(load, names), strict=True))
        return {name: part for name, part in loaded.items() if part is not None}

    def keep(self, name: str, columns: pl.DataFrame, used: Sequence[Used]) -> None:
        """Keep ``columns`` (the enricher's additions) and ``used`` (its provenance)."""
        label, tables, options = self._key(name)
        fields = ("source", "version", "table", "file", "via", "purpose", "section")
        rows = pl.DataFrame([[getattr(u, f) for f in fields] for u in used],
                            schema={f: pl.String for f in fields}, orient="row")  # fmt: skip
        self.warehouse.keep_derived(label + "-used", tables, options, rows)
        self.warehouse.keep_derived(label, tables, options, columns, parquet=True)
        _trim_kept(self.warehouse.cache_dir / "derived")

    def path(self, name: str) -> Path:
        """Where the columns of enricher ``name`` are kept (a Parquet file; it may not exist)."""
        label, tables, options = self._key(name)
        return self.warehouse.derived_path(label, tables, options, parquet=True)


def _stitchable(schema: Any) -> bool:
    """Whether every type of ``schema`` reads back as itself from a stitched Parquet file, which
    carries no Arrow schema (integers, floats, booleans and strings; not categoricals, dates…)."""
    return all(dt.is_integer() or dt.is_float() or dt in (pl.Boolean, pl.String)
               for dt in schema.values())  # fmt: skip


#: At most this many bytes of kept universes and enricher columns per warehouse (the standard
#: file's take about 14 MB); past it the least recently used are removed.
KEPT_FRAMES_BUDGET = 1 << 30


def _trim_kept(folder: Path, budget: int = KEPT_FRAMES_BUDGET) -> None:
    """Remove the least recently written kept frame parts until ``folder``'s fit in ``budget``."""
    try:
        parts = [(p.stat(), p) for pattern in ("frame-*.arrow", "frame-*.parquet", "universe-*")
                 for p in folder.glob(pattern)]  # fmt: skip
    except OSError:
        return
    total = sum(st.st_size for st, _ in parts)
    for st, path in sorted(parts, key=lambda item: item[0].st_mtime_ns):
        if total <= budget:
            break
        path.unlink(missing_ok=True)
        total -= st.st_size


@contextmanager
def _output(path: str | Path, *, suffix: str = "") -> Iterator[Path]:
    """A temporary file beside ``path`` that replaces it when the block succeeds; on any failure
    the temporary file is removed and an OS error becomes a clear :class:`FoedusError`.

    Example:
        >>> import tempfile, pathlib
        >>> blocker = pathlib.Path(tempfile.mkdtemp()) / "file"; _ = blocker.write_text("x")
        >>> with _output(blocker / "sub" / "f.csv") as tmp:  # doctest: +ELLIPSIS
        ...     pass
        Traceback (most recent call last):
        ...
        foedus.errors.FoedusError: ...: cannot write the output: ... is a file, not a folder. Fix: choose an output path whose folders are folders
    """
    path = Path(path)
    if path.is_dir():
        raise FoedusError("the output path is a folder", where=str(path),
                          fix="give a file name inside it")  # fmt: skip
    for ancestor in path.parents:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise FoedusError(f"cannot write the output: {ancestor} is a file, not a folder",
                                  where=str(path),
                                  fix="choose an output path whose folders are folders")  # fmt: skip
            break
    tmp = path.with_name(path.name + ".partial" + suffix)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        tmp.replace(path)
    except OSError as exc:
        raise FoedusError(f"cannot write the output ({exc.strerror or exc})", where=str(path),
                          fix="choose a path you can write to") from None  # fmt: skip
    finally:
        tmp.unlink(missing_ok=True)


def __getattr__(name: str) -> Any:
    # ``from foedus.frames.frame import ENRICHERS, ALIASES, Enricher`` keeps working.
    if name in ("ENRICHERS", "ALIASES", "Enricher"):
        from foedus.frames import enrichers

        return getattr(enrichers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
