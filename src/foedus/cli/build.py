"""``foedus build``: the main job — import a data folder, write the standard dyad-year file."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from foedus.cli._support import JsonOpt, WarehouseOpt, check_output, err
from foedus.cli._support import run as _run
from foedus.cli.data import import_with_progress
from foedus.cli.data import open_warehouse as _warehouse
from foedus.cli.frame import finish_frame

app = typer.Typer()


@app.command("build")
def build(
    data_dir: Annotated[
        Path, typer.Argument(help="Folder with the official release files.")
    ] = Path("../shared/data"),
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Where to write the standard dyad-year file.")
    ] = Path("out/cow_dyad_years.parquet"),
    years: Annotated[str, typer.Option(help="Years of the dyad-year file.")] = "1816-2024",
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Main job: import DATA_DIR into the warehouse and write the standard COW directed dyad-year file
    (ATOP, NMC, majors, contiguity, GML MIDs, peace-years)."""

    def body() -> None:
        check_output(output, (".parquet", ".csv", ".dta"))
        from foedus.frames.universe import STANDARD_DYAD_ENRICHMENTS, dyad_years

        started = time.perf_counter()
        with _warehouse(warehouse, read_only=False) as wh:
            records = import_with_progress(wh, data_dir)
        err.print(f"warehouse {wh.path}: {len(records)} release files imported")
        frame = dyad_years("cow", directed=True, years=years, warehouse=wh.path)
        written = frame.write_enriched(output, STANDARD_DYAD_ENRICHMENTS)
        finish_frame(frame, output, as_json, started, written)

    _run(as_json, body)



