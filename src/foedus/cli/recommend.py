"""``foedus recommend``: ranked partner × instrument options for an objective (docs/scenarios.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from foedus.cli_support import JsonOpt, WarehouseOpt, emit_json, err, out, run

app = typer.Typer(help="Rank partners and instruments for an objective (docs/scenarios.md).")


@app.command()
def recommend(
    state: Annotated[str, typer.Argument(help="The state advised (COW code, abbreviation, name).")],
    objective: Annotated[str, typer.Option(
        "--objective", help="deter:RIVAL, capability, alignment or burden.")],
    instruments: Annotated[str | None, typer.Option(
        "--instruments", help="Comma list of alliance,dca,exercises,arms,training,visits "
        "(default: all).")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Year (default: this year).")] = None,
    top: Annotated[int, typer.Option("--top", help="Number of options shown.")] = 10,
    w_entrapment: Annotated[float, typer.Option(
        "--w-entrapment", help="Weight of the entrapment discount (default 1).")] = 1.0,
    w_distance: Annotated[float, typer.Option(
        "--w-distance", help="Weight of the UN ideal-point distance discount (default 1).")] = 1.0,
    w_regime: Annotated[float, typer.Option(
        "--w-regime", help="Weight of the partner's democracy (V-Dem polyarchy) on support "
        "(default 0: the evidence is mixed).")] = 0.0,
    parameters: Annotated[Path | None, typer.Option(
        "--parameters", help="Honouring-parameter CSV replacing the packaged one.")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output",
                                                help="Write the result: .json or .html.")] = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rank candidate partners × instruments by modelled gain for the objective, with each
    factor's contribution, intervals and a sensitivity check."""

    def body() -> None:
        from foedus.errors import FoedusError
        from foedus.scenarios.params import load_table
        from foedus.scenarios.recommend import recommend as rec
        from foedus.scenarios.report import render_recommendation_html, write_report

        if output is not None and output.suffix.lower() not in (".json", ".html", ".pdf"):
            raise FoedusError(f"unknown output format '{output.suffix}'", where=str(output),
                              fix="use .json, .html or .pdf")
        for name, w, low in (("--w-entrapment", w_entrapment, 0.0),
                             ("--w-distance", w_distance, 0.0), ("--w-regime", w_regime, -2.0)):
            if not low <= w <= (1.0 if name == "--w-distance" else 2.0):
                raise FoedusError(f"{name} {w} is out of range",
                                  fix="use --w-entrapment 0–2, --w-distance 0–1, --w-regime -2–2")
        table = load_table(parameters) if parameters is not None else None
        doc = rec(state, objective, instruments=[instruments] if instruments else None,
                  year=year, top=top, warehouse=warehouse, table=table,
                  w_entrapment=w_entrapment, w_distance=w_distance, w_regime=w_regime)
        if output is not None:
            write_report(doc, output, html_page=render_recommendation_html(doc))
            err.print(f"written to {output}")
        if as_json:
            emit_json(doc)
            return
        out.print(f"[bold]{doc['state']}[/] — objective {doc['objective']}, {doc['year']} "
                  f"({doc['n_options']} options; basis {doc['basis']})")
        for o in doc["options"]:
            f = o["factors"]
            out.print(f"{o['rank']:>3}. {o['partner']:<4} {o['instrument']:<10} score "
                      f"{o['score']:7.3f} [{o['interval'][0]:.3f}, {o['interval'][1]:.3f}]  "
                      f"gain {f['gain']:.3f}  distance {f['political_distance']:+.3f}  "
                      f"regime {f['regime']:+.3f}  "
                      f"entrapment {f['entrapment']:+.3f}  q {o['inputs']['support_probability']:.3f}",
                      highlight=False)
        moved = [s for s in doc["sensitivity"] if not s["same_top_set"]]
        out.print(f"sensitivity: {len(doc['sensitivity']) - len(moved)} of "
                  f"{len(doc['sensitivity'])} variations keep the same top {top}")
        for s in moved:
            out.print(f"  {s['parameter']} at {s['at']}: top option {s['top1']}; "
                      f"{len(s['rank_changes'])} of the top {top} change rank", highlight=False)

    run(as_json, body)
