"""``foedus network --year Y``: the alliance network of a year — size, blocs, polarisation (``docs/cli-measures.md``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from foedus.cli._support import JsonOpt, WarehouseOpt, check_output, err, out
from foedus.cli._support import emit_json as _emit_json
from foedus.cli._support import run as _run

app = typer.Typer()


def _frame_for_year(wh: Any, year: int) -> Any:
    from foedus.frames.universe import state_years

    return state_years("cow", years=year, warehouse=wh)


@app.command("network")
def network_cmd(
    year: Annotated[int, typer.Option(help="Year (ATOP: 1815-2018).")],
    obligation: Annotated[
        list[str] | None,
        typer.Option(
            help="Obligation types making a tie (repeatable): defense, offense, "
            "neutral, nonagg, consul; default all."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the graph (.graphml, .gexf).")
    ] = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The alliance network of YEAR: size, blocs, polarisation; optionally exported."""

    def body() -> None:
        check_output(output, (".graphml", ".gexf"))
        from foedus.measures import networks
        from foedus.warehouse import Warehouse

        wh = Warehouse(warehouse, read_only=True)
        ddy, _ = _frame_for_year(wh, year)._atop_obligations()
        options: dict[str, Any] = {}
        if obligation:
            options["obligations"] = list(obligation)
        graph = networks.alliance_graph(ddy, year, **options)
        summary = networks.network_years(ddy, (year, year), **options)
        if output is not None:
            networks.export_graph(graph, output)
        row = summary.to_dicts()[0] if summary.height else {"year": year}
        if as_json:
            _emit_json(row | {"output": str(output) if output else None})
        else:
            out.print(summary)
        err.print(
            f"{graph.number_of_nodes()} states, {graph.number_of_edges()} ties in {year}"
            + (f" → {output}" if output else "")
        )

    _run(as_json, body)

