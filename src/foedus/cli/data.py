"""``foedus data``: import, fetch and inspect the source datasets in the warehouse."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from foedus.cli._support import JsonOpt, WarehouseOpt, err, out
from foedus.cli._support import emit_json as _emit_json
from foedus.cli._support import run as _run

app = typer.Typer(help="Import, fetch and inspect source datasets.", no_args_is_help=True)


class _Quiet:
    """What :func:`progress` gives when stderr is not a terminal: the same calls, nothing shown
    (and Rich's progress module, a sizeable import, is not loaded)."""

    def __enter__(self) -> _Quiet:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, description: str, **fields: Any) -> int:
        return 0

    def update(self, task: int, **fields: Any) -> None:
        return None

    def advance(self, task: int, advance: float = 1) -> None:
        return None


def progress() -> Any:
    """A transient progress display on stderr (nothing when stderr is not a terminal)."""
    if not err.is_terminal:
        return _Quiet()
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def open_warehouse(path: Path | None, *, read_only: bool) -> Any:
    """The warehouse at ``path`` (default: ``$FOEDUS_WAREHOUSE`` or the user data dir)."""
    from foedus.warehouse import Warehouse

    return Warehouse(path, read_only=read_only)


_warehouse = open_warehouse
_progress = progress


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


@app.command("import")
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


@app.command("import-all")
def data_import_all(
    directory: Annotated[
        Path, typer.Argument(help="Folder holding official release files (searched recursively).")
    ],
    prefer: Annotated[
        list[Path] | None,
        typer.Option(
            "--prefer",
            help="When one release file name is in several places, import the copy at (or "
            "under) PATH; repeatable.",
        ),
    ] = None,
    derive: Annotated[
        bool,
        typer.Option(
            "--derive/--no-derive",
            help="After importing, compute and keep what dyad profiles read (the engagement "
            "reference model, alliance similarity): the first `foedus dyad` then answers in "
            "about a second.",
        ),
    ] = True,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import every recognised release file under DIRECTORY in one transaction."""

    def body() -> None:
        started = time.perf_counter()
        with _warehouse(warehouse, read_only=False) as wh:
            records = import_with_progress(wh, directory, prefer=prefer or ())
        elapsed = time.perf_counter() - started
        derived = prepare_with_progress(wh.path) if derive else []
        if as_json:
            _emit_json(
                {
                    "warehouse": str(wh.path),
                    "seconds": round(elapsed, 3),
                    "imported": _records_json(records),
                    "derived": derived,
                }
            )
        else:
            _print_status_table(records)
        err.print(f"imported {len(records)} release files into {wh.path} in {elapsed:.1f} s")
        for item in derived:
            err.print(f"derived: {item['result']} — {item['status']} ({item['seconds']} s)")

    _run(as_json, body)


def import_with_progress(wh: Any, directory: Path, *, prefer: Any = ()) -> list[Any]:
    """``import_dir`` with a progress bar over the files being parsed (the writer lock and the
    file names are checked before any file is parsed)."""
    from foedus.warehouse import scan_directory

    total = len(scan_directory(directory, prefer=prefer))
    with wh.writer_lock(), _progress() as progress:
        task = progress.add_task("parsing", total=total)

        def tick(path: Path, release: Any) -> None:
            progress.update(task, advance=1, description=f"parsing {path.name}")

        return list(wh.import_dir(directory, on_file=tick, prefer=prefer))


def prepare_with_progress(path: Path) -> list[dict[str, Any]]:
    """:func:`foedus.measures.dyad_profile.prepare_dyad_profiles` with a progress display."""
    from foedus.measures.dyad_profile import prepare_dyad_profiles

    with _progress() as progress:
        progress.add_task("deriving the engagement model and alliance similarity", total=None)
        return prepare_dyad_profiles(path)


def _print_status_table(records: list[Any]) -> None:
    from rich.table import Table

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


@app.command("status")
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
        from rich.table import Table

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


@app.command("pin")
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


@app.command("unpin")
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


@app.command("unresolved")
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


@app.command("conflicts")
def data_conflicts(
    topic: Annotated[str, typer.Argument(help="What to compare: arms-control.")],
    treaty: Annotated[str | None, typer.Option("--treaty", help="Only this treaty.")] = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the list (.json, .csv, .parquet).")
    ] = None,
) -> None:
    """List every disagreement between sources that cover the same facts (arms-control)."""
    from foedus.cli.arms_control import conflicts_command

    conflicts_command(topic, treaty, warehouse, as_json, output)


@app.command("sources")
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
    from rich.table import Table

    table = Table("source", "version", "file", "table", "via")
    for row in rows:
        table.add_row(
            *(str(row[k]) for k in ("source", "version", "file", "table")),
            str(row["via"] or "official"),
        )
    out.print(table)


@app.command("fetch")
def data_fetch(
    source: Annotated[str, typer.Argument(help="Source name, e.g. atop.")],
    dest: Annotated[Path, typer.Option("--dest", help="Download folder.")] = Path("downloads"),
    timeout: Annotated[float, typer.Option(help="Seconds before giving up on the network.")] = 5.0,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Download SOURCE from its official URL, verify its checksum and import it."""

    def body() -> None:
        from foedus.fetch import fetch_source

        with _warehouse(warehouse, read_only=False) as wh:
            records = fetch_source(source, dest, wh, timeout=timeout, log=err.print)
        if as_json:
            _emit_json({"imported": _records_json(records)})

    _run(as_json, body)


