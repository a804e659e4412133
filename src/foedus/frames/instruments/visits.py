"""Visits of US senior defence leaders (service secretaries, PACOM and STRATCOM commanders) on
dyad-years and state-years.

``us_visits``: the number of visits that started in the year — on a dyad-year, visits by US leaders
(``ccode1`` = 2) to ``ccode2`` (null when ``ccode1`` is not the United States); on a state-year,
visits the state received. A visit is one leader's stay in one destination state on a trip (a
multi-country trip counts once per country); rows that repeat an earlier row are counted once.
Coverage 1992–2012: 0 inside, null outside. The source file is undocumented (see
``docs/instruments.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from foedus.frames.enrichers import BOTH, Enricher
from foedus.frames.instruments._merge import DYAD_KEYS, STATE_KEYS, attach, covered_years, unit_of
from foedus.frames.instruments._merge import declared as _declared

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

__all__ = ["VISITS_COVERAGE", "add_us_visits", "enrich_us_visits"]

VISITS_COVERAGE: tuple[int, int] = _declared("us_defense_visits")
USA = 2


def add_us_visits(frame: pl.DataFrame, visits: pl.DataFrame) -> pl.DataFrame:
    """Add ``us_visits`` to a dyad-year or state-year frame.

    Example:
        >>> v = pl.DataFrame({"ccode": [740, 740], "start_year": [2011, 2011],
        ...                   "repeat_of_line": [None, None]})
        >>> f = pl.DataFrame({"ccode1": [2, 2, 740], "ccode2": [740, 740, 2],
        ...                   "year": [2011, 2013, 2011]})
        >>> add_us_visits(f, v)["us_visits"].to_list()
        [2, None, None]
    """
    table = (
        visits.filter(pl.col("ccode").is_not_null() & pl.col("repeat_of_line").is_null())
        .group_by(pl.col("ccode").cast(pl.Int64), pl.col("start_year").cast(pl.Int64).alias("year"))
        .agg(pl.len().cast(pl.Int64).alias("us_visits"))
    )
    years = covered_years(*VISITS_COVERAGE)
    if unit_of(frame, "US visits") == "dyad":
        table = table.rename({"ccode": "ccode2"}).with_columns(
            pl.lit(USA, pl.Int64).alias("ccode1")
        )
        return attach(frame, table, DYAD_KEYS, ["us_visits"], years=years,
                      scope=pl.col("ccode1") == USA, where="US visits")  # fmt: skip
    return attach(frame, table, STATE_KEYS, ["us_visits"], years=years, where="US visits")


def enrich_us_visits(frame: Frame) -> Frame:
    """Frame-level visits enricher (``--with us-visits``): reads ``us_defense_visits``.

    Example (on the real data; tests/frames/test_enrichers.py runs every instrument enricher):
        >>> import foedus
        >>> sy = foedus.state_years("cow", years="2005-2012")  # doctest: +SKIP
        >>> "us_visits" in enrich_us_visits(sy).columns  # doctest: +SKIP
        True
    """
    visits, used = frame.read("us_defense_visits", "US senior defence leader visits")
    return frame.with_data(add_us_visits(frame.df, visits), used)


ENRICHERS = (
    Enricher("us-visits", BOTH, enrich_us_visits, "US senior defence leader visits",
             tables=("us_defense_visits",), aliases=("visits",)),
)  # fmt: skip
