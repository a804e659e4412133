"""``foedus scenario``: run what-if scenario files and compare them (docs/scenarios.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from foedus.cli_support import JsonOpt, WarehouseOpt, emit_json, err, out, run

app = typer.Typer(help="Run what-if scenarios of the alliance system (docs/scenarios.md).",
                  no_args_is_help=True)

OutOpt = Annotated[Path | None, typer.Option("-o", "--output",
                                             help="Report file: .json, .html or .pdf.")]
ParamsOpt = Annotated[Path | None, typer.Option(
    "--parameters", help="Honouring-parameter CSV replacing the packaged honouring.csv.")]
EstimatedOpt = Annotated[bool, typer.Option(
    "--estimated-honouring", help="Take the era and obligation-type honouring rates from "
    "foedus's own estimates (honouring-rates, COW wars, relevance coding; Wilson intervals as "
    "ranges) instead of the published rates; the report labels the table.")]


def _summary(doc: dict[str, Any]) -> None:
    sc = doc["scenario"]
    out.print(f"[bold]{sc['name']}[/] — base year {doc['year']}, basis {doc['basis']}")
    out.print(f"honouring parameters: {doc['parameters']['table']} "
              f"(version {doc['parameters']['version']})", highlight=False)
    for ch in doc["changes"]:
        out.print(f"  change: {ch['text']}", highlight=False)
    sim = (doc.get("simulation") or {}).get("scenario")
    if sim:
        att = doc["attack"]
        out.print(f"attack: {', '.join(att['attackers'])} on {att['target']} "
                  f"({sim['draws']:,} draws, seed {sim['seed']}, correlation {sim['correlation']})")
        pal = sim["coalition"]["p_at_least"]
        out.print(f"  P(≥1 ally responds) {pal.get('1', 0):.3f}; expected responders "
                  f"{sim['coalition']['mean']:.2f}; P(no ally) {sim['p_no_ally']:.3f}")
        cinc = sim["capabilities"]["cinc"]
        share = cinc["defender_share"]
        if share["q50"] is not None:
            out.print(f"  defenders' CINC share: median {share['q50']:.3f} "
                      f"(90% {share['q05']:.3f}–{share['q95']:.3f}); P(defenders stronger) "
                      f"{cinc['p_defenders_stronger']:.3f}")
        out.print("  most likely responders:")
        for r in sim["responders"][:10]:
            out.print(f"    {r['state']:<4} depth {r['depth']}  p_honour {r['p_honour']:.3f}  "
                      f"P(responds) {r['p_responds']:.3f} ± {r['mc_se']:.3f}", highlight=False)
    deltas = doc.get("deltas") or {}
    bound = deltas.get("bound")
    if bound:
        out.print(f"defence obligations: +{len(bound['gained'])} / -{len(bound['lost'])} "
                  f"(base {bound['base_total']}, scenario {bound['scenario_total']})")
    for b in deltas.get("balances") or []:
        if b["change_in_share"] is not None:
            out.print(f"  expected CINC share {b['state']} vs {b['rival']}: "
                      f"{b['base']['expected_share']:.3f} → {b['scenario']['expected_share']:.3f}")
    for n in doc["notes"]:
        err.print(f"note: {n}", highlight=False)


@app.command("run")
def run_cmd(
    file: Annotated[Path, typer.Argument(help="Scenario file (.toml).")],
    output: OutOpt = None,
    parameters: ParamsOpt = None,
    estimated_honouring: EstimatedOpt = False,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run a scenario: the simulated attack and the deltas against the base year."""

    def body() -> None:
        from foedus.scenarios.params import estimated_table, load_table
        from foedus.scenarios.report import check_output, write_report
        from foedus.scenarios.run import run_scenario
        from foedus.scenarios.spec import load_scenario

        check_output(output)
        scenario = load_scenario(file)
        table = load_table(parameters) if parameters is not None else None
        if estimated_honouring:
            table = estimated_table(warehouse, base=table)
        doc = run_scenario(scenario, warehouse=warehouse, table=table).to_dict()
        if output is not None:
            write_report(doc, output)
            err.print(f"report written to {output}")
        if as_json:
            emit_json(doc)
        else:
            _summary(doc)

    run(as_json, body)


@app.command("diff")
def diff_cmd(
    a: Annotated[Path, typer.Argument(help="First scenario file.")],
    b: Annotated[Path, typer.Argument(help="Second scenario file.")],
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run two scenarios and show how the second differs from the first."""

    def body() -> None:
        from foedus.scenarios.run import diff_results, run_scenario
        from foedus.scenarios.spec import load_scenario

        sa, sb = load_scenario(a), load_scenario(b)
        ra = run_scenario(sa, warehouse=warehouse).to_dict()
        rb = run_scenario(sb, warehouse=warehouse).to_dict()
        doc = diff_results(ra, rb)
        if as_json:
            emit_json(doc)
            return
        out.print(f"[bold]{doc['a']}[/] → [bold]{doc['b']}[/]")
        for line in doc["changes_only_in_a"]:
            out.print(f"  only in A: {line}", highlight=False)
        for line in doc["changes_only_in_b"]:
            out.print(f"  only in B: {line}", highlight=False)
        if "coalition" in doc:
            c = doc["coalition"]["p_at_least_1"]
            out.print(f"  P(≥1 ally responds): {c['a']:.3f} → {c['b']:.3f} ({c['change']:+.3f})")
            for m, v in doc["capabilities"].items():
                if v["change"] is not None:
                    out.print(f"  median defenders' {m} share: {v['a']:.3f} → {v['b']:.3f} "
                              f"({v['change']:+.3f})")
            for r in doc["responders"][:10]:
                out.print(f"  {r['state']:<4} {r['a'] or 0:.3f} → {r['b'] or 0:.3f} "
                          f"({r['change']:+.3f})", highlight=False)

    run(as_json, body)
