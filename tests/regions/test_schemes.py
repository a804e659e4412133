"""Regions: every COW state placed, asia-pacific = SIPRI's Asia & Oceania, custom files, errors."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from foedus.errors import RegionFileError, UnknownRegionError
from foedus.regions.schemes import (
    aggregate_by_region,
    filter_region,
    get_region,
    load_custom_regions,
    m49_of,
    region_of,
)
from tests.conftest import shared_file


def _cow_codes() -> set[int]:
    with shared_file("cow/states2016.csv").open(encoding="utf-8") as handle:
        return {int(r["ccode"]) for r in csv.DictReader(handle)}


def test_every_cow_state_has_a_un_m49_place() -> None:
    codes = _cow_codes()
    assert len(codes) > 200
    assert [c for c in codes if m49_of(c) is None] == []


def test_known_placements() -> None:
    # UN M49: Iran in Southern Asia, Turkey and the Caucasus in Western Asia, Egypt in Africa
    assert m49_of(630) == ("Asia", "Southern Asia")
    assert m49_of(640) == ("Asia", "Western Asia")
    assert m49_of(371) == ("Asia", "Western Asia")
    assert m49_of(651) == ("Africa", "Northern Africa")
    assert m49_of(265) == ("Europe", "Western Europe")  # the GDR, placed with Germany
    df = pl.DataFrame({"ccode": [2, 200, 402, 651, 700, 990]})
    assert df.select(region_of("ccode", "cow"))["region"].to_list() == [
        "cow:americas", "cow:europe", "cow:africa", "cow:middle-east", "cow:asia-oceania",
        "cow:asia-oceania",
    ]


def test_asia_pacific_is_sipris_asia_and_oceania(built_warehouse: Path) -> None:
    from foedus.warehouse import Warehouse

    with Warehouse(built_warehouse, read_only=True) as wh:
        milex = wh.table("sipri_milex").drop_nulls("ccode")
    sipri_ap = set(milex.filter(pl.col("region") == "Asia & Oceania")["ccode"].to_list())
    sipri_all = set(milex["ccode"].to_list())
    ours = get_region("asia-pacific").codes
    assert len(sipri_ap) > 25
    assert ours & sipri_all == sipri_ap
    assert 630 not in ours and 710 in ours and 900 in ours and 750 in ours


def test_filter_and_aggregate_keep_missing_missing() -> None:
    sy = pl.DataFrame({"ccode": [2, 710, 740, 750], "year": [2000] * 4,
                       "x": [1.0, None, None, 2.0]})
    assert filter_region(sy, "asia-pacific")["ccode"].to_list() == [710, 740, 750]
    agg = aggregate_by_region(sy, ["asia-pacific", "cow:americas"])
    assert dict(zip(agg["region"], agg["x"], strict=True)) == {"asia-pacific": 2.0,
                                                               "cow:americas": 1.0}
    only_missing = aggregate_by_region(sy.filter(pl.col("ccode").is_in([710, 740])), "cow")
    assert only_missing["x"].to_list() == [None]


def test_custom_regions_dated_and_checked(tmp_path: Path) -> None:
    good = tmp_path / "r.csv"
    good.write_text("region,ccode,start,end,source\nvisegrad,290,1991,,Visegrad declaration\n"
                    "visegrad,315,1991,1992,Visegrad declaration\n")
    region = load_custom_regions(good)["visegrad"]
    assert region.contains(315, 1992) and not region.contains(315, 1993)
    df = pl.DataFrame({"ccode": [290, 315, 315], "year": [1995, 1992, 1993]})
    assert df.filter(region.expr())["year"].to_list() == [1995, 1992]
    bad = tmp_path / "bad.csv"
    bad.write_text("region,ccode,start,end,source\nx,290,1991,1990,somewhere\n")
    with pytest.raises(RegionFileError, match="line 2"):
        load_custom_regions(bad)
    nosource = tmp_path / "nosource.csv"
    nosource.write_text("region,ccode,start,end,source\nx,290,,,\n")
    with pytest.raises(RegionFileError, match="no source"):
        load_custom_regions(nosource)


def test_unknown_region_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownRegionError) as info:
        get_region("Atlantis")
    assert "asia-pacific" in str(info.value) and "un:eastern-asia" in str(info.value)
