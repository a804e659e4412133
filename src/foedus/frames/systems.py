"""State-year and dyad-year universes built from a state-system membership list.

The input is one of isard's membership lists, one row per membership *spell*:

* ``cw_system`` (Correlates of War): ``ccode, cw_abb, cw_name, start, end``
* ``gw_system`` (Gleditsch–Ward, with micro-states):
  ``gwcode, gw_abb, gw_name, microstate, start, end``

Rules (the meaning of peacesciencer's ``create_stateyears()`` / ``create_dyadyears()``; see
``docs/frames-systems.md`` for the evidence):

* A state is in the system in every calendar year touched by one of its spells, the entry and the
  exit year included (``year(start) … year(end)``).
* A dyad-year exists when both states are in the system on at least one *common day* of that year.
  Two states that are both members in a year but never at the same time (Republic of Vietnam exits
  30 April 1975, Suriname enters 25 November 1975) do not form a dyad in that year. This is exactly
  the set the peer removes with its bundled ``false_cow_dyads`` / ``false_gw_dyads`` tables (60 and
  40 directed dyad-years); foedus derives it from the spell dates, so it holds for any list and any
  year range.
* ``years=None`` is the list's own coverage. Years after the list's last year carry forward the
  states alive on the list's last date (the peer's ``mry = TRUE``): this is how peacesciencer's
  bundled ``cow_ddy`` reaches 2024 from a COW list that ends on 2016-12-31.
"""

from __future__ import annotations

import datetime as _dt
from typing import Literal

import polars as pl

from foedus.errors import FoedusError, InvalidYearsError, SourceFormatError
from foedus.sources.normalize import cast_keys

__all__ = ["FIRST_SYSTEM_YEAR", "create_dyad_years", "create_state_years"]

#: The first year of both state systems (the Congress of Vienna settlement).
FIRST_SYSTEM_YEAR = 1816

System = Literal["cow", "gw"]

# system -> (code column, name column, extra per-spell columns carried to the output)
_LAYOUT: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "cow": ("ccode", "cw_name", ()),
    "gw": ("gwcode", "gw_name", ("microstate",)),
}


def _layout(system: str) -> tuple[str, str, tuple[str, ...]]:
    if system not in _LAYOUT:
        raise FoedusError(
            f"unknown state system {system!r}",
            where="system",
            fix='use system="cow" (Correlates of War) or system="gw" (Gleditsch-Ward)',
        )
    return _LAYOUT[system]


def _spells(system_table: pl.DataFrame, system: str) -> pl.DataFrame:
    """Validated spells: code (Int64), name, extras (Int64), start, end (Date), in list order."""
    code, name, extras = _layout(system)
    where = "isard cw_system" if system == "cow" else "isard gw_system"
    needed = [code, name, *extras, "start", "end"]
    missing = [c for c in needed if c not in system_table.columns]
    if missing:
        raise SourceFormatError(
            f"the membership list lacks column(s) {', '.join(missing)} "
            f"(has {', '.join(system_table.columns)})",
            where=where,
            fix=f"pass isard's {'cw_system' if system == 'cow' else 'gw_system'} table "
            f'for system="{system}"',
        )
    if system_table.height == 0:
        raise SourceFormatError(
            "the membership list is empty", where=where, fix="pass the full isard table"
        )
    try:
        spells = cast_keys(system_table.select(needed)).with_columns(
            [pl.col(c).cast(pl.Int64, strict=True) for c in (code, *extras)]
            + [pl.col("start").cast(pl.Date), pl.col("end").cast(pl.Date)]
        )
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError) as exc:
        raise SourceFormatError(
            f"cannot read codes/dates of the membership list ({exc})",
            where=where,
            fix="codes must be whole numbers and start/end dates",
        ) from exc
    incomplete = pl.any_horizontal(pl.col(code, "start", "end").is_null())
    bad = spells.filter(incomplete | (pl.col("start") > pl.col("end")))
    if bad.height:
        raise SourceFormatError(
            f"{bad.height} spell(s) have a missing code/date or start after end "
            f"(first: {bad.row(0, named=True)})",
            where=where,
            fix="repair or drop those spells",
        )
    return spells


def _resolve_years(
    spells: pl.DataFrame, years: tuple[int, int] | None
) -> tuple[int, int, _dt.date]:
    """The (first, last) year asked for, and the list's last date."""
    last_date: _dt.date = spells["end"].max()  # type: ignore[assignment]
    if years is None:
        first: int = spells["start"].min().year  # type: ignore[union-attr]
        return first, last_date.year, last_date
    try:
        lo, hi = years
    except (TypeError, ValueError) as exc:
        raise InvalidYearsError(
            f"years must be a (first, last) pair, got {years!r}",
            where="years",
            fix="pass e.g. years=(1816, 2016), or years=None for the list's own coverage",
        ) from exc
    if not all(isinstance(y, int) and not isinstance(y, bool) for y in (lo, hi)):
        raise InvalidYearsError(
            f"years must be whole numbers, got {years!r}",
            where="years",
            fix="pass e.g. years=(1816, 2016)",
        )
    this_year = _dt.date.today().year
    if lo > hi:
        raise InvalidYearsError(
            f"the first year {lo} is after the last year {hi}",
            where="years",
            fix=f"swap them: years=({hi}, {lo})",
        )
    if lo < FIRST_SYSTEM_YEAR:
        raise InvalidYearsError(
            f"{lo} is before {FIRST_SYSTEM_YEAR}, when the state system begins",
            where="years",
            fix=f"start at {FIRST_SYSTEM_YEAR} or later",
        )
    if hi > this_year:
        raise InvalidYearsError(
            f"{hi} is in the future (this is {this_year}); membership cannot be carried that far",
            where="years",
            fix=f"end at {this_year} or earlier",
        )
    return lo, hi, last_date


def _extend(spells: pl.DataFrame, last_date: _dt.date, hi: int) -> pl.DataFrame:
    """Carry the spells alive on the list's last date through to 31 December of ``hi``."""
    if hi <= last_date.year:
        return spells
    return spells.with_columns(
        pl.when(pl.col("end") == last_date)
        .then(pl.lit(_dt.date(hi, 12, 31)))
        .otherwise(pl.col("end"))
        .alias("end")
    )


def _clip_years(lo_expr: pl.Expr, hi_expr: pl.Expr, lo: int, hi: int) -> tuple[pl.Expr, pl.Expr]:
    return (
        lo_expr.dt.year().cast(pl.Int64).clip(lower_bound=lo).alias("y0"),
        hi_expr.dt.year().cast(pl.Int64).clip(upper_bound=hi).alias("y1"),
    )


def _shares_a_year(spells: pl.DataFrame, code: str) -> bool:
    """Whether some state has two spells touching the same calendar year (never in isard)."""
    by_year = spells.select(
        code, year=pl.int_ranges(pl.col("start").dt.year(), pl.col("end").dt.year() + 1)
    ).explode("year")
    return by_year.select(pl.struct(code, "year").is_duplicated().any()).item()


def create_state_years(
    system_table: pl.DataFrame,
    *,
    system: System,
    years: tuple[int, int] | None = None,
) -> pl.DataFrame:
    """One row per state and calendar year of system membership.

    A state is a member in every year touched by one of its spells, entry and exit year
    included. ``years=None`` covers the list's own years; years after the list's last year
    carry forward the states alive on its last date (peacesciencer's ``mry = TRUE``); years
    before its first year are empty. Rows are sorted by code and year.

    Args:
        system_table: isard's ``cw_system`` (``system="cow"``) or ``gw_system``
            (``system="gw"``), codes cast to Int64 (``foedus.sources.normalize.cast_keys``).
        system: ``"cow"`` or ``"gw"``.
        years: ``(first, last)`` inclusive, or ``None`` for the list's coverage.

    Returns:
        COW: ``ccode, cw_name, year``; G-W: ``gwcode, gw_name, microstate, year``
        (codes, ``microstate`` and ``year`` Int64).

    Raises:
        InvalidYearsError: ``first > last``, a year before 1816, or a year after this one.
        SourceFormatError: the table is not the membership list of ``system``.

    Example:
        >>> import datetime as dt
        >>> import polars as pl
        >>> cw = pl.DataFrame({
        ...     "ccode": [2, 20], "cw_abb": ["USA", "CAN"], "cw_name": ["USA", "Canada"],
        ...     "start": [dt.date(1816, 1, 1), dt.date(1920, 1, 10)],
        ...     "end": [dt.date(2016, 12, 31), dt.date(2016, 12, 31)],
        ... })
        >>> sy = create_state_years(cw, system="cow", years=(2015, 2018))
        >>> sy.filter(pl.col("ccode") == 20)["year"].to_list()
        [2015, 2016, 2017, 2018]
    """
    code, name, extras = _layout(system)
    spells = _spells(system_table, system)
    lo, hi, last_date = _resolve_years(spells, years)
    spells = _extend(spells, last_date, hi)
    y0, y1 = _clip_years(pl.col("start"), pl.col("end"), lo, hi)
    out = (
        spells.with_row_index("_spell")
        .with_columns(y0, y1)
        .filter(pl.col("y0") <= pl.col("y1"))
        .with_columns(year=pl.int_ranges("y0", pl.col("y1") + 1, dtype=pl.Int64))
        .explode("year")
        .sort(code, "year", "_spell")
        .unique([code, "year"], keep="first", maintain_order=True)
        .select(code, name, *extras, "year")
    )
    return out


def create_dyad_years(
    system_table: pl.DataFrame,
    *,
    system: System,
    directed: bool = True,
    years: tuple[int, int] | None = None,
) -> pl.DataFrame:
    """One row per pair of states and calendar year in which both were members on a common day.

    For each pair of spells the dyad exists in the years touched by the intersection of their
    date ranges. So a dyad-year needs both states in the system *at the same time* that year;
    pairs that merely share a calendar year (one exits before the other enters) are left out,
    exactly the peer's ``false_cow_dyads`` / ``false_gw_dyads``. Year rules are those of
    :func:`create_state_years`. Directed data hold both (a, b) and (b, a); non-directed data keep
    the pair once, with the lower code first. Rows are sorted by code1, code2, year.

    Args:
        system_table: isard's ``cw_system`` or ``gw_system``, codes cast to Int64.
        system: ``"cow"`` or ``"gw"``.
        directed: directed (default) or non-directed dyads.
        years: ``(first, last)`` inclusive, or ``None`` for the list's coverage.

    Returns:
        COW: ``ccode1, ccode2, year``; G-W: ``gwcode1, gwcode2, year, microstate1, microstate2``
        (all Int64).

    Raises:
        InvalidYearsError: ``first > last``, a year before 1816, or a year after this one.
        SourceFormatError: the table is not the membership list of ``system``.

    Example:
        >>> import datetime as dt
        >>> import polars as pl
        >>> cw = pl.DataFrame({
        ...     "ccode": [817, 115, 2], "cw_abb": ["RVN", "SUR", "USA"],
        ...     "cw_name": ["Republic of Vietnam", "Suriname", "USA"],
        ...     "start": [dt.date(1954, 6, 4), dt.date(1975, 11, 25), dt.date(1816, 1, 1)],
        ...     "end": [dt.date(1975, 4, 30), dt.date(2016, 12, 31), dt.date(2016, 12, 31)],
        ... })
        >>> create_dyad_years(cw, system="cow", directed=False, years=(1975, 1976)).rows()
        [(2, 115, 1975), (2, 115, 1976), (2, 817, 1975)]
    """
    code, _, extras = _layout(system)
    spells = _spells(system_table, system)
    lo, hi, last_date = _resolve_years(spells, years)
    spells = _extend(spells, last_date, hi).sort(code, "start")
    c1, c2 = f"{code}1", f"{code}2"
    left = spells.select(
        pl.col(code).alias(c1),
        pl.col("start").alias("_s1"),
        pl.col("end").alias("_e1"),
        *[pl.col(x).alias(f"{x}1") for x in extras],
    )
    right = spells.select(
        pl.col(code).alias(c2),
        pl.col("start").alias("_s2"),
        pl.col("end").alias("_e2"),
        *[pl.col(x).alias(f"{x}2") for x in extras],
    )
    keep = pl.col(c1) != pl.col(c2) if directed else pl.col(c1) < pl.col(c2)
    y0, y1 = _clip_years(pl.max_horizontal("_s1", "_s2"), pl.min_horizontal("_e1", "_e2"), lo, hi)
    pairs = (
        left.join(right, how="cross")
        .filter(keep & (pl.max_horizontal("_s1", "_s2") <= pl.min_horizontal("_e1", "_e2")))
        .with_columns(y0, y1)
        .filter(pl.col("y0") <= pl.col("y1"))
        .sort(c1, c2, "y0")
    )
    out = (
        pairs.with_columns(year=pl.int_ranges("y0", pl.col("y1") + 1, dtype=pl.Int64))
        .explode("year")
        .select(c1, c2, "year", *[f"{x}{i}" for i in (1, 2) for x in extras])
    )
    if _shares_a_year(spells, code):
        # A state that left and re-entered within one year meets a partner twice that year.
        out = out.unique([c1, c2, "year"], keep="first").sort(c1, c2, "year")
    return out
