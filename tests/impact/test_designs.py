"""The impact designs on the shared data, the reliability coding, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from foedus.cli import app
from foedus.impact.reliability import honouring_cases, honouring_rates

runner = CliRunner()


def _members(rows: list[tuple[int, int, str]]) -> pl.DataFrame:
    """ATOP member rows (atopid, member, obligation) in force from 1900."""
    cols = ("defense", "offense", "neutral", "nonagg")
    return pl.DataFrame([
        {"atopid": a, "member": m, "yrent": 1900, "yrexit": 0, "defcon": 0, "offcon": 0,
         "neucon": 0, **{c: int(c == ob) for c in cols}} for a, m, ob in rows
    ])


def test_honouring_coding_by_obligation() -> None:
    # dispute 1: 2 (side A, initiator) attacks 200 (side B); 220 joins 200, 230 joins 2.
    parts = pl.DataFrame({"dispnum": [1] * 4, "ccode": [2, 200, 220, 230],
                          "sidea": [1, 0, 0, 1], "orig": [1, 1, 0, 0]})
    disp = pl.DataFrame({"dispnum": [1], "styear": [1914], "hostlev": [5]})
    members = _members([
        (1, 200, "defense"), (1, 220, "defense"),  # 220 defends 200: honoured
        (2, 200, "defense"), (2, 240, "defense"),  # 240 stays out: not honoured
        (3, 200, "neutral"), (3, 230, "neutral"),  # 230 joins against 200: violated
        (4, 2, "offense"), (4, 250, "offense"),  # 250 does not join the attacker: not honoured
        (5, 2, "defense"), (5, 260, "defense"),  # 2 is the initiator: defence not invoked
    ])
    cases = honouring_cases(parts, disp, members)
    got = {(r["ally"], r["partner"], r["type"]): r["honoured"] for r in cases.to_dicts()}
    assert got[(220, 200, "defence")] == 1
    assert got[(240, 200, "defence")] == 0
    assert got[(230, 200, "neutrality")] == 0
    assert (200, 230, "neutrality") not in got  # 230 joined: only originators invoke duties
    assert got[(250, 2, "offence")] == 0
    assert (260, 2, "defence") not in got and (2, 260, "defence") not in got
    assert all(cases["war"])
    rates = {r["type"]: r for r in honouring_rates(cases, ("type",), draws=99)}
    assert (rates["defence"]["cases"], rates["defence"]["honoured"]) == (2, 1)


def test_honouring_rates_on_shared_data(built_warehouse: Path) -> None:
    from foedus.impact.designs import run_design

    result = run_design("honouring-rates", built_warehouse)
    # alliance-war-member coding on the COW wars, ATOP 5.1 (docs/impact.md)
    period = {r["period"]: r for r in result.tables["by_period_war"]}
    assert (period["1816-1944"]["cases"], period["1816-1944"]["honoured"]) == (80, 48)
    assert (period["1945-2003"]["cases"], period["1945-2003"]["honoured"]) == (247, 40)
    overall = result.tables["overall_war"][0]
    assert (overall["cases"], overall["honoured"]) == (327, 88)
    level = {r["type"]: r for r in result.tables["by_type_alliance_level_war"]}
    assert (level["defence"]["cases"], level["defence"]["honoured"]) == (41, 8)
    assert overall["wilson_low"] < overall["rate"] < overall["wilson_high"]
    relevance = {r["type"]: r for r in result.tables["relevance_war"]}
    assert relevance["consultation"]["applies"] == 0
    assert relevance["defence"]["cannot_be_judged"] > 0
    eras = {r["era"] for r in result.tables["by_type_era"]}
    assert eras == {"1816-1944", "1945-1989", "1990-2014"}
    assert "ALLIANCE-WAR-MEMBER CODING" in " ".join(result.specification)
    unconditional = run_design("honouring-rates", built_warehouse, coding="unconditional")
    assert "UNCONDITIONAL CODING" in " ".join(unconditional.specification)
    assert "relevance_war" not in unconditional.tables
    u = {r["type"]: r for r in unconditional.tables["by_type_war"]}
    r = {r["type"]: r for r in result.tables["by_type_war"]}
    assert u["defence"]["cases"] > r["defence"]["cases"]


def test_cli_list_and_errors(built_warehouse: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["impact", "list", "--json"])
    assert res.exit_code == 0, res.output
    names = {d["name"] for d in json.loads(res.stdout)["designs"]}
    assert {"dca-alignment", "exercises-formation", "arms-alignment", "honouring-rates",
            "member-exit"} <= names
    wh = ["--warehouse", str(built_warehouse)]
    bad = runner.invoke(app, ["impact", "run", "nope", "--json", *wh])
    assert bad.exit_code == 2 and "dca-alignment" in json.loads(bad.stdout)["fix"]
    out = runner.invoke(app, ["impact", "run", "dca-alignment", "--years", "2015-2020",
                              "--json", *wh])
    doc = json.loads(out.stdout)
    assert out.exit_code == 2 and doc["error"] == "OutsideCoverageError"
    assert "1980-2010" in doc["what"]
    target = tmp_path / "r.xlsx"
    ext = runner.invoke(app, ["impact", "run", "member-exit", "-o", str(target), *wh])
    assert ext.exit_code == 2 and not target.exists()
    wrong = runner.invoke(app, ["impact", "run", "dca-alignment", "--treatment", "us-troops",
                                "--json", *wh])
    assert wrong.exit_code == 2
    coding = runner.invoke(app, ["impact", "run", "member-exit", "--coding", "relevance",
                                 "--json", *wh])
    assert coding.exit_code == 2 and "--coding" in json.loads(coding.stdout)["what"]
    bad_coding = runner.invoke(app, ["impact", "run", "honouring-rates", "--coding", "loose",
                                     "--json", *wh])
    assert bad_coding.exit_code == 2 and "unconditional" in json.loads(bad_coding.stdout)["fix"]


def test_cli_honouring_json_and_csv(built_warehouse: Path, tmp_path: Path) -> None:
    target = tmp_path / "rates.csv"
    res = runner.invoke(app, ["impact", "run", "honouring-rates", "--years", "1816-1944",
                              "--json", "-o", str(target), "--warehouse", str(built_warehouse)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["design"] == "honouring-rates" and doc["estimates"]
    assert all(r["era"] == "1816-1944" for r in doc["tables"]["by_type_era"])
    table = pl.read_csv(target)
    assert {"part", "outcome", "estimate", "ci_low", "ci_high", "n"} <= set(table.columns)
    assert not list(tmp_path.glob("*.partial"))
