"""What every ``foedus`` command shares: the two consoles, the ``--json`` and ``--warehouse``
options, one-document JSON output, and the translation of a :class:`~foedus.errors.FoedusError`
into a clear message and exit status 2.

Every command module under :mod:`foedus.cli` imports it at module level; it imports nothing heavy
(no Polars, no DuckDB), so loading one command costs only what that command needs.
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


OutputOpt = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="Write the result to FILE (format by extension)."),
]


def check_output(path: Path | None, allowed: tuple[str, ...]) -> Path | None:
    """Check an ``-o`` path before any work: a known extension and a writable place.

    Raises a :class:`~foedus.errors.FoedusError` (exit 2) when the extension is not one of
    ``allowed`` (e.g. ``(".csv", ".parquet")``), when the path is a directory, when a parent is a
    regular file, or when the folder cannot be written.

    Example:
        >>> check_output(Path("x.xlsx"), (".csv", ".parquet"))
        Traceback (most recent call last):
        ...
        foedus.errors.FoedusError: x.xlsx: cannot write '.xlsx' files. Fix: end the output name with .csv or .parquet
        >>> check_output(Path("out/x.csv"), (".csv",))
        PosixPath('out/x.csv')
    """
    if path is None:
        return None
    import os

    suffix = path.suffix.lower()
    if suffix not in allowed:
        names = ", ".join(allowed[:-1]) + (" or " if len(allowed) > 1 else "") + allowed[-1]
        raise FoedusError(
            f"cannot write '{suffix or 'no extension'}' files",
            where=str(path),
            fix=f"end the output name with {names}",
        )
    if path.is_dir():
        raise FoedusError(
            "the output path is a folder", where=str(path), fix="give a file name inside it"
        )
    parent = path.parent
    for ancestor in (parent, *parent.parents):
        if ancestor.exists():
            if not ancestor.is_dir():
                raise FoedusError(
                    f"'{ancestor}' is a file, not a folder",
                    where=str(path),
                    fix="choose an output path whose folders are folders",
                )
            if not os.access(ancestor, os.W_OK | os.X_OK):
                raise FoedusError(
                    f"cannot write in '{ancestor}' (permission denied)",
                    where=str(path),
                    fix="choose a folder you can write to",
                )
            break
    if path.exists() and not os.access(path, os.W_OK):
        raise FoedusError(
            "the output file cannot be overwritten (permission denied)",
            where=str(path),
            fix="choose another file name or make the file writable",
        )
    return path


def write_table(df: Any, path: Path) -> Path:
    """Write a Polars table by extension (``.csv`` or ``.parquet``) through a temporary file
    that replaces ``path`` only when complete.

    Example:
        >>> import polars as pl, tempfile
        >>> p = write_table(pl.DataFrame({"a": [1]}), Path(tempfile.mkdtemp()) / "t.csv")
        >>> p.read_text().split()
        ['a', '1']
    """
    check_output(path, (".csv", ".parquet"))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    try:
        if path.suffix.lower() == ".csv":
            df.write_csv(tmp)
        else:
            df.write_parquet(tmp)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise FoedusError(
            f"cannot write the file ({exc.strerror or exc})",
            where=str(path),
            fix="choose a writable output path",
        ) from None
    return path
