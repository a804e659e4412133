"""``foedus network --year Y``: the alliance network of a year — size, blocs, polarisation — every state with its bloc (``docs/cli-measures.md``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from foedus.cli._support import JsonOpt, WarehouseOpt, check_output, err, out
from foedus.cli._support import emit_json as _emit_json
from foedus.cli._support import run as _run

app = typer.Typer()


@app.command("network")
def network_cmd(
    year: Annotated[int, typer.Option(help="Year (ATOP 1816-2018; later: carried forward).")],
    obligation: Annotated[
        list[str] | None,
        typer.Option(
            help="Obligation types making a tie (repeatable): defense, offense, "
            "neutral, nonagg, consul; default defense (defence obligations)."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the graph (.graphml, .gexf).")
    ] = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The alliance network of YEAR: every state with its bloc and position, the ties (with the
    alliances making them), size, blocs, polarisation; optionally exported."""

    def body() -> None:
        check_output(output, (".graphml", ".gexf"))
        import polars as pl

        from foedus.measures import networks
        from foedus.measures.year_views import YearInputs, network_of_year

        inputs = YearInputs(warehouse)
        doc = network_of_year(year, obligation, inputs=inputs)
        if output is not None:
            ddy, _ = inputs.obligations(year)
            members = [n["ccode"] for n in doc["nodes"]]
            graph = networks.alliance_graph(
                ddy, year, obligations=doc["obligations"], nodes=members
            ).subgraph(members)
            networks.export_graph(graph, output)
        if as_json:
            _emit_json(doc | {"output": str(output) if output else None})
        else:
            out.print(pl.DataFrame([doc["metrics"]]) if doc["metrics"] else "no network")
            if doc["blocs"]:
                out.print(pl.DataFrame(doc["blocs"]).select("bloc", "size", "label"))
        err.print(
            f"{len(doc['nodes'])} states, {len(doc['edges'])} ties in {year} "
            f"({', '.join(doc['obligations'])})" + (f" → {output}" if output else "")
        )

    _run(as_json, body)
