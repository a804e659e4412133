"""The recipes on the real shared data (a warehouse imported from ../shared/data), and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import typer
from typer.testing import CliRunner

from foedus.models import recipes

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def warehouse(built_warehouse: Path) -> Any:
    from foedus.warehouse import Warehouse

    wh = Warehouse(built_warehouse, read_only=True)
    yield wh
    wh.close()


@pytest.fixture(scope="module")
def bremer(warehouse: Any) -> recipes.RecipeResult:
    return recipes.dangerous_dyads(warehouse)


@pytest.fixture(scope="module")
def deterrence(warehouse: Any) -> recipes.RecipeResult:
    return recipes.alliance_deterrence(warehouse)


@pytest.fixture(scope="module")
def engagement(warehouse: Any) -> recipes.RecipeResult:
    return recipes.engagement_conflict(warehouse)


def _common(res: recipes.RecipeResult, terms: list[str]) -> None:
    assert res.n > 0 and res.model.n_events > 0 and res.model.n_clusters
    assert list(res.model.terms) == [
        "const",
        *terms,
        "gmlmidspell",
        "gmlmidspell^2",
        "gmlmidspell^3",
    ]
    assert res.model.coefficients["std_error"].is_finite().all()
    assert res.sample_definition and f"N = {res.n:,}" in res.sample_definition
    assert res.model.sample == res.sample_definition
    doc = json.loads(json.dumps(res.to_dict()))
    assert doc["n"] == res.n and doc["model"]["coefficients"][0]["term"] == "const"
    print(f"\n{res.name}: N = {res.n:,}\n{res.comparison()}")


def test_dangerous_dyads(bremer: recipes.RecipeResult) -> None:
    _common(bremer, ["landcontig", "cowmajdyad", "atop_defense", "caprat", "minmilit"])
    assert "politically relevant" in bremer.sample_definition
    assert "1816–2010" in bremer.sample_definition
    assert bremer.model.outcome == "gmlmidonset"
    assert any("democracy" in k for k in bremer.unavailable)
    assert any("GDP" in k for k in bremer.unavailable)
    # what the data give: contiguity raises onset, preponderance lowers it (Bremer's direction)
    assert bremer.model.coefficient("landcontig")["estimate"] > 0
    assert bremer.model.coefficient("caprat")["estimate"] < 0
    assert {"cow-states", "cow-contiguity", "cow-majors", "gml-mid", "nmc", "atop"} == set(
        bremer.sources
    )


def test_deterrence_reports_the_target_defence_sign(deterrence: recipes.RecipeResult) -> None:
    terms = ["target_defense", "challenger_offense", "challenger_neutral", "allied", "capshare",
             "landcontig", "cowmaj1", "cowmaj2"]  # fmt: skip
    _common(deterrence, terms)
    assert deterrence.model.outcome == "initiation"
    assert "directed" in deterrence.sample_definition
    assert "joint democracy" in deterrence.unavailable
    row = deterrence.comparison().row(0, named=True)
    assert row["term"] == "target_defense"
    assert "Leeds (2003" in row["published"] and "Johnson & Leeds (2011" in row["published"]
    finding = deterrence.finding("target_defense")
    print(finding)
    # What the shared data give (ATOP 5.1, GML MID 2.2.1, politically relevant directed dyads
    # 1816-2010): a positive, significant coefficient, unlike the negative one Leeds (2003) and
    # Johnson & Leeds (2011) report (see docs/models.md for why).
    assert row["sign"] == "+" and row["significant"] and row["agrees"] is False
    assert "differs" in finding
    # the challenger's offensive and neutrality commitments go with initiation, as Leeds found
    assert deterrence.comparison()["agrees"].to_list()[1:] == [True, True]


def test_third_party_commitments_on_a_known_case(warehouse: Any) -> None:
    import foedus

    frame = foedus.dyad_years("cow", directed=True, years=2000, warehouse=warehouse)
    ddy, _ = frame.add_atop_alliance()._atop_obligations()
    out = recipes.third_party_commitments(frame.df, ddy)
    poland = out.filter(pl.col("ccode2") == 290).select("ccode1", "target_defense_n")
    counts = dict(poland.rows())
    assert counts[365] == 18  # Poland's 18 NATO allies in 2000, none of them Russia
    assert counts[2] == 17  # the United States is not a third party to itself


def test_deterrence_options(warehouse: Any) -> None:
    res = recipes.alliance_deterrence(
        warehouse, years=(1946, 2010), commitments="count", substitute="idealpoint-distance"
    )
    assert "target_defense_n" in res.model.terms and "idealpointdist" in res.model.terms
    assert (
        "idealpointdist" in res.variables
        and "substitute used" in res.unavailable["joint democracy"]
    )
    with pytest.raises(recipes.FoedusError, match="unknown substitute"):
        recipes.alliance_deterrence(warehouse, substitute="polity")


def test_engagement_conflict(engagement: recipes.RecipeResult) -> None:
    _common(engagement, ["dca_active", "jme_joint", "log_arms", "landcontig", "cowmajdyad",
                         "atop_defense", "caprat", "minmilit"])  # fmt: skip
    assert "1980–2010" in engagement.sample_definition
    assert engagement.model.results.model.exog.shape[0] == engagement.n
    assert {"dcad", "jme", "sipri-arms-transfers"} <= set(engagement.sources)
    if "index" in engagement.models:
        assert "engagement" in engagement.models["index"].terms
        assert engagement.comparison("index")["term"].to_list() == ["engagement"]
    else:
        assert "engagement index" in engagement.unavailable
    assert engagement.comparison()["published"].null_count() == 3  # no canonical estimate


def test_recipe_year_errors(warehouse: Any) -> None:
    with pytest.raises(recipes.FoedusError, match="outside GML MID coverage"):
        recipes.dangerous_dyads(warehouse, years=(2015, 2020))


# -- CLI on a fresh Typer app -------------------------------------------------------------------
@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    from foedus.cli import app

    return app


def test_assess_deterrence_json(cli: typer.Typer, built_warehouse: Path) -> None:
    result = CliRunner().invoke(
        cli, ["assess", "deterrence", "--json", "--warehouse", str(built_warehouse)]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["recipe"] == "deterrence" and doc["n"] > 0
    assert doc["comparison"][0]["term"] == "target_defense"
    assert [c["term"] for c in doc["model"]["coefficients"]][:2] == ["const", "target_defense"]
    assert doc["sample_definition"]


def test_assess_dangerous_dyads_text(cli: typer.Typer, built_warehouse: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "assess",
            "dangerous-dyads",
            "--from",
            "1900",
            "--to",
            "1950",
            "--alliance",
            "any",
            "--warehouse",
            str(built_warehouse),
        ],  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    for text in ("Sample:", "N = ", "atop_alliance", "landcontig", "Unavailable", "1900–1950"):
        assert text in result.stdout


def test_assess_engagement_json_without_index(cli: typer.Typer, built_warehouse: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "assess",
            "engagement",
            "--no-index",
            "--sample",
            "all",
            "--family",
            "probit",
            "--json",
            "--warehouse",
            str(built_warehouse),
        ],  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["models"] == {} and doc["model"]["family"] == "probit"
    assert "all dyads" in doc["sample_definition"]


def test_assess_errors_exit_2_with_one_json_document(
    cli: typer.Typer, built_warehouse: Path
) -> None:
    result = CliRunner().invoke(
        cli,
        ["assess", "deterrence", "--sample", "some", "--json", "--warehouse", str(built_warehouse)],
    )
    assert result.exit_code == 2
    assert "unknown sample" in json.loads(result.stdout)["what"]


def test_every_assess_option_is_documented(cli: typer.Typer) -> None:
    text = "\n".join(p.read_text() for p in sorted(DOCS.glob("cli*.md")))
    from foedus.cli import all_commands

    group = all_commands()["assess"]
    for name, command in group.commands.items():
        assert f"foedus assess {name}" in text
        for param in command.params:
            for opt in [*param.opts, *getattr(param, "secondary_opts", [])]:
                if opt.startswith("--") and opt != "--help":
                    assert opt in text, f"option {opt} of `foedus assess {name}` is not documented"
