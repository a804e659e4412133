"""Alliance burden sharing: synthetic checks of the arithmetic and the Olson–Zeckhauser test, and
NATO 2014–2023 on SIPRI's data."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import typer
from scipy import stats
from typer.testing import CliRunner

from foedus.errors import InvalidYearsError
from foedus.measures.burden import (
    BurdenSharing,
    alliance_members_by_year,
    burden_shares,
    burden_sharing,
    olson_zeckhauser,
)

runner = CliRunner()


# ---------------------------------------------------------------------------------------------
# synthetic
# ---------------------------------------------------------------------------------------------
def _milex() -> pl.DataFrame:
    return pl.DataFrame({
        "ccode": [1, 2, 3, 4, 1, 2, 3, 4],
        "year": [2000] * 4 + [2001] * 4,
        "sipri_milex": [300.0, 100.0, 20.0, 0.0, 330.0, 90.0, 25.0, 0.0],
        "sipri_milex_gdp": [0.03, 0.02, 0.0199, None, 0.03, 0.015, 0.025, None],
    })  # fmt: skip


def test_shares_gdp_and_guideline() -> None:
    members = pl.DataFrame({"year": [2000] * 4 + [2001] * 3, "ccode": [1, 2, 3, 4, 1, 2, 3]})
    out = burden_shares(members, _milex())
    y0 = out.filter(pl.col("year") == 2000).sort("ccode")
    assert y0["gdp"].to_list()[:3] == pytest.approx([10_000.0, 5_000.0, 20 / 0.0199])
    assert y0["gdp"][3] is None  # no share, no derived GDP
    assert y0["meets_2pct"].to_list() == [True, True, False, None]  # 2 % exactly meets it
    assert y0["complete"].to_list() == [True, True, True, False]
    for year in (2000, 2001):
        part = out.filter(pl.col("year") == year)
        assert part["share_milex"].sum() == pytest.approx(1.0)
        assert part["share_gdp"].sum() == pytest.approx(1.0)
    first = y0.row(0, named=True)
    assert first["share_milex"] == pytest.approx(300 / 420)
    assert first["burden_ratio"] == pytest.approx(first["share_milex"] / first["share_gdp"])
    assert first["burden_ratio"] > 1  # the largest, highest-burden member carries more


def test_olson_zeckhauser_two_ways() -> None:
    rng = np.random.default_rng(0)
    gdp = np.exp(rng.normal(size=25) * 2)
    burden = 0.01 + 0.004 * np.log(gdp) + rng.normal(size=25) * 0.004
    burden[3] = burden[4]  # a tie
    df = pl.DataFrame({"year": [1964] * 25, "gdp": gdp, "milex_gdp": burden})
    row = olson_zeckhauser(df).row(0, named=True)
    ranks = df.select(pl.col("gdp").rank("average"), pl.col("milex_gdp").rank("average"))
    pearson = float(np.corrcoef(ranks["gdp"], ranks["milex_gdp"])[0, 1])
    assert row["rho"] == pytest.approx(pearson, abs=1e-12)
    t = pearson * math.sqrt((25 - 2) / (1 - pearson**2))
    assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(t), 23), rel=1e-9)
    assert row["p_greater"] == pytest.approx(stats.t.sf(t, 23), rel=1e-9)
    assert row["rho"] > 0.5 and row["p_greater"] < 0.01
    assert row["p_method"] == "t"


def test_small_alliances_get_exact_p_values() -> None:
    df = pl.DataFrame({"year": [1] * 4, "gdp": [1.0, 2.0, 3.0, 4.0],
                       "milex_gdp": [0.01, 0.02, 0.03, 0.04]})  # fmt: skip
    row = olson_zeckhauser(df).row(0, named=True)
    assert row["rho"] == pytest.approx(1.0)
    assert row["p_method"] == "exact"
    assert row["p_greater"] == pytest.approx(1 / 24)  # one ordering of 4! is as extreme
    assert row["p_value"] == pytest.approx(2 / 24)  # and its mirror image
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=7), rng.normal(size=7)
    exact = olson_zeckhauser(pl.DataFrame({"year": [1] * 7, "gdp": x, "milex_gdp": y}))
    perm = stats.permutation_test(
        (y,), lambda v: stats.spearmanr(x, v).statistic, permutation_type="pairings",
        alternative="greater", n_resamples=np.inf)
    assert exact["p_greater"].item() == pytest.approx(perm.pvalue)


def test_olson_zeckhauser_degenerate_years() -> None:
    df = pl.DataFrame({"year": [1, 1, 2, 2, 2], "gdp": [1.0, 2.0, 1.0, 2.0, 3.0],
                       "milex_gdp": [0.01, 0.02, 0.02, 0.02, 0.02]})  # fmt: skip
    out = olson_zeckhauser(df)
    assert out["n"].to_list() == [2, 3]
    assert out["rho"].null_count() == 2  # too few members / no variation in burden


def test_perfect_exploitation_in_a_toy_alliance() -> None:
    df = pl.DataFrame({"year": [1964] * 5, "gdp": [500.0, 80.0, 60.0, 10.0, 1.0],
                       "milex_gdp": [0.09, 0.05, 0.04, 0.02, 0.01]})  # fmt: skip
    assert olson_zeckhauser(df)["rho"].item() == pytest.approx(1.0)


# ---------------------------------------------------------------------------------------------
# NATO 2014–2023
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def nato(built_warehouse: Path) -> BurdenSharing:
    return burden_sharing("NATO", 2014, 2023, warehouse=built_warehouse)


def test_nato_members_per_year(nato: BurdenSharing) -> None:
    counts = dict(nato.years.select("year", "members").iter_rows())
    # ATOP dates Montenegro's membership from its accession protocol (May 2016); the curated
    # facts give North Macedonia in force from March 2020, Finland from April 2023
    assert counts == {2014: 28, 2015: 28, 2016: 29, 2017: 29, 2018: 29, 2019: 29, 2020: 30,
                      2021: 30, 2022: 30, 2023: 31}  # fmt: skip
    members = nato.members.filter(pl.col("member").fill_null(True))
    mac = members.filter((pl.col("abb") == "MAC") & pl.col("milex").is_not_null())
    assert mac["year"].min() == 2020
    assert members.filter(pl.col("abb") == "FIN")["year"].to_list() == [2023]
    acceding = dict(nato.years.select("year", "acceding").iter_rows())
    assert acceding[2019] == ["MAC"] and acceding[2022] == ["FIN", "SWD"]
    assert acceding[2023] == ["SWD"]


def test_registry_membership_statuses(built_warehouse: Path) -> None:
    roster = alliance_members_by_year("NATO", 2019, 2020, warehouse=built_warehouse)
    mac = roster.filter(pl.col("abb") == "MAC")
    assert mac.select("year", "status", "member").rows() == [
        (2019, "signed", False), (2020, "in force", True)]
    assert roster.filter(pl.col("year") == 2019)["member"].sum() == 29


def test_us_share_of_nato_spending(nato: BurdenSharing, built_warehouse: Path) -> None:
    from foedus.frames.instruments.arms import milex_state_years
    from foedus.warehouse import Warehouse

    milex = milex_state_years(Warehouse(built_warehouse, read_only=True).table("sipri_milex"))
    for year in (2014, 2023):
        codes = nato.members.filter((pl.col("year") == year) & pl.col("complete"))["ccode"]
        rows = milex.filter((pl.col("year") == year) & pl.col("ccode").is_in(codes.to_list()))
        direct = rows.filter(pl.col("ccode") == 2)["sipri_milex"].item() / rows["sipri_milex"].sum()
        us = nato.members.filter((pl.col("year") == year) & (pl.col("ccode") == 2))
        assert us["share_milex"].item() == pytest.approx(direct)
        assert 0.65 < direct < 0.80
        largest = nato.years.filter(pl.col("year") == year).row(0, named=True)
        assert largest["largest"] == "USA" and largest["largest_share_milex"] == pytest.approx(
            direct)


def test_who_met_two_percent_in_2014(nato: BurdenSharing, built_warehouse: Path) -> None:
    from foedus.warehouse import Warehouse

    raw = Warehouse(built_warehouse, read_only=True).table("sipri_milex")
    y2014 = nato.members.filter(pl.col("year") == 2014)
    met = dict(y2014.select("abb", "meets_2pct").iter_rows())
    # what SIPRI's file says (shares are fractions): USA 3.68 %, UK 2.18 %, Greece 2.35 % meet it;
    # Estonia 1.93 %, Poland 1.92 %, France 1.86 % do not
    assert met["USA"] and met["UKG"] and met["GRC"]
    assert not met["EST"] and not met["POL"] and not met["FRN"]
    assert met["ICE"] is None  # no armed forces: no share
    assert sorted(a for a, m in met.items() if m) == ["GRC", "UKG", "USA"]
    for iso, abb in (("USA", "USA"), ("GBR", "UKG"), ("GRC", "GRC"), ("EST", "EST")):
        share = raw.filter((pl.col("iso3") == iso) & (pl.col("year") == 2014))[
            "milex_share_gdp"].item()
        assert met[abb] == (share >= 0.02)
    assert nato.years.filter(pl.col("year") == 2023)["meeting_2pct"].item() == 11


def test_nato_olson_zeckhauser_agrees_with_ranks(nato: BurdenSharing) -> None:
    for year in (2014, 2023):
        part = nato.members.filter((pl.col("year") == year) & pl.col("complete"))
        ranks = part.select(pl.col("gdp").rank("average"), pl.col("milex_gdp").rank("average"))
        pearson = float(np.corrcoef(ranks["gdp"], ranks["milex_gdp"])[0, 1])
        row = nato.years.filter(pl.col("year") == year).row(0, named=True)
        assert row["rho"] == pytest.approx(pearson, abs=1e-12)
        assert row["members_with_data"] == part.height
    summary = nato.summary()
    assert summary["years_tested"] == 10
    doc = nato.to_dict()
    json.dumps(doc, default=str)
    assert doc["olson_zeckhauser"] == summary


def test_years_outside_sipri(built_warehouse: Path) -> None:
    with pytest.raises(InvalidYearsError, match="1949–2023"):
        burden_sharing("NATO", 1900, 1910, warehouse=built_warehouse)


def _app() -> typer.Typer:
    from foedus.cli import app

    return app


def test_cli_burden(built_warehouse: Path) -> None:
    app = _app()
    result = runner.invoke(app, ["burden", "NATO", "--from", "2014", "--to", "2023", "--json",
                                 "-w", str(built_warehouse)])  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["alliance"]["atopid"] == 3180
    assert [r["members"] for r in doc["years"]][-1] == 31
    result = runner.invoke(app, ["burden", "NATO", "--from", "2014", "--to", "2023", "--detail",
                                 "2014", "-w", str(built_warehouse)], env={"COLUMNS": "200"})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Members in 2014" in result.stdout and "USA (74.8 %)" in result.stdout
    assert "Olson–Zeckhauser" in result.stderr


def test_cli_burden_errors(built_warehouse: Path) -> None:
    app = _app()
    result = runner.invoke(app, ["burden", "NATOO", "--json", "-w", str(built_warehouse)])
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["error"] == "UnknownAllianceError" and "NATO (3180)" in doc["fix"]
    result = runner.invoke(app, ["burden", "NATO", "--from", "2014", "--to", "2023", "--detail",
                                 "2000", "-w", str(built_warehouse)])  # fmt: skip
    assert result.exit_code == 2 and "--detail" in result.stderr
