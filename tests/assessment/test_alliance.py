"""Alliance, dyad, portfolio and mission assessments on the real shared data."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from foedus.assessment import (
    AllianceAssessment,
    assess_alliance,
    assess_dyad,
    assess_mission,
    assess_portfolio,
    ols_trend,
)
from foedus.errors import FoedusError


@pytest.fixture(scope="module")
def nato(built_warehouse: Path) -> AllianceAssessment:
    return assess_alliance("NATO", 1990, 2018, warehouse=built_warehouse)


def test_nato_member_counts_per_year(nato: AllianceAssessment) -> None:
    counts = dict(nato.membership.select("year", "members").iter_rows())
    # ATOP dates accession by the signature of the protocol: the 1999 enlargement (CZE, HUN,
    # POL) is coded 1997, the 2004 one (7 states) 2003, Albania/Croatia 2008, Montenegro 2016.
    assert counts[1990] == 17  # GFR and unified Germany both listed in 1990
    assert counts[1991] == counts[1996] == 16
    assert counts[1997] == counts[2002] == 19
    assert counts[2003] == counts[2007] == 26
    assert counts[2008] == counts[2015] == 28
    assert counts[2016] == counts[2018] == 29
    entered = {r["year"]: r["entered"] for r in nato.membership.iter_rows(named=True)}
    assert entered[1997] == ["CZR", "HUN", "POL"]
    assert entered[2003] == ["BUL", "EST", "LAT", "LIT", "ROM", "SLO", "SLV"]
    assert nato.membership.filter(pl.col("year") == 2018)["with_defense"].item() == 29
    # the counts equal the registry's roster
    roster = nato.members.filter(pl.col("member")).group_by("year").len().sort("year")
    assert roster["len"].to_list() == nato.membership["members"].to_list()


def test_pooled_cinc_equals_sum_from_nmc(nato: AllianceAssessment, built_warehouse: Path) -> None:
    from foedus.warehouse import Warehouse

    nmc = Warehouse(built_warehouse, read_only=True).table("nmc")
    members = nato.members.filter(pl.col("member")).select("year", "ccode")
    expected = (
        members.join(nmc.select("ccode", "year", "cinc"), on=["ccode", "year"])
        .group_by("year")
        .agg(pl.col("cinc").sum())
        .sort("year")
    )
    got = nato.capability.filter(pl.col("cinc").is_not_null()).select("year", "cinc")
    assert got["year"].to_list() == expected["year"].to_list()
    assert got["cinc"].to_list() == pytest.approx(expected["cinc"].to_list(), abs=1e-12)
    world = nmc.filter(pl.col("year") == 2000)["cinc"].sum()
    row = nato.capability.filter(pl.col("year") == 2000).row(0, named=True)
    assert row["cinc_share"] == pytest.approx(row["cinc"] / world, rel=1e-12)
    assert 0.2 < row["cinc_share"] < 0.4


def test_cohesion_computed_with_trend(nato: AllianceAssessment) -> None:
    c = nato.cohesion
    assert c.filter(pl.col("year") == 2000)["pairs"].item() == 19 * 18 // 2
    assert c["idealpoint_sd"].null_count() == 0
    assert c["similarity_sd"].null_count() == 0  # ATOP years only: 1990–2018 all covered
    trend = {r["measure"]: r for r in nato.cohesion_trend.to_dicts()}
    ref = ols_trend(c, ["idealpoint_sd"]).row(0, named=True)
    assert trend["idealpoint_sd"]["slope"] == pytest.approx(ref["slope"])
    assert trend["idealpoint_sd"]["n"] == 29 and trend["idealpoint_sd"]["se"] > 0


def test_ols_trend_matches_numpy() -> None:
    import numpy as np

    df = pl.DataFrame(
        {"year": list(range(2000, 2010)), "x": [0.3, 0.1, 0.4, 0.9, 0.5, 0.8, 1.1, 0.7, 1.3, 1.2]}
    )
    slope = np.polyfit(df["year"].to_numpy(), df["x"].to_numpy(), 1)[0]
    assert ols_trend(df, ["x"])["slope"][0] == pytest.approx(slope)
    short = ols_trend(df.head(2), ["x"]).row(0, named=True)
    assert short["slope"] is None and short["n"] == 2


def test_event_study_for_the_1999_and_2004_enlargements(nato: AllianceAssessment) -> None:
    acc = nato.accessions.filter(pl.col("in_system_before"))
    assert set(acc.filter(pl.col("year") == 1997)["abb"]) == {"CZR", "HUN", "POL"}
    assert acc.filter(pl.col("year") == 2003).height == 7
    # unified Germany (not in the system in 1989) is left out and said so
    assert "GMY 1990" in " ".join(nato.notes)
    ev = nato.event_study
    assert ev.height == acc.height * 11
    assert sorted(set(ev["rel"])) == list(range(-5, 6))
    # GML MIDs end in 2010, COW MIDs in 2014: later years are null, never 0
    assert (
        ev.filter(pl.col("year") > 2010)["gml_onsets"].null_count()
        == ev.filter(pl.col("year") > 2010).height
    )
    assert (
        ev.filter(pl.col("year") > 2014)["cow_onsets"].null_count()
        == ev.filter(pl.col("year") > 2014).height
    )
    pol = ev.filter((pl.col("abb") == "POL") & (pl.col("year") <= 2010))
    assert pol["gml_onsets"].null_count() == 0
    # the summary is the mean over covered accession-years
    s = nato.event_summary.filter(pl.col("rel") == -3).row(0, named=True)
    sub = ev.filter(pl.col("rel") == -3)["gml_onsets"].drop_nulls()
    assert s["gml_covered"] == sub.len() and s["gml_total"] == sub.sum()
    assert s["gml_mean"] == pytest.approx(sub.mean())
    assert nato.event_info["coverage"]["gml"][1] == 2010


def test_burden_engagement_and_provenance(nato: AllianceAssessment) -> None:
    assert nato.burden is not None
    assert nato.burden.years.filter(pl.col("year") == 2018)["members"].item() == 29
    eng = nato.engagement.filter(pl.col("year") == 2005).row(0, named=True)
    assert eng["pairs"] == 26 * 25 // 2 and eng["engagement_mean"] is not None
    sources = nato.provenance.sources()
    for name in ("atop", "nmc", "unga-ideal-points", "sipri-milex", "gml-mid", "cow-mid"):
        assert name in sources
    bib, keys = nato.provenance.bibtex()
    assert "leeds2002atop" in keys and bib.count("@") >= len(sources)
    assert nato.to_dict()["key_figures"]["members_end"] == 29


def test_unknown_alliance_and_backward_years(built_warehouse: Path) -> None:
    with pytest.raises(FoedusError, match="unknown alliance"):
        assess_alliance("NATOO-XYZ", 1990, 2000, warehouse=built_warehouse)
    with pytest.raises(FoedusError, match="backwards"):
        assess_alliance("NATO", 2000, 1990, warehouse=built_warehouse)


def test_us_japan_dyad(built_warehouse: Path) -> None:
    d = assess_dyad("USA", "JPN", 1990, 2018, warehouse=built_warehouse, engagement=False)
    assert d.timeline.height == 29
    assert "Treaty of Mutual Cooperation and Security" in d.alliances["name"][0]
    row = d.timeline.filter(pl.col("year") == 2000).row(0, named=True)
    assert row["cinc_pooled"] == pytest.approx(row["cinc_a"] + row["cinc_b"])
    assert "defense" in row["obligations_ab"]
    assert d.key_figures()["gml_onsets"] == 0


def test_portfolio_of_poland(built_warehouse: Path) -> None:
    p = assess_portfolio("POL", 1995, 2005, warehouse=built_warehouse, engagement=False)
    y = {r["year"]: r for r in p.years.iter_rows(named=True)}
    assert y[2003]["defenders"] >= 25 > y[1995]["defenders"]
    assert "North Atlantic Treaty Organization" in set(
        p.alliances.filter(pl.col("year") == 2003)["name"]
    )


def test_amisom_mission(built_warehouse: Path) -> None:
    m = assess_mission("amisom", warehouse=built_warehouse)
    assert (m.host, m.organisation, m.start, m.end) == ("Somalia", "Regional", 2007, 2016)
    assert m.contributors is None and any("no contributor" in n for n in m.notes)
    assert m.years.filter(pl.col("year") == 2015)["troops_max"].item() > 20000
    with pytest.raises(FoedusError, match="no peace operation"):
        assess_mission("AMISOMX", warehouse=built_warehouse)
