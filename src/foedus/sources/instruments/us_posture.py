"""US military posture abroad: troops by host country-year, bases, military construction spending.

All three files come from Michael Flynn's *troopdata* R package (``data-raw/``):

* ``us_troops_abroad_country_year_1950_2024.csv`` → ``us_troops``: US personnel by host
  location and year, 1950–2024 (DMDC reports; Kane's Heritage data; troopdata's rebuild).

  - The released ``ccode`` is troopdata's location code, kept as ``location_code``: COW codes for
    states, 6 for Puerto Rico and 1000+ for territories, "afloat" and other places. ``ccode`` is
    the COW state code of the location (null for territories), with two documented recodes
    (:data:`RECODES`): troopdata writes Germany 255 in every year — the US forces of 1955–1989 were
    in West Germany, COW 260 — and Vietnam 816 — the US forces of 1954–1974 were in the Republic of
    Vietnam, COW 817.
  - 29 locations appear twice in some years under two spellings ("Czechia" and "Czech Republic",
    "Eswatini" and "Swaziland"…), one row all zeros: the two rows are summed into one
    (``merged_rows`` = 2; ``countryname`` is the spelling of the non-zero row).
  - Six branch counts (Marine Corps, 1959: Australia, Bahrain, Greece, Lebanon, Singapore,
    Turkey) are negative in the release; they are null (the total ``troops_ad`` is positive).
  - Guard, reserve and civilian counts are 0 before 2008 because the reports give none then:
    they are null before 2008.
* ``us_bases_vine.csv`` → ``us_bases``: David Vine's list of US bases abroad as updated by the
  troopdata team through 2018 (no dates: a 2018 snapshot). Originally Latin-1; the staged copy is
  UTF-8 and either encoding is read. One base is listed twice (``repeat_of_line``).
* ``us_milcon_spending_location_year_2008_2019.csv`` → ``us_milcon``: US military construction
  obligational authority by location and year, 2008–2019, in **thousands of current US$**
  (negative values are rescissions); includes US domestic sites (``ccode`` 2) and rows with no
  country (``ccode`` null: "Worldwide Unspecified"…).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from foedus.errors import InvalidValueError, SourceEncodingError
from foedus.sources.instruments._inst_util import check_allowed, located
from foedus.sources.instruments.exercises import TROOPDATA_BIBTEX
from foedus.sources.model import Format, Source, format_spec, release
from foedus.sources.readers import LINE_COLUMN, check_unique, read_csv_checked

__all__ = ["FORMATS", "RECODES", "SOURCES", "parse_bases", "parse_milcon", "parse_troops"]

#: Years of each table.
TROOPS_COVERAGE: tuple[int, int] = (1950, 2024)
BASES_YEAR = 2018
MILCON_COVERAGE: tuple[int, int] = (2008, 2019)

#: troopdata location code → (first year, last year, COW code): where the location was another
#: COW state than the code says.
RECODES: tuple[tuple[int, int, int, int, str], ...] = (
    (255, 1955, 1989, 260, "US forces in Germany 1955-1989 were in West Germany (COW 260)"),
    (
        816,
        1954,
        1974,
        817,
        "US forces in Vietnam 1954-1974 were in the Republic of Vietnam (COW 817)",
    ),
)
#: Last troopdata location code that is a state (Puerto Rico, 6, is not).
_NOT_STATES = (6,)

_TROOP_COUNTS = (
    "troops_ad army_ad navy_ad air_force_ad marine_corps_ad coast_guard_ad space_force_ad"
).split()
_LATE_COUNTS = (
    "army_national_guard air_national_guard army_reserve navy_reserve marine_corps_reserve "
    "air_force_reserve coast_guard_reserve total_selected_reserve army_civilian navy_civilian "
    "marine_corps_civilian air_force_civilian dod_civilian total_civilian"
).split()
#: First year with guard, reserve and civilian counts.
LATE_COUNTS_FROM = 2008

#: Columns of ``us_troops``, in order.
TROOPS_COLUMNS: tuple[str, ...] = (
    "ccode", "year", "location_code", "countryname", "iso3c", "region",
    *_TROOP_COUNTS, *_LATE_COUNTS, "merged_rows", "recode", "source_line",
)  # fmt: skip


def _nonnegative(df: pl.DataFrame, columns: list[str], where: str) -> None:
    for column in columns:
        bad = df.select((pl.col(column) < 0).fill_null(False).arg_true()).to_series()
        if len(bad):
            raise InvalidValueError(
                f"negative count {df[column][int(bad[0])]}",
                where=located(where, df, int(bad[0]), column),
                fix="personnel counts are 0 or more: correct the value or re-download the file",
            )


def parse_troops(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """``us_troops_abroad_country_year_1950_2024.csv`` → ``us_troops`` (one row per location-year).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "troops.csv"
        >>> cols = ["countryname", "year", "ccode", "iso3c", "region", *_TROOP_COUNTS, *_LATE_COUNTS]
        >>> rows = [["Germany", "1960", "255", "DEU", "Europe"] + ["5"] + ["1"] * 6 + ["0"] * 14,
        ...         ["Czechia", "2013", "316", "CZE", "Europe"] + ["17"] * 7 + ["2"] * 14,
        ...         ["Czech Republic", "2013", "316", "CZE", "Europe"] + ["0"] * 21]
        >>> _ = f.write_text("\\n".join(",".join(r) for r in [cols, *rows]) + "\\n")
        >>> parse_troops(f).select("ccode", "year", "location_code", "troops_ad", "army_reserve",
        ...                        "merged_rows").rows()
        [(260, 1960, 255, 5, None, 1), (316, 2013, 316, 17, 2, 2)]
    """
    where = str(path)
    counts = _TROOP_COUNTS + _LATE_COUNTS
    required = {
        "countryname": pl.String, "year": pl.Int64, "ccode": pl.Int64, "iso3c": pl.String,
        "region": pl.String, **{c: pl.Int64 for c in counts},
    }  # fmt: skip
    df = read_csv_checked(path, required=required, line_column=LINE_COLUMN)
    for column in ("year", "ccode"):
        bad = df.select(pl.col(column).is_null().arg_true()).to_series()
        if len(bad):
            raise InvalidValueError(
                "empty key value", where=located(where, df, int(bad[0]), column),
                fix="every row needs its location code and year; re-download the file",
            )  # fmt: skip
    _nonnegative(df, ["troops_ad"], where)
    # Six Marine Corps counts of 1959 are negative in the release (troops_ad is not): unknown.
    df = df.with_columns(
        pl.when(pl.col(c) >= 0).then(pl.col(c)).alias(c) for c in counts if c != "troops_ad"
    )
    zero = pl.sum_horizontal(pl.col(counts).fill_null(0).abs()) == 0
    df = df.with_columns(zero.alias("_zero"))
    # Name-variant duplicates: sum the counts, keep the spelling of the non-zero row.
    merged = (
        df.sort("ccode", "year", "_zero", LINE_COLUMN)
        .group_by("ccode", "year", maintain_order=True)
        .agg(
            pl.col("countryname", "iso3c", "region").first(),
            *[
                pl.when(pl.col(c).is_null().all()).then(None).otherwise(pl.col(c).sum()).alias(c)
                for c in counts
            ],  # fmt: skip
            pl.len().cast(pl.Int64).alias("merged_rows"),
            pl.col("_zero").sum().alias("_zeros"),
            pl.col(LINE_COLUMN).min(),
        )
    )
    bad = merged.select(
        (
            (pl.col("merged_rows") > 2) | ((pl.col("merged_rows") == 2) & (pl.col("_zeros") == 0))
        ).arg_true()
    ).to_series()
    if len(bad):
        r = merged.row(int(bad[0]), named=True)
        raise InvalidValueError(
            f"location {r['ccode']} appears {r['merged_rows']} times in {r['year']} with figures "
            "in more than one row: the rows cannot be told apart",
            where=f"{where}, line {r[LINE_COLUMN]}",
            fix="keep one row per location code and year (a spelling variant holds zeros only)",
        )
    recode = pl.lit(None, pl.String)
    ccode = (
        pl.when(pl.col("ccode").is_in(list(_NOT_STATES)) | (pl.col("ccode") >= 1000))
        .then(None)
        .otherwise(pl.col("ccode"))
    )
    for code, first, last, cow, why in RECODES:
        hit = (pl.col("ccode") == code) & pl.col("year").is_between(first, last)
        ccode = pl.when(hit).then(pl.lit(cow)).otherwise(ccode)
        recode = pl.when(hit).then(pl.lit(why)).otherwise(recode)
    late = pl.col("year") >= LATE_COUNTS_FROM
    out = (
        merged.with_columns(pl.col("ccode").alias("location_code"))
        .with_columns(
            ccode.cast(pl.Int64).alias("ccode"),
            recode.alias("recode"),
            *[pl.when(late).then(pl.col(c)).alias(c) for c in _LATE_COUNTS],
            pl.col(LINE_COLUMN).alias("source_line"),
        )
        .sort("location_code", "year")
    )
    check_unique(out.filter(pl.col("ccode").is_not_null()), ["ccode", "year"], where)
    return out.select(*TROOPS_COLUMNS, *([LINE_COLUMN] if keep_lines else []))


def _read_either_encoding(path: Path, **kwargs: object) -> pl.DataFrame:
    """UTF-8 (the staged copy) or Windows-1252/Latin-1 (troopdata's original ``basedata.csv``)."""
    try:
        return read_csv_checked(path, **kwargs)  # type: ignore[arg-type]
    except SourceEncodingError:
        return read_csv_checked(path, encoding="cp1252", **kwargs)  # type: ignore[arg-type]


#: Columns of ``us_bases``, in order.
BASES_COLUMNS: tuple[str, ...] = (
    "ccode", "countryname", "iso3c", "basename", "lat", "lon", "base", "lilypad", "fundedsite",
    "repeat_of_line", "source_line",
)  # fmt: skip


def parse_bases(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """``us_bases_vine.csv`` (UTF-8 or the original Latin-1) → ``us_bases`` (one row per site).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "us_bases_vine.csv"
        >>> _ = f.write_bytes("countryname,ccode,iso3c,basename,lat,lon,base,lilypad,fundedsite\\n"
        ...     "Germany,255,DEU,Ramstein,49.4,7.6,1,0,0\\nCuraçao,1016,CUW,Hato,12.2,-69.0,0,1,0\\n"
        ...     .encode("latin-1"))
        >>> parse_bases(f).select("basename", "ccode", "lilypad").rows()
        [('Ramstein', 255, 0), ('Hato', 1016, 1)]
    """
    where = str(path)
    required = {
        "countryname": pl.String, "ccode": pl.Int64, "iso3c": pl.String, "basename": pl.String,
        "lat": pl.Float64, "lon": pl.Float64, "base": pl.Int64, "lilypad": pl.Int64,
        "fundedsite": pl.Int64,
    }  # fmt: skip
    df = _read_either_encoding(path, required=required, line_column=LINE_COLUMN)
    for flag in ("base", "lilypad", "fundedsite"):
        check_allowed(df, flag, (0, 1), where=where, what="the 0/1 site flags")
    first = pl.col(LINE_COLUMN).first().over(list(required))
    df = df.with_columns(
        pl.when(first != pl.col(LINE_COLUMN)).then(first).alias("repeat_of_line"),
        pl.col(LINE_COLUMN).alias("source_line"),
    )
    return df.select(*BASES_COLUMNS, *([LINE_COLUMN] if keep_lines else []))


#: Columns of ``us_milcon``, in order.
MILCON_COLUMNS: tuple[str, ...] = (
    "ccode", "year", "countryname", "iso3c", "location", "lat", "lon", "spend_thousand_usd",
    "source_line",
)  # fmt: skip


def parse_milcon(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """``us_milcon_spending_location_year_2008_2019.csv`` → ``us_milcon`` (thousands of current US$).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "milcon.csv"
        >>> _ = f.write_text("countryname,ccode,iso3c,year,location,lat,lon,spend_construction\\n"
        ...     "Japan,740.0,JPN,2010,Kadena,26.3,127.8,41000\\nWorldwide Unspecified,,,2010,X,,,5\\n")
        >>> parse_milcon(f).select("ccode", "year", "spend_thousand_usd").rows()
        [(740, 2010, 41000.0), (None, 2010, 5.0)]
    """
    where = str(path)
    required = {
        "countryname": pl.String, "ccode": pl.Int64, "iso3c": pl.String, "year": pl.Int64,
        "location": pl.String, "lat": pl.Float64, "lon": pl.Float64,
        "spend_construction": pl.Float64,
    }  # fmt: skip
    df = read_csv_checked(path, required=required, line_column=LINE_COLUMN)
    for column in ("year", "spend_construction"):
        bad = df.select(pl.col(column).is_null().arg_true()).to_series()
        if len(bad):
            raise InvalidValueError(
                "empty value", where=located(where, df, int(bad[0]), column),
                fix="every row has a year and an amount; re-download the file",
            )  # fmt: skip
    df = df.with_columns(
        pl.col("spend_construction").alias("spend_thousand_usd"),
        pl.col(LINE_COLUMN).alias("source_line"),
    )
    return df.select(*MILCON_COLUMNS, *([LINE_COLUMN] if keep_lines else []))


_KANE = """@Misc{kane2006troops,
  author       = {Tim Kane},
  title        = {Global {U.S.} Troop Deployment, 1950--2005},
  year         = {2006},
  howpublished = {Heritage Foundation Center for Data Analysis Report 06-02},
  url          = {https://www.heritage.org/defense/report/global-us-troop-deployment-1950-2005}
}"""
_ALLEN = """@Article{allen2022deployments,
  author  = {Michael A. Allen and Michael E. Flynn and Carla Martinez Machain},
  title   = {{US} Global Military Deployments, 1950--2020},
  journal = {Conflict Management and Peace Science},
  year    = {2022},
  volume  = {39},
  number  = {3},
  pages   = {351--370},
  doi     = {10.1177/07388942211030885}
}"""
_VINE = """@Book{vine2015basenation,
  author    = {David Vine},
  title     = {Base Nation: How {U.S.} Military Bases Abroad Harm America and the World},
  publisher = {Metropolitan Books},
  address   = {New York},
  year      = {2015}
}"""

_TERMS = "troopdata R package data (GPL >= 3); DMDC reports are US-government works."

SOURCES: list[Source] = [
    Source(
        name="us-troops",
        title="US military personnel abroad by host country-year, 1950-2024 (troopdata rebuild)",
        maintainer="Michael E. Flynn (troopdata); Defense Manpower Data Center (reports)",
        landing_page="https://github.com/meflynn/troopdata",
        terms=_TERMS + " Cite Allen, Flynn and Martinez Machain (2022) and Kane (2006).",
        bibtex="\n".join([_ALLEN, _KANE, TROOPDATA_BIBTEX]),
        releases=(
            release(
                "us-troops",
                "2024",
                "troopdata_country_year_csv",
                "us_troops_abroad_country_year_1950_2024.csv",
                "us_troops",
                official=False,
                via="troopdata",
                coverage=TROOPS_COVERAGE,
            ),
        ),  # fmt: skip
    ),
    Source(
        name="us-bases",
        title="US military bases abroad (David Vine's list, updated through 2018 by troopdata)",
        maintainer="David Vine (American University); Michael E. Flynn (troopdata)",
        landing_page="https://aura.american.edu/articles/online_resource/Lists_of_U_S_Military_Bases_Abroad_1776-2020/23856486",
        terms=_TERMS + " Cite Vine (2015).",
        bibtex="\n".join([_VINE, TROOPDATA_BIBTEX]),
        releases=(
            release(
                "us-bases",
                "2018",
                "troopdata_bases_csv",
                "us_bases_vine.csv",
                "us_bases",
                official=False,
                via="troopdata",
                coverage=(BASES_YEAR, BASES_YEAR),
            ),
        ),  # fmt: skip
    ),
    Source(
        name="us-milcon",
        title="US military construction obligational authority by location-year, 2008-2019",
        maintainer="Michael E. Flynn (troopdata); US DoD Comptroller (budget documents)",
        landing_page="https://github.com/meflynn/troopdata",
        terms=_TERMS,
        bibtex=TROOPDATA_BIBTEX,
        releases=(
            release(
                "us-milcon",
                "2019",
                "troopdata_milcon_csv",
                "us_milcon_spending_location_year_2008_2019.csv",
                "us_milcon",
                official=False,
                via="troopdata",
                coverage=MILCON_COVERAGE,
            ),
        ),  # fmt: skip
    ),
]

FORMATS: list[Format] = [
    format_spec("troopdata_country_year_csv", "us_troops",
                "troopdata: US military personnel by host location-year 1950-2024",
                parse_troops, ("location_code", "year"),
                "us_troops_abroad_country_year_1950_2024.csv", (r"ccode",), "cow"),
    format_spec("troopdata_bases_csv", "us_bases",
                "troopdata: David Vine's list of US bases abroad (2018 snapshot)",
                parse_bases, ("source_line",), "us_bases_vine.csv"),
    format_spec("troopdata_milcon_csv", "us_milcon",
                "troopdata: US military construction spending by location-year 2008-2019",
                parse_milcon, ("source_line",), "us_milcon_spending_location_year_2008_2019.csv",
                (r"ccode",), "cow"),
]  # fmt: skip
