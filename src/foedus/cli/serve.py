"""``foedus serve``: run the REST API and the dashboard on localhost (``docs/api-rest.md``).

Messages go to stderr; ``--json`` prints exactly one JSON document on stdout (where the server
listens, before it starts serving); a :class:`~foedus.errors.FoedusError` exits with status 2
(with a JSON error document under ``--json``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from foedus.cli._support import emit_json as _emit_json
from foedus.errors import FoedusError

app = typer.Typer()


def _say(message: str) -> None:
    import sys

    sys.stderr.write(message + "\n")
    sys.stderr.flush()


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on (default: loopback only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free port).")] = 8000,
    data: Annotated[Path | None, typer.Option(
        "--data", help="Folder of official release files, imported first if the warehouse is "
        "missing or empty.")] = None,
    warehouse: Annotated[Path | None, typer.Option(
        "--warehouse", "-w", envvar="FOEDUS_WAREHOUSE",
        help="Warehouse file (default: user data dir; env FOEDUS_WAREHOUSE).")] = None,
    row_limit: Annotated[int, typer.Option(help="Most rows a frame export may have.")] = 100_000,
    time_limit: Annotated[float, typer.Option(help="Seconds a request may take.")] = 10.0,
    workers: Annotated[int, typer.Option(help="Threads computing answers.")] = 4,
    warm: Annotated[bool, typer.Option("--warm/--no-warm", help="Build the shared caches at "
                                       "start-up (default: yes).")] = True,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document (the URL …) "
                                          "on stdout before serving.")] = False,
) -> None:
    """Serve the foedus REST API (docs at /api/docs) on localhost, read-only over the warehouse.

    Example:
        >>> serve_command(port=0, warehouse=Path("warehouse.duckdb"), as_json=True)  # doctest: +SKIP
        {"url": "http://127.0.0.1:40123", "api": "http://127.0.0.1:40123/api/v1", ...}
    """
    from foedus.api.server import bind, is_loopback, prepare_warehouse

    try:
        path = prepare_warehouse(warehouse, data)
        if not is_loopback(host):
            _say(f"warning: listening on {host}, not only on this machine")
        sock = bind(host, port)
    except FoedusError as exc:
        if as_json:
            _emit_json(exc.to_dict())
        _say(f"error: {exc}")
        raise typer.Exit(2) from None
    import uvicorn

    from foedus.api.app import create_app

    actual = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if ":" in host.strip("[]") else host
    url = f"http://{shown}:{actual}"
    app = create_app(path, row_limit=row_limit, time_limit_s=time_limit, workers=workers,
                     warm=warm)
    document = {"url": url, "dashboard": f"{url}/dashboard/", "api": f"{url}/api/v1",
                "docs": f"{url}/api/docs",
                "openapi": f"{url}/openapi.json", "warehouse": str(path), "host": host,
                "port": actual, "pid": os.getpid(), "row_limit": row_limit,
                "time_limit_s": time_limit}
    if as_json:
        _emit_json(document)
    _say(f"foedus dashboard on {url}/dashboard/, API on {url}/api/v1 (docs: {url}/api/docs); "
         "Ctrl-C stops it")
    config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


