"""``foedus cite``: BibTeX for sources by name, for a written frame, or for everything imported."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from foedus.cli._support import JsonOpt, WarehouseOpt
from foedus.cli._support import emit_json as _emit_json
from foedus.cli._support import run as _run
from foedus.cli.data import open_warehouse as _warehouse
from foedus.errors import FoedusError

app = typer.Typer()


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


