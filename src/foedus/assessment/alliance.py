"""Assessments of an alliance, a dyad, a state's alliance portfolio and a peace operation.

Each assessment gathers, for a span of years, the figures an analyst needs to judge how an
alliance (or relationship) is doing, as typed dataclasses holding Polars frames plus their
provenance (every source release used, for which section, and BibTeX for all of them). The
definitions, the event-study design and its caveats are in ``docs/assessment.md``;
:func:`foedus.assessment.brief.write_brief` turns any of them into a self-contained report.

* :func:`assess_alliance` — membership and obligations per year (ATOP 5.1 to 2018, carried forward
  and changed by the curated facts after), pooled capability (NMC), cohesion (spread of members'
  alliance-portfolio similarity and UN ideal points, with an OLS trend), burden sharing
  (:mod:`foedus.measures.burden`), engagement among members (:mod:`foedus.measures.engagement`)
  and an event study of disputes with outsiders around each accession (GML / COW MIDs).
* :func:`assess_dyad` — the :func:`foedus.measures.dyad_profile.dyad_profile` timeline with
  both sides' capabilities.
* :func:`assess_portfolio` — a state's alliances, partners, defenders and their capability, and
  its engagement with its partners.
* :func:`assess_mission` — a peace operation in Bara's UN and non-UN peacekeeping data
  (personnel per year) and, where Geo-PKO maps it, its contributors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from foedus.errors import FoedusError, InvalidYearsError
from foedus.provenance import Provenance, Used

__all__ = [
    "AllianceAssessment",
    "DyadAssessment",
    "MissionAssessment",
    "PortfolioAssessment",
    "Provenance",
    "SourceUse",
    "assess_alliance",
    "assess_dyad",
    "assess_mission",
    "assess_portfolio",
    "ols_trend",
]

#: The alliance-portfolio similarity measure used for cohesion (as ``foedus dyad``).
SIMILARITY = "s_un_val_sq"
#: Years before and after an accession in the event study.
WINDOW = 5
_OBLIGATIONS = ("defense", "offense", "neutral", "nonagg", "consul")


# ---------------------------------------------------------------------------------------------
# provenance
# ---------------------------------------------------------------------------------------------
def SourceUse(section: str, source: str, version: str, table: str, file: str,  # noqa: N802
              purpose: str, via: str | None = None) -> Used:
    """The provenance record (:class:`foedus.provenance.Used`) of a source release used by one
    section of an assessment.

    Example:
        >>> SourceUse("capability", "nmc", "6.0", "nmc", "NMC-60-abridged.csv", "x").label
        'nmc 6.0 (nmc)'
    """
    return Used(source, version, table, file, via, purpose, section=section)


class _Tracker:
    """Collects provenance records (:class:`foedus.provenance.Used`, with their section) while an
    assessment is computed."""

    def __init__(self, wh: Any) -> None:
        self.wh = wh
        self.uses: list[Used] = []

    def table(self, section: str, table: str, purpose: str) -> None:
        if not self.wh.has(table):
            return
        record = self.wh.active(table)
        self._add(SourceUse(section, record.source, record.version, table,
                            Path(record.path).name, purpose))  # fmt: skip

    def frame(self, section: str, frame: Any) -> None:
        for u in frame.used:
            self._add(u.for_section(section))

    def curated(self, section: str) -> None:
        self._add(SourceUse(section, "alliances-curated", "foedus", "curated", "curated.csv",
                            "alliance changes after ATOP's last year"))  # fmt: skip

    def _add(self, use: Used) -> None:
        if use not in self.uses:
            self.uses.append(use)

    def provenance(self) -> Provenance:
        return Provenance(tuple(self.uses))


def _open(warehouse: Any) -> Any:
    from foedus.warehouse import Warehouse

    if isinstance(warehouse, Warehouse):
        return warehouse
    return Warehouse(warehouse, read_only=True)


def _check_span(start: int, end: int) -> None:
    from foedus.alliances.data import check_year

    if start > end:
        raise InvalidYearsError(f"the years {start}–{end} run backwards",
                                fix="give the earlier year first")  # fmt: skip
    check_year(start)
    check_year(end)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _rows(df: pl.DataFrame | None) -> list[dict[str, Any]] | None:
    return None if df is None else [_clean(r) for r in df.to_dicts()]


# ---------------------------------------------------------------------------------------------
# building blocks
# ---------------------------------------------------------------------------------------------
def ols_trend(df: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """OLS slope per year (statsmodels, classical SE) of each column of ``df`` on ``year``.

    Rows with a null value are dropped; fewer than three years give null estimates. Columns:
    ``measure``, ``n``, ``first_year``, ``last_year``, ``slope``, ``se``, ``p_value``,
    ``ci_low``, ``ci_high`` (95 %).

    Example:
        >>> df = pl.DataFrame({"year": [2000, 2001, 2002, 2003], "x": [1.0, 1.5, 2.0, 2.5]})
        >>> row = ols_trend(df, ["x"]).row(0, named=True)
        >>> row["n"], round(row["slope"], 6), round(row["se"], 6)
        (4, 0.5, 0.0)
    """
    import statsmodels.api as sm

    out = []
    for col in columns:
        sub = df.select("year", col).drop_nulls().filter(pl.col(col).is_not_nan())
        row: dict[str, Any] = {"measure": col, "n": sub.height, "first_year": None,
                               "last_year": None, "slope": None, "se": None, "p_value": None,
                               "ci_low": None, "ci_high": None}  # fmt: skip
        if sub.height:
            row["first_year"] = int(sub["year"].min())  # type: ignore[arg-type]
            row["last_year"] = int(sub["year"].max())  # type: ignore[arg-type]
        if sub.height >= 3 and sub["year"].n_unique() >= 2:
            x = sm.add_constant(sub["year"].cast(pl.Float64).to_numpy())
            fit = sm.OLS(sub[col].cast(pl.Float64).to_numpy(), x).fit()
            ci = fit.conf_int()[1]
            row.update(slope=float(fit.params[1]), se=float(fit.bse[1]),
                       p_value=_clean(float(fit.pvalues[1])), ci_low=float(ci[0]),
                       ci_high=float(ci[1]))  # fmt: skip
        out.append(row)
    schema = {"measure": pl.String, "n": pl.Int64, "first_year": pl.Int64, "last_year": pl.Int64,
              "slope": pl.Float64, "se": pl.Float64, "p_value": pl.Float64,
              "ci_low": pl.Float64, "ci_high": pl.Float64}  # fmt: skip
    return pl.DataFrame(out, schema=schema)


def _roster(data: Any, key: str, lo: int, hi: int) -> pl.DataFrame:
    """Member-years of an alliance with each member's obligations."""
    from foedus.measures.burden import alliance_roster

    return alliance_roster(data, key, lo, hi).drop("alliance_id")


def _membership(roster: pl.DataFrame, start: int, end: int) -> pl.DataFrame:
    """Members per year, entries and exits, obligations counted over members."""
    members = roster.filter(pl.col("member"))
    out = []
    prev: set[int] | None = None
    prev_rows = members.filter(pl.col("year") == start - 1)
    if prev_rows.height or start - 1 >= int(roster["year"].min() or start):  # type: ignore[arg-type]
        prev = set(prev_rows["ccode"].to_list())
    abb = dict(zip(roster["ccode"].to_list(), roster["abb"].to_list(), strict=True))
    for year in range(start, end + 1):
        sub = members.filter(pl.col("year") == year)
        now = set(sub["ccode"].to_list())
        entered = sorted(abb[c] for c in now - prev) if prev is not None else []
        left = sorted(abb[c] for c in prev - now) if prev is not None else []
        acceding = roster.filter((pl.col("year") == year) & ~pl.col("member"))
        obl = sub["obligations"].to_list()
        row: dict[str, Any] = {
            "year": year, "members": len(now), "entered": entered, "left": left,
            "acceding": sorted(acceding["abb"].to_list()),
            "basis": ",".join(sorted(set(sub["basis"].to_list()))) or None,
        }  # fmt: skip
        for o in _OBLIGATIONS:
            row[f"with_{o}"] = sum(1 for ob in obl if o in ob)
        out.append(row)
        prev = now
    schema: dict[str, Any] = {"year": pl.Int64, "members": pl.Int64, "entered": pl.List(pl.String),
              "left": pl.List(pl.String), "acceding": pl.List(pl.String), "basis": pl.String,
              **{f"with_{o}": pl.Int64 for o in _OBLIGATIONS}}  # fmt: skip
    return pl.DataFrame(out, schema=schema)


_NMC = ("cinc", "milex", "milper", "irst", "pec", "tpop", "upop")


def _capability(
    groups: pl.DataFrame, start: int, end: int, wh: Any, track: _Tracker, section: str
) -> pl.DataFrame:
    """Pooled NMC capability of the states in ``groups`` (``year``, ``ccode``) and world share.

    Per year: ``states`` (listed), ``states_with_cinc``, the sum of each NMC component over them
    (null when none has a value), the world total (every state-year of the COW system in NMC)
    and the share (sum / world total).
    """
    from foedus.frames.universe import state_years

    frame = state_years("cow", years=(start, end), warehouse=wh).add_nmc()
    track.frame(section, frame)
    nmc = frame.df.select("ccode", "year", *_NMC)
    world = nmc.group_by("year").agg(
        *[pl.when(pl.col(c).count() > 0).then(pl.col(c).sum()).alias(f"world_{c}") for c in _NMC]
    )
    joined = groups.select("year", "ccode").join(nmc, on=["year", "ccode"], how="left", maintain_order="left")
    pooled = joined.group_by("year").agg(
        pl.len().alias("states"),
        pl.col("cinc").count().alias("states_with_cinc"),
        *[pl.when(pl.col(c).count() > 0).then(pl.col(c).sum()).alias(c) for c in _NMC],
    )
    years = pl.DataFrame({"year": list(range(start, end + 1))}, schema={"year": pl.Int64})
    df = years.join(pooled, on="year", how="left", maintain_order="left").join(world, on="year", how="left", maintain_order="left")
    df = df.with_columns(
        pl.col("states").fill_null(0), pl.col("states_with_cinc").fill_null(0),
        *[(pl.col(c) / pl.col(f"world_{c}")).alias(f"{c}_share") for c in _NMC],
    )  # fmt: skip
    return df.sort("year")


def _pairs(groups: pl.DataFrame) -> pl.DataFrame:
    """Non-directed pairs (ccode1 < ccode2) of states listed in the same year."""
    g = groups.select("year", "ccode")
    return (
        g.join(g, on="year", suffix="_b", maintain_order="left")
        .filter(pl.col("ccode") < pl.col("ccode_b"))
        .select(pl.col("ccode").alias("ccode1"), pl.col("ccode_b").alias("ccode2"), "year")
        .sort("year", "ccode1", "ccode2")
    )


def _pair_frame(pairs: pl.DataFrame, wh: Any) -> Any:
    from foedus.frames.frame import Frame

    return Frame(pairs.select(pl.col("ccode1").cast(pl.Int64), pl.col("ccode2").cast(pl.Int64),
                              pl.col("year").cast(pl.Int64)),
                 unit="dyad-year", system="cow", directed=False, warehouse=wh)  # fmt: skip


def _cohesion(
    groups: pl.DataFrame, start: int, end: int, wh: Any, track: _Tracker
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cohesion per year: spread of pairwise alliance-portfolio similarity and of UN ideal points."""
    from foedus.frames.frame import Frame

    pairs = _pairs(groups)
    frame = _pair_frame(pairs, wh).add_alliance_similarity([SIMILARITY]).add_ideal_point_distance()
    track.frame("cohesion", frame)
    pair_stats = frame.df.group_by("year").agg(
        pl.len().alias("pairs"),
        pl.col(SIMILARITY).count().alias("pairs_with_similarity"),
        pl.col(SIMILARITY).mean().alias("similarity_mean"),
        pl.col(SIMILARITY).std().alias("similarity_sd"),
        (1 - pl.col(SIMILARITY)).mean().alias("similarity_distance_mean"),
        pl.col("idealpointdist").mean().alias("idealpoint_distance_mean"),
    )
    sy = Frame(groups.select(pl.col("ccode").cast(pl.Int64), pl.col("year").cast(pl.Int64)),
               unit="state-year", system="cow", warehouse=wh).add_ideal_points()  # fmt: skip
    track.frame("cohesion", sy)
    ideal = sy.df.group_by("year").agg(
        pl.col("idealpoint").count().alias("members_with_idealpoint"),
        pl.col("idealpoint").mean().alias("idealpoint_mean"),
        pl.col("idealpoint").std().alias("idealpoint_sd"),
    )
    years = pl.DataFrame({"year": list(range(start, end + 1))}, schema={"year": pl.Int64})
    df = (years.join(pair_stats, on="year", how="left", maintain_order="left").join(ideal, on="year", how="left", maintain_order="left")
          .with_columns(pl.col("pairs").fill_null(0)).sort("year"))  # fmt: skip
    trend = ols_trend(df, ["similarity_sd", "similarity_distance_mean", "idealpoint_sd",
                           "idealpoint_distance_mean"])  # fmt: skip
    return df, trend


def _engagement(
    pairs: pl.DataFrame, start: int, end: int, wh: Any, track: _Tracker
) -> pl.DataFrame:
    """Mean engagement index over the pairs listed per year (reference model, no bootstrap)."""
    from foedus.measures.engagement import add_engagement, reference_model

    years = pl.DataFrame({"year": list(range(start, end + 1))}, schema={"year": pl.Int64})
    if pairs.height == 0:
        return years.with_columns(pl.lit(0, pl.Int64).alias("pairs"),
                                  pl.lit(0, pl.Int64).alias("pairs_covered"),
                                  pl.lit(None, pl.Float64).alias("engagement_mean"),
                                  pl.lit(None, pl.Float64).alias("engagement_sd"))  # fmt: skip
    model = reference_model(wh, bootstrap=0)
    frame = add_engagement(_pair_frame(pairs, wh), model=model)
    track.frame("engagement", frame)
    stats = frame.df.group_by("year").agg(
        pl.len().alias("pairs"),
        pl.col("engagement").count().alias("pairs_covered"),
        pl.col("engagement").mean().alias("engagement_mean"),
        pl.col("engagement").std().alias("engagement_sd"),
    )
    return (years.join(stats, on="year", how="left", maintain_order="left")
            .with_columns(pl.col("pairs").fill_null(0), pl.col("pairs_covered").fill_null(0))
            .sort("year"))  # fmt: skip


def _coverage(wh: Any, table: str) -> tuple[int, int] | None:
    if not wh.has(table):
        return None
    years = wh.table(table)["year"]
    return int(years.min()), int(years.max())  # type: ignore[arg-type]


def _event_study(
    roster: pl.DataFrame, accessions: pl.DataFrame, wh: Any, track: _Tracker
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    """MID onsets between each joining state and non-members, years −5…+5 around accession."""
    from foedus.alliances.data import last_year
    from foedus.frames.universe import dyad_years

    coverage = {"gml": _coverage(wh, "gml_mid_ddydisps"), "cow": _coverage(wh, "cow_mid_ddydisps")}
    schema = {"ccode": pl.Int64, "abb": pl.String, "accession": pl.Int64, "rel": pl.Int64,
              "year": pl.Int64, "in_system": pl.Boolean, "outsiders": pl.Int64,
              "gml_onsets": pl.Int64, "cow_onsets": pl.Int64}  # fmt: skip
    if accessions.height == 0:
        rows = pl.DataFrame(schema=schema)
    else:
        lo = max(1816, int(accessions["year"].min()) - WINDOW)  # type: ignore[arg-type]
        hi = min(last_year() - 1, int(accessions["year"].max()) + WINDOW)  # type: ignore[arg-type]
        joiners = accessions["ccode"].unique().to_list()
        frame = dyad_years("cow", directed=True, years=(lo, hi), warehouse=wh)
        from dataclasses import replace

        frame = replace(frame, df=frame.df.filter(pl.col("ccode1").is_in(joiners)))
        frame = frame.add_gml_mids().add_cow_mids()
        track.frame("event_study", frame)
        insiders = roster.select("year", pl.col("ccode").alias("ccode2"),
                                 pl.lit(True).alias("_inside"))  # fmt: skip
        df = (frame.df.join(insiders, on=["year", "ccode2"], how="left", maintain_order="left")
              .filter(pl.col("_inside").is_null()))  # fmt: skip
        counts = df.group_by("ccode1", "year").agg(
            pl.len().alias("outsiders"),
            pl.when(pl.col("gmlmidonset").count() > 0)
            .then(pl.col("gmlmidonset").sum()).cast(pl.Int64).alias("gml_onsets"),
            pl.when(pl.col("cowmidonset").count() > 0)
            .then(pl.col("cowmidonset").sum()).cast(pl.Int64).alias("cow_onsets"),
        ).rename({"ccode1": "ccode"})  # fmt: skip
        in_system = frame.df.select(pl.col("ccode1").alias("ccode"), "year").unique()
        grid = []
        for acc in accessions.iter_rows(named=True):
            for rel in range(-WINDOW, WINDOW + 1):
                grid.append({"ccode": acc["ccode"], "abb": acc["abb"], "accession": acc["year"],
                             "rel": rel, "year": acc["year"] + rel})  # fmt: skip
        rows = (
            pl.DataFrame(grid, schema={k: schema[k] for k in ("ccode", "abb", "accession", "rel",
                                                               "year")})
            .join(in_system.with_columns(pl.lit(True).alias("in_system")),
                  on=["ccode", "year"], how="left", maintain_order="left")
            .with_columns(pl.col("in_system").fill_null(False))
            .join(counts, on=["ccode", "year"], how="left", maintain_order="left")
            .with_columns(pl.col("outsiders").fill_null(0))
            .select(list(schema))
            .sort("accession", "ccode", "rel")
        )  # fmt: skip
    summary = (
        (
            rows.group_by("rel")
            .agg(
                pl.len().alias("accessions"),
                pl.col("gml_onsets").count().alias("gml_covered"),
                pl.col("gml_onsets").sum().alias("gml_total"),
                pl.col("gml_onsets").mean().alias("gml_mean"),
                pl.col("cow_onsets").count().alias("cow_covered"),
                pl.col("cow_onsets").sum().alias("cow_total"),
                pl.col("cow_onsets").mean().alias("cow_mean"),
            )
            .sort("rel")
        )
        if rows.height
        else pl.DataFrame(schema={"rel": pl.Int64, "accessions": pl.UInt32})
    )
    if rows.height:
        summary = summary.with_columns(
            pl.when(pl.col("gml_covered") > 0).then(pl.col("gml_total")).alias("gml_total"),
            pl.when(pl.col("cow_covered") > 0).then(pl.col("cow_total")).alias("cow_total"),
        )
    info = {"window": [-WINDOW, WINDOW],
            "coverage": {k: list(v) if v else None for k, v in coverage.items()}}  # fmt: skip
    for src in ("gml", "cow"):
        col = f"{src}_onsets"
        if rows.height == 0:
            info[src] = {"pre_mean": None, "post_mean": None, "pre_n": 0, "post_n": 0}
            continue
        pre = rows.filter((pl.col("rel") < 0) & pl.col(col).is_not_null())[col]
        post = rows.filter((pl.col("rel") > 0) & pl.col(col).is_not_null())[col]
        info[src] = {"pre_mean": _clean(float(pre.mean())) if pre.len() else None,  # type: ignore[arg-type]
                     "post_mean": _clean(float(post.mean())) if post.len() else None,  # type: ignore[arg-type]
                     "pre_n": pre.len(), "post_n": post.len()}  # fmt: skip
    return rows, summary, info


# ---------------------------------------------------------------------------------------------
# alliance
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AllianceAssessment:
    """An alliance over ``start``–``end``: membership, capability, cohesion, burden, engagement,
    disputes around accessions; every frame has one row per year (``members``, ``accessions``
    and ``event_study`` one per state-year / accession / relative year).

    ``burden`` is a :class:`foedus.measures.burden.BurdenSharing` (or ``None`` when SIPRI does not
    cover the years); ``notes`` say what could not be computed and why.
    """

    alliance_id: str
    atopid: int | None
    name: str
    start: int
    end: int
    members: pl.DataFrame
    membership: pl.DataFrame
    capability: pl.DataFrame
    cohesion: pl.DataFrame
    cohesion_trend: pl.DataFrame
    burden: Any
    engagement: pl.DataFrame
    accessions: pl.DataFrame
    event_study: pl.DataFrame
    event_summary: pl.DataFrame
    event_info: dict[str, Any]
    provenance: Provenance
    notes: tuple[str, ...] = field(default=())
    #: ATOP's legal-basis codes with their codebook meanings (:func:`foedus.regions.law.legal_basis`);
    #: None for a curated treaty or without ATOP's alliance-level file.
    legal_basis: dict[str, Any] | None = None
    #: The impact profile (:func:`foedus.impact.profile.attach_impact`): honouring record and
    #: exit hazard; None unless attached (the brief then has no impact section).
    impact: dict[str, Any] | None = None

    kind = "alliance"

    def key_figures(self) -> dict[str, Any]:
        """Headline numbers (the brief's key figures and the CLI's ``--json``).

        Example:
            >>> a = assess_alliance("NATO", 1990, 2018, warehouse="wh.duckdb")  # doctest: +SKIP
            >>> a.key_figures()["members_end"]  # doctest: +SKIP
            29
        """
        m = self.membership
        first, last = m.row(0, named=True), m.row(-1, named=True)
        cap = self.capability.filter(pl.col("cinc").is_not_null())
        cap_last = cap.row(-1, named=True) if cap.height else None
        trend = {r["measure"]: r for r in self.cohesion_trend.to_dicts()}
        burden_last = None
        if self.burden is not None:
            b = self.burden.years.filter(pl.col("total_milex").is_not_null())
            burden_last = b.row(-1, named=True) if b.height else None
        eng = self.engagement.filter(pl.col("engagement_mean").is_not_null())
        return _clean({
            "alliance": self.name, "alliance_id": self.alliance_id, "atopid": self.atopid,
            "years": [self.start, self.end],
            "members_start": first["members"], "members_end": last["members"],
            "entries": int(sum(len(e) for e in m["entered"].to_list())),
            "exits": int(sum(len(e) for e in m["left"].to_list())),
            "accessions": self.accessions.height,
            "cinc_year": cap_last["year"] if cap_last else None,
            "cinc": cap_last["cinc"] if cap_last else None,
            "cinc_world_share": cap_last["cinc_share"] if cap_last else None,
            "idealpoint_sd_slope": trend.get("idealpoint_sd", {}).get("slope"),
            "idealpoint_sd_slope_se": trend.get("idealpoint_sd", {}).get("se"),
            "similarity_sd_slope": trend.get("similarity_sd", {}).get("slope"),
            "similarity_sd_slope_se": trend.get("similarity_sd", {}).get("se"),
            "burden_year": burden_last["year"] if burden_last else None,
            "alliance_milex_gdp": burden_last["alliance_milex_gdp"] if burden_last else None,
            "meeting_2pct": burden_last["meeting_2pct"] if burden_last else None,
            "engagement_year": eng["year"][-1] if eng.height else None,
            "engagement_mean": eng["engagement_mean"][-1] if eng.height else None,
            "gml_pre_mean": self.event_info["gml"]["pre_mean"],
            "gml_post_mean": self.event_info["gml"]["post_mean"],
        })  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (every frame as a list of rows).

        Example:
            >>> assess_alliance("NATO", 2000, 2001, warehouse="wh.duckdb").to_dict()["kind"]  # doctest: +SKIP
            'alliance'
        """
        return {
            "kind": self.kind, "key_figures": self.key_figures(),
            "membership": _rows(self.membership), "members": _rows(self.members),
            "capability": _rows(self.capability), "cohesion": _rows(self.cohesion),
            "cohesion_trend": _rows(self.cohesion_trend),
            "burden": _rows(self.burden.years) if self.burden is not None else None,
            "engagement": _rows(self.engagement), "accessions": _rows(self.accessions),
            "event_study": _rows(self.event_study), "event_summary": _rows(self.event_summary),
            "event_info": self.event_info, "notes": list(self.notes),
            "sources": _rows(self.provenance.frame()),
        }  # fmt: skip


def assess_alliance(
    name_or_id: str | int,
    start: int,
    end: int,
    *,
    warehouse: Any = None,
    engagement: bool = True,
) -> AllianceAssessment:
    """Assess an alliance (name, alias or ATOPID) over ``start``–``end``.

    Membership from the registry (ATOP 5.1; carried forward and curated after 2018), pooled NMC
    capability and world share, cohesion (similarity ``s_un_val_sq`` among member pairs and
    UN ideal points of members, spread per year and OLS trend), burden sharing (SIPRI years
    only), mean engagement index among member pairs (``engagement=False`` skips it), and the
    accession event study (MID onsets with non-members, −5…+5 years). See
    ``docs/assessment.md``.

    Example:
        >>> nato = assess_alliance("NATO", 1990, 2018, warehouse="wh.duckdb")  # doctest: +SKIP
        >>> nato.membership.filter(pl.col("year") == 1999)["members"].item()  # doctest: +SKIP
        19
    """
    from foedus.alliances.data import ATOP_LAST_YEAR, get_data, last_year
    from foedus.alliances.registry import resolve_alliance
    from foedus.measures.burden import burden_sharing

    _check_span(start, end)
    wh = _open(warehouse)
    track = _Tracker(wh)
    data = get_data(wh)
    key = resolve_alliance(name_or_id, data)
    info = data.info[key]
    notes: list[str] = []
    lo, hi = max(1816, start - WINDOW - 1), min(last_year(), end + WINDOW)
    roster_all = _roster(data, key, lo, hi)
    roster = roster_all.filter(pl.col("year").is_between(start, end))
    if roster.filter(pl.col("member")).height == 0:
        raise FoedusError(f"{info.name} has no members in {start}–{end}",
                          fix="check the alliance's years with `foedus alliance show`")  # fmt: skip
    for section in ("membership", "event_study"):
        track.table(section, "atop_member", "alliance members, phases and obligations")
        if end > ATOP_LAST_YEAR:
            track.curated(section)
    membership = _membership(roster_all, start, end)
    members = roster.filter(pl.col("member"))
    capability = _capability(members, start, end, wh, track, "capability")
    cohesion, trend = _cohesion(members, start, end, wh, track)
    burden = None
    try:
        burden = burden_sharing(key, max(start, 1949), end, warehouse=wh)
        track.table("burden", "sipri_milex", "military expenditure and its share of GDP")
        track.table("burden", "atop_member", "alliance members")
    except FoedusError as exc:
        notes.append(f"burden sharing not computed: {exc}")
    if engagement:
        eng = _engagement(_pairs(members), start, end, wh, track)
    else:
        eng = pl.DataFrame({"year": list(range(start, end + 1))}, schema={"year": pl.Int64})
        eng = eng.with_columns(pl.lit(None, pl.Int64).alias("pairs"),
                               pl.lit(None, pl.Int64).alias("pairs_covered"),
                               pl.lit(None, pl.Float64).alias("engagement_mean"),
                               pl.lit(None, pl.Float64).alias("engagement_sd"))  # fmt: skip
        notes.append("engagement among members skipped (engagement=False)")
    first_member = (roster_all.filter(pl.col("member")).group_by("ccode")
                    .agg(pl.col("year").min().alias("first")))  # fmt: skip
    acc_rows = []
    for row in membership.iter_rows(named=True):
        for abb in row["entered"]:
            ccode = int(roster_all.filter(pl.col("abb") == abb)["ccode"][0])
            first = first_member.filter(pl.col("ccode") == ccode)["first"]
            acc_rows.append(
                {
                    "ccode": ccode,
                    "abb": abb,
                    "year": row["year"],
                    "rejoined": bool(first.len() and first[0] < row["year"] - 1),
                }
            )
    from foedus.frames.universe import state_years

    system = state_years("cow", years=(lo, hi), warehouse=wh)
    track.frame("membership", system)
    in_system = system.df.select("ccode", (pl.col("year") + 1).alias("year"),
                                 pl.lit(True).alias("in_system_before"))  # fmt: skip
    accessions = (
        pl.DataFrame(acc_rows, schema={"ccode": pl.Int64, "abb": pl.String, "year": pl.Int64,
                                       "rejoined": pl.Boolean})
        .join(in_system, on=["ccode", "year"], how="left", maintain_order="left")
        .with_columns(pl.col("in_system_before").fill_null(False))
        .select("ccode", "abb", "year", "in_system_before", "rejoined")
    )  # fmt: skip
    skipped = accessions.filter(~pl.col("in_system_before"))
    if skipped.height:
        notes.append(
            "left out of the event study (not in the COW system the year before "
            "entry: a new or re-formed state, e.g. by unification): "
            + ", ".join(f"{r['abb']} {r['year']}" for r in skipped.iter_rows(named=True))
        )
    events, summary, event_info = _event_study(
        roster_all, accessions.filter(pl.col("in_system_before")), wh, track
    )
    from foedus.regions.law import legal_basis_for

    legal = legal_basis_for(info.atopid, wh)
    if legal is not None:
        track.table("legal", "atop_alliance_level", "legal basis (ATOP alliance-level codes)")
    return AllianceAssessment(
        alliance_id=key, atopid=info.atopid, name=info.name, start=start, end=end,
        members=roster, membership=membership, capability=capability, cohesion=cohesion,
        cohesion_trend=trend, burden=burden, engagement=eng, accessions=accessions,
        event_study=events, event_summary=summary, event_info=event_info,
        provenance=track.provenance(), notes=tuple(notes), legal_basis=legal,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# dyad
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DyadAssessment:
    """Two states over ``start``–``end``: the dyad profile's timeline (instruments, obligations,
    disputes, similarity, engagement) with both sides' CINC, and their shared alliances."""

    a: dict[str, Any]
    b: dict[str, Any]
    start: int
    end: int
    timeline: pl.DataFrame
    alliances: pl.DataFrame
    summary: dict[str, Any]
    provenance: Provenance
    notes: tuple[str, ...] = field(default=())
    arms_control: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: The impact profile (:func:`foedus.impact.profile.attach_impact`): instruments used and
    #: the designs' estimates; None unless attached (the brief then has no impact section).
    impact: dict[str, Any] | None = None

    kind = "dyad"

    @property
    def name(self) -> str:
        """``ABB–ABB``.

        Example:
            >>> d = DyadAssessment({"abb": "USA"}, {"abb": "JPN"}, 2000, 2000, pl.DataFrame(),
            ...                    pl.DataFrame(), {}, Provenance())
            >>> d.name
            'USA–JPN'
        """
        return f"{self.a['abb']}–{self.b['abb']}"

    def key_figures(self) -> dict[str, Any]:
        """Headline numbers.

        Example:
            >>> assess_dyad("USA", "JPN", 1990, 2018, warehouse="wh.duckdb").key_figures()["defense_years"]  # doctest: +SKIP
            29
        """
        t = self.timeline
        cap = t.filter(pl.col("cinc_pooled").is_not_null())
        eng = t.filter(pl.col("engagement").is_not_null()) if "engagement" in t.columns else t[:0]
        s = self.summary
        return _clean({
            "dyad": self.name, "years": [self.start, self.end],
            "alliance_years": s["alliance"]["years"], "defense_years": s["alliance"]["defense_years"],
            "alliances": self.alliances.height,
            "gml_onsets": s["disputes"]["gml"]["onsets"], "cow_onsets": s["disputes"]["cow"]["onsets"],
            "arms_tiv_a_to_b": s["arms"]["a_to_b"]["tiv"], "arms_tiv_b_to_a": s["arms"]["b_to_a"]["tiv"],
            "cinc_year": cap["year"][-1] if cap.height else None,
            "cinc_pooled": cap["cinc_pooled"][-1] if cap.height else None,
            "cinc_ratio": cap["cinc_ratio"][-1] if cap.height else None,
            "engagement_year": eng["year"][-1] if eng.height else None,
            "engagement": eng["engagement"][-1] if eng.height else None,
        })  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form.

        Example:
            >>> d = DyadAssessment({"abb": "USA"}, {"abb": "JPN"}, 2000, 2000, pl.DataFrame(),
            ...                    pl.DataFrame(), {}, Provenance())
            >>> d.to_dict()["kind"]
            'dyad'
        """
        return {"kind": self.kind, "a": self.a, "b": self.b, "years": [self.start, self.end],
                "timeline": _rows(self.timeline), "alliances": _rows(self.alliances),
                "summary": _clean(self.summary), "notes": list(self.notes),
                "arms_control": _rows(self.arms_control),
                "sources": _rows(self.provenance.frame())}  # fmt: skip


def _arms_control_uses(track: _Tracker, section: str) -> None:
    """Record the treaty tables and the curated arms-control facts as sources of ``section``."""
    from foedus.arms_control.analysis import TREATY_TABLES
    from foedus.arms_control.curated import curated_version

    for table in TREATY_TABLES:
        track.table(section, table, "arms-control treaty status")
    track._add(SourceUse(section, "arms-control-curated", curated_version(), "curated",
                         "curated.csv", "curated arms-control facts"))  # fmt: skip


def assess_dyad(
    a: str | int,
    b: str | int,
    start: int | None = None,
    end: int | None = None,
    *,
    warehouse: Any = None,
    engagement: bool = True,
) -> DyadAssessment:
    """Assess the relationship of states ``a`` and ``b`` (code, abbreviation or name).

    The timeline of :func:`foedus.measures.dyad_profile.dyad_profile` (engagement on the
    reference model without bootstrap) plus ``cinc_a``, ``cinc_b``, ``cinc_pooled`` and
    ``cinc_ratio`` (a / b) from NMC. Default years: from the later of the two states' first
    system year (or 1946, whichever is later) to 2024.

    Example:
        >>> d = assess_dyad("USA", "JPN", 1990, 2018, warehouse="wh.duckdb")  # doctest: +SKIP
        >>> d.alliances["name"][0]  # doctest: +SKIP
        'Treaty of Mutual Cooperation and Security between Japan and the United States'
    """
    from foedus.measures.dyad_profile import DEFAULT_LAST_YEAR, dyad_profile, resolve_state

    wh = _open(warehouse)
    track = _Tracker(wh)
    sa, sb = resolve_state(a, warehouse=wh), resolve_state(b, warehouse=wh)
    if start is None:
        start = max(1946, sa["first_year"] or 1816, sb["first_year"] or 1816)
    end = DEFAULT_LAST_YEAR if end is None else end
    _check_span(start, end)
    profile = dyad_profile(sa["ccode"], sb["ccode"], years=(start, end), warehouse=wh,
                           engagement=engagement, bootstrap=0)  # fmt: skip
    timeline = pl.DataFrame(profile["timeline"], infer_schema_length=None)
    groups = pl.DataFrame({"year": list(range(start, end + 1)) * 2,
                           "ccode": [sa["ccode"]] * (end - start + 1) + [sb["ccode"]] * (end - start + 1)},
                          schema={"year": pl.Int64, "ccode": pl.Int64})  # fmt: skip
    from foedus.frames.universe import state_years

    nmc = state_years("cow", years=(start, end), warehouse=wh).add_nmc()
    track.frame("capability", nmc)
    cinc = nmc.df.select("ccode", "year", "cinc")
    ca = cinc.filter(pl.col("ccode") == sa["ccode"]).select("year", pl.col("cinc").alias("cinc_a"))
    cb = cinc.filter(pl.col("ccode") == sb["ccode"]).select("year", pl.col("cinc").alias("cinc_b"))
    timeline = (timeline.join(ca, on="year", how="left", maintain_order="left").join(cb, on="year", how="left", maintain_order="left")
                .with_columns((pl.col("cinc_a") + pl.col("cinc_b")).alias("cinc_pooled"),
                              pl.when(pl.col("cinc_b") > 0)
                              .then(pl.col("cinc_a") / pl.col("cinc_b")).alias("cinc_ratio"))
                .sort("year"))  # fmt: skip
    del groups
    for label in profile["sources"]:
        source, _, version = label.rpartition(" ")
        track._add(SourceUse("timeline", source, version, "", "", "dyad profile"))
    track.table("alliances", "atop_member", "alliances both states belong to")
    if end > 2018:
        track.curated("alliances")
    runs = profile["alliances"]
    alliances = pl.DataFrame(
        [{"alliance_id": r["alliance_id"], "atopid": r["atopid"], "name": r["name"],
          "first_year": r["first_year"], "last_year": r["last_year"],
          "obligations_a": r["obligations_a"], "obligations_b": r["obligations_b"],
          "basis": r["basis"]} for r in runs],
        schema={"alliance_id": pl.String, "atopid": pl.Int64, "name": pl.String,
                "first_year": pl.Int64, "last_year": pl.Int64,
                "obligations_a": pl.List(pl.String), "obligations_b": pl.List(pl.String),
                "basis": pl.String},
    )  # fmt: skip
    notes = [] if engagement else ["engagement index skipped (engagement=False)"]
    from foedus.arms_control.analysis import dyad_arms_control

    arms = dyad_arms_control(wh, sa["ccode"], sb["ccode"], (start, end))
    if arms.height:
        _arms_control_uses(track, "arms_control")
    return DyadAssessment(a=profile["a"], b=profile["b"], start=start, end=end,
                          timeline=timeline, alliances=alliances, summary=profile["summary"],
                          provenance=track.provenance(), notes=tuple(notes),
                          arms_control=arms)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# portfolio
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PortfolioAssessment:
    """A state's whole alliance portfolio over ``start``–``end``.

    ``alliances``: one row per alliance-year (obligations of the state, partners); ``years``: one
    row per year (alliances, partners, alliances with each obligation, defenders — partners with
    a defence obligation toward the state — their pooled CINC and the state's own);
    ``engagement``: mean engagement index with its partners per year.
    """

    state: dict[str, Any]
    start: int
    end: int
    alliances: pl.DataFrame
    years: pl.DataFrame
    engagement: pl.DataFrame
    provenance: Provenance
    notes: tuple[str, ...] = field(default=())
    arms_control: pl.DataFrame = field(default_factory=pl.DataFrame)

    kind = "portfolio"

    @property
    def name(self) -> str:
        """The state's name.

        Example:
            >>> PortfolioAssessment({"name": "Japan"}, 2000, 2000, pl.DataFrame(), pl.DataFrame(),
            ...                     pl.DataFrame(), Provenance()).name
            'Japan'
        """
        return str(self.state["name"])

    def key_figures(self) -> dict[str, Any]:
        """Headline numbers.

        Example:
            >>> assess_portfolio("JPN", 2000, 2018, warehouse="wh.duckdb").key_figures()["partners_end"]  # doctest: +SKIP
            1
        """
        first, last = self.years.row(0, named=True), self.years.row(-1, named=True)
        cap = self.years.filter(pl.col("defenders_cinc").is_not_null())
        eng = self.engagement.filter(pl.col("engagement_mean").is_not_null())
        return _clean({
            "state": self.state["abb"], "years": [self.start, self.end],
            "alliances_start": first["alliances"], "alliances_end": last["alliances"],
            "partners_start": first["partners"], "partners_end": last["partners"],
            "defenders_end": last["defenders"],
            "cinc_year": cap["year"][-1] if cap.height else None,
            "defenders_cinc": cap["defenders_cinc"][-1] if cap.height else None,
            "engagement_year": eng["year"][-1] if eng.height else None,
            "engagement_mean": eng["engagement_mean"][-1] if eng.height else None,
        })  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form.

        Example:
            >>> assess_portfolio("JPN", 2000, 2001, warehouse="wh.duckdb").to_dict()["kind"]  # doctest: +SKIP
            'portfolio'
        """
        return {"kind": self.kind, "state": self.state, "key_figures": self.key_figures(),
                "alliances": _rows(self.alliances), "years": _rows(self.years),
                "engagement": _rows(self.engagement), "notes": list(self.notes),
                "arms_control": _rows(self.arms_control),
                "sources": _rows(self.provenance.frame())}  # fmt: skip


def assess_portfolio(
    state: str | int,
    start: int,
    end: int,
    *,
    warehouse: Any = None,
    engagement: bool = True,
) -> PortfolioAssessment:
    """Assess a state's alliance portfolio over ``start``–``end``.

    Per year: its alliances and obligations (:func:`foedus.alliances.alliances_of`), partners
    (states sharing an alliance, by ATOP's pairing rules), defenders (partners pledged to defend
    it) with their pooled CINC, and its mean engagement index with its partners.

    Example:
        >>> p = assess_portfolio("POL", 1990, 2018, warehouse="wh.duckdb")  # doctest: +SKIP
        >>> p.years.filter(pl.col("year") == 2000)["defenders"].item() > 10  # doctest: +SKIP
        True
    """
    from foedus.alliances.data import ATOP_LAST_YEAR, get_data
    from foedus.measures.dyad_profile import resolve_state

    _check_span(start, end)
    wh = _open(warehouse)
    track = _Tracker(wh)
    info = resolve_state(state, warehouse=wh)
    data = get_data(wh)
    code = info["ccode"]
    track.table("alliances", "atop_member", "the state's alliances, obligations and partners")
    if end > ATOP_LAST_YEAR:
        track.curated("alliances")
    alliance_rows: list[dict[str, Any]] = []
    partner_rows: list[dict[str, Any]] = []
    for year in range(start, end + 1):
        partners: dict[int, set[str]] = {}
        defenders: set[int] = set()
        for other, _own in data.toward(code, year):
            partners.setdefault(other.member, set()).add(other.key)
            if "defense" in other.obligations:
                defenders.add(other.member)
        for spell in data.spells_of(code, year):
            alliance_rows.append({
                "year": year, "alliance_id": spell.key, "atopid": spell.atopid,
                "name": data.name(spell.key), "status": spell.status(year),
                "basis": spell.basis(year),
                "obligations": [o for o in _OBLIGATIONS if o in spell.obligations],
                "partners": sorted(data.states.abb(p) for p, keys in partners.items()
                                   if spell.key in keys),
            })  # fmt: skip
        for p in partners:
            partner_rows.append({"year": year, "ccode": p, "defender": p in defenders})
    alliances = pl.DataFrame(alliance_rows, schema={
        "year": pl.Int64, "alliance_id": pl.String, "atopid": pl.Int64, "name": pl.String,
        "status": pl.String, "basis": pl.String, "obligations": pl.List(pl.String),
        "partners": pl.List(pl.String)})  # fmt: skip
    partner_df = pl.DataFrame(partner_rows, schema={"year": pl.Int64, "ccode": pl.Int64,
                                                    "defender": pl.Boolean})  # fmt: skip
    cap = _capability(partner_df.filter(pl.col("defender")), start, end, wh, track, "capability")
    own = _capability(pl.DataFrame({"year": list(range(start, end + 1)),
                                    "ccode": [code] * (end - start + 1)},
                                   schema={"year": pl.Int64, "ccode": pl.Int64}),
                      start, end, wh, track, "capability")  # fmt: skip
    per_alliance = alliances.group_by("year").agg(
        pl.len().alias("alliances"),
        *[pl.col("obligations").list.contains(o).sum().alias(f"with_{o}") for o in _OBLIGATIONS],
    )
    per_partner = partner_df.group_by("year").agg(
        pl.len().alias("partners"), pl.col("defender").sum().cast(pl.Int64).alias("defenders")
    )
    years = (
        pl.DataFrame({"year": list(range(start, end + 1))}, schema={"year": pl.Int64})
        .join(per_alliance, on="year", how="left", maintain_order="left").join(per_partner, on="year", how="left", maintain_order="left")
        .join(cap.select("year", pl.col("cinc").alias("defenders_cinc"),
                         pl.col("cinc_share").alias("defenders_cinc_share")), on="year", how="left", maintain_order="left")
        .join(own.select("year", pl.col("cinc").alias("own_cinc")), on="year", how="left", maintain_order="left")
        .with_columns(pl.col("alliances", "partners", "defenders",
                             *[f"with_{o}" for o in _OBLIGATIONS]).fill_null(0).cast(pl.Int64))
        .sort("year")
    )  # fmt: skip
    notes: list[str] = []
    if engagement:
        pairs = partner_df.select(pl.min_horizontal(pl.col("ccode"), pl.lit(code)).alias("ccode1"),
                                  pl.max_horizontal(pl.col("ccode"), pl.lit(code)).alias("ccode2"),
                                  "year")  # fmt: skip
        eng = _engagement(pairs, start, end, wh, track)
    else:
        eng = pl.DataFrame({"year": list(range(start, end + 1))}, schema={"year": pl.Int64})
        eng = eng.with_columns(pl.lit(None, pl.Int64).alias("pairs"),
                               pl.lit(None, pl.Int64).alias("pairs_covered"),
                               pl.lit(None, pl.Float64).alias("engagement_mean"),
                               pl.lit(None, pl.Float64).alias("engagement_sd"))  # fmt: skip
        notes.append("engagement with partners skipped (engagement=False)")
    state_info = {k: info[k] for k in ("ccode", "abb", "name")}
    from foedus.arms_control.analysis import state_arms_control

    arms = state_arms_control(wh, code, (start, end))
    if arms.height:
        _arms_control_uses(track, "arms_control")
        for table in ("nuclear_weapons_status", "nuclear_tests"):
            track.table("arms_control", table, "nuclear weapons status and tests")
    return PortfolioAssessment(state=state_info, start=start, end=end, alliances=alliances,
                               years=years, engagement=eng, provenance=track.provenance(),
                               notes=tuple(notes), arms_control=arms)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# peace operation
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MissionAssessment:
    """A peace operation: personnel per year (Bara's UN and non-UN peacekeeping data, SIPRI-based)
    and, where Geo-PKO maps it, contributors and their troops per year.

    ``years``: ``year``, ``months`` (mission-months observed), ``troops_mean``/``troops_max``,
    ``police_mean``, ``observers_mean``, ``totals_mean``/``totals_max`` (monthly ``*_iepo``
    figures, averaged over the year's months; a mission-month serving several conflicts counted
    once). ``contributors``: ``year``, ``ccode``, ``tcc``, ``troops`` (None when no source
    names the contributors: ``notes`` says so).
    """

    mission: str
    missionid: int
    organisation: str
    host: str
    host_ccode: int
    start: int
    end: int
    years: pl.DataFrame
    contributors: pl.DataFrame | None
    provenance: Provenance
    notes: tuple[str, ...] = field(default=())

    kind = "mission"

    @property
    def name(self) -> str:
        """The mission's acronym.

        Example:
            >>> MissionAssessment("AMISOM", 1, "Regional", "Somalia", 520, 2007, 2016,
            ...                   pl.DataFrame(), None, Provenance()).name
            'AMISOM'
        """
        return self.mission

    def key_figures(self) -> dict[str, Any]:
        """Headline numbers.

        Example:
            >>> assess_mission("AMISOM", warehouse="wh.duckdb").key_figures()["host"]  # doctest: +SKIP
            'Somalia'
        """
        y = self.years.filter(pl.col("troops_mean").is_not_null())
        peak = y.sort("troops_max", descending=True, nulls_last=True)
        return _clean({
            "mission": self.mission, "organisation": self.organisation, "host": self.host,
            "years": [self.start, self.end], "years_observed": self.years.height,
            "peak_troops": peak["troops_max"][0] if peak.height else None,
            "peak_year": peak["year"][0] if peak.height else None,
            "troops_mean_last": y["troops_mean"][-1] if y.height else None,
            "last_year": y["year"][-1] if y.height else None,
            "contributors_known": self.contributors is not None,
        })  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form.

        Example:
            >>> assess_mission("AMISOM", warehouse="wh.duckdb").to_dict()["kind"]  # doctest: +SKIP
            'mission'
        """
        return {"kind": self.kind, "key_figures": self.key_figures(), "years": _rows(self.years),
                "contributors": _rows(self.contributors), "notes": list(self.notes),
                "sources": _rows(self.provenance.frame())}  # fmt: skip


def assess_mission(
    mission: str,
    start: int | None = None,
    end: int | None = None,
    *,
    warehouse: Any = None,
) -> MissionAssessment:
    """Assess a peace operation by its acronym (e.g. ``"AMISOM"``) in the staged PKO data.

    Personnel per year from ``pko_missions_monthly`` (Bara 2020, v2-2019: monthly figures in
    host countries with a civil conflict, 1993–2016); contributors per year from Geo-PKO
    (``geo_pko_tcc``: UN operations in Africa 1994–2018) when the mission appears there. Default
    years: the mission's observed years.

    Example:
        >>> m = assess_mission("AMISOM", warehouse="wh.duckdb")  # doctest: +SKIP
        >>> m.host, m.contributors is None  # doctest: +SKIP
        ('Somalia', True)
    """
    wh = _open(warehouse)
    track = _Tracker(wh)
    if not wh.has("pko_missions_monthly"):
        raise FoedusError("the peacekeeping data (pko_missions_monthly) are not imported",
                          fix="foedus data import-all DIR with "
                              "un_nonun_peacekeeping_v2-2019_mission_conflict_month.csv")  # fmt: skip
    monthly = wh.table("pko_missions_monthly")
    wanted = mission.strip().upper()
    rows = monthly.filter(pl.col("mission").str.to_uppercase() == wanted)
    if rows.height == 0:
        import difflib

        names = sorted(set(monthly["mission"].drop_nulls().to_list()))
        close = difflib.get_close_matches(mission, names, n=5, cutoff=0.5)
        raise FoedusError(f"no peace operation '{mission}' in Bara's UN and non-UN data",
                          fix=("did you mean " + ", ".join(close) + "? " if close else "")
                          + "missions are named by acronym, e.g. AMISOM, UNMIL, MONUSCO")  # fmt: skip
    track.table("personnel", "pko_missions_monthly", "mission personnel per month")
    first = rows.row(0, named=True)
    span = (int(rows["year"].min()), int(rows["year"].max()))  # type: ignore[arg-type]
    start = span[0] if start is None else start
    end = span[1] if end is None else end
    if start > end:
        raise InvalidYearsError(f"the years {start}–{end} run backwards",
                                fix="give the earlier year first")  # fmt: skip
    cols = ["troops_iepo", "police_iepo", "observers_iepo", "totals_iepo"]
    by_month = (rows.filter(pl.col("year").is_between(start, end))
                .group_by("year", "date").agg(*[pl.col(c).max() for c in cols]))  # fmt: skip
    years = (
        by_month.group_by("year").agg(
            pl.len().alias("months"),
            pl.col("troops_iepo").mean().alias("troops_mean"),
            pl.col("troops_iepo").max().alias("troops_max"),
            pl.col("police_iepo").mean().alias("police_mean"),
            pl.col("observers_iepo").mean().alias("observers_mean"),
            pl.col("totals_iepo").mean().alias("totals_mean"),
            pl.col("totals_iepo").max().alias("totals_max"),
        ).sort("year")
    )  # fmt: skip
    notes = [
        f"personnel observed {span[0]}–{span[1]} (Bara's data end in 2016); "
        "figures are the interpolated/extrapolated monthly series (*_iepo), averaged per year"
    ]
    contributors = None
    if wh.has("geo_pko_tcc"):
        geo = wh.table("geo_pko_tcc")
        mcol = "mission" if "mission" in geo.columns else None
        sub = geo.filter(pl.col(mcol).str.to_uppercase().str.strip_chars() == wanted) if mcol \
            else geo[:0]  # fmt: skip
        if sub.height:
            track.table("contributors", "geo_pko_tcc", "troop-contributing countries")
            code = next(c for c in ("tcc_ccode", "ccode", "tcc_code") if c in sub.columns)
            contributors = (sub.group_by("year", code).agg(pl.col("tcc_troops").sum()
                                                           .alias("troops"))
                            .rename({code: "ccode"}).sort("year", "ccode"))  # fmt: skip
        else:
            notes.append(
                f"{first['mission']} is not in Geo-PKO (which maps UN operations in "
                "Africa, 1994–2018), and Bara's data give the host and personnel "
                "totals only: the shared data name no contributors, so no "
                "contributor table or alliance-style analysis is possible"
            )
    return MissionAssessment(
        mission=str(first["mission"]), missionid=int(first["missionid"]),
        organisation=str(first.get("org_label")), host=str(first["location"]),
        host_ccode=int(first["ccode"]), start=start, end=end, years=years,
        contributors=contributors, provenance=track.provenance(), notes=tuple(notes),
    )  # fmt: skip
