"""``foedus impact``: what military diplomacy does to alliances, estimated (docs/impact.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from foedus.cli_support import JsonOpt, WarehouseOpt, emit_json, err, out, run

app = typer.Typer(
    help="Estimate what military diplomacy does to alliances: formation, alignment, "
    "reliability, survival, burden (docs/impact.md).",
    no_args_is_help=True,
)

OutOpt = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="Write the result: .json, .csv, .html or .pdf."),
]


def _years(text: str | None) -> tuple[int, int] | None:
    from foedus.errors import InvalidYearsError

    if text is None:
        return None
    parts = text.replace("–", "-").split("-")
    try:
        if len(parts) == 1:
            y = int(parts[0])
            return (y, y)
        if len(parts) == 2:
            return (int(parts[0]), int(parts[1]))
    except ValueError:
        pass
    raise InvalidYearsError(f"cannot read years '{text}'", fix="write FIRST-LAST, e.g. 1980-2010")


def _print(result: Any) -> None:
    from rich.table import Table

    out.print(f"[bold]{result.title}[/] ({result.name})")
    out.print(result.question, highlight=False)
    out.print(f"[bold]Sample:[/] {result.sample}", highlight=False)
    table = Table(title="Estimates (95% CI)", title_justify="left")
    cols = ["part", "treatment", "outcome", "term", "estimate", "ci", "p", "n", "pretrend_p",
            "placebo_p", "ph_p"]  # fmt: skip
    rows = [{**r, "ci": None if r.get("ci_low") is None
             else f"[{_cell(r['ci_low'])}, {_cell(r['ci_high'])}]"} for r in result.estimates]
    cols = [c for c in cols if any(r.get(c) is not None for r in rows)]
    for c in cols:
        table.add_column(c.replace("_", " "), justify="left" if c in cols[:4] else "right")
    for r in rows:
        table.add_row(*[_cell(r.get(c)) for c in cols])
    out.print(table)
    for name, rows in result.tables.items():
        if name in ("event_study", "kaplan_meier_curves") or not rows:
            continue
        if name.startswith("by_type") and name not in ("by_type_war", "by_type_era_war"):
            continue
        if name in ("relevance_war_era",):
            continue
        t = Table(title=name, title_justify="left")
        keys = [k for k in rows[0] if k not in ("exact_low", "exact_high")]
        for k in keys:
            t.add_column(k.replace("_", " "))
        for r in rows:
            t.add_row(*[_cell(r.get(k)) for k in keys])
        out.print(t)
    out.print("[bold]Specification:[/]")
    for s in result.specification:
        out.print(f"  • {s}", highlight=False)
    for n in result.notes:
        out.print(f"[dim]note:[/] {n}", highlight=False)


def _cell(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}" if abs(v) >= 10000 else str(v)
    return str(v)


@app.command("list")
def list_cmd(as_json: JsonOpt = False) -> None:
    """The named designs, their default treatment and outcome, and the treatments/outcomes."""

    def body() -> None:
        from foedus.impact.designs import DESIGNS, ESTIMATORS
        from foedus.impact.panel import OUTCOMES, TREATMENTS

        doc: dict[str, list[dict[str, Any]]] = {
            "designs": [{"name": d.name, "question": d.question, "treatment": d.treatment,
                         "outcome": d.outcome, "treatments": list(d.treatments),
                         "outcomes": list(d.outcomes), "event_study": d.event_study}
                        for d in DESIGNS.values()],
            "estimators": [{"name": k, "comparisons": list(v), "default_comparison": v[0]}
                           for k, v in ESTIMATORS.items()],
            "treatments": [{"name": t.name, "label": t.label, "coverage": list(t.coverage),
                            "gaps": list(t.gaps), "us_only": t.us_only}
                           for t in TREATMENTS.values()],
            "outcomes": [{"name": o.name, "label": o.label, "kind": o.kind,
                          "coverage": list(o.coverage)} for o in OUTCOMES.values()],
        }  # fmt: skip
        if as_json:
            emit_json(doc)
            return
        for d in doc["designs"]:
            out.print(f"[bold]{d['name']}[/]  {d['question']}", highlight=False)
        out.print("[bold]Event-study estimators[/] (--estimator, --comparison; designs "
                  "with an event study):")
        for e in doc["estimators"]:
            out.print(f"  {e['name']}: " + " | ".join(e["comparisons"]), highlight=False)
        out.print("[bold]Treatments[/] (coverage):")
        for t in doc["treatments"]:
            us = ", US dyads" if t["us_only"] else ""
            out.print(f"  {t['name']}: {t['label']} ({t['coverage'][0]}-{t['coverage'][1]}{us})",
                      highlight=False)
        out.print("[bold]Outcomes[/]:")
        for o in doc["outcomes"]:
            out.print(f"  {o['name']}: {o['label']}", highlight=False)

    run(as_json, body)


@app.command("run")
def run_cmd(
    design: Annotated[str, typer.Argument(help="Design name (foedus impact list).")],
    treatment: Annotated[str | None, typer.Option("--treatment", help="Treatment name.")] = None,
    outcome: Annotated[str | None, typer.Option("--outcome", help="Outcome name.")] = None,
    years: Annotated[str | None, typer.Option("--years", help="FIRST-LAST, within coverage.")] = None,
    coding: Annotated[str | None, typer.Option(
        "--coding", help="honouring-rates only: 'alliance-war-member' (default: one case per "
        "war, alliance and obliged ally, ATOP conditions applied), 'relevance' (ally-partner "
        "pairs, originators only) or 'unconditional'.")] = None,
    estimator: Annotated[str | None, typer.Option(
        "--estimator", help="Event study: sun-abraham (default), callaway-santanna or lpdid.",
    )] = None,
    comparison: Annotated[str | None, typer.Option(
        "--comparison", help="Event-study comparison dyads: never (default) or not-yet.",
    )] = None,
    output: OutOpt = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run a named design: estimates with 95% CIs, N, pre-trend and placebo tests."""

    def body() -> None:
        from foedus.impact.designs import run_design
        from foedus.impact.result import check_output

        check_output(output)
        span = _years(years)
        result = run_design(design, warehouse, treatment=treatment, outcome=outcome, years=span,
                            coding=coding, estimator=estimator,
                            comparison=comparison)  # fmt: skip
        if output is not None:
            result.write(output)
            err.print(f"wrote {output}", highlight=False)
        if as_json:
            emit_json(result.to_dict())
        else:
            _print(result)
        err.print(f"{result.name}: {result.sample} [{result.seconds:.1f} s]", highlight=False)

    run(as_json, body)


@app.command("dyad")
def dyad_cmd(
    state1: Annotated[str, typer.Argument(help="First state (COW abbreviation, code or name).")],
    state2: Annotated[str, typer.Argument(help="Second state.")],
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Which instruments a pair used when, and what each is estimated to do (cached designs)."""

    def body() -> None:
        from foedus.impact.profile import dyad_impact

        doc = dyad_impact(state1, state2, warehouse)
        if as_json:
            emit_json(doc)
            return
        _print_profile(doc)

    run(as_json, body)


@app.command("alliance")
def alliance_cmd(
    alliance: Annotated[str, typer.Argument(help="Alliance name or ATOP id (e.g. NATO, 3180).")],
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """An alliance's members' early exits, honouring record and instruments among members."""

    def body() -> None:
        from foedus.impact.profile import alliance_impact

        doc = alliance_impact(alliance, warehouse)
        if as_json:
            emit_json(doc)
            return
        _print_profile(doc)

    run(as_json, body)


def _print_profile(doc: dict[str, Any]) -> None:
    from rich.table import Table

    out.print(f"[bold]{doc['title']}[/]", highlight=False)
    for name, rows in doc.get("tables", {}).items():
        if not rows:
            out.print(f"{name}: none", highlight=False)
            continue
        t = Table(title=name, title_justify="left")
        keys = [k for k in rows[0] if not k.startswith(("exact_", "cluster_boot_"))]
        for k in keys:
            t.add_column(k.replace("_", " "))
        for r in rows:
            t.add_row(*[_cell(r.get(k)) for k in keys])
        out.print(t)
    for n in doc.get("notes", []):
        out.print(f"[dim]note:[/] {n}", highlight=False)
