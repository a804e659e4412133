"""Arms-transfer and military-expenditure enrichers on the real SIPRI tables and the peer's full
directed dyad-year frame (cow_ddy, 1816-2024): coverage (null outside, 0 inside), direction,
allocation by delivery year, successor states, and the Frame-level wrappers."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from foedus.errors import FoedusError, SourceFormatError
from foedus.frames.frame import Frame
from foedus.frames.instruments.arms import (
    ARMS_COLUMNS,
    MILEX_COLUMNS,
    add_arms_transfers,
    add_military_expenditure,
    arms_coverage,
    enrich_arms,
    enrich_milex,
    milex_state_years,
)
from foedus.measures.arms_trade import allocate_deliveries
from foedus.sources.instruments.sipri import (
    ARMS_FILE,
    MILEX_FILE,
    WEAPON_CATEGORIES,
    parse_arms_deals,
    parse_milex,
)
from foedus.warehouse import Warehouse
from tests.conftest import ps_table, shared_file


@pytest.fixture(scope="module")
def deals() -> pl.DataFrame:
    return parse_arms_deals(shared_file(f"sipri_arms_transfers/{ARMS_FILE}"))


@pytest.fixture(scope="module")
def milex() -> pl.DataFrame:
    return parse_milex(shared_file(f"sipri_milex/{MILEX_FILE}"))


@pytest.fixture(scope="module")
def ddy() -> pl.DataFrame:
    return ps_table("cow_ddy").select("ccode1", "ccode2", "year")


@pytest.fixture(scope="module")
def arms_ddy(ddy: pl.DataFrame, deals: pl.DataFrame) -> pl.DataFrame:
    return add_arms_transfers(ddy, deals)


def cell(df: pl.DataFrame, a: int, b: int, year: int, column: str) -> object:
    hit = df.filter((pl.col("ccode1") == a) & (pl.col("ccode2") == b) & (pl.col("year") == year))
    assert hit.height == 1
    return hit.get_column(column)[0]


# -- arms transfers on the full directed dyad-year frame ----------------------------------------


def test_rows_order_and_columns_kept(ddy: pl.DataFrame, arms_ddy: pl.DataFrame) -> None:
    assert arms_ddy.height == ddy.height
    assert arms_ddy.select("ccode1", "ccode2", "year").equals(ddy)
    assert arms_ddy.columns == [*ddy.columns, *ARMS_COLUMNS]
    assert arms_ddy.schema["arms_tiv"] == pl.Float64 and arms_ddy.schema["arms_deals"] == pl.Int64


def test_coverage_is_explicit(deals: pl.DataFrame, arms_ddy: pl.DataFrame) -> None:
    assert arms_coverage(deals) == (1950, 2024)
    before = arms_ddy.filter(pl.col("year") < 1950)
    assert before.height > 0
    assert before.get_column("arms_tiv").null_count() == before.height
    inside = arms_ddy.filter(pl.col("year").is_between(1950, 2024))
    assert inside.get_column("arms_tiv").null_count() == 0
    assert inside.get_column("arms_deals").null_count() == 0
    assert cell(arms_ddy, 2, 20, 1949, "arms_tiv") is None  # USA → Canada before SIPRI's years
    assert cell(arms_ddy, 95, 101, 2000, "arms_tiv") == 0.0  # Panama → Venezuela: nothing


def test_direction_supplier_to_recipient(arms_ddy: pl.DataFrame) -> None:
    assert cell(arms_ddy, 2, 740, 2020, "arms_tiv") > 100  # USA → Japan
    assert cell(arms_ddy, 740, 2, 2020, "arms_tiv") < cell(arms_ddy, 2, 740, 2020, "arms_tiv")
    assert cell(arms_ddy, 365, 750, 1985, "arms_deals") > 10  # USSR → India


def test_totals_match_the_allocation(deals: pl.DataFrame, arms_ddy: pl.DataFrame) -> None:
    rows = allocate_deliveries(deals).filter(pl.col("ccode1") == 2, pl.col("ccode2") == 740,
                                             pl.col("year").is_between(2020, 2024))  # fmt: skip
    frame = arms_ddy.filter(pl.col("ccode1") == 2, pl.col("ccode2") == 740,
                            pl.col("year").is_between(2020, 2024))  # fmt: skip
    assert frame.get_column("arms_tiv").sum() == pytest.approx(rows.get_column("tiv").sum())


def test_even_allocation_spreads_a_deal(deals: pl.DataFrame) -> None:
    deal = deals.filter(pl.col("recipient") == "Afghanistan", pl.col("supplier") == "Soviet Union",
                        pl.col("weapon_designation") == "Malyutka").row(0, named=True)  # fmt: skip
    rows = allocate_deliveries(pl.DataFrame([deal]))
    assert rows.height == 12 and rows.get_column("tiv").to_list() == [5.0] * 12  # 60 / 12 years
    first = allocate_deliveries(pl.DataFrame([deal]), allocation="first")
    assert first.select("year", "tiv").rows() == [(1979, 60.0)]


def test_successor_by_delivery_year() -> None:
    deals = pl.DataFrame({"deal_id": [1], "supplier": ["Soviet Union"],
                          "recipient": ["East Germany (GDR)"], "delivery_years": [[1990, 1991]],
                          "tiv_delivered": [20.0], "weapon_category": ["aircraft"]})  # fmt: skip
    dy = pl.DataFrame({"ccode1": [365, 365, 365], "ccode2": [265, 255, 265],
                       "year": [1990, 1991, 1991]})  # fmt: skip
    out = add_arms_transfers(dy, deals)
    assert out.get_column("arms_tiv").to_list() == [10.0, 10.0, 0.0]


def test_categories_add_up(ddy: pl.DataFrame, deals: pl.DataFrame) -> None:
    recent = ddy.filter(pl.col("year").is_between(2015, 2024))
    out = add_arms_transfers(recent, deals, categories=True)
    tiv = [c for c in out.columns if c.startswith("arms_tiv_")]
    assert len(tiv) == len(WEAPON_CATEGORIES)
    assert "arms_tiv_air_defence_systems" in tiv
    summed = out.select(pl.sum_horizontal(tiv)).to_series()
    assert (summed - out.get_column("arms_tiv")).abs().max() < 1e-6


def test_state_years_exports_and_imports(deals: pl.DataFrame) -> None:
    sy = pl.DataFrame({"ccode": [2, 750, 2], "year": [2020, 2020, 1900]})
    out = add_arms_transfers(sy, deals)
    assert out.columns == ["ccode", "year", "arms_tiv_exports", "arms_deals_exports",
                           "arms_tiv_imports", "arms_deals_imports"]  # fmt: skip
    usa, india, old = out.rows(named=True)
    assert usa["arms_tiv_exports"] > 10_000 and usa["arms_tiv_imports"] < usa["arms_tiv_exports"]
    assert india["arms_tiv_imports"] > india["arms_tiv_exports"]
    assert old["arms_tiv_exports"] is None


def test_non_directed_adds_both_directions(deals: pl.DataFrame) -> None:
    dy = pl.DataFrame({"ccode1": [2], "ccode2": [740], "year": [2020]})
    directed = add_arms_transfers(dy, deals).get_column("arms_tiv")[0]
    reverse = add_arms_transfers(dy.select(pl.col("ccode2").alias("ccode1"),
                                           pl.col("ccode1").alias("ccode2"), "year"), deals)  # fmt: skip
    both = add_arms_transfers(dy, deals, directed=False).get_column("arms_tiv")[0]
    assert both == pytest.approx(directed + reverse.get_column("arms_tiv")[0])


def test_gw_frames_and_errors(deals: pl.DataFrame) -> None:
    gw = pl.DataFrame({"gwcode1": [2], "gwcode2": [740], "year": [2020]})
    assert add_arms_transfers(gw, deals).get_column("arms_tiv")[0] > 100
    with pytest.raises(FoedusError, match="neither state codes"):
        add_arms_transfers(pl.DataFrame({"x": [1], "year": [2000]}), deals)
    done = add_arms_transfers(gw, deals)
    with pytest.raises(FoedusError, match="already has column"):
        add_arms_transfers(done, deals)
    with pytest.raises(SourceFormatError, match="lacks column"):
        add_arms_transfers(gw, deals.drop("delivery_years"))
    with pytest.raises(FoedusError, match="unknown allocation"):
        add_arms_transfers(gw, deals, allocation="uniform")  # type: ignore[arg-type]


# -- military expenditure -----------------------------------------------------------------------


def test_milex_state_years(milex: pl.DataFrame) -> None:
    sy = pl.DataFrame({"ccode": [2, 2, 2, 365, 365, 265, 260, 255],
                       "year": [1948, 2023, 2024, 1990, 1995, 1980, 1980, 2000]})  # fmt: skip
    out = add_military_expenditure(sy, milex)
    assert out.columns == ["ccode", "year", *MILEX_COLUMNS]
    values = out.get_column("sipri_milex").to_list()
    assert values[0] is None and values[2] is None  # outside 1949-2023
    assert values[1] == pytest.approx(880_070.56, abs=0.01)
    assert out.get_column("sipri_milex_gdp")[1] == pytest.approx(0.0336, abs=1e-4)
    assert values[3] == pytest.approx(256_241.61, abs=0.01)  # USSR row
    assert values[4] == pytest.approx(29_793.20, abs=0.01)  # Russia row (USSR 1995 is "xxx")
    assert values[5] is not None and values[6] is not None  # GDR and West Germany 1980
    assert values[7] is not None  # unified Germany


def test_milex_table_is_unique_per_state_year(milex: pl.DataFrame) -> None:
    table = milex_state_years(milex)
    assert table.select("ccode", "year").is_unique().all()
    assert table.filter(pl.col("ccode") == 365, pl.col("year") == 1992).get_column(
        "sipri_milex")[0] == pytest.approx(54_793.47, abs=0.01)  # fmt: skip


def test_milex_dyad_years(ddy: pl.DataFrame, milex: pl.DataFrame) -> None:
    out = add_military_expenditure(ddy, milex)
    assert out.height == ddy.height
    assert out.columns[-6:] == ["sipri_milex1", "sipri_milex_gdp1", "sipri_milex_pc1",
                                "sipri_milex2", "sipri_milex_gdp2", "sipri_milex_pc2"]  # fmt: skip
    assert cell(out, 2, 740, 2023, "sipri_milex2") == pytest.approx(51_887.98, abs=0.01)
    assert cell(out, 2, 740, 1900, "sipri_milex1") is None


def test_milex_two_series_with_data_is_an_error() -> None:
    milex = pl.DataFrame({"country": ["A", "B"], "ccode": [1, 1], "gwcode": [1, 1],
                          "resolution": ["resolved"] * 2, "year": [2000, 2000],
                          "milex_const2022_usd_m": [1.0, 2.0], "milex_share_gdp": [0.1, 0.1],
                          "milex_per_capita_current_usd": [1.0, 1.0]})  # fmt: skip
    with pytest.raises(SourceFormatError, match="two SIPRI series give ccode 1 spending in 2000: A, B"):
        milex_state_years(milex)


# -- Frame-level wrappers (what `--with arms` / `--with milex` will call) ------------------------


def test_frame_wrappers_record_provenance(tmp_path: Path) -> None:
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.import_file(shared_file(f"sipri_arms_transfers/{ARMS_FILE}"), "sipri-arms-transfers")
        wh.import_file(shared_file(f"sipri_milex/{MILEX_FILE}"), "sipri-milex")
        dy = Frame(pl.DataFrame({"ccode1": [2], "ccode2": [740], "year": [2020]}),
                   unit="dyad-year", system="cow", directed=True, warehouse=wh)  # fmt: skip
        out = enrich_milex(enrich_arms(dy))
        assert out.df.get_column("arms_tiv")[0] > 100
        assert out.df.get_column("sipri_milex1")[0] > 700_000
        assert out.sources() == ["sipri-arms-transfers", "sipri-milex"]
        assert "sipri2025armstransfers" in out.citation()
