"""Non-state conflict counts match UCDP's own regions; the legal basis matches ATOP's file."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import polars as pl

from foedus.regions.law import LEGAL_CODES, law_summary, legal_basis
from foedus.regions.nonstate import cow_war_years, nonstate_region_years
from foedus.sources.formats import parse_file
from tests.conftest import shared_file

_UCDP_REGIONS = {"1": "ucdp:europe", "2": "ucdp:middle-east", "3": "ucdp:asia",
                 "4": "ucdp:africa", "5": "ucdp:americas"}


def test_nonstate_region_year_counts_match_the_ucdp_file() -> None:
    path = shared_file("ucdp/Nonstate_v23_1.csv")
    expected: dict[tuple[str, int], set[int]] = defaultdict(set)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for code in row["region"].split(","):
                expected[(_UCDP_REGIONS[code.strip()], int(row["year"]))].add(int(row["conflict_id"]))
    _, table = parse_file(path)
    ours = nonstate_region_years(table, "ucdp")
    got = {(r, y): n for r, y, n in ours.select("region", "year", "conflicts").iter_rows()}
    assert got == {k: len(v) for k, v in expected.items()}
    assert sum(got.values()) > 1000  # 1989-2022, every region-year with fighting


def test_nonstate_fatalities_add_up_for_single_country_dyads() -> None:
    _, table = parse_file(shared_file("ucdp/Nonstate_v23_1.csv"))
    single = table.filter(~pl.col("gwno_location").str.contains(","))
    africa = nonstate_region_years(single, "ucdp").filter(pl.col("region") == "ucdp:africa")
    assert africa["fatalities_best"].sum() == single.filter(pl.col("region") == "4")[
        "best_fatality_estimate"].sum()


def test_cow_wars_years() -> None:
    _, intra = parse_file(shared_file("cow/INTRA-STATE WARS v5.1 CSV.csv"))
    _, nonstate = parse_file(shared_file("cow/Non-StateWarData_v4.0.csv"))
    assert intra.height == 420 and nonstate.height == 62
    years = cow_war_years(nonstate, intra)
    first = years.filter(pl.col("warnum") == 500.0)  # First Caucasus War, 1818-1822
    assert first["year"].to_list() == [1818, 1819, 1820, 1821, 1822]
    assert set(years["kind"]) == {"non-state", "intra-state"}
    assert years["region"].null_count() == 0


def test_legal_basis_and_summary_against_atop() -> None:
    path = shared_file("atop/atop5_1a.csv")
    _, alliances = parse_file(path)
    nato = {c["variable"]: c for c in legal_basis(alliances, 3180)["codes"]}
    assert nato["reflnun"]["code"] == 2 and nato["reflnun"]["meaning"] == "references the United Nations"
    assert nato["pubsecr"]["meaning"] == "public"
    # every value in the data has a codebook meaning
    for variable, code in LEGAL_CODES.items():
        for value in alliances[variable].drop_nulls().unique().to_list():
            assert "not in the codebook" not in code.label(value), (variable, value)
    summary = law_summary(alliances, 1945, 1989, by="decade")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if 1945 <= int(r["begyr"]) <= 1989]
    totals = summary.filter(pl.col("variable") == "total")["alliances"].sum()
    assert totals == len(rows)
    un = summary.filter((pl.col("variable") == "reflnun") & (pl.col("code") == 2))["alliances"].sum()
    assert un == sum(1 for r in rows if r["reflnun"] == "2")


def test_cli_nonstate_and_law(built_warehouse: Path) -> None:
    import json

    from typer.testing import CliRunner

    from foedus.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["nonstate", "regions", "--from", "2000", "--to", "2001",
                              "--json", "-w", str(built_warehouse)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["sources"][0]["source"] == "ucdp-nonstate"
    res = runner.invoke(app, ["law", "summary", "--from", "1990", "--to", "1999", "--json",
                              "-w", str(built_warehouse)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["sources"][0]["file"] == "atop5_1a.csv"
    assert doc["peacekeeping_by_organisation"]
    res = runner.invoke(app, ["law", "summary", "-o", "x.txt", "-w", str(built_warehouse)])
    assert res.exit_code == 2
