"""The merge shared by the DCA, exercise, training, posture, visit and peace-operation enrichers.

Every enricher aggregates its source to the frame's unit first (a small table keyed by
``ccode1, ccode2, year`` or ``ccode, year``) and then makes **one** left join that keeps the frame's
rows and their order. Coverage is explicit: a row whose year the source covers gets 0 when the
source records nothing for it; a row outside the source's years (or outside its scope: a dyad whose
first state is not the United States, for a US-only source) gets null.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Literal

import polars as pl

from foedus.errors import FoedusError

Unit = Literal["dyad", "state"]

DYAD_KEYS = ["ccode1", "ccode2", "year"]
STATE_KEYS = ["ccode", "year"]

__all__ = ["DYAD_KEYS", "STATE_KEYS", "attach", "covered_years", "declared", "unit_of"]


def declared(table: str) -> tuple[int, int]:
    """The years the catalogue declares for canonical ``table`` (an enricher's coverage is read
    there, not written twice).

    Example:
        >>> declared("us_defense_visits")
        (1992, 2012)
    """
    from foedus.sources.catalog import declared_coverage

    span = declared_coverage(table)
    if span is None:
        raise ValueError(f"the catalogue declares no coverage for table '{table}'")
    return span


def unit_of(df: pl.DataFrame, what: str) -> Unit:
    """``"dyad"`` for a frame with ``ccode1``/``ccode2``/``year``, ``"state"`` for ``ccode``/``year``.

    Example:
        >>> unit_of(pl.DataFrame({"ccode": [2], "year": [2000]}), "DCAs")
        'state'
    """
    if {"ccode1", "ccode2", "year"} <= set(df.columns):
        return "dyad"
    if {"ccode", "year"} <= set(df.columns):
        return "state"
    raise FoedusError(
        f"{what} needs COW codes: ccode1, ccode2, year (dyad-years) or ccode, year (state-years)",
        fix="build the frame with system='cow', or add COW codes first with .add_ccode_to_gw()",
    )


def covered_years(first: int, last: int, missing: Collection[int] = ()) -> list[int]:
    """The years a source covers: ``first``–``last`` inclusive, less ``missing``.

    Example:
        >>> covered_years(2004, 2008, {2006})
        [2004, 2005, 2007, 2008]
    """
    return [y for y in range(first, last + 1) if y not in missing]


def attach(
    frame: pl.DataFrame,
    table: pl.DataFrame,
    keys: Sequence[str],
    columns: Iterable[str],
    *,
    years: Collection[int],
    scope: pl.Expr | None = None,
    where: str,
) -> pl.DataFrame:
    """Left-join ``columns`` of ``table`` onto ``frame`` on ``keys``, with explicit coverage.

    Inside ``years`` (and ``scope``, a boolean expression on the frame) a missing value becomes 0;
    outside, every value is null. Rows and their order are kept; a column already in the frame is
    an error.

    Example:
        >>> f = pl.DataFrame({"ccode": [2, 20, 20], "year": [2000, 2000, 1900]})
        >>> t = pl.DataFrame({"ccode": [2], "year": [2000], "n": [3]})
        >>> attach(f, t, ["ccode", "year"], ["n"], years=range(1990, 2011), where="t")["n"].to_list()
        [3, 0, None]
    """
    columns = list(columns)
    clash = [c for c in columns if c in frame.columns]
    if clash:
        raise FoedusError(
            f"the frame already has column(s) {', '.join(clash)}",
            where=where,
            fix="drop or rename them before enriching again",
        )
    if table.select(pl.struct(list(keys)).is_duplicated().any()).item():
        raise FoedusError(
            f"the aggregated {where} table repeats a key",
            where=where,
            fix="this is a bug in the aggregation: please report it",
        )
    lo, hi = (min(years), max(years)) if years else (1, 0)
    inside = pl.col("year").is_between(lo, hi)
    if years and len(set(years)) != hi - lo + 1:
        inside = pl.col("year").is_in(sorted(set(years)))
    if scope is not None:
        inside = inside & scope
    right = table.select(*[pl.col(k).cast(pl.Int64) for k in keys], *[pl.col(c) for c in columns])
    # Eager join: Polars 2.1's default engine makes an order-keeping lazy left join of a 2.2-million
    # row frame about three times slower (see foedus.frames.frame.in_memory_engine).
    return frame.join(right, on=list(keys), how="left", maintain_order="left").with_columns(
        pl.when(inside.fill_null(False)).then(pl.col(c).fill_null(0)).otherwise(None).alias(c)
        for c in columns
    )
