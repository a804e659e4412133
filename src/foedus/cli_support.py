"""Kept for callers of the earlier name: everything lives in :mod:`foedus.cli._support`.

Example:
    >>> from foedus.cli_support import run
    >>> run(False, lambda: 42)
    42
"""

from foedus.cli._support import (
    JsonOpt,
    OutputOpt,
    WarehouseOpt,
    check_output,
    emit_json,
    err,
    out,
    run,
    write_table,
)

__all__ = [
    "JsonOpt",
    "OutputOpt",
    "WarehouseOpt",
    "check_output",
    "emit_json",
    "err",
    "out",
    "run",
    "write_table",
]
