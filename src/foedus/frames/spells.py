"""Peace years ("spells"): years since the last conflict in a dyad's (or state's) series.

Reproduces peacesciencer 1.2.9 ``add_peace_years()`` (which calls stevemisc's ``sbtscs()``) value
for value; ``on="onset"`` gives the onset-based variant of ``add_spells()``. The rules, checked on
the peer's reference outputs, are written up in ``docs/disputes-and-spells.md``:

* a family ``P`` is present when the frame has both ``Ponset`` and ``Pongoing``; it gets ``Pspell``;
* the spell ends on the *ongoing* column by default: ``Pspell`` is the number of observed rows of
  the unit since its last row with ``Pongoing != 0`` (or since its first observed row);
* a conflict year itself carries the count reached before it (peace 1900-1904, war 1905 gives
  0, 1, 2, 3, 4, 5); the row after a conflict year is 0, and so is every further conflict year;
* rows, not calendar years, are counted: a unit that leaves the system and comes back continues
  its count across the gap (the peer's default ``pad = FALSE``);
* rows whose event is null (years outside the data's coverage) get a null spell and are skipped:
  they neither count nor end a spell.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import polars as pl

from foedus.errors import FoedusError
from foedus.frames.enrichers import BOTH, Enricher

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

__all__ = ["KNOWN_FAMILIES", "add_peace_years"]

#: Families in the order peacesciencer appends their spells; others found follow in frame order.
KNOWN_FAMILIES: tuple[str, ...] = ("cowmid", "gmlmid", "cowinter", "ucdp", "cowintra")

_UNIT_CANDIDATES: tuple[tuple[str, ...], ...] = (
    ("ccode1", "ccode2"),
    ("gwcode1", "gwcode2"),
    ("ccode",),
    ("gwcode",),
)


def _families(frame: pl.DataFrame) -> list[str]:
    cols = set(frame.columns)
    found = [c[: -len("onset")] for c in frame.columns if c.endswith("onset")]
    found = [p for p in found if p and f"{p}ongoing" in cols]
    return [p for p in KNOWN_FAMILIES if p in found] + [p for p in found if p not in KNOWN_FAMILIES]


def _spell(event: str, units: Sequence[str]) -> pl.Expr:
    """Spell of ``event`` on a frame sorted by units then time (pure scans, no group-by)."""
    x = pl.col(event)
    valid = x.is_not_null()
    vpos = valid.cast(pl.Int64).cum_sum()  # 1-based rank among observed rows
    # first row of each unit (row 0 compares with a null, so it counts too)
    new_unit = pl.any_horizontal([pl.col(u).ne_missing(pl.col(u).shift(1)) for u in units])
    # observed rows before the unit's first row
    base = pl.when(new_unit).then(vpos - valid.cast(pl.Int64)).forward_fill()
    # rank of the last conflict row strictly before this row (any unit)
    last = pl.when(valid & (x != 0)).then(vpos).shift(1).forward_fill().fill_null(0)
    return pl.when(valid).then(vpos - pl.max_horizontal(last, base) - 1)


def add_peace_years(
    frame: pl.DataFrame,
    *,
    events: Sequence[str] | None = None,
    on: Literal["ongoing", "onset"] = "ongoing",
    unit: Sequence[str] | None = None,
    time: str = "year",
) -> pl.DataFrame:
    """Add ``<family>spell`` peace years for each conflict family in the frame.

    ``events`` lists family prefixes (``"gmlmid"``, ``"cowmid"``, ``"ucdp"``, …); ``None`` takes
    every prefix ``P`` with both ``Ponset`` and ``Pongoing`` present. ``on`` picks the column that
    ends a spell (peacesciencer's ``add_peace_years()`` uses ``"ongoing"``). ``unit`` is the
    cross-section; by default ``ccode1, ccode2`` (or ``gwcode1, gwcode2``) on dyad-years and
    ``ccode`` (else ``gwcode``) on state-years. The spell is an Int64 count of the unit's observed
    rows since its last conflict row (see the module notes); null events give null spells. Row
    order and all other columns are unchanged; an existing ``<family>spell`` is replaced.

    Example:
        >>> import polars as pl
        >>> frame = pl.DataFrame({"ccode1": [2] * 6, "ccode2": [20] * 6,
        ...                       "year": [1900, 1901, 1902, 1903, 1904, 2011],
        ...                       "gmlmidonset": [0.0, 1.0, 0.0, 0.0, 0.0, None],
        ...                       "gmlmidongoing": [0.0, 1.0, 1.0, 0.0, 0.0, None]})
        >>> add_peace_years(frame)["gmlmidspell"].to_list()
        [0, 1, 0, 0, 1, None]
    """
    if on not in ("ongoing", "onset"):
        raise FoedusError(f"on={on!r} is not 'ongoing' or 'onset'", where="add_peace_years")
    families = _families(frame) if events is None else list(events)
    for p in families:
        if f"{p}{on}" not in frame.columns:
            raise FoedusError(
                f"frame has no column '{p}{on}' for family {p!r}",
                where="add_peace_years",
                fix="add the conflict data first (e.g. add_gml_mids) or fix `events`",
            )
    if not families:
        return frame
    if unit is None:
        unit = next((u for u in _UNIT_CANDIDATES if all(c in frame.columns for c in u)), None)
        if unit is None:
            raise FoedusError(
                "cannot tell the cross-sectional unit (no ccode1/ccode2, gwcode1/gwcode2, "
                "ccode or gwcode)",
                where="add_peace_years",
                fix="pass unit=[...]",
            )
    units = list(unit)
    absent = [c for c in [*units, time] if c not in frame.columns]
    if absent:
        raise FoedusError(f"frame lacks column(s) {absent}", where="add_peace_years")

    names = [f"{p}spell" for p in families]
    keys = [*units, time]
    work = frame.select(*keys, *[f"{p}{on}" for p in families])
    exprs = [_spell(f"{p}{on}", units).alias(n) for p, n in zip(families, names, strict=True)]
    if work.height < 2 or _is_sorted(work, keys):
        spells = work.select(exprs)
    else:
        order = _sort_order(work, keys)
        done = work[order].select(exprs)
        # put each sorted value back at its original row
        spells = pl.DataFrame(
            [
                pl.repeat(None, done.height, dtype=s.dtype, eager=True)
                .alias(s.name)
                .scatter(order, s)
                for s in done.iter_columns()
            ]
        )
    return frame.drop(names, strict=False).hstack(spells)


def _sort_order(df: pl.DataFrame, keys: Sequence[str]) -> pl.Series:
    """Stable ascending order of ``keys``; integer keys are packed into one Int64 (much faster)."""
    if all(df.schema[k].is_integer() and not df[k].null_count() for k in keys):
        bounds = df.select(
            *[pl.col(k).min().alias(f"lo{i}") for i, k in enumerate(keys)],
            *[pl.col(k).max().alias(f"hi{i}") for i, k in enumerate(keys)],
        ).row(0)
        lows, highs = bounds[: len(keys)], bounds[len(keys) :]
        spans = [int(hi) - int(lo) + 1 for lo, hi in zip(lows, highs, strict=True)]
        total = df.height
        for span in spans:
            total *= span
        if total < 2**62:
            packed = pl.lit(0, pl.Int64)
            for k, lo, span in zip(keys, lows, spans, strict=True):
                packed = packed * span + (pl.col(k).cast(pl.Int64) - lo)
            packed = packed * df.height + pl.int_range(pl.len(), dtype=pl.Int64)
            return df.select(packed.arg_sort()).to_series()
    return df.select(pl.arg_sort_by(list(keys), maintain_order=True)).to_series()


def _is_sorted(df: pl.DataFrame, keys: Sequence[str]) -> bool:
    """Whether rows are in ascending lexicographic order of ``keys`` (nulls not allowed)."""
    if any(df[k].null_count() for k in keys):
        return False
    later = pl.lit(False)
    equal = pl.lit(True)
    for k in keys:
        cur, prev = pl.col(k), pl.col(k).shift(1)
        later = later | (equal & (cur > prev))
        equal = equal & (cur == prev)
    ok = (later | equal).slice(1)
    return bool(df.select(ok.all()).item())


# ---------------------------------------------------------------------------------------------
# frame-level enricher (``--with peace-years``)
# ---------------------------------------------------------------------------------------------
def enrich_peace_years(frame: Frame) -> Frame:
    """Years since the last onset for every onset column of the frame (reads no table)."""
    if not any(c.endswith("onset") for c in frame.df.columns):
        raise FoedusError(
            "add_peace_years needs a conflict onset column",
            fix="add disputes or conflicts first, e.g. .add_gml_mids() or .add_cow_mids()",
        )
    return frame.with_data(add_peace_years(frame.df))


ENRICHERS = (
    Enricher("peace-years", BOTH, enrich_peace_years, "years since last onset", phase=2,
             aliases=("peaceyears", "spells"), reusable=True),
)  # fmt: skip
