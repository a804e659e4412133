"""Non-state armed conflict by state, region and year, and the peace operations deployed there.

* :func:`nonstate_location_years` — UCDP non-state conflicts per location (G-W code) and year:
  conflicts, dyads and fatalities (best, low, high). A dyad-year fought in two countries counts
  in both.
* :func:`nonstate_region_years` — the same per region and year, for any region scheme or list
  of regions; with ``scheme="ucdp"`` the counts reproduce the ``region`` column of the UCDP file
  (the tests check it).
* :func:`cow_war_years` — COW non-state (v4.0) and intra-state (v5.1) wars active per year, with
  their released regions.
* :func:`nonstate_with_peacekeeping` — every location-year of non-state violence joined to the
  peace operations in that country that year (Bara's UN and Non-UN Peacekeeping v2-2019,
  1993–2016: mission, deploying organisation type UN / Regional / International, personnel)
  and, for UN missions in Africa, the main troop contributors (Geo-PKO, 1994–2018).

Regions are applied to UCDP's G-W location codes directly: the COW and G-W numberings agree on
every regional boundary (they differ inside regions only: Germany 255/260, Serbia 345/340, Yemen
679/678, the Pacific micro-states).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from foedus.errors import InvalidYearsError
from foedus.regions.schemes import UCDP_BLOCKS, get_region, region_of

__all__ = [
    "COW_V5_REGIONS",
    "COW_WHERE_FOUGHT",
    "cow_war_years",
    "nonstate_location_years",
    "nonstate_region_years",
    "nonstate_sources",
    "nonstate_with_peacekeeping",
    "ucdp_region_column_counts",
]

#: COW ``WhereFought`` codes of the non-state war data (codebook; 11–19 are combinations).
COW_WHERE_FOUGHT: dict[int, str] = {
    1: "Western Hemisphere", 2: "Europe", 4: "Africa", 6: "Middle East", 7: "Asia", 9: "Oceania",
}  # fmt: skip
#: COW intra-state v5 region numbers, labelled from the wars coded in each (the v5.1 codebook is
#: not among the staged files): Mexico/US in 1, Brazil/Colombia in 2, Russia/Spain in 3,
#: Ethiopia/DR Congo in 4, Egypt/Ottoman Empire in 5, China/Japan in 6.
COW_V5_REGIONS: dict[int, str] = {
    1: "North and Central America", 2: "South America", 3: "Europe", 4: "Sub-Saharan Africa",
    5: "Middle East and North Africa", 6: "Asia and Oceania",
}  # fmt: skip


def _span(table: pl.DataFrame, years: tuple[int, int] | None) -> pl.DataFrame:
    if years is None:
        return table
    start, end = years
    if start > end:
        raise InvalidYearsError(f"the years {start}–{end} run backwards",
                                fix="give the earlier year first")  # fmt: skip
    return table.filter(pl.col("year").is_between(start, end))


def _locations(nonstate: pl.DataFrame) -> pl.DataFrame:
    """One row per dyad-year and location code (``gwcode``)."""
    return nonstate.with_columns(
        pl.col("gwno_location").str.split(",").list.eval(
            pl.element().str.strip_chars().cast(pl.Int64)).alias("gwcode")
    ).explode("gwcode")  # fmt: skip


def _measures() -> list[pl.Expr]:
    return [
        pl.col("conflict_id").n_unique().cast(pl.Int64).alias("conflicts"),
        pl.col("dyad_id").n_unique().cast(pl.Int64).alias("dyads"),
        pl.col("best_fatality_estimate").sum().alias("fatalities_best"),
        pl.col("low_fatality_estimate").sum().alias("fatalities_low"),
        pl.col("high_fatality_estimate").sum().alias("fatalities_high"),
    ]


def nonstate_location_years(
    nonstate: pl.DataFrame, years: tuple[int, int] | None = None
) -> pl.DataFrame:
    """UCDP non-state conflicts per location (G-W code) and year.

    Returns ``gwcode, year, conflicts, dyads, fatalities_best, fatalities_low,
    fatalities_high`` for the location-years with at least one active dyad (others have none:
    within 1989–2022 an absent location-year is 0, outside it is unknown).

    Example:
        >>> ns = pl.DataFrame({"conflict_id": [1, 1, 2], "dyad_id": [10, 11, 20],
        ...     "year": [2000] * 3, "gwno_location": ["475", "475", "475, 436"],
        ...     "best_fatality_estimate": [30, 40, 50], "low_fatality_estimate": [30, 40, 50],
        ...     "high_fatality_estimate": [30, 40, 60]})
        >>> nonstate_location_years(ns).select("gwcode", "conflicts", "fatalities_best").rows()
        [(436, 1, 50), (475, 2, 120)]
    """
    table = _locations(_span(nonstate, years))
    return table.group_by("gwcode", "year").agg(_measures()).sort("year", "gwcode")


def nonstate_region_years(
    nonstate: pl.DataFrame,
    scheme: str | Sequence[str] = "ucdp",
    years: tuple[int, int] | None = None,
) -> pl.DataFrame:
    """UCDP non-state conflicts per region and year.

    ``scheme``: ``"ucdp"`` (UCDP's five regions), ``"cow"``, ``"un"``, ``"un-sub"``, or a list
    of region names (``["asia-pacific"]``). A conflict whose dyads fight in two regions counts
    once in each; within a region a conflict counts once per year however many dyads and
    locations it has. Fatalities add the dyad-years touching the region (each once).

    Returns ``region, year, conflicts, dyads, fatalities_best, fatalities_low, fatalities_high``.

    Example:
        >>> ns = pl.DataFrame({"conflict_id": [1, 2], "dyad_id": [10, 20], "year": [2000] * 2,
        ...     "gwno_location": ["2, 678", "475"], "best_fatality_estimate": [30, 50],
        ...     "low_fatality_estimate": [30, 50], "high_fatality_estimate": [30, 60]})
        >>> nonstate_region_years(ns).select("region", "conflicts").rows()
        [('ucdp:africa', 1), ('ucdp:americas', 1), ('ucdp:middle-east', 1)]
    """
    table = _locations(_span(nonstate, years))
    if isinstance(scheme, str):
        table = table.with_columns(region_of("gwcode", scheme))  # type: ignore[arg-type]
    else:
        regions = [get_region(name) for name in scheme]
        if not regions:
            from foedus.errors import UnknownRegionError

            raise UnknownRegionError("no region given",
                                     fix="name a scheme (ucdp, cow, un, un-sub) or regions")  # fmt: skip
        table = table.with_columns(
            pl.concat_list([pl.when(r.expr("gwcode", "year")).then(pl.lit(r.name))
                            for r in regions]).list.drop_nulls().alias("region")
        ).explode("region")  # fmt: skip
    table = table.drop_nulls("region").unique(["dyad_id", "year", "region"])
    return table.group_by("region", "year").agg(_measures()).sort("region", "year")


def ucdp_region_column_counts(nonstate: pl.DataFrame) -> pl.DataFrame:
    """Distinct conflicts per UCDP region and year, read from the file's own ``region`` column.

    The check on :func:`nonstate_region_years`: both must agree.

    Example:
        >>> ns = pl.DataFrame({"conflict_id": [1, 2], "year": [2000] * 2, "region": ["2, 5", "4"]})
        >>> ucdp_region_column_counts(ns).rows()
        [('ucdp:africa', 2000, 1), ('ucdp:americas', 2000, 1), ('ucdp:middle-east', 2000, 1)]
    """
    names = {str(k): f"ucdp:{v[0]}" for k, v in UCDP_BLOCKS.items()}
    return (
        nonstate.with_columns(
            pl.col("region").str.split(",").list.eval(pl.element().str.strip_chars())
            .alias("_r")
        )
        .explode("_r")
        .with_columns(pl.col("_r").replace_strict(names, default=None).alias("region"))
        .group_by("region", "year")
        .agg(pl.col("conflict_id").n_unique().cast(pl.Int64).alias("conflicts"))
        .sort("region", "year")
    )  # fmt: skip


def _active_years(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    return pl.int_ranges(start, end + 1, dtype=pl.Int64)


def cow_war_years(
    nonstate_wars: pl.DataFrame | None,
    intrastate_wars: pl.DataFrame | None,
    years: tuple[int, int] | None = None,
) -> pl.DataFrame:
    """COW wars active per year: one row per war-year, with its type and region as released.

    ``kind`` is ``non-state`` (COW war types 8–9; region = ``WhereFought``) or ``intra-state``
    (types 4–7; region = the v5 region, ``ccode`` = the government side). A war is active in
    every year from each spell's start to its end (an ongoing war, end -7, to the data's last
    year: 2007 for v4.0, 2014 for v5.1). Deaths are the war's totals (not per year).

    Example:
        >>> ns = pl.DataFrame({"warnum": [1500], "warname": ["Maori"], "wherefought": [9],
        ...     "startyear": [1818], "endyear": [1820], "totalcombatdeaths": [7500]})
        >>> cow_war_years(ns, None).select("year", "kind", "region").rows()
        [(1818, 'non-state', 'Oceania'), (1819, 'non-state', 'Oceania'), (1820, 'non-state', 'Oceania')]
    """
    parts = []
    if nonstate_wars is not None and nonstate_wars.height:
        ns = nonstate_wars.with_columns(
            pl.col("endyear").fill_null(2007).alias("_end"),
            pl.col("wherefought").replace_strict(COW_WHERE_FOUGHT, default=None,
                                                 return_dtype=pl.String)
            .fill_null(pl.format("combination {}", pl.col("wherefought"))).alias("region"),
        )  # fmt: skip
        parts.append(ns.select(
            pl.col("warnum").cast(pl.Float64), "warname", pl.lit("non-state").alias("kind"),
            "region", pl.lit(None, dtype=pl.Int64).alias("ccode"),
            pl.col("totalcombatdeaths").alias("deaths"),
            _active_years(pl.col("startyear"), pl.col("_end")).alias("year"),
        ).explode("year"))  # fmt: skip
    if intrastate_wars is not None and intrastate_wars.height:
        spells = []
        for k in range(1, 5):
            spells.append(intrastate_wars.filter(pl.col(f"startyr{k}").is_not_null()).select(
                pl.col("warnum").cast(pl.Float64), "warname",
                pl.lit("intra-state").alias("kind"),
                pl.col("v5regionnum").replace_strict(COW_V5_REGIONS, default=None,
                                                     return_dtype=pl.String).alias("region"),
                pl.col("ccodea").alias("ccode"), pl.col("totalbdeaths").alias("deaths"),
                _active_years(pl.col(f"startyr{k}"),
                              pl.col(f"endyr{k}").fill_null(2014)).alias("year"),
            ).explode("year"))  # fmt: skip
        parts.append(pl.concat(spells).unique(["warnum", "year"], keep="first"))
    if not parts:
        return pl.DataFrame(schema={"warnum": pl.Float64, "warname": pl.String,
                                    "kind": pl.String, "region": pl.String, "ccode": pl.Int64,
                                    "deaths": pl.Int64, "year": pl.Int64})  # fmt: skip
    out = pl.concat(parts, how="vertical_relaxed").select(
        "year", "kind", "warnum", "warname", "region", "ccode", "deaths")
    return _span(out, years).sort("year", "kind", "warnum")


def nonstate_with_peacekeeping(
    nonstate: pl.DataFrame,
    missions_monthly: pl.DataFrame | None,
    geo_pko: pl.DataFrame | None = None,
    panel: pl.DataFrame | None = None,
    years: tuple[int, int] | None = None,
    top_contributors: int = 5,
) -> pl.DataFrame:
    """Location-years of non-state violence with the peace operations deployed there.

    ``missions_monthly`` is Bara's mission-conflict-month table (host ``ccode``, COW);
    locations are UCDP G-W codes, moved to COW with ``panel`` (isard's ``gw_cow_panel``) when
    given, else taken as equal. Columns: ``gwcode, ccode, year, conflicts, fatalities_best``,
    ``missions`` (list of ``mission (org)``), ``pko_personnel`` (the year's largest monthly
    total of all missions in the country; Bara's interpolated SIPRI-based ``totals_iepo``), ``pko_covered``
    (the year is within Bara's 1993–2016: outside it the mission columns are null, not empty)
    and ``contributors`` (Geo-PKO's largest troop contributors to UN missions there that year,
    Africa 1994–2018 only).

    Example:
        >>> from datetime import date
        >>> ns = pl.DataFrame({"conflict_id": [1], "dyad_id": [10], "year": [2005],
        ...     "gwno_location": ["490"], "best_fatality_estimate": [100],
        ...     "low_fatality_estimate": [100], "high_fatality_estimate": [100]})
        >>> pko = pl.DataFrame({"ccode": [490, 490], "year": [2005, 2005],
        ...     "date": [date(2005, 1, 1), date(2005, 2, 1)], "mission": ["MONUC", "MONUC"],
        ...     "org_label": ["UN", "UN"], "totals_iepo": [16000.0, 16500.0]})
        >>> nonstate_with_peacekeeping(ns, pko).select("ccode", "missions", "pko_personnel").row(0)
        (490, ['MONUC (UN)'], 16500.0)
    """
    from foedus.sources.instruments.peacekeeping import PKO_COVERAGE

    located = nonstate_location_years(nonstate, years)
    if panel is not None:
        bridge = panel.select(pl.col("gwcode").cast(pl.Int64), pl.col("ccode").cast(pl.Int64),
                              pl.col("year").cast(pl.Int64)).unique(["gwcode", "year"])  # fmt: skip
        located = located.join(bridge, on=["gwcode", "year"], how="left", maintain_order="left").with_columns(
            pl.col("ccode").fill_null(pl.col("gwcode")))
    else:
        located = located.with_columns(pl.col("gwcode").alias("ccode"))
    out = located.select("gwcode", "ccode", "year", "conflicts", "dyads", "fatalities_best")
    lo, hi = PKO_COVERAGE
    covered = pl.col("year").is_between(lo, hi)
    if missions_monthly is not None:
        monthly = missions_monthly.with_columns(
            pl.col("ccode").cast(pl.Int64), pl.col("year").cast(pl.Int64),
            pl.col("date").alias("_month") if "date" in missions_monthly.columns
            else pl.col("year").alias("_month"),
        )  # fmt: skip
        # A mission serving several conflicts repeats its month: one value per mission-month.
        per_month = (
            monthly.group_by("ccode", "year", "_month", "mission")
            .agg(pl.col("totals_iepo").max())
            .group_by("ccode", "year", "_month")
            .agg(pl.col("totals_iepo").sum().alias("_sum"))
            .group_by("ccode", "year")
            .agg(pl.col("_sum").max().alias("pko_personnel"))
        )
        names = (
            monthly.select("ccode", "year", "mission", "org_label").unique()
            .sort("mission").group_by("ccode", "year")
            .agg(pl.format("{} ({})", "mission", "org_label").alias("missions"))
        )  # fmt: skip
        per_host = names.join(per_month, on=["ccode", "year"], how="left", maintain_order="left")
        out = out.join(per_host, on=["ccode", "year"], how="left", maintain_order="left").with_columns(
            pl.when(covered).then(pl.col("missions").fill_null(pl.lit([], dtype=pl.List(pl.String))))
            .otherwise(None).alias("missions"),
            pl.when(covered).then(pl.col("pko_personnel").fill_null(0.0)).otherwise(None)
            .alias("pko_personnel"),
        )  # fmt: skip
    else:
        out = out.with_columns(pl.lit(None, dtype=pl.List(pl.String)).alias("missions"),
                               pl.lit(None, dtype=pl.Float64).alias("pko_personnel"))  # fmt: skip
    out = out.with_columns(covered.alias("pko_covered"))
    if geo_pko is not None and geo_pko.height:
        tcc = (
            geo_pko.filter(pl.col("tcc_troops").is_not_null())
            .group_by("host_ccode", "year", "tcc_name", "map")
            .agg(pl.col("tcc_troops").sum().alias("_t"))
            .group_by("host_ccode", "year", "tcc_name")
            .agg(pl.col("_t").max().alias("_troops"))
            .sort(["host_ccode", "year", "_troops", "tcc_name"], descending=[False, False, True, False])
            .group_by("host_ccode", "year", maintain_order=True)
            .agg(pl.format("{} ({})", "tcc_name", "_troops").head(top_contributors)
                 .alias("contributors"))
            .rename({"host_ccode": "ccode"})
            .with_columns(pl.col("ccode").cast(pl.Int64), pl.col("year").cast(pl.Int64))
        )  # fmt: skip
        out = out.join(tcc, on=["ccode", "year"], how="left", maintain_order="left")
    else:
        out = out.with_columns(pl.lit(None, dtype=pl.List(pl.String)).alias("contributors"))
    return out.sort("year", "ccode")


def nonstate_sources(warehouse: Any) -> list[dict[str, Any]]:
    """Provenance of the tables these functions read, as the warehouse serves them."""
    used = []
    for table in ("ucdp_nonstate", "cow_nonstate_wars", "cow_intrastate_wars",
                  "pko_missions_monthly", "geo_pko_tcc", "gw_cow_panel"):  # fmt: skip
        if warehouse.has(table):
            r = warehouse.active(table)
            used.append({"table": table, "source": r.source, "version": r.version,
                         "file": r.path.rsplit("/", 1)[-1], "via": r.via})  # fmt: skip
    return used

