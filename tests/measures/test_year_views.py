"""One year of the alliance system from the library, the CLI and the API: the network's default
ties are defence obligations, and NATO and the Warsaw Pact are separate blocs 1955–1990."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import foedus
from foedus.cli import app
from foedus.measures.year_views import YearInputs, network_of_year

NATO = ("USA", "UKG", "FRN", "ITA", "CAN")
WARSAW = ("RUS", "POL", "HUN", "CZE", "ROM", "BUL")


@pytest.fixture(scope="module")
def inputs(built_warehouse: Path) -> YearInputs:
    return YearInputs(built_warehouse)


@pytest.mark.parametrize("year", [1955, 1962, 1968, 1975, 1982, 1989, 1990])
def test_nato_and_the_warsaw_pact_are_separate_blocs(inputs: YearInputs, year: int) -> None:
    net = network_of_year(year, inputs=inputs)
    bloc = {n["abbreviation"]: n["bloc"] for n in net["nodes"]}
    west = {bloc[s] for s in NATO}
    east = {bloc[s] for s in WARSAW}
    assert None not in west | east
    assert west.isdisjoint(east), (year, west, east)
    assert net["obligations"] == ["defense"]


def test_helsinki_pledge_joins_the_blocs_only_with_every_obligation(inputs: YearInputs) -> None:
    every = network_of_year(1989, ["defense", "offense", "neutral", "nonagg", "consul"], inputs=inputs)
    bloc = {n["abbreviation"]: n["bloc"] for n in every["nodes"]}
    assert bloc["USA"] == bloc["RUS"]  # ATOP 3740 (Helsinki): non-aggression and consultation


def test_edges_name_their_alliances_and_blocs_have_a_legend(inputs: YearInputs) -> None:
    net = network_of_year(1989, inputs=inputs)
    usa_uk = next(e for e in net["edges"] if (e["source"], e["target"]) == (2, 200))
    assert [a["name"] for a in usa_uk["alliances"]] == ["North Atlantic Treaty Organization"]
    legend = {b["bloc"]: b for b in net["blocs"]}
    usa = next(n for n in net["nodes"] if n["ccode"] == 2)
    assert "USA" in legend[usa["bloc"]]["leading"]
    assert sum(b["size"] for b in net["blocs"]) == sum(n["bloc"] is not None for n in net["nodes"])


def test_cli_network_lists_every_state_with_its_bloc(built_warehouse: Path, inputs: YearInputs) -> None:
    result = CliRunner().invoke(app, ["network", "--year", "1989", "--json", "--warehouse",
                                      str(built_warehouse)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    members = foedus.state_years("cow", years=1989, warehouse=built_warehouse).df["ccode"]
    assert sorted(n["ccode"] for n in doc["nodes"]) == sorted(members.to_list())
    bloc = {n["abbreviation"]: n["bloc"] for n in doc["nodes"]}
    assert bloc["USA"] != bloc["RUS"]
    # the same numbers as the library (and the API, which serves network_of_year)
    lib = json.loads(json.dumps(network_of_year(1989, inputs=inputs), default=str))
    assert doc["nodes"] == lib["nodes"] and doc["metrics"] == lib["metrics"]
