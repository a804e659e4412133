"""The curated file's validation, the enrichers and treaty-portfolio similarity."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from foedus.arms_control.curated import COLUMNS, load_curated
from foedus.errors import CuratedFactError, InvalidDateError


def _file(tmp_path: Path, *rows: str) -> Path:
    f = tmp_path / "mine.csv"
    f.write_text("# version: test\n" + ",".join(COLUMNS) + "\n" + "\n".join(rows) + "\n")
    return f


def test_packaged_file_is_valid_and_dated() -> None:
    facts = load_curated(states={"USA": 2, "RUS": 365, "BLR": 370, "KZK": 705, "UKR": 369,
                                 "IRN": 630, "UKG": 200, "FRN": 220, "GMY": 255, "CHN": 710,
                                 "PRK": 731})
    abm = facts.filter((pl.col("treaty") == "ABM") & (pl.col("state") == "USA"))
    assert dict(abm.select("event", "date").rows())["withdrew"] == date(2002, 6, 13)
    assert facts["source_url"].str.starts_with("http").all()


@pytest.mark.parametrize(("row", "error", "text"), [
    ("X1,INF,USA,2,left,2019-08-02,https://x,", CuratedFactError, "unknown event 'left'"),
    ("X1,SALT9,USA,2,signed,2019-08-02,https://x,", CuratedFactError, "unknown treaty"),
    ("X1,INF,USA,2,signed,2019-02-30,https://x,", InvalidDateError, "not a valid date"),
    ("X1,INF,USA,2,signed,2999-01-01,https://x,", InvalidDateError, "in the future"),
    ("X1,START1,BLR,370,withdrew,1980-01-01,https://x,", CuratedFactError, "before"),
])
def test_bad_rows_name_file_and_line(tmp_path: Path, row: str, error: type, text: str) -> None:
    f = _file(tmp_path, row)
    with pytest.raises(error, match=text) as info:
        load_curated(f)
    assert f"{f}" in str(info.value) or "curated.csv" in str(info.value)
    assert "line" in str(info.value)


def test_state_and_code_must_agree(tmp_path: Path) -> None:
    f = _file(tmp_path, "X1,CFE,FRN,2,signed,1990-11-19,https://x,")
    with pytest.raises(CuratedFactError, match="do not match"):
        load_curated(f, include_default=False, states={"FRN": 220, "USA": 2})


def test_state_year_enricher(built_warehouse: Path) -> None:
    import foedus

    f = foedus.state_years("cow", years=(1960, 2016), warehouse=built_warehouse).enrich(
        ["arms-control", "nuclear"])
    df = f.df
    usa = {r["year"]: r for r in df.filter(pl.col("ccode") == 2).iter_rows(named=True)}
    assert usa[1967]["ac_npt"] is None  # opened 1968: no status before
    assert usa[1968]["ac_npt"] == "signed" and usa[1970]["ac_npt"] == "party"
    assert usa[1962]["nuclear_tests"] == 96 and usa[1992]["nuclear_tests"] == 6 and usa[1993]["nuclear_tests"] == 0  # last US test Sep 1992
    assert df.filter(pl.col("ccode") == 731, pl.col("year") == 2005)["ac_npt"].item() == "withdrawn"
    gfr = df.filter(pl.col("ccode") == 260, pl.col("year") == 1975)  # West Germany, via 255
    assert gfr["ac_npt"].item() == "party"
    assert usa[2002]["nu_mean"] is None  # ν-CLEAR ends in 2001
    assert {u.table for u in f.used} >= {"ac_unoda_events", "nuclear_tests", "curated"}


def test_dyad_enricher_and_similarity(built_warehouse: Path) -> None:
    import foedus
    from foedus.arms_control.analysis import treaty_portfolio_similarity
    from foedus.warehouse import Warehouse

    d = foedus.dyad_years("cow", directed=True, years=(2010, 2010),
                          warehouse=built_warehouse).enrich(["arms-control"])
    row = d.df.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 200)).row(0, named=True)
    # 12 treaties open in 2010; the UK is party to all, the US signed the CTBT and is outside
    # Ottawa and the CCM: S = 1 - 2 * (1 + 4 + 4) / (12 * 4)
    assert row["ac_s_un_val_sq"] == pytest.approx(1 - 18 / 48)
    assert row["ac_joint_party"] == 9
    with Warehouse(built_warehouse, read_only=True) as wh:
        sims = treaty_portfolio_similarity(wh, (1920, 1924))
    assert sims.height == 0  # no treaty open before 1925
    # France never joined the PTBT, the Seabed Treaty or ENMOD; the UK is party to all 12
    ukfr = d.df.filter((pl.col("ccode1") == 200) & (pl.col("ccode2") == 220))
    assert np.isclose(ukfr["ac_s_un_val_sq"].item(), 1 - 2 * (3 * 4) / (12 * 4))
    assert ukfr["ac_joint_party"].item() == 9


def test_brief_sections(built_warehouse: Path) -> None:
    from foedus.assessment import assess_dyad, assess_portfolio
    from foedus.assessment.brief import render_html

    p = assess_portfolio("PRK", 2002, 2004, warehouse=built_warehouse, engagement=False)
    npt = dict(p.arms_control.select("year", "npt").rows())
    assert npt == {2002: "party", 2003: "withdrawn", 2004: "withdrawn"}
    page = render_html(p)
    assert 'data-section="arms_control"' in page and "ac_unoda_events" in page
    d = assess_dyad("USA", "RUS", 2018, 2019, warehouse=built_warehouse, engagement=False)
    row = d.arms_control.filter(pl.col("year") == 2019).row(0, named=True)
    assert (row["ctbt_a"], row["ctbt_b"], row["att_a"]) == ("signed", "party", "signed")
    assert 'data-table="arms_control"' in render_html(d)
