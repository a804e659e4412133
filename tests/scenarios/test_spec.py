"""Scenario files: parsing, and every malformed-input error with its line or key path."""

from __future__ import annotations

import pytest

from foedus.errors import ScenarioFileError
from foedus.scenarios.params import load_table
from foedus.scenarios.spec import load_scenario, parse_scenario

GOOD = """
format = 1
name = "t"
year = 2010
seed = 3
[[pact]]
id = "p"
members = ["USA", "IND"]
conditions = ["defconpr"]
[attack]
attackers = ["CHN"]
target = "IND"
provoked = false
[participation]
USA = 0.5
"""


def test_good_file() -> None:
    s = parse_scenario(GOOD)
    assert s.pacts[0].obligations == ("defense",)
    assert s.pacts[0].conditions == ("defconpr",)
    assert s.attack is not None and s.attack.provoked is False
    assert s.participation == {"USA": 0.5}
    assert s.changes_alliances


def test_json_body_is_accepted() -> None:
    s = parse_scenario('{"format": 1, "year": 2000, "attack": {"attackers": ["IRQ"], '
                       '"target": "KUW"}}')
    assert s.attack is not None and s.attack.target == "KUW"


@pytest.mark.parametrize(("text", "where", "what"), [
    ("format = 1\nyear = 2010\n[attack\n", "line 3", "malformed TOML"),
    ("year = 2010", "format", "'format' is missing"),
    ("format = 2\nyear = 2010", "format", "unsupported format"),
    ("format = 1\nyear = 1700", "year", "out of range"),
    ("format = 1\nyear = 2990", "year", "out of range"),
    ("format = 1\nyear = 2010\ncolour = 1", "colour", "unknown key"),
    ("format = 1\nyear = 2010\n[[pact]]\nid = 'x'\nmembers = ['USA']", "pact[0].members",
     "at least 2"),
    ("format = 1\nyear = 2010\n[[pact]]\nid = 'x'\nmembers = ['USA', 'JPN']\n"
     "obligations = ['attack']", "pact[0].obligations[0]", "unknown value"),
    ("format = 1\nyear = 2010\n[[pact]]\nid = 'x'\nmembers = ['USA', 'JPN']\n"
     "conditions = ['offcoadv']", "pact[0].conditions[0]", "offense"),
    ("format = 1\nyear = 2010\n[attack]\nattackers = ['RUS']\ntarget = 'RUS'",
     "attack.target", "both target and attacker"),
    ("format = 1\nyear = 2010\n[participation]\nUSA = 1.5", "participation.USA",
     "not a probability"),
    ("format = 1\nyear = 2010\n[[instrument]]\nkind = 'parade'\nstates = ['USA', 'JPN']",
     "instrument[0].kind", "unknown instrument"),
    ("format = 1\nyear = 2010\n[[exit]]\nstate = 'USA'", "exit[0].alliance", "missing"),
    ("format = 1\nyear = 2010\n[[condition]]\nalliance = 'NATO'", "condition[0]", "needs"),
    ("format = 1\nyear = 2010\ndraws = 0", "draws", "out of range"),
    ('{"format": 1, "year": }', "line 1", "malformed JSON"),
])
def test_errors_name_the_place(text: str, where: str, what: str) -> None:
    with pytest.raises(ScenarioFileError) as info:
        parse_scenario(text, source="s.toml")
    assert where in (info.value.where or ""), info.value
    assert what in info.value.what
    assert info.value.fix


def test_missing_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioFileError, match="not found"):
        load_scenario(tmp_path / "none.toml")


def test_parameter_table_formula_and_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    t = load_table()
    # post-1945 defence: 0.22 * 0.41 / 0.50
    assert t.probability("defense", 2000, "unconditional", "in force") == pytest.approx(0.1804)
    assert t.probability("defense", 2000, "cannot be judged", "signed") == pytest.approx(
        0.1804 * 0.25)
    assert t.probability("defense", 1900, "met", "in force") == pytest.approx(0.66 * 0.41 / 0.5)
    assert t.probability("defense", 2000, "unmet", "in force") == 0.0
    assert t.probability("defense", 2000, "met", "suspended") == 0.0
    assert t.probability("consul", 2000, "met", "in force") == 0.0
    bad = tmp_path / "bad.csv"
    bad.write_text("key,value,low,high,interval,source,note\ncorrelation,1.4,0,1,a,a,a\n")
    with pytest.raises(ScenarioFileError, match="outside"):
        load_table(bad)
    short = tmp_path / "short.csv"
    short.write_text("key,value,low,high,interval,source,note\ncorrelation,0.4,0,1,a,a,a\n")
    with pytest.raises(ScenarioFileError, match="lacks keys"):
        load_table(short)
