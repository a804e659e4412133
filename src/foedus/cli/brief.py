"""``foedus brief``: impact briefs of an alliance, a dyad, a portfolio or a peace operation
(``docs/cli-brief.md``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import typer

from foedus.cli._support import JsonOpt, WarehouseOpt, check_output, err, out
from foedus.cli._support import emit_json as _emit_json
from foedus.cli._support import run as _run

app = typer.Typer(help="Write self-contained impact briefs (HTML or PDF).", no_args_is_help=True)

FromOpt = Annotated[int | None, typer.Option("--from", help="First year.")]
ToOpt = Annotated[int | None, typer.Option("--to", help="Last year.")]
OutOpt = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="Brief file: .html (default) or .pdf (headless Chromium)."),
]
EngagementOpt = Annotated[
    bool,
    typer.Option("--engagement/--no-engagement",
                 help="Compute the engagement index (a few seconds on first use)."),
]  # fmt: skip
ImpactOpt = Annotated[
    bool,
    typer.Option("--impact/--no-impact",
                 help="Add the impact section (honouring record and exit hazard; instruments "
                 "and the designs' estimates). The first brief after an import runs the designs "
                 "it needs (cached next to the warehouse)."),
]  # fmt: skip


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "brief"



def _check_brief_output(output: Path | None) -> None:
    """Refuse a bad ``-o`` before any work: only .html/.htm/.pdf, in a writable place."""
    from foedus.assessment.brief import brief_format

    if output is not None:
        brief_format(output)
        check_output(output, (".html", ".htm", ".pdf"))


def _finish(assessment: Any, output: Path | None, default: str, as_json: bool) -> None:
    from foedus.assessment.brief import write_brief

    path = write_brief(assessment, output or Path(default))
    if as_json:
        _emit_json({"kind": assessment.kind, "path": str(path),
                    "format": "pdf" if path.suffix.lower() == ".pdf" else "html",
                    "key_figures": assessment.key_figures(),
                    "sources": assessment.provenance.labels(),
                    "notes": list(assessment.notes)})  # fmt: skip
    else:
        out.print(str(path))
        for key, value in assessment.key_figures().items():
            out.print(f"  {key}: {value}", highlight=False)
    err.print(f"brief written to {path}")


@app.command("alliance")
def alliance_cmd(
    name: Annotated[str, typer.Argument(help="Alliance: name, alias or ATOPID (NATO, 3180).")],
    from_: FromOpt = None,
    to: ToOpt = None,
    output: OutOpt = None,
    engagement: EngagementOpt = True,
    impact: ImpactOpt = True,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Brief on an alliance: membership, capability, cohesion, burden, engagement, disputes
    around accessions (default years 1990–2018)."""

    def body() -> None:
        _check_brief_output(output)
        from foedus.assessment.alliance import assess_alliance
        from foedus.impact.profile import attach_impact

        start = from_ if from_ is not None else 1990
        end = to if to is not None else 2018
        a = assess_alliance(name, start, end, warehouse=warehouse, engagement=engagement)
        if impact:
            a = attach_impact(a, warehouse)
        _finish(a, output, f"brief-{_slug(name)}-{start}-{end}.html", as_json)

    _run(as_json, body)

@app.command("dyad")
def dyad_cmd(
    a: Annotated[str, typer.Argument(help="First state (COW code, abbreviation or name).")],
    b: Annotated[str, typer.Argument(help="Second state.")],
    from_: FromOpt = None,
    to: ToOpt = None,
    output: OutOpt = None,
    engagement: EngagementOpt = True,
    impact: ImpactOpt = True,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Brief on a pair of states: shared alliances, instruments, disputes, alignment,
    capabilities, engagement (default years: 1946 or the later state's entry, to 2024)."""

    def body() -> None:
        _check_brief_output(output)
        from foedus.assessment.alliance import assess_dyad
        from foedus.impact.profile import attach_impact

        d = assess_dyad(a, b, from_, to, warehouse=warehouse, engagement=engagement)
        if impact:
            d = attach_impact(d, warehouse)
        _finish(d, output, f"brief-{_slug(a)}-{_slug(b)}-{d.start}-{d.end}.html", as_json)

    _run(as_json, body)

@app.command("portfolio")
def portfolio_cmd(
    state: Annotated[str, typer.Argument(help="State (COW code, abbreviation or name).")],
    from_: FromOpt = None,
    to: ToOpt = None,
    output: OutOpt = None,
    engagement: EngagementOpt = True,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Brief on a state's alliance portfolio: alliances, partners, defenders and their
    capability, engagement with partners (default years 1990–2018)."""

    def body() -> None:
        _check_brief_output(output)
        from foedus.assessment.alliance import assess_portfolio

        start = from_ if from_ is not None else 1990
        end = to if to is not None else 2018
        p = assess_portfolio(state, start, end, warehouse=warehouse, engagement=engagement)
        _finish(p, output, f"brief-{_slug(state)}-portfolio-{start}-{end}.html", as_json)

    _run(as_json, body)

@app.command("mission")
def mission_cmd(
    mission: Annotated[str, typer.Argument(help="Peace operation acronym, e.g. AMISOM.")],
    from_: FromOpt = None,
    to: ToOpt = None,
    output: OutOpt = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Brief on a peace operation: personnel per year and, where mapped, contributors
    (default: the mission's observed years)."""

    def body() -> None:
        _check_brief_output(output)
        from foedus.assessment.alliance import assess_mission

        m = assess_mission(mission, from_, to, warehouse=warehouse)
        _finish(m, output, f"brief-{_slug(mission)}-{m.start}-{m.end}.html", as_json)

    _run(as_json, body)
