"""`foedus region profile` and `foedus grouping compare`: numbers, sources, coverage, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foedus.cli import app
from tests.conftest import ps_table

runner = CliRunner()


@pytest.fixture(scope="module")
def profile(built_warehouse: Path) -> dict:
    res = runner.invoke(app, ["region", "profile", "asia-pacific", "--from", "2000", "--to",
                              "2023", "--json", "-w", str(built_warehouse)])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_profile_numbers_and_sources(profile: dict) -> None:
    series = {r["year"]: r for r in profile["series"]}
    assert sorted(series) == list(range(2000, 2024))
    nmc = ps_table("cow_nmc")
    ap = set(profile["region"]["members_last_year"])
    in_2010 = nmc.filter(nmc["year"] == 2010).drop_nulls("cinc")
    expected = in_2010.filter(in_2010["ccode"].is_in(list(ap)))["cinc"].sum() / in_2010["cinc"].sum()
    assert series[2010]["cinc_share"] == pytest.approx(expected, rel=1e-9)
    assert 0.35 < series[2000]["cinc_share"] < 0.55
    assert series[2023]["cinc_share"] is None  # NMC v7 ends in 2022: null, not 0
    assert series[2023]["milex_share"] is not None and series[2023]["arms_within"] is not None
    assert series[2019]["alliance_density"] is None and series[2018]["alliance_density"] > 0
    for r in profile["series"]:
        if r["arms_world"] is not None:
            assert r["arms_within"] + r["arms_into"] <= r["arms_world"] + 1e-6
    named = {s["source"] for s in profile["sources"]}
    assert {"nmc", "sipri-milex", "sipri-arms-transfers", "unga-ideal-points", "atop",
            "ucdp-nonstate"} <= named
    assert any("NMC" in n and "2022" in n for n in profile["notes"])


def test_compare_brics_g7(built_warehouse: Path) -> None:
    res = runner.invoke(app, ["grouping", "compare", "BRICS", "G7", "--year", "2023", "--json",
                              "-w", str(built_warehouse)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["cinc"]["year_used"] == 2022 and doc["milex"]["year_used"] == 2023
    assert sorted(doc["a"]["members"]) == [140, 365, 560, 710, 750]
    nmc = ps_table("cow_nmc")
    y = nmc.filter(nmc["year"] == 2022).drop_nulls("cinc")
    brics = y.filter(y["ccode"].is_in([140, 365, 560, 710, 750]))["cinc"].sum() / y["cinc"].sum()
    assert doc["cinc"]["BRICS"]["share"] == pytest.approx(brics, rel=1e-9)
    assert doc["cinc"]["BRICS"]["share"] > doc["cinc"]["G7"]["share"]
    assert doc["milex"]["G7"]["share"] > doc["milex"]["BRICS"]["share"]
    assert doc["exercises"] is None and doc["dcas"] is None  # MME/DCAD end in 2010
    un = doc["un_alignment"]
    assert un["between"]["distance"] > un["within_BRICS"]["within"]
    assert any("2022" in n for n in doc["notes"])
    res = runner.invoke(app, ["grouping", "compare", "BRICS", "G7", "--year", "2005", "--json",
                              "-w", str(built_warehouse)])
    old = json.loads(res.stdout)
    assert old["exercises"] is not None and old["dcas"] is not None


def test_unknown_names_exit_2_and_list_the_valid_ones(built_warehouse: Path) -> None:
    res = runner.invoke(app, ["grouping", "compare", "BRICS", "Warsaw", "--json", "-w",
                              str(built_warehouse)])
    assert res.exit_code == 2
    doc = json.loads(res.stdout)
    assert "asia-pacific" in doc["fix"] and "BRICS" in doc["fix"]
    res = runner.invoke(app, ["grouping", "show", "Warsaw", "--json"])
    assert res.exit_code == 2 and "ECOWAS" in json.loads(res.stdout)["fix"]
    res = runner.invoke(app, ["region", "profile", "nowhere", "-o", "p.xlsx", "-w",
                              str(built_warehouse)])
    assert res.exit_code == 2 and "cannot write" in res.output
    res = runner.invoke(app, ["frame", "state-years", "--years", "2010", "--region", "nowhere",
                              "-w", str(built_warehouse)])
    assert res.exit_code == 2 and "asia-pacific" in res.output


def test_frame_region_filter_and_multipolarity(built_warehouse: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["frame", "state-years", "--years", "2010", "--with", "nmc",
                              "--region", "un:eastern-asia", "--json", "-w", str(built_warehouse)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert {r["ccode"] for r in doc["preview"]} == {710, 712, 713, 731, 732, 740}
    out = tmp_path / "mp.csv"
    res = runner.invoke(app, ["system", "multipolarity", "--from", "2014", "--to", "2016",
                              "--json", "-o", str(out), "-w", str(built_warehouse)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    first = doc["years"][0]
    assert 2.5 < first["effective_poles_majors"] < 5 and first["alliance_blocs"] >= 2
    assert out.exists() and {row["ccode"] for row in doc["alignment"]} == {140, 560, 750}


def test_nato_spending_share_matches_sipris_published_figure(built_warehouse: Path) -> None:
    from foedus.regions.profile import compare_groupings

    doc = compare_groupings("NATO", "BRICS", 2023, warehouse=built_warehouse)
    # SIPRI (Trends in World Military Expenditure 2023, April 2024): the 31 NATO members spent
    # $1341 bn, 55 % of the world total
    assert doc["milex"]["NATO"]["members"] == 31
    assert abs(doc["milex"]["NATO"]["share"] - 0.55) < 0.01


def test_html_briefs(built_warehouse: Path, tmp_path: Path) -> None:
    import re

    out = tmp_path / "east-asia.html"
    res = runner.invoke(app, ["region", "profile", "un:eastern-asia", "--from", "2015", "--to",
                              "2016", "--json", "-o", str(out), "-w", str(built_warehouse)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "nmc" in html and "@" in html  # sources and BibTeX
    row = re.search(r'<tr data-year="2016">(.*?)</tr>', html).group(1)
    values = re.findall(r'data-value="([^"]*)"', row)
    assert float(values[0]) == doc["series"][1]["cinc_share"]
    out2 = tmp_path / "cmp.html"
    res = runner.invoke(app, ["grouping", "compare", "SCO", "CSTO", "--year", "2015", "-o",
                              str(out2), "-w", str(built_warehouse)])
    assert res.exit_code == 0 and "SCO and CSTO in 2015" in out2.read_text(encoding="utf-8")
