"""``foedus similarity --year Y``: the alliance-portfolio similarity matrix of a year (``docs/cli-measures.md``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from foedus.cli._support import JsonOpt, WarehouseOpt, check_output, err, out
from foedus.cli._support import emit_json as _emit_json
from foedus.cli._support import run as _run
from foedus.cli._support import write_table as _write_table

app = typer.Typer()


def _frame_for_year(wh: Any, year: int) -> Any:
    from foedus.frames.universe import state_years

    return state_years("cow", years=year, warehouse=wh)


@app.command("similarity")
def similarity_cmd(
    year: Annotated[int, typer.Option(help="Year (ATOP: 1816-2018).")],
    measure: Annotated[
        str, typer.Option(help="One of the 11 measures, e.g. s_un_val_sq, tau_b, kappa, pi.")
    ] = "s_un_val_sq",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the matrix (.csv, .parquet).")
    ] = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Alliance-portfolio similarity of every pair of states in YEAR, as a matrix."""

    def body() -> None:
        check_output(output, (".csv", ".parquet"))
        from foedus.frames.systems import create_state_years
        from foedus.measures import similarity
        from foedus.warehouse import Warehouse

        started = time.perf_counter()
        wh = Warehouse(warehouse, read_only=True)
        frame = _frame_for_year(wh, year)
        ddy, _ = frame._atop_obligations()
        members = create_state_years(
            wh.table("cow_system"), system="cow", years=(year, year)
        ).select("ccode", "year")
        caps = wh.table("nmc") if measure in similarity.WEIGHTED_MEASURES else None
        codes, matrix = similarity.similarity_matrix(
            ddy, members, year, measure=measure, capabilities=caps
        )
        import polars as pl

        wide = pl.DataFrame(
            {"ccode": list(codes)} | {str(c): matrix[:, i] for i, c in enumerate(codes)}
        )
        if output is not None:
            _write_table(wide, output)
        if as_json:
            _emit_json(
                {
                    "year": year,
                    "measure": measure,
                    "codes": list(map(int, codes)),
                    "matrix": matrix.tolist(),
                    "output": str(output) if output else None,
                }
            )
        elif output is None:
            out.print(wide)
        err.print(
            f"{len(codes)} states × {len(codes)}, {measure}, {year} "
            f"[{time.perf_counter() - started:.2f} s]"
        )

    _run(as_json, body)

