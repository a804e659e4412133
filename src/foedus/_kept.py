"""Kept answers: documents computed from a warehouse, stored beside it, served again without
loading anything heavy.

An answer such as a dyad profile depends on the warehouse's content, on its arguments and on the
package (its code and the curated tables it ships). Its key is made of exactly these: the
warehouse file's identity (inode, size, modification time — an import writes a copy and swaps it
in, so every import, pin or unpin gives a new identity), the arguments, the foedus version and
the name, size and modification time of every file of the package. A hit is one ``stat`` per
package file and one small gzip-compressed JSON file; no Polars, no DuckDB.

This module imports only the standard library: it sits below the warehouse in the layer order
and is what ``foedus.warehouse`` builds on for the file's identity and default path.

Example:
    >>> import tempfile, pathlib
    >>> wh = pathlib.Path(tempfile.mkdtemp()) / "w.duckdb"
    >>> _ = wh.write_bytes(b"x")
    >>> calls = []
    >>> build = lambda: calls.append(1) or {"n": (1, 2)}
    >>> kept_document(wh, "demo", {"a": 1}, build), kept_document(wh, "demo", {"a": 1}, build)
    ({'n': [1, 2]}, {'n': [1, 2]})
    >>> len(calls)
    1
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["default_path", "file_identity", "kept_document", "package_digest", "write_atomic"]

#: Environment variable naming the warehouse file.
ENV_VAR = "FOEDUS_WAREHOUSE"

_PACKAGE = Path(__file__).resolve().parent
_SUFFIXES = (".py", ".csv", ".json", ".toml")
_MEMO: OrderedDict[str, dict[str, Any]] = OrderedDict()  # the last answers, in this process
_MEMO_SIZE = 64
_LOCK = threading.Lock()


def default_path() -> Path:
    """Where the warehouse lives unless told otherwise: ``$FOEDUS_WAREHOUSE`` or the user data dir.

    Example:
        >>> default_path().name
        'warehouse.duckdb'
    """
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("foedus", appauthor=False)) / "warehouse.duckdb"


def file_identity(path: Path) -> list[int] | None:
    """What identifies a warehouse file's current content: inode, size, modification time (and
    its write-ahead log's), or ``None`` when there is no file.

    Example:
        >>> file_identity(Path("/nonexistent/w.duckdb")) is None
        True
    """
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    wal = path.with_name(path.name + ".wal")
    try:
        ws = wal.stat()
        extra = [ws.st_size, ws.st_mtime_ns]
    except (FileNotFoundError, NotADirectoryError):
        extra = [0, 0]
    return [st.st_ino, st.st_size, st.st_mtime_ns, *extra]


def package_digest(package: Path = _PACKAGE) -> str:
    """What identifies the package's files: each file's name, size and modification time (code
    and shipped tables such as the curated alliance facts); ``stat`` calls only.

    Example:
        >>> len(package_digest())
        64
    """
    parts = []
    for root, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(_SUFFIXES):
                st = os.stat(os.path.join(root, name))
                rel = os.path.relpath(os.path.join(root, name), package)
                parts.append(f"{rel}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def kept_document(
    warehouse: Path, name: str, options: dict[str, Any], build: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """The document ``build`` returns for ``warehouse`` and ``options``, computed once and kept
    in the warehouse's snapshot folder (``<warehouse>.cache/answers/``) until the warehouse or
    the package changes. Returns the value as JSON gives it back (tuples become lists), on a
    hit and on a miss alike. Without a warehouse file nothing is kept.
    """
    from foedus import __version__

    identity = file_identity(warehouse)
    doc = {"name": name, "options": options, "warehouse": identity, "foedus": __version__,
           "package": package_digest()}  # fmt: skip
    key = hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()
    with _LOCK:
        found = _MEMO.get(key)
        if found is not None:
            _MEMO.move_to_end(key)
    if found is not None:
        return found
    path = warehouse.with_name(warehouse.name + ".cache") / "answers" / f"{name}-{key[:32]}.json.gz"
    try:
        found = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, ValueError, EOFError):
        text = json.dumps(build(), default=str, allow_nan=False)
        found = json.loads(text)
        if identity is not None and file_identity(warehouse) == identity:
            data = gzip.compress(text.encode(), compresslevel=3)
            write_atomic(path, lambda tmp: tmp.write_bytes(data))
    assert isinstance(found, dict)
    with _LOCK:
        _MEMO[key] = found
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    return found


def write_atomic(path: Path, write: Callable[[Path], object]) -> bool:
    """Have ``write`` write a temporary file beside ``path``, then move it into place: readers see
    the old file or the new one, never half of one. Best effort: a read-only folder only means
    nothing is kept (returns ``False``).

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "sub" / "a.txt"
        >>> write_atomic(target, lambda tmp: tmp.write_text("hi")), target.read_text()
        (True, 'hi')
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        os.replace(tmp, path)
        return True
    except OSError:
        tmp.unlink(missing_ok=True)
        return False
