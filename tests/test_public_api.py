"""Pin the public API surface (as httpx does) and keep the docs true (as Datasette does)."""

from __future__ import annotations

import inspect
import re
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
    "add_democracy",
    "add_gml_mids",
    "add_gwcode_to_cow",
    "add_nmc",
    "add_peace_years",
    "add_prd",
    "add_sim_gdp_pop",
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
    "write_enriched",
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
        assert documented(name, api), f"{name} is not in docs/api.md"
    for name in FRAME_METHODS:
        assert documented(f"Frame.{name}", api), f"Frame.{name} is not in docs/api.md"
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


def documented(name: str, text: str) -> bool:
    """Whether ``name`` appears as a whole word inside a Markdown code span of ``text`` (a mention in
    prose, or a longer name that contains it, does not count)."""
    return re.search(r"`[^`\n]*(?<![\w.])" + re.escape(name) + r"(?!\w)[^`\n]*`", text) is not None


def test_documented_is_strict() -> None:
    text = "the `fit(frame)` runner; `refit` elsewhere; prose mentions lag_columns"
    assert documented("fit", text)
    assert not documented("lag_columns", text)  # prose, not code
    assert not documented("efit", "`refit`")  # part of another name


#: The public surface of every sub-package (and of the measure modules documented one by one).
PUBLIC: dict[str, list[str]] = {
    "foedus.sources": ["FORMATS", "Format", "PEACESCIENCER_BIBTEX", "Release", "SOURCES", "Source",
                       "all_releases", "declared_coverage", "get_source", "release_for_filename",
                       "version_key"],
    "foedus.sources.instruments": ["FAMILIES", "family_modules"],
    "foedus.frames": ["ENRICHERS", "Enricher", "Frame", "STANDARD_DYAD_ENRICHMENTS",
                      "create_dyad_years", "create_state_years", "dyad_years", "parse_years",
                      "standard_dyad_years", "state_years"],
    "foedus.frames.instruments": ["allocate_deliveries", "enrich_arms", "enrich_dcas",
                                  "enrich_joint_exercises", "enrich_milex", "enrich_pko",
                                  "enrich_us_training", "enrich_us_troops", "enrich_us_visits",
                                  "milex_state_years"],
    "foedus.alliances": ["Alliance", "Curated", "CuratedFact", "DefenceAnalysis",
                         "EscalationNode", "Membership", "Obligation", "Phase",
                         "UnknownAllianceError", "alliance", "alliances_of", "load_curated",
                         "names_table", "responders"],
    "foedus.measures": ["ALL_MEASURES", "EngagementModel", "add_engagement", "alliance_graph",
                        "arms_shares", "burden_sharing", "capability_concentration", "dyad_profile",
                        "effective_poles", "engagement_index", "export_graph", "fit_engagement",
                        "ideal_point_matrix", "network_state_years", "network_years",
                        "portfolio_similarity", "prepare_dyad_profiles", "reference_model", "similarity_dyad_years",
                        "similarity_matrix", "supplier_concentration"],
    "foedus.measures.similarity": ["ALL_MEASURES", "CODINGS", "DEFAULT_SCALE", "FPSIM_SCALE",
                                   "UNWEIGHTED_MEASURES",
                                   "WEIGHTED_MEASURES", "alliance_portfolios",
                                   "portfolio_similarity", "similarity_dyad_years",
                                   "similarity_matrix"],
    "foedus.measures.networks": ["OBLIGATIONS", "ORDINAL_SCALE", "alliance_graph", "blocs",
                                 "centralities", "export_graph", "network_state_years",
                                 "network_years"],
    "foedus.measures.structure": ["capability_concentration", "cinc_shares",
                                  "effective_poles", "emerging_powers", "power_transitions"],
    "foedus.measures.un_similarity": ["ESTIMATES", "QUANTILES", "add_ideal_point_distance",
                                      "add_ideal_points", "ideal_point_coverage",
                                      "ideal_point_matrix"],
    "foedus.models": ["FAMILIES", "RECIPES", "RecipeResult", "alliance_deterrence",
                      "dangerous_dyads", "engagement_conflict", "third_party_commitments",
                      "CollinearityError", "ConvergenceError", "ModelError", "ModelResult",
                      "NoVariationError", "SeparationError", "UnknownColumnError",
                      "dyad_groups", "fit", "lag_columns", "unit_keys"],
    "foedus.assessment": ["AllianceAssessment", "DyadAssessment", "MissionAssessment",
                          "PortfolioAssessment", "Provenance", "SourceUse", "assess_alliance",
                          "assess_dyad", "assess_mission", "assess_portfolio", "ols_trend",
                          "write_brief"],
    "foedus.impact": ["DESIGNS", "ESTIMATORS", "OUTCOMES", "TREATMENTS", "Design", "Estimate",
                      "EventStudy", "ImpactResult", "Outcome", "Treatment", "adjust_pvalues",
                      "alliance_impact", "attach_impact", "cached_design", "callaway_santanna",
                      "cox", "cox_time_varying", "dyad_impact", "get_design", "honouring_cases",
                      "honouring_rates", "impact_panel", "lpdid", "ph_interaction_test",
                      "ph_test", "placebo", "proportion_ci", "relevance_summary", "run_design",
                      "sun_abraham", "sup_t_critical_value", "twfe", "war_cases"],
    "foedus.api": ["create_app"],
    "foedus.cli": ["all_commands", "app", "main"],
    "foedus.dashboard": ["API_PREFIX", "PAGES", "PREFIX", "STATIC_DIR", "mount_dashboard",
                         "render_page"],
    "foedus.errors": ["AuthenticationError", "CollinearityError", "ContradictoryRowsError",
                      "ConvergenceError", "CuratedFactError", "DegenerateSampleError", "DuplicateKeyError",
                      "EditConflictError", "FoedusError", "InvalidDateError",
                      "InvalidValueError", "InvalidYearsError", "MissingColumnError",
                      "MissingDataError", "ModelError", "NoVariationError", "OfflineError", "OutsideCoverageError", "PathNotFound",
                      "PermissionDeniedError", "RecordNotFoundError", "RecordValidationError", "RecordsBusyError",
                      "RecordsError", "RowLimitError", "ScenarioFileError", "SeparationError", "SourceEncodingError",
                      "SourceFormatError", "TimeLimitExceeded", "TooManyAttemptsError", "TruncatedSourceError",
                      "UnknownAllianceError", "UnknownColumnError", "UnknownEnrichmentError",
                      "UnknownReplicationError", "UnknownSourceError", "UnknownStateError",
                      "UnknownTreatyError", "WarehouseBusyError", "WarehouseError",
                      "WrongDelimiterError"],
    "foedus.records": ["INSTRUMENTS", "MARKINGS", "Principal", "ROLES", "RecordStore", "STATUSES",
                       "default_database_url", "organisation_impact", "partner_dyads",
                       "public_instruments"],
    "foedus.events": ["FAMILIES", "AggregateResult", "EventFamily", "aggregate_events",
                      "dyad_monthly", "family_of", "top_dyads"],
    "foedus.replications": ["PublishedTerm", "Replication", "ReplicationResult", "get", "names",
                            "run"],
    "foedus.arms_control": [],
    "foedus.scenarios": ["Scenario", "load_scenario", "load_table", "parse_scenario"],
    "foedus.regions": ["aggregate_by_region", "filter_region", "get_region", "list_regions",
                       "region_of"],
    "foedus.api.routes": ["ROUTER_MODULES", "routers"],
    "foedus.provenance": ["FOEDUS_BIBTEX", "PEACESCIENCER_BIBTEX", "Provenance", "Used",
                          "bibtex_for"],
}  # fmt: skip


def test_every_sub_package_declares_its_public_surface() -> None:
    src = Path(__file__).resolve().parents[1] / "src"
    packages = {".".join(p.parent.relative_to(src).parts)
                for p in (src / "foedus").rglob("__init__.py")} - {"foedus"}  # fmt: skip
    assert packages <= set(PUBLIC), f"pin the __all__ of: {sorted(packages - set(PUBLIC))}"


def test_module_apis_are_pinned_resolvable_and_documented() -> None:
    import importlib

    api = (DOCS / "api.md").read_text()
    for module_name, names in PUBLIC.items():
        module = importlib.import_module(module_name)
        assert sorted(module.__all__) == sorted(names), module_name
        assert len(set(module.__all__)) == len(module.__all__), module_name
        for name in names:
            obj = getattr(module, name)  # resolvable (lazy packages import it now)
            assert documented(name, api), f"{module_name}.{name} is not in docs/api.md"
            if inspect.isfunction(obj) and not name.startswith("SourceUse"):
                assert "Example" in (inspect.getdoc(obj) or ""), f"{module_name}.{name}: no example"


def test_errors_live_in_one_module_with_their_http_status() -> None:
    import foedus.errors as errors

    classes = [getattr(errors, n) for n in errors.__all__]
    assert all(issubclass(c, errors.FoedusError) for c in classes)
    assert {c.http_status for c in classes} <= {401, 403, 404, 409, 413, 422, 429, 503}
    assert errors.MissingDataError.http_status == 503 and errors.RowLimitError.http_status == 413
    src = Path(__file__).resolve().parents[1] / "src" / "foedus"
    # The API's two internal signals (a 404 path, a timed-out request) never reach a user as
    # such; they are turned into problem documents inside api/app.py.
    internal = {("app.py", "PathNotFound"), ("app.py", "TimeLimitExceeded")}
    for path in src.rglob("*.py"):
        if path.name == "errors.py":
            continue
        for match in re.finditer(r"^class (\w+)\((\w+)\):", path.read_text(), re.M):
            name, base = match.groups()
            if (path.name, name) in internal:
                continue
            assert not (base.endswith("Error") or base == "Exception"), (
                f"{path}: {name} belongs in errors.py")
