"""UCDP/PRIO Armed Conflict Data for state-years, as peacesciencer's ``add_ucdp_acd()``.

The canonical conflict table is the shape of peacesciencer's ``ucdp_acd`` (v25.1) with keys as
Int64: one row per conflict-year *and per combination of the G-W codes* listed on each side (the
official release lists several states in one cell, comma-separated; the peer splits them into
rows). :func:`ucdp_acd_from_official_csv` builds that table from the official UCDP CSV. The rules
and the evidence are in ``docs/geography-conflict-bridge.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import polars as pl

from foedus.errors import FoedusError
from foedus.frames.enrichers import STATES, Enricher
from foedus.sources.ucdp import (
    ACD_SCHEMA,
    CONFLICT_TYPES,
    GWNO_COLUMNS,
    ISSUES,
    ucdp_acd_from_official_csv,
)

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

__all__ = [
    "ACD_SCHEMA",
    "CONFLICT_TYPES",
    "ENRICHERS",
    "GWNO_COLUMNS",
    "ISSUES",
    "add_ucdp_acd",
    "enrich_ucdp",
    "ucdp_acd_from_official_csv",
    "ucdp_state_years",
]

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


# ---------------------------------------------------------------------------------------------
# frame-level enricher (``--with ucdp``)
# ---------------------------------------------------------------------------------------------
def enrich_ucdp(frame: Frame) -> Frame:
    """UCDP/PRIO armed conflict on a state-year frame (reads ``ucdp_acd``; adds G-W codes first
    when the frame has none)."""
    frame.require_states("add_ucdp_acd")
    if "gwcode" not in frame.df.columns:
        from foedus.frames.bridge import enrich_gwcode

        frame = enrich_gwcode(frame)
    acd, used = frame.read("ucdp_acd", "armed conflict")
    return frame.with_data(add_ucdp_acd(frame.df, acd), used)


ENRICHERS = (
    Enricher("ucdp", STATES, enrich_ucdp, "UCDP/PRIO armed conflict", tables=("ucdp_acd",),
             aliases=("ucdp-acd",)),
)  # fmt: skip
