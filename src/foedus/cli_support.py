"""What every ``foedus`` command shares: the two consoles, the ``--json`` and ``--warehouse``
options, one-document JSON output, and the translation of a :class:`~foedus.errors.FoedusError`
into a clear message and exit status 2.

Kept apart from :mod:`foedus.cli` so that each family of commands (alliances, instruments, models,
briefs, the API) can import it at module level without an import cycle.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from foedus.errors import FoedusError

T = TypeVar("T")

# Consoles look up sys.stdout/sys.stderr at each write, so redirection (and tests) see the output.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
WarehouseOpt = Annotated[
    Path | None,
    typer.Option(
        "--warehouse",
        "-w",
        envvar="FOEDUS_WAREHOUSE",
        help="Warehouse file (default: user data dir; env FOEDUS_WAREHOUSE).",
    ),
]


def emit_json(document: Any) -> None:
    """Write ``document`` as one line of JSON on stdout.

    Example:
        >>> emit_json({"rows": 2})
        {"rows": 2}
    """
    sys.stdout.write(json.dumps(document, default=str, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def run(as_json: bool, body: Callable[[], T]) -> T:
    """Run a command body; a FoedusError becomes a clear message (and a JSON error doc) + exit 2.

    Example:
        >>> run(False, lambda: 42)
        42
    """
    try:
        return body()
    except FoedusError as exc:
        if as_json:
            emit_json(exc.to_dict())
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
