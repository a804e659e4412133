"""US military posture abroad on dyad-years and state-years: troops, bases, construction spending.

On a dyad-year the values describe the United States (``ccode1`` = 2) in ``ccode2``, and are null
when ``ccode1`` is not the United States (the sources cover US forces only). On a state-year they
describe US forces in the state (for the United States itself: the forces at home).

* ``us_troops``: active-duty US personnel in the state (troopdata's ``troops_ad``, which is the
  annual figure of the DMDC reports and Kane's data). Coverage 1950–2024: 0 inside when no report
  lists the state (troopdata's own convention), null outside. Germany 1955–1989 is West Germany
  (COW 260) and Vietnam 1954–1974 the Republic of Vietnam (817), as recoded by the importer.
* With ``bases`` (David Vine's list, a **2018 snapshot** with no dates): ``us_bases`` (sites),
  ``us_bases_major`` (``base``), ``us_lilypads`` and ``us_funded_sites`` — filled in 2018 only
  (0 for states without a listed site), null in every other year.
* With ``milcon``: ``us_milcon`` (military construction obligational authority, thousands of
  current US$; rescissions are negative) per host state and year, 2008–2019.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from foedus.frames.enrichers import BOTH, Enricher
from foedus.frames.instruments._merge import DYAD_KEYS, STATE_KEYS, attach, covered_years, unit_of
from foedus.frames.instruments._merge import declared as _declared

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

__all__ = [
    "BASES_YEAR",
    "MILCON_COVERAGE",
    "TROOPS_COVERAGE",
    "add_us_troops",
    "enrich_us_troops",
]

TROOPS_COVERAGE: tuple[int, int] = _declared("us_troops")
BASES_YEAR = 2018
MILCON_COVERAGE: tuple[int, int] = _declared("us_milcon")
BASE_COLUMNS: tuple[str, ...] = ("us_bases", "us_bases_major", "us_lilypads", "us_funded_sites")
USA = 2


def _place(frame: pl.DataFrame, table: pl.DataFrame, columns: list[str], years: list[int],
           where: str) -> pl.DataFrame:  # fmt: skip
    if unit_of(frame, "US posture") == "dyad":
        table = table.rename({"ccode": "ccode2"}).with_columns(
            pl.lit(USA, pl.Int64).alias("ccode1")
        )
        return attach(frame, table, DYAD_KEYS, columns, years=years,
                      scope=pl.col("ccode1") == USA, where=where)  # fmt: skip
    return attach(frame, table, STATE_KEYS, columns, years=years, where=where)


def add_us_troops(
    frame: pl.DataFrame,
    troops: pl.DataFrame,
    *,
    bases: pl.DataFrame | None = None,
    milcon: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Add ``us_troops`` (and base and construction columns when given) to a frame.

    Args:
        frame: COW dyad-years or state-years (Int64 keys).
        troops: the ``us_troops`` table.
        bases: the ``us_bases`` table (optional).
        milcon: the ``us_milcon`` table (optional).

    Example:
        >>> t = pl.DataFrame({"ccode": [740, 260], "year": [2000, 1960], "troops_ad": [40159, 9]})
        >>> f = pl.DataFrame({"ccode1": [2, 2, 2, 20], "ccode2": [740, 740, 740, 740],
        ...                   "year": [2000, 2001, 1900, 2000]})
        >>> add_us_troops(f, t)["us_troops"].to_list()
        [40159, 0, None, None]
    """
    table = (
        troops.filter(pl.col("ccode").is_not_null())
        .group_by(pl.col("ccode").cast(pl.Int64), pl.col("year").cast(pl.Int64))
        .agg(pl.col("troops_ad").sum().cast(pl.Int64).alias("us_troops"))
    )
    out = _place(frame, table, ["us_troops"], covered_years(*TROOPS_COVERAGE), "US troops")
    if bases is not None:
        b = (
            bases.filter(pl.col("ccode").is_not_null() & pl.col("repeat_of_line").is_null())
            .group_by(pl.col("ccode").cast(pl.Int64))
            .agg(
                pl.len().cast(pl.Int64).alias("us_bases"),
                pl.col("base").sum().cast(pl.Int64).alias("us_bases_major"),
                pl.col("lilypad").sum().cast(pl.Int64).alias("us_lilypads"),
                pl.col("fundedsite").sum().cast(pl.Int64).alias("us_funded_sites"),
            )
            .with_columns(pl.lit(BASES_YEAR, pl.Int64).alias("year"))
        )
        out = _place(out, b, list(BASE_COLUMNS), [BASES_YEAR], "US bases")
    if milcon is not None:
        m = (
            milcon.filter(pl.col("ccode").is_not_null())
            .group_by(pl.col("ccode").cast(pl.Int64), pl.col("year").cast(pl.Int64))
            .agg(pl.col("spend_thousand_usd").sum().alias("us_milcon"))
        )
        out = _place(out, m, ["us_milcon"], covered_years(*MILCON_COVERAGE), "US MILCON")
    return out


def enrich_us_troops(frame: Frame) -> Frame:
    """Frame-level posture enricher (``--with us-troops``): reads ``us_troops``, and ``us_bases``
    and ``us_milcon`` when they are imported.

    Example (on the real data; tests/frames/test_enrichers.py runs every instrument enricher):
        >>> import foedus
        >>> sy = foedus.state_years("cow", years="2005-2010")  # doctest: +SKIP
        >>> "us_troops" in enrich_us_troops(sy).columns  # doctest: +SKIP
        True
    """
    wh = frame.require_warehouse()
    troops, used = frame.read("us_troops", "US troops abroad")
    extra = {}
    uses = [used]
    for table, key, purpose in (("us_bases", "bases", "US bases abroad (2018)"),
                                ("us_milcon", "milcon", "US military construction")):  # fmt: skip
        if wh.has(table):
            extra[key], u = frame.read(table, purpose)
            uses.append(u)
    return frame.with_data(add_us_troops(frame.df, troops, **extra), *uses)


ENRICHERS = (
    Enricher("us-troops", BOTH, enrich_us_troops, "US troops abroad",
             tables=("us_troops", "us_bases", "us_milcon"), aliases=("troops",)),
)  # fmt: skip
