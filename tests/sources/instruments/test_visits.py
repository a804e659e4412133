"""US senior defence leader visits (troopdata ``visits.xls``) parsed from the real file."""

from __future__ import annotations

import functools

import polars as pl
import pytest

from foedus.errors import InvalidDateError
from foedus.sources.instruments.countries import report_unresolved
from foedus.sources.instruments.visits import COLUMNS, parse_visits
from tests.conftest import shared_file

FILE = "defense_diplomacy_visits/us_defense_leader_visits_1992_2012.csv"


@functools.cache
def visits() -> pl.DataFrame:
    return parse_visits(shared_file(FILE))


def test_rows_and_columns() -> None:
    df = visits()
    assert df.columns == list(COLUMNS) and df.height == 377
    assert df["source_line"].to_list() == list(range(2, 379))
    assert (df["start_year"].min(), df["start_year"].max()) == (1992, 2012)


def test_state_visit_is_iso3_not_cow_abbreviations() -> None:
    df = visits()
    got = dict(df.select("state_visit", "ccode").unique().rows())
    # JPN is Japan in ISO3 (COW abbreviation JPN too); DEU (ISO) would be GMY in COW; KOR → 732
    assert got["JPN"] == 740 and got["DEU"] == 255 and got["KOR"] == 732
    assert got["Nassau"] == 31 and got["Kosovo"] == 347
    assert got["GUM"] is None  # a territory


def test_unknown_names_are_listed_with_their_line() -> None:
    rep = report_unresolved(visits(), name_column="state_visit", resolution_column="resolution",
                            where=FILE)  # fmt: skip
    assert rep.select("line", "value").rows() == [
        (rep["line"][0], "Wake Island")
    ] and rep["line"][0] > 1  # fmt: skip


def test_titles_and_repeated_rows() -> None:
    df = visits()
    assert df.filter(pl.col("title_std") == "Commandant of the Marine Corps").height == 13
    assert df["repeat_of_line"].drop_nulls().len() == 2


def test_unknown_name_in_a_written_file_is_kept_unresolved(tmp_path) -> None:
    path = tmp_path / "visits.csv"
    path.write_text("Title,Name,Start Day,Start Month,Start Year,City Visited,State Visit,End Day,"
                    "End Month,End Year\nPACOM,X,1,1,2000,,JPN,2,1,2000\n"
                    "PACOM,X,3,1,2000,,Atlantis,4,1,2000\n")  # fmt: skip
    df = parse_visits(path)
    assert df.select("state_visit", "ccode", "resolution").rows() == [
        ("JPN", 740, "resolved"), ("Atlantis", None, "unresolved")
    ]  # fmt: skip
    rep = report_unresolved(df, name_column="state_visit", resolution_column="resolution",
                            where=str(path))  # fmt: skip
    assert rep.rows() == [(str(path), 3, "state_visit", "Atlantis")]


def test_impossible_date_is_an_error(tmp_path) -> None:
    path = tmp_path / "visits.csv"
    path.write_text("Title,Name,Start Day,Start Month,Start Year,City Visited,State Visit,End Day,"
                    "End Month,End Year\nPACOM,X,31,2,2000,,JPN,2,3,2000\n")  # fmt: skip
    with pytest.raises(InvalidDateError, match=r"line 2.*2000-2-31"):
        parse_visits(path)
