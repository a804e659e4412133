"""``foedus similarity --year Y``: the alliance-portfolio similarity matrix of a year (``docs/cli-measures.md``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from foedus.cli._support import JsonOpt, WarehouseOpt, check_output, err, out
from foedus.cli._support import emit_json as _emit_json
from foedus.cli._support import run as _run
from foedus.cli._support import write_table as _write_table

app = typer.Typer()


@app.command("similarity")
def similarity_cmd(
    year: Annotated[int, typer.Option(help="Year (ATOP: 1816-2018).")],
    measure: Annotated[
        str, typer.Option(help="One of the 11 measures, e.g. s_un_val_sq, tau_b, kappa, pi.")
    ] = "s_un_val_sq",
    coding: Annotated[
        str,
        typer.Option(
            help="Tie coding: cow-types (default; 3 defence/offence, 2 neutrality/non-aggression,"
            " 1 consultation) or fpsim (FPSIM's ATOP ranking: 3 defence/offence, 2 neutrality/"
            "consultation, 1 non-aggression; tau-b over columns)."
        ),
    ] = "cow-types",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the matrix (.csv, .parquet).")
    ] = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Alliance-portfolio similarity of every pair of states in YEAR, as a matrix."""

    def body() -> None:
        check_output(output, (".csv", ".parquet"))
        import polars as pl

        from foedus.measures.year_views import similarity_of_year

        started = time.perf_counter()
        doc = similarity_of_year(year, measure, warehouse=warehouse, coding=coding)
        codes = doc["codes"]
        wide = pl.DataFrame(
            {"ccode": codes}
            | {str(c): [row[i] for row in doc["matrix"]] for i, c in enumerate(codes)},
            schema={"ccode": pl.Int64} | {str(c): pl.Float64 for c in codes},
        )
        if output is not None:
            _write_table(wide, output)
        if as_json:
            _emit_json(
                {
                    "year": year,
                    "measure": measure,
                    "coding": coding,
                    "codes": codes,
                    "abbreviations": doc["abbreviations"],
                    "names": doc["names"],
                    "matrix": doc["matrix"],
                    "provenance": doc["provenance"],
                    "output": str(output) if output else None,
                }
            )
        elif output is None:
            out.print(wide)
        err.print(
            f"{len(codes)} states × {len(codes)}, {measure} ({coding} coding), {year} "
            f"[{time.perf_counter() - started:.2f} s]"
        )

    _run(as_json, body)

