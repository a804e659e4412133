"""``foedus structure``: system structure per year — capability concentration, poles, leader (``docs/cli-measures.md``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from foedus.cli._support import JsonOpt, WarehouseOpt, check_output, err, out
from foedus.cli._support import emit_json as _emit_json
from foedus.cli._support import run as _run
from foedus.cli._support import write_table as _write_table
from foedus.errors import FoedusError

app = typer.Typer()


@app.command("structure")
def structure_cmd(
    from_: Annotated[int, typer.Option("--from", help="First year.")] = 1816,
    to: Annotated[int, typer.Option("--to", help="Last year (NMC: to 2022).")] = 2022,
    group: Annotated[str, typer.Option(help="majors or all.")] = "majors",
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the year frame (.csv, .parquet)."),
    ] = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """System structure per year: capability concentration (CON), effective number of poles,
    leading state and its share."""

    def body() -> None:
        check_output(output, (".csv", ".parquet"))
        from foedus.frames.universe import parse_years
        from foedus.measures import structure
        from foedus.warehouse import Warehouse

        if group not in ("majors", "all"):
            raise FoedusError(f"unknown group '{group}'", fix="use majors or all")
        span = parse_years((from_, to))
        wh = Warehouse(warehouse, read_only=True)
        table = structure.capability_concentration(
            wh.table("nmc"),
            group="majors" if group == "majors" else "all",
            majors=wh.table("cow_majors"),
            years=span,
        )
        if output is not None:
            _write_table(table, output)
        if as_json:
            _emit_json(
                {
                    "group": group,
                    "years": span,
                    "rows": table.to_dicts(),
                    "output": str(output) if output else None,
                }
            )
        elif output is None:
            out.print(table)
        err.print(f"{table.height} years, group {group}")

    _run(as_json, body)

