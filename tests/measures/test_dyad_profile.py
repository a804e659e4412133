"""``dyad_profile`` and ``foedus dyad`` on the real data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from foedus.errors import FoedusError, UnknownStateError
from foedus.measures.dyad_profile import dyad_profile, resolve_state

runner = CliRunner()


@pytest.fixture(scope="module")
def usa_jpn(built_warehouse: Path) -> dict[str, Any]:
    return dyad_profile("USA", "JPN", warehouse=built_warehouse)


def _year(profile: dict[str, Any], year: int) -> dict[str, Any]:
    return next(r for r in profile["timeline"] if r["year"] == year)


def test_states_and_default_years(usa_jpn: dict[str, Any]) -> None:
    assert usa_jpn["a"] == {"ccode": 2, "abb": "USA", "name": "United States of America"}
    assert usa_jpn["b"]["ccode"] == 740
    assert usa_jpn["years"] == [1860, 2024]  # Japan enters the COW system in 1860
    assert usa_jpn["us_pair"] is True
    assert len(usa_jpn["timeline"]) == 2024 - 1860 + 1


def test_the_alliance_from_1951_and_1960(usa_jpn: dict[str, Any]) -> None:
    runs = {r["atopid"]: r for r in usa_jpn["alliances"]}
    assert runs[3220]["first_year"] == 1951 and runs[3220]["last_year"] == 1960
    assert runs[3375]["first_year"] == 1960 and runs[3375]["last_year"] == 2024
    assert "defense" in runs[3375]["obligations_a"]  # the US pledges to defend Japan…
    assert "defense" not in runs[3375]["obligations_b"]  # …Japan does not pledge back
    y1951 = _year(usa_jpn, 1951)
    assert y1951["in_system"] is False  # occupied Japan: outside the COW system until 1952
    assert "defense" in y1951["obligations_ab"]
    assert y1951["obligations_ba"] == ["consul"]
    assert _year(usa_jpn, 1950)["obligations_ab"] == []
    assert _year(usa_jpn, 2020)["atop_basis"] == "atop-carried-forward"
    assert usa_jpn["summary"]["alliance"]["defense_years"] >= 2024 - 1951 + 1


def test_us_troops_and_arms_deliveries(usa_jpn: dict[str, Any]) -> None:
    assert _year(usa_jpn, 2000)["us_troops"] == 40_159  # hand-checked in docs/instruments.md
    assert _year(usa_jpn, 1990)["us_troops"] == 46_593
    summary = usa_jpn["summary"]
    assert summary["us_troops"]["years"] == 2024 - 1950 + 1
    arms = summary["arms"]
    assert arms["covered"] == [1950, 2024]
    assert arms["a_to_b"]["tiv"] > 50_000 and arms["a_to_b"]["first"] == 1952
    assert arms["b_to_a"]["tiv"] < arms["a_to_b"]["tiv"]
    assert _year(usa_jpn, 1960)["arms_tiv_ab"] > 0


def test_coverage_is_explicit(usa_jpn: dict[str, Any]) -> None:
    y1940, y2015 = _year(usa_jpn, 1940), _year(usa_jpn, 2015)
    assert y1940["arms_tiv_ab"] is None  # before SIPRI's register
    assert y2015["dca_active"] is None and y2015["jme_joint"] is None  # after DCAD/JME
    assert _year(usa_jpn, 2000)["dca_active"] == 1
    assert usa_jpn["summary"]["dca"]["covered"] == [1980, 2010]


def test_disputes_similarity_and_engagement(usa_jpn: dict[str, Any]) -> None:
    war = _year(usa_jpn, 1943)
    assert war["gml_ongoing"] == 1 and war["gml_hostlev"] == 5  # the Pacific War (MID 258)
    assert usa_jpn["summary"]["disputes"]["gml"]["last"] == 1945
    assert _year(usa_jpn, 2000)["s_un_val_sq"] is not None
    assert _year(usa_jpn, 2000)["idealpointdist"] is not None
    eng = usa_jpn["summary"]["engagement"]
    assert eng["covered"] == [1860, 2024]
    y2000 = _year(usa_jpn, 2000)
    assert y2000["engagement"] > 2.0 and y2000["engagement_percentile"] > 99
    assert y2000["engagement_lo"] <= y2000["engagement"] <= y2000["engagement_hi"]
    assert y2000["engagement_instruments"].startswith("alliance,arms,dca,exercises")
    assert usa_jpn["engagement_model"]["method"] == "factor"
    json.dumps(usa_jpn)  # JSON-ready


def test_resolution_by_code_and_name(built_warehouse: Path) -> None:
    p = dyad_profile(740, "United States", years=(2000, 2002), warehouse=built_warehouse,
                     engagement=False)  # fmt: skip
    assert (p["a"]["abb"], p["b"]["abb"]) == ("JPN", "USA")
    assert [r["year"] for r in p["timeline"]] == [2000, 2001, 2002]
    assert p["timeline"][0]["arms_tiv_ba"] > 0  # US → Japan is now b → a
    assert p["timeline"][0]["us_troops"] == 40_159
    assert "engagement" not in p["timeline"][0]
    assert resolve_state("jpn", warehouse=built_warehouse)["first_year"] == 1860


def test_unknown_state_suggests_close_matches(built_warehouse: Path) -> None:
    with pytest.raises(UnknownStateError) as info:
        dyad_profile("USA", "Japn", warehouse=built_warehouse)
    assert "JPN (740)" in (info.value.fix or "")
    with pytest.raises(FoedusError, match="same state"):
        dyad_profile("USA", 2, warehouse=built_warehouse, engagement=False)


def _app() -> typer.Typer:
    from foedus.cli import app

    return app


def test_cli_json_and_table(built_warehouse: Path) -> None:
    app = _app()
    result = runner.invoke(app, ["dyad", "USA", "JPN", "--from", "1950", "--to", "1961",
                                 "--json", "-w", str(built_warehouse)])  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["years"] == [1950, 1961]
    assert doc["alliances"][0]["atopid"] == 3220
    result = runner.invoke(app, ["dyad", "USA", "JPN", "--to", "1961", "--no-engagement",
                                 "-w", str(built_warehouse)], env={"COLUMNS": "200"})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Japan (JPN, 740), 1860–1961" in result.stdout
    assert "Security Treaty between the United States and Japan (1951)" in result.stdout
    assert "1951*" in result.stdout  # Japan outside the system
    assert "1863" in result.stdout and "1900" not in result.stdout  # only active years


def test_cli_unknown_state_exits_2(built_warehouse: Path) -> None:
    result = runner.invoke(_app(), ["dyad", "USA", "Japn", "--json", "-w", str(built_warehouse)])
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["error"] == "UnknownStateError" and "JPN (740)" in doc["fix"]


def test_cli_missing_warehouse(tmp_path: Path) -> None:
    result = runner.invoke(_app(), ["dyad", "USA", "JPN", "--json", "-w",
                                    str(tmp_path / "none.duckdb")])  # fmt: skip
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"] == "MissingDataError"


def test_every_option_is_documented() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs"
    text = "\n".join(p.read_text() for p in sorted(docs.glob("cli*.md")))
    command = typer.main.get_command(_app())
    for name, sub in command.commands.items():  # type: ignore[attr-defined]
        assert f"foedus {name}" in text
        for param in sub.params:
            for opt in [*param.opts, *getattr(param, "secondary_opts", [])]:
                if opt.startswith("--") and opt != "--help":
                    assert opt in text, f"{opt} of `foedus {name}` is not in docs/cli*.md"


def test_a_kept_profile_equals_a_fresh_one(usa_jpn: dict[str, Any], built_warehouse: Path) -> None:
    import json as _json

    from foedus import _kept
    from foedus.measures.dyad_profile import _build_profile, _open

    _kept._MEMO.clear()  # read back from the snapshot folder, as a new process does
    kept = dyad_profile("USA", "JPN", warehouse=built_warehouse)
    fresh = _build_profile("USA", "JPN", years=None, wh=_open(built_warehouse), engagement=True,
                           bootstrap=100, seed=0)  # fmt: skip
    assert kept == usa_jpn == _json.loads(_json.dumps(fresh, default=str))
    answers = built_warehouse.with_name(built_warehouse.name + ".cache") / "answers"
    assert list(answers.glob("dyad-profile-*.json.gz"))
