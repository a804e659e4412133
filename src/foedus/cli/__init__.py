"""The ``foedus`` command line.

Every command lives in its own module ``foedus.cli.<name>`` (a Typer app) and is listed once in
:data:`foedus.cli._registry.LAZY_COMMANDS`; the top-level group (:mod:`foedus.cli._app`) imports a
command's module only when that command is used, so ``foedus --help`` and ``foedus version`` import
no data library. Results go to stdout (one JSON document with ``--json``); messages and progress go
to stderr; a :class:`~foedus.errors.FoedusError` exits with status 2.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["all_commands", "app", "main"]


def main() -> None:
    """Console-script entry point.

    ``foedus version`` (and ``--json``) is answered before the command machinery loads: it is
    what scripts and users run to check an installation, and it must answer at once.

    Example:
        >>> import sys
        >>> sys.argv = ["foedus", "version", "--json"]
        >>> main()
        {"version": "0.1.0"}
    """
    args = sys.argv[1:]
    if args in (["version"], ["version", "--json"]):
        from foedus import __version__

        if "--json" in args:
            sys.stdout.write('{"version": "' + __version__ + '"}\n')
        else:
            sys.stdout.write(__version__ + "\n")
        return
    from foedus.cli._app import app

    app()


def __getattr__(name: str) -> Any:
    # `from foedus.cli import app` loads Typer only when asked for.
    if name in ("app", "all_commands"):
        from foedus.cli import _app

        return getattr(_app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    main()
