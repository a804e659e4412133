"""Pin the public API surface (as httpx does) and keep the docs true (as Datasette does)."""

from __future__ import annotations

import inspect
from pathlib import Path

import foedus

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_public_names_are_pinned() -> None:
    assert sorted(foedus.__all__) == sorted(
        [
            "ENRICHERS",
            "FoedusError",
            "Frame",
            "SOURCES",
            "Warehouse",
            "__version__",
            "bibtex_for",
            "dyad_years",
            "get_source",
            "parse_years",
            "state_years",
        ]
    )


FRAME_METHODS = [
    "add_dcas",
    "add_joint_exercises",
    "add_pko",
    "add_us_training",
    "add_us_troops",
    "add_us_visits",
    "add_arms_transfers",
    "add_military_expenditure",
    "add_alliance_network",
    "add_alliance_similarity",
    "add_ideal_point_distance",
    "add_ideal_points",
    "add_atop_alliance",
    "add_capital_distance",
    "add_ccode_to_gw",
    "add_contiguity",
    "add_cow_majors",
    "add_cow_mids",
    "add_gml_mids",
    "add_gwcode_to_cow",
    "add_nmc",
    "add_peace_years",
    "add_prd",
    "add_ucdp_acd",
    "citation",
    "enrich",
    "filter_prd",
    "provenance",
    "read",
    "require_cow",
    "require_dyads",
    "require_states",
    "require_warehouse",
    "sources",
    "summary",
    "to_pandas",
    "to_polars",
    "write",
    "write_csv",
    "write_dta",
    "with_data",
    "write_parquet",
    "years",
]


def test_frame_methods_are_pinned() -> None:
    public = sorted(
        n for n, v in inspect.getmembers(foedus.Frame) if not n.startswith("_") and callable(v)
    )
    assert public == sorted(FRAME_METHODS)


def test_every_public_function_is_documented_with_an_example() -> None:
    api = (DOCS / "api.md").read_text()
    for name in foedus.__all__:
        assert f"`{name}" in api, f"{name} is not in docs/api.md"
    for name in FRAME_METHODS:
        assert f"`Frame.{name}" in api, f"Frame.{name} is not in docs/api.md"
    for name in ("dyad_years", "state_years", "parse_years", "bibtex_for", "get_source"):
        doc = inspect.getdoc(getattr(foedus, name)) or ""
        assert "Example:" in doc, f"{name} has no example"


def test_every_cli_command_is_documented() -> None:
    from tests.conftest import cli_leaves

    text = "\n".join(p.read_text() for p in sorted(DOCS.glob("cli*.md")))
    for prefix, cmd in cli_leaves():
        assert f"foedus {prefix}" in text, f"`foedus {prefix}` is not in docs/cli.md"
        for param in cmd.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in text, f"option {opt} of `foedus {prefix}` is not in docs/cli.md"


def test_every_enrichment_is_documented() -> None:
    text = (DOCS / "cli.md").read_text()
    for name, spec in foedus.ENRICHERS.items():
        assert f"`{name}`" in text, f"enrichment {name} is not in docs/cli.md"
        for alias in spec.aliases:
            assert f"`{alias}`" in text, f"alias {alias} of {name} is not in docs/cli.md"


def test_readme_opens_with_two_commands_and_ci_runs_the_second() -> None:
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text().splitlines()
    assert readme[0].startswith("# ")
    start = readme.index("```bash")
    end = readme.index("```", start + 1)
    commands = [line for line in readme[start + 1 : end] if line.strip()]
    assert len(commands) == 2
    assert "foedus build" in commands[0]
    assert commands[1] in (root / ".ci" / "run").read_text()


def test_module_apis_are_pinned_and_documented() -> None:
    import importlib

    expected = {
        "foedus.alliances": ["Alliance", "Curated", "CuratedFact", "DefenceAnalysis",
                             "EscalationNode", "Membership", "Obligation", "Phase",
                             "UnknownAllianceError", "alliance", "alliances_of", "load_curated",
                             "names_table", "responders"],
        "foedus.measures.similarity": ["ALL_MEASURES", "DEFAULT_SCALE", "UNWEIGHTED_MEASURES",
                                       "WEIGHTED_MEASURES", "alliance_portfolios",
                                       "portfolio_similarity", "similarity_dyad_years",
                                       "similarity_matrix"],
        "foedus.measures.networks": ["OBLIGATIONS", "ORDINAL_SCALE", "alliance_graph", "blocs",
                                     "centralities", "export_graph", "network_state_years",
                                     "network_years"],
        "foedus.measures.structure": ["capability_concentration", "cinc_shares",
                                      "effective_poles", "emerging_powers", "power_transitions"],
        "foedus.assessment": ["AllianceAssessment", "DyadAssessment", "MissionAssessment",
                              "PortfolioAssessment", "Provenance", "SourceUse", "assess_alliance",
                              "assess_dyad", "assess_mission", "assess_portfolio", "ols_trend",
                              "write_brief"],
        "foedus.api": ["create_app"],
        "foedus.models": ["FAMILIES", "RECIPES", "RecipeResult", "alliance_deterrence",
                          "dangerous_dyads", "engagement_conflict", "third_party_commitments",
                          "CollinearityError", "ConvergenceError", "ModelError", "ModelResult",
                          "NoVariationError", "SeparationError", "UnknownColumnError",
                          "dyad_groups", "fit", "lag_columns", "unit_keys"],
        "foedus.measures.un_similarity": ["ESTIMATES", "QUANTILES", "add_ideal_point_distance",
                                          "add_ideal_points", "ideal_point_coverage",
                                          "ideal_point_matrix"],
    }
    api = (DOCS / "api.md").read_text()
    for module_name, names in expected.items():
        module = importlib.import_module(module_name)
        assert sorted(module.__all__) == sorted(names), module_name
        for name in names:
            assert name in api, f"{module_name}.{name} is not in docs/api.md"
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                assert "Example" in (inspect.getdoc(obj) or ""), f"{module_name}.{name}: no example"
