"""ATOP alliance obligations as directed dyad-years, built from the member-level release.

ATOP 5.1 ships a directed dyad-year file (``atop5_1ddyr``) that the public snapshots lack;
peacesciencer bundles its obligation dummies as ``atop_alliance``. :func:`derive_atop_dyad_years`
rebuilds that file from ``atop5_1m.csv`` (one row per alliance, phase and member) with the rules of
the ATOP codebook (v5.1, section 2.7), and :func:`add_atop_alliance` merges either table onto a
dyad-year frame the way peacesciencer's ``add_atop_alliance()`` does. The rules, their evidence and
the cells that cannot be derived from the member-level file are in ``docs/atop-dyad-rules.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

import polars as pl

from foedus.errors import FoedusError, SourceFormatError
from foedus.frames._lookup import dyad_year_rows, gather
from foedus.frames.enrichers import DYADS, Enricher

if TYPE_CHECKING:
    from foedus.frames.frame import Frame
    from foedus.provenance import Used
    from foedus.warehouse import Warehouse

#: The five primary obligations, in ATOP's order (member-level column names).
OBLIGATIONS: tuple[str, ...] = ("defense", "offense", "neutral", "nonagg", "consul")
#: Output names of the obligation dummies (peacesciencer's names).
ATOP_COLUMNS: tuple[str, ...] = tuple(f"atop_{name}" for name in OBLIGATIONS)
#: Last year of ATOP 5.1: an exit year of 0 means "still in force on 31 December 2018".
ATOP_LAST_YEAR = 2018
#: ATOP's first year.
ATOP_FIRST_YEAR = 1815

_KEYS = ["ccode1", "ccode2", "year"]
_SPELL_COLUMNS = [
    "atopid", "member", "phase", "yrent", "moent", "dayent", "yrexit", "moexit", "dayexit"
]  # fmt: skip
_MEMBER_COLUMNS = [*_SPELL_COLUMNS, *OBLIGATIONS]
# A date as one sortable integer, yyyymmdd; "no exit" sorts after every real date.
_OPEN_END = 99_999_999


def _member_spells(members: pl.DataFrame) -> pl.LazyFrame:
    """One row per member spell with its first/last year and comparable entry/exit dates."""
    missing = [name for name in _MEMBER_COLUMNS if name not in members.columns]
    if missing:
        raise SourceFormatError(
            f"member-level ATOP frame lacks columns {missing}",
            where="atop5_1m.csv",
            fix="read the whole member-level file with lower-case column names",
        )
    day_in = pl.col("dayent").fill_null(0)
    day_out = pl.col("dayexit").fill_null(0)
    in_force = pl.col("yrexit") == 0
    return (
        members.lazy()
        .select(_MEMBER_COLUMNS)
        .with_columns(pl.col(_SPELL_COLUMNS).cast(pl.Int64))
        # Codebook fn. 18/19: a member without a three-digit COW code (Annam, 8152) is dropped.
        .filter(pl.col("member") < 1000)
        .with_columns(
            # An unknown day (blank or 0) is read inclusively: entry on the 1st, exit on the 31st.
            start=pl.col("yrent") * 10_000
            + pl.col("moent") * 100
            + pl.when(day_in > 0).then(day_in).otherwise(1),
            end=pl.when(in_force)
            .then(pl.lit(_OPEN_END, dtype=pl.Int64))
            .otherwise(
                pl.col("yrexit") * 10_000
                + pl.col("moexit") * 100
                + pl.when(day_out > 0).then(day_out).otherwise(31)
            ),
            year=pl.int_ranges(
                "yrent",
                pl.when(in_force).then(ATOP_LAST_YEAR).otherwise(pl.col("yrexit")) + 1,
                dtype=pl.Int64,
            ),
        )
        .explode("year")
        .with_columns(pl.col(OBLIGATIONS).fill_null(0).cast(pl.Int8))
    )


def derive_atop_dyad_years(members: pl.DataFrame, *, with_ids: bool = False) -> pl.DataFrame:
    """Directed dyad-year ATOP obligations derived from the member-level file (``atop5_1m.csv``).

    ``ccode1 -> ccode2`` carries ccode1's own obligations (as coded on its member row) in every
    alliance that both states belong to at the same time during the year; a dyad-year appears when
    the two states share at least one alliance, even if neither owes the other anything. Rules
    (``docs/atop-dyad-rules.md``): members without a COW code are dropped; a pair counts only if
    both memberships overlap in time (one joining on or after the day the other left does not);
    when an alliance changes phase during a year, the pair's latest phase in that year is used;
    an exit year of 0 means in force through 2018; obligations are combined over alliances by
    maximum. Members whose obligations differ by partner (``obvary`` = 1) are coded towards every
    partner, since the member-level file does not say which partners they are.

    Args:
        members: the member-level file as read by polars (lower-case names, keys Int64).
        with_ids: also return ``atopids``, the sorted ATOPIDs behind each dyad-year.

    Returns:
        ``ccode1``, ``ccode2``, ``year`` (Int64) and ``atop_defense`` … ``atop_consul`` (Float64
        0/1), sorted by the keys; plus ``atopids`` (list[Int64]) when asked for.

    Example:
        >>> import polars as pl
        >>> m = pl.DataFrame({
        ...     "atopid": [1415, 1415], "member": [200, 740], "phase": [0, 0],
        ...     "yrent": [1902, 1902], "moent": [1, 1], "dayent": [30, 30],
        ...     "yrexit": [1903, 1903], "moexit": [8, 8], "dayexit": [12, 12],
        ...     "defense": [1, 0], "offense": [0, 0], "neutral": [1, 1],
        ...     "nonagg": [0, 0], "consul": [1, 1]})
        >>> derive_atop_dyad_years(m).select("ccode1", "ccode2", "year", "atop_defense").rows()
        [(200, 740, 1902, 1.0), (200, 740, 1903, 1.0), (740, 200, 1902, 0.0), (740, 200, 1903, 0.0)]
    """
    spells = _member_spells(members)
    side_a = spells.select(
        "atopid", "phase", "year", *OBLIGATIONS, ccode1="member", start1="start", end1="end"
    )
    side_b = spells.select("atopid", "phase", "year", ccode2="member", start2="start", end2="end")
    pairs = (
        side_a.join(side_b, on=["atopid", "phase", "year"], maintain_order="left")
        .filter(
            (pl.col("ccode1") != pl.col("ccode2"))
            # Codebook 2.7: drop pairs in which one state joined after the other had left.
            & (pl.col("start1") < pl.col("end2"))
            & (pl.col("start2") < pl.col("end1"))
        )
        # A phase change within the year: the pair's latest phase of that alliance codes the year.
        .filter(pl.col("phase") == pl.col("phase").max().over("atopid", "ccode1", "ccode2", "year"))
    )
    aggregations = [
        pl.col(name).max().cast(pl.Float64).alias(f"atop_{name}") for name in OBLIGATIONS
    ]
    if with_ids:
        aggregations.append(pl.col("atopid").unique().sort().alias("atopids"))
    return pairs.group_by(_KEYS).agg(aggregations).sort(_KEYS).collect()


def add_atop_alliance(
    frame: pl.DataFrame,
    atop_ddy: pl.DataFrame,
    *,
    directed: bool = True,
    coverage: tuple[int, int] = (ATOP_FIRST_YEAR, ATOP_LAST_YEAR),
) -> pl.DataFrame:
    """Add ATOP alliance columns to a dyad-year frame, as peacesciencer's ``add_atop_alliance()``.

    Adds ``atop_alliance`` (1 when the dyad-year is in ``atop_ddy``, i.e. the two states share an
    ATOP alliance — even one in which neither owes the other an obligation — else 0) and the five
    obligation dummies ``atop_defense`` … ``atop_consul``, all Float64.
    Dyad-years inside ``coverage`` (inclusive) without a record get 0, those outside get null.

    With ``directed=False`` the frame is taken as non-directed: each obligation is 1 when either
    state owes it to the other (the maximum over both directions), whatever order the two codes
    are in — peacesciencer's default (``ndir = TRUE``) for non-directed dyads.

    Args:
        frame: dyad-years with Int64 ``ccode1``, ``ccode2``, ``year``.
        atop_ddy: directed dyad-year obligations: peacesciencer's ``atop_alliance`` table or the
            output of :func:`derive_atop_dyad_years` (an ``atopids`` column is ignored).
        directed: whether ``frame`` is directed.
        coverage: first and last year of ATOP.

    Returns:
        ``frame`` (same rows, same order) with the six columns appended.

    Example:
        >>> import polars as pl
        >>> ddy = pl.DataFrame({"ccode1": [220, 211], "ccode2": [211, 220], "year": [1832, 1832],
        ...     "atop_defense": [1.0, 0.0], "atop_offense": [0.0, 0.0], "atop_neutral": [0.0, 0.0],
        ...     "atop_nonagg": [0.0, 0.0], "atop_consul": [0.0, 0.0]})
        >>> dy = pl.DataFrame({"ccode1": [211, 211, 211], "ccode2": [220, 220, 220],
        ...     "year": [1832, 1833, 2020]})
        >>> add_atop_alliance(dy, ddy).select("year", "atop_alliance", "atop_defense").rows()
        [(1832, 1.0, 0.0), (1833, 0.0, 0.0), (2020, None, None)]
        >>> add_atop_alliance(dy, ddy, directed=False)["atop_defense"].to_list()
        [1.0, 0.0, None]
    """
    added = ["atop_alliance", *ATOP_COLUMNS]
    clash = [name for name in added if name in frame.columns]
    if clash:
        raise FoedusError(
            f"frame already has columns {clash}", fix="drop them before adding ATOP alliances"
        )
    missing = [name for name in [*_KEYS, *ATOP_COLUMNS] if name not in atop_ddy.columns]
    if missing:
        raise SourceFormatError(
            f"ATOP dyad-year table lacks columns {missing}",
            where="atop_ddy",
            fix="pass peacesciencer's atop_alliance table or derive_atop_dyad_years() output",
        )
    table = atop_ddy.lazy().select(
        pl.col(_KEYS).cast(pl.Int64, strict=True),
        pl.lit(1.0).alias("atop_alliance"),
        pl.col(ATOP_COLUMNS).cast(pl.Float64),
    )
    lo = pl.min_horizontal("ccode1", "ccode2")
    hi = pl.max_horizontal("ccode1", "ccode2")
    first, last = coverage
    covered = pl.col("year").is_between(first, last)
    if directed and all(frame.schema.get(k) == pl.Int64 for k in _KEYS):
        # The row of the obligations table for each dyad-year, then a gather (no join of the frame).
        found = table.collect()
        rows, repeated = dyad_year_rows(frame, found)
        if repeated:
            raise SourceFormatError(
                "ATOP dyad-year table has duplicate dyad-years",
                where="atop_ddy",
                fix="collapse it to one row per (ccode1, ccode2, year)",
            )
        gathered = pl.DataFrame(gather(found, rows, added)).with_columns(frame["year"])
        filled = gathered.select(
            pl.when(pl.col(name).is_null() & covered).then(pl.lit(0.0)).otherwise(pl.col(name))
            .alias(name)
            for name in added
        )  # fmt: skip
        return frame.hstack(filled.get_columns())
    if directed:
        join_keys = _KEYS
        lhs = frame.lazy()
    else:
        table = table.with_columns(ccode1=lo, ccode2=hi).group_by(_KEYS).agg(pl.col(added).max())
        join_keys = ["_lo", "_hi", "year"]
        table = table.rename({"ccode1": "_lo", "ccode2": "_hi"})
        lhs = frame.lazy().with_columns(_lo=lo, _hi=hi)
    if table.select(pl.struct(join_keys).is_duplicated().any()).collect().item():
        raise SourceFormatError(
            "ATOP dyad-year table has duplicate dyad-years",
            where="atop_ddy",
            fix="collapse it to one row per (ccode1, ccode2, year)",
        )
    out = (
        lhs.join(table, on=join_keys, how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col(name).is_null() & covered)
            .then(pl.lit(0.0))
            .otherwise(pl.col(name))
            .alias(name)
            for name in added
        )
        .select(*frame.columns, *added)
    )
    return out.collect()


# ---------------------------------------------------------------------------------------------
# frame-level enricher (``--with atop``, ``atop-derived``, ``atop-ddy``)
# ---------------------------------------------------------------------------------------------
_DERIVED_CACHE: dict[tuple[str, str, str], pl.DataFrame] = {}


def _cached_derivation(wh: Warehouse, table: str, build: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    # A derivation is pure in its input release: one result per warehouse and imported file.
    record = wh.active(table)
    key = (str(wh.path), table, f"{record.sha256}:{record.imported_at.isoformat()}")
    if key not in _DERIVED_CACHE:
        _DERIVED_CACHE[key] = build()
    return _DERIVED_CACHE[key]


def atop_obligations(frame: Frame, source: str = "auto") -> tuple[pl.DataFrame, Used]:
    """ATOP directed dyad-year obligations for ``frame``'s warehouse and their provenance:
    ATOP's own table (``source="ddy"``, or ``"auto"`` when it is imported), else derived from the
    member-level file (``"derived"``; cached per imported release)."""
    wh = frame.require_warehouse()
    if source not in ("auto", "ddy", "derived"):
        raise FoedusError(f"unknown ATOP source '{source}'", fix="use auto, ddy or derived")
    if source == "ddy" or (source == "auto" and wh.has("atop_ddy")):
        return frame.read("atop_ddy", "ATOP obligations (ATOP directed dyad-year table)")
    members, used = frame.read("atop_member", "ATOP obligations (derived from members)")
    ddy = _cached_derivation(wh, "atop_member", lambda: derive_atop_dyad_years(members))
    return ddy, used


def enrich_atop(frame: Frame, *, source: str = "auto") -> Frame:
    """Frame-level ATOP enricher (``--with atop``): see ``Frame.add_atop_alliance``."""
    frame.require_dyads("add_atop_alliance")
    frame.require_cow("ATOP")
    ddy, used = atop_obligations(frame, source)
    return frame.with_data(add_atop_alliance(frame.df, ddy, directed=bool(frame.directed)), used)


_TABLES = ("atop_ddy", "atop_member")
ENRICHERS = (
    Enricher("atop", DYADS, enrich_atop, "ATOP alliance obligations", tables=_TABLES,
             aliases=("alliances", "atop-alliance"), keys_only=True, reusable=True),
    Enricher("atop-derived", DYADS, partial(enrich_atop, source="derived"),
             "ATOP obligations derived from the member-level file", tables=("atop_member",), keys_only=True, reusable=True),
    Enricher("atop-ddy", DYADS, partial(enrich_atop, source="ddy"),
             "ATOP obligations from ATOP's own dyad-year table", tables=("atop_ddy",), keys_only=True, reusable=True),
)  # fmt: skip
