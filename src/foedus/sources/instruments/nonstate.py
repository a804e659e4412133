"""Non-state, intra-state and inter-state war: UCDP Non-State Conflict Dataset and the COW
Non-State, Intra-State and Inter-State War data.

* ``Nonstate_v23_1.csv`` → ``ucdp_nonstate``: UCDP Non-State Conflict Dataset v23.1, one row per
  dyad and year (1989–2022), fighting between organised actors none of which is a government.
  ``gwno_location`` (G-W codes of the country or countries where it took place) and ``region``
  (UCDP's regions 1 Europe, 2 Middle East, 3 Asia, 4 Africa, 5 Americas) stay comma-separated
  strings, as released; fatalities are the best, low and high estimates of the dyad-year.
* ``Non-StateWarData_v4.0.csv`` → ``cow_nonstate_wars``: COW Non-State War data v4.0 (1816–2007),
  one row per war; ``-7/-8/-9`` become null; the one formatted death total ("4,000") is read as
  4000.
* ``INTRA-STATE WARS v5.1 CSV.csv`` → ``cow_intrastate_wars``: COW Intra-State War data v5.1
  (1818–2014), one row per war with up to four spells of fighting; ``-7/-8/-9`` (and the one
  end day written ``?``) become null.
* ``Inter-StateWarData_v4.0.csv`` → ``cow_interstate_wars``: COW Inter-State War data v4.0
  (1823–2003), one row per war, state and side (a state that changed sides has one row per
  side); ``-7/-8/-9`` become null; ``initiator`` 1 = the state was on the side that began the
  war; ``startyear1/…`` are the state's own spells of participation. Used by the war-honouring
  rates (``foedus.impact.reliability``).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from foedus.errors import InvalidValueError
from foedus.sources.instruments._inst_util import check_allowed, located
from foedus.sources.model import Format, Source, format_spec, release
from foedus.sources.readers import LINE_COLUMN, check_dates, read_csv_checked

__all__ = [
    "FORMATS", "SOURCES", "parse_cow_interstate", "parse_cow_intrastate", "parse_cow_nonstate",
    "parse_ucdp_nonstate",
]

UCDP_NONSTATE_COVERAGE: tuple[int, int] = (1989, 2022)
COW_NONSTATE_COVERAGE: tuple[int, int] = (1816, 2007)
COW_INTRASTATE_COVERAGE: tuple[int, int] = (1818, 2014)
COW_INTERSTATE_COVERAGE: tuple[int, int] = (1816, 2007)

_UCDP_INTS = (
    "conflict_id dyad_id org side_a_id side_b_id start_prec start_prec2 ep_end year "
    "best_fatality_estimate low_fatality_estimate high_fatality_estimate"
)
_UCDP_STRINGS = (
    "side_a_name side_a_2nd side_b_name side_b_2nd location gwno_location region gwno_a_2nd "
    "gwno_b_2nd"
)


def _check_code_list(df: pl.DataFrame, column: str, where: str, *, allow_empty: bool) -> None:
    """A comma-separated list of whole numbers (UCDP's multi-value cells)."""
    pattern = r"^\s*\d+(\s*,\s*\d+)*\s*$"
    ok = pl.col(column).str.contains(pattern)
    if allow_empty:
        ok = ok | pl.col(column).is_null()
    bad = df.select((~ok).fill_null(True).arg_true()).to_series()
    if len(bad):
        raise InvalidValueError(
            f"{df[column][int(bad[0])]!r} is not a comma-separated list of codes",
            where=located(where, df, int(bad[0]), column),
            fix="re-download the official file",
        )


def parse_ucdp_nonstate(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """UCDP Non-State Conflict Dataset CSV → ``ucdp_nonstate`` (one row per dyad-year).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "Nonstate_v23_1.csv"
        >>> head = ("conflict_id,dyad_id,org,side_a_name,side_a_id,side_a_2nd,gwno_a_2nd,"
        ...         "side_b_name,side_b_id,side_b_2nd,gwno_b_2nd,start_date,start_prec,"
        ...         "start_date2,start_prec2,ep_end,ep_end_date,year,best_fatality_estimate,"
        ...         "low_fatality_estimate,high_fatality_estimate,location,gwno_location,region\\n")
        >>> row = '1,2,3,Fulani,607,,,Yoruba,701,,,1998-01-18,2,2021-06-05,1,1,2021-06-09,2021,41,41,81,Nigeria,475,4\\n'
        >>> _ = f.write_text(head + row)
        >>> parse_ucdp_nonstate(f).select("conflict_id", "year", "best_fatality_estimate", "region").row(0)
        (1, 2021, 41, '4')
    """
    where = str(path)
    required = {
        **{c: pl.Int64 for c in _UCDP_INTS.split()},
        **{c: pl.String for c in _UCDP_STRINGS.split()},
        "start_date": pl.Date,
        "start_date2": pl.Date,
        "ep_end_date": pl.Date,
    }
    df = read_csv_checked(
        path, required=required, key=("dyad_id", "year"), others="string", line_column=LINE_COLUMN
    )
    check_dates(df, "year", where=where)
    check_allowed(df, "org", (1, 2, 3), where=where, what="the codebook (org)")
    check_allowed(df, "ep_end", (0, 1), where=where, what="the codebook (ep_end)")
    _check_code_list(df, "gwno_location", where, allow_empty=False)
    _check_code_list(df, "region", where, allow_empty=False)
    bad_region = df.select(
        pl.col("region").str.split(",").list.eval(pl.element().str.strip_chars().cast(pl.Int64)
                                                  .is_between(1, 5)).list.all().not_().arg_true()
    ).to_series()  # fmt: skip
    if len(bad_region):
        raise InvalidValueError(
            f"region {df['region'][int(bad_region[0])]!r} is not among UCDP's regions 1-5",
            where=located(where, df, int(bad_region[0]), "region"),
            fix="re-download the official file",
        )
    for column in ("best_fatality_estimate", "low_fatality_estimate", "high_fatality_estimate"):
        bad = df.select((pl.col(column) < 0).fill_null(False).arg_true()).to_series()
        if len(bad):
            raise InvalidValueError("negative fatality estimate",
                                    where=located(where, df, int(bad[0]), column),
                                    fix="re-download the official file")  # fmt: skip
    order = (
        "conflict_id dyad_id org side_a_name side_a_id side_a_2nd side_b_name side_b_id "
        "side_b_2nd start_date start_prec start_date2 start_prec2 ep_end ep_end_date year "
        "best_fatality_estimate low_fatality_estimate high_fatality_estimate location "
        "gwno_location region"
    ).split()
    return df.select(*order, *([LINE_COLUMN] if keep_lines else []))


_COW_MISSING = (-7, -8, -9)


def _nullify(df: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    return df.with_columns(
        pl.when(pl.col(c).is_in(list(_COW_MISSING))).then(None).otherwise(pl.col(c)).alias(c)
        for c in columns
    )


def _whole(df: pl.DataFrame, column: str, where: str) -> pl.Series:
    text = df[column].str.strip_chars().str.replace_all(",", "")
    value = text.cast(pl.Float64, strict=False)
    bad = ((value.is_null() & text.is_not_null() & (text != "")) | (value != value.round(0)))
    bad_rows = bad.fill_null(False).arg_true()
    if len(bad_rows):
        raise InvalidValueError(
            f"{df[column][int(bad_rows[0])]!r} is not a whole number",
            where=located(where, df, int(bad_rows[0]), column),
            fix="correct the value or re-download the file",
        )
    return value.cast(pl.Int64)


def parse_cow_nonstate(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """COW Non-State War data v4.0 → ``cow_nonstate_wars`` (one row per war).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "Non-StateWarData_v4.0.csv"
        >>> _ = f.write_text("WarNum,WarName,WarType,WhereFought,SideA1,SideA2,SideB1,SideB2,"
        ...     "SideB3,SideB4,SideB5,StartYear,StartMonth,StartDay,EndYear,EndMonth,EndDay,"
        ...     "Initiator,TransFrom,TransTo,Outcome,SideADeaths,SideBDeaths,TotalCombatDeaths,"
        ...     "Version\\n1500,Maori,8,9,A,-8,B,-8,-8,-8,-8,1818,-9,-9,1824,-9,-9,A,-8,-8,1,"
        ...     '1500,6000,"4,000",4\\n')
        >>> parse_cow_nonstate(f).select("warnum", "startyear", "endyear", "totalcombatdeaths").row(0)
        (1500, 1818, 1824, 4000)
    """
    where = str(path)
    names = (
        "warnum warname wartype wherefought sidea1 sidea2 sideb1 sideb2 sideb3 sideb4 sideb5 "
        "startyear startmonth startday endyear endmonth endday initiator transfrom transto "
        "outcome sideadeaths sidebdeaths totalcombatdeaths version"
    ).split()
    df = read_csv_checked(path, required={c: pl.String for c in names}, key=("warnum",),
                          line_column=LINE_COLUMN)  # fmt: skip
    ints = [c for c in names if c not in ("warname", "sidea1", "sidea2", "sideb1", "sideb2",
                                          "sideb3", "sideb4", "sideb5", "initiator")]  # fmt: skip
    df = df.with_columns(_whole(df, c, where).alias(c) for c in ints)
    df = _nullify(df, [c for c in ints if c not in ("warnum", "startyear", "wartype")])
    df = df.with_columns(
        pl.when(pl.col(c).str.strip_chars() == "-8").then(None).otherwise(pl.col(c)).alias(c)
        for c in ("sidea2", "sideb2", "sideb3", "sideb4", "sideb5")
    )
    check_allowed(df, "wartype", (8, 9), where=where, what="COW non-state war types")
    return df.select(*names, *([LINE_COLUMN] if keep_lines else []))


def parse_cow_intrastate(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """COW Intra-State War data v5.1 → ``cow_intrastate_wars`` (one row per war).

    ``warnum`` stays a number with decimals (632.3); ``ccodea`` is the government side's COW
    code (null when side A is not a state, -8 in the
    release); ``v5regionnum`` the v5 region; ``startyr1…endyr4`` the spells of fighting.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "INTRA-STATE WARS v5.1 CSV.csv"
        >>> cols = ["WarNum", "WarName", "V5RegionNum", "WarType", "CcodeA", "SideA", "SideB",
        ...         "Intnl"] + [f"{p}{k}" for k in range(1, 5) for p in
        ...         ("StartMo", "StartDy", "StartYr", "EndMo", "EndDy", "EndYr")] + [
        ...         "WDuratDays", "WDuratMo", "TotNatMonWar", "TransFrom", "Initiator",
        ...         "Outcome", "TransTo", "DeathsSideA", "DeathsSideB", "TotalBDeaths", "Version"]
        >>> vals = ["500", "Caucasus", "3", "5", "365", "Russia", "Rebels", "0"] + [
        ...     "6", "10", "1818", "11", "-9", "1822"] + ["-8"] * 18 + [
        ...     "1596", "53.2", "53.2", "-8", "Chechnya", "1", "-8", "5000", "6000", "11000", "5.1"]
        >>> _ = f.write_text(",".join(cols) + "\\n" + ",".join(vals) + "\\n")
        >>> parse_cow_intrastate(f).select("warnum", "ccodea", "startyr1", "endyr1", "startyr2").row(0)
        (500.0, 365, 1818, 1822, None)
    """
    where = str(path)
    spells = [f"{p}{k}" for k in range(1, 5) for p in
              ("startmo", "startdy", "startyr", "endmo", "enddy", "endyr")]  # fmt: skip
    ints = ["v5regionnum", "wartype", "ccodea", "intnl", *spells, "wduratdays", "transfrom",
            "outcome", "deathssidea", "deathssideb", "totalbdeaths"]  # fmt: skip
    floats = ["warnum", "wduratmo", "totnatmonwar", "transto", "version"]
    strings = ["warname", "sidea", "sideb", "initiator"]
    names = ["warnum", "warname", "v5regionnum", "wartype", "ccodea", "sidea", "sideb", "intnl",
             *spells, "wduratdays", "wduratmo", "totnatmonwar", "transfrom", "initiator",
             "outcome", "transto", "deathssidea", "deathssideb", "totalbdeaths", "version"]  # fmt: skip
    df = read_csv_checked(path, required={c: pl.String for c in names}, key=("warnum",),
                          line_column=LINE_COLUMN)  # fmt: skip
    # The release writes one unknown end day as "?" (EndDy1, war 798, the Eritrean War of 1975-1979): unknown, like -9.
    df = df.with_columns(pl.col("enddy1").str.replace(r"^\s*\?\s*$", "-9"))
    df = df.with_columns(_whole(df, c, where).alias(c) for c in ints)
    df = df.with_columns(pl.col(c).str.strip_chars().cast(pl.Float64, strict=False).alias(c)
                         for c in floats)  # fmt: skip
    df = _nullify(df, [c for c in ints if c not in ("v5regionnum", "wartype")])
    df = df.with_columns(
        pl.when(pl.col("transto").is_in([-7.0, -8.0, -9.0])).then(None).otherwise(pl.col("transto"))
        .alias("transto")
    )  # fmt: skip
    check_allowed(df, "wartype", (4, 5, 6, 7), where=where, what="COW intra-state war types")
    check_allowed(df, "v5regionnum", (1, 2, 3, 4, 5, 6, 7), where=where, what="COW v5 regions")
    bad = df.select(pl.col("startyr1").is_null().arg_true()).to_series()
    if len(bad):
        raise InvalidValueError("the war has no start year", where=located(where, df, int(bad[0]),
                                "startyr1"), fix="re-download the official file")  # fmt: skip
    return df.select(*names, *([LINE_COLUMN] if keep_lines else [])).select(
        pl.all().exclude(strings), *strings
    ).select(names + ([LINE_COLUMN] if keep_lines else []))


def parse_cow_interstate(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """COW Inter-State War data v4.0 → ``cow_interstate_wars`` (one row per war, state, side).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "Inter-StateWarData_v4.0.csv"
        >>> cols = ("WarNum,WarName,WarType,ccode,StateName,Side,StartMonth1,StartDay1,"
        ...         "StartYear1,EndMonth1,EndDay1,EndYear1,StartMonth2,StartDay2,StartYear2,"
        ...         "EndMonth2,EndDay2,EndYear2,TransFrom,WhereFought,Initiator,Outcome,"
        ...         "TransTo,BatDeath,Version")
        >>> row = "139,World War II,1,290,Poland,1,9,1,1939,10,6,1939,-8,-8,-8,-8,-8,-8,-8,2,2,2,-8,-9,4"
        >>> _ = f.write_text(cols + "\\n" + row + "\\n")
        >>> parse_cow_interstate(f).select("warnum", "ccode", "side", "startyear1", "initiator",
        ...                                "startyear2", "batdeath").row(0)
        (139, 290, 1, 1939, 2, None, None)
    """
    where = str(path)
    names = (
        "warnum warname wartype ccode statename side startmonth1 startday1 startyear1 endmonth1 "
        "endday1 endyear1 startmonth2 startday2 startyear2 endmonth2 endday2 endyear2 transfrom "
        "wherefought initiator outcome transto batdeath version"
    ).split()
    df = read_csv_checked(path, required={c: pl.String for c in names},
                          key=("warnum", "ccode", "side"), line_column=LINE_COLUMN)  # fmt: skip
    ints = [c for c in names if c not in ("warname", "statename", "transfrom")]
    df = df.with_columns(_whole(df, c, where).alias(c) for c in ints)
    df = _nullify(df, [c for c in ints if c not in ("warnum", "wartype", "ccode", "side",
                                                    "startyear1", "initiator", "version")])
    df = df.with_columns(
        pl.when(pl.col("transfrom").str.strip_chars().is_in(["-7", "-8", "-9"])).then(None)
        .otherwise(pl.col("transfrom").str.strip_chars()).alias("transfrom")
    )  # fmt: skip
    check_allowed(df, "wartype", (1,), where=where, what="COW inter-state war types")
    check_allowed(df, "side", (1, 2), where=where, what="COW war sides")
    check_allowed(df, "initiator", (1, 2), where=where, what="COW initiator codes")
    check_dates(df, "startyear1", where=where)
    return df.select(*names, *([LINE_COLUMN] if keep_lines else []))


_UCDP_BIB = """@Article{sundberg2012nonstate,
  author  = {Ralph Sundberg and Kristine Eck and Joakim Kreutz},
  title   = {Introducing the {UCDP} Non-State Conflict Dataset},
  journal = {Journal of Peace Research},
  year    = {2012},
  volume  = {49},
  number  = {2},
  pages   = {351--362}
}
@Article{davies2023ucdp,
  author  = {Shawn Davies and Ther{\\'e}se Pettersson and Magnus {\\"O}berg},
  title   = {Organized Violence 1989--2022, and the Return of Conflict between States},
  journal = {Journal of Peace Research},
  year    = {2023},
  volume  = {60},
  number  = {4}
}"""
_COW_WARS_BIB = """@Book{sarkees2010resort,
  author    = {Meredith Reid Sarkees and Frank Whelon Wayman},
  title     = {Resort to War: A Data Guide to Inter-State, Extra-State, Intra-State, and Non-State Wars, 1816--2007},
  publisher = {CQ Press},
  address   = {Washington, DC},
  year      = {2010}
}"""
_COW_INTRA_BIB = """@Book{dixon2016intrastate,
  author    = {Jeffrey S. Dixon and Meredith Reid Sarkees},
  title     = {A Guide to Intra-State Wars: An Examination of Civil Wars, 1816--2014},
  publisher = {CQ Press / Sage},
  address   = {Thousand Oaks, CA},
  year      = {2016}
}"""

SOURCES: list[Source] = [
    Source(
        name="ucdp-nonstate",
        title="UCDP Non-State Conflict Dataset",
        maintainer="Uppsala Conflict Data Program",
        landing_page="https://ucdp.uu.se/downloads/",
        terms="Free; cite Sundberg, Eck and Kreutz (2012) and Davies et al. for the version used.",
        bibtex=_UCDP_BIB,
        releases=(
            release("ucdp-nonstate", "23.1", "ucdp_nonstate_csv", "Nonstate_v23_1.csv",
                    "ucdp_nonstate", coverage=UCDP_NONSTATE_COVERAGE),
        ),  # fmt: skip
    ),
    Source(
        name="cow-nonstate-wars",
        title="Correlates of War Non-State War Data (v4.0)",
        maintainer="Correlates of War Project",
        landing_page="https://correlatesofwar.org/data-sets/cow-war/",
        terms="Free for research use; cite Sarkees and Wayman (2010).",
        bibtex=_COW_WARS_BIB,
        releases=(
            release("cow-nonstate-wars", "4.0", "cow_nonstate_wars_csv",
                    "Non-StateWarData_v4.0.csv", "cow_nonstate_wars",
                    coverage=COW_NONSTATE_COVERAGE),
        ),  # fmt: skip
    ),
    Source(
        name="cow-interstate-wars",
        title="Correlates of War Inter-State War Data (v4.0)",
        maintainer="Correlates of War Project",
        landing_page="https://correlatesofwar.org/data-sets/cow-war/",
        terms="Free for research use; cite Sarkees and Wayman (2010).",
        bibtex=_COW_WARS_BIB,
        releases=(
            release("cow-interstate-wars", "4.0", "cow_interstate_wars_csv",
                    "Inter-StateWarData_v4.0.csv", "cow_interstate_wars",
                    coverage=COW_INTERSTATE_COVERAGE),
        ),  # fmt: skip
    ),
    Source(
        name="cow-intrastate-wars",
        title="Correlates of War Intra-State War Data (v5.1)",
        maintainer="Correlates of War Project",
        landing_page="https://correlatesofwar.org/data-sets/cow-war/",
        terms="Free for research use; cite Dixon and Sarkees (2016).",
        bibtex=_COW_INTRA_BIB,
        releases=(
            release("cow-intrastate-wars", "5.1", "cow_intrastate_wars_csv",
                    "INTRA-STATE WARS v5.1 CSV.csv", "cow_intrastate_wars",
                    coverage=COW_INTRASTATE_COVERAGE),
        ),  # fmt: skip
    ),
]

FORMATS: list[Format] = [
    format_spec("ucdp_nonstate_csv", "ucdp_nonstate",
                "UCDP Non-State Conflict Dataset, official dyad-year CSV",
                parse_ucdp_nonstate, ("dyad_id", "year"), "Nonstate_v23_1.csv"),
    format_spec("cow_nonstate_wars_csv", "cow_nonstate_wars",
                "COW Non-State War data v4.0, one row per war",
                parse_cow_nonstate, ("warnum",), "Non-StateWarData_v4.0.csv"),
    format_spec("cow_intrastate_wars_csv", "cow_intrastate_wars",
                "COW Intra-State War data v5.1, one row per war",
                parse_cow_intrastate, ("warnum",), "INTRA-STATE WARS v5.1 CSV.csv",
                (r"ccodea",), "cow"),
    format_spec("cow_interstate_wars_csv", "cow_interstate_wars",
                "COW Inter-State War data v4.0, one row per war, state and side",
                parse_cow_interstate, ("warnum", "ccode", "side"),
                "Inter-StateWarData_v4.0.csv", ("ccode",), "cow"),
]  # fmt: skip
