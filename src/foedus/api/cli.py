"""``foedus serve``: run the REST API (and whatever the lead mounts on it) on localhost.

``register(app)`` adds the command to the main ``foedus`` Typer app. Conventions as every foedus
command: messages on stderr; ``--json`` prints exactly one JSON document on stdout (here: where the
server listens, before it starts serving); a :class:`~foedus.errors.FoedusError` exits with
status 2 (with a JSON error document under ``--json``).
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from foedus.errors import FoedusError, MissingDataError

IMPORT_FIX = ("import the official release files first: `foedus data import-all DIR`, or start "
              "with `foedus serve --data DIR` to import them now")


def _emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, default=str, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address or ``localhost``.

    Example:
        >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
        (True, True, False)
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def prepare_warehouse(path: Path | None, data: Path | None, *, log: Any = _say) -> Path:
    """The warehouse to serve: imports ``data`` first when the warehouse is missing or empty;
    without ``data`` a missing or empty warehouse is a :class:`MissingDataError` saying how to
    import.

    Example:
        >>> import tempfile
        >>> prepare_warehouse(Path(tempfile.mkdtemp()) / "w.duckdb", None)
        Traceback (most recent call last):
        ...
        foedus.errors.MissingDataError: ...: the warehouse does not exist yet. Fix: import ...
    """
    from foedus.warehouse import Warehouse, default_path

    target = Path(path).expanduser() if path is not None else default_path()
    count = 0
    if target.exists():
        with Warehouse(target, read_only=True) as wh:
            count = len(wh.records())
    if count == 0 and data is None:
        state = "is empty" if target.exists() else "does not exist yet"
        raise MissingDataError(f"the warehouse {state}", where=str(target), fix=IMPORT_FIX)
    if count == 0:
        log(f"importing the release files under {data} into {target} …")
        with Warehouse(target) as wh:
            records = wh.import_dir(data)  # type: ignore[arg-type]
        log(f"imported {len(records)} release files")
    elif data is not None:
        log(f"the warehouse already holds {count} releases: --data ignored "
            "(re-import with `foedus data import-all DIR`)")
    return target


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: a free port).

    Example:
        >>> s = bind("127.0.0.1", 0); s.getsockname()[1] > 0
        True
        >>> s.close()
    """
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and accepted connections inherit it (without it every keep-alive answer waits ~40 ms for
    # the client's delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise FoedusError(f"cannot listen on {host}:{port} ({exc.strerror or exc})",
                          fix="choose another --port (or --port 0 for any free port)") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


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
    hosts = list(allowed_host or [])
    if host.strip("[]") not in ("0.0.0.0", "::", ""):
        hosts.append(host)
    app = create_app(path, row_limit=row_limit, time_limit_s=time_limit, workers=workers,
                     warm=warm, allowed_hosts=hosts)
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


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``foedus`` command.

    Example:
        >>> import typer
        >>> demo = typer.Typer()
        >>> register(demo)
        >>> [c.name for c in demo.registered_commands]
        ['serve']
    """
    app.command("serve")(serve_command)
