"""Foreign-policy similarity from UN General Assembly ideal points (Bailey, Strezhnev & Voeten 2017).

A state's *ideal point* is its position on the single dimension that best explains its UNGA votes
in a year, estimated so that positions are comparable over time (Bailey et al. 2017). The standard
dyadic measure in the literature is the absolute distance between the two states' ideal points,

    ``idealpointdist = |idealpoint1 - idealpoint2|``

(0 = identical positions; larger = further apart; the Dataverse release's dyadic file carries the
same "absolute ideal point distances between countries"). Bailey et al. recommend it over vote
agreement scores, which move with the agenda. No rescaled or normalised similarity is offered:
neither the article nor the codebook defines one.

Input is the canonical table ``unga_ideal_points`` (``Warehouse.table("unga_ideal_points")``, or
a release file parsed by ``foedus.sources.instruments.unga``). Three estimates can be chosen
(``estimate=``):

==========  =====================  ===========================================================
name        column                 what
==========  =====================  ===========================================================
``all``     ``idealpoint``         all votes (default; the Bailey et al. 2017 series)
``fp``      ``idealpoint_fp``      final-passage votes only (July 2025 release; reaches 2024)
``legacy``  ``idealpoint_legacy``  session-based all-votes series (year = session + 1945)
==========  =====================  ===========================================================

Whatever the estimate, the added columns are called ``idealpoint`` (state-years), ``idealpoint1``
and ``idealpoint2`` (dyad-years) and ``idealpointdist``. A value is null when the state has no
estimate that year: before it joined the UN, in 1964 (the 19th session held no recorded votes),
and in every year outside the data (before 1946, after the last year of the estimate).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Literal

import numpy as np
import polars as pl

from foedus.errors import (
    DuplicateKeyError,
    FoedusError,
    InvalidYearsError,
    MissingColumnError,
)
from foedus.frames.capabilities import cow_frame_kind
from foedus.sources.normalize import cast_keys

__all__ = [
    "ESTIMATES",
    "QUANTILES",
    "add_ideal_point_distance",
    "add_ideal_points",
    "ideal_point_coverage",
    "ideal_point_matrix",
]

Estimate = Literal["all", "fp", "legacy"]

#: Estimate name → column of ``unga_ideal_points``.
ESTIMATES: dict[str, str] = {
    "all": "idealpoint",
    "fp": "idealpoint_fp",
    "legacy": "idealpoint_legacy",
}

#: Posterior quantiles published with the ``all`` and ``fp`` estimates (percent).
QUANTILES: tuple[int, ...] = (0, 5, 10, 50, 90, 95, 100)

_TABLE_FIX = (
    "pass the canonical table unga_ideal_points: Warehouse.table('unga_ideal_points'), or "
    "FORMATS['unga_idealpoints_year_csv'].parse('IdealpointsJuly2025.csv')"
)

# State-year lookup key: code * _KEY_BASE + year, exact for years 0..9999.
_KEY_BASE = 10_000


# --------------------------------------------------------------------------------------------
# validation


def _estimate_column(estimate: str) -> str:
    if estimate not in ESTIMATES:
        raise FoedusError(
            f"unknown estimate {estimate!r}",
            where="estimate",
            fix='use "all" (default), "fp" (final-passage votes) or "legacy" (session-based)',
        )
    return ESTIMATES[estimate]


def _check_quantiles(quantiles: Sequence[int], estimate: str) -> list[int]:
    chosen = list(quantiles)
    if not chosen:
        return chosen
    if estimate == "legacy":
        raise FoedusError(
            "the legacy (session-based) estimate is published without posterior quantiles",
            where="quantiles",
            fix='use estimate="all" or "fp", or quantiles=()',
        )
    unknown = [q for q in chosen if q not in QUANTILES]
    if unknown:
        raise FoedusError(
            f"quantile(s) {unknown} are not published",
            where="quantiles",
            fix=f"choose among {', '.join(map(str, QUANTILES))} (percent)",
        )
    return list(dict.fromkeys(chosen))


def _points(
    ideal_points: pl.DataFrame, estimate: str, quantiles: Sequence[int] = ()
) -> pl.DataFrame:
    """``ccode, year, value[, q…]`` rows with a non-null estimate; validated."""
    column = _estimate_column(estimate)
    wanted = [f"{column}_q{q}" for q in quantiles]
    missing = [c for c in ("ccode", "year", column, *wanted) if c not in ideal_points.columns]
    if missing:
        raise MissingColumnError(
            f"the ideal-point table lacks column(s) {', '.join(missing)}",
            where="ideal_points",
            fix=_TABLE_FIX,
        )
    try:
        table = cast_keys(ideal_points.select("ccode", "year", column, *wanted)).with_columns(
            pl.col(column, *wanted).cast(pl.Float64, strict=True)
        )
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError) as exc:
        raise FoedusError(
            f"codes, years or ideal points are not numeric ({str(exc).splitlines()[0]})",
            where="ideal_points",
            fix=_TABLE_FIX,
        ) from None
    for key in ("ccode", "year"):
        if table.schema[key] != pl.Int64:
            raise FoedusError(
                f"column '{key}' holds {table.schema[key]}, not whole numbers",
                where="ideal_points",
                fix=_TABLE_FIX,
            )
    table = table.filter(pl.col(column).is_not_null() & pl.col(column).is_not_nan())
    if table.height == 0:
        hint = (
            " (the June 2024 release has only the all-votes estimate)" if estimate == "fp" else ""
        )
        raise FoedusError(
            f"the ideal-point table holds no {estimate!r} estimate{hint}",
            where="ideal_points",
            fix='choose another estimate (e.g. estimate="all") or import IdealpointsJuly2025.csv',
        )
    nulls = table.select(pl.col("ccode", "year").null_count()).row(0)
    if any(nulls):
        raise FoedusError(
            "the ideal-point table has rows without a ccode or year",
            where="ideal_points",
            fix=_TABLE_FIX,
        )
    dup = table.filter(pl.struct("ccode", "year").is_duplicated())
    if dup.height:
        ccode, year = dup.row(0)[:2]
        raise DuplicateKeyError(
            f"{dup.height} rows repeat a state-year (first: ccode={ccode}, year={year})",
            where="ideal_points",
            fix="keep one row per state-year (one release of unga_ideal_points)",
        )
    return table.rename({column: "_value", **{c: f"_q{c.rsplit('_q', 1)[1]}" for c in wanted}})


def _refuse_overwrite(frame: pl.DataFrame, new: Sequence[str], caller: str) -> None:
    clash = [c for c in new if c in frame.columns]
    if clash:
        raise FoedusError(
            f"the frame already has column(s) {', '.join(clash)}",
            where=caller,
            fix=f"drop them first (frame.drop({clash!r})) or do not apply {caller} twice",
        )


def _whole(frame: pl.DataFrame, column: str, caller: str) -> pl.Expr:
    """``column`` as Int64; a non-numeric or fractional column is an error."""
    dtype = frame.schema[column]
    if dtype.is_integer():
        return pl.col(column).cast(pl.Int64)
    if dtype.is_float():
        s = frame.get_column(column)
        if not (s.is_null() | (s.is_finite() & (s == s.round(0)))).all():
            raise FoedusError(
                f"column '{column}' holds values that are not whole numbers",
                where=caller,
                fix="codes and years are whole numbers (Int64)",
            )
        return pl.col(column).cast(pl.Int64)
    raise FoedusError(
        f"column '{column}' has type {dtype}, expected whole numbers",
        where=caller,
        fix="codes and years are whole numbers (Int64)",
    )


def _key(code: pl.Expr, year: pl.Expr) -> pl.Expr:
    return pl.when(year.is_between(0, _KEY_BASE - 1)).then(code * _KEY_BASE + year)


def _rows(
    frame: pl.DataFrame, table: pl.DataFrame, sides: Sequence[str], caller: str
) -> pl.DataFrame:
    """For each side's code column, the table row of (code, year) for every frame row, or null."""
    year = _whole(frame, "year", caller)
    table_keys = table.select(_key(pl.col("ccode"), pl.col("year")).alias("k"))["k"]
    table_rows = pl.Series("row", range(table.height), dtype=pl.UInt32)
    return frame.select(
        _key(_whole(frame, code, caller), year)
        .replace_strict(table_keys, table_rows, default=None, return_dtype=pl.UInt32)
        .alias(code)
        for code in sides
    )


# --------------------------------------------------------------------------------------------
# public API


def ideal_point_coverage(ideal_points: pl.DataFrame, estimate: Estimate = "all") -> tuple[int, int]:
    """First and last year in which some state has the chosen estimate.

    Example:
        >>> import polars as pl
        >>> ip = pl.DataFrame({"ccode": [2, 2, 365], "year": [1946, 2024, 2024],
        ...                    "idealpoint": [1.7, None, None], "idealpoint_fp": [1.6, 2.2, -1.0]})
        >>> ideal_point_coverage(ip), ideal_point_coverage(ip, "fp")
        ((1946, 1946), (1946, 2024))
    """
    years = _points(ideal_points, estimate)["year"]
    return int(years.min()), int(years.max())  # type: ignore[arg-type]


def add_ideal_points(
    frame: pl.DataFrame,
    ideal_points: pl.DataFrame,
    *,
    estimate: Estimate = "all",
    quantiles: Sequence[int] = (),
) -> pl.DataFrame:
    """Add UNGA ideal points to a state-year or dyad-year frame (directed or not).

    State-years get ``idealpoint``; dyad-years ``idealpoint1`` (of ``ccode1``) and
    ``idealpoint2`` (of ``ccode2``). Matched on COW code and year; rows and order are kept;
    state-years without an estimate (not a UN member, 1964, outside the data) are null. The
    release publishes no standard error; ``quantiles=(5, 95)`` adds the posterior quantiles
    (``idealpoint_q5``, ``idealpoint_q95``; for dyads ``idealpoint1_q5`` … ``idealpoint2_q95``).

    Args:
        frame: ``ccode, year`` or ``ccode1, ccode2, year`` (COW codes).
        ideal_points: the canonical table ``unga_ideal_points``.
        estimate: ``"all"`` (default), ``"fp"`` or ``"legacy"`` (see the module docstring).
        quantiles: posterior quantiles to add, in percent, from :data:`QUANTILES`.

    Raises:
        FoedusError: no COW codes in the frame, the columns exist already, an unknown
            estimate or quantile, or a table without that estimate.
        DuplicateKeyError: the table repeats a state-year.

    Example:
        >>> import polars as pl
        >>> ip = pl.DataFrame({"ccode": [2, 40, 666], "year": [2000] * 3,
        ...                    "idealpoint": [2.65, -1.03, 2.33]})
        >>> sy = pl.DataFrame({"ccode": [2, 2], "year": [2000, 2030]})
        >>> add_ideal_points(sy, ip)["idealpoint"].to_list()
        [2.65, None]
        >>> dy = pl.DataFrame({"ccode1": [2, 40], "ccode2": [666, 2], "year": [2000, 2000]})
        >>> add_ideal_points(dy, ip).rows()
        [(2, 666, 2000, 2.65, 2.33), (40, 2, 2000, -1.03, 2.65)]
    """
    caller = "add_ideal_points"
    kind = cow_frame_kind(frame, caller)
    chosen = _check_quantiles(quantiles, estimate)
    if kind == "state_year":
        sides = [("ccode", "idealpoint")]
    else:
        sides = [("ccode1", "idealpoint1"), ("ccode2", "idealpoint2")]
    names = {
        code: [("_value", name), *((f"_q{q}", f"{name}_q{q}") for q in chosen)]
        for code, name in sides
    }
    _refuse_overwrite(frame, [new for pairs in names.values() for _, new in pairs], caller)
    table = _points(ideal_points, estimate, chosen)
    rows = _rows(frame, table, [code for code, _ in sides], caller)
    added = [
        table.get_column(old).gather(rows[code]).alias(new)
        for code, pairs in names.items()
        for old, new in pairs
    ]
    return frame.hstack(added)


def add_ideal_point_distance(
    frame: pl.DataFrame, ideal_points: pl.DataFrame, *, estimate: Estimate = "all"
) -> pl.DataFrame:
    """Add ``idealpointdist = |idealpoint1 - idealpoint2|`` to a dyad-year frame.

    The absolute distance between the two states' UNGA ideal points that year (Bailey,
    Strezhnev & Voeten 2017): 0 for identical positions, symmetric, so directed and non-directed
    frames get the same value for a pair. Null when either state has no estimate that year (not
    a member, 1964, or a year outside the data's coverage, 1946 to its last year). Rows and order
    are kept.

    Example:
        >>> import polars as pl
        >>> ip = pl.DataFrame({"ccode": [2, 40, 666], "year": [2000] * 3,
        ...                    "idealpoint": [2.648397, -1.032405, 2.330425]})
        >>> dy = pl.DataFrame({"ccode1": [2, 2, 2], "ccode2": [666, 40, 666],
        ...                    "year": [2000, 2000, 2025]})
        >>> add_ideal_point_distance(dy, ip)["idealpointdist"].round(6).to_list()
        [0.317972, 3.680802, None]
    """
    caller = "add_ideal_point_distance"
    if cow_frame_kind(frame, caller) != "dyad_year":
        raise FoedusError(
            "the distance is a dyadic measure: the frame has no ccode1/ccode2",
            where=caller,
            fix="pass a dyad-year frame, or use add_ideal_points for state-years",
        )
    _refuse_overwrite(frame, ["idealpointdist"], caller)
    table = _points(ideal_points, estimate)
    rows = _rows(frame, table, ["ccode1", "ccode2"], caller)
    value = table.get_column("_value")
    distance = (value.gather(rows["ccode1"]) - value.gather(rows["ccode2"])).abs()
    return frame.hstack([distance.alias("idealpointdist")])


def ideal_point_matrix(
    ideal_points: pl.DataFrame,
    year: int,
    *,
    estimate: Estimate = "all",
    states: Collection[int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One year's ideal-point distances as an N x N matrix: ``(codes, |x_i - x_j|)``.

    By default the states are those with an estimate that year (sorted COW codes). With
    ``states`` (e.g. the system members of :func:`~foedus.measures.similarity.similarity_matrix`)
    the matrix is over exactly those codes, sorted, and rows/columns of a state without an
    estimate are NaN.

    Raises:
        InvalidYearsError: the year is outside the estimate's coverage, or no state has an
            estimate that year (1964).

    Example:
        >>> import polars as pl
        >>> ip = pl.DataFrame({"ccode": [2, 40, 666], "year": [2000] * 3,
        ...                    "idealpoint": [2.5, -1.0, 2.0]})
        >>> codes, d = ideal_point_matrix(ip, 2000)
        >>> codes.tolist(), d.tolist()
        ([2, 40, 666], [[0.0, 3.5, 0.5], [3.5, 0.0, 3.0], [0.5, 3.0, 0.0]])
    """
    table = _points(ideal_points, estimate)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise InvalidYearsError(
            f"year must be a whole number, got {year!r}", where="year", fix="pass e.g. 2000"
        ) from None
    lo, hi = int(table["year"].min()), int(table["year"].max())  # type: ignore[arg-type]
    if not lo <= year <= hi:
        raise InvalidYearsError(
            f"{year} is outside the {estimate!r} ideal points, which cover {lo}-{hi}",
            where="year",
            fix=f"choose a year in {lo}-{hi}"
            + (' or estimate="fp" (final-passage votes reach 2024)' if estimate != "fp" else ""),
        )
    one = table.filter(pl.col("year") == year).sort("ccode")
    if one.height == 0:
        why = " (the 19th session, 1964-65, held no recorded votes)" if year == 1964 else ""
        raise InvalidYearsError(
            f"no state has a {estimate!r} ideal point in {year}{why}",
            where="year",
            fix="choose another year",
        )
    have = one["ccode"].to_numpy().astype(np.int64)
    values = one["_value"].to_numpy().astype(np.float64)
    if states is not None:
        codes = np.unique(np.asarray(sorted({int(s) for s in states}), dtype=np.int64))
        at = np.searchsorted(have, codes)
        found = (at < have.size) & (have[np.minimum(at, have.size - 1)] == codes)
        x = np.full(codes.size, np.nan)
        x[found] = values[at[found]]
    else:
        codes, x = have, values
    return codes, np.abs(x[:, None] - x[None, :])
