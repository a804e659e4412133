"""Militarized interstate disputes on dyad-year frames (GML MIDs and CoW MIDs).

A dyad can have several disputes in one year (France and Italy had three onsets in 1860), so
dispute-year rows are first *whittled* to one row per dyad-year and then left-joined onto the
frame. The meaning reproduces peacesciencer 1.2.9 (``add_gml_mids()``, ``add_cow_mids()`` and the
``whittle_conflicts_*()`` family) value for value on its bundled tables; the rules, options and the
few deliberate differences are written up in ``docs/disputes-and-spells.md``.

Whittling steps (a vocabulary; :data:`DEFAULT_WHITTLE` is the peer's order). Each step works within
a dyad-year (``ccode1``, ``ccode2``, ``year``) and only ever removes rows of a dyad-year that still
has more than one row:

``"onsets"``
    where the dyad-year mixes onset and non-onset rows, drop the non-onset (ongoing) rows.
``"fatality"``
    keep the rows with the highest dispute ``fatality``; ``-9`` (fatal, level unknown) ranks as
    0.5, between "no deaths" (0) and "1-25 deaths" (1).
``"hostility"``
    keep the rows with the highest dispute hostility level ``hostlev``.
``"mindur"`` / ``"maxdur"``
    keep the rows with the longest minimum / maximum dispute duration.
``"reciprocated"``
    keep reciprocated disputes (``recip`` = 1) over unreciprocated ones.
``"stmon"``
    keep the rows with the lowest dispute start month.
``"first"``
    keep the first remaining row in input order (peacesciencer's "just drop something").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from foedus.errors import FoedusError, SourceFormatError
from foedus.frames._lookup import dyad_year_rows, gather
from foedus.frames.enrichers import DYADS, Enricher

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

__all__ = [
    "DEFAULT_WHITTLE",
    "DYAD_YEAR_KEYS",
    "WHITTLE_STEPS",
    "add_cow_mids",
    "add_gml_mids",
    "whittle_dyad_year_disputes",
]

DYAD_YEAR_KEYS: tuple[str, str, str] = ("ccode1", "ccode2", "year")

#: The whittling vocabulary: step name -> what it keeps.
WHITTLE_STEPS: dict[str, str] = {
    "onsets": "unique onsets over ongoing dispute-years, where a dyad-year mixes both",
    "fatality": "highest dispute fatality level (-9, fatal but unknown, ranks as 0.5)",
    "hostility": "highest dispute hostility level (hostlev)",
    "mindur": "longest minimum dispute duration (mindur)",
    "maxdur": "longest maximum dispute duration (maxdur)",
    "reciprocated": "reciprocated disputes over unreciprocated ones (recip)",
    "stmon": "lowest dispute start month (stmon)",
    "first": "the first remaining row in input order (drops any remaining duplicate)",
}

#: peacesciencer's default order (``add_gml_mids()``, ``add_cow_mids()``, their bundled tables).
DEFAULT_WHITTLE: tuple[str, ...] = (
    "onsets",
    "fatality",
    "hostility",
    "mindur",
    "maxdur",
    "reciprocated",
    "stmon",
    "first",
)

# step -> (dispute-level column, keep the highest (True) or the lowest (False))
_EXTREMUM_STEPS: dict[str, tuple[str, bool]] = {
    "fatality": ("fatality", True),
    "hostility": ("hostlev", True),
    "mindur": ("mindur", True),
    "maxdur": ("maxdur", True),
    "reciprocated": ("recip", True),
    "stmon": ("stmon", False),
}

# Columns derived here rather than read from the dispute table.
_DERIVED = ("init1", "init2")

# What peacesciencer returns with keep = NULL, besides onset and ongoing (see the reference outputs
# cow_ddy_pipeline5 and cow_ddy_cowmids_peace).
_DEFAULT_KEEP: dict[str, tuple[str, ...]] = {
    "gmlmid": ("init1", "init2", "sidea1", "sidea2", "orig1", "orig2"),
    "cowmid": (),
}

_ROW = "__foedus_row"


def _onset_column(df: pl.DataFrame) -> str:
    candidates = [c for c in df.columns if c.endswith("onset")]
    if len(candidates) != 1:
        raise SourceFormatError(
            f"expected exactly one dispute-onset column (a name ending in 'onset'), "
            f"found {candidates or 'none'}",
            where="dispute-year table",
            fix="pass a table such as gml_mid_ddydisps, gml_dirdisp or cow_mid_dirdisps",
        )
    return candidates[0]


def _check_steps(order: Sequence[str]) -> list[str]:
    if isinstance(order, str):
        order = [order]
    steps = list(order)
    unknown = [s for s in steps if s not in WHITTLE_STEPS]
    if unknown:
        raise FoedusError(
            f"unknown whittling step(s) {unknown}",
            where="whittle",
            fix=f"use steps from {list(WHITTLE_STEPS)}",
        )
    return steps


def whittle_dyad_year_disputes(
    ddydisps: pl.DataFrame,
    disps: pl.DataFrame | None,
    order: Sequence[str] = DEFAULT_WHITTLE,
) -> pl.DataFrame:
    """Whittle dyadic dispute-years to at most one row per dyad-year, step by step.

    ``ddydisps`` holds one row per dispute and dyad-year (``dispnum``, ``ccode1``, ``ccode2``,
    ``year``, an onset column such as ``gmlmidonset`` or ``disponset``, …). The dispute-level
    columns a step needs (``fatality``, ``hostlev``, ``mindur``, ``maxdur``, ``recip``,
    ``stmon``) are taken from ``disps`` by ``dispnum`` when given (replacing any same-named
    column of ``ddydisps``), otherwise from ``ddydisps`` itself; the ones taken from ``disps`` are
    appended to the result. Steps run in ``order`` (names from :data:`WHITTLE_STEPS`); a dyad-year
    with a single row is never touched, and once no dyad-year has two rows the remaining steps are
    skipped (so their columns are only required while duplicates remain). A null value never wins
    a step, and a dyad-year whose values are all null for a step keeps all its rows. Without
    ``"first"`` duplicates may remain. The result is sorted by ``ccode1``, ``ccode2``, ``year``
    (ties in input order).

    Example:
        >>> import polars as pl
        >>> dy = pl.DataFrame({"dispnum": [1, 2, 3], "ccode1": [2, 2, 2], "ccode2": [20, 20, 20],
        ...                    "year": [1900, 1900, 1900], "midonset": [1, 1, 0]})
        >>> ds = pl.DataFrame({"dispnum": [1, 2, 3], "fatality": [0, -9, 6]})
        >>> whittle_dyad_year_disputes(dy, ds, ["onsets", "fatality"])["dispnum"].to_list()
        [2]
    """
    steps = _check_steps(order)
    missing = [k for k in DYAD_YEAR_KEYS if k not in ddydisps.columns]
    if missing:
        raise SourceFormatError(
            f"dispute-year table lacks key column(s) {missing}",
            where="whittle_dyad_year_disputes",
            fix="pass a directed dyadic dispute-year table (ccode1, ccode2, year)",
        )
    needed = list(dict.fromkeys(_EXTREMUM_STEPS[s][0] for s in steps if s in _EXTREMUM_STEPS))
    df = ddydisps
    if disps is not None and needed:
        from_disps = [c for c in needed if c in disps.columns]
        if from_disps:
            if "dispnum" not in ddydisps.columns or "dispnum" not in disps.columns:
                raise SourceFormatError(
                    "both tables need a 'dispnum' column to attach dispute-level values",
                    where="whittle_dyad_year_disputes",
                    fix="pass the package's *_disps table as disps",
                )
            level = disps.select("dispnum", *from_disps)
            if level["dispnum"].is_duplicated().any():
                raise SourceFormatError(
                    "dispute-level table has duplicate dispnum values",
                    where="disps",
                    fix="pass one row per dispute (e.g. gml_mid_disps, cow_mid_disps)",
                )
            level = level.with_columns(pl.col("dispnum").cast(df.schema["dispnum"]))
            df = df.drop(from_disps, strict=False).join(
                level, on="dispnum", how="left", maintain_order="left"
            )
    keys = list(DYAD_YEAR_KEYS)
    df = df.with_row_index(_ROW)
    for step in steps:
        multi = pl.len().over(keys) > 1
        if not df.select(keys).is_duplicated().any():
            break  # every dyad-year has one row: no step can change anything
        if step == "onsets":
            onset = _onset_column(df)
            o = pl.col(onset)
            mixed = (o.max().over(keys) > o.min().over(keys)) & (o.null_count().over(keys) == 0)
            df = df.filter(~(multi & mixed & (o == 0)))
        elif step == "first":
            df = df.filter(pl.col(_ROW) == pl.col(_ROW).min().over(keys))
        else:
            column, highest = _EXTREMUM_STEPS[step]
            if column not in df.columns:
                raise SourceFormatError(
                    f"whittling step {step!r} needs the dispute-level column {column!r}",
                    where="whittle_dyad_year_disputes",
                    fix="pass the dispute-level table (gml_mid_disps / cow_mid_disps) as disps",
                )
            value = pl.col(column)
            if step == "fatality":
                value = pl.when(value == -9).then(0.5).otherwise(value.cast(pl.Float64))
            best = value.max().over(keys) if highest else value.min().over(keys)
            df = df.filter(~multi | (value == best).fill_null(False) | best.is_null())
    return df.sort([*keys, _ROW]).drop(_ROW)


def _add_mids(
    frame: pl.DataFrame,
    ddydisps: pl.DataFrame,
    disps: pl.DataFrame | None,
    *,
    prefix: str,
    keep: list[str] | None,
    whittle: Sequence[str],
    coverage: tuple[int, int],
    caller: str,
) -> pl.DataFrame:
    missing = [k for k in DYAD_YEAR_KEYS if k not in frame.columns]
    if missing:
        raise FoedusError(
            f"frame lacks key column(s) {missing}",
            where=caller,
            fix="start from a CoW dyad-year frame (ccode1, ccode2, year)",
        )
    onset, ongoing = f"{prefix}onset", f"{prefix}ongoing"
    for column in (onset, ongoing):
        if column not in ddydisps.columns:
            raise SourceFormatError(
                f"dispute-year table lacks '{column}'",
                where=caller,
                fix=f"pass the package's {prefix[:3]}_mid_ddydisps table",
            )
    extra = list(_DEFAULT_KEEP[prefix] if keep is None else keep)
    extra = [c for c in dict.fromkeys(extra) if c not in (onset, ongoing, *DYAD_YEAR_KEYS)]

    one = whittle_dyad_year_disputes(ddydisps, disps, whittle)
    if one.select(DYAD_YEAR_KEYS).is_duplicated().any():
        raise FoedusError(
            "duplicate dyad-years remain after whittling, the join would duplicate frame rows",
            where=caller,
            fix='end the whittle order with "first"',
        )
    derived = []
    for side in ("1", "2"):
        if f"init{side}" in extra:
            sidea, orig = pl.col(f"sidea{side}"), pl.col(f"orig{side}")
            # Initiator: on side A, or a joiner (not an originator) on either side.
            derived.append(
                pl.when(sidea.is_null() | orig.is_null())
                .then(None)
                .when((sidea == 1) | (orig == 0))
                .then(1.0)
                .otherwise(0.0)
                .alias(f"init{side}")
            )
    needed_for_init = [f"{p}{s}" for s in "12" if f"init{s}" in extra for p in ("sidea", "orig")]
    unknown = [c for c in [*extra, *needed_for_init] if c not in _DERIVED and c not in one.columns]
    if unknown:
        raise FoedusError(
            f"keep names column(s) {unknown} that the dispute table does not have",
            where=caller,
            fix=f"choose from {[c for c in one.columns if c not in DYAD_YEAR_KEYS]} or init1/init2",
        )
    clash = [c for c in (onset, ongoing, *extra) if c in frame.columns]
    if clash:
        raise FoedusError(
            f"frame already has column(s) {clash}",
            where=caller,
            fix="drop them first, or call the enricher once",
        )
    added = [onset, ongoing, *extra]
    right = one.with_columns(derived).select(*DYAD_YEAR_KEYS, *added)
    right = right.with_columns([pl.col(k).cast(frame.schema[k]) for k in DYAD_YEAR_KEYS])
    rows, _ = dyad_year_rows(frame, right)  # (unique: checked after whittling above)
    out = frame.hstack(gather(right, rows, added))
    lo, hi = coverage
    inside = pl.col("year").is_between(lo, hi)
    return out.with_columns(
        [
            pl.when(inside).then(pl.col(c).fill_null(0)).otherwise(None).alias(c)
            for c in (onset, ongoing)
        ]
        + [pl.when(inside).then(pl.col(c)).otherwise(None).alias(c) for c in extra]
    )


def add_gml_mids(
    frame: pl.DataFrame,
    ddydisps: pl.DataFrame,
    disps: pl.DataFrame | None,
    *,
    keep: list[str] | None = None,
    whittle: Sequence[str] = DEFAULT_WHITTLE,
    coverage: tuple[int, int] = (1816, 2010),
) -> pl.DataFrame:
    """Add Gibler-Miller-Little MIDs (v2.2.1) to a dyad-year frame, as peacesciencer does.

    ``frame`` has ``ccode1``, ``ccode2``, ``year`` (directed or non-directed: rows are matched as
    they are, so a non-directed frame gets the disputes of its ``ccode1 < ccode2`` direction).
    ``ddydisps`` is peacesciencer's ``gml_mid_ddydisps`` (or the unwhittled ``gml_dirdisp`` with
    its onset/ongoing columns renamed ``gmlmidonset``/``gmlmidongoing``) and ``disps`` is
    ``gml_mid_disps``; both with Int64 keys. Dispute-years are whittled to one row per dyad-year
    with ``whittle`` (see :func:`whittle_dyad_year_disputes`), then left-joined.

    Added columns: ``gmlmidonset``, ``gmlmidongoing`` and then ``keep``. ``keep=None`` gives what
    peacesciencer's ``keep = NULL`` gives: ``init1``, ``init2``, ``sidea1``, ``sidea2``,
    ``orig1``, ``orig2``; ``keep=[]`` gives onset and ongoing only; any other list names columns
    of the dispute table (``dispnum``, ``hostlev1``, …) or ``init1``/``init2``. ``initN`` is 1
    when state N is on side A or joined the dispute (not an originator) on either side, else 0.
    Inside ``coverage`` (inclusive years) onset and ongoing are 0 without a dispute, while the
    other columns stay null; outside it every added column is null.

    Example:
        >>> import polars as pl
        >>> frame = pl.DataFrame({"ccode1": [2, 2, 2], "ccode2": [20, 20, 20],
        ...                       "year": [1900, 1901, 2015]})
        >>> dy = pl.DataFrame({"dispnum": [7], "ccode1": [2], "ccode2": [20], "year": [1901],
        ...                    "gmlmidongoing": [1.0], "gmlmidonset": [1.0], "sidea1": [0.0],
        ...                    "sidea2": [1.0], "orig1": [0.0], "orig2": [1.0]})
        >>> out = add_gml_mids(frame, dy, None)
        >>> out.select("year", "gmlmidonset", "init1", "init2").rows()
        [(1900, 0.0, None, None), (1901, 1.0, 1.0, 1.0), (2015, None, None, None)]
    """
    return _add_mids(
        frame,
        ddydisps,
        disps,
        prefix="gmlmid",
        keep=keep,
        whittle=whittle,
        coverage=coverage,
        caller="add_gml_mids",
    )


def add_cow_mids(
    frame: pl.DataFrame,
    ddydisps: pl.DataFrame,
    disps: pl.DataFrame | None,
    *,
    keep: list[str] | None = None,
    whittle: Sequence[str] = DEFAULT_WHITTLE,
    coverage: tuple[int, int] = (1816, 2014),
) -> pl.DataFrame:
    """Add Correlates of War MIDs (v5.0) to a dyad-year frame, as peacesciencer does.

    Same rules as :func:`add_gml_mids`, with ``cow_mid_ddydisps`` / ``cow_mid_disps`` and the
    columns ``cowmidonset``, ``cowmidongoing``. ``keep=None`` (peacesciencer's ``keep = NULL``)
    adds nothing else; a list adds those columns of the dispute table (or ``init1``/``init2``).

    Example:
        >>> import polars as pl
        >>> frame = pl.DataFrame({"ccode1": [2, 2], "ccode2": [20, 20], "year": [1979, 2020]})
        >>> dy = pl.DataFrame({"dispnum": [2968], "ccode1": [2], "ccode2": [20], "year": [1979],
        ...                    "cowmidongoing": [1.0], "cowmidonset": [1.0]})
        >>> add_cow_mids(frame, dy, None).rows()
        [(2, 20, 1979, 1.0, 1.0), (2, 20, 2020, None, None)]
    """
    return _add_mids(
        frame,
        ddydisps,
        disps,
        prefix="cowmid",
        keep=keep,
        whittle=whittle,
        coverage=coverage,
        caller="add_cow_mids",
    )


# ---------------------------------------------------------------------------------------------
# frame-level enrichers (``--with gml-mids``; ``--with cow-mids`` is in foedus.frames.cow_mids)
# ---------------------------------------------------------------------------------------------
def enrich_gml_mids(
    frame: Frame, *, keep: Sequence[str] | None = None, whittle: Sequence[str] | None = None
) -> Frame:
    """GML MIDs on a COW dyad-year frame (reads ``gml_mid_ddydisps`` and ``gml_mid_disps``)."""
    frame.require_dyads("add_gml_mids")
    frame.require_cow("GML MIDs")
    ddy, used1 = frame.read("gml_mid_ddydisps", "GML MID dyad-years")
    disps, used2 = frame.read("gml_mid_disps", "GML MID dispute attributes (whittling)")
    options: dict[str, Any] = {"keep": list(keep) if keep is not None else None}
    if whittle is not None:
        options["whittle"] = list(whittle)
    return frame.with_data(add_gml_mids(frame.df, ddy, disps, **options), used1, used2)


ENRICHERS = (
    Enricher("gml-mids", DYADS, enrich_gml_mids, "GML MID 2.2.1 disputes",
             tables=("gml_mid_ddydisps", "gml_mid_disps"), aliases=("mids",),
             options=("keep", "whittle"), keys_only=True, reusable=True),
)  # fmt: skip
