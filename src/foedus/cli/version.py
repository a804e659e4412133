"""``foedus version``: the installed version (imports nothing else, so it answers at once)."""

from __future__ import annotations

import typer

from foedus.cli._support import JsonOpt, emit_json, out

app = typer.Typer()


@app.command("version")
def version(as_json: JsonOpt = False) -> None:
    """Print the foedus version."""
    from foedus import __version__

    if as_json:
        emit_json({"version": __version__})
    else:
        out.print(__version__)
