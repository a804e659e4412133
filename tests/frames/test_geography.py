"""Contiguity, capital distance and politically relevant dyads, against peacesciencer 1.2.9."""

from __future__ import annotations

import datetime as dt
import doctest
import math

import polars as pl
import pytest

from foedus.errors import FoedusError
from foedus.frames import geography
from foedus.frames.geography import (
    add_capital_distance,
    add_contiguity,
    add_prd,
    capital_years,
    contiguity_years,
    filter_prd,
    vincenty_sphere_km,
)
from tests.conftest import ps_table, reference

D = dt.date


# ------------------------------------------------------------------------ real data vs the peer


@pytest.fixture(scope="module")
def cow_ddy() -> pl.DataFrame:
    return ps_table("cow_ddy")


@pytest.fixture(scope="module")
def contdir() -> pl.DataFrame:
    return ps_table("cow_contdir")


@pytest.fixture(scope="module")
def with_contiguity(cow_ddy: pl.DataFrame, contdir: pl.DataFrame) -> pl.DataFrame:
    return add_contiguity(cow_ddy, contdir)


def test_contiguity_every_cell_of_the_peer_reference(
    cow_ddy: pl.DataFrame, with_contiguity: pl.DataFrame
) -> None:
    # reference: cow_ddy %>% ... %>% add_contiguity() (years divisible by 5 of 1816-2024)
    ref = reference("cow_ddy_pipeline5").select("ccode1", "ccode2", "year", "conttype")
    out = with_contiguity
    assert out.height == cow_ddy.height == 2_214_930  # every year computed, no row lost or added
    assert out.select("ccode1", "ccode2", "year").equals(cow_ddy.select("ccode1", "ccode2", "year"))
    assert out.schema["conttype"] == pl.Float64
    mine = out.filter(pl.col("year") % 5 == 0).select(ref.columns)
    assert mine.height == ref.height == 428_144
    assert mine.select("ccode1", "ccode2", "year").equals(ref.select("ccode1", "ccode2", "year"))
    same = mine["conttype"].eq_missing(ref["conttype"])
    assert same.all(), mine.filter(~same).head()
    # nulls exactly after the contiguity data end (2016), none before
    assert mine["conttype"].null_count() == ref["conttype"].null_count() == 37_830
    assert out.filter(pl.col("conttype").is_null())["year"].min() == 2017
    assert out.filter(pl.col("year") <= 2016)["conttype"].null_count() == 0


def test_contiguity_is_symmetric_and_works_non_directed(
    cow_ddy: pl.DataFrame, contdir: pl.DataFrame, with_contiguity: pl.DataFrame
) -> None:
    swapped = with_contiguity.select(
        pl.col("ccode2").alias("ccode1"), pl.col("ccode1").alias("ccode2"), "year", "conttype"
    )
    both = with_contiguity.join(swapped, on=["ccode1", "ccode2", "year"], suffix="_swapped")
    assert both.height == with_contiguity.height
    assert both["conttype"].eq_missing(both["conttype_swapped"]).all()
    ndy = cow_ddy.filter(pl.col("ccode1") < pl.col("ccode2"))
    ndy_out = add_contiguity(ndy, contdir)
    expected = with_contiguity.filter(pl.col("ccode1") < pl.col("ccode2"))
    assert ndy_out.equals(expected)


def _months(contdir: pl.DataFrame) -> pl.DataFrame:
    """Brute force: one row per spell and calendar month, as peacesciencer builds them."""
    return (
        contdir.with_row_index("row")
        .with_columns(pl.date_ranges("stdate", "enddate", interval="1mo").alias("date"))
        .explode("date")
        .with_columns(pl.col("date").dt.year().cast(pl.Int64).alias("year"))
        .sort("ccode1", "ccode2", "date", "row")
    )


@pytest.mark.parametrize("how", ["first", "last"])
def test_contiguity_years_equal_month_by_month_expansion(contdir: pl.DataFrame, how: str) -> None:
    months = _months(contdir).group_by("ccode1", "ccode2", "year", maintain_order=True)
    brute = (months.first() if how == "first" else months.last()).select(
        "ccode1", "ccode2", "year", "conttype"
    )
    mine = contiguity_years(contdir, slice=how)  # type: ignore[arg-type]
    keys = ["ccode1", "ccode2", "year"]
    assert mine.sort(keys).equals(brute.sort(keys))


def _spells(*rows: tuple[int, int, float, dt.date, dt.date]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=["ccode1", "ccode2", "conttype", "stdate", "enddate"],
        orient="row",
    )


def test_mid_year_change_first_observed_type_wins_not_the_most_direct() -> None:
    # land contiguity from July 1900; before that 150-mile water contiguity
    spells = _spells(
        (2, 20, 4.0, D(1890, 1, 1), D(1900, 6, 1)),
        (2, 20, 1.0, D(1900, 7, 1), D(1910, 12, 1)),
    )
    dyads = pl.DataFrame({"ccode1": [2, 2, 2], "ccode2": [20, 20, 20], "year": [1899, 1900, 1901]})
    assert add_contiguity(dyads, spells)["conttype"].to_list() == [4.0, 4.0, 1.0]
    last = add_contiguity(dyads, spells, slice="last")["conttype"].to_list()
    assert last == [4.0, 1.0, 1.0]


def test_overlapping_spells_in_the_deciding_month_go_by_row_order() -> None:
    # the peer's cow_contdir has "no contiguity" (0) spells overlapping real ones: the row listed
    # first wins (e.g. Afghanistan-Russia 1970-1990 is 0 in the peer's output)
    spells = _spells(
        (700, 365, 0.0, D(1960, 1, 1), D(2016, 12, 1)),
        (700, 365, 1.0, D(1970, 1, 1), D(1991, 12, 1)),
    )
    dyads = pl.DataFrame({"ccode1": [700, 700], "ccode2": [365, 365], "year": [1969, 1980]})
    assert add_contiguity(dyads, spells)["conttype"].to_list() == [0.0, 0.0]
    assert add_contiguity(dyads, spells[::-1])["conttype"].to_list() == [0.0, 1.0]
    fixed = add_contiguity(dyads, spells, prefer_contiguous=True)["conttype"].to_list()
    assert fixed == [0.0, 1.0]
    last = add_contiguity(dyads, spells, slice="last", prefer_contiguous=True)
    assert last["conttype"].to_list() == [0.0, 1.0]


def test_prefer_contiguous_changes_only_the_overlap_artefacts(
    cow_ddy: pl.DataFrame, contdir: pl.DataFrame, with_contiguity: pl.DataFrame
) -> None:
    fixed = add_contiguity(cow_ddy, contdir, prefer_contiguous=True)
    changed = with_contiguity.with_columns(new=fixed["conttype"]).filter(
        ~pl.col("conttype").eq_missing(pl.col("new"))
    )
    assert changed.height == 1_272  # 636 dyad-years of 19 dyads, both directions
    assert (changed["conttype"] == 0).all() and (changed["new"] > 0).all()
    italy_yugoslavia = changed.filter((pl.col("ccode1") == 325) & (pl.col("ccode2") == 345))
    assert (italy_yugoslavia["year"].min(), italy_yugoslavia["year"].max()) == (1920, 2006)


def test_no_record_is_zero_inside_coverage_and_null_outside() -> None:
    spells = _spells((2, 20, 1.0, D(1920, 1, 1), D(2016, 12, 1)))
    dyads = pl.DataFrame(
        {
            "ccode1": [2, 2, 2, 2, 2],
            "ccode2": [20, 20, 200, 200, 200],
            "year": [1815, 2017, 1816, 2016, 2017],
        }
    )
    assert add_contiguity(dyads, spells)["conttype"].to_list() == [None, None, 0.0, 0.0, None]
    wide = add_contiguity(dyads, spells, coverage=(1800, 2030))["conttype"].to_list()
    assert wide == [0.0, 0.0, 0.0, 0.0, 0.0]
    own = add_contiguity(dyads, spells, coverage=None)["conttype"].to_list()  # 1920-2016
    assert own == [None, None, None, 0.0, None]


def test_contiguity_keeps_key_dtypes_rows_and_order() -> None:
    spells = _spells((2, 20, 1.0, D(1920, 1, 1), D(2016, 12, 1)))
    dyads = pl.DataFrame({"ccode1": [20.0, 2.0], "ccode2": [2.0, 20.0], "year": [1950, 1949]})
    out = add_contiguity(dyads, spells)
    assert out.select("ccode1", "ccode2", "year").equals(dyads)
    assert out["conttype"].to_list() == [0.0, 1.0]  # the spell is directed 2 -> 20 only


def test_contiguity_errors_say_what_and_how() -> None:
    spells = _spells((2, 20, 1.0, D(1920, 1, 1), D(2016, 12, 1)))
    with pytest.raises(FoedusError, match="ccode2"):
        add_contiguity(pl.DataFrame({"ccode1": [2], "year": [1950]}), spells)
    with pytest.raises(FoedusError, match="already has"):
        add_contiguity(
            pl.DataFrame({"ccode1": [2], "ccode2": [20], "year": [1950], "conttype": [1.0]}), spells
        )
    with pytest.raises(FoedusError, match="stdate"):
        add_contiguity(
            pl.DataFrame({"ccode1": [2], "ccode2": [20], "year": [1950]}), spells.drop("stdate")
        )
    with pytest.raises(FoedusError, match="slice"):
        add_contiguity(
            pl.DataFrame({"ccode1": [2], "ccode2": [20], "year": [1950]}),
            spells,
            slice="min",  # type: ignore[arg-type]
        )


# ------------------------------------------------------------------------------ capital distance


def _haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * math.asin(math.sqrt(h)) * 6378.137


def test_vincenty_sphere_matches_geosphere_example() -> None:
    # geosphere's documented example: distVincentySphere(c(0,0), c(90,90)) == 10018754 (metres)
    df = pl.DataFrame(
        {"lat1": [0.0, 10.0], "lng1": [0.0, 20.0], "lat2": [90.0, 10.0], "lng2": [90.0, 20.0]}
    )
    km = df.select(
        vincenty_sphere_km(pl.col("lat1"), pl.col("lng1"), pl.col("lat2"), pl.col("lng2"))
    ).to_series()
    assert round(km[0] * 1000) == 10_018_754
    assert km[1] == 0.0


def _brazil_and_portugal() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ccode": [140, 140, 235, 235],
            "stdate": [D(1822, 1, 1), D(1960, 4, 21), D(1816, 1, 1), D(1821, 4, 25)],
            "enddate": [D(1960, 4, 20), D(2024, 12, 31), D(1821, 4, 24), D(2024, 12, 31)],
            "lat": [-22.911014, -10.333333, -22.911014, 38.707751],
            "lng": [-43.209373, -53.2, -43.209373, -9.136592],
        }
    )


def test_capital_move_uses_the_january_first_capital_by_default() -> None:
    caps = _brazil_and_portugal()
    dyads = pl.DataFrame(
        {"ccode1": [140, 140, 140, 140], "ccode2": [235] * 4, "year": [1959, 1960, 1961, 1821]}
    )
    rio_lisbon = _haversine_km(-22.911014, -43.209373, 38.707751, -9.136592)
    brasilia_lisbon = _haversine_km(-10.333333, -53.2, 38.707751, -9.136592)
    first = add_capital_distance(dyads, caps)["capdist"].to_list()
    assert first[0] == pytest.approx(rio_lisbon, abs=1e-6)
    assert first[1] == pytest.approx(rio_lisbon, abs=1e-6)  # Brasilia from 21 April 1960
    assert first[2] == pytest.approx(brasilia_lisbon, abs=1e-6)
    assert first[3] is None  # Brazil has no capital before 1822
    last = add_capital_distance(dyads, caps, transsum="last")["capdist"].to_list()
    assert last[1] == pytest.approx(brasilia_lisbon, abs=1e-6)
    years = capital_years(caps).filter((pl.col("ccode") == 235) & (pl.col("year") == 1821))
    assert years["lat"].to_list() == [-22.911014]  # Portugal ruled from Rio on 1 Jan 1821


def test_capital_distance_gw_codes_and_errors() -> None:
    caps = _brazil_and_portugal().rename({"ccode": "gwcode"})
    dyads = pl.DataFrame({"gwcode1": [235], "gwcode2": [140], "year": [2000]})
    out = add_capital_distance(dyads, caps)
    assert out["capdist"][0] == pytest.approx(
        _haversine_km(38.707751, -9.136592, -10.333333, -53.2), abs=1e-6
    )
    with pytest.raises(FoedusError, match="dyad-years only"):
        add_capital_distance(pl.DataFrame({"gwcode": [235], "year": [2000]}), caps)
    with pytest.raises(FoedusError, match="gwcode1"):
        add_capital_distance(pl.DataFrame({"ccode1": [235], "ccode2": [2], "year": [2000]}), caps)
    with pytest.raises(FoedusError, match="neither"):
        add_capital_distance(dyads, caps.rename({"gwcode": "code"}))


@pytest.mark.parametrize(
    ("table", "frame"), [("cow_capitals", "cow_ddy"), ("gw_capitals", "gw_ddy")]
)
def test_capital_distance_on_the_real_tables(table: str, frame: str) -> None:
    caps = ps_table(table)
    dyads = ps_table(frame)
    code = "ccode" if table == "cow_capitals" else "gwcode"
    dyads = dyads.select(f"{code}1", f"{code}2", "year")
    out = add_capital_distance(dyads, caps)
    assert out.height == dyads.height
    assert out.select(dyads.columns).equals(dyads)
    capdist = out["capdist"]
    assert capdist.null_count() == 0  # every member state-year has a capital
    assert capdist.min() >= 0 and capdist.max() <= math.pi * 6378.137  # type: ignore[operator]
    # independent check on a sample: haversine on the same sphere
    sample = (
        out.gather_every(9973)
        .join(
            capital_years(caps).rename({code: f"{code}1", "lat": "lat1", "lng": "lng1"}),
            on=[f"{code}1", "year"],
        )
        .join(
            capital_years(caps).rename({code: f"{code}2", "lat": "lat2", "lng": "lng2"}),
            on=[f"{code}2", "year"],
        )
    )
    for row in sample.iter_rows(named=True):
        expected = _haversine_km(row["lat1"], row["lng1"], row["lat2"], row["lng2"])
        assert row["capdist"] == pytest.approx(expected, abs=1e-6)


# -------------------------------------------------------------------- politically relevant dyads


PRD_CASES = [
    # conttype, cowmaj1, cowmaj2, prd
    (1.0, 0, 0, 1.0),  # land contiguity
    (5.0, 0, 0, 1.0),  # up to 400 miles of water counts as contiguous
    (3.0, 1, 1, 1.0),
    (0.0, 1, 0, 1.0),  # a major power on either side
    (0.0, 0, 1, 1.0),
    (0.0, 0, 0, 0.0),
    (None, 1, 0, 0.0),  # no contiguity data (after 2016): not relevant, as the peer
    (0.0, None, 0, 0.0),
]


@pytest.mark.parametrize(("conttype", "maj1", "maj2", "prd"), PRD_CASES)
def test_prd_rule(conttype: float | None, maj1: int | None, maj2: int | None, prd: float) -> None:
    dyads = pl.DataFrame(
        {"conttype": [conttype], "cowmaj1": [maj1], "cowmaj2": [maj2]},
        schema={"conttype": pl.Float64, "cowmaj1": pl.Int64, "cowmaj2": pl.Int64},
    )
    assert add_prd(dyads)["prd"].to_list() == [prd]
    assert filter_prd(dyads).height == int(prd)


def test_filter_prd_keeps_the_prd_column_and_the_order() -> None:
    dyads = pl.DataFrame(
        {
            "ccode1": [2, 41, 2, 20],
            "ccode2": [20, 42, 41, 41],
            "conttype": [1.0, 0.0, 0.0, 0.0],
            "cowmaj1": [1, 0, 1, 0],
            "cowmaj2": [0, 0, 0, 0],
        }
    )
    out = filter_prd(dyads)
    assert out.columns == [*dyads.columns, "prd"]
    assert out.select("ccode1", "ccode2").rows() == [(2, 20), (2, 41)]
    assert out["prd"].to_list() == [1.0, 1.0]


def test_prd_needs_contiguity_and_majors_and_names_the_enrichers() -> None:
    with pytest.raises(FoedusError, match="add_contiguity.*add_cow_majors"):
        filter_prd(pl.DataFrame({"ccode1": [2], "ccode2": [20], "year": [1950]}))
    with pytest.raises(FoedusError, match="cowmaj1, cowmaj2"):
        add_prd(pl.DataFrame({"conttype": [1.0]}))


def test_prd_on_the_peer_reference_frame() -> None:
    ref = reference("cow_ddy_pipeline5").select(
        "ccode1", "ccode2", "year", "conttype", "cowmaj1", "cowmaj2"
    )
    flagged = add_prd(ref)
    kept = filter_prd(ref)
    assert kept.height == int(flagged["prd"].sum())
    assert kept.filter(
        ~(
            (pl.col("conttype") >= 1)
            | ((pl.col("conttype") == 0) & ((pl.col("cowmaj1") == 1) | (pl.col("cowmaj2") == 1)))
        )
    ).is_empty()
    assert kept["year"].max() <= 2016  # no contiguity data, no PRD


def test_doc_examples_run() -> None:
    result = doctest.testmod(geography, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
