"""Peace operations on dyad-years and state-years: co-deployment, troop contributions, hosting.

**Co-deployment** (dyad-years, from Geo-PKO): ``pko_codeployed`` is 1 when both states had troops
in the same peace operation during the year, ``pko_shared_missions`` the number of such operations.
A state "has troops" in an operation in a year when a Geo-PKO map of that year lists it as a
troop-contributing country at any site (with a number or "unknown"). Geo-PKO covers the **UN
operations in Africa only**, 1994–2018: a pair that served together elsewhere (Kosovo, Lebanon,
Afghanistan) is 0. Coverage 1994–2018: 0 inside, null outside.

**Troop contributions** (state-years, Geo-PKO): ``pko_tcc_missions`` (operations the state sent
troops to) and ``pko_tcc_troops`` — per operation the largest total over the year's maps (summed
over sites; "unknown" counts add nothing), summed over operations.

**Hosting** (state-years, with ``missions_monthly``, Bara's UN and Non-UN Peacekeeping data):
``pko_hosted_missions`` (UN, regional and international operations present in the state in the
year) and ``pko_hosted_troops`` (average monthly troops, ``troops_iepo``, over the 12 months,
summed over operations; a mission-month listed for several conflicts counts once). Coverage
1993–2016, and only states with a civil conflict 1989–2016 can host in these data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from foedus.frames.enrichers import BOTH, Enricher
from foedus.frames.instruments._merge import DYAD_KEYS, STATE_KEYS, attach, covered_years, unit_of
from foedus.frames.instruments._merge import declared as _declared

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

__all__ = [
    "GEO_PKO_COVERAGE",
    "PKO_COVERAGE",
    "add_pko_codeployment",
    "enrich_pko",
    "tcc_state_years",
]

GEO_PKO_COVERAGE: tuple[int, int] = _declared("geo_pko_tcc")
PKO_COVERAGE: tuple[int, int] = _declared("pko_missions_monthly")


def _contributions(geo_tcc: pl.DataFrame) -> pl.DataFrame:
    """One row per contributing state, mission and year: troops (max over maps of the site sum)."""
    per_map = (
        geo_tcc.filter(pl.col("ccode").is_not_null())
        .group_by(pl.col("ccode").cast(pl.Int64), "mission", pl.col("year").cast(pl.Int64), "map")
        .agg(pl.col("tcc_troops").sum().alias("troops"))
    )
    return per_map.group_by("ccode", "mission", "year").agg(pl.col("troops").max())


def tcc_state_years(geo_tcc: pl.DataFrame) -> pl.DataFrame:
    """Operations and troops per contributing state-year (Geo-PKO).

    Example:
        >>> g = pl.DataFrame({"ccode": [475, 475, 475], "mission": ["UNMIL"] * 3,
        ...     "year": [2005] * 3, "map": ["m1", "m1", "m2"], "tcc_troops": [650, 100, 700]})
        >>> tcc_state_years(g).rows()
        [(475, 2005, 1, 750)]
    """
    return (
        _contributions(geo_tcc)
        .group_by("ccode", "year")
        .agg(
            pl.len().cast(pl.Int64).alias("pko_tcc_missions"),
            pl.col("troops").sum().cast(pl.Int64).alias("pko_tcc_troops"),
        )
        .sort(STATE_KEYS)
    )


def codeployment_dyad_years(geo_tcc: pl.DataFrame) -> pl.DataFrame:
    """Directed dyad-years of states with troops in the same operation (Geo-PKO).

    Example:
        >>> g = pl.DataFrame({"ccode": [475, 452], "mission": ["UNMIL"] * 2, "year": [2005] * 2,
        ...                   "map": ["m1", "m1"], "tcc_troops": [650, None]})
        >>> codeployment_dyad_years(g).rows()
        [(452, 475, 2005, 1, 1), (475, 452, 2005, 1, 1)]
    """
    c = _contributions(geo_tcc).select("ccode", "mission", "year")
    pairs = c.rename({"ccode": "ccode1"}).join(
        c.rename({"ccode": "ccode2"}), on=["mission", "year"], maintain_order="left"
    )
    return (
        pairs.filter(pl.col("ccode1") != pl.col("ccode2"))
        .group_by(DYAD_KEYS)
        .agg(pl.len().cast(pl.Int64).alias("pko_shared_missions"))
        .with_columns(pl.lit(1, pl.Int64).alias("pko_codeployed"))
        .select(*DYAD_KEYS, "pko_codeployed", "pko_shared_missions")
        .sort(DYAD_KEYS)
    )


def hosted_state_years(monthly: pl.DataFrame) -> pl.DataFrame:
    """Operations present and average monthly troops per host state-year (Bara's data).

    Example:
        >>> import datetime as dt
        >>> m = pl.DataFrame({"ccode": [90, 90, 90], "missionid": [1, 1, 1],
        ...     "conflictid": [7, 8, 7], "year": [1997] * 3,
        ...     "date": [dt.date(1997, 1, 1), dt.date(1997, 1, 1), dt.date(1997, 2, 1)],
        ...     "troops_iepo": [120.0, 120.0, 120.0]})
        >>> hosted_state_years(m).rows()
        [(90, 1997, 1, 20.0)]
    """
    months = monthly.unique(["missionid", "date"], keep="first", maintain_order=True)
    return (
        months.group_by(pl.col("ccode").cast(pl.Int64), pl.col("year").cast(pl.Int64))
        .agg(
            pl.col("missionid").n_unique().cast(pl.Int64).alias("pko_hosted_missions"),
            (pl.col("troops_iepo").sum() / 12).alias("pko_hosted_troops"),
        )
        .sort(STATE_KEYS)
    )


def add_pko_codeployment(
    frame: pl.DataFrame,
    geo_tcc: pl.DataFrame,
    missions_monthly: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Add peace-operation columns: co-deployment on dyad-years, contributions (and hosting, with
    ``missions_monthly``) on state-years.

    Example:
        >>> g = pl.DataFrame({"ccode": [475, 452], "mission": ["UNMIL"] * 2, "year": [2005] * 2,
        ...                   "map": ["m1", "m1"], "tcc_troops": [650, 450]})
        >>> f = pl.DataFrame({"ccode1": [475, 475, 475], "ccode2": [452, 2, 452],
        ...                   "year": [2005, 2005, 2019]})
        >>> add_pko_codeployment(f, g).select("pko_codeployed", "pko_shared_missions").rows()
        [(1, 1), (0, 0), (None, None)]
    """
    geo_years = covered_years(*GEO_PKO_COVERAGE)
    if unit_of(frame, "peace operations") == "dyad":
        return attach(frame, codeployment_dyad_years(geo_tcc), DYAD_KEYS,
                      ["pko_codeployed", "pko_shared_missions"], years=geo_years,
                      where="Geo-PKO")  # fmt: skip
    out = attach(frame, tcc_state_years(geo_tcc), STATE_KEYS,
                 ["pko_tcc_missions", "pko_tcc_troops"], years=geo_years, where="Geo-PKO")  # fmt: skip
    if missions_monthly is not None:
        out = attach(out, hosted_state_years(missions_monthly), STATE_KEYS,
                     ["pko_hosted_missions", "pko_hosted_troops"],
                     years=covered_years(*PKO_COVERAGE), where="UN/non-UN PKO")  # fmt: skip
    return out


def enrich_pko(frame: Frame) -> Frame:
    """Frame-level peace-operation enricher (``--with pko``): reads ``geo_pko_tcc``, and on
    state-years ``pko_missions_monthly`` when it is imported.

    Example (on the real data; tests/frames/test_enrichers.py runs every instrument enricher):
        >>> import foedus
        >>> sy = foedus.state_years("cow", years="2005-2010")  # doctest: +SKIP
        >>> "pko_tcc_troops" in enrich_pko(sy).columns  # doctest: +SKIP
        True
    """
    geo, used = frame.read("geo_pko_tcc", "peace-operation troop contributors (Geo-PKO)")
    uses = [used]
    monthly = None
    if frame.unit == "state-year" and frame.require_warehouse().has("pko_missions_monthly"):
        monthly, u = frame.read("pko_missions_monthly", "peace operations by host (Bara)")
        uses.append(u)
    return frame.with_data(add_pko_codeployment(frame.df, geo, monthly), *uses)


ENRICHERS = (
    Enricher("pko", BOTH, enrich_pko, "peace operations",
             tables=("geo_pko_tcc", "pko_missions_monthly"), aliases=("peacekeeping",)),
)  # fmt: skip
