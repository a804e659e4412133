"""US training of foreign military personnel (Foreign Military Training Reports) on dyad-years and
state-years.

Columns: ``us_training_students`` (trainees, the reports' "quantity") and ``us_training_cost``
(current US$) — on a dyad-year, training given by the United States (``ccode1`` = 2) to ``ccode2``;
null when ``ccode1`` is not the United States (the reports cover US training only); on a
state-year, training the state's personnel received.

**Fiscal → calendar year rule**: the reports count by US fiscal year (FY *t* runs from 1 October
*t*−1 to 30 September *t*); FY *t* is assigned to calendar year *t*, which holds nine of its twelve
months. Only each fiscal year's latest report counts (rows flagged ``superseded`` — FY2000 in the
1999_2000 report, FY2001 in 2000_2001 — are left out) and the reports' subtotal rows are already
dropped by the importer. Names that did not resolve to a state (territories, unresolved spellings)
are left out.

Coverage: 1999–2020 except 2006 (no FY2006 report): 0 inside when a state received no reported
training, null in 2006 and outside. **States the reports leave out are null, not 0**: the
reporting statute (22 U.S.C. 2416(a)(2)) exempts every NATO member, and Australia, Japan and New
Zealand (the exemption was added in 2002; the FY1999–2002 reports still list those three), unless
a congressional committee asks for a country. A year in which such a state has no rows is
therefore "not reported", not "no training" (Poland after 1999, Japan after 2002); a year in
which the reports do list it (Albania and Croatia after 2009, Montenegro after 2017) keeps its
figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from foedus.frames.enrichers import BOTH, Enricher
from foedus.frames.instruments._merge import DYAD_KEYS, STATE_KEYS, attach, covered_years, unit_of

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

__all__ = [
    "EXEMPT_FROM_2003",
    "NATO_ACCESSION",
    "TRAINING_COLUMNS",
    "TRAINING_YEARS",
    "add_us_training",
    "enrich_us_training",
    "exempt_from_reports",
]

#: Calendar years with a report (FY t → year t): 1999–2020 without 2006.
TRAINING_YEARS: list[int] = covered_years(1999, 2020, {2006})
#: Columns added.
TRAINING_COLUMNS: tuple[str, ...] = ("us_training_students", "us_training_cost")
#: COW code of the United States.
USA = 2
#: Year each state joined NATO (COW codes; NATO, "Member countries", www.nato.int): the reports
#: exempt members (22 U.S.C. 2416(a)(2)).
NATO_ACCESSION: dict[int, int] = {
    20: 1949, 200: 1949, 210: 1949, 211: 1949, 212: 1949, 220: 1949, 235: 1949, 325: 1949,
    385: 1949, 390: 1949, 395: 1949, 350: 1952, 640: 1952, 260: 1955, 255: 1955, 230: 1982,
    290: 1999, 310: 1999, 316: 1999, 317: 2004, 349: 2004, 355: 2004, 360: 2004, 366: 2004,
    367: 2004, 368: 2004, 339: 2009, 344: 2009, 341: 2017, 343: 2020, 375: 2023, 380: 2024,
}  # fmt: skip
#: Australia, Japan and New Zealand: exempt from the FY2003 report on (Pub. L. 107-228, 2002).
EXEMPT_FROM_2003: tuple[int, ...] = (900, 740, 920)


def exempt_from_reports(code: str) -> pl.Expr:
    """True where the state in column ``code`` is exempt from the reports that year (a NATO
    member, or Australia, Japan or New Zealand from 2003).

    Example:
        >>> f = pl.DataFrame({"ccode": [290, 290, 740, 740, 475], "year": [1998, 2000, 2002, 2003, 2010]})
        >>> f.select(exempt_from_reports("ccode"))["ccode"].to_list()
        [False, True, False, True, False]
    """
    joined = pl.col(code).replace_strict(NATO_ACCESSION, default=None, return_dtype=pl.Int64)
    member = joined.is_not_null() & (pl.col("year") >= joined)
    late = pl.col(code).is_in(list(EXEMPT_FROM_2003)) & (pl.col("year") >= 2003)
    return (member | late).fill_null(False)


def training_state_years(training: pl.DataFrame) -> pl.DataFrame:
    """Trainees and cost per receiving state and calendar year (FY t → t; latest report only).

    Example:
        >>> t = pl.DataFrame({"ccode": [452, 452], "fiscal_year": [2010, 2010],
        ...     "superseded": [False, True], "students": [2.0, 5.0], "cost_usd": [9e3, 1e3]})
        >>> training_state_years(t).rows()
        [(452, 2010, 2.0, 9000.0)]
    """
    return (
        training.filter(
            pl.col("ccode").is_not_null()
            & pl.col("fiscal_year").is_not_null()
            & ~pl.col("superseded").fill_null(False)
        )
        .group_by(
            pl.col("ccode").cast(pl.Int64), pl.col("fiscal_year").cast(pl.Int64).alias("year")
        )
        .agg(
            pl.col("students").sum().alias("us_training_students"),
            pl.col("cost_usd").sum().alias("us_training_cost"),
        )
        .sort(STATE_KEYS)
    )


def add_us_training(frame: pl.DataFrame, training: pl.DataFrame) -> pl.DataFrame:
    """Add US training (students, cost) to a dyad-year or state-year frame.

    Example:
        >>> t = pl.DataFrame({"ccode": [452], "fiscal_year": [2010], "superseded": [False],
        ...                   "students": [2.0], "cost_usd": [9000.0]})
        >>> f = pl.DataFrame({"ccode1": [2, 2, 2, 20], "ccode2": [452, 452, 452, 452],
        ...                   "year": [2010, 2011, 2006, 2010]})
        >>> add_us_training(f, t)["us_training_students"].to_list()
        [2.0, 0.0, None, None]
    """
    table = training_state_years(training)
    reported = (table["ccode"] * 10_000 + table["year"]).implode()
    if unit_of(frame, "US training") == "dyad":
        recipient = "ccode2"
        dyads = table.rename({"ccode": "ccode2"}).with_columns(
            pl.lit(USA, pl.Int64).alias("ccode1")
        )
        out = attach(frame, dyads, DYAD_KEYS, TRAINING_COLUMNS, years=TRAINING_YEARS,
                     scope=pl.col("ccode1") == USA, where="FMTR")  # fmt: skip
    else:
        recipient = "ccode"
        out = attach(frame, table, STATE_KEYS, TRAINING_COLUMNS, years=TRAINING_YEARS, where="FMTR")
    # The reports leave exempt states out: no rows for them is "not reported", not 0.
    unlisted = exempt_from_reports(recipient) & ~(
        (pl.col(recipient).cast(pl.Int64) * 10_000 + pl.col("year").cast(pl.Int64)).is_in(reported)
    )
    return out.with_columns(
        pl.when(unlisted).then(None).otherwise(pl.col(c)).alias(c) for c in TRAINING_COLUMNS
    )


def enrich_us_training(frame: Frame) -> Frame:
    """Frame-level training enricher (``--with us-training``): reads ``us_training``.

    Example (on the real data; tests/frames/test_enrichers.py runs every instrument enricher):
        >>> import foedus
        >>> sy = foedus.state_years("cow", years="2005-2010")  # doctest: +SKIP
        >>> "us_training_students" in enrich_us_training(sy).columns  # doctest: +SKIP
        True
    """
    training, used = frame.read("us_training", "US training of foreign personnel (FMTR)",
                                ["ccode", "fiscal_year", "superseded", "students", "cost_usd"])
    return frame.with_data(add_us_training(frame.df, training), used)


ENRICHERS = (
    Enricher("us-training", BOTH, enrich_us_training, "US training of foreign military",
             tables=("us_training",), aliases=("training",)),
)  # fmt: skip
