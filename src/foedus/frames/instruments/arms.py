"""Arms transfers (SIPRI trade register) and military expenditure (SIPRI milex) enrichers.

**Arms transfers** on dyad-years: ``arms_tiv`` is the TIV (millions of SIPRI trend-indicator
values) delivered from ``ccode1`` (supplier) to ``ccode2`` (recipient) in the year, ``arms_deals``
the number of deals with a delivery in that year. A deal's ``tiv_delivered`` is spread over its
listed delivery years (evenly by default; see :mod:`foedus.measures.arms_trade`), and each
delivery year's parties are resolved **as of that year** (an East German order delivered in 1991
goes to unified Germany). With ``categories=True`` the same two measures are added per SIPRI weapon
category (``arms_tiv_aircraft``, ``arms_deals_ships``…). On state-years the enricher adds exports
and imports (``arms_tiv_exports``, ``arms_tiv_imports``, ``arms_deals_exports``,
``arms_deals_imports``). Coverage: the register's delivery years (1950–2024 for the 2025 export);
inside it a dyad-year without deliveries is 0, outside it every value is null.

**Military expenditure** on state-years (dyad-years: suffixes 1 and 2): ``sipri_milex``
(US$ m, constant 2022 prices), ``sipri_milex_gdp`` (share of GDP, a fraction: 0.02 = 2 %),
``sipri_milex_pc`` (US$ per person, current prices; SIPRI gives it from 1988). Null outside
1949–2023 and wherever SIPRI marks the value unavailable (``...``) or the state as not existing
(``xxx``). SIPRI's split series are mapped by year (USSR to 1991 and Russia from 1992 are both COW
365; of two rows for one state-year the one with data is used).
"""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING, Literal

import polars as pl

from foedus.errors import FoedusError, SourceFormatError
from foedus.frames.enrichers import BOTH, Enricher

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

__all__ = [
    "ALLOCATIONS",
    "ENRICHERS",
    "allocate_deliveries",
    "ARMS_COLUMNS",
    "MILEX_COLUMNS",
    "add_arms_transfers",
    "add_military_expenditure",
    "arms_coverage",
    "enrich_arms",
    "enrich_milex",
    "milex_state_years",
]

Allocation = Literal["even", "first", "last"]

#: The allocation rules of TIV to delivery years.
ALLOCATIONS: tuple[str, ...] = ("even", "first", "last")

_NEEDED = ("deal_id", "supplier", "recipient", "delivery_years", "tiv_delivered")


def _check_deals(deals: pl.DataFrame, where: str) -> None:
    missing = [c for c in _NEEDED if c not in deals.columns]
    if missing:
        raise SourceFormatError(
            f"the deals table lacks column(s) {', '.join(missing)}",
            where=where,
            fix="pass the canonical sipri_arms_deals table (foedus data import sipri-arms-transfers …)",
        )


def _check_allocation(allocation: str) -> None:
    if allocation not in ALLOCATIONS:
        raise FoedusError(
            f"unknown allocation '{allocation}'", fix="use one of: " + ", ".join(ALLOCATIONS)
        )


def _prime(deals: pl.DataFrame) -> None:
    """Feed the deals' stored resolutions to the name cache (skips building country_converter)."""
    from foedus.sources.instruments.countries import prime_cache

    for side in ("supplier", "recipient"):
        cols = [side, f"iso3_{side}", f"gwcode_{side}"]
        if all(c in deals.columns for c in cols):
            pairs = deals.select(cols).unique(side)
            prime_cache(*(pairs.get_column(c) for c in cols))


def allocate_deliveries(
    deals: pl.DataFrame, *, allocation: Allocation = "even", resolve: bool = True
) -> pl.DataFrame:
    """One row per deal and delivery year with the TIV allocated to that year.

    Columns: ``deal_id``, ``supplier``, ``recipient``, ``year``, ``tiv`` (millions of TIV),
    ``weapon_category`` (when present), and with ``resolve`` the codes of both parties **as of the
    delivery year**: ``ccode1``/``gwcode1``/``resolution1`` (supplier) and
    ``ccode2``/``gwcode2``/``resolution2`` (recipient).

    Example:
        >>> deals = pl.DataFrame({"deal_id": [1], "supplier": ["Soviet Union"],
        ...     "recipient": ["East Germany (GDR)"], "delivery_years": [[1989, 1990, 1991]],
        ...     "tiv_delivered": [30.0]})
        >>> allocate_deliveries(deals).select("year", "tiv", "ccode1", "ccode2").rows()
        [(1989, 10.0, 365, 265), (1990, 10.0, 365, 265), (1991, 10.0, 365, 255)]
    """
    _check_deals(deals, "allocate_deliveries")
    _check_allocation(allocation)
    keep = ["deal_id", "supplier", "recipient"] + (
        ["weapon_category"] if "weapon_category" in deals.columns else []
    )
    base = deals.select(
        *keep,
        pl.col("delivery_years").cast(pl.List(pl.Int64)),
        pl.col("tiv_delivered").cast(pl.Float64).fill_null(0.0),
    ).filter(pl.col("delivery_years").list.len() > 0)
    if allocation == "even":
        rows = base.with_columns(
            (pl.col("tiv_delivered") / pl.col("delivery_years").list.len()).alias("tiv")
        ).explode("delivery_years")
    else:
        pick = pl.col("delivery_years").list.min() if allocation == "first" else (
            pl.col("delivery_years").list.max())  # fmt: skip
        rows = base.with_columns(pick.alias("delivery_years"), pl.col("tiv_delivered").alias("tiv"))
    rows = rows.rename({"delivery_years": "year"}).select(*keep, "year", "tiv")
    if not resolve:
        return rows
    from foedus.sources.instruments.countries import resolve_names

    _prime(deals)
    out = rows
    for side, column in (("1", "supplier"), ("2", "recipient")):
        pairs = rows.select(pl.col(column).alias("name"), "year").unique()
        res = resolve_names(pairs.get_column("name"), pairs.get_column("year"),
                            source="sipri-arms-transfers")  # fmt: skip
        lookup = res.select(
            pl.col("name").alias(column),
            "year",
            pl.col("ccode").alias(f"ccode{side}"),
            pl.col("gwcode").alias(f"gwcode{side}"),
            pl.col("resolution").alias(f"resolution{side}"),
        ).unique([column, "year"])
        out = out.join(lookup, on=[column, "year"], how="left", maintain_order="left")
    return out



#: Columns added by :func:`add_arms_transfers` to dyad-years (without ``categories``).
ARMS_COLUMNS: tuple[str, ...] = ("arms_tiv", "arms_deals")

#: Columns added by :func:`add_military_expenditure` to state-years (dyad-years: suffix 1 and 2).
MILEX_COLUMNS: tuple[str, ...] = ("sipri_milex", "sipri_milex_gdp", "sipri_milex_pc")

_MILEX_SOURCE = {
    "sipri_milex": "milex_const2022_usd_m",
    "sipri_milex_gdp": "milex_share_gdp",
    "sipri_milex_pc": "milex_per_capita_current_usd",
}

Layout = tuple[Literal["state", "dyad"], Literal["cow", "gw"]]


def _layout(frame: pl.DataFrame, caller: str) -> Layout:
    cols = set(frame.columns)
    if "year" not in cols:
        raise FoedusError("the frame has no 'year' column", where=caller,
                          fix="pass a state-year or dyad-year frame")  # fmt: skip
    if {"ccode1", "ccode2"} <= cols:
        return "dyad", "cow"
    if {"gwcode1", "gwcode2"} <= cols:
        return "dyad", "gw"
    if "ccode" in cols:
        return "state", "cow"
    if "gwcode" in cols:
        return "state", "gw"
    raise FoedusError(
        "the frame has neither state codes (ccode/gwcode) nor dyad codes (ccode1/ccode2)",
        where=caller,
        fix="pass a state-year or dyad-year frame (foedus.state_years() / dyad_years())",
    )


def _refuse_overwrite(frame: pl.DataFrame, new: list[str], caller: str) -> None:
    clash = [c for c in new if c in frame.columns]
    if clash:
        raise FoedusError(
            f"the frame already has column(s) {', '.join(clash)}",
            where=caller,
            fix=f"drop them first or do not apply {caller} twice",
        )


def _slug(category: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", category.lower()).strip("_")


def arms_coverage(deals: pl.DataFrame) -> tuple[int, int]:
    """First and last delivery year of the register (the years where 0 means "no transfer").

    Example:
        >>> arms_coverage(pl.DataFrame({"delivery_years": [[1950, 1951], [], [2024]]}))
        (1950, 2024)
    """
    years = deals.select(pl.col("delivery_years").explode().drop_nulls())
    if years.height == 0:
        raise SourceFormatError(
            "the deals table has no delivery years",
            where="sipri_arms_deals",
            fix="import the SIPRI trade register (foedus data import sipri-arms-transfers …)",
        )
    return int(years.min().item()), int(years.max().item())


def _within(lo: int, hi: int, columns: list[str]) -> list[pl.Expr]:
    inside = pl.col("year").is_between(lo, hi)
    return [pl.when(inside).then(pl.col(c).fill_null(0)).otherwise(None).alias(c) for c in columns]


def _aggregate(rows: pl.DataFrame, keys: list[str], categories: bool, suffix: str = "") -> pl.DataFrame:
    measures = [
        pl.col("tiv").sum().alias(f"arms_tiv{suffix}"),
        pl.col("deal_id").n_unique().cast(pl.Int64).alias(f"arms_deals{suffix}"),
    ]
    if categories:
        from foedus.sources.instruments.sipri import WEAPON_CATEGORIES

        for category in WEAPON_CATEGORIES:
            hit = pl.col("weapon_category") == category
            slug = _slug(category)
            measures += [
                pl.col("tiv").filter(hit).sum().alias(f"arms_tiv_{slug}{suffix}"),
                pl.col("deal_id").filter(hit).n_unique().cast(pl.Int64)
                .alias(f"arms_deals_{slug}{suffix}"),
            ]  # fmt: skip
    return rows.group_by(keys).agg(measures)


def add_arms_transfers(
    frame: pl.DataFrame,
    deals: pl.DataFrame,
    *,
    allocation: Allocation = "even",
    categories: bool = False,
    directed: bool = True,
) -> pl.DataFrame:
    """Add SIPRI arms deliveries to a dyad-year (supplier ``…1`` → recipient ``…2``) or state-year frame.

    ``deals`` is the ``sipri_arms_deals`` table. On a non-directed dyad frame (``directed=False``)
    the values add both directions. Rows and their order are kept.

    Example:
        >>> deals = pl.DataFrame({"deal_id": [1], "supplier": ["United States"],
        ...     "recipient": ["Japan"], "delivery_years": [[1950, 1952]], "tiv_delivered": [10.0],
        ...     "weapon_category": ["aircraft"]})
        >>> dy = pl.DataFrame({"ccode1": [2, 2, 740, 2], "ccode2": [740, 740, 2, 740],
        ...                    "year": [1950, 1951, 1950, 1940]})
        >>> add_arms_transfers(dy, deals).rows()
        [(2, 740, 1950, 5.0, 1), (2, 740, 1951, 0.0, 0), (740, 2, 1950, 0.0, 0), (2, 740, 1940, None, None)]
    """
    kind, system = _layout(frame, "add_arms_transfers")
    code = "ccode" if system == "cow" else "gwcode"
    rows = allocate_deliveries(deals, allocation=allocation)  # checks the table's columns
    lo, hi = arms_coverage(deals)
    if categories and "weapon_category" not in rows.columns:
        raise SourceFormatError("the deals table has no weapon_category column",
                                where="sipri_arms_deals", fix="re-import the SIPRI register")  # fmt: skip
    rows = rows.with_columns(pl.col(f"{code}1").alias("_s"), pl.col(f"{code}2").alias("_r"))
    if kind == "dyad":
        k1, k2 = f"{code}1", f"{code}2"
        rows = rows.filter(pl.col("_s").is_not_null() & pl.col("_r").is_not_null())
        if directed:
            table = _aggregate(rows, ["_s", "_r", "year"], categories).rename({"_s": "_a", "_r": "_b"})
            left = frame.with_columns(pl.col(k1).cast(pl.Int64).alias("_a"),
                                      pl.col(k2).cast(pl.Int64).alias("_b"))  # fmt: skip
        else:
            rows = rows.with_columns(pl.min_horizontal("_s", "_r").alias("_a"),
                                     pl.max_horizontal("_s", "_r").alias("_b"))  # fmt: skip
            table = _aggregate(rows, ["_a", "_b", "year"], categories)
            left = frame.with_columns(
                pl.min_horizontal(pl.col(k1).cast(pl.Int64), pl.col(k2).cast(pl.Int64)).alias("_a"),
                pl.max_horizontal(pl.col(k1).cast(pl.Int64), pl.col(k2).cast(pl.Int64)).alias("_b"),
            )
        new = [c for c in table.columns if c not in ("_a", "_b", "year")]
        _refuse_overwrite(frame, new, "add_arms_transfers")
        table = table.with_columns(pl.col("year").cast(frame.schema["year"]))
        out = left.join(table, on=["_a", "_b", "year"], how="left", maintain_order="left")
        return out.drop("_a", "_b").with_columns(_within(lo, hi, new))
    exports = _aggregate(rows.filter(pl.col("_s").is_not_null()), ["_s", "year"], categories,
                         "_exports").rename({"_s": "_k"})  # fmt: skip
    imports = _aggregate(rows.filter(pl.col("_r").is_not_null()), ["_r", "year"], categories,
                         "_imports").rename({"_r": "_k"})  # fmt: skip
    new = [c for t in (exports, imports) for c in t.columns if c not in ("_k", "year")]
    _refuse_overwrite(frame, new, "add_arms_transfers")
    out = frame.with_columns(pl.col(code).cast(pl.Int64).alias("_k"))
    for table in (exports, imports):
        table = table.with_columns(pl.col("year").cast(frame.schema["year"]))
        out = out.join(table, on=["_k", "year"], how="left", maintain_order="left")
    return out.drop("_k").with_columns(_within(lo, hi, new))


def milex_state_years(milex: pl.DataFrame, *, system: Literal["cow", "gw"] = "cow") -> pl.DataFrame:
    """One row per state-year of SIPRI milex: ``ccode`` (or ``gwcode``), ``year`` and the measures.

    Only rows resolved to a state are used. Two rows for one state-year (SIPRI's split series:
    the USSR row of 1992 is "xxx", Russia's has the data) keep the one with data; two rows that
    both have constant-US$ data are an error.

    Example:
        >>> milex = pl.DataFrame({"country": ["USSR", "Russia"], "ccode": [365, 365],
        ...     "gwcode": [365, 365], "resolution": ["resolved", "resolved"], "year": [1992, 1992],
        ...     "milex_const2022_usd_m": [None, 54793.0], "milex_share_gdp": [None, 0.046],
        ...     "milex_per_capita_current_usd": [None, 290.0], "source_line": [10, 20]})
        >>> milex_state_years(milex).rows()
        [(365, 1992, 54793.0, 0.046, 290.0)]
    """
    code = "ccode" if system == "cow" else "gwcode"
    needed = [code, "year", "resolution", *_MILEX_SOURCE.values()]
    missing = [c for c in needed if c not in milex.columns]
    if missing:
        raise SourceFormatError(
            f"the milex table lacks column(s) {', '.join(missing)}",
            where="sipri_milex",
            fix="import SIPRI milex (foedus data import sipri-milex …)",
        )
    values = list(_MILEX_SOURCE.values())
    ranked = (
        milex.filter((pl.col("resolution") == "resolved") & pl.col(code).is_not_null())
        .with_columns(
            pl.col("milex_const2022_usd_m").is_not_null().alias("_has"),
            pl.sum_horizontal([pl.col(v).is_not_null().cast(pl.Int64) for v in values]).alias("_n"),
        )
        .sort([code, "year", "_has", "_n"], descending=[False, False, True, True])
    )
    clash = ranked.filter(pl.col("_has")).filter(pl.len().over(code, "year") > 1)
    if clash.height:
        r = clash.row(0, named=True)
        names = clash.filter((pl.col(code) == r[code]) & (pl.col("year") == r["year"]))
        raise SourceFormatError(
            f"two SIPRI series give {code} {r[code]} spending in {r['year']}: "
            + ", ".join(names.get_column("country").to_list()),
            where="sipri_milex",
            fix="correct the year ranges of these names in country_names.csv",
        )
    best = ranked.unique([code, "year"], keep="first", maintain_order=True)
    return best.select(
        pl.col(code).cast(pl.Int64),
        pl.col("year").cast(pl.Int64),
        *[pl.col(src).cast(pl.Float64).alias(dst) for dst, src in _MILEX_SOURCE.items()],
    )


def add_military_expenditure(frame: pl.DataFrame, milex: pl.DataFrame) -> pl.DataFrame:
    """Add SIPRI military expenditure to a state-year frame (or both sides of a dyad-year frame).

    ``milex`` is the ``sipri_milex`` table. Rows and their order are kept.

    Example:
        >>> milex = pl.DataFrame({"country": ["Japan"], "ccode": [740], "gwcode": [740],
        ...     "resolution": ["resolved"], "year": [2020], "milex_const2022_usd_m": [50000.0],
        ...     "milex_share_gdp": [0.01], "milex_per_capita_current_usd": [400.0]})
        >>> sy = pl.DataFrame({"ccode": [740, 740], "year": [2020, 1900]})
        >>> add_military_expenditure(sy, milex).rows()
        [(740, 2020, 50000.0, 0.01, 400.0), (740, 1900, None, None, None)]
    """
    kind, system = _layout(frame, "add_military_expenditure")
    code = "ccode" if system == "cow" else "gwcode"
    table = milex_state_years(milex, system=system).with_columns(
        pl.col("year").cast(frame.schema["year"])
    )
    if kind == "state":
        _refuse_overwrite(frame, list(MILEX_COLUMNS), "add_military_expenditure")
        right = table.rename({code: "_k"})
        out = frame.with_columns(pl.col(code).cast(pl.Int64).alias("_k"))
        return out.join(right, on=["_k", "year"], how="left", maintain_order="left").drop("_k")
    new = [f"{c}{side}" for side in ("1", "2") for c in MILEX_COLUMNS]
    _refuse_overwrite(frame, new, "add_military_expenditure")
    out = frame
    for side in ("1", "2"):
        right = table.rename({code: "_k", **{c: f"{c}{side}" for c in MILEX_COLUMNS}})
        out = out.with_columns(pl.col(f"{code}{side}").cast(pl.Int64).alias("_k"))
        out = out.join(right, on=["_k", "year"], how="left", maintain_order="left").drop("_k")
    return out


def enrich_arms(frame: Frame, *, allocation: Allocation = "even", categories: bool = False) -> Frame:
    """Frame-level arms enricher (the ``--with arms`` vocabulary): reads ``sipri_arms_deals``.

    Example:
        >>> import tempfile, pathlib
        >>> from foedus.frames.frame import Frame
        >>> from foedus.sources.instruments.sipri import ARMS_FILE
        >>> from foedus.warehouse import Warehouse
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / ARMS_FILE).write_text(
        ...     "recipient,supplier,order_year,order_year_uncertain,n_ordered,n_ordered_uncertain,"
        ...     "weapon_designation,weapon_description,n_delivered,n_delivered_uncertain,"
        ...     "delivery_years,status,comments,tiv_per_unit,tiv_total_order,tiv_delivered\\n"
        ...     "Japan,United States,2019,False,2,False,F-35A,FGA aircraft,2,False,2020; 2021,"
        ...     "New,,40,80,80\\n")
        >>> wh = Warehouse(d / "w.duckdb")
        >>> _ = wh.import_file(d / ARMS_FILE, "sipri-arms-transfers")
        >>> dy = Frame(pl.DataFrame({"ccode1": [2], "ccode2": [740], "year": [2020]}),
        ...            unit="dyad-year", system="cow", directed=True, warehouse=wh)
        >>> out = enrich_arms(dy)
        >>> out.df.row(0), out.sources()
        ((2, 740, 2020, 40.0, 1), ['sipri-arms-transfers'])
        >>> wh.close()
    """
    deals, used = frame.read("sipri_arms_deals", "arms transfers (TIV delivered)")
    df = add_arms_transfers(frame.df, deals, allocation=allocation, categories=categories,
                            directed=frame.directed is not False)  # fmt: skip
    return frame.with_data(df, used)


def enrich_milex(frame: Frame) -> Frame:
    """Frame-level military-expenditure enricher (``--with milex``): reads ``sipri_milex``.

    Example:
        >>> import tempfile, pathlib
        >>> from foedus.frames.frame import Frame
        >>> from foedus.sources.instruments.sipri import MILEX_FILE
        >>> from foedus.warehouse import Warehouse
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / MILEX_FILE).write_text(
        ...     "country,region,year,milex_const2022_usd_m,milex_share_gdp\\n"
        ...     "Japan,Asia & Oceania,2020,50000,0.01\\n")
        >>> wh = Warehouse(d / "w.duckdb")
        >>> _ = wh.import_file(d / MILEX_FILE, "sipri-milex")
        >>> sy = Frame(pl.DataFrame({"ccode": [740], "year": [2020]}), unit="state-year",
        ...            system="cow", warehouse=wh)
        >>> enrich_milex(sy).df.row(0)
        (740, 2020, 50000.0, 0.01, None)
        >>> wh.close()
    """
    milex, used = frame.read("sipri_milex", "military expenditure")
    return frame.with_data(add_military_expenditure(frame.df, milex), used)


ENRICHERS = (
    Enricher("arms", BOTH, enrich_arms, "SIPRI arms transfers (TIV, deals)",
             tables=("sipri_arms_deals",), aliases=("arms-transfers",)),
    Enricher("arms-categories", BOTH, partial(enrich_arms, categories=True),
             "SIPRI arms transfers with TIV per weapon category", tables=("sipri_arms_deals",)),
    Enricher("milex", BOTH, enrich_milex, "SIPRI military expenditure", tables=("sipri_milex",),
             aliases=("military-expenditure",)),
)  # fmt: skip
