"""``foedus frame``: build state-year and dyad-year frames, enrich them, print or write them."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from foedus.cli._support import JsonOpt, WarehouseOpt, check_output, err, out
from foedus.cli._support import emit_json as _emit_json
from foedus.cli._support import run as _run
from foedus.cli.data import progress

app = typer.Typer(help="Build state-year and dyad-year frames.", no_args_is_help=True)


def _split_with(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v.strip()]


def finish_frame(frame: Any, output: Path | None, as_json: bool, started: float,
                 written: dict[str, Any] | None = None) -> None:  # fmt: skip
    """Write ``frame`` to ``output`` (unless ``written``, what ``Frame.write_enriched`` wrote),
    or print it; then the summary."""
    if written is None:
        if output is not None:
            frame.write(output, reuse=True)  # (unchanged since built: copies kept column chunks)
        written = frame.provenance() | {"column_names": frame.columns, "summary": frame.summary()}
    elapsed = time.perf_counter() - started
    described = {k: v for k, v in written.items() if k not in ("column_names", "summary")}
    summary = described | {
        "seconds": round(elapsed, 3),
        "output": str(output) if output else None,
        "column_names": written["column_names"],
    }
    if as_json:
        if output is None:
            summary["preview"] = frame.df.head(10).to_dicts()
        _emit_json(summary)
    elif output is None:
        out.print(frame.df)
    err.print(
        f"{written['summary']}" + (f" → {output}" if output else "") + f" [{elapsed:.2f} s]",
        highlight=False,
    )


@app.command("dyad-years")
def frame_dyad_years(
    system: Annotated[str, typer.Option(help="State system: cow or gw.")] = "cow",
    directed: Annotated[
        bool,
        typer.Option(
            "--directed/--non-directed", help="Directed (A→B and B→A) or non-directed dyads."
        ),
    ] = True,
    years: Annotated[
        str | None,
        typer.Option(help="Year or range, e.g. 1816-2024 (default: the system list's coverage)."),
    ] = None,
    with_: Annotated[
        str | None,
        typer.Option(
            "--with",
            help="Comma-separated enrichments: atop,nmc,majors,contiguity,cow-mids,gml-mids,peace-years,capital-distance,prd,gwcode,ccode.",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the frame (.parquet, .csv, .dta).")
    ] = None,
    whittle: Annotated[
        str | None,
        typer.Option(
            help="Order of the steps that whittle several MIDs in one dyad-year to one (default: "
            "onsets,fatality,hostility,mindur,maxdur,reciprocated,stmon,first)."
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(help="Keep only states (dyads: both states) of a region: asia-pacific, "
                     "cow:europe, un:eastern-asia… (`foedus region list`)."),
    ] = None,
    region_side: Annotated[
        str, typer.Option(help="With --region on dyads: both, either, 1 or 2.")
    ] = "both",
    recompute: Annotated[
        bool,
        typer.Option("--recompute", help="Compute the universe and every column from the releases, "
                     "not reading or keeping the columns kept beside the warehouse."),
    ] = False,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Build a dyad-year frame, enrich it, and print or write it."""

    def body() -> None:
        check_output(output, (".parquet", ".csv", ".dta"))
        from foedus.frames.universe import dyad_years

        started = time.perf_counter()
        if region:  # an unknown region fails before any work
            from foedus.regions.schemes import get_region

            get_region(region)
        with progress() as bar:
            bar.add_task("building dyad-years", total=None)
            frame = dyad_years(system, directed=directed, years=years, warehouse=warehouse,
                               reuse=not recompute)  # fmt: skip
            steps = _split_with(whittle) or None
            written = None
            if output is not None and not region:  # (kept parts are written without loading)
                written = frame.write_enriched(output, _split_with(with_), whittle=steps)
            else:
                frame = frame.enrich(_split_with(with_), whittle=steps)
            if region:
                from foedus.regions.schemes import filter_region

                frame = filter_region(frame, region, side=region_side)  # type: ignore[arg-type]
        finish_frame(frame, output, as_json, started, written)

    _run(as_json, body)


@app.command("state-years")
def frame_state_years(
    system: Annotated[str, typer.Option(help="State system: cow or gw.")] = "cow",
    years: Annotated[
        str | None,
        typer.Option(help="Year or range, e.g. 1946-2022 (default: the system list's coverage)."),
    ] = None,
    with_: Annotated[
        str | None,
        typer.Option(
            "--with", help="Comma-separated enrichments: nmc,majors,ucdp,gwcode,ccode,peace-years."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the frame (.parquet, .csv, .dta).")
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(help="Keep only states (dyads: both states) of a region: asia-pacific, "
                     "cow:europe, un:eastern-asia… (`foedus region list`)."),
    ] = None,
    recompute: Annotated[
        bool,
        typer.Option("--recompute", help="Compute the universe and every column from the releases, "
                     "not reading or keeping the columns kept beside the warehouse."),
    ] = False,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Build a state-year frame, enrich it, and print or write it."""

    def body() -> None:
        check_output(output, (".parquet", ".csv", ".dta"))
        from foedus.frames.universe import state_years

        started = time.perf_counter()
        if region:  # an unknown region fails before any work
            from foedus.regions.schemes import get_region

            get_region(region)
        with progress() as bar:
            bar.add_task("building state-years", total=None)
            frame = state_years(system, years=years, warehouse=warehouse, reuse=not recompute)
            written = None
            if output is not None and not region:  # (kept parts are written without loading)
                written = frame.write_enriched(output, _split_with(with_))
            else:
                frame = frame.enrich(_split_with(with_))
            if region:
                from foedus.regions.schemes import filter_region

                frame = filter_region(frame, region)
        finish_frame(frame, output, as_json, started, written)

    _run(as_json, body)


