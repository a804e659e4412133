"""COW <-> G-W code bridges (isard panels), against peacesciencer 1.2.9."""

from __future__ import annotations

import doctest

import polars as pl
import pytest

from foedus.errors import FoedusError
from foedus.frames import bridge
from foedus.frames.bridge import add_ccode_to_gw, add_gwcode_to_cow, crosswalk
from foedus.sources.normalize import cast_keys
from tests.conftest import ps_table, reference, shared_file
from tests.frames.test_conflict import cow_state_years


def isard(name: str) -> pl.DataFrame:
    return cast_keys(pl.read_parquet(shared_file(f"isard/{name}.parquet")))


def test_gwcode_for_cow_state_years_every_cell_of_the_peer_reference() -> None:
    # create_stateyears(system = "cow") %>% ... %>% add_gwcode_to_cow()
    sy = cow_state_years()
    out = add_gwcode_to_cow(sy, isard("cw_gw_panel"))
    assert out.height == sy.height == 15_951
    assert out.select(sy.columns).equals(sy)
    assert out.schema["gwcode"] == pl.Float64
    ref = reference("cow_sy_pipeline6_ucdp").select("ccode", "year", "gwcode").sort("ccode", "year")
    mine = out.filter(pl.col("year") % 5 == 0).select(ref.columns).sort("ccode", "year")
    assert mine.height == ref.height == 3_232
    assert mine.select("ccode", "year").equals(ref.select("ccode", "year"))
    assert mine["gwcode"].eq_missing(ref["gwcode"]).all()
    assert mine["gwcode"].null_count() == 8  # Egypt 1860-80, Morocco 1905/10, Saudi Arabia 1930
    # the trouble spots, year by year
    lookup = {(r["ccode"], r["year"]): r["gwcode"] for r in out.iter_rows(named=True)}
    assert lookup[(255, 1945)] == 255.0 and lookup[(255, 1991)] == 260.0  # Germany
    assert lookup[(260, 1989)] == 260.0 and lookup[(255, 1990)] == 260.0  # both 260 in 1990
    assert lookup[(345, 1991)] == 345.0 and lookup[(345, 2007)] == 340.0  # Yugoslavia -> Serbia
    assert lookup[(679, 1991)] == 678.0  # Yemen (G-W continues the Arab Republic's code)


def test_gwcodes_for_cow_dyad_years() -> None:
    ddy = ps_table("cow_ddy")
    panel = isard("cw_gw_panel")
    out = add_gwcode_to_cow(ddy, panel)
    assert out.height == ddy.height
    assert out.select(ddy.columns).equals(ddy)
    assert out.columns[-2:] == ["gwcode1", "gwcode2"]
    table = crosswalk(panel, "ccode", "gwcode", where="test")
    for side in ("1", "2"):
        expected = ddy.join(
            table.rename({"ccode": f"ccode{side}"}), on=[f"ccode{side}", "year"], how="left"
        )["gwcode"]
        assert out[f"gwcode{side}"].eq_missing(expected).all()


def test_ccode_for_gw_state_and_dyad_years() -> None:
    panel = isard("gw_cw_panel")
    gw = ps_table("gw_ddy").select("gwcode1", "gwcode2", "year")
    out = add_ccode_to_gw(gw, panel)
    assert out.height == gw.height and out.select(gw.columns).equals(gw)
    assert out.schema["ccode1"] == pl.Float64
    sy = gw.select(pl.col("gwcode1").alias("gwcode"), "year").unique().sort("gwcode", "year")
    sy_out = add_ccode_to_gw(sy, panel)
    lookup = {(r["gwcode"], r["year"]): r["ccode"] for r in sy_out.iter_rows(named=True)}
    assert lookup[(260, 1989)] == 260.0 and lookup[(260, 1991)] == 255.0  # Germany
    assert lookup[(340, 2010)] == 345.0  # Serbia -> COW's Yugoslavia code
    assert lookup[(2, 2000)] == 2.0
    pairs = out.select("gwcode1", "year", "ccode1").unique()
    back = pairs.join(
        sy_out.rename({"gwcode": "gwcode1", "ccode": "c"}), on=["gwcode1", "year"], how="left"
    )
    assert back["ccode1"].eq_missing(back["c"]).all()


# ----------------------------------------------------------------------------------- synthetic


def test_year_specific_and_unmatched() -> None:
    panel = pl.DataFrame(
        {
            "ccode": [255, 255, 260, None],
            "gwcode": [255.0, 260.0, 260.0, 265.0],
            "year": [1945, 1991, 1989, 1989],
        }
    )
    sy = pl.DataFrame({"ccode": [255, 255, 260, 265], "year": [1945, 1991, 1989, 1989]})
    assert add_gwcode_to_cow(sy, panel)["gwcode"].to_list() == [255.0, 260.0, 260.0, None]


def test_float_keyed_panel_as_read_from_parquet() -> None:
    panel = pl.DataFrame({"ccode": [2.0], "gwcode": [2.0], "year": [1816.0]})
    sy = pl.DataFrame({"ccode": [2], "year": [1816]})
    assert add_gwcode_to_cow(sy, panel)["gwcode"].to_list() == [2.0]


def test_bridge_errors() -> None:
    panel = pl.DataFrame({"ccode": [2, 2], "gwcode": [2.0, 3.0], "year": [1816, 1816]})
    sy = pl.DataFrame({"ccode": [2], "year": [1816]})
    with pytest.raises(FoedusError, match="share a"):
        add_gwcode_to_cow(sy, panel)
    with pytest.raises(FoedusError, match="already has gwcode"):
        add_gwcode_to_cow(sy.with_columns(gwcode=pl.lit(2.0)), panel)
    with pytest.raises(FoedusError, match="missing column"):
        add_gwcode_to_cow(pl.DataFrame({"code": [2], "year": [1816]}), panel)
    with pytest.raises(FoedusError, match="missing column"):
        add_ccode_to_gw(pl.DataFrame({"gwcode": [2], "year": [1816]}), panel.drop("gwcode"))


def test_doc_examples_run() -> None:
    result = doctest.testmod(bridge, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
