"""COW MID 5.0 participants and dyadic dispute-years, rebuilt from the official release files.

The Correlates of War MID 5.0 release has four files: disputes (``MIDA``), participants
(``MIDB``: one row per state and spell of participation, with its side, whether it was an
*originator* — involved on the dispute's first day — or a *joiner*, and its start and end dates),
incidents (``MIDI``) and incident-participants (``MIDIP``). MIDIP covers only the 667 disputes that
began in 1992 or later, so dispute-years for 1816–2014 come from the participant file, as
peacesciencer's ``cow_mid_dirdisps`` / ``cow_mid_ddydisps`` do; MIDIP adds each participation
spell's number of incidents where it exists.

Rules (``docs/disputes-and-spells.md``, section 6):

* A participation spell runs from its start date to its end date; an unknown start day (-9) is
  the first of the month, an unknown end day the last day of the month (the widest span).
* States *i* and *j* form a directed dispute-dyad in year *Y* when they were on opposite sides
  (``sidea`` differs) and two of their spells share at least one day of *Y*. The row's participant
  values come from the pair of spells with the earliest common day in *Y*; a state that switched
  sides (the Second World War, dispute 258) has one row per side.
* ``disponset`` is 1 in the first year of the dyad in the dispute, after a gap of a year or more,
  and in the year either state *re-enters* the dispute (starts a spell that is not its first in
  that dispute). peacesciencer applies the last rule by hand to fifteen dispute-state-years; the
  rule gives all of them, and one more (Finland–Russia, dispute 4678, 2014; listed in
  ``docs/peacesciencer-differences.md``).
* ``-9`` (unknown) in ``fatality``, ``fatalpre`` and ``hiact`` is kept as ``-9`` in the dyadic
  tables, as peacesciencer keeps it (whittling ranks a dispute's ``fatality`` of -9 as 0.5); the
  participant table has null there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from foedus.errors import FoedusError, SourceFormatError
from foedus.frames.disputes import DEFAULT_WHITTLE, add_cow_mids, whittle_dyad_year_disputes
from foedus.frames.enrichers import DYADS, Enricher

if TYPE_CHECKING:
    from foedus.frames.frame import Frame
    from foedus.warehouse import Warehouse

__all__ = [
    "DISPUTE_COLUMNS",
    "DYAD_VALUE_COLUMNS",
    "cow_mid_disputes",
    "cow_mid_dyad_dispute_years",
    "cow_mid_dyad_years",
    "cow_mid_participants",
    "enrich_cow_mids",
    "load_cow_mid_participants",
    "rebuilt_tables",
]

#: Participant values carried to both sides of a dispute-dyad (suffixes 1 and 2), the peer's order.
DYAD_VALUE_COLUMNS: tuple[str, ...] = ("sidea", "fatality", "fatalpre", "hiact", "hostlev", "orig")
#: Columns of the dispute-level table, in the peer's ``cow_mid_disps`` order.
DISPUTE_COLUMNS: tuple[str, ...] = (
    "dispnum",
    "styear",
    "stmon",
    "outcome",
    "settle",
    "fatality",
    "mindur",
    "maxdur",
    "hiact",
    "hostlev",
    "recip",
)
# Columns whose -9 ("unknown") the peer's dyadic tables keep as -9.
_MINUS_NINE: tuple[str, ...] = ("fatality", "fatalpre", "hiact", "outcome", "settle")
_MIDB = (
    "dispnum ccode stabb stday stmon styear endday endmon endyear sidea revstate revtype1 "
    "revtype2 fatality fatalpre hiact hostlev orig"
).split()
_MIDA = "dispnum stday stmon styear endday endmon endyear".split() + list(DISPUTE_COLUMNS[3:])


def _require(df: pl.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SourceFormatError(
            f"the {what} table lacks column(s) {', '.join(missing)}",
            where=what,
            fix=f"pass the warehouse's {what} table (import the COW MID 5.0 release files)",
        )


def _dates(df: pl.DataFrame) -> pl.DataFrame:
    """``stdate``/``enddate`` with unknown days as the first / last day of the month."""
    last = pl.date(pl.col("endyear"), pl.col("endmon"), 1).dt.month_end().dt.day()
    out = df.with_columns(
        stdate=pl.date("styear", "stmon", pl.col("stday").fill_null(1)),
        enddate=pl.date("endyear", "endmon", pl.col("endday").fill_null(last)),
    )
    bad = out.filter(
        pl.col("stdate").is_null()
        | pl.col("enddate").is_null()
        | (pl.col("enddate") < pl.col("stdate"))
    )
    if bad.height:
        row = bad.row(0, named=True)
        raise SourceFormatError(
            f"{bad.height} participation spell(s) without a usable start/end month or with the "
            f"end before the start (first: dispute {row['dispnum']})",
            where="MID dates",
            fix="use the MID 5.0 release files as published",
        )
    return out


def cow_mid_participants(
    midb: pl.DataFrame,
    mida: pl.DataFrame | None = None,
    midip: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per state and spell of participation in a COW MID: who took part, on which side,
    as originator or joiner, from when to when.

    ``midb`` is the warehouse table ``cow_mid_b`` (``MIDB 5.0.csv``: -9 already null). Columns:
    ``dispnum, ccode, stabb, spell`` (1, 2… in start order for a state that left and re-entered),
    ``side`` (``"A"`` = the side that took the first militarized action, ``"B"``), ``sidea``,
    ``originator`` (involved on the dispute's first day) and ``joiner`` (= not an originator),
    ``reentry`` (spell > 1), ``switched_side`` (on another side than in its first spell),
    ``stdate``, ``enddate`` (unknown days as the first / last day of the month),
    ``start_day_known``, ``end_day_known``, ``ally_originators`` (the originators on the same side:
    whom a joiner joined), ``revstate, revtype1, revtype2, fatality, fatalpre, hiact, hostlev``.
    With ``mida`` (``cow_mid_a``): ``dispute_start`` and ``days_after_start`` (how long after the
    dispute's first day the spell began). With ``midip`` (``cow_mid_ip``): ``incidents``, the
    number of the state's incidents in the dispute that began within the spell — null for the
    disputes MIDIP does not cover (all before 1992).

    Example:
        >>> midb = pl.DataFrame({"dispnum": [1, 1, 1], "ccode": [2, 20, 200],
        ...     "stabb": ["USA", "CAN", "UKG"], "stday": [5, 5, None], "stmon": [3, 3, 6],
        ...     "styear": [1990, 1990, 1990], "endday": [9, 9, 9], "endmon": [8, 8, 8],
        ...     "endyear": [1990, 1990, 1990], "sidea": [1, 0, 1], "revstate": [1, 0, 0],
        ...     "revtype1": [1, None, None], "revtype2": [None, None, None], "fatality": [0, 0, 0],
        ...     "fatalpre": [0, 0, 0], "hiact": [7, 0, 7], "hostlev": [3, 1, 3],
        ...     "orig": [1, 1, 0]})
        >>> p = cow_mid_participants(midb)
        >>> p.select("ccode", "side", "joiner", "stdate", "ally_originators").rows()[2]
        (200, 'A', 1, datetime.date(1990, 6, 1), [2])
    """
    _require(midb, _MIDB, "cow_mid_b")
    df = _dates(midb.select(_MIDB)).sort("dispnum", "ccode", "stdate", "enddate")
    df = df.with_columns(
        spell=pl.int_range(1, pl.len() + 1).over("dispnum", "ccode"),
        side=pl.when(pl.col("sidea") == 1).then(pl.lit("A")).otherwise(pl.lit("B")),
        originator=pl.col("orig").cast(pl.Int64),
        joiner=(1 - pl.col("orig")).cast(pl.Int64),
        start_day_known=pl.col("stday").is_not_null(),
        end_day_known=pl.col("endday").is_not_null(),
    ).with_columns(
        reentry=pl.col("spell") > 1,
        switched_side=pl.col("sidea") != pl.col("sidea").first().over("dispnum", "ccode"),
    )
    originators = (
        df.filter(pl.col("originator") == 1)
        .group_by("dispnum", "sidea")
        .agg(pl.col("ccode").unique().sort().alias("ally_originators"))
    )
    df = df.join(originators, on=["dispnum", "sidea"], how="left", maintain_order="left").with_columns(
        pl.col("ally_originators").fill_null(pl.lit([], dtype=pl.List(pl.Int64)))
    )
    columns = [
        "dispnum", "ccode", "stabb", "spell", "side", "sidea", "originator", "joiner", "reentry",
        "switched_side", "stdate", "enddate", "start_day_known", "end_day_known",
        "ally_originators", "revstate", "revtype1", "revtype2", "fatality", "fatalpre", "hiact",
        "hostlev",
    ]  # fmt: skip
    if mida is not None:
        _require(mida, _MIDA, "cow_mid_a")
        starts = _dates(mida.select(_MIDA)).select(
            "dispnum", pl.col("stdate").alias("dispute_start")
        )
        df = df.join(starts, on="dispnum", how="left", maintain_order="left").with_columns(
            days_after_start=(pl.col("stdate") - pl.col("dispute_start")).dt.total_days()
        )
        columns += ["dispute_start", "days_after_start"]
    if midip is not None:
        _require(midip, ["dispnum", "ccode", "stday", "stmon", "styear"], "cow_mid_ip")
        incidents = midip.select(
            "dispnum",
            "ccode",
            pl.date("styear", "stmon", pl.col("stday").fill_null(1)).alias("_incident"),
        )
        covered = incidents["dispnum"].unique().implode()
        counts = (
            df.select("dispnum", "ccode", "spell", "stdate", "enddate")
            .join(incidents, on=["dispnum", "ccode"], how="inner", maintain_order="left")
            .filter(pl.col("_incident").is_between("stdate", "enddate"))
            .group_by("dispnum", "ccode", "spell")
            .agg(pl.len().cast(pl.Int64).alias("incidents"))
        )
        df = df.join(counts, on=["dispnum", "ccode", "spell"], how="left", maintain_order="left").with_columns(
            pl.when(pl.col("dispnum").is_in(covered))
            .then(pl.col("incidents").fill_null(0))
            .otherwise(None)
            .alias("incidents")
        )
        columns.append("incidents")
    return df.select(columns).sort("dispnum", "ccode", "spell")


def cow_mid_disputes(mida: pl.DataFrame) -> pl.DataFrame:
    """The dispute-level table in peacesciencer's ``cow_mid_disps`` shape, from ``cow_mid_a``.

    ``dispnum, styear, stmon, outcome, settle, fatality, mindur, maxdur, hiact, hostlev, recip``
    (values Float64 as the peer's; -9 kept in ``outcome``, ``settle``, ``fatality``).

    Example:
        >>> mida = pl.DataFrame({"dispnum": [3], "stday": [2], "stmon": [5], "styear": [1913],
        ...     "endday": [25], "endmon": [10], "endyear": [1913], "outcome": [4],
        ...     "settle": [3], "fatality": [None], "fatalpre": [None], "mindur": [177],
        ...     "maxdur": [177], "hiact": [8], "hostlev": [3], "recip": [0]})
        >>> cow_mid_disputes(mida).row(0)
        (3, 1913, 5.0, 4.0, 3.0, -9.0, 177.0, 177.0, 8.0, 3.0, 0.0)
    """
    _require(mida, _MIDA, "cow_mid_a")
    values = [c for c in DISPUTE_COLUMNS if c not in ("dispnum", "styear")]
    return (
        mida.select(
            pl.col("dispnum").cast(pl.Int64),
            pl.col("styear").cast(pl.Int64),
            *[
                (pl.col(c).fill_null(-9) if c in _MINUS_NINE else pl.col(c)).cast(pl.Float64)
                for c in values
            ],
        )
        .select(DISPUTE_COLUMNS)
        .sort("dispnum")
    )


def cow_mid_dyad_dispute_years(participants: pl.DataFrame) -> pl.DataFrame:
    """Directed dispute-dyad-years (one row per dispute, ordered pair of opponents, year and pair
    of sides): peacesciencer's ``cow_mid_dirdisps``, from :func:`cow_mid_participants`.

    Columns: ``dispnum, ccode1, ccode2, year`` (Int64), ``dispongoing``, ``disponset``, then
    ``sidea1, sidea2, fatality1, fatality2, fatalpre1, fatalpre2, hiact1, hiact2, hostlev1,
    hostlev2, orig1, orig2`` (Float64; -9 = unknown). Sorted by dispute, dyad, year, sides.

    Example:
        >>> midb = pl.DataFrame({"dispnum": [1, 1], "ccode": [2, 20], "stabb": ["USA", "CAN"],
        ...     "stday": [5, 5], "stmon": [12, 12], "styear": [1990, 1990], "endday": [9, 9],
        ...     "endmon": [1, 1], "endyear": [1992, 1992], "sidea": [1, 0], "revstate": [1, 0],
        ...     "revtype1": [1, None], "revtype2": [None, None], "fatality": [0, None],
        ...     "fatalpre": [0, 0], "hiact": [7, 0], "hostlev": [3, 1], "orig": [1, 1]})
        >>> d = cow_mid_dyad_dispute_years(cow_mid_participants(midb))
        >>> d.filter(pl.col("ccode1") == 2).select("year", "disponset", "fatality2").rows()
        [(1990, 1.0, -9.0), (1991, 0.0, -9.0), (1992, 0.0, -9.0)]
    """
    needed = ["dispnum", "ccode", "spell", "stdate", "enddate", "reentry", *DYAD_VALUE_COLUMNS[:-1]]
    _require(participants, [*needed, "originator"], "participants")
    spells = participants.select(
        *needed,
        pl.col("originator").alias("orig"),
    ).with_columns(
        *[pl.col(c).fill_null(-9) for c in ("fatality", "fatalpre", "hiact")],
    )
    left = spells.rename({c: f"{c}1" for c in spells.columns if c != "dispnum"})
    right = spells.rename({c: f"{c}2" for c in spells.columns if c != "dispnum"})
    pairs = (
        left.join(right, on="dispnum", how="inner", maintain_order="left")
        .filter((pl.col("ccode1") != pl.col("ccode2")) & (pl.col("sidea1") != pl.col("sidea2")))
        .with_columns(
            _from=pl.max_horizontal("stdate1", "stdate2"),
            _to=pl.min_horizontal("enddate1", "enddate2"),
        )
        .filter(pl.col("_from") <= pl.col("_to"))
        .with_columns(year=pl.int_ranges(pl.col("_from").dt.year(), pl.col("_to").dt.year() + 1))
        .explode("year")
        .with_columns(_first=pl.max_horizontal("_from", pl.date(pl.col("year"), 1, 1)))
    )
    keys = ["dispnum", "ccode1", "ccode2", "year", "sidea1", "sidea2"]
    # a (re-)entry in this year by either state: the spell starts this year and is not its first
    reentered = (pl.col("reentry1") & (pl.col("stdate1").dt.year() == pl.col("year"))) | (
        pl.col("reentry2") & (pl.col("stdate2").dt.year() == pl.col("year"))
    )
    rows = (
        pairs.sort(*keys, "_first", "spell1", "spell2")
        .group_by(keys, maintain_order=True)
        .first()
        .with_columns(
            _gap=pl.col("year") - pl.col("year").shift(1).over("dispnum", "ccode1", "ccode2")
        )
        .with_columns(
            dispongoing=pl.lit(1.0),
            disponset=pl.when(pl.col("_gap").is_null() | (pl.col("_gap") > 1) | reentered)
            .then(1.0)
            .otherwise(0.0),
        )
    )
    values = [f"{c}{s}" for c in DYAD_VALUE_COLUMNS for s in ("1", "2")]
    return rows.select(
        *[pl.col(c).cast(pl.Int64) for c in ("dispnum", "ccode1", "ccode2", "year")],
        "dispongoing",
        "disponset",
        *[pl.col(c).cast(pl.Float64) for c in values],
    )


def cow_mid_dyad_years(
    midb: pl.DataFrame,
    mida: pl.DataFrame,
    whittle: Sequence[str] = DEFAULT_WHITTLE,
) -> pl.DataFrame:
    """One dispute per directed dyad-year: peacesciencer's ``cow_mid_ddydisps``, rebuilt from the
    MID 5.0 participant and dispute files and whittled with ``whittle``
    (:func:`foedus.frames.disputes.whittle_dyad_year_disputes`).

    Columns: ``dispnum, ccode1, ccode2, year, cowmidongoing, cowmidonset``, the participant values
    (``sidea1 … orig2``) and the dispute's ``fatality, hostlev, mindur, maxdur, recip, stmon``.

    Example:
        >>> from foedus.warehouse import Warehouse  # doctest: +SKIP
        >>> wh = Warehouse(read_only=True)  # doctest: +SKIP
        >>> cow_mid_dyad_years(wh.table("cow_mid_b"), wh.table("cow_mid_a")).height  # doctest: +SKIP
        10234
    """
    dirdisps = cow_mid_dyad_dispute_years(cow_mid_participants(midb)).rename(
        {"dispongoing": "cowmidongoing", "disponset": "cowmidonset"}
    )
    return whittle_dyad_year_disputes(dirdisps, cow_mid_disputes(mida), whittle)


_CACHE: dict[tuple[str, ...], tuple[pl.DataFrame, pl.DataFrame]] = {}


def rebuilt_tables(
    warehouse: Warehouse, midb: pl.DataFrame, mida: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(dispute-dyad-years, disputes)`` for the enricher: the unwhittled directed dispute-years
    (onset/ongoing named ``cowmidonset``/``cowmidongoing``) and the dispute-level table, computed
    once per warehouse and imported release pair.

    Example:
        >>> from foedus.warehouse import Warehouse  # doctest: +SKIP
        >>> wh = Warehouse(read_only=True)  # doctest: +SKIP
        >>> dy, ds = rebuilt_tables(wh, wh.table("cow_mid_b"), wh.table("cow_mid_a"))  # doctest: +SKIP
        >>> dy.height, ds.height  # doctest: +SKIP
        (11390, 2436)
    """
    key = (str(warehouse.path),) + tuple(
        f"{r.sha256}:{r.imported_at.isoformat()}"
        for r in (warehouse.active("cow_mid_b"), warehouse.active("cow_mid_a"))
    )
    if key not in _CACHE:
        dirdisps = cow_mid_dyad_dispute_years(cow_mid_participants(midb)).rename(
            {"dispongoing": "cowmidongoing", "disponset": "cowmidonset"}
        )
        _CACHE[key] = (dirdisps, cow_mid_disputes(mida))
    return _CACHE[key]


def load_cow_mid_participants(warehouse: Warehouse | None = None) -> pl.DataFrame:
    """:func:`cow_mid_participants` from the warehouse's MID 5.0 tables: ``cow_mid_b`` (required),
    ``cow_mid_a`` and ``cow_mid_ip`` (used when imported).

    Raises:
        FoedusError: the participant file (``MIDB 5.0.csv``) is not imported.

    Example:
        >>> p = load_cow_mid_participants()  # doctest: +SKIP
        >>> p.filter((pl.col("dispnum") == 258) & (pl.col("ccode") == 2))["stdate"].item()  # doctest: +SKIP
        datetime.date(1941, 12, 7)
    """
    from foedus.warehouse import Warehouse

    wh = warehouse if warehouse is not None else Warehouse(read_only=True)
    if not wh.has("cow_mid_b"):
        raise FoedusError(
            "the warehouse has no COW MID participant table (cow_mid_b)",
            where=str(wh.path),
            fix="import the MID 5.0 files: `foedus data import-all DIR` with 'MIDB 5.0.csv' "
            "(and 'MIDA 5.0.csv', 'MIDIP 5.0.csv') in DIR",
        )
    mida = wh.table("cow_mid_a") if wh.has("cow_mid_a") else None
    midip = wh.table("cow_mid_ip") if wh.has("cow_mid_ip") else None
    return cow_mid_participants(wh.table("cow_mid_b"), mida, midip)


def enrich_cow_mids(
    frame: Frame,
    *,
    keep: Sequence[str] | None = None,
    whittle: Sequence[str] | None = None,
    source: str = "auto",
) -> Frame:
    """COW MIDs on a COW dyad-year frame (``--with cow-mids``): dispute-years rebuilt from the
    warehouse's ``cow_mid_b``/``cow_mid_a`` (``source="midb"``, or ``"auto"`` when both are
    imported) or peacesciencer's ``cow_mid_ddydisps``/``cow_mid_disps`` (``source="peer"``),
    whittled with ``whittle`` (:func:`foedus.frames.disputes.add_cow_mids`).

    Example:
        >>> import foedus  # doctest: +SKIP
        >>> ddy = foedus.dyad_years("cow", years="2014").enrich(["cow-mids"])  # doctest: +SKIP
        >>> [u.table for u in ddy.used][-2:]  # doctest: +SKIP
        ['cow_mid_b', 'cow_mid_a']
    """
    frame.require_dyads("add_cow_mids")
    frame.require_cow("COW MIDs")
    if source not in ("auto", "midb", "peer"):
        raise FoedusError(f"unknown COW MID source '{source}'", fix="use auto, midb or peer")
    wh = frame.warehouse
    official = wh is not None and wh.has("cow_mid_b") and wh.has("cow_mid_a")
    if source == "midb" or (source == "auto" and official):
        midb, used1 = frame.read("cow_mid_b", "COW MID participants (dispute-dyad-years)")
        mida, used2 = frame.read("cow_mid_a", "COW MID disputes (whittling)")
        assert wh is not None  # frame.read raised otherwise
        ddy, disps = rebuilt_tables(wh, midb, mida)
    else:
        ddy, used1 = frame.read("cow_mid_ddydisps", "COW MID dyad-years")
        disps, used2 = frame.read("cow_mid_disps", "COW MID dispute attributes (whittling)")
    options: dict[str, object] = {"keep": list(keep) if keep is not None else None}
    if whittle is not None:
        options["whittle"] = list(whittle)
    return frame.with_data(add_cow_mids(frame.df, ddy, disps, **options), used1, used2)  # type: ignore[arg-type]


ENRICHERS = (
    Enricher("cow-mids", DYADS, enrich_cow_mids,
             "COW MID 5.0 disputes (rebuilt from MIDB/MIDA when imported)",
             tables=("cow_mid_b", "cow_mid_a", "cow_mid_ddydisps", "cow_mid_disps"),
             options=("keep", "whittle", "source"), keys_only=True, reusable=True),
)  # fmt: skip
