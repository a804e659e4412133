"""Geography enrichers for dyad-years: contiguity, capital distance, politically relevant dyads.

Each function reproduces the meaning of the same-named function of the R package peacesciencer
(1.2.9) value for value; the rules, and where they are surprising, are in
``docs/geography-conflict-bridge.md``. Every enricher keeps the frame's rows and their order and
only appends columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

import polars as pl

from foedus.errors import FoedusError
from foedus.frames._lookup import dyad_year_rows, gather
from foedus.frames.enrichers import DYADS, Enricher

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

#: Years covered by the COW Direct Contiguity data (v3.2) as bundled with peacesciencer.
CONTIGUITY_COVERAGE: tuple[int, int] = (1816, 2016)

#: Earth radius (metres) of ``geosphere::distVincentySphere``, which peacesciencer uses.
EARTH_RADIUS_M: float = 6_378_137.0


# --------------------------------------------------------------------------------------- checks


def _require(df: pl.DataFrame, columns: Iterable[str], *, where: str, fix: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise FoedusError(f"missing column(s) {', '.join(missing)}", where=where, fix=fix)


def _refuse_existing(df: pl.DataFrame, columns: Iterable[str], *, where: str) -> None:
    present = [c for c in columns if c in df.columns]
    if present:
        raise FoedusError(
            f"the frame already has column(s) {', '.join(present)}",
            where=where,
            fix="drop or rename them before enriching again",
        )


def _as_int(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.Int64, strict=True)


def _month_index(date_column: str) -> pl.Expr:
    """Months since year 0 (year * 12 + month - 1): calendar months as consecutive integers."""
    date = pl.col(date_column)
    return date.dt.year().cast(pl.Int64) * 12 + date.dt.month().cast(pl.Int64) - 1


# ------------------------------------------------------------------------------------ contiguity


def contiguity_years(
    contdir: pl.DataFrame,
    *,
    slice: Literal["first", "last"] = "first",
    prefer_contiguous: bool = False,
) -> pl.DataFrame:
    """One contiguity type per directed dyad-year from COW contiguity spells.

    ``contdir`` holds spells (``ccode1``, ``ccode2``, ``conttype``, ``stdate``, ``enddate``), the
    shape of peacesciencer's ``cow_contdir``. A spell covers every calendar month from the month of
    ``stdate`` to the month of ``enddate``. When several spells cover a dyad in one year (the
    relationship changed mid-year), ``slice="first"`` keeps the spell observed in the earliest
    month of that year and ``slice="last"`` the one observed in the latest month; spells that cover
    the same deciding month are ordered as they appear in ``contdir`` (first wins for ``"first"``,
    last wins for ``"last"``). This is peacesciencer's rule, *not* "the most direct type wins".

    The peer's ``cow_contdir`` adds "no contiguity" (``conttype`` 0) spells that can overlap real
    contiguity spells and are listed before them, so the peer reports 0 for e.g. Italy–Yugoslavia
    1920–2006. ``prefer_contiguous=True`` (not the peer) lets a recorded contiguity beat a 0 spell
    covering the same deciding month.

    Example:
        >>> import datetime as dt
        >>> spells = pl.DataFrame({
        ...     "ccode1": [2, 2], "ccode2": [20, 20], "conttype": [4.0, 1.0],
        ...     "stdate": [dt.date(1900, 1, 1), dt.date(1900, 7, 1)],
        ...     "enddate": [dt.date(1900, 6, 1), dt.date(1901, 12, 1)]})
        >>> contiguity_years(spells).sort("year")["conttype"].to_list()
        [4.0, 1.0]
    """
    where = "contiguity data"
    _require(
        contdir,
        ["ccode1", "ccode2", "conttype", "stdate", "enddate"],
        where=where,
        fix="pass peacesciencer's cow_contdir table (or one with the same columns)",
    )
    if slice not in ("first", "last"):
        raise FoedusError(f"slice must be 'first' or 'last', not {slice!r}", where="add_contiguity")
    spells = contdir.select(
        _as_int(pl.col("ccode1")).alias("ccode1"),
        _as_int(pl.col("ccode2")).alias("ccode2"),
        pl.col("conttype").cast(pl.Float64),
        _month_index("stdate").alias("m0"),
        _month_index("enddate").alias("m1"),
        pl.int_range(pl.len(), dtype=pl.Int64).alias("row"),
    ).filter(pl.col("m0") <= pl.col("m1"))
    years = spells.with_columns(
        pl.int_ranges(pl.col("m0") // 12, pl.col("m1") // 12 + 1, dtype=pl.Int64).alias("year")
    ).explode("year")
    if slice == "first":
        # earliest month of this spell inside the year; earliest month wins, then earliest row
        years = years.with_columns(pl.max_horizontal("m0", pl.col("year") * 12).alias("key"))
        rank = pl.col("conttype") == 0  # with prefer_contiguous: contiguity sorts before 0
    else:
        years = years.with_columns(pl.min_horizontal("m1", pl.col("year") * 12 + 11).alias("key"))
        rank = pl.col("conttype") != 0  # ... and after 0, as the last one is taken
    order = [pl.col("key"), rank, pl.col("row")] if prefer_contiguous else [pl.col("key"), "row"]
    ordered = pl.col("conttype").sort_by(order)
    pick = ordered.first() if slice == "first" else ordered.last()
    return years.group_by("ccode1", "ccode2", "year").agg(pick)


def add_contiguity(
    frame: pl.DataFrame,
    contdir: pl.DataFrame,
    *,
    coverage: tuple[int, int] | None = CONTIGUITY_COVERAGE,
    slice: Literal["first", "last"] = "first",
    prefer_contiguous: bool = False,
) -> pl.DataFrame:
    """Add ``conttype`` (Float64) to COW dyad-years, as peacesciencer's ``add_contiguity()``.

    ``frame`` needs ``ccode1``, ``ccode2`` and ``year``; it may be directed or non-directed (the
    contiguity spells are directed, both orders present). ``conttype`` is 1 land contiguity, 2–5
    separated by ≤12, ≤24, ≤150, ≤400 miles of water, 0 no contiguity record in a year inside
    ``coverage`` (inclusive), and null for years outside it (``coverage=None``: take it from the
    first and last year of ``contdir``). A year in which the relationship changed takes the type
    observed first in that year (``slice="first"``, the peer's default; see
    :func:`contiguity_years`, also for ``prefer_contiguous``, off by default as in the peer).

    Example:
        >>> import datetime as dt
        >>> contdir = pl.DataFrame({
        ...     "ccode1": [2, 20], "ccode2": [20, 2], "conttype": [1.0, 1.0],
        ...     "stdate": [dt.date(1920, 1, 1)] * 2, "enddate": [dt.date(2016, 12, 1)] * 2})
        >>> dyads = pl.DataFrame({"ccode1": [2, 2, 2], "ccode2": [20, 20, 200],
        ...                       "year": [1920, 2020, 1950]})
        >>> add_contiguity(dyads, contdir)["conttype"].to_list()
        [1.0, None, 0.0]
    """
    where = "add_contiguity"
    _require(
        frame,
        ["ccode1", "ccode2", "year"],
        where=where,
        fix="contiguity needs COW dyad-years (ccode1, ccode2, year); G-W dyads: add ccodes first",
    )
    _refuse_existing(frame, ["conttype"], where=where)
    table = contiguity_years(contdir, slice=slice, prefer_contiguous=prefer_contiguous)
    if coverage is None:
        coverage = (int(table["year"].min()), int(table["year"].max()))  # type: ignore[arg-type]
    lo, hi = coverage
    keys = ["ccode1", "ccode2", "year"]
    table = table.with_columns(pl.col(k).cast(frame.schema[k]) for k in keys)
    rows, repeated = dyad_year_rows(frame, table)
    if repeated:  # (one type per dyad-year is what contiguity_years gives; a join keeps all)
        out = frame.join(table, on=keys, how="left", maintain_order="left")
    else:
        out = frame.hstack(gather(table, rows, ["conttype"]))
    return out.with_columns(
        pl.when(pl.col("conttype").is_null() & pl.col("year").is_between(lo, hi))
        .then(pl.lit(0.0))
        .otherwise(pl.col("conttype"))
        .alias("conttype")
    )


# ------------------------------------------------------------------------------ capital distance


def capital_years(
    capitals: pl.DataFrame, *, transsum: Literal["first", "last"] = "first"
) -> pl.DataFrame:
    """One capital (``lat``, ``lng``) per state-year from capital spells.

    ``capitals`` is peacesciencer's ``cow_capitals`` (key ``ccode``) or ``gw_capitals`` (key
    ``gwcode``): one row per capital spell with ``stdate``/``enddate`` (days, inclusive). A year
    where the capital moved keeps the capital in place on the year's first day covered by the data
    (``transsum="first"``, "Jan. 1 capital", the peer's default) or on its last day (``"last"``,
    "Dec. 31"); spells covering the same deciding day are ordered as in ``capitals``.

    Example:
        >>> import datetime as dt
        >>> caps = pl.DataFrame({
        ...     "ccode": [140, 140], "stdate": [dt.date(1822, 1, 1), dt.date(1960, 4, 21)],
        ...     "enddate": [dt.date(1960, 4, 20), dt.date(2024, 12, 31)],
        ...     "lat": [-22.9, -10.3], "lng": [-43.2, -53.2]})
        >>> capital_years(caps).filter(pl.col("year") == 1960)["lat"].to_list()
        [-22.9]
    """
    code = _capital_code(capitals)
    _require(
        capitals,
        [code, "stdate", "enddate", "lat", "lng"],
        where="capitals data",
        fix="pass peacesciencer's cow_capitals or gw_capitals table",
    )
    if transsum not in ("first", "last"):
        raise FoedusError(
            f"transsum must be 'first' or 'last', not {transsum!r}", where="add_capital_distance"
        )
    spells = capitals.select(
        _as_int(pl.col(code)).alias(code),
        pl.col("stdate"),
        pl.col("enddate"),
        pl.col("lat").cast(pl.Float64),
        pl.col("lng").cast(pl.Float64),
        pl.int_range(pl.len(), dtype=pl.Int64).alias("row"),
    ).filter(pl.col("stdate") <= pl.col("enddate"))
    years = spells.with_columns(
        pl.int_ranges(
            pl.col("stdate").dt.year(), pl.col("enddate").dt.year() + 1, dtype=pl.Int64
        ).alias("year")
    ).explode("year")
    if transsum == "first":
        jan1 = pl.date(pl.col("year"), 1, 1)
        years = years.with_columns(pl.max_horizontal("stdate", jan1).alias("key"))
        take = "first"
    else:
        dec31 = pl.date(pl.col("year"), 12, 31)
        years = years.with_columns(pl.min_horizontal("enddate", dec31).alias("key"))
        take = "last"
    order = [pl.col("key"), pl.col("row")]
    aggs = [getattr(pl.col(c).sort_by(order), take)() for c in ("lat", "lng")]
    return years.group_by(code, "year").agg(aggs)


def _capital_code(capitals: pl.DataFrame) -> str:
    for code in ("ccode", "gwcode"):
        if code in capitals.columns:
            return code
    raise FoedusError(
        "capitals data have neither a 'ccode' nor a 'gwcode' column",
        where="capitals data",
        fix="pass peacesciencer's cow_capitals (COW) or gw_capitals (G-W) table",
    )


def vincenty_sphere_km(lat1: pl.Expr, lng1: pl.Expr, lat2: pl.Expr, lng2: pl.Expr) -> pl.Expr:
    """Great-circle distance in km by the Vincenty formula on a sphere of radius 6,378,137 m.

    This is ``geosphere::distVincentySphere()`` (default radius) divided by 1000, as peacesciencer
    computes ``capdist``. Any null coordinate gives a null distance.

    Example:
        >>> df = pl.DataFrame({"a": [0.0], "b": [0.0], "c": [0.0], "d": [90.0]})
        >>> round(df.select(vincenty_sphere_km(pl.col("a"), pl.col("b"), pl.col("c"),
        ...                                    pl.col("d"))).item(), 3)
        10018.754
    """
    phi1, phi2 = lat1.radians(), lat2.radians()
    dlon = (lng1 - lng2).radians()
    num = (
        (phi2.cos() * dlon.sin()) ** 2
        + (phi1.cos() * phi2.sin() - phi1.sin() * phi2.cos() * dlon.cos()) ** 2
    ).sqrt()
    den = phi1.sin() * phi2.sin() + phi1.cos() * phi2.cos() * dlon.cos()
    return pl.arctan2(num, den) * (EARTH_RADIUS_M / 1000.0)


def add_capital_distance(
    frame: pl.DataFrame,
    capitals: pl.DataFrame,
    *,
    transsum: Literal["first", "last"] = "first",
) -> pl.DataFrame:
    """Add ``capdist`` (km, Float64): capital-to-capital distance for each dyad-year.

    With ``cow_capitals`` the frame needs ``ccode1``, ``ccode2``, ``year``; with ``gw_capitals``
    ``gwcode1``, ``gwcode2``, ``year``. The capital of each state-year comes from
    :func:`capital_years` (capital in place at the start of the year unless ``transsum="last"``);
    the distance is :func:`vincenty_sphere_km`. A state with no capital that year gives null.
    Only dyad-years are supported: peacesciencer's state-year variant (each state's distance to
    its nearest capital) is not provided.

    Example:
        >>> import datetime as dt
        >>> caps = pl.DataFrame({
        ...     "ccode": [2, 200], "stdate": [dt.date(1816, 1, 1)] * 2,
        ...     "enddate": [dt.date(2024, 12, 31)] * 2,
        ...     "lat": [38.895037, 51.507322], "lng": [-77.036543, -0.127647]})
        >>> dyads = pl.DataFrame({"ccode1": [2], "ccode2": [200], "year": [2000]})
        >>> round(add_capital_distance(dyads, caps)["capdist"].item())
        5905
    """
    where = "add_capital_distance"
    code = _capital_code(capitals)
    k1, k2 = f"{code}1", f"{code}2"
    if k1 not in frame.columns and code in frame.columns:
        raise FoedusError(
            "capital distance is computed for dyad-years only; this looks like a state-year frame",
            where=where,
            fix=f"pass a dyad-year frame with {k1}, {k2} and year",
        )
    _require(
        frame,
        [k1, k2, "year"],
        where=where,
        fix=f"{code} capitals need a dyad-year frame with {k1}, {k2} and year "
        "(use cow_capitals for ccode dyads, gw_capitals for gwcode dyads)",
    )
    _refuse_existing(frame, ["capdist"], where=where)
    table = capital_years(capitals, transsum=transsum)
    tmp = "__foedus_cap"
    out = frame
    for side, key in (("1", k1), ("2", k2)):
        side_table = table.select(
            pl.col(code).cast(frame.schema[key]).alias(key),
            pl.col("year").cast(frame.schema["year"]),
            pl.col("lat").alias(f"{tmp}_lat{side}"),
            pl.col("lng").alias(f"{tmp}_lng{side}"),
        )
        out = out.join(side_table, on=[key, "year"], how="left", maintain_order="left")
    dist = vincenty_sphere_km(
        pl.col(f"{tmp}_lat1"), pl.col(f"{tmp}_lng1"), pl.col(f"{tmp}_lat2"), pl.col(f"{tmp}_lng2")
    )
    return out.with_columns(dist.alias("capdist")).drop(
        [f"{tmp}_{v}{s}" for v in ("lat", "lng") for s in ("1", "2")]
    )


# ------------------------------------------------------------------- politically relevant dyads


_PRD_FIX = (
    "add contiguity and major-power status first: add_contiguity(frame, contdir) for conttype and "
    "the COW major-power enricher (add_cow_majors) for cowmaj1/cowmaj2"
)


def prd_expr() -> pl.Expr:
    """The 0/1 politically-relevant-dyad rule as a Polars expression (needs conttype, cowmaj1/2).

    1 if the dyad is contiguous in any way (``conttype`` 1–5, i.e. ``conttype >= 1``); 1 if it is
    not contiguous (``conttype == 0``) but either state is a COW major power; 0 otherwise —
    including a null ``conttype`` (years outside the contiguity data), as in peacesciencer.

    Example:
        >>> df = pl.DataFrame({"conttype": [5.0, 0.0, 0.0, None], "cowmaj1": [0, 1, 0, 1],
        ...                    "cowmaj2": [0, 0, 0, 0]})
        >>> df.select(prd_expr())["prd"].to_list()
        [1.0, 1.0, 0.0, 0.0]
    """
    contiguous = pl.col("conttype") >= 1
    major = (pl.col("cowmaj1") == 1) | (pl.col("cowmaj2") == 1)
    noncontig_major = (pl.col("conttype") == 0) & major
    return (
        pl.when(contiguous.fill_null(False) | noncontig_major.fill_null(False))
        .then(pl.lit(1.0))
        .otherwise(pl.lit(0.0))
        .alias("prd")
    )


def add_prd(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``prd`` (Float64 0/1): is the dyad-year politically relevant (see :func:`prd_expr`)?

    Requires ``conttype``, ``cowmaj1`` and ``cowmaj2``; raises :class:`FoedusError` naming the
    enrichers to run first when they are missing.

    Example:
        >>> dyads = pl.DataFrame({"ccode1": [2, 41], "ccode2": [41, 42], "year": [1990, 1990],
        ...                       "conttype": [0.0, 0.0], "cowmaj1": [1, 0], "cowmaj2": [0, 0]})
        >>> add_prd(dyads)["prd"].to_list()
        [1.0, 0.0]
    """
    _require(frame, ["conttype", "cowmaj1", "cowmaj2"], where="add_prd", fix=_PRD_FIX)
    _refuse_existing(frame, ["prd"], where="add_prd")
    return frame.with_columns(prd_expr())


def filter_prd(frame: pl.DataFrame) -> pl.DataFrame:
    """Keep only politically relevant dyad-years, as peacesciencer's ``filter_prd()``.

    Like the peer, the result keeps the ``prd`` column (all 1.0). Requires ``conttype``,
    ``cowmaj1`` and ``cowmaj2`` (the peer silently runs the enrichers; foedus asks for them).

    Example:
        >>> dyads = pl.DataFrame({"ccode1": [2, 41], "ccode2": [41, 42], "year": [1990, 1990],
        ...                       "conttype": [0.0, 0.0], "cowmaj1": [1, 0], "cowmaj2": [0, 0]})
        >>> filter_prd(dyads).select("ccode1", "ccode2").rows()
        [(2, 41)]
    """
    _require(frame, ["conttype", "cowmaj1", "cowmaj2"], where="filter_prd", fix=_PRD_FIX)
    _refuse_existing(frame, ["prd"], where="filter_prd")
    return frame.with_columns(prd_expr()).filter(pl.col("prd") == 1.0)


# ---------------------------------------------------------------------------------------------
# frame-level enrichers (``--with contiguity``, ``capital-distance``, ``prd``)
# ---------------------------------------------------------------------------------------------
def enrich_contiguity(frame: Frame) -> Frame:
    """COW direct contiguity on a COW dyad-year frame (reads ``cow_contdir``)."""
    frame.require_dyads("add_contiguity")
    frame.require_cow("COW direct contiguity")
    contdir, used = frame.read("cow_contdir", "direct contiguity")
    return frame.with_data(add_contiguity(frame.df, contdir), used)


def enrich_capital_distance(frame: Frame) -> Frame:
    """Capital distance on a dyad-year frame (reads ``cow_capitals`` or ``gw_capitals``)."""
    frame.require_dyads("add_capital_distance")
    table = "cow_capitals" if frame.system == "cow" else "gw_capitals"
    capitals, used = frame.read(table, "capital locations")
    return frame.with_data(add_capital_distance(frame.df, capitals), used)


def enrich_prd(frame: Frame) -> Frame:
    """Keep politically relevant dyads (needs contiguity and major-power columns)."""
    frame.require_dyads("filter_prd")
    return frame.with_data(filter_prd(frame.df))


def enrich_prd_indicator(frame: Frame) -> Frame:
    """Add the 0/1 politically-relevant-dyad indicator ``prd``."""
    frame.require_dyads("add_prd")
    return frame.with_data(add_prd(frame.df))


ENRICHERS = (
    Enricher("contiguity", DYADS, enrich_contiguity, "COW direct contiguity",
             tables=("cow_contdir",), aliases=("contig",), keys_only=True, reusable=True),
    Enricher("capital-distance", DYADS, enrich_capital_distance, "capital distance (km)",
             tables=("cow_capitals", "gw_capitals"), aliases=("capdist",), reusable=True),
    Enricher("prd", DYADS, enrich_prd, "keep politically relevant dyads only", phase=1,
             aliases=("politically-relevant",)),
)  # fmt: skip
