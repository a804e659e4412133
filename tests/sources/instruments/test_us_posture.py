"""troopdata's US troops abroad, bases and MILCON files parsed from the real files."""

from __future__ import annotations

import functools

import polars as pl
import pytest

from foedus.errors import InvalidValueError, SourceEncodingError
from foedus.sources.instruments.us_posture import (
    BASES_COLUMNS,
    MILCON_COLUMNS,
    TROOPS_COLUMNS,
    parse_bases,
    parse_milcon,
    parse_troops,
)
from foedus.sources.readers import read_csv_checked
from tests.conftest import shared_file

TROOPS = "us_troops_bases/us_troops_abroad_country_year_1950_2024.csv"
BASES = "us_troops_bases/us_bases_vine.csv"
MILCON = "us_troops_bases/us_milcon_spending_location_year_2008_2019.csv"


@functools.cache
def troops() -> pl.DataFrame:
    return parse_troops(shared_file(TROOPS))


def test_troops_rows_keys_and_name_variant_merge() -> None:
    df = troops()
    assert df.columns == list(TROOPS_COLUMNS)
    assert df.height == 13_135 - 29  # 29 spelling-variant pairs summed into one row each
    assert (df["merged_rows"] == 2).sum() == 29
    assert df.select("location_code", "year").is_duplicated().sum() == 0
    assert (
        df.filter(pl.col("ccode").is_not_null()).select("ccode", "year").is_duplicated().sum() == 0
    )
    czechia = df.filter((pl.col("ccode") == 316) & (pl.col("year") == 2013))
    assert czechia.select("countryname", "troops_ad", "merged_rows").row(0) == ("Czechia", 17, 2)


def test_troops_hand_checked_figures() -> None:
    df = troops()
    got = {(c, y): n for c, y, n in df.select("ccode", "year", "troops_ad").rows()}
    assert got[(740, 1990)] == 46_593 and got[(740, 2000)] == 40_159  # Japan
    assert got[(260, 1960)] == 232_256  # West Germany (released as 255)
    assert got[(255, 1990)] == 227_586 and got[(255, 2000)] == 69_203  # unified Germany
    assert (255, 1960) not in got
    assert got[(817, 1968)] == 537_377  # Republic of Vietnam (released as 816)


def test_troops_codes_recodes_and_territories() -> None:
    df = troops()
    assert df.filter(pl.col("location_code") >= 1000)["ccode"].null_count() == df.filter(
        pl.col("location_code") >= 1000).height  # fmt: skip
    assert df.filter(pl.col("location_code") == 6)["ccode"].null_count() > 0  # Puerto Rico
    assert df.filter(pl.col("recode").is_not_null()).height == 35 + 21


def test_troops_late_counts_are_null_before_2008_and_negative_branches_null() -> None:
    df = troops()
    early = df.filter(pl.col("year") < 2008)
    assert early["army_reserve"].null_count() == early.height
    assert df.filter(pl.col("year") >= 2008)["army_reserve"].null_count() == 0
    assert df["marine_corps_ad"].null_count() == 6
    assert (df["troops_ad"] >= 0).all()


def test_bases_and_milcon() -> None:
    bases = parse_bases(shared_file(BASES))
    assert bases.columns == list(BASES_COLUMNS) and bases.height == 414
    assert bases.filter(pl.col("ccode") == 255).height == 44
    assert bases["repeat_of_line"].drop_nulls().to_list() == [169]
    milcon = parse_milcon(shared_file(MILCON))
    assert milcon.columns == list(MILCON_COLUMNS) and milcon.height == 5_532
    assert milcon.schema["ccode"] == pl.Int64 and milcon["ccode"].null_count() == 2_168
    assert (milcon["year"].min(), milcon["year"].max()) == (2008, 2019)


def test_bases_read_in_the_original_latin1_encoding(tmp_path) -> None:
    text = shared_file(BASES).read_text(encoding="utf-8")
    path = tmp_path / "us_bases_vine.csv"
    path.write_bytes(text.encode("latin-1", errors="replace"))
    assert parse_bases(path).height == 414
    with pytest.raises(SourceEncodingError):
        read_csv_checked(path, required={"ccode": pl.Int64})  # not UTF-8: the plain reader refuses


def test_duplicated_location_year_with_figures_in_both_rows_is_an_error(tmp_path) -> None:
    lines = shared_file(TROOPS).read_text().splitlines()
    header = lines[0]
    row = next(line for line in lines if line.startswith("Japan,2000,"))
    path = tmp_path / "troops.csv"
    path.write_text("\n".join([header, row, row.replace("Japan", "Nippon", 1)]) + "\n")
    with pytest.raises(InvalidValueError, match=r"line 2: location 740 appears 2 times in 2000"):
        parse_troops(path)


def test_negative_total_is_an_error(tmp_path) -> None:
    lines = shared_file(TROOPS).read_text().splitlines()
    fields = next(line for line in lines if line.startswith("Japan,2000,")).split(",")
    fields[5] = "-5"
    path = tmp_path / "troops.csv"
    path.write_text("\n".join([lines[0], ",".join(fields)]) + "\n")
    with pytest.raises(InvalidValueError, match=r"line 2, column 'troops_ad': negative count -5"):
        parse_troops(path)
