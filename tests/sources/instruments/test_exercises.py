"""JME v3 and MME v7 (wide and long) parsed from the real files."""

from __future__ import annotations

import functools

import polars as pl
import pytest

from foedus.errors import InvalidDateError, InvalidValueError, SourceFormatError
from foedus.sources.instruments.countries import report_unresolved
from foedus.sources.instruments.exercises import (
    JME_COLUMNS,
    JME_ERRATA,
    MME_EXERCISE_COLUMNS,
    MME_PARTICIPANT_COLUMNS,
    parse_jme,
    parse_mme_long,
    parse_mme_wide,
)
from tests.conftest import shared_file

JME = "military_exercises/jme_v3_dorazio.csv"
MME = "military_exercises/mme_v7_dorazio_galambos_1980_2010.csv"
MME_LONG = "military_exercises/mme_v7_long_exercise_country_year.csv"


@functools.cache
def jme() -> pl.DataFrame:
    return parse_jme(shared_file(JME))


@functools.cache
def mme() -> pl.DataFrame:
    return parse_mme_wide(shared_file(MME))


@functools.cache
def mme_long() -> pl.DataFrame:
    return parse_mme_long(shared_file(MME_LONG))


# ----------------------------------------------------------------------------------------- JME


def test_jme_rows_and_keys() -> None:
    df = jme()
    assert df.columns == list(JME_COLUMNS)
    # 1,790 records, one of them empty (line 1695); one row per listed participant
    assert df["jme_id"].n_unique() == 1789
    assert 1695 not in df["jme_id"].to_list()
    assert df.height == 6343
    assert df.select("jme_id", "participant_slot").is_duplicated().sum() == 0
    assert df.schema["ccode"] == pl.Int64 and df.schema["source_line"] == pl.Int64


def test_jme_dates_from_both_blocks_and_errata() -> None:
    df = jme().unique("jme_id")
    assert (df["start_year"].min(), df["start_year"].max()) == (1974, 2010)
    assert df["end_year"].max() == 2010
    # the Australian block (no s.year) takes its years from the date strings
    assert df.filter(pl.col("jme_id") == 1668)["start_year"].item() == 2007
    fixed = df.filter(pl.col("erratum").is_not_null())
    assert sorted(fixed["jme_id"].to_list()) == sorted({line for line, _, _ in JME_ERRATA})
    peace = df.filter(pl.col("exercise_name") == "Peace 09")
    assert peace.select("start_year", "end_year").row(0) == (2009, 2009)
    # 'xx' (unknown) and -9 (missing) parts are null, not numbers
    assert df.filter(pl.col("start_day").is_null()).height > 100
    assert df["start_month"].drop_nulls().is_between(1, 12).all()
    # two exercises have no date at all
    assert sorted(df.filter(pl.col("start_year").is_null())["exercise_name"].to_list()) == [
        "Elang Ausindo 07", "Passex 07"
    ]  # fmt: skip


def test_jme_participant_codes_resolve_including_obsolete_and_messy_ones() -> None:
    df = jme()
    got = dict(
        df.select(pl.col("participant"), pl.col("ccode")).unique().filter(
            pl.col("participant").is_in(["ROM", "DDR", "CSK", "kWT", "DEu", "BEL ", "USA"])
        ).rows()
    )  # fmt: skip
    assert got == {"ROM": 360, "DDR": 265, "CSK": 315, "kWT": 690, "DEu": 260, "BEL ": 211,
                   "USA": 2}  # fmt: skip
    assert dict(df["resolution"].value_counts().rows()) == {
        "resolved": 6335, "non-state": 5, "unresolved": 3
    }  # fmt: skip


def test_jme_unresolved_participants_are_listed_with_their_line() -> None:
    rep = report_unresolved(jme(), name_column="participant", resolution_column="resolution",
                            where=JME)  # fmt: skip
    assert sorted(rep["value"].to_list()) == ["8 NATO members", "NATO", "NATO"]
    assert rep["line"].null_count() == 0


def test_jme_known_pair_cobra_gold_83() -> None:
    ex = jme().filter(pl.col("exercise_name") == "Cobra Gold 83")
    assert ex.select("participant", "ccode", "is_host", "n_participants", "start_year").rows() == [
        ("USA", 2, False, 2, 1983), ("THA", 800, True, 2, 1983)
    ]  # fmt: skip


def test_jme_sea_locations_have_no_host() -> None:
    ex = jme().filter(pl.col("location1").str.contains("(?i)gulf of thailand"))
    assert not ex["is_host"].any()


# ----------------------------------------------------------------------------------------- MME


def test_mme_exercises_unique_uid_for_duplicated_ids() -> None:
    df = mme()
    assert df.columns == list(MME_EXERCISE_COLUMNS)
    assert df.height == 3707 and df["mme_uid"].is_unique().all()
    assert df["mmeid"].n_unique() == 3704
    assert sorted(df.filter(pl.col("mme_uid").str.contains("@"))["mme_uid"].to_list()) == [
        "mme3457@1996-09", "mme3457@2007-05", "mme3458@2000-09", "mme3458@2007-05",
        "mme3460@1995-07", "mme3460@2005-07",
    ]  # fmt: skip
    assert (df["start_year"].min(), df["start_year"].max()) == (1980, 2010)
    assert df["start_day"].null_count() == 814  # 'xx'
    assert df.filter(pl.col("ex_name").is_null()).height == 1033  # '-9'


def test_mme_long_participants() -> None:
    df = mme_long()
    assert df.columns == list(MME_PARTICIPANT_COLUMNS)
    assert df.height == 13818 and df["source_line"].is_unique().all()
    assert set(df["mme_uid"]) == set(mme()["mme_uid"])
    res = dict(df["resolution"].value_counts().rows())
    assert res == {"resolved": 13601, "non-state": 212, "unresolved": 5}
    # -9 participants are kept as unknown parties
    assert df.filter(pl.col("country") == "-9")["resolution"].unique().to_list() == ["non-state"]
    # Denmark listed twice in mme1720
    dup = df.filter(pl.col("repeat_of_line").is_not_null() & (pl.col("country") == "Denmark"))
    assert dup["mme_uid"].to_list() == ["mme1720"]


def test_mme_resolved_codes_agree_with_released_gwcodes() -> None:
    df = mme_long().filter(pl.col("gwcode_released").is_not_null())
    differ = df.filter(pl.col("gwcode_released") != pl.col("gwcode"))
    # R countrycode's Vietnam (817) and a 2005 "Serbia" (G-W 345 before 2006) are the only ones
    assert sorted(differ.select("country", "gwcode_released", "gwcode").unique().rows()) == [
        ("Serbia", 340, 345), ("Vietnam", 817, 816)
    ]  # fmt: skip
    # names the release left without a G-W code (Caribbean and Pacific microstates) resolve
    filled = mme_long().filter(pl.col("gwcode_released").is_null() & pl.col("ccode").is_not_null())
    assert {"Antigua & Barbuda", "Dominica", "Tonga"} <= set(filled["country"])


# ------------------------------------------------------------------------------- bad inputs


def _jme_text(extra_rows: list[str]) -> str:
    head = ("Exercise Name,Location1,Location2,Start Date,s.year,s.month,s.day,enddate,e.year,"
            "e.month,e.day,JME Type,Part of the Reforger Exercise?,"
            "Which state hosted the exercise?,State A,State B")  # fmt: skip
    return "\n".join([head, *extra_rows]) + "\n"


def test_jme_unknown_type_spelling_is_an_error(tmp_path) -> None:
    path = tmp_path / "jme.csv"
    path.write_text(_jme_text(["X,Japan,,1/1/1990,1990,1,1,1/2/1990,1990,1,2,FTXX,No,,USA,JPN"]))
    with pytest.raises(InvalidValueError, match=r"line 2, column '_type'.*'ftxx'"):
        parse_jme(path)


def test_jme_impossible_month_is_an_error(tmp_path) -> None:
    path = tmp_path / "jme.csv"
    path.write_text(_jme_text(["X,Japan,,13/1/1990,1990,13,1,1/2/1990,1990,1,2,FTX,No,,USA,JPN"]))
    with pytest.raises(InvalidDateError, match=r"line 2.*month 13"):
        parse_jme(path)


def test_jme_garbled_date_string_is_an_error(tmp_path) -> None:
    path = tmp_path / "jme.csv"
    path.write_text(_jme_text(["X,Japan,,11xx/2002,,,,11/xx/2002,,,,FTX,No,,USA,JPN"]))
    with pytest.raises(InvalidDateError, match=r"line 2, column 'start date': date '11xx/2002'"):
        parse_jme(path)


def test_jme_split_record_is_an_error(tmp_path) -> None:
    path = tmp_path / "jme.csv"
    path.write_text(
        _jme_text(["X,Japan,Oki", "nawa,1/1/1990,1990,1,1,1/2/1990,1990,1,2,FTX,No,,USA,JPN"])
    )
    with pytest.raises(SourceFormatError, match=r"line 2: record has 3 fields"):
        parse_jme(path)


def test_mme_year_outside_the_exercise_is_an_error(tmp_path) -> None:
    path = tmp_path / "mme_long.csv"
    path.write_text("MMEID,Ex_Name,gwcode,country,year,Location,StartDate,s.year,s.month,s.day,"
                    "e.year,e.month,e.day\nmme1,A,2.0,United States,1991,X,1990-01-xx,1990,1,xx,"
                    "1990,2,xx\n")  # fmt: skip
    with pytest.raises(InvalidValueError, match=r"line 2, column 'year': year 1991 is outside"):
        parse_mme_long(path)
