"""Foreign visits of US senior defence leaders, 1992–2012 (troopdata's ``visits.xls``).

``us_defense_leader_visits_1992_2012.csv`` → ``us_defense_visits``: one row per leader, trip and
destination state (a multi-country trip is one row per country), 377 rows, 94 destinations.

* ``State Visit`` is an **ISO3 code** (``JPN``, ``DEU``…; not a COW abbreviation), with a few place
  names instead (``Kosovo``, ``Nassau`` → Bahamas, ``Saint Thomas`` → US Virgin Islands, ``Wake
  Island``, ``Antarctica``) and one typo (``GNL`` for Greenland). Codes are turned into names
  (country_converter) and resolved as of the start year; non-states (Guam, Hong Kong…) are kept.
* ``title_std`` merges the two spellings of the Marine Corps Commandant's title.
* End dates are unreliable (10 precede their start date): each date is checked to exist, the
  order is not; visits are dated by their start.
* Two rows repeat an earlier row exactly; they are kept and point at it in ``repeat_of_line``
  (the enricher counts each visit once).
* The file is undocumented in troopdata: treat it as unverified (see ``docs/instruments.md``).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from foedus.sources.instruments._inst_util import (
    iso3_names,
    register_name_columns,
    resolve_column,
)
from foedus.sources.instruments.exercises import TROOPDATA_BIBTEX
from foedus.sources.model import Format, Source, format_spec, release
from foedus.sources.readers import LINE_COLUMN, check_dates, read_csv_checked

__all__ = ["FORMATS", "PLACES", "SOURCES", "parse_visits"]

#: Years the visits file covers.
COVERAGE: tuple[int, int] = (1992, 2012)

#: Place names written instead of an ISO3 code, and the country they are in (reviewed by hand).
PLACES: dict[str, str] = {
    "Nassau": "Bahamas",
    "Saint Thomas": "United States Virgin Islands",
    "Kosovo": "Kosovo",
    "Wake Island": "Wake Island",
    "Antarctica": "Antarctica",
}

_TITLES = {"Commandant US Marine Corps": "Commandant of the Marine Corps"}

_REQUIRED = {
    "title": pl.String,
    "name": pl.String,
    "start day": pl.Int64,
    "start month": pl.Int64,
    "start year": pl.Int64,
    "city visited": pl.String,
    "state visit": pl.String,
    "end day": pl.Int64,
    "end month": pl.Int64,
    "end year": pl.Int64,
}

#: Columns of ``us_defense_visits``, in order.
COLUMNS: tuple[str, ...] = (
    "source_line", "title", "title_std", "name", "start_year", "start_month", "start_day",
    "end_year", "end_month", "end_day", "city", "state_visit", "ccode", "gwcode", "iso3",
    "resolution", "repeat_of_line",
)  # fmt: skip


def parse_visits(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """``us_defense_leader_visits_1992_2012.csv`` → ``us_defense_visits`` (destinations resolved).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "visits.csv"
        >>> _ = f.write_text("Title,Name,Start Day,Start Month,Start Year,City Visited,State Visit,"
        ...     "End Day,End Month,End Year\\nPACOM,R. Willard,3,5,2011,,JPN,5,5,2011\\n"
        ...     "PACOM,R. Willard,6,5,2011,,Nassau,7,5,2011\\n")
        >>> parse_visits(f).select("state_visit", "ccode", "iso3").rows()
        [('JPN', 740, 'JPN'), ('Nassau', 31, 'BHS')]
    """
    where = str(path)
    df = read_csv_checked(path, required=_REQUIRED, line_column=LINE_COLUMN)
    # Each date must exist; the order is not checked: 10 released end dates precede their start
    # (e.g. line 32, 25 May 2012 - 27 May 2011). The enricher uses the start date only.
    for side in ("start", "end"):
        check_dates(df, (f"{side} year", f"{side} month", f"{side} day"), where=where,
                    years=(1945, 2030))  # fmt: skip
    df = df.with_columns(pl.col("state visit").str.strip_chars())
    tokens = df.get_column("state visit").drop_nulls().unique().to_list()
    codes = [t for t in tokens if re.fullmatch(r"[A-Z]{3}", t)]
    names = iso3_names(codes)
    lookup = {t: PLACES.get(t) or names.get(t) or t for t in tokens}
    df = resolve_column(
        df,
        "state visit",
        year="start year",
        source="us-visits",
        lookup=pl.col("state visit").replace_strict(lookup, default=pl.col("state visit")),
    )
    key = ["title", "name", "start year", "start month", "start day", "state visit"]
    first = pl.col(LINE_COLUMN).first().over(key)
    out = df.select(
        pl.col(LINE_COLUMN).alias("source_line"),
        pl.col("title").str.strip_chars(),
        pl.col("title").str.strip_chars().replace(_TITLES).alias("title_std"),
        pl.col("name").str.strip_chars(),
        pl.col("start year").alias("start_year"),
        pl.col("start month").alias("start_month"),
        pl.col("start day").alias("start_day"),
        pl.col("end year").alias("end_year"),
        pl.col("end month").alias("end_month"),
        pl.col("end day").alias("end_day"),
        pl.col("city visited").alias("city"),
        pl.col("state visit").alias("state_visit"),
        "ccode",
        "gwcode",
        "iso3",
        "resolution",
        pl.when(first != pl.col(LINE_COLUMN)).then(first).alias("repeat_of_line"),
        *([LINE_COLUMN] if keep_lines else []),
    )
    return out


SOURCES: list[Source] = [
    Source(
        name="us-visits",
        title="Foreign visits of US service secretaries and combatant commanders, 1992-2012",
        maintainer="Michael E. Flynn (troopdata, data-raw/visits.xls; undocumented)",
        landing_page="https://github.com/meflynn/troopdata",
        terms="Ships with the troopdata R package (GPL >= 3) without documentation; cite troopdata.",
        bibtex=TROOPDATA_BIBTEX,
        releases=(
            release(
                "us-visits",
                "2012",
                "troopdata_visits_csv",
                "us_defense_leader_visits_1992_2012.csv",
                "us_defense_visits",
                official=False,
                via="troopdata",
                coverage=COVERAGE,
            ),
        ),
    )
]

FORMATS: list[Format] = [
    format_spec(
        "troopdata_visits_csv",
        "us_defense_visits",
        "troopdata: foreign visits of US senior defence leaders 1992-2012 (one row per destination)",
        parse_visits,
        ("source_line",),
        "us_defense_leader_visits_1992_2012.csv",
    )
]

register_name_columns("us_defense_visits", (("state_visit", "resolution"),))
