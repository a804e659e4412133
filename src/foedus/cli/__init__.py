"""The ``foedus`` command line: data import and status, frames, citations.

Results go to stdout (one JSON document with ``--json``); messages and progress go to stderr.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from foedus.cli_support import JsonOpt, WarehouseOpt, err, out
from foedus.cli_support import emit_json as _emit_json
from foedus.cli_support import run as _run
from foedus.errors import FoedusError

class _LazyGroup(TyperGroup):
    """The top-level group: commands of ``_registry.LAZY_COMMANDS`` are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from foedus.cli._registry import LAZY_COMMANDS

        return sorted({*super().list_commands(ctx), *(c.name for c in LAZY_COMMANDS)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None:
            return found
        from foedus.cli._registry import LAZY_COMMANDS

        for entry in LAZY_COMMANDS:
            if entry.name == cmd_name:
                import importlib

                module_name, _, attr = entry.target.partition(":")
                sub = getattr(importlib.import_module(module_name), attr)
                command = typer.main.get_command(sub)
                command.name = entry.name
                if not command.help:
                    command.help = entry.help
                self.add_command(command, entry.name)
                return command
        return None


app = typer.Typer(
    cls=_LazyGroup,
    name="foedus",
    help="Military diplomacy analytics from real public datasets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Import, fetch and inspect source datasets.", no_args_is_help=True)
frame_app = typer.Typer(help="Build state-year and dyad-year frames.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(frame_app, name="frame")

def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _warehouse(path: Path | None, *, read_only: bool) -> Any:
    from foedus.warehouse import Warehouse

    return Warehouse(path, read_only=read_only)


# ---------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------
def _records_json(records: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "table": r.table,
            "source": r.source,
            "version": r.version,
            "format": r.format_id,
            "file": r.path,
            "rows": r.rows,
            "columns": r.columns,
            "sha256": r.sha256,
            "checksum_matches_official": r.checksum_ok,
            "imported_at": r.imported_at.isoformat(),
        }
        for r in records
    ]


@data_app.command("import")
def data_import(
    source: Annotated[str, typer.Argument(help="Source name, e.g. atop, nmc, cow-states.")],
    path: Annotated[Path, typer.Argument(help="The release file to import.")],
    format_id: Annotated[
        str | None, typer.Option("--format", help="Parser to use (see `foedus data sources`).")
    ] = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import one release file of SOURCE into the warehouse (all-or-nothing)."""

    def body() -> None:
        with _warehouse(warehouse, read_only=False) as wh:
            records = wh.import_file(path, source, format_id=format_id)
            if as_json:
                _emit_json({"warehouse": str(wh.path), "imported": _records_json(records)})
            for r in records:
                err.print(f"imported {r.table}: {r.label()}, {r.rows:,} rows")

    _run(as_json, body)


@data_app.command("import-all")
def data_import_all(
    directory: Annotated[
        Path, typer.Argument(help="Folder holding official release files (searched recursively).")
    ],
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import every recognised release file under DIRECTORY in one transaction."""

    def body() -> None:
        started = time.perf_counter()
        with _warehouse(warehouse, read_only=False) as wh:
            records = _import_with_progress(wh, directory)
        elapsed = time.perf_counter() - started
        if as_json:
            _emit_json(
                {
                    "warehouse": str(wh.path),
                    "seconds": round(elapsed, 3),
                    "imported": _records_json(records),
                }
            )
        else:
            _print_status_table(records)
        err.print(f"imported {len(records)} release files into {wh.path} in {elapsed:.1f} s")

    _run(as_json, body)


def _import_with_progress(wh: Any, directory: Path) -> list[Any]:
    """``import_dir`` with a progress bar over the files being parsed."""
    from foedus.warehouse import scan_directory

    with _progress() as progress:
        task = progress.add_task("parsing", total=len(scan_directory(directory)))

        def tick(path: Path, release: Any) -> None:
            progress.update(task, advance=1, description=f"parsing {path.name}")

        return list(wh.import_dir(directory, on_file=tick))


def _print_status_table(records: list[Any]) -> None:
    table = Table("table", "source", "version", "file", "rows")
    for r in records:
        table.add_row(
            r.table,
            r.source,
            r.version,
            Path(r.path).name + (f" via {r.via}" if r.via else ""),
            f"{r.rows:,}",
        )
    out.print(table)


@data_app.command("status")
def data_status(warehouse: WarehouseOpt = None, as_json: JsonOpt = False) -> None:
    """Show what the warehouse holds and which release serves each table."""

    def body() -> None:
        from foedus.warehouse import Warehouse

        wh = Warehouse(warehouse, read_only=True) if (warehouse or _default_exists()) else None
        if wh is None:
            status = None
        else:
            with wh:
                status = wh.status()
        if as_json:
            _emit_json(
                {
                    "warehouse": str(wh.path) if wh else None,
                    "releases": status.to_dicts() if status is not None else [],
                }
            )
            return
        if status is None or status.height == 0:
            err.print("the warehouse is empty: import data with `foedus data import-all DIR`")
            return
        table = Table(
            "table", "source", "version", "file", "rows", "in use", "checksum", "imported"
        )
        for row in status.iter_rows(named=True):
            mark = "✔" + (" (pinned)" if row["pinned"] else "") if row["in_use"] else ""
            table.add_row(
                row["table"],
                row["source"],
                row["version"],
                row["file"],
                f"{row['rows']:,}",
                mark,
                row["checksum"],
                row["imported_at"].strftime("%Y-%m-%d %H:%M"),
            )
        out.print(table)
        err.print(f"warehouse: {wh.path}" if wh else "")

    _run(as_json, body)


def _default_exists() -> bool:
    from foedus.warehouse import default_path

    return default_path().exists()


@data_app.command("pin")
def data_pin(
    table: Annotated[str, typer.Argument(help="Canonical table, e.g. nmc.")],
    version: Annotated[str, typer.Argument(help="Version to use, e.g. 6.0.")],
    format_id: Annotated[str | None, typer.Option("--format")] = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Serve TABLE from VERSION instead of the newest imported release."""

    def body() -> None:
        with _warehouse(warehouse, read_only=False) as wh:
            record = wh.pin(table, version, format_id)
        if as_json:
            _emit_json({"pinned": _records_json([record])[0]})
        err.print(f"{table} now served by {record.label()}")

    _run(as_json, body)


@data_app.command("unpin")
def data_unpin(
    table: Annotated[str, typer.Argument(help="Canonical table, e.g. nmc.")],
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Go back to the newest imported release for TABLE."""

    def body() -> None:
        with _warehouse(warehouse, read_only=False) as wh:
            wh.unpin(table)
            record = wh.active(table)
        if as_json:
            _emit_json({"in_use": _records_json([record])[0]})
        err.print(f"{table} served by {record.label()}")

    _run(as_json, body)


@data_app.command("unresolved")
def data_unresolved(warehouse: WarehouseOpt = None, as_json: JsonOpt = False) -> None:
    """List every name in the imported instrument sources that could not be resolved to a state."""

    def body() -> None:
        from foedus.sources.instruments.countries import NAME_COLUMNS, unresolved_in

        with _warehouse(warehouse, read_only=True) as wh:
            tables = {
                t: (wh.table(t), Path(wh.active(t).path).name) for t in NAME_COLUMNS if wh.has(t)
            }
            listing = unresolved_in(tables)
        if as_json:
            _emit_json({"unresolved": listing.to_dicts(), "tables": sorted(tables)})
            return
        if listing.height:
            out.print(listing)
        err.print(f"{listing.height} unresolved names in {len(tables)} tables")

    _run(as_json, body)


@data_app.command("sources")
def data_sources(as_json: JsonOpt = False) -> None:
    """List every declared source, its releases and the file names `import-all` recognises."""
    from foedus.sources.catalog import SOURCES

    rows = [
        {
            "source": s.name,
            "title": s.title,
            "version": r.version,
            "file": r.filename,
            "format": r.format_id,
            "table": r.table,
            "official": r.official,
            "via": r.via,
            "landing_page": s.landing_page,
        }
        for s in SOURCES.values()
        for r in s.releases
    ]
    if as_json:
        _emit_json({"releases": rows})
        return
    table = Table("source", "version", "file", "table", "via")
    for row in rows:
        table.add_row(
            *(str(row[k]) for k in ("source", "version", "file", "table")),
            str(row["via"] or "official"),
        )
    out.print(table)


@data_app.command("fetch")
def data_fetch(
    source: Annotated[str, typer.Argument(help="Source name, e.g. atop.")],
    dest: Annotated[Path, typer.Option("--dest", help="Download folder.")] = Path("downloads"),
    timeout: Annotated[float, typer.Option(help="Seconds before giving up on the network.")] = 5.0,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Download SOURCE from its official URL, verify its checksum and import it."""

    def body() -> None:
        from foedus.sources.fetch import fetch_source

        with _warehouse(warehouse, read_only=False) as wh:
            records = fetch_source(source, dest, wh, timeout=timeout, log=err.print)
        if as_json:
            _emit_json({"imported": _records_json(records)})

    _run(as_json, body)


# ---------------------------------------------------------------------------------------------
# frames
# ---------------------------------------------------------------------------------------------
def _split_with(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v.strip()]


def _finish_frame(frame: Any, output: Path | None, as_json: bool, started: float) -> None:
    if output is not None:
        frame.write(output)
    elapsed = time.perf_counter() - started
    summary = frame.provenance() | {
        "seconds": round(elapsed, 3),
        "output": str(output) if output else None,
        "column_names": frame.columns,
    }
    if as_json:
        if output is None:
            summary["preview"] = frame.df.head(10).to_dicts()
        _emit_json(summary)
    elif output is None:
        out.print(frame.df)
    err.print(
        f"{frame.summary()}" + (f" → {output}" if output else "") + f" [{elapsed:.2f} s]",
        highlight=False,
    )


@frame_app.command("dyad-years")
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
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Build a dyad-year frame, enrich it, and print or write it."""

    def body() -> None:
        import foedus

        started = time.perf_counter()
        if region:  # an unknown region fails before any work
            from foedus.regions.schemes import get_region

            get_region(region)
        with _progress() as progress:
            progress.add_task("building dyad-years", total=None)
            frame = foedus.dyad_years(system, directed=directed, years=years, warehouse=warehouse)
            frame = frame.enrich(_split_with(with_), whittle=_split_with(whittle) or None)
            if region:
                from foedus.regions.schemes import filter_region

                frame = filter_region(frame, region, side=region_side)  # type: ignore[arg-type]
        _finish_frame(frame, output, as_json, started)

    _run(as_json, body)


@frame_app.command("state-years")
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
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Build a state-year frame, enrich it, and print or write it."""

    def body() -> None:
        import foedus

        started = time.perf_counter()
        if region:  # an unknown region fails before any work
            from foedus.regions.schemes import get_region

            get_region(region)
        with _progress() as progress:
            progress.add_task("building state-years", total=None)
            frame = foedus.state_years(system, years=years, warehouse=warehouse)
            frame = frame.enrich(_split_with(with_))
            if region:
                from foedus.regions.schemes import filter_region

                frame = filter_region(frame, region)
        _finish_frame(frame, output, as_json, started)

    _run(as_json, body)


# ---------------------------------------------------------------------------------------------
# citations and the main job
# ---------------------------------------------------------------------------------------------
@app.command("cite")
def cite(
    sources: Annotated[
        list[str] | None,
        typer.Argument(help="Source names (default: every source in use in the warehouse)."),
    ] = None,
    frame_file: Annotated[
        Path | None,
        typer.Option("--frame", help="A Parquet frame written by foedus: cite what it used."),
    ] = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print BibTeX for sources by name, for a written frame, or for everything imported."""

    def body() -> None:
        from foedus.provenance import bibtex_for

        names = list(sources or [])
        if frame_file is not None:
            names += _sources_in_frame_file(frame_file)
        if not names:
            with _warehouse(warehouse, read_only=True) as wh:
                names = sorted({r.source for r in wh.records()})
        text, keys = bibtex_for(names)
        if as_json:
            _emit_json({"sources": names, "keys": keys, "bibtex": text})
        else:
            sys.stdout.write(text)

    _run(as_json, body)


def _sources_in_frame_file(path: Path) -> list[str]:
    import polars as pl

    try:
        meta = pl.read_parquet_metadata(path)
    except Exception as exc:  # noqa: BLE001 — any unreadable file gets the same advice
        raise FoedusError(
            f"cannot read '{path}' as Parquet ({exc})",
            where=str(path),
            fix="give a .parquet frame written by `foedus frame … -o FILE.parquet`",
        ) from None
    if "foedus" not in meta:
        raise FoedusError(
            "the file carries no foedus provenance",
            where=str(path),
            fix="cite sources by name instead: foedus cite atop nmc …",
        )
    prov = json.loads(meta["foedus"])
    names: list[str] = []
    for used in prov["sources"]:
        if used["source"] not in names:
            names.append(used["source"])
        if (
            used.get("via", "")
            and str(used["via"]).startswith("peacesciencer")
            and "peacesciencer" not in names
        ):
            names.append("peacesciencer")
    return names


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
        import foedus

        started = time.perf_counter()
        with _warehouse(warehouse, read_only=False) as wh:
            records = _import_with_progress(wh, data_dir)
        err.print(f"warehouse {wh.path}: {len(records)} release files imported")
        frame = foedus.dyad_years("cow", directed=True, years=years, warehouse=wh.path)
        frame = frame.enrich(STANDARD_DYAD_ENRICHMENTS)
        _finish_frame(frame, output, as_json, started)

    _run(as_json, body)


STANDARD_DYAD_ENRICHMENTS = ["atop", "nmc", "majors", "contiguity", "gml-mids", "peace-years"]


@app.command("version")
def version(as_json: JsonOpt = False) -> None:
    """Print the foedus version."""
    import foedus

    if as_json:
        _emit_json({"version": foedus.__version__})
    else:
        out.print(foedus.__version__)


def _register_families() -> None:
    from foedus.alliances.cli import register as register_alliances

    register_alliances(app)
    from foedus.measures.cli import register as register_measures

    register_measures(app)
    from foedus.frames.instruments.cli_arms import register as register_arms

    register_arms(app)
    from foedus.measures.cli_instruments import register as register_instruments

    register_instruments(app)
    from foedus.models.cli import register as register_assess

    register_assess(app)
    from foedus.assessment.cli import register as register_brief

    register_brief(app)
    from foedus.api.cli import register as register_api

    register_api(app)


_register_families()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
