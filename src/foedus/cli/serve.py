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
    workers: Annotated[int, typer.Option(
        "--workers", min=1, max=64, help="Server processes sharing the port (each with its own "
        "caches and --threads; the records database is shared).")] = 1,
    threads: Annotated[int, typer.Option("--threads", min=1, max=256,
                                         help="Threads computing answers, per process.")] = 4,
    database: Annotated[str | None, typer.Option(
        "--database", envvar="FOEDUS_DATABASE",
        help="Engagement-records database: a SQLite file or postgresql+psycopg://USER:PW@HOST/DB "
        "(default: records.sqlite beside the warehouse; env FOEDUS_DATABASE).")] = None,
    warm: Annotated[bool, typer.Option("--warm/--no-warm", help="Build the shared caches at "
                                       "start-up (default: yes).")] = True,
    allowed_host: Annotated[list[str] | None, typer.Option(
        "--allowed-host", help="Another host name the server answers for (repeatable; the "
        "loopback names always are; others get 400, against DNS rebinding).")] = None,
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
        if database is not None:  # an explicit records database must open (and is migrated) now
            from foedus.records import RecordStore

            RecordStore(database).close()
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
    hosts = list(allowed_host or [])
    if host.strip("[]") not in ("0.0.0.0", "::", ""):
        hosts.append(host)
    options = {"warehouse": str(path), "row_limit": row_limit, "time_limit_s": time_limit,
               "workers": threads, "warm": warm, "allowed_hosts": hosts, "database": database}
    document = {"url": url, "dashboard": f"{url}/dashboard/", "api": f"{url}/api/v1",
                "docs": f"{url}/api/docs",
                "openapi": f"{url}/openapi.json", "warehouse": str(path), "host": host,
                "port": actual, "pid": os.getpid(), "row_limit": row_limit,
                "time_limit_s": time_limit, "workers": workers, "threads": threads}
    if as_json:
        _emit_json(document)
    _say(f"foedus dashboard on {url}/dashboard/, API on {url}/api/v1 (docs: {url}/api/docs); "
         "Ctrl-C stops it")
    try:
        if workers == 1:
            config = uvicorn.Config(create_app(**options),  # type: ignore[arg-type]
                                    log_level=log_level, access_log=False, lifespan="on")
            uvicorn.Server(config).run(sockets=[sock])
        else:
            # Each worker process builds the same app from the environment (spawned processes
            # inherit it) and accepts connections on the socket bound here.
            import json

            from uvicorn.supervisors import Multiprocess

            from foedus.api.app import SERVE_OPTIONS_ENV

            os.environ[SERVE_OPTIONS_ENV] = json.dumps(options)
            config = uvicorn.Config("foedus.api.app:app_from_environment", factory=True,
                                    workers=workers, log_level=log_level, access_log=False,
                                    lifespan="on")
            Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()


