"""Treaty status on real data: the acceptance checks of issue 16, the CLI, the conflict report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from foedus.cli import app

runner = CliRunner()


def _cli(wh: Path, *args: str) -> Any:
    result = runner.invoke(app, [*args, "--json", "--warehouse", str(wh)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _by_abb(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["abb"]: r for r in doc["states"] if r["abb"]}


def test_npt_2010(built_warehouse: Path) -> None:
    doc = _cli(built_warehouse, "treaty", "show", "NPT", "--year", "2010")
    s = _by_abb(doc)
    assert {s[a]["status"] for a in ("IND", "PAK", "ISR")} == {"not signed"}
    assert s["PRK"]["status"] == "withdrawn" and s["PRK"]["withdrew"] == "2003-01-11"
    assert s["PRK"]["withdrawal_notified"] == "2003-01-10" and "curated" in s["PRK"]["source"]
    assert s["USA"]["status"] == "party" and s["USA"]["joined"] == "1970-03-05"
    assert doc["counts"]["party"] == 189  # UN members in the COW list, less the four outside


def test_ctbt_2024(built_warehouse: Path) -> None:
    s = _by_abb(_cli(built_warehouse, "treaty", "show", "CTBT", "--year", "2024"))
    assert s["USA"]["status"] == "signed" and s["USA"]["joined"] is None
    assert s["RUS"]["status"] == "signed" and s["RUS"]["deratified"] == "2023-11-03"
    assert s["RUS"]["joined"] == "2000-06-30"
    s2022 = _by_abb(_cli(built_warehouse, "treaty", "show", "CTBT", "--year", "2022"))
    assert s2022["RUS"]["status"] == "party"


def test_att_2021(built_warehouse: Path) -> None:
    s = _by_abb(_cli(built_warehouse, "treaty", "show", "ATT", "--year", "2021"))
    assert s["CHN"]["status"] == "party" and s["CHN"]["joined"] == "2020-07-06"
    assert s["CHN"]["joined_how"] == "accession"
    assert s["USA"]["status"] == "signed" and s["USA"]["signed"] == "2013-09-25"
    assert s["USA"]["declared_not_party"] == "2019-07-18" and s["USA"]["declared_not_party_now"]


def test_ottawa_2026_withdrawals(built_warehouse: Path) -> None:
    doc = _cli(built_warehouse, "treaty", "show", "OTTAWA", "--year", "2026")
    s = _by_abb(doc)
    withdrawn = {a: r["withdrew"] for a, r in s.items() if r["status"] == "withdrawn"}
    assert withdrawn == {"EST": "2025-12-27", "LAT": "2025-12-27", "LIT": "2025-12-27",
                         "FIN": "2026-01-10", "POL": "2026-02-20"}
    assert s["UKR"]["status"] == "party"  # no withdrawal in the data (UNTC, 3 Feb 2026)
    assert any("2026-02-03" in n for n in doc["notes"])
    s2025 = _by_abb(_cli(built_warehouse, "treaty", "show", "OTTAWA", "--year", "2025"))
    assert s2025["FIN"]["status"] == "party" and s2025["FIN"]["withdrawal_pending"]


def test_bilateral_and_ptbt(built_warehouse: Path) -> None:
    inf = _by_abb(_cli(built_warehouse, "treaty", "show", "INF", "--year", "2019"))
    assert inf["USA"]["status"] == "withdrawn" and inf["RUS"]["status"] == "ended"
    ns = _by_abb(_cli(built_warehouse, "treaty", "show", "new start", "--year", "2023"))
    assert ns["RUS"]["status"] == "party" and ns["RUS"]["suspended_now"]
    ptbt = _by_abb(_cli(built_warehouse, "treaty", "show", "PTBT", "--year", "1970"))
    assert ptbt["CHN"]["status"] == "not signed"  # GGO's CHN rows are Taiwan's deposits
    assert ptbt["TAW"]["status"] == "party" and ptbt["ETH"]["status"] == "signed"
    assert ptbt["AUL"]["joined"] == "1963-11-12"  # IEADB date, not GGO's swapped 1963-12-11
    assert ptbt["FRN"]["status"] == "not signed"


def test_unknown_treaty_lists_valid_ones(built_warehouse: Path) -> None:
    result = runner.invoke(app, ["treaty", "show", "SALT9", "--warehouse", str(built_warehouse)])
    assert result.exit_code == 2
    assert "unknown treaty 'SALT9'" in result.output and "NPT, BWC" in result.output
    assert "Traceback" not in result.output


def test_conflicts_report(built_warehouse: Path, tmp_path: Path) -> None:
    doc = _cli(built_warehouse, "data", "conflicts", "arms-control")
    rows = doc["conflicts"]
    ptbt = [r for r in rows if r["treaty"] == "PTBT"]
    swaps = [r for r in ptbt if r["kind"] == "day and month swapped"]
    aus = [r for r in swaps if r["ccode"] == 900 and r["field"] == "joined"]
    assert aus and (aus[0]["value_a"], aus[0]["value_b"]) == ("1963-11-12", "1963-12-11")
    assert aus[0]["used"] == "ieadb" and aus[0]["line_a"] and aus[0]["line_b"]
    assert len(swaps) >= 30  # manifest: 32 states differ only by swapped day and month
    rus = [r for r in rows if r["treaty"] == "CTBT" and r["ccode"] == 365 and r["field"] == "joined"]
    assert rus and rus[0]["value_a"] == "2000-06-30" and rus[0]["value_b"] is None
    out = tmp_path / "c.csv"
    res = runner.invoke(app, ["data", "conflicts", "arms-control", "-o", str(out),
                              "--warehouse", str(built_warehouse)])
    assert res.exit_code == 0 and out.read_text().startswith("treaty,ccode,name,field")
    bad = runner.invoke(app, ["data", "conflicts", "arms-control", "-o", str(tmp_path / "c.xlsx"),
                              "--warehouse", str(built_warehouse)])
    assert bad.exit_code == 2 and not (tmp_path / "c.xlsx").exists()


def test_treaty_list_and_profile(built_warehouse: Path) -> None:
    rows = _cli(built_warehouse, "treaty", "list")["treaties"]
    keys = [r["key"] for r in rows]
    assert {"NPT", "CTBT", "OTTAWA", "ABM", "JCPOA", "GENEVA1925"} <= set(keys)
    prof = _cli(built_warehouse, "arms-control", "profile", "PRK", "--year", "2010")
    npt = next(t for t in prof["treaties"] if t["treaty"] == "NPT")
    assert npt["status"] == "withdrawn"
    assert prof["nuclear"]["nuclear_status"] == 3 and prof["nuclear"]["possessing_years"][0][0] == 2006
    assert prof["nuclear"]["tests_total"] == 5  # 2006, 2009 and the doubtful three of 2010
    bad = runner.invoke(app, ["arms-control", "profile", "Narnia", "--warehouse", str(built_warehouse)])
    assert bad.exit_code == 2 and "unknown state" in bad.output


@pytest.mark.parametrize("year", [2010])
def test_extended_deterrence(built_warehouse: Path, year: int) -> None:
    doc = _cli(built_warehouse, "arms-control", "deterrence", "--year", str(year))
    rows = {r["abb"]: r for r in doc["protected"]}
    assert "USA" in rows["JPN"]["protected_by"] and rows["JPN"]["npt"] == "party"
    assert "USA" in rows["ROK"]["protected_by"] and rows["GMY"]["npt"] == "party"
    assert rows["JPN"]["tpnw"] is None  # TPNW opened in 2017
    assert set(doc["nuclear_weapon_states"]) == {"USA", "RUS", "UKG", "FRN", "CHN", "IND", "PAK",
                                                 "ISR", "PRK"}
