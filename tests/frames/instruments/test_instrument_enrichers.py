"""DCA, exercise, training, posture, visit and peace-operation enrichers on the real data.

The full directed COW dyad-year frame 1816–2024 (peacesciencer's ``cow_ddy``, 2,214,930 rows) is
enriched once per session; speed is measured in ``benchmarks/instruments.py``, not here.
"""

from __future__ import annotations

import functools
from pathlib import Path

import polars as pl
import pytest

from foedus.frames.frame import Frame
from foedus.frames.instruments.defence_cooperation import add_dcas, enrich_dcas
from foedus.frames.instruments.exercises import add_joint_exercises, enrich_joint_exercises
from foedus.frames.instruments.peacekeeping import add_pko_codeployment, enrich_pko
from foedus.frames.instruments.posture import add_us_troops, enrich_us_troops
from foedus.frames.instruments.training import add_us_training, enrich_us_training
from foedus.frames.instruments.visits import add_us_visits, enrich_us_visits
from foedus.sources.instruments import dcad, exercises, peacekeeping, training, us_posture, visits
from tests.conftest import ps_table, shared_file

SOURCES = {
    "dcad": (dcad.parse_dcad_main, "dcad/DCAD-v1.0-main.csv"),
    "jme": (exercises.parse_jme, "military_exercises/jme_v3_dorazio.csv"),
    "mme": (exercises.parse_mme_long, "military_exercises/mme_v7_long_exercise_country_year.csv"),
    "training": (
        training.parse_fmtr,
        "us_military_training_fmtr/fmtr_foreign_military_training_FY1999_2020.parquet",
    ),
    "troops": (us_posture.parse_troops,
               "us_troops_bases/us_troops_abroad_country_year_1950_2024.csv"),
    "bases": (us_posture.parse_bases, "us_troops_bases/us_bases_vine.csv"),
    "milcon": (us_posture.parse_milcon,
               "us_troops_bases/us_milcon_spending_location_year_2008_2019.csv"),
    "visits": (visits.parse_visits,
               "defense_diplomacy_visits/us_defense_leader_visits_1992_2012.csv"),
    "geo": (peacekeeping.parse_geo_pko,
            "peacekeeping/geo_pko_africa_1994_2018_deployment_location_month.csv"),
    "monthly": (peacekeeping.parse_pko_monthly,
                "peacekeeping/un_nonun_peacekeeping_v2-2019_mission_conflict_month.csv"),
}  # fmt: skip


@functools.cache
def table(name: str) -> pl.DataFrame:
    parse, relative = SOURCES[name]
    return parse(shared_file(relative))


def enrich_dyads(df: pl.DataFrame) -> pl.DataFrame:
    df = add_dcas(df, table("dcad"))
    df = add_joint_exercises(df, table("jme"), table("mme"))
    df = add_us_training(df, table("training"))
    df = add_us_troops(df, table("troops"), bases=table("bases"), milcon=table("milcon"))
    df = add_us_visits(df, table("visits"))
    return add_pko_codeployment(df, table("geo"))


@functools.cache
def ddy() -> pl.DataFrame:
    return ps_table("cow_ddy").select(pl.col("ccode1", "ccode2", "year").cast(pl.Int64))


@functools.cache
def full() -> pl.DataFrame:
    return enrich_dyads(ddy())


def cell(df: pl.DataFrame, a: int, b: int, year: int, column: str) -> object:
    row = df.filter((pl.col("ccode1") == a) & (pl.col("ccode2") == b) & (pl.col("year") == year))
    assert row.height == 1, (a, b, year)
    return row[column].item()


# ------------------------------------------------------------------- the full dyad-year frame


def test_full_frame_keeps_rows_and_order() -> None:
    out = full()
    assert out.height == 2_214_930
    assert out.select("ccode1", "ccode2", "year").equals(ddy())
    assert out.width == 3 + 25


@pytest.mark.parametrize(
    ("column", "first", "last", "missing"),
    [
        ("dca_active", 1980, 2010, ()),
        ("jme_joint", 1970, 2010, ()),
        ("mme_joint", 1980, 2010, ()),
        ("pko_codeployed", 1994, 2018, ()),
    ],
)
def test_coverage_null_outside_zero_inside(column: str, first: int, last: int, missing) -> None:
    out = full()
    years = out.group_by("year").agg(pl.col(column).null_count().alias("nulls"), pl.len())
    inside = years.filter(pl.col("year").is_between(first, last))
    outside = years.filter(~pl.col("year").is_between(first, last))
    assert (inside["nulls"] == 0).all(), column
    assert (outside["nulls"] == outside["len"]).all(), column


def test_us_only_sources_are_null_for_other_dyads_and_outside_their_years() -> None:
    out = full()
    not_us = out.filter(pl.col("ccode1") != 2)
    for column in ("us_training_students", "us_troops", "us_visits", "us_bases", "us_milcon"):
        assert not_us[column].null_count() == not_us.height, column
    us = out.filter(pl.col("ccode1") == 2)
    nulls = us.group_by("year").agg(
        pl.col("us_training_students").null_count().alias("t"),
        pl.col("us_troops").null_count().alias("troops"),
        pl.col("us_bases").null_count().alias("bases"),
        pl.len(),
    )
    # (inside the reports' years only the states the reports exempt are null: NATO members …)
    training_years = set(nulls.filter(pl.col("t") < pl.col("len"))["year"])
    assert training_years == {y for y in range(1999, 2021) if y != 2006}
    assert nulls.filter(pl.col("year").is_in(list(training_years)))["t"].max() <= 40
    assert set(nulls.filter(pl.col("troops") == 0)["year"]) == set(range(1950, 2025))
    assert set(nulls.filter(pl.col("bases") == 0)["year"]) == {2018}


def test_hand_checked_dca_us_poland() -> None:
    out = full()
    assert cell(out, 2, 290, 1995, "dca_new") == 1
    assert cell(out, 290, 2, 1995, "dca_new") == 1  # undirected: both directions
    assert cell(out, 2, 290, 1994, "dca_active") == 0
    assert cell(out, 2, 290, 2010, "dca_active") >= 1
    assert cell(out, 2, 290, 1995, "dca_active_sector") >= 1  # a research agreement


def test_hand_checked_us_troops() -> None:
    out = full()
    assert cell(out, 2, 740, 2000, "us_troops") == 40_159  # Japan
    assert cell(out, 2, 740, 1990, "us_troops") == 46_593
    assert cell(out, 2, 260, 1960, "us_troops") == 232_256  # West Germany
    assert cell(out, 2, 255, 2000, "us_troops") == 69_203  # Germany
    assert cell(out, 2, 255, 2018, "us_bases") == 44
    assert cell(out, 2, 255, 2017, "us_bases") is None


def test_hand_checked_exercises_cobra_gold() -> None:
    out = full()
    assert cell(out, 2, 800, 1983, "jme_joint") >= 1  # Cobra Gold 83, hosted by Thailand
    assert cell(out, 2, 800, 1983, "jme_host2") >= 1
    assert cell(out, 800, 2, 1983, "jme_host1") >= 1
    assert cell(out, 2, 800, 1983, "jme_joint") == cell(out, 800, 2, 1983, "jme_joint")
    joint = out.filter(pl.col("jme_joint") > 0)
    assert (joint["jme_bilateral"] + joint["jme_multilateral"] == joint["jme_joint"]).all()
    assert (joint["jme_host1"] <= joint["jme_joint"]).all()


def test_hand_checked_training_and_visits() -> None:
    out = full()
    ghana = table("training").filter(
        (pl.col("ccode") == 452) & (pl.col("fiscal_year") == 2010) & ~pl.col("superseded")
    )
    assert cell(out, 2, 452, 2010, "us_training_students") == ghana["students"].sum()
    assert cell(out, 2, 452, 2006, "us_training_students") is None  # no FY2006 report
    japan_2011 = table("visits").filter(
        (pl.col("ccode") == 740) & (pl.col("start_year") == 2011)
        & pl.col("repeat_of_line").is_null()
    ).height  # fmt: skip
    assert cell(out, 2, 740, 2011, "us_visits") == japan_2011 > 0


def test_states_the_reports_exempt_are_not_reported_not_zero() -> None:
    # 22 U.S.C. 2416(a)(2): NATO members, and Australia, Japan, New Zealand (from FY2003), are
    # left out of the training reports. Their absence is not "no training".
    out = full()
    assert cell(out, 2, 290, 1998, "us_training_students") is None  # before FMTR's years
    assert cell(out, 2, 290, 2005, "us_training_students") is None  # Poland, NATO since 1999
    assert cell(out, 2, 360, 2003, "us_training_students") > 0  # Romania before it joined
    assert cell(out, 2, 360, 2005, "us_training_students") is None  # … and after (2004)
    assert cell(out, 2, 740, 2001, "us_training_students") > 0  # Japan, listed until FY2002
    assert cell(out, 2, 740, 2010, "us_training_students") is None
    assert cell(out, 2, 339, 2010, "us_training_students") > 0  # Albania: NATO 2009, still listed
    assert cell(out, 2, 200, 2010, "us_training_students") is None  # the UK: never listed
    # A state the reports cover, in a year they list nothing for it, is a real 0.
    from foedus.frames.instruments.training import EXEMPT_FROM_2003, NATO_ACCESSION

    listed = table("training").filter(pl.col("ccode").is_not_null() & ~pl.col("superseded"))
    by_state = listed.group_by("ccode").agg(pl.col("fiscal_year").unique()).sort("ccode")
    code, gap = next(
        (c, y) for c, ys in by_state.iter_rows()
        if c not in NATO_ACCESSION and c not in EXEMPT_FROM_2003 and c != 2
        for y in range(2007, 2021) if y not in ys
        and out.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == c) & (pl.col("year") == y)).height
    )  # fmt: skip
    assert cell(out, 2, code, gap, "us_training_students") == 0


def test_hand_checked_codeployment() -> None:
    out = full()
    assert cell(out, 475, 452, 2005, "pko_codeployed") == 1  # Nigeria and Ghana in UNMIL
    assert cell(out, 452, 475, 2005, "pko_shared_missions") >= 1
    assert cell(out, 2, 20, 2005, "pko_codeployed") == 0


# -------------------------------------------------------------------------------- state-years


def test_state_years() -> None:
    sy = ddy().select(pl.col("ccode1").alias("ccode"), "year").unique().sort("ccode", "year")
    out = add_dcas(sy, table("dcad"))
    out = add_joint_exercises(out, table("jme"), table("mme"))
    out = add_us_training(out, table("training"))
    out = add_us_troops(out, table("troops"))
    out = add_us_visits(out, table("visits"))
    out = add_pko_codeployment(out, table("geo"), table("monthly"))
    assert out.select("ccode", "year").equals(sy)

    def at(c: int, y: int, column: str) -> object:
        return out.filter((pl.col("ccode") == c) & (pl.col("year") == y))[column].item()

    assert at(740, 2000, "us_troops") == 40_159
    assert at(290, 1995, "dca_new") >= 1 and at(290, 1979, "dca_new") is None
    assert at(771, 2005, "pko_tcc_missions") >= 3  # Bangladesh
    assert at(450, 2005, "pko_hosted_missions") >= 1 and at(450, 2005, "pko_hosted_troops") > 0
    assert at(450, 2017, "pko_hosted_troops") is None  # Bara's data end in 2016
    assert at(800, 1983, "jme_hosted") >= 1


def test_existing_columns_are_refused() -> None:
    f = pl.DataFrame({"ccode1": [2], "ccode2": [740], "year": [2000], "us_troops": [1]})
    with pytest.raises(Exception, match="already has column"):
        add_us_troops(f, table("troops"))


def test_frame_without_cow_codes_is_refused() -> None:
    f = pl.DataFrame({"gwcode1": [2], "gwcode2": [740], "year": [2000]})
    with pytest.raises(Exception, match="needs COW codes"):
        add_dcas(f, table("dcad"))


# ------------------------------------------------------------------ Frame-level, from a warehouse


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    from foedus.warehouse import Warehouse, parse_release, scan_directory, validate_codes

    mine = {"dcad", "jme", "mme", "fmtr", "us-troops", "us-bases", "us-milcon", "us-visits",
            "pko-bara", "geo-pko", "owid-pko"}  # fmt: skip
    data = Path(shared_file("dcad/DCAD-v1.0-main.csv")).parents[1]
    found = [(p, r) for p, r in scan_directory(data)
             if r.source in mine or r.format_id == "cow_states_csv"]  # fmt: skip
    wh = Warehouse(tmp_path_factory.mktemp("inst") / "w.duckdb")
    parsed = [parse_release(r, p) for p, r in found]
    validate_codes(parsed, wh)
    wh.write(parsed)
    yield wh
    wh.close()


def test_frame_level_enrichers_record_their_sources(warehouse) -> None:
    df = pl.DataFrame(
        {"ccode1": [2, 2, 475], "ccode2": [740, 290, 452], "year": [2000, 1995, 2005]}
    )
    frame = Frame(df, unit="dyad-year", system="cow", directed=True, warehouse=warehouse)
    for step in (enrich_dcas, enrich_joint_exercises, enrich_us_training, enrich_us_troops,
                 enrich_us_visits, enrich_pko):  # fmt: skip
        frame = step(frame)
    assert frame.height == 3
    assert frame.df["us_troops"].to_list() == [40_159, 16, None]
    tables = {u.table for u in frame.used}
    assert {"dcad_agreements", "jme_exercises", "mme_participants", "us_training", "us_troops",
            "us_bases", "us_milcon", "us_defense_visits", "geo_pko_tcc"} <= tables  # fmt: skip
    bib = frame.citation()
    for key in ("kinne2020dcad", "dorazio2021mme", "sfm2024fmtr", "allen2022deployments",
                "vine2015basenation", "cil2020geopko"):  # fmt: skip
        assert key in bib


def test_frame_level_state_years_read_hosting(warehouse) -> None:
    df = pl.DataFrame({"ccode": [450, 450], "year": [2005, 2017]})
    frame = enrich_pko(Frame(df, unit="state-year", system="cow", warehouse=warehouse))
    assert frame.df["pko_hosted_missions"].to_list()[1] is None
    assert "pko_missions_monthly" in {u.table for u in frame.used}
