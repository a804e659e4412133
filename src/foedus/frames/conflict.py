"""UCDP/PRIO Armed Conflict Data for state-years, as peacesciencer's ``add_ucdp_acd()``.

The canonical conflict table is the shape of peacesciencer's ``ucdp_acd`` (v25.1) with keys as
Int64: one row per conflict-year *and per combination of the G-W codes* listed on each side (the
official release lists several states in one cell, comma-separated; the peer splits them into
rows). :func:`ucdp_acd_from_official_csv` builds that table from the official UCDP CSV. The rules
and the evidence are in ``docs/geography-conflict-bridge.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import polars as pl

from foedus.errors import FoedusError, SourceFormatError

#: Conflict types of the canonical table (UCDP codes 1–4; "II" = internationalized intrastate).
CONFLICT_TYPES: dict[str, str] = {
    "1": "extrasystemic",
    "2": "interstate",
    "3": "intrastate",
    "4": "II",
}
#: Incompatibilities of the canonical table (UCDP codes 1–3).
ISSUES: dict[str, str] = {"1": "territory", "2": "government", "3": "both"}
#: Columns of the canonical table, in order, with their dtypes.
ACD_SCHEMA: dict[str, pl.DataType] = {
    "conflict_id": pl.Int64(),
    "year": pl.Int64(),
    "gwno_a": pl.Int64(),
    "gwno_a_2nd": pl.Int64(),
    "gwno_b": pl.Int64(),
    "gwno_b_2nd": pl.Int64(),
    "incompatibility": pl.String(),
    "intensity_level": pl.Float64(),
    "type_of_conflict": pl.String(),
    "start_date": pl.Date(),
    "start_prec": pl.Float64(),
    "start_date2": pl.Date(),
    "start_prec2": pl.Float64(),
    "ep_end": pl.Float64(),
    "ep_end_date": pl.Date(),
}
GWNO_COLUMNS: tuple[str, ...] = ("gwno_a", "gwno_a_2nd", "gwno_b", "gwno_b_2nd")
UCDP_COLUMNS: tuple[str, ...] = ("ucdpongoing", "ucdponset", "maxintensity", "conflict_ids")


def _require(df: pl.DataFrame, columns: Iterable[str], *, where: str, fix: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise FoedusError(f"missing column(s) {', '.join(missing)}", where=where, fix=fix)


def _as_list(
    value: str | Sequence[str] | None, allowed: Iterable[str], what: str
) -> list[str] | None:
    if value is None:
        return None
    values = [value] if isinstance(value, str) else list(value)
    allowed = list(allowed)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise FoedusError(
            f"unknown {what} {', '.join(map(repr, bad))}",
            where="add_ucdp_acd",
            fix=f"use any of {', '.join(map(repr, allowed))}",
        )
    return values


def ucdp_state_years(
    acd: pl.DataFrame,
    *,
    types: str | Sequence[str] | None = None,
    issues: str | Sequence[str] | None = None,
    only_wars: bool = False,
) -> pl.DataFrame:
    """Summarise the conflict table to one row per primary side-A state (``gwno_a``) and year.

    Filters first (``types``: any of "extrasystemic", "interstate", "intrastate", "II";
    ``issues``: any of "territory", "government", "both" — "both" is UCDP's own category, not
    "territory or government"; ``only_wars``: intensity level 2 only), then per (conflict,
    ``gwno_a``) the first year it appears is an onset. Result: ``gwcode``, ``year``,
    ``ucdpongoing`` (1.0), ``ucdponset`` (1.0 if any onset), ``maxintensity`` (highest intensity
    level) and ``conflict_ids`` (the conflict ids in ascending order joined by ``"; "``).

    Example:
        >>> acd = pl.DataFrame({"conflict_id": [1, 1, 2], "year": [1990, 1991, 1991],
        ...     "gwno_a": [2, 2, 2], "intensity_level": [1.0, 2.0, 1.0],
        ...     "type_of_conflict": ["intrastate"] * 3, "incompatibility": ["government"] * 3})
        >>> ucdp_state_years(acd).sort("year").select("year", "ucdponset", "conflict_ids").rows()
        [(1990, 1.0, '1'), (1991, 1.0, '1; 2')]
    """
    _require(
        acd,
        ["conflict_id", "year", "gwno_a", "intensity_level", "type_of_conflict", "incompatibility"],
        where="UCDP conflict data",
        fix="pass peacesciencer's ucdp_acd table or ucdp_acd_from_official_csv(...)",
    )
    type_list = _as_list(types, CONFLICT_TYPES.values(), "conflict type(s)")
    issue_list = _as_list(issues, ISSUES.values(), "issue(s)")
    rows = acd.select(
        pl.col("conflict_id").cast(pl.Int64),
        pl.col("year").cast(pl.Int64),
        pl.col("gwno_a").cast(pl.Int64),
        pl.col("intensity_level").cast(pl.Float64),
        "type_of_conflict",
        "incompatibility",
    )
    if issue_list is not None:
        rows = rows.filter(pl.col("incompatibility").is_in(issue_list))
    if type_list is not None:
        rows = rows.filter(pl.col("type_of_conflict").is_in(type_list))
    if only_wars:
        rows = rows.filter(pl.col("intensity_level") == 2)
    per_conflict = (
        rows.group_by("conflict_id", "gwno_a", "year", maintain_order=True)
        .first()  # one row per conflict, side-A state and year (the split rows repeat it)
        .with_columns(
            (pl.col("year") == pl.col("year").min().over("conflict_id", "gwno_a"))
            .cast(pl.Float64)
            .alias("ucdponset")
        )
        .sort("conflict_id", "gwno_a", "year")
    )
    return (
        per_conflict.group_by("gwno_a", "year", maintain_order=True)
        .agg(
            pl.lit(1.0).alias("ucdpongoing"),
            pl.col("ucdponset").max(),
            pl.col("intensity_level").max().alias("maxintensity"),
            pl.col("conflict_id").cast(pl.String).str.join("; ").alias("conflict_ids"),
        )
        .rename({"gwno_a": "gwcode"})
    )


def add_ucdp_acd(
    frame: pl.DataFrame,
    acd: pl.DataFrame,
    *,
    coverage: tuple[int, int] | None = None,
    types: str | Sequence[str] | None = None,
    issues: str | Sequence[str] | None = None,
    only_wars: bool = False,
) -> pl.DataFrame:
    """Add UCDP armed-conflict columns to a state-year frame with ``gwcode`` and ``year``.

    Adds ``ucdpongoing``, ``ucdponset``, ``maxintensity`` (Float64) and ``conflict_ids``
    (String), as peacesciencer's ``add_ucdp_acd()`` with its defaults (all conflict types, all
    issues, all intensities). A state-year counts only where the state is a *primary* side-A party
    (``gwno_a``); secondary supporters and side B do not count. ``ucdponset`` is 1 in the first
    year the (conflict, state) pair appears in the data. Years inside ``coverage`` (inclusive;
    default: the first and last year of ``acd``, 1946–2024 for v25.1) without conflict get 0 for
    ``ucdpongoing``/``ucdponset`` — including state-years whose ``gwcode`` is null — and null
    ``maxintensity``/``conflict_ids``; outside ``coverage`` all four are null. For a COW frame,
    add G-W codes first with :func:`foedus.frames.bridge.add_gwcode_to_cow`.

    Example:
        >>> acd = pl.DataFrame({"conflict_id": [7], "year": [1990], "gwno_a": [2],
        ...     "intensity_level": [1.0], "type_of_conflict": ["interstate"],
        ...     "incompatibility": ["territory"]})
        >>> sy = pl.DataFrame({"gwcode": [2.0, 2.0, 20.0], "year": [1990, 1930, 1990]})
        >>> add_ucdp_acd(sy, acd).select("ucdpongoing", "conflict_ids").rows()
        [(1.0, '7'), (None, None), (0.0, None)]
    """
    where = "add_ucdp_acd"
    if "gwcode1" in frame.columns:
        raise FoedusError(
            "UCDP armed conflict data are added to state-years only, not dyad-years",
            where=where,
            fix="pass a state-year frame with gwcode and year",
        )
    _require(
        frame,
        ["gwcode", "year"],
        where=where,
        fix="a COW state-year frame needs G-W codes first: add_gwcode_to_cow(frame, cw_gw_panel)",
    )
    present = [c for c in UCDP_COLUMNS if c in frame.columns]
    if present:
        raise FoedusError(
            f"the frame already has column(s) {', '.join(present)}",
            where=where,
            fix="drop or rename them before enriching again",
        )
    summary = ucdp_state_years(acd, types=types, issues=issues, only_wars=only_wars)
    if coverage is None:
        years = acd["year"].drop_nulls()
        if years.is_empty():
            raise FoedusError("the conflict table has no years", where=where, fix="pass ucdp_acd")
        coverage = (int(years.min()), int(years.max()))  # type: ignore[arg-type]
    lo, hi = coverage
    key = "__foedus_gw"
    summary = summary.rename({"gwcode": key}).with_columns(
        pl.col("year").cast(frame.schema["year"])
    )
    out = frame.with_columns(pl.col("gwcode").cast(pl.Int64, strict=True).alias(key)).join(
        summary, on=[key, "year"], how="left", maintain_order="left"
    )
    inside = pl.col("year").is_between(lo, hi)
    return out.drop(key).with_columns(
        pl.when(pl.col(c).is_null() & inside).then(pl.lit(0.0)).otherwise(pl.col(c)).alias(c)
        for c in ("ucdpongoing", "ucdponset")
    )


def ucdp_acd_from_official_csv(path: str | Path) -> pl.DataFrame:
    """Read the official UCDP/PRIO ACD CSV (e.g. ``UcdpPrioConflict_v23_1.csv``) canonically.

    The result has the columns and dtypes of peacesciencer's ``ucdp_acd`` with Int64 keys
    (:data:`ACD_SCHEMA`), derived as the peer derived it from the release: keep the 15 columns;
    split each of ``gwno_a``, ``gwno_a_2nd``, ``gwno_b``, ``gwno_b_2nd`` on commas into one row
    per code, one column after the other (so a conflict-year with 2 side-A and 3 side-A-supporter
    codes gives 6 rows); empty cells are null; incompatibility 1/2/3 → "territory",
    "government", "both"; type 1/2/3/4 → "extrasystemic", "interstate", "intrastate", "II";
    dates parsed. Row order follows the file.

    Example:
        >>> import tempfile, os
        >>> header = ("conflict_id,year,gwno_a,gwno_a_2nd,gwno_b,gwno_b_2nd,incompatibility,"
        ...           "intensity_level,type_of_conflict,start_date,start_prec,start_date2,"
        ...           "start_prec2,ep_end,ep_end_date")
        >>> row = '228,1948,"651, 645",,666,,1,2,2,1948-05-15,1,1948-05-15,1,0,'
        >>> with tempfile.TemporaryDirectory() as d:
        ...     p = os.path.join(d, "acd.csv")
        ...     _ = open(p, "w").write(header + "\\n" + row + "\\n")
        ...     acd = ucdp_acd_from_official_csv(p)
        >>> acd.select("gwno_a", "gwno_b", "type_of_conflict").rows()
        [(651, 666, 'interstate'), (645, 666, 'interstate')]
    """
    path = Path(path)
    where = str(path)
    try:
        raw = pl.read_csv(path, infer_schema_length=0)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise SourceFormatError(
            f"cannot read the file as CSV ({exc})",
            where=where,
            fix="pass the official UCDP ACD CSV",
        ) from exc
    missing = [c for c in ACD_SCHEMA if c not in raw.columns]
    if missing:
        raise SourceFormatError(
            f"missing column(s) {', '.join(missing)}",
            where=where,
            fix="pass the official UCDP/PRIO Armed Conflict Dataset CSV (UcdpPrioConflict_v*.csv)",
        )

    def blank_to_null(col: str) -> pl.Expr:
        text = pl.col(col).str.strip_chars()
        return pl.when(text == "").then(None).otherwise(text).alias(col)

    df = raw.select([blank_to_null(c) for c in ACD_SCHEMA])
    for col, mapping in (("incompatibility", ISSUES), ("type_of_conflict", CONFLICT_TYPES)):
        bad = df.filter(pl.col(col).is_not_null() & ~pl.col(col).is_in(list(mapping)))
        if bad.height:
            raise SourceFormatError(
                f"unknown {col} code {bad[col][0]!r}",
                where=where,
                fix=f"codes must be {', '.join(mapping)} as in the UCDP codebook",
            )
    for col in GWNO_COLUMNS:
        df = df.with_columns(pl.col(col).str.split(",")).explode(col)
    try:
        out = df.select(
            pl.col("conflict_id").cast(pl.Int64),
            pl.col("year").cast(pl.Int64),
            *[pl.col(c).str.strip_chars().cast(pl.Int64) for c in GWNO_COLUMNS],
            pl.col("incompatibility").replace_strict(ISSUES, return_dtype=pl.String),
            pl.col("intensity_level").cast(pl.Float64),
            pl.col("type_of_conflict").replace_strict(CONFLICT_TYPES, return_dtype=pl.String),
            pl.col("start_date").str.to_date("%Y-%m-%d"),
            pl.col("start_prec").cast(pl.Float64),
            pl.col("start_date2").str.to_date("%Y-%m-%d"),
            pl.col("start_prec2").cast(pl.Float64),
            pl.col("ep_end").cast(pl.Float64),
            pl.col("ep_end_date").str.to_date("%Y-%m-%d"),
        )
    except pl.exceptions.PolarsError as exc:
        raise SourceFormatError(
            f"a value cannot be read ({exc})",
            where=where,
            fix="numbers must be numeric, dates YYYY-MM-DD, G-W codes comma-separated integers",
        ) from exc
    return out
