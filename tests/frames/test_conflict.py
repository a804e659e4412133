"""UCDP armed conflict on state-years, against peacesciencer 1.2.9 (``cow_sy_pipeline6_ucdp``)."""

from __future__ import annotations

import datetime as dt
import doctest
from pathlib import Path

import polars as pl
import pytest

from foedus.errors import FoedusError, SourceFormatError
from foedus.frames import conflict
from foedus.frames.bridge import add_gwcode_to_cow
from foedus.frames.conflict import (
    ACD_SCHEMA,
    add_ucdp_acd,
    ucdp_acd_from_official_csv,
    ucdp_state_years,
)
from foedus.sources.normalize import cast_keys
from tests.conftest import ps_table, reference, shared_file

UCDP = ["ucdpongoing", "ucdponset", "maxintensity", "conflict_ids"]


def cow_state_years() -> pl.DataFrame:
    """COW state-years (ccode, cw_name, year) 1816-2016 from isard's cw_system.

    Uses the package's ``create_state_years`` when it exists, else builds them here: one row per
    state and calendar year touched by one of its membership spells.
    """
    system = cast_keys(pl.read_parquet(shared_file("isard/cw_system.parquet")))
    try:
        from foedus.frames.systems import create_state_years
    except ImportError:
        return (
            system.with_columns(
                pl.int_ranges(
                    pl.col("start").dt.year(), pl.col("end").dt.year() + 1, dtype=pl.Int64
                ).alias("year")
            )
            .explode("year")
            .select("ccode", "cw_name", "year")
            .unique(["ccode", "year"], keep="first")
            .sort("ccode", "year")
        )
    return create_state_years(system, system="cow").select("ccode", "cw_name", "year")


@pytest.fixture(scope="module")
def enriched() -> pl.DataFrame:
    panel = cast_keys(pl.read_parquet(shared_file("isard/cw_gw_panel.parquet")))
    sy = add_gwcode_to_cow(cow_state_years(), panel)
    return add_ucdp_acd(sy, ps_table("ucdp_acd"))


def test_every_cell_of_the_peer_reference(enriched: pl.DataFrame) -> None:
    # create_stateyears(system = "cow") %>% add_nmc() %>% add_cow_majors()
    #   %>% add_gwcode_to_cow() %>% add_ucdp_acd()
    ref = reference("cow_sy_pipeline6_ucdp")
    assert enriched.height == 15_951  # all years 1816-2016 computed
    cols = ["ccode", "cw_name", "year", "gwcode", *UCDP]
    mine = enriched.filter(pl.col("year") % 5 == 0).select(cols).sort("ccode", "year")
    theirs = ref.select(cols).sort("ccode", "year")
    assert mine.height == theirs.height == 3_232
    assert mine.schema == theirs.schema  # gwcode Float64, the four UCDP columns Float64/String
    for col in cols:
        same = mine[col].eq_missing(theirs[col])
        assert same.all(), (col, mine.filter(~same).head())
    assert theirs["ucdpongoing"].null_count() == mine.filter(pl.col("year") < 1946).height
    assert theirs.filter(pl.col("ucdpongoing") == 1).height == 320  # conflict state-years compared


def test_outside_ucdp_years_is_null_and_inside_is_zero(enriched: pl.DataFrame) -> None:
    before = enriched.filter(pl.col("year") < 1946)
    assert before.select(UCDP).null_count().row(0) == (before.height,) * 4
    inside = enriched.filter(pl.col("year") >= 1946)
    assert inside["ucdpongoing"].null_count() == 0 and inside["ucdponset"].null_count() == 0
    # Laos 1953 has no G-W code in cw_gw_panel: 0, as the peer (fill by year only)
    laos = enriched.filter((pl.col("ccode") == 812) & (pl.col("year") == 1953))
    assert laos["gwcode"].to_list() == [None]
    assert laos.select("ucdpongoing", "ucdponset").row(0) == (0.0, 0.0)


# --------------------------------------------------------------------------- synthetic: the rules


def _acd(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "conflict_id": pl.Int64,
            "year": pl.Int64,
            "gwno_a": pl.Int64,
            "gwno_b": pl.Int64,
            "gwno_a_2nd": pl.Int64,
            "intensity_level": pl.Float64,
            "type_of_conflict": pl.String,
            "incompatibility": pl.String,
        },
        orient="row",
    )


def _sy(gwcode: int, years: list[int]) -> pl.DataFrame:
    return pl.DataFrame({"gwcode": [float(gwcode)] * len(years), "year": years})


def test_onset_is_the_first_year_of_the_conflict_for_that_state_not_each_episode() -> None:
    acd = _acd(
        (100, 1950, 2, None, None, 1.0, "intrastate", "government"),
        (100, 1951, 2, None, None, 2.0, "intrastate", "government"),
        (100, 1960, 2, None, None, 1.0, "intrastate", "government"),  # new episode, same conflict
    )
    out = add_ucdp_acd(_sy(2, [1949, 1950, 1951, 1955, 1960]), acd, coverage=(1946, 2024))
    assert out["ucdpongoing"].to_list() == [0.0, 1.0, 1.0, 0.0, 1.0]
    assert out["ucdponset"].to_list() == [0.0, 1.0, 0.0, 0.0, 0.0]
    assert out["maxintensity"].to_list() == [None, 1.0, 2.0, None, 1.0]


def test_several_conflicts_in_a_year_ids_sorted_max_intensity_any_onset() -> None:
    acd = _acd(
        (300, 1990, 2, None, None, 1.0, "intrastate", "territory"),
        (20, 1989, 2, None, None, 1.0, "interstate", "government"),
        (20, 1990, 2, None, None, 2.0, "interstate", "government"),
    )
    out = add_ucdp_acd(_sy(2, [1990]), acd, coverage=(1946, 2024))
    assert out.select(UCDP).row(0) == (1.0, 1.0, 2.0, "20; 300")


def test_only_primary_side_a_counts_and_split_rows_count_once() -> None:
    acd = _acd(
        (7, 1990, 651, 666, 2, 2.0, "interstate", "territory"),
        (7, 1990, 651, 666, 200, 2.0, "interstate", "territory"),  # a second supporter: same row
        (7, 1990, 645, 666, None, 2.0, "interstate", "territory"),  # a second primary side-A state
    )
    sy = pl.DataFrame({"gwcode": [651.0, 645.0, 666.0, 2.0], "year": [1990] * 4})
    out = add_ucdp_acd(sy, acd, coverage=(1946, 2024))
    assert out["ucdpongoing"].to_list() == [1.0, 1.0, 0.0, 0.0]  # side B and supporters: 0
    assert out["conflict_ids"].to_list() == ["7", "7", None, None]


def test_filters_apply_before_onsets_are_counted() -> None:
    acd = _acd(
        (1, 1950, 2, None, None, 1.0, "intrastate", "government"),
        (1, 1951, 2, None, None, 2.0, "intrastate", "government"),
        (2, 1951, 2, None, None, 1.0, "interstate", "territory"),
        (3, 1951, 2, None, None, 1.0, "II", "both"),
    )
    sy = _sy(2, [1950, 1951])
    wars = add_ucdp_acd(sy, acd, coverage=(1946, 2024), only_wars=True)
    assert wars.select("ucdponset", "conflict_ids").rows() == [(0.0, None), (1.0, "1")]
    inter = add_ucdp_acd(sy, acd, coverage=(1946, 2024), types="interstate")
    assert inter["conflict_ids"].to_list() == [None, "2"]
    both = add_ucdp_acd(sy, acd, coverage=(1946, 2024), issues=["territory", "government"])
    assert both["conflict_ids"].to_list() == ["1", "1; 2"]  # "both" is its own category
    combo = add_ucdp_acd(sy, acd, coverage=(1946, 2024), types=["II"], issues="both")
    assert combo["conflict_ids"].to_list() == [None, "3"]


def test_default_coverage_is_the_years_of_the_conflict_table_and_null_gwcode_is_zero() -> None:
    acd = _acd((1, 1950, 2, None, None, 1.0, "intrastate", "government"))
    sy = pl.DataFrame({"gwcode": [2.0, 2.0, None, None], "year": [1949, 1950, 1950, 1951]})
    out = add_ucdp_acd(sy, acd)  # coverage (1950, 1950)
    assert out["ucdpongoing"].to_list() == [None, 1.0, 0.0, None]
    assert out.select("gwcode", "year").equals(sy)


def test_errors_name_the_fix() -> None:
    acd = _acd((1, 1950, 2, None, None, 1.0, "intrastate", "government"))
    with pytest.raises(FoedusError, match="add_gwcode_to_cow"):
        add_ucdp_acd(pl.DataFrame({"ccode": [2], "year": [1950]}), acd)
    with pytest.raises(FoedusError, match="state-years only"):
        add_ucdp_acd(pl.DataFrame({"gwcode1": [2], "gwcode2": [20], "year": [1950]}), acd)
    with pytest.raises(FoedusError, match="unknown conflict type"):
        add_ucdp_acd(_sy(2, [1950]), acd, types="civil")
    with pytest.raises(FoedusError, match="unknown issue"):
        ucdp_state_years(acd, issues=["land"])
    with pytest.raises(FoedusError, match="already has"):
        add_ucdp_acd(_sy(2, [1950]).with_columns(ucdpongoing=pl.lit(1.0)), acd)


# ---------------------------------------------------------------- the official UCDP/PRIO release


@pytest.fixture(scope="module")
def official() -> pl.DataFrame:
    return ucdp_acd_from_official_csv(shared_file("ucdp/UcdpPrioConflict_v23_1.csv"))


def test_official_csv_has_the_canonical_shape(official: pl.DataFrame) -> None:
    peer = ps_table("ucdp_acd")
    assert dict(official.schema) == ACD_SCHEMA == dict(peer.schema)
    assert official.select("conflict_id", "year").n_unique() == 2_626  # the release's rows
    assert official.height == 5_204  # after splitting the comma-separated G-W code lists
    assert official["gwno_a"].null_count() == 0
    assert set(official["type_of_conflict"].unique()) == {
        "extrasystemic",
        "interstate",
        "intrastate",
        "II",
    }


def test_official_csv_split_like_the_peer(official: pl.DataFrame) -> None:
    # v23.1 (1946-2022) vs the peer's v25.1: same derivation, so the conflict-years both hold
    # are split into the same rows in the same order, except where UCDP revised the data
    peer = ps_table("ucdp_acd")
    keys = ["conflict_id", "year"]
    gw = ["gwno_a", "gwno_a_2nd", "gwno_b", "gwno_b_2nd"]

    def nest(df: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
        return df.group_by(keys, maintain_order=True).agg(pl.struct(cols).alias("rows"))

    split = nest(official, gw).join(nest(peer, gw), on=keys, suffix="_peer")
    assert split.height == 2_624
    differs = split.filter(pl.col("rows") != pl.col("rows_peer")).select(keys).sort(keys)
    # v25.1 added the USA as a side-A supporter to these three (v23.1 lists none / fewer)
    assert differs.rows() == [(430, 2022), (13639, 2022), (14197, 2021)]
    whole = nest(official, list(ACD_SCHEMA)).join(
        nest(peer, list(ACD_SCHEMA)), on=keys, suffix="_p"
    )
    assert whole.filter(pl.col("rows") == pl.col("rows_p")).height == 2_571  # other 53: revisions
    # Arab-Israeli war 1948: five side-A states in one cell become five rows
    pal = official.filter((pl.col("conflict_id") == 228) & (pl.col("year") == 1948))
    assert pal["gwno_a"].to_list() == [651, 645, 663, 660, 652]


def test_official_csv_feeds_add_ucdp_acd(official: pl.DataFrame) -> None:
    sy = pl.DataFrame({"gwcode": [651.0, 666.0, 2.0], "year": [1948, 1948, 2023]})
    out = add_ucdp_acd(sy, official)  # coverage 1946-2022 from the file
    assert out["ucdpongoing"].to_list() == [1.0, 0.0, None]


def test_official_csv_format_errors(tmp_path: Path) -> None:
    bad = tmp_path / "acd.csv"
    bad.write_text("conflict_id,year\n1,1990\n")
    with pytest.raises(SourceFormatError, match="missing column"):
        ucdp_acd_from_official_csv(bad)
    header = ",".join(ACD_SCHEMA)
    bad.write_text(header + "\n1,1990,2,,,,9,1,3,1990-01-01,1,1990-01-01,1,0,\n")
    with pytest.raises(SourceFormatError, match="incompatibility"):
        ucdp_acd_from_official_csv(bad)
    bad.write_text(header + "\n1,1990,2,,,,1,1,3,01/01/1990,1,1990-01-01,1,0,\n")
    with pytest.raises(SourceFormatError, match="cannot be read"):
        ucdp_acd_from_official_csv(bad)
    good = tmp_path / "ok.csv"
    good.write_text(header + '\n1,1990,"2, 20",,,,1,1,3,1990-01-01,1,1990-01-01,1,1,1990-12-01\n')
    ok = ucdp_acd_from_official_csv(good)
    assert ok["gwno_a"].to_list() == [2, 20]
    assert ok["ep_end_date"].to_list() == [dt.date(1990, 12, 1)] * 2


def test_doc_examples_run() -> None:
    result = doctest.testmod(conflict, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
