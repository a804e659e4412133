"""Frames: state-year and dyad-year tables that remember where every column came from.

A :class:`Frame` wraps a Polars DataFrame with its unit (state-year or dyad-year), its state system
(COW or G-W), whether dyads are directed, and the list of source releases used to build it. Enrichers
are chainable methods that return a new Frame; each records its sources so that
:meth:`Frame.citation` prints BibTeX for exactly what was used.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import polars as pl

from foedus.errors import FoedusError, UnknownEnrichmentError
from foedus.sources.catalog import PEACESCIENCER_BIBTEX, get_source
from foedus.warehouse import ImportRecord, Warehouse

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


@dataclass(frozen=True)
class Used:
    """One source release a frame used, and for what."""

    source: str
    version: str
    table: str
    file: str
    via: str | None
    purpose: str


@dataclass(frozen=True)
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
    def write_parquet(self, path: str | Path) -> Path:
        """Write Parquet, with the provenance stored in the file's metadata (key ``foedus``)."""
        import json

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".partial")
        self.df.write_parquet(tmp, metadata={"foedus": json.dumps(self.provenance(), default=str)})
        tmp.replace(path)
        return path

    def write_csv(self, path: str | Path) -> Path:
        """Write CSV (missing values as empty cells, as R's ``write_csv``)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".partial")
        self.df.write_csv(tmp)
        tmp.replace(path)
        return path

    def write_dta(self, path: str | Path) -> Path:
        """Write a Stata .dta file (version 118)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        pdf = self.df.to_pandas()
        for name in pdf.columns:
            if pdf[name].dtype == object:
                pdf[name] = pdf[name].astype(str).where(pdf[name].notna(), "")
        tmp = path.with_suffix(".partial.dta")
        pdf.to_stata(tmp, write_index=False, version=118)
        tmp.replace(path)
        return path

    def write(self, path: str | Path) -> Path:
        """Write by extension: ``.parquet``, ``.csv`` or ``.dta``.

        Example:
            >>> import tempfile, pathlib, polars as pl
            >>> f = Frame(pl.DataFrame({"ccode": [2], "year": [1816]}), unit="state-year", system="cow")
            >>> f.write(pathlib.Path(tempfile.mkdtemp()) / "sy.csv").name
            'sy.csv'
        """
        suffix = Path(path).suffix.lower()
        writers: dict[str, Callable[[str | Path], Path]] = {
            ".parquet": self.write_parquet,
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
            "sources": [u.__dict__ for u in self.used],
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
        span = self.years()
        years = f"{span[0]}–{span[1]}" if span else "no years"
        versions = ", ".join(sorted({f"{u.source} {u.version}" for u in self.used}))
        return f"{self.df.height:,} rows × {self.df.width} columns, {years}; sources: {versions}"

    # -- plumbing for enrichers ---------------------------------------------------------------
    def _wh(self) -> Warehouse:
        if self.warehouse is None:
            raise FoedusError(
                "this frame is not attached to a warehouse",
                fix="build it with foedus.state_years()/dyad_years(), or pass warehouse=",
            )
        return self.warehouse

    def _table(self, table: str, purpose: str) -> tuple[pl.DataFrame, Used]:
        wh = self._wh()
        record: ImportRecord = wh.active(table)
        used = Used(
            record.source, record.version, table, Path(record.path).name, record.via, purpose
        )
        return wh.table(table), used

    def _with(self, df: pl.DataFrame, *used: Used) -> Frame:
        return replace(self, df=df, used=self.used + tuple(u for u in used if u not in self.used))

    def _require_dyads(self, what: str) -> None:
        if self.unit != "dyad-year":
            raise FoedusError(
                f"{what} applies to dyad-years, not {self.unit}s",
                fix="build the frame with foedus.dyad_years()",
            )

    def _require_cow(self, what: str) -> None:
        key = "ccode1" if self.unit == "dyad-year" else "ccode"
        if key not in self.df.columns:
            raise FoedusError(
                f"{what} is coded in Correlates of War codes, but this frame has no '{key}'",
                fix="use system='cow', or add COW codes first with .add_ccode_to_gw()",
            )

    # -- enrichers --------------------------------------------------------------------------
    @in_memory_engine
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
        """
        from foedus.frames import atop

        self._require_dyads("add_atop_alliance")
        self._require_cow("ATOP")
        if source not in ("auto", "ddy", "derived"):
            raise FoedusError(f"unknown ATOP source '{source}'", fix="use auto, ddy or derived")
        if source == "ddy" or (source == "auto" and self._wh().has("atop_ddy")):
            ddy, used = self._table("atop_ddy", "ATOP obligations (ATOP directed dyad-year table)")
        else:
            members, used = self._table("atop_member", "ATOP obligations (derived from members)")
            ddy = _cached_derivation(
                self._wh(), "atop_member", lambda: atop.derive_atop_dyad_years(members)
            )
        df = atop.add_atop_alliance(self.df, ddy, directed=bool(self.directed))
        span = self.years()
        if not extend:
            return self._with(df, used)
        added = ["atop_alliance", *atop.ATOP_COLUMNS]
        basis = pl.when(pl.col("year") <= atop.ATOP_LAST_YEAR).then(pl.lit("atop"))
        if span is None or span[1] <= atop.ATOP_LAST_YEAR:
            return self._with(df.with_columns(basis.alias("atop_basis")), used)
        from foedus.alliances.dyads import dyad_years_after_atop

        after = dyad_years_after_atop(
            atop.ATOP_LAST_YEAR + 1, span[1], warehouse=self._wh()
        ).select(
            "ccode1",
            "ccode2",
            "year",
            pl.lit(1.0).alias("_alliance"),
            *[pl.col(c).alias(f"_{c}") for c in atop.ATOP_COLUMNS],
            pl.col("atop_basis"),
        )
        if not self.directed:  # either direction's obligations, as for ATOP's own years
            lo = pl.min_horizontal("ccode1", "ccode2")
            hi = pl.max_horizontal("ccode1", "ccode2")
            after = (
                after.with_columns(ccode1=lo, ccode2=hi)
                .group_by("ccode1", "ccode2", "year")
                .agg(pl.exclude("atop_basis").max(), pl.col("atop_basis").sort().last())
            )
        later = pl.col("year") > atop.ATOP_LAST_YEAR
        df = df.join(after, on=["ccode1", "ccode2", "year"], how="left", maintain_order="left")
        df = df.with_columns(
            pl.when(later)
            .then(pl.col("_alliance").fill_null(0.0))
            .otherwise(pl.col("atop_alliance"))
            .alias("atop_alliance"),
            *[
                pl.when(later).then(pl.col(f"_{c}").fill_null(0.0)).otherwise(pl.col(c)).alias(c)
                for c in atop.ATOP_COLUMNS
            ],
            basis.when(later & pl.col("atop_basis").is_null())
            .then(pl.lit("atop-carried-forward"))
            .otherwise(pl.col("atop_basis"))
            .alias("atop_basis"),
        ).select(*self.df.columns, *added, "atop_basis")
        curated = Used(
            "alliances-curated",
            "foedus",
            "curated",
            "curated.csv",
            None,
            "alliance changes after ATOP's last year",
        )
        return self._with(df, used, curated)

    @in_memory_engine
    def add_nmc(self) -> Frame:
        """National Material Capabilities (milex … cinc; suffixed 1/2 on dyad-years)."""
        from foedus.frames import capabilities

        self._require_cow("NMC")
        nmc, used = self._table("nmc", "material capabilities")
        return self._with(capabilities.add_nmc(self.df, nmc), used)

    @in_memory_engine
    def add_cow_majors(self) -> Frame:
        """COW major-power status (cowmaj, or cowmaj1/cowmaj2)."""
        from foedus.frames import capabilities

        self._require_cow("COW major-power status")
        majors, used = self._table("cow_majors", "major-power status")
        return self._with(capabilities.add_cow_majors(self.df, majors), used)

    @in_memory_engine
    def add_contiguity(self) -> Frame:
        """COW direct contiguity type (conttype: 0 none, 1 land … 5 water over 400 miles)."""
        from foedus.frames import geography

        self._require_dyads("add_contiguity")
        self._require_cow("COW direct contiguity")
        contdir, used = self._table("cow_contdir", "direct contiguity")
        return self._with(geography.add_contiguity(self.df, contdir), used)

    @in_memory_engine
    def add_gml_mids(
        self, *, keep: Sequence[str] | None = None, whittle: Sequence[str] | None = None
    ) -> Frame:
        """GML MIDs (gmlmidonset, gmlmidongoing, …) whittled to one dispute per dyad-year."""
        from foedus.frames import disputes

        self._require_dyads("add_gml_mids")
        self._require_cow("GML MIDs")
        ddy, used1 = self._table("gml_mid_ddydisps", "GML MID dyad-years")
        disps, used2 = self._table("gml_mid_disps", "GML MID dispute attributes (whittling)")
        options: dict[str, Any] = {"keep": list(keep) if keep is not None else None}
        if whittle is not None:
            options["whittle"] = list(whittle)
        df = disputes.add_gml_mids(self.df, ddy, disps, **options)
        return self._with(df, used1, used2)

    @in_memory_engine
    def add_cow_mids(
        self, *, keep: Sequence[str] | None = None, whittle: Sequence[str] | None = None
    ) -> Frame:
        """COW MID 5.0 (cowmidonset, cowmidongoing, …) whittled to one dispute per dyad-year."""
        from foedus.frames import disputes

        self._require_dyads("add_cow_mids")
        self._require_cow("COW MIDs")
        ddy, used1 = self._table("cow_mid_ddydisps", "COW MID dyad-years")
        disps, used2 = self._table("cow_mid_disps", "COW MID dispute attributes (whittling)")
        options: dict[str, Any] = {"keep": list(keep) if keep is not None else None}
        if whittle is not None:
            options["whittle"] = list(whittle)
        df = disputes.add_cow_mids(self.df, ddy, disps, **options)
        return self._with(df, used1, used2)

    @in_memory_engine
    def add_peace_years(self) -> Frame:
        """Years since the last onset (…spell) for every onset column present."""
        from foedus.frames import spells

        if not any(c.endswith("onset") for c in self.df.columns):
            raise FoedusError(
                "add_peace_years needs a conflict onset column",
                fix="add disputes or conflicts first, e.g. .add_gml_mids() or .add_cow_mids()",
            )
        return self._with(spells.add_peace_years(self.df))

    @in_memory_engine
    def add_capital_distance(self) -> Frame:
        """Great-circle distance between capitals in km (capdist)."""
        from foedus.frames import geography

        self._require_dyads("add_capital_distance")
        table = "cow_capitals" if self.system == "cow" else "gw_capitals"
        capitals, used = self._table(table, "capital locations")
        return self._with(geography.add_capital_distance(self.df, capitals), used)

    @in_memory_engine
    def filter_prd(self) -> Frame:
        """Keep politically relevant dyads (contiguous, or one side a major power)."""
        from foedus.frames import geography

        self._require_dyads("filter_prd")
        return self._with(geography.filter_prd(self.df))

    @in_memory_engine
    def add_prd(self) -> Frame:
        """Add a 0/1 politically-relevant-dyad indicator (prd)."""
        from foedus.frames import geography

        self._require_dyads("add_prd")
        return self._with(geography.add_prd(self.df))

    @in_memory_engine
    def add_gwcode_to_cow(self) -> Frame:
        """Add Gleditsch–Ward codes to a COW frame (gwcode, or gwcode1/gwcode2), year-specific."""
        from foedus.frames import bridge

        panel, used = self._table("cow_gw_panel", "COW→G-W crosswalk")
        return self._with(bridge.add_gwcode_to_cow(self.df, panel), used)

    @in_memory_engine
    def add_ccode_to_gw(self) -> Frame:
        """Add COW codes to a G-W frame (ccode, or ccode1/ccode2), year-specific."""
        from foedus.frames import bridge

        panel, used = self._table("gw_cow_panel", "G-W→COW crosswalk")
        return self._with(bridge.add_ccode_to_gw(self.df, panel), used)

    @in_memory_engine
    def add_ucdp_acd(self) -> Frame:
        """UCDP/PRIO armed conflict on state-years (ucdpongoing, ucdponset, maxintensity, conflict_ids)."""
        from foedus.frames import conflict

        if self.unit != "state-year":
            raise FoedusError(
                "add_ucdp_acd applies to state-years",
                fix="build the frame with foedus.state_years()",
            )
        frame = self
        if "gwcode" not in frame.df.columns:
            frame = frame.add_gwcode_to_cow()
        acd, used = frame._table("ucdp_acd", "armed conflict")
        return frame._with(conflict.add_ucdp_acd(frame.df, acd), used)

    @in_memory_engine
    def add_democracy(self) -> Frame:
        """Democracy (extended UDS ``euds``/``aeuds``, Polity5 ``polity2``, V-Dem
        ``v2x_polyarchy``; suffixes 1/2 and weak-link ``*_min`` on dyad-years;
        ``docs/democracy-gdp.md``)."""
        from foedus.frames.covariates import enrich_democracy

        return enrich_democracy(self)

    @in_memory_engine
    def add_sim_gdp_pop(self) -> Frame:
        """Fariss et al. (2022) GDP per capita, GDP, population with SDs (``mrgdppc`` …;
        suffixes 1/2 and weak-link ``mrgdppc_min`` on dyad-years; ``docs/democracy-gdp.md``)."""
        from foedus.frames.covariates import enrich_gdp

        return enrich_gdp(self)

    def _atop_obligations(self, source: str = "auto") -> tuple[pl.DataFrame, Used]:
        """ATOP directed dyad-year obligations, as add_atop_alliance chooses them."""
        from foedus.frames import atop

        if source == "ddy" or (source == "auto" and self._wh().has("atop_ddy")):
            return self._table("atop_ddy", "ATOP obligations (ATOP directed dyad-year table)")
        members, used = self._table("atop_member", "ATOP obligations (derived from members)")
        ddy = _cached_derivation(
            self._wh(), "atop_member", lambda: atop.derive_atop_dyad_years(members)
        )
        return ddy, used

    @in_memory_engine
    def add_alliance_similarity(self, measures: Sequence[str] | None = None) -> Frame:
        """Foreign-policy similarity of alliance portfolios (Signorino–Ritter S variants, tau-b,
        kappa, pi; ``docs/similarity.md``) for each dyad-year in ATOP's years (1816–2018), over the
        global COW system; null outside those years. CINC weights come from NMC.
        """
        from foedus.frames.systems import create_state_years
        from foedus.measures import similarity

        self._require_dyads("add_alliance_similarity")
        self._require_cow("ATOP")
        chosen = tuple(measures) if measures else similarity.ALL_MEASURES
        span = self.years()
        first, last = 1816, 2018
        if span is None or span[1] < first or span[0] > last:
            df = self.df.with_columns(pl.lit(None, dtype=pl.Float64).alias(m) for m in chosen)
            return self._with(df)
        years = (max(first, span[0]), min(last, span[1]))
        ddy, used_atop = self._atop_obligations()
        system, used_sys = self._table("cow_system", "system of states compared")
        members = create_state_years(system, system="cow", years=years).select("ccode", "year")
        capabilities, used_nmc = None, None
        if any(m in similarity.WEIGHTED_MEASURES for m in chosen):
            capabilities, used_nmc = self._table("nmc", "capability weights (CINC)")
        sims = similarity.similarity_dyad_years(
            ddy, members, capabilities=capabilities, measures=chosen, years=years
        )
        keys = ["ccode1", "ccode2", "year"]
        df = self.df.join(sims, on=keys, how="left", maintain_order="left")
        used = [u for u in (used_atop, used_sys, used_nmc) if u is not None]
        return self._with(df, *used)

    @in_memory_engine
    def add_alliance_network(self, *, obligations: Sequence[str] | None = None) -> Frame:
        """Each state's position in that year's alliance network (degree, weighted degree,
        betweenness, eigenvector centrality, clustering, bloc; ``docs/networks-structure.md``),
        over the COW system in ATOP's years; null outside them.
        """
        from foedus.frames.systems import create_state_years
        from foedus.measures import networks

        if self.unit != "state-year":
            raise FoedusError(
                "add_alliance_network applies to state-years",
                fix="build the frame with foedus.state_years()",
            )
        self._require_cow("ATOP")
        span = self.years()
        ddy, used_atop = self._atop_obligations()
        system, used_sys = self._table("cow_system", "system of states in the network")
        if span is None or span[1] < 1816 or span[0] > 2018:
            return self._with(self.df)
        years = (max(1816, span[0]), min(2018, span[1]))
        states = create_state_years(system, system="cow", years=years).select("ccode", "year")
        options: dict[str, Any] = {"states": states}
        if obligations:
            options["obligations"] = list(obligations)
        net = networks.network_state_years(ddy, years, **options)
        df = self.df.join(net, on=["ccode", "year"], how="left", maintain_order="left")
        return self._with(df, used_atop, used_sys)

    @in_memory_engine
    def add_ideal_points(self, *, estimate: Literal["all", "fp", "legacy"] = "all") -> Frame:
        """UN General Assembly ideal points (Bailey, Strezhnev and Voeten 2017): ``idealpoint``
        on state-years, ``idealpoint1``/``idealpoint2`` on dyad-years; null outside coverage.
        ``estimate``: ``"all"`` votes (default), ``"fp"`` final-passage votes, ``"legacy"``.
        """
        from foedus.measures import un_similarity

        self._require_cow("UN ideal points")
        table, used = self._table("unga_ideal_points", "UN General Assembly ideal points")
        return self._with(un_similarity.add_ideal_points(self.df, table, estimate=estimate), used)

    @in_memory_engine
    def add_ideal_point_distance(
        self, *, estimate: Literal["all", "fp", "legacy"] = "all"
    ) -> Frame:
        """Absolute distance between the two states' UN ideal points (``idealpointdist``)."""
        from foedus.measures import un_similarity

        self._require_dyads("add_ideal_point_distance")
        self._require_cow("UN ideal points")
        table, used = self._table("unga_ideal_points", "UN General Assembly ideal points")
        df = un_similarity.add_ideal_point_distance(self.df, table, estimate=estimate)
        return self._with(df, used)

    @in_memory_engine
    def add_arms_transfers(
        self, *, allocation: Literal["even", "first", "last"] = "even", categories: bool = False
    ) -> Frame:
        """SIPRI arms transfers: TIV delivered and deals (``arms_tiv``, ``arms_deals``; supplier
        ccode1 → recipient ccode2 on dyad-years, exports/imports on state-years), each deal's TIV
        split evenly over its delivery years by default; null outside 1950–2024
        (``docs/instruments-sipri.md``).
        """
        from foedus.frames.instruments.arms import enrich_arms

        return enrich_arms(self, allocation=allocation, categories=categories)

    @in_memory_engine
    def add_military_expenditure(self) -> Frame:
        """SIPRI military expenditure: constant 2022 USD, share of GDP, per capita
        (``sipri_milex``, ``sipri_milex_gdp``, ``sipri_milex_pc``; suffixes 1/2 on dyad-years).
        """
        from foedus.frames.instruments.arms import enrich_milex

        return enrich_milex(self)

    @in_memory_engine
    def add_dcas(self) -> Frame:
        """Defence cooperation agreements (DCAD v1.0, 1980–2010): agreements in force, by type,
        and new signings (``docs/instruments.md``)."""
        from foedus.frames.instruments.defence_cooperation import enrich_dcas

        return enrich_dcas(self)

    @in_memory_engine
    def add_joint_exercises(self) -> Frame:
        """Joint and multinational military exercises (JME 1970–2010, MME 1980–2010): counts,
        bilateral vs multilateral, as host (``docs/instruments.md``)."""
        from foedus.frames.instruments.exercises import enrich_joint_exercises

        return enrich_joint_exercises(self)

    @in_memory_engine
    def add_us_training(self) -> Frame:
        """US training of foreign military personnel (FMTR FY1999–2020): students and cost."""
        from foedus.frames.instruments.training import enrich_us_training

        return enrich_us_training(self)

    @in_memory_engine
    def add_us_troops(self) -> Frame:
        """US troops stationed abroad (1950–2024) and bases."""
        from foedus.frames.instruments.posture import enrich_us_troops

        return enrich_us_troops(self)

    @in_memory_engine
    def add_us_visits(self) -> Frame:
        """US senior defence leader visits (1992–2012), by start year."""
        from foedus.frames.instruments.visits import enrich_us_visits

        return enrich_us_visits(self)

    @in_memory_engine
    def add_pko(self) -> Frame:
        """Peace operations: co-deployment in the same operation (dyad-years; Geo-PKO, UN
        operations in Africa 1994–2018) and troop contributions (state-years)."""
        from foedus.frames.instruments.peacekeeping import enrich_pko

        return enrich_pko(self)

    # -- the --with vocabulary ----------------------------------------------------------------
    @in_memory_engine
    def enrich(self, names: Sequence[str], *, whittle: Sequence[str] | None = None) -> Frame:
        """Apply enrichers by their public names (the CLI's ``--with``).

        ``whittle`` (step names of ``foedus.frames.disputes.WHITTLE_STEPS``) replaces the default
        order in which several disputes in one dyad-year are whittled to one, for ``cow-mids`` and
        ``gml-mids``.

        Example:
            >>> sorted(ENRICHERS)[:4]
            ['arms', 'arms-categories', 'atop', 'atop-ddy']
        """
        wanted = []
        for raw in names:
            name = raw.strip().lower().replace("_", "-")
            if not name:
                continue
            name = ALIASES.get(name, name)
            if name not in ENRICHERS:
                raise UnknownEnrichmentError(
                    f"unknown enrichment '{raw}'",
                    fix="use one or more of: " + ", ".join(ENRICHERS),
                )
            spec = ENRICHERS[name]
            if self.unit not in spec.units:
                raise UnknownEnrichmentError(
                    f"'{name}' does not apply to {self.unit}s",
                    fix=f"{self.unit}s accept: "
                    + ", ".join(n for n, s in ENRICHERS.items() if self.unit in s.units),
                )
            if name not in wanted:
                wanted.append(name)
        # The user's order decides column order (as chained calls would); only enrichers that read
        # other enrichers' columns wait for them: prd after contiguity/majors, peace-years last.
        frame = self
        for name in sorted(wanted, key=lambda n: ENRICHERS[n].phase):
            if whittle is not None and name in ("cow-mids", "gml-mids"):
                method = Frame.add_cow_mids if name == "cow-mids" else Frame.add_gml_mids
                frame = method(frame, whittle=whittle)
            else:
                frame = ENRICHERS[name].apply(frame)
        return frame


@dataclass(frozen=True)
class Enricher:
    """A public enrichment name, the units it applies to and how to apply it."""

    units: tuple[Unit, ...]
    apply: Callable[[Frame], Frame]
    help: str
    phase: int = 0


# The public --with vocabulary. ``phase`` > 0 marks enrichers that read other enrichers' columns.
ENRICHERS: dict[str, Enricher] = {
    "gwcode": Enricher(
        ("state-year", "dyad-year"), Frame.add_gwcode_to_cow, "G-W codes for a COW frame"
    ),
    "ccode": Enricher(
        ("state-year", "dyad-year"), Frame.add_ccode_to_gw, "COW codes for a G-W frame"
    ),
    "atop": Enricher(("dyad-year",), Frame.add_atop_alliance, "ATOP alliance obligations"),
    "atop-derived": Enricher(
        ("dyad-year",),
        lambda f: f.add_atop_alliance(source="derived"),
        "ATOP obligations derived from the member-level file",
    ),
    "atop-extended": Enricher(
        ("dyad-year",),
        lambda f: f.add_atop_alliance(extend=True),
        "ATOP obligations, carried past 2018 with the curated alliance changes",
    ),
    "atop-ddy": Enricher(
        ("dyad-year",),
        lambda f: f.add_atop_alliance(source="ddy"),
        "ATOP obligations from ATOP's own dyad-year table",
    ),
    "nmc": Enricher(("state-year", "dyad-year"), Frame.add_nmc, "NMC material capabilities"),
    "majors": Enricher(("state-year", "dyad-year"), Frame.add_cow_majors, "COW major powers"),
    "contiguity": Enricher(("dyad-year",), Frame.add_contiguity, "COW direct contiguity"),
    "capital-distance": Enricher(
        ("dyad-year",), Frame.add_capital_distance, "capital distance (km)"
    ),
    "cow-mids": Enricher(("dyad-year",), Frame.add_cow_mids, "COW MID 5.0 disputes"),
    "gml-mids": Enricher(("dyad-year",), Frame.add_gml_mids, "GML MID 2.2.1 disputes"),
    "ucdp": Enricher(("state-year",), Frame.add_ucdp_acd, "UCDP/PRIO armed conflict"),
    "peace-years": Enricher(
        ("state-year", "dyad-year"), Frame.add_peace_years, "years since last onset", phase=2
    ),
    "similarity": Enricher(
        ("dyad-year",), Frame.add_alliance_similarity, "alliance-portfolio similarity (11 measures)"
    ),
    "network": Enricher(
        ("state-year",), Frame.add_alliance_network, "position in the alliance network"
    ),
    "idealpoints": Enricher(
        ("state-year", "dyad-year"), Frame.add_ideal_points, "UN General Assembly ideal points"
    ),
    "idealpoint-distance": Enricher(
        ("dyad-year",), Frame.add_ideal_point_distance, "distance between UN ideal points"
    ),
    "arms": Enricher(
        ("state-year", "dyad-year"), Frame.add_arms_transfers, "SIPRI arms transfers (TIV, deals)"
    ),
    "arms-categories": Enricher(
        ("state-year", "dyad-year"),
        lambda f: f.add_arms_transfers(categories=True),
        "SIPRI arms transfers with TIV per weapon category",
    ),
    "milex": Enricher(
        ("state-year", "dyad-year"), Frame.add_military_expenditure, "SIPRI military expenditure"
    ),
    "dca": Enricher(("state-year", "dyad-year"), Frame.add_dcas, "defence cooperation agreements"),
    "exercises": Enricher(
        ("state-year", "dyad-year"), Frame.add_joint_exercises, "joint military exercises"
    ),
    "us-training": Enricher(
        ("state-year", "dyad-year"), Frame.add_us_training, "US training of foreign military"
    ),
    "us-troops": Enricher(("state-year", "dyad-year"), Frame.add_us_troops, "US troops abroad"),
    "us-visits": Enricher(
        ("state-year", "dyad-year"), Frame.add_us_visits, "US senior defence leader visits"
    ),
    "pko": Enricher(("state-year", "dyad-year"), Frame.add_pko, "peace operations"),
    "democracy": Enricher(
        ("state-year", "dyad-year"), Frame.add_democracy, "democracy: UDS, Polity5, V-Dem"
    ),
    "gdp": Enricher(
        ("state-year", "dyad-year"), Frame.add_sim_gdp_pop, "GDP, population, GDP per capita"
    ),
    "prd": Enricher(
        ("dyad-year",), Frame.filter_prd, "keep politically relevant dyads only", phase=1
    ),
}

ALIASES = {
    "alliances": "atop",
    "atop-alliance": "atop",
    "capabilities": "nmc",
    "cinc": "nmc",
    "major-powers": "majors",
    "cow-majors": "majors",
    "contig": "contiguity",
    "capdist": "capital-distance",
    "mids": "gml-mids",
    "ucdp-acd": "ucdp",
    "peaceyears": "peace-years",
    "spells": "peace-years",
    "politically-relevant": "prd",
    "fp-similarity": "similarity",
    "alliance-network": "network",
    "ideal-points": "idealpoints",
    "un-similarity": "idealpoint-distance",
    "arms-transfers": "arms",
    "military-expenditure": "milex",
    "dcas": "dca",
    "jme": "exercises",
    "mme": "exercises",
    "training": "us-training",
    "troops": "us-troops",
    "visits": "us-visits",
    "peacekeeping": "pko",
    "polity": "democracy",
    "vdem": "democracy",
    "uds": "democracy",
    "sim-gdp-pop": "gdp",
    "gdppop": "gdp",
    "wealth": "gdp",
}


_DERIVED_CACHE: dict[tuple[str, str, str], pl.DataFrame] = {}


def _cached_derivation(
    wh: Warehouse, table: str, build: Callable[[], pl.DataFrame]
) -> pl.DataFrame:
    # A derivation is pure in its input release: one result per warehouse and imported file.
    record = wh.active(table)
    key = (str(wh.path), table, f"{record.sha256}:{record.imported_at.isoformat()}")
    if key not in _DERIVED_CACHE:
        _DERIVED_CACHE[key] = build()
    return _DERIVED_CACHE[key]
