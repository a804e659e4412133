"""``foedus events``: military cooperation and conflict from event data (GDELT, ICEWS), on DuckDB
or Apache Spark."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from foedus.cli_support import JsonOpt, WarehouseOpt, emit_json, err, out, run

app = typer.Typer(help="Event data: monthly military cooperation/conflict, anomalies, top dyads, "
                  "and the aggregation pipeline on DuckDB or Spark.", no_args_is_help=True)

EngineOpt = Annotated[str, typer.Option("--engine", help="duckdb (default) or spark.")]
MasterOpt = Annotated[str, typer.Option("--master", help="Spark master URL (local[2], "
                                        "spark://host:7077).")]
SourceOpt = Annotated[str, typer.Option("--source", help="gdelt, gdelt-georgia or icews.")]


@contextmanager
def _progress_bar() -> Iterator[Callable[[str, float | None], None] | None]:
    """A progress callback drawing one bar on stderr (``None`` when stderr is not a terminal)."""
    if not err.is_terminal:
        yield None
        return
    from foedus.cli.data import progress as progress_display

    with progress_display() as bar:
        task = bar.add_task("events", total=100)

        def show(step: str, percent: float | None) -> None:
            bar.update(task, description=f"events: {step}", completed=percent or 0)

        yield show


@app.command("dyad")
def dyad(
    a: Annotated[str, typer.Argument(help="State: name, ISO3 or COW code.")],
    b: Annotated[str, typer.Argument(help="State: name, ISO3 or COW code.")],
    start: Annotated[str, typer.Option("--from", help="First month YYYY-MM.")] = "2018-01",
    end: Annotated[str, typer.Option("--to", help="Last month YYYY-MM.")] = "2018-12",
    directed: Annotated[bool, typer.Option(help="Only A → B events.")] = False,
    source: SourceOpt = "gdelt", engine: EngineOpt = "duckdb", master: MasterOpt = "local[2]",
    warehouse: WarehouseOpt = None, as_json: JsonOpt = False,
) -> None:
    """Monthly military cooperation and conflict between A and B, with anomaly flags."""

    def body() -> None:
        from foedus.events.monitor import dyad_monthly

        with _progress_bar() as show:
            doc = dyad_monthly(a, b, start, end, source=source, engine=engine, master=master,
                               warehouse=warehouse, directed=directed, progress=show)
        if as_json:
            emit_json(doc)
            return
        from rich.table import Table

        table = Table("month", "coop. events", "cooperation", "conflict events", "conflict",
                      "z", "anomaly", title=f"{doc['a']['name']}–{doc['b']['name']} "
                      f"({doc['source']}, {doc['engine']})")
        for m in doc["months"]:
            if not m["covered"]:
                table.add_row(m["month"], "no data", "", "", "", "", "")
                continue
            table.add_row(m["month"], f"{m['cooperation_events']:,}", f"{m['cooperation']:.1f}",
                          f"{m['conflict_events']:,}", f"{m['conflict']:.1f}",
                          "" if m["conflict_z"] is None else f"{m['conflict_z']:.2f}",
                          "yes" if m["anomaly"] else "")
        out.print(table)

    run(as_json, body)


@app.command("top")
def top(
    year: Annotated[int, typer.Option("--year", help="Year.")],
    n: Annotated[int, typer.Option("--top", help="How many dyads.")] = 10,
    source: SourceOpt = "gdelt", engine: EngineOpt = "duckdb", master: MasterOpt = "local[2]",
    warehouse: WarehouseOpt = None, as_json: JsonOpt = False,
) -> None:
    """The directed dyads with the most military cooperation and conflict events in YEAR."""

    def body() -> None:
        from foedus.events.monitor import top_dyads

        with _progress_bar() as show:
            doc = top_dyads(year, source=source, engine=engine, n=n, master=master,
                            warehouse=warehouse, progress=show)
        if as_json:
            emit_json(doc)
            return
        for kind in ("cooperation", "conflict"):
            out.print(f"[bold]{kind}[/]")
            for r in doc[kind]:
                out.print(f"  {r['ccode1']} → {r['ccode2']}: {r['events']:,} events, index "
                          f"{r['index']:.1f}")

    run(as_json, body)


@app.command("aggregate")
def aggregate(
    files: Annotated[list[Path], typer.Argument(help="GDELT event files (official .CSV layout, "
                                                "zipped as distributed (.CSV.zip) or not, CSV "
                                                "with header, or Parquet).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="FILE.parquet or FILE.csv")],
    period: Annotated[str, typer.Option("--by", help="year, month or day.")] = "month",
    engine: EngineOpt = "duckdb", master: MasterOpt = "local[2]",
    memory_limit: Annotated[str | None, typer.Option(help="DuckDB memory limit (default 2500MB); beyond it DuckDB spills to a temporary folder.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Aggregate event files to directed dyad-period counts per military event family."""

    def body() -> None:
        from foedus.errors import FoedusError
        from foedus.events.pipeline import aggregate_events

        suffix = output.suffix.lower()
        if suffix not in (".parquet", ".csv"):
            raise FoedusError(f"cannot write '{suffix or output.name}'", where=str(output),
                              fix="use a .parquet or .csv file name")
        if output.is_dir() or not output.parent.is_dir():
            raise FoedusError("the output folder does not exist or the path is a folder",
                              where=str(output), fix="give a file in an existing folder")
        with _progress_bar() as show:
            result = aggregate_events(files, engine=engine, period=period, master=master,
                                      memory_limit=memory_limit, progress=show)
        tmp = output.with_name(f".{output.name}.partial")
        try:
            (result.table.write_parquet if suffix == ".parquet" else result.table.write_csv)(tmp)
            tmp.replace(output)
        finally:
            tmp.unlink(missing_ok=True)
        report = result.report() | {"output": str(output)}
        if as_json:
            emit_json(report)
        else:
            err.print(f"{report['rows_read']:,} rows read, {report['malformed_rows']:,} malformed, "
                      f"{report['output_rows']:,} dyad-{period}-family rows → {output} "
                      f"({report['seconds']:.1f} s, {engine})")
            for bad in report["malformed_examples"][:10]:
                err.print(f"  {bad['file']}, line {bad.get('line', '?')}: {bad['error']}")

    run(as_json, body)
