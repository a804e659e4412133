"""What ``foedus serve`` needs besides the app: the warehouse to serve (imported first when asked),
a listening socket, and whether an address is this machine only (the command is
:mod:`foedus.cli.serve`)."""

from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path
from typing import Any

from foedus.errors import FoedusError, MissingDataError

IMPORT_FIX = ("import the official release files first: `foedus data import-all DIR`, or start "
              "with `foedus serve --data DIR` to import them now")


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
