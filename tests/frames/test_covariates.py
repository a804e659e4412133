"""Democracy and wealth enrichers (isard's democracy and Fariss et al. GDP/population tables)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import foedus
from foedus.errors import FoedusError
from foedus.frames.covariates import add_democracy, add_gdp

DEM = pl.DataFrame(
    {
        "ccode": [2, 365, 2],
        "year": [1980, 1980, 1981],
        "euds": [1.4, -0.9, 1.4],
        "aeuds": [1.1, -1.2, 1.1],
        "polity2": [10.0, None, 10.0],
        "v2x_polyarchy": [0.84, 0.11, 0.85],
    }
)


def test_state_years_get_the_measures_unsuffixed() -> None:
    sy = pl.DataFrame({"ccode": [365, 2, 20], "year": [1980, 1980, 1980]})
    out = add_democracy(sy, DEM)
    assert out.columns == ["ccode", "year", "euds", "aeuds", "polity2", "v2x_polyarchy"]
    assert out["ccode"].to_list() == [365, 2, 20]  # rows and order kept
    assert out["polity2"].to_list() == [None, 10.0, None]  # not covered → null, never 0


def test_dyad_years_get_suffixes_and_a_weak_link_that_never_skips_a_null() -> None:
    ddy = pl.DataFrame({"ccode1": [2, 365, 2], "ccode2": [365, 2, 2], "year": [1980, 1980, 1981]})
    out = add_democracy(ddy, DEM)
    assert out.columns[3:] == [
        "euds1", "aeuds1", "polity21", "v2x_polyarchy1",
        "euds2", "aeuds2", "polity22", "v2x_polyarchy2",
        "euds_min", "aeuds_min", "polity2_min", "v2x_polyarchy_min",
    ]  # fmt: skip
    assert out["aeuds_min"].to_list() == [-1.2, -1.2, 1.1]
    # R's pmin(): one state's missing polity2 makes the weak link missing (not the other's 10).
    assert out["polity2_min"].to_list() == [None, None, 10.0]


def test_gw_frames_use_gw_codes_and_refuse_a_cow_table() -> None:
    gw = DEM.rename({"ccode": "gwcode"})
    ddy = pl.DataFrame({"gwcode1": [2], "gwcode2": [365], "year": [1980]})
    assert add_democracy(ddy, gw)["v2x_polyarchy_min"].to_list() == [0.11]
    with pytest.raises(FoedusError, match="G-W codes but the table"):
        from foedus.frames.covariates import _attach

        _attach(ddy, DEM, ("euds",), {}, "add_democracy", code="ccode")


def test_bad_frames_are_clear_errors() -> None:
    with pytest.raises(FoedusError, match="neither COW"):
        add_democracy(pl.DataFrame({"iso3": ["USA"], "year": [2000]}), DEM)
    sy = pl.DataFrame({"ccode": [2], "year": [1980]})
    with pytest.raises(FoedusError, match="already has column"):
        add_democracy(add_democracy(sy, DEM), DEM)
    with pytest.raises(FoedusError, match="lacks column"):
        add_gdp(sy, DEM)


# -- real data ------------------------------------------------------------------------------------


def _cell(df: pl.DataFrame, where: dict[str, int], column: str) -> object:
    row = df.filter(pl.all_horizontal(pl.col(k) == v for k, v in where.items()))
    assert row.height == 1, where
    return row[column].item()


def test_real_state_years_match_known_facts(built_warehouse: Path) -> None:
    wh = foedus.Warehouse(built_warehouse, read_only=True)
    frame = foedus.state_years("cow", years="1916-2025", warehouse=wh).enrich(["democracy", "gdp"])
    df = frame.df
    assert _cell(df, {"ccode": 2, "year": 2000}, "polity2") == 10.0  # USA, Polity5
    assert _cell(df, {"ccode": 2, "year": 1980}, "v2x_polyarchy") > 0.8
    # USSR 1980: autocratic on UDS and V-Dem. Polity5 codes the USSR 364, which isard does not
    # map to COW 365: polity2 is null there, as in peacesciencer (docs/democracy-gdp.md).
    assert _cell(df, {"ccode": 365, "year": 1980}, "aeuds") < -1.0
    assert _cell(df, {"ccode": 365, "year": 1980}, "v2x_polyarchy") < 0.2
    assert _cell(df, {"ccode": 365, "year": 1980}, "polity2") is None
    assert _cell(df, {"ccode": 710, "year": 2000}, "polity2") == -7.0  # China
    # GDP per capita in 2000: USA > UK > Russia > China > Nigeria.
    order = [_cell(df, {"ccode": c, "year": 2000}, "mrgdppc") for c in (2, 200, 365, 710, 475)]
    assert order == sorted(order, reverse=True)  # type: ignore[type-var]
    assert 40_000 < order[0] < 60_000  # type: ignore[operator]
    # Coverage: GDP ends 2019; isard's documented gaps are null, not 0.
    assert _cell(df, {"ccode": 2, "year": 2019}, "pwtpop") is not None
    assert _cell(df, {"ccode": 2, "year": 2020}, "mrgdppc") is None
    assert _cell(df, {"ccode": 345, "year": 1916}, "mrgdppc") is None  # Serbia
    assert _cell(df, {"ccode": 2, "year": 2025}, "v2x_polyarchy") is not None
    assert {u.source for u in frame.used} >= {"democracy", "gdp"}
    bib = frame.citation()
    for key in ("marquez2016uds", "marshall2020polity5", "coppedge2025vdem", "fariss2022gdp"):
        assert key in bib
    assert bib.count("miller2025isard") == 1


def test_real_dyad_years_weak_link(built_warehouse: Path) -> None:
    wh = foedus.Warehouse(built_warehouse, read_only=True)
    df = foedus.dyad_years("cow", years="1980-2020", warehouse=wh).enrich(["democracy", "gdp"]).df
    assert _cell(df, {"ccode1": 2, "ccode2": 365, "year": 2000}, "polity22") == 6.0
    assert _cell(df, {"ccode1": 365, "ccode2": 2, "year": 2000}, "polity21") == 6.0
    assert _cell(df, {"ccode1": 2, "ccode2": 365, "year": 2000}, "polity2_min") == 6.0
    for m in ("aeuds", "polity2", "mrgdppc"):
        both = pl.col(f"{m}1").is_not_null() & pl.col(f"{m}2").is_not_null()
        expected = pl.when(both).then(pl.min_horizontal(f"{m}1", f"{m}2"))
        assert df.select((pl.col(f"{m}_min").eq_missing(expected)).all()).item(), m
    assert (
        df.filter(pl.col("year") == 2020)["mrgdppc_min"].null_count()
        == df.filter(pl.col("year") == 2020).height
    )


def test_real_gw_frame(built_warehouse: Path) -> None:
    wh = foedus.Warehouse(built_warehouse, read_only=True)
    df = foedus.state_years("gw", years="1990", warehouse=wh).enrich(["democracy", "gdp"]).df
    assert _cell(df, {"gwcode": 260, "year": 1990}, "polity2") == 10.0  # West Germany (G-W 260)
    assert _cell(df, {"gwcode": 2, "year": 1990}, "mrgdppc") is not None
