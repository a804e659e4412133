"""The alliance commands on a fresh Typer app: JSON documents, human tables, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from foedus.alliances.curated import COLUMNS

runner = CliRunner()


def _app() -> typer.Typer:
    from foedus.cli import app

    return app


APP = _app()


def _run(*args: str) -> Any:
    return runner.invoke(APP, list(args))


def _leaves() -> list[tuple[str, Any]]:
    from tests.conftest import cli_leaves

    return cli_leaves({"alliances", "alliance", "defend"})


def test_every_command_takes_json() -> None:
    names = {name for name, _ in _leaves()}
    assert names == {"alliances", "defend", "alliance show", "alliance names", "alliance curated"}
    for name, cmd in _leaves():
        assert any("--json" in p.opts for p in cmd.params), name


def test_alliances_json(wh_path: Path) -> None:
    result = _run("alliances", "--state", "JPN", "--year", "2010", "--json",
                  "--warehouse", str(wh_path))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["state"] == {"ccode": 740, "abb": "JPN", "name": "Japan"}
    ids = [r["alliance_id"] for r in doc["alliances"]]
    assert "3375" in ids
    assert "atop_member" in doc["sources"]


def test_alliances_human(wh_path: Path) -> None:
    result = _run("alliances", "--state", "Japan", "--year", "2010", "-w", str(wh_path))
    assert result.exit_code == 0, result.output
    assert "3375" in result.stdout and "alliances" in result.stderr


def test_alliance_show_json(wh_path: Path) -> None:
    result = _run("alliance", "show", "NATO", "--year", "2018", "--json", "-w", str(wh_path))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)["alliance"]
    assert doc["atopid"] == 3180 and len({m["ccode"] for m in doc["members"]}) == 29
    assert doc["phases"][0]["provisions"][0]["variable"] == "intcom"


def test_alliance_show_human(wh_path: Path) -> None:
    result = _run("alliance", "show", "Rio Pact", "-w", str(wh_path))
    assert result.exit_code == 0, result.output
    assert "Inter-American Treaty of Reciprocal Assistance" in result.stdout


def test_alliance_names() -> None:
    result = _run("alliance", "names", "--json")
    assert result.exit_code == 0
    names = {n["atopid"]: n for n in json.loads(result.stdout)["names"]}
    assert "NATO" in names[3180]["aliases"]


def test_defend_json(wh_path: Path) -> None:
    result = _run("defend", "JPN", "--year", "2010", "--attacker", "PRK", "--location", "JPN",
                  "--json", "-w", str(wh_path))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["responders"] == [2] and doc["location"] == "JPN (740)"
    assert doc["curated_version"] == "2026.11.1"


def test_defend_human(wh_path: Path) -> None:
    result = _run("defend", "GMY", "--year", "1914", "-a", "FRN", "-a", "RUS", "--unprovoked",
                  "-w", str(wh_path))
    assert result.exit_code == 0, result.output
    assert "Defence obligations toward the target" in result.stdout
    assert "escalation tree" in result.stdout and "Coalition capability" in result.stdout


@pytest.mark.parametrize(("args", "needle"), [
    (("defend", "Japn", "--year", "2010"), "JPN"),
    (("defend", "JPN", "--year", "1700"), "ATOP 5.1 covers 1815–2018"),
    (("alliance", "show", "NATOO"), "NATO"),
    (("alliances", "--state", "JPN", "--year", "2200"), "ATOP 5.1 covers"),
])  # fmt: skip
def test_errors_exit_2_with_json(wh_path: Path, args: tuple[str, ...], needle: str) -> None:
    result = _run(*args, "--json", "-w", str(wh_path))
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert needle in (doc["fix"] or "") + doc["what"]
    assert "error:" in result.stderr


def test_alliance_curated_rejects_contradictions(tmp_path: Path, wh_path: Path) -> None:
    path = tmp_path / "mine.csv"
    row = "U{n},t,,T,BOL;PAR,signed,{d},defense,,https://example.org,test,"
    path.write_text(",".join(COLUMNS) + "\n" + row.format(n=1, d="2020-01-01") + "\n"
                    + row.format(n=2, d="2020-02-01") + "\n", encoding="utf-8")
    result = _run("alliance", "curated", "--file", str(path), "--json", "-w", str(wh_path))
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["error"] == "ContradictoryRowsError" and "row 2 (line 3)" in doc["what"]


def test_alliance_curated_lists_facts(wh_path: Path) -> None:
    result = _run("alliance", "curated", "--json", "-w", str(wh_path))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["checked_against_warehouse"] is True
    assert {f["fact_id"] for f in doc["facts"]} >= {"F001", "F007", "F013"}
