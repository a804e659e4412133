"""Democracy and wealth on state-years and dyad-years (``--with democracy``, ``--with gdp``).

Both read isard's state-year tables, the ones peacesciencer's ``add_democracy()`` and
``add_sim_gdp_pop()`` read, in the frame's own state system (COW codes for a COW frame, G-W codes
for a G-W frame: no crosswalk is involved):

* democracy (``cow_democracy`` / ``gw_democracy``): ``euds`` and ``aeuds`` (Márquez's extended
  Unified Democracy Scores; ``aeuds`` is shifted so that 0 is the average cut-point of the
  dichotomous measures), ``polity2`` (Polity5, -10…10) and ``v2x_polyarchy`` (V-Dem electoral
  democracy, 0…1);
* wealth (``cow_gdppop`` / ``gw_gdppop``): Fariss et al. (2022) latent estimates ``mrgdppc``
  (GDP per capita, 2011 international dollars PPP, Maddison-anchored), ``pwtrgdp`` (real GDP,
  millions of 2017 international dollars PPP, PWT-anchored), ``pwtpop`` (population, millions),
  each with its standard deviation ``sd_*``.

State-years get the columns as named; dyad-years get them for the first state (suffix ``1``) and
then for the second (suffix ``2``), as the peer names them (``polity21``, ``polity22``,
``mrgdppc1``…). Dyad-years also get the *weak link* (Dixon 1994): the smaller of the two values,
``euds_min``, ``aeuds_min``, ``polity2_min``, ``v2x_polyarchy_min`` and ``mrgdppc_min`` — null when
either state's value is missing (as R's ``pmin()``), never the other state's value.

A state-year the source does not cover is null, never 0: the democracy table ends in 2025 (Polity5
in 2020), the GDP table in 2019, and the GDP table has no estimates for Serbia 1916–17, Morocco
1905–12, Egypt 1856–82, Saudi Arabia 1927–31 and Laos 1953 (``docs/democracy-gdp.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from foedus.errors import FoedusError
from foedus.sources.formats import DEMOCRACY_MEASURES, GDPPOP_MEASURES

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

__all__ = [
    "DEMOCRACY_MEASURES",
    "GDPPOP_MEASURES",
    "WEAK_LINK_DEMOCRACY",
    "WEAK_LINK_GDP",
    "add_democracy",
    "add_gdp",
    "enrich_democracy",
    "enrich_gdp",
]

#: Dyad-year weak-link columns added by :func:`add_democracy` (measure → column).
WEAK_LINK_DEMOCRACY: dict[str, str] = {m: f"{m}_min" for m in DEMOCRACY_MEASURES}
#: Dyad-year weak-link column added by :func:`add_gdp`.
WEAK_LINK_GDP: dict[str, str] = {"mrgdppc": "mrgdppc_min"}


def _sides(df: pl.DataFrame, caller: str) -> tuple[str, list[tuple[str, str]]]:
    """``(code, [(frame column, suffix), …])`` for a COW or G-W, state- or dyad-year frame."""
    cols = set(df.columns)
    if "year" not in cols:
        raise FoedusError(
            "the frame has no 'year' column",
            where=caller,
            fix="pass a state-year or dyad-year frame (foedus.state_years / foedus.dyad_years)",
        )
    for code in ("ccode", "gwcode"):
        if {f"{code}1", f"{code}2"} <= cols:
            return code, [(f"{code}1", "1"), (f"{code}2", "2")]
        if code in cols:
            return code, [(code, "")]
    raise FoedusError(
        "the frame has neither COW (ccode / ccode1, ccode2) nor G-W (gwcode / gwcode1, gwcode2) "
        "codes",
        where=caller,
        fix="pass a state-year or dyad-year frame (foedus.state_years / foedus.dyad_years)",
    )


def _attach(
    df: pl.DataFrame,
    table: pl.DataFrame,
    measures: tuple[str, ...],
    weak_link: dict[str, str],
    caller: str,
    code: str | None = None,
) -> pl.DataFrame:
    found, sides = _sides(df, caller)
    code = code or found
    if code != found:
        raise FoedusError(
            f"the frame is coded in {'COW' if found == 'ccode' else 'G-W'} codes but the table "
            f"in {'COW' if code == 'ccode' else 'G-W'} codes",
            where=caller,
            fix="use the table of the frame's state system (cow_* for COW, gw_* for G-W frames)",
        )
    missing = [c for c in (code, "year", *measures) if c not in table.columns]
    if missing:
        raise FoedusError(
            f"the source table lacks column(s) {', '.join(missing)}",
            where=caller,
            fix="import isard's tables with `foedus data import-all DIR`",
        )
    new = [f"{m}{s}" for _, s in sides for m in measures]
    if len(sides) == 2:
        new += [weak_link[m] for m in measures if m in weak_link]
    clash = [c for c in new if c in df.columns]
    if clash:
        raise FoedusError(
            f"the frame already has column(s) {', '.join(clash)}",
            where=caller,
            fix=f"drop them first (frame.drop({clash!r})) or do not apply {caller} twice",
        )
    right = table.select(
        pl.col(code).cast(pl.Int64), pl.col("year").cast(pl.Int64), *[pl.col(m) for m in measures]
    )
    out = df
    for column, suffix in sides:
        side = right.rename({code: "__code", "year": "__year"}).rename(
            {m: f"{m}{suffix}" for m in measures}
        )
        out = (
            out.with_columns(
                pl.col(column).cast(pl.Int64).alias("__code"),
                pl.col("year").cast(pl.Int64).alias("__year"),
            )
            .join(side, on=["__code", "__year"], how="left", maintain_order="left")
            .drop("__code", "__year")
        )
    if len(sides) == 2:
        out = out.with_columns(
            pl.when(pl.col(f"{m}1").is_not_null() & pl.col(f"{m}2").is_not_null())
            .then(pl.min_horizontal(f"{m}1", f"{m}2"))
            .otherwise(None)
            .alias(weak_link[m])
            for m in measures
            if m in weak_link
        )
    return out


def add_democracy(df: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """Add democracy estimates (``euds, aeuds, polity2, v2x_polyarchy``) to a state- or dyad-year
    frame, in peacesciencer's ``add_democracy()`` meaning; dyads also get the weak link
    (``euds_min, aeuds_min, polity2_min, v2x_polyarchy_min``).

    ``table`` is the warehouse table of the frame's system (``cow_democracy`` keyed by ``ccode``,
    ``gw_democracy`` by ``gwcode``). Rows and their order are kept; a state-year the table does not
    have is null.

    Example:
        >>> dem = pl.DataFrame({"ccode": [2, 365], "year": [1980, 1980], "euds": [1.4, -1.0],
        ...     "aeuds": [1.1, -1.3], "polity2": [10.0, -7.0], "v2x_polyarchy": [0.84, 0.05]})
        >>> ddy = pl.DataFrame({"ccode1": [2, 2], "ccode2": [365, 20], "year": [1980, 1980]})
        >>> out = add_democracy(ddy, dem)
        >>> out.select("polity21", "polity22", "polity2_min").rows()
        [(10.0, -7.0, -7.0), (10.0, None, None)]
    """
    return _attach(df, table, DEMOCRACY_MEASURES, WEAK_LINK_DEMOCRACY, "add_democracy")


def add_gdp(df: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """Add Fariss et al. (2022) GDP per capita, GDP and population with their standard deviations
    (``mrgdppc, sd_mrgdppc, pwtrgdp, sd_pwtrgdp, pwtpop, sd_pwtpop``) to a state- or dyad-year
    frame, as peacesciencer's ``add_sim_gdp_pop()``; dyads also get the weak-link GDP per capita
    ``mrgdppc_min``.

    Example:
        >>> gdp = pl.DataFrame({"ccode": [2], "year": [2000], "mrgdppc": [50091.4],
        ...     "sd_mrgdppc": [7614.7], "pwtrgdp": [1.6e7], "sd_pwtrgdp": [6.9e6],
        ...     "pwtpop": [288.0], "sd_pwtpop": [19.3]})
        >>> sy = pl.DataFrame({"ccode": [2, 2], "year": [2000, 2020]})
        >>> add_gdp(sy, gdp)["mrgdppc"].to_list()
        [50091.4, None]
    """
    return _attach(df, table, GDPPOP_MEASURES, WEAK_LINK_GDP, "add_gdp")


def _table_for(frame: Frame, kind: str, purpose: str) -> tuple[pl.DataFrame, object]:
    table = f"{'cow' if frame.system == 'cow' else 'gw'}_{kind}"
    wh = frame._wh()
    if not wh.has(table):
        raise FoedusError(
            f"the warehouse has no '{table}' table",
            where=frame.system.upper() + " frame",
            fix=f"import isard's {'cw' if frame.system == 'cow' else 'gw'}_{kind}.parquet "
            "(`foedus data import-all DIR`, or `foedus data import "
            f"{'democracy' if kind == 'democracy' else 'gdp'} PATH`)",
        )
    return frame._table(table, purpose)


def enrich_democracy(frame: Frame) -> Frame:
    """Frame-level democracy enricher (``--with democracy``): reads ``cow_democracy`` for a COW
    frame, ``gw_democracy`` for a G-W frame.

    Example:
        >>> import foedus  # doctest: +SKIP
        >>> sy = foedus.state_years("cow", years="2000").enrich(["democracy"])  # doctest: +SKIP
        >>> sy.df.filter(pl.col("ccode") == 2)["polity2"].item()  # doctest: +SKIP
        10.0
    """
    table, used = _table_for(frame, "democracy", "democracy (extended UDS, Polity5, V-Dem)")
    return frame._with(add_democracy(frame.df, table), used)  # type: ignore[arg-type]


def enrich_gdp(frame: Frame) -> Frame:
    """Frame-level wealth enricher (``--with gdp``): reads ``cow_gdppop`` for a COW frame,
    ``gw_gdppop`` for a G-W frame.

    Example:
        >>> import foedus  # doctest: +SKIP
        >>> sy = foedus.state_years("cow", years="2000").enrich(["gdp"])  # doctest: +SKIP
        >>> round(sy.df.filter(pl.col("ccode") == 2)["mrgdppc"].item())  # doctest: +SKIP
        50091
    """
    table, used = _table_for(frame, "gdppop", "GDP, population, GDP per capita (Fariss et al.)")
    return frame._with(add_gdp(frame.df, table), used)  # type: ignore[arg-type]
