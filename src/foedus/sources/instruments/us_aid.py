"""US foreign assistance by country and fiscal year, 1946–2022 (ForeignAssistance.gov summary).

``foreignassistance_gov_us_aid_total_country_fy.csv`` → ``us_aid``: one row per recipient (country
or region), transaction type and fiscal year, as ForeignAssistance.gov's "us_foreign_aid_country"
summary gives it (downloaded c. 2022; copy from ``mr-ffrancis/Us-Aid-Analysis``).

**Total US assistance, economic and military together: the file has no military split.** It is an
*economic-statecraft* covariate, not a military-aid series (``docs/impact.md``).

* Recipients: ISO3 ``country_code`` for countries (turned into names with country_converter and
  resolved to COW/G-W codes as of the fiscal year); regional programmes (codes such as ``EES``,
  names ending in "Region") are non-states; seven historical recipients have no code and are
  named only; :data:`NAMED` says how each historical recipient is read (West Berlin, the Pacific
  Islands Trust Territory and the Netherlands Antilles are non-states; Serbia and Montenegro is
  COW's Yugoslavia, 345).
* ``fiscal_year_raw`` ``1976tq`` is the July–September 1976 transition quarter
  (``is_transition_quarter``); ``fiscal_year`` gives it as 1976.
* Amounts are US dollars: ``current_amount`` and ``constant_amount`` (constant dollars of the
  summary's base year). Fiscal year 2022 is incomplete in this download.
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
from foedus.sources.model import Format, Source, format_spec, release
from foedus.sources.readers import LINE_COLUMN, read_csv_checked

__all__ = ["COVERAGE", "FORMATS", "SOURCES", "parse_us_aid"]

#: Fiscal years the file covers (2022 incomplete).
COVERAGE: tuple[int, int] = (1946, 2022)

#: Recipients named without a code, and the name foedus resolves (None: not a state).
NAMED: dict[str, str | None] = {
    "Berlin, West": None,
    "Germany (former East)": "German Democratic Republic",
    "Soviet Union (former)": "Soviet Union",
    "Vietnam (former South)": "South Vietnam",
    "Serbia and Montenegro (former)": "Yugoslavia",
    "Yugoslavia (former)": "Yugoslavia",
    "Pacific Island Trust Territory": None,
    "Netherlands Antilles (former)": None,
    "Yemen (former P.D.R.)": "Yemen People's Republic",
    "Czechoslovakia (former)": "Czechoslovakia",
    "Luxembourg": "Luxembourg",
    "Kosovo": "Kosovo",
}

_REQUIRED = {
    "country_code": pl.String,
    "country_name": pl.String,
    "transaction_type_name": pl.String,
    "fiscal_year_raw": pl.String,
    "current_amount": pl.Float64,
    "constant_amount": pl.Float64,
    "is_transition_quarter": pl.String,
    "fiscal_year": pl.Int64,
}

#: Columns of ``us_aid``, in order.
COLUMNS: tuple[str, ...] = (
    "source_line", "country_code", "country_name", "transaction_type", "fiscal_year_raw",
    "fiscal_year", "transition_quarter", "current_amount", "constant_amount", "ccode", "gwcode",
    "iso3", "resolution",
)  # fmt: skip


def parse_us_aid(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """``foreignassistance_gov_us_aid_total_country_fy.csv`` → ``us_aid`` (recipients resolved).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "aid.csv"
        >>> _ = f.write_text("country_code,country_name,region_id,region_name,income_group,"
        ...     "income_group_name,transaction_type_id,transaction_type_name,fiscal_year_raw,"
        ...     "current_amount,constant_amount,is_transition_quarter,fiscal_year\\n"
        ...     "JPN,Japan,1,x,,,2,Obligations,1999,10,20,False,1999\\n"
        ...     "EES,Europe and Eurasia Region,2,x,,,2,Obligations,1999,5,6,False,1999\\n")
        >>> parse_us_aid(f).select("country_name", "ccode", "resolution").rows()
        [('Japan', 740, 'resolved'), ('Europe and Eurasia Region', None, 'non-state')]
    """
    df = read_csv_checked(path, required=_REQUIRED, line_column=LINE_COLUMN, others="string",
                          key=("country_name", "transaction_type_name", "fiscal_year_raw"))  # fmt: skip
    codes = df.get_column("country_code").drop_nulls().unique().to_list()
    iso = iso3_names([c for c in codes if re.fullmatch(r"[A-Z]{3}", c)])
    lookup: dict[str, str] = {}
    for code, name in df.select("country_code", "country_name").unique().iter_rows():
        if name in NAMED:
            lookup[name] = NAMED[name] or "-9"
        elif name.endswith("Region") or name in ("World", "Worldwide"):
            lookup[name] = "-9"
        else:
            lookup[name] = iso.get(code or "") or name
    df = resolve_column(df, "country_name", year="fiscal_year", source="us-aid",
                        lookup=pl.col("country_name").replace_strict(lookup, default=None))  # fmt: skip
    return df.select(
        pl.col(LINE_COLUMN).alias("source_line"),
        "country_code", "country_name",
        pl.col("transaction_type_name").alias("transaction_type"),
        "fiscal_year_raw", "fiscal_year",
        (pl.col("is_transition_quarter").str.to_lowercase() == "true").alias("transition_quarter"),
        "current_amount", "constant_amount", "ccode", "gwcode", "iso3", "resolution",
        *([LINE_COLUMN] if keep_lines else []),
    )  # fmt: skip


SOURCES: list[Source] = [
    Source(
        name="us-foreign-aid",
        title="US foreign assistance by country and fiscal year, 1946-2022 (ForeignAssistance.gov; "
        "economic and military together)",
        maintainer="US Agency for International Development and US Department of State "
        "(ForeignAssistance.gov); copy from mr-ffrancis/Us-Aid-Analysis",
        landing_page="https://www.foreignassistance.gov/",
        terms="US-government work (public domain); cite ForeignAssistance.gov.",
        bibtex="""@Misc{usaid2022foreignassistance,
  author       = {{U.S. Agency for International Development and U.S. Department of State}},
  title        = {{ForeignAssistance.gov}: U.S. foreign assistance by country and fiscal year (us\\_foreign\\_aid\\_country)},
  year         = {2022},
  howpublished = {\\url{https://www.foreignassistance.gov/}},
  note         = {Total economic and military assistance; no military split. Copy in mr-ffrancis/Us-Aid-Analysis, Analysis/us\\_foreign\\_aid\\_country.csv}
}""",
        releases=(
            release(
                "us-foreign-aid",
                "2022",
                "foreignassistance_country_fy_csv",
                "foreignassistance_gov_us_aid_total_country_fy.csv",
                "us_aid",
                official=False,
                via="mr-ffrancis/Us-Aid-Analysis",
                coverage=(1946, 2021),
            ),
        ),
    )
]

FORMATS: list[Format] = [
    format_spec(
        "foreignassistance_country_fy_csv",
        "us_aid",
        "ForeignAssistance.gov: US assistance (economic + military) by recipient and fiscal year",
        parse_us_aid,
        ("source_line",),
        "foreignassistance_gov_us_aid_total_country_fy.csv",
    )
]

register_name_columns("us_aid", (("country_name", "resolution"),))
