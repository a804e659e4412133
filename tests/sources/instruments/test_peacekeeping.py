"""Peace-operation files (Bara's UN/non-UN data, Geo-PKO Africa, OWID totals) parsed from the real
files."""

from __future__ import annotations

import functools

import polars as pl
import pytest

from foedus.errors import DuplicateKeyError, InvalidValueError
from foedus.sources.instruments.peacekeeping import (
    GEO_COLUMNS,
    parse_geo_pko,
    parse_owid_pko,
    parse_pko_mission_list,
    parse_pko_monthly,
)
from tests.conftest import shared_file

MONTHLY = "peacekeeping/un_nonun_peacekeeping_v2-2019_mission_conflict_month.csv"
MISSIONS = "peacekeeping/un_nonun_peacekeeping_v2-2019_mission_list_DERIVED.csv"
GEO = "peacekeeping/geo_pko_africa_1994_2018_deployment_location_month.csv"
OWID = "peacekeeping/owid_un_peacekeeping_world_1947_2021.csv"


@functools.cache
def geo() -> pl.DataFrame:
    return parse_geo_pko(shared_file(GEO))


def test_monthly_rows_key_and_coverage() -> None:
    df = parse_pko_monthly(shared_file(MONTHLY))
    assert df.shape == (8100, 33)
    assert df.select("missionid", "conflictid", "date").is_duplicated().sum() == 0
    assert df.schema["date"] == pl.Date and df.schema["ccode"] == pl.Int64
    assert (df["year"].min(), df["year"].max()) == (1993, 2016)
    # neither mission-month nor conflict-month is unique (Bosnia's missions serve 3 conflicts)
    assert df.select("missionid", "date").is_duplicated().any()
    amisom = df.filter(pl.col("mission") == "AMISOM")
    assert str(amisom["date"].min()) == "2007-02-01"


def test_mission_list() -> None:
    df = parse_pko_mission_list(shared_file(MISSIONS))
    assert df.height == 121 and df["missionid"].is_unique().all()


def test_geo_pko_contributors() -> None:
    df = geo()
    assert df.columns == list(GEO_COLUMNS)
    assert df.height == 14_435
    assert df["tcc_name"].n_unique() == 92
    # 'unknown'/'unkown' troop counts are null, the text kept
    unknown = df.filter(pl.col("tcc_troops_raw").str.to_lowercase().is_in(["unknown", "unkown"]))
    assert unknown.height == 574 and unknown["tcc_troops"].null_count() == 574
    # every resolved name agrees with the released COW code
    both = df.filter(pl.col("tcc_code_released").is_not_null())
    assert (both["ccode"] == both["tcc_code_released"]).all()
    assert dict(df["resolution"].value_counts().rows()) == {
        "resolved": 14_232, "non-state": 197, "unresolved": 6
    }  # fmt: skip
    assert df.filter(pl.col("tcc_name") == "Bangladesh")["ccode"].unique().to_list() == [771]


def test_owid_breakdown_is_null_before_1992() -> None:
    df = parse_owid_pko(shared_file(OWID))
    assert df.height == 75 and (df["year"].min(), df["year"].max()) == (1947, 2021)
    assert df.filter(pl.col("year") < 1992)["troops"].null_count() == 1992 - 1947
    assert df.filter(pl.col("year") == 2021).select("missions", "total_force").row(0) == (23, 75085)


def test_monthly_duplicate_key_is_an_error(tmp_path) -> None:
    lines = shared_file(MONTHLY).read_text().splitlines()
    path = tmp_path / "pko.csv"
    path.write_text("\n".join([lines[0], lines[1], lines[1]]) + "\n")
    with pytest.raises(DuplicateKeyError, match="lines 2 and 3"):
        parse_pko_monthly(path)


def test_geo_bad_troop_count_is_an_error(tmp_path) -> None:
    path = tmp_path / "geo.csv"
    path.write_text(
        "Source,Mission,year,month,location,country,latitude,longitude,No.troops,"
        "No.TCC,name.of.TCC1,No.troops.per.TCC1,cow_code,TCC1\n"
        "Map 1,UNMIL,2005,3,Gbarnga,Liberia,7,-9,800,1,Nigeria,about 650,450,475\n"
    )
    with pytest.raises(InvalidValueError, match=r"line 2, column 'No.troops.per.TCC1'"):
        parse_geo_pko(path)
