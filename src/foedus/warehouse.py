"""The warehouse: one embedded DuckDB file holding every imported source table with its provenance.

Each imported release is stored in its own table (``<table>__<format_id>``) next to a catalogue row
(source, version, file, checksum, rows, import time). Readers ask for a *canonical* table name
(``nmc``, ``atop_member``…) and get the active release: the one the user pinned, else the newest
version, official files before re-published copies of the same version.

Imports are all-or-nothing: every file is parsed and validated before the first write, and all
writes happen in one transaction, so a failure leaves the warehouse exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl
else:  # imported on first use: a kept answer is served without Polars
    from foedus._lazy import module

    pl = module("polars")

from foedus._kept import default_path, file_identity, write_atomic
from foedus.errors import FoedusError, MissingDataError, WarehouseBusyError, WarehouseError
from foedus.provenance import Used
from foedus.sources.catalog import Release, all_releases, get_source, version_key
from foedus.sources.readers import LINE_COLUMN

if TYPE_CHECKING:
    import duckdb

#: Version of the snapshot folder's layout (a change makes readers rebuild it).
_SNAPSHOT_FORMAT = 1
#: Rows per row group of derived tables kept as Parquet (Polars' default size, fixed so that
#: tables of one height share their row-group boundaries and can be stitched column-wise).
DERIVED_ROW_GROUP_ROWS = 1 << 18

_CATALOGUE_DDL = """
CREATE TABLE IF NOT EXISTS _foedus_imports (
    storage      VARCHAR PRIMARY KEY,
    tbl          VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    version      VARCHAR NOT NULL,
    format_id    VARCHAR NOT NULL,
    official     BOOLEAN NOT NULL,
    via          VARCHAR,
    path         VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    checksum_ok  BOOLEAN,
    n_rows       BIGINT NOT NULL,
    n_columns    INTEGER NOT NULL,
    imported_at  TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS _foedus_pins (
    tbl      VARCHAR PRIMARY KEY,
    storage  VARCHAR NOT NULL
);
"""


@dataclass(frozen=True)
class ImportRecord:
    """The catalogue row of one imported release."""

    storage: str
    table: str
    source: str
    version: str
    format_id: str
    official: bool
    via: str | None
    path: str
    sha256: str
    checksum_ok: bool | None
    rows: int
    columns: int
    imported_at: datetime

    def label(self) -> str:
        """Human form, e.g. ``nmc 7.0 (cow_nmc.parquet via peacesciencer 1.2.9)``."""
        via = f" via {self.via}" if self.via else ""
        return f"{self.source} {self.version} ({Path(self.path).name}{via})"


@dataclass(frozen=True)
class ParsedRelease:
    """A release parsed and validated in memory, ready to be written."""

    release: Release
    path: Path
    frame: pl.DataFrame
    sha256: str


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, streamed.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"; _ = p.write_text("a")
        >>> file_sha256(p)[:8]
        'ca978112'
    """
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def parse_release(release: Release, path: Path) -> ParsedRelease:
    """Parse ``path`` with the release's format; raises a :class:`FoedusError` on bad input.

    The frame keeps each row's file line (``_line``) until it is written, so that checks made
    across files (state codes) can still name the line.

    Example:
        >>> from foedus.sources.catalog import release_for_filename
        >>> # parse_release(release_for_filename("states2016.csv"), Path(".../cow/states2016.csv"))
    """
    from foedus.sources.formats import FORMATS

    path = Path(path)
    if not path.is_file():
        raise FoedusError(
            "file not found", where=str(path), fix="give the path of the downloaded release file"
        )
    frame = FORMATS[release.format_id].parse(path, keep_lines=True)
    if frame.height == 0:
        raise FoedusError(
            "the file holds no data rows",
            where=str(path),
            fix="download the release again; the file looks empty or truncated",
        )
    return ParsedRelease(release, path, frame, file_sha256(path))


class Warehouse:
    """The embedded DuckDB warehouse.

    **Reading** never holds the file: the import catalogue and each table read are kept in a
    snapshot folder next to the warehouse (``<name>.cache/``: the catalogue as JSON, each table as
    an Arrow IPC file), keyed by the warehouse file's identity (inode, size, modification time), so
    a reader opens DuckDB only the first time a release is read after an import, and briefly.

    **Writing** (imports, pins) takes the warehouse's writer lock (``.<name>.lock``: a second
    import is refused at once, saying which process holds it), writes a copy of the file and
    swaps it in atomically: a running reader (``foedus serve``) keeps the file it opened and sees
    the new one when it checks :meth:`changed` (or calls :meth:`refresh`).

    Example:
        >>> import tempfile, pathlib
        >>> wh = Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb")
        >>> wh.status().height
        0
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.read_only = read_only
        self._con: duckdb.DuckDBPyConnection | None = None
        self._cache: dict[str, pl.DataFrame] = {}
        self._records: list[ImportRecord] | None = None
        self._pins: dict[str, str] | None = None
        self._identity: list[int] | None = None
        self._lock_depth = 0
        self._lock_handle: Any = None
        # Enrichers may read tables from several threads (Frame.enrich): the catalogue, the
        # connection and the table cache are filled under this lock.
        self._guard = threading.RLock()

    # -- the file -----------------------------------------------------------------------------
    def _check_file(self) -> None:
        """A clear error when the warehouse path is a folder or not a DuckDB file."""
        if self.path.is_dir():
            raise WarehouseError(
                "the warehouse path is a folder, not a warehouse file",
                where=str(self.path),
                fix="give a file path, e.g. --warehouse DIR/warehouse.duckdb",
            )
        if self.path.is_file():
            try:
                with self.path.open("rb") as handle:
                    head = handle.read(16)
            except OSError as exc:
                raise WarehouseError(
                    f"cannot read the warehouse file ({exc.strerror or exc})",
                    where=str(self.path),
                    fix="check the file's permissions, or choose another --warehouse",
                ) from None
            if len(head) >= 12 and head[8:12] != b"DUCK":
                raise WarehouseError(
                    "the file is not a foedus warehouse (not a DuckDB database)",
                    where=str(self.path),
                    fix="point --warehouse (or FOEDUS_WAREHOUSE) at a warehouse file, or at a new "
                    "file name to create one with `foedus data import-all DIR`",
                )
        parent = self.path.parent
        if parent.exists() and not parent.is_dir():
            raise WarehouseError(
                f"'{parent}' is a file, not a folder",
                where=str(self.path),
                fix="choose a warehouse path whose folders are folders",
            )

    def identity(self) -> list[int] | None:
        """What identifies the file's current content: inode, size, modification time (and its
        write-ahead log's), or ``None`` when there is no file yet."""
        return file_identity(self.path)

    def changed(self) -> bool:
        """Whether the file on disk is no longer the one this object has read from (an import
        replaced it).

        Example:
            >>> import tempfile, pathlib
            >>> Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb").changed()
            False
        """
        if self._records is None:
            return False  # nothing read yet: the next read sees the current file anyway
        return self.identity() != self._identity

    def refresh(self) -> bool:
        """Forget what was read if the file changed; returns whether it did."""
        if not self.changed():
            return False
        self.close()
        self._forget()
        return True

    def _forget(self) -> None:
        self._records = None
        self._pins = None
        self._identity = None
        self._cache.clear()

    # -- connection -------------------------------------------------------------------------
    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """A read-only DuckDB connection to the warehouse file (writes go through a copy)."""
        if self._con is None:
            if not self.path.exists():
                raise MissingDataError(
                    "the warehouse does not exist yet",
                    where=str(self.path),
                    fix="import data first: foedus data import-all DIR "
                    "(e.g. the folder holding the official release files)",
                )
            self._check_file()
            self._con = _connect(self.path, read_only=True)
        return self._con

    def close(self) -> None:
        """Close the connection (the file stays)."""
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _has_catalogue(self) -> bool:
        rows = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = '_foedus_imports'"
        ).fetchone()
        return bool(rows and rows[0])

    # -- snapshot of the catalogue and tables -------------------------------------------------
    @property
    def cache_dir(self) -> Path:
        """The snapshot folder next to the warehouse file."""
        return self.path.with_name(self.path.name + ".cache")

    def _load_catalogue(self) -> None:
        with self._guard:
            if self._records is not None and self._pins is not None:
                return
            ident = self.identity()
            if ident is None:
                self._records, self._pins, self._identity = [], {}, None
                return
            self._check_file()
            snapshot = self.cache_dir / "catalogue.json"
            try:
                doc = json.loads(snapshot.read_text())
                if doc.get("identity") == ident and doc.get("format") == _SNAPSHOT_FORMAT:
                    self._records = [_record_from_json(r) for r in doc["records"]]
                    self._pins = dict(doc["pins"])
                    self._identity = ident
                    return
            except (OSError, ValueError, KeyError, TypeError):
                pass
            self.close()  # a fresh connection sees the current file
            if self._has_catalogue():
                rows = self.con.execute(
                    "SELECT storage, tbl, source, version, format_id, official, via, path, sha256, "
                    "checksum_ok, n_rows, n_columns, imported_at FROM _foedus_imports "
                    "ORDER BY tbl, storage"
                ).fetchall()
                records = [ImportRecord(*row) for row in rows]
                pins = dict(self.con.execute("SELECT tbl, storage FROM _foedus_pins").fetchall())
            else:
                records, pins = [], {}
            self._records, self._pins, self._identity = records, pins, ident
            doc = {"format": _SNAPSHOT_FORMAT, "identity": ident,
                   "records": [_record_to_json(r) for r in records], "pins": pins}  # fmt: skip
            _write_atomic(snapshot, json.dumps(doc).encode())
            self._prune(records)

    def _prune(self, records: Sequence[ImportRecord]) -> None:
        keep = {_table_file_name(r) for r in records}
        folder = self.cache_dir / "tables"
        try:
            for old in folder.glob("*.arrow"):
                if old.name not in keep:
                    old.unlink(missing_ok=True)
            # Kept answers (foedus._kept) of an earlier file are never served again.
            written = self.path.stat().st_mtime_ns
            for old in (self.cache_dir / "answers").glob("*.json.gz"):
                if old.stat().st_mtime_ns < written:
                    old.unlink(missing_ok=True)
        except OSError:
            pass

    # -- imports ----------------------------------------------------------------------------
    def writer_lock(self) -> Any:
        """Hold the warehouse's writer lock (re-entrant): one import at a time, checked at once.

        Raises :class:`~foedus.errors.WarehouseBusyError` naming the process that holds it, or
        that holds the DuckDB file open for writing.
        """
        return _WriterLock(self)

    def write(self, parsed: Sequence[ParsedRelease]) -> list[ImportRecord]:
        """Write parsed releases in one transaction: all land or none does."""
        if self.read_only:
            raise FoedusError("the warehouse is open read-only", where=str(self.path))
        now = datetime.now(UTC).replace(tzinfo=None)
        records: list[ImportRecord] = []
        with self._writing() as con:
            for item in parsed:
                rel = item.release
                storage = f"{rel.table}__{rel.format_id}"
                arrow = item.frame.drop(LINE_COLUMN, strict=False).to_arrow()
                con.register("_incoming", arrow)
                con.execute(f'CREATE OR REPLACE TABLE "{storage}" AS SELECT * FROM _incoming')
                con.unregister("_incoming")
                checksum_ok = None if rel.sha256 is None else rel.sha256 == item.sha256
                record = ImportRecord(
                    storage,
                    rel.table,
                    rel.source,
                    rel.version,
                    rel.format_id,
                    rel.official,
                    rel.via,
                    str(item.path.resolve()),
                    item.sha256,
                    checksum_ok,
                    item.frame.height,
                    item.frame.drop(LINE_COLUMN, strict=False).width,
                    now,
                )
                con.execute("DELETE FROM _foedus_imports WHERE storage = ?", [storage])
                con.execute(
                    "INSERT INTO _foedus_imports VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [
                        record.storage,
                        record.table,
                        record.source,
                        record.version,
                        record.format_id,
                        record.official,
                        record.via,
                        record.path,
                        record.sha256,
                        record.checksum_ok,
                        record.rows,
                        record.columns,
                        record.imported_at,
                    ],
                )
                records.append(record)
        return records

    @contextmanager
    def _writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to a copy of the warehouse, swapped in when the block succeeds."""
        if self.read_only:
            raise FoedusError("the warehouse is open read-only", where=str(self.path))
        with self.writer_lock():
            self.close()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            work = self.path.with_name(f".{self.path.name}.{os.getpid()}.writing")
            for leftover in (work, work.with_name(work.name + ".wal")):
                leftover.unlink(missing_ok=True)
            if self.path.exists():
                shutil.copyfile(self.path, work)
                wal = self.path.with_name(self.path.name + ".wal")
                if wal.exists():
                    shutil.copyfile(wal, work.with_name(work.name + ".wal"))
            con = _connect(work, read_only=False)
            try:
                con.execute(_CATALOGUE_DDL)
                con.execute("BEGIN TRANSACTION")
                try:
                    yield con
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                con.execute("CHECKPOINT")
                con.close()
                os.replace(work, self.path)
            except BaseException:
                con.close()
                work.unlink(missing_ok=True)
                raise
            finally:
                work.with_name(work.name + ".wal").unlink(missing_ok=True)
            self._forget()

    def import_file(
        self, path: str | Path, source: str | None = None, *, format_id: str | None = None
    ) -> list[ImportRecord]:
        """Import one release file. ``source`` (e.g. ``atop``) narrows the match by file name.

        Example:
            >>> # Warehouse().import_file("../shared/data/atop/atop5_1m.csv", "atop")
        """
        path = Path(path)
        release = _match_release(path, source, format_id)
        with self.writer_lock():  # checked before parsing
            parsed = [parse_release(release, path)]
            validate_codes(parsed, self)
            return self.write(parsed)

    def import_dir(
        self,
        directory: str | Path,
        *,
        on_file: Callable[[Path, Release], None] | None = None,
        prefer: Sequence[str | Path] = (),
    ) -> list[ImportRecord]:
        """Find every recognised official file under ``directory``, parse all, write all at once.

        The same official file name in two folders is refused (naming both) unless one of them
        is under a path in ``prefer``.

        Example:
            >>> # Warehouse().import_dir("../shared/data")
        """
        found = scan_directory(directory, prefer=prefer)
        if not found:
            raise FoedusError(
                "no recognised release file found",
                where=str(directory),
                fix="point to the folder holding the downloaded files (e.g. states2016.csv, "
                "atop5_1m.csv); `foedus data sources` lists the file names foedus recognises",
            )
        with self.writer_lock():  # checked before parsing
            parsed = []
            for path, release in found:
                if on_file is not None:
                    on_file(path, release)
                parsed.append(parse_release(release, path))
            validate_codes(parsed, self)
            return self.write(parsed)

    # -- catalogue --------------------------------------------------------------------------
    def records(self) -> list[ImportRecord]:
        """Every imported release, as catalogue rows."""
        self._load_catalogue()
        return list(self._records or [])

    def pins(self) -> dict[str, str]:
        """Pinned storage table per canonical table."""
        self._load_catalogue()
        return dict(self._pins or {})

    def active(self, table: str) -> ImportRecord:
        """The release that serves ``table``: the pinned one, else the newest (official first)."""
        candidates = [r for r in self.records() if r.table == table]
        if not candidates:
            needed = [r for r in all_releases() if r.table == table]
            files = ", ".join(sorted({r.filename for r in needed})) or "(none declared)"
            if not self.path.exists():
                raise MissingDataError(
                    "the warehouse does not exist yet",
                    where=str(self.path),
                    fix=f"import data first: `foedus data import-all DIR` (table '{table}' comes "
                    f"from {files}), or point --warehouse / $FOEDUS_WAREHOUSE at a warehouse",
                )
            raise MissingDataError(
                f"table '{table}' has not been imported",
                where=str(self.path),
                fix=f"import one of these files: {files} — e.g. `foedus data import-all DIR`",
            )
        pinned = self.pins().get(table)
        if pinned is not None:
            for record in candidates:
                if record.storage == pinned:
                    return record
        return max(candidates, key=lambda r: (version_key(r.version), r.official, r.imported_at))

    def has(self, table: str) -> bool:
        """Whether some release of ``table`` has been imported."""
        return any(r.table == table for r in self.records())

    def table(self, table: str, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """The active release of canonical ``table`` as a Polars frame (cached per warehouse, and
        as an Arrow IPC file in the snapshot folder). ``columns`` reads only those columns from
        the snapshot (a wide table such as the training reports' 245,000 rows of course titles
        need not be read whole for five columns)."""
        if columns is not None:
            with self._guard:
                record = self.active(table)
                whole = self._cache.get(record.storage)
                key = f"{record.storage}|{','.join(columns)}"
                if whole is not None:
                    return whole.select(columns)
                if key in self._cache:
                    return self._cache[key]
                snapshot = self.cache_dir / "tables" / _table_file_name(record)
                if snapshot.exists():
                    try:
                        part = pl.read_ipc(snapshot, columns=list(columns))
                    except (OSError, pl.exceptions.PolarsError):
                        part = None
                    if part is not None:
                        self._cache[key] = part
                        return part
            return self.table(table).select(columns)
        with self._guard:
            record = self.active(table)
            if record.storage not in self._cache:
                snapshot = self.cache_dir / "tables" / _table_file_name(record)
                frame: pl.DataFrame | None = None
                if snapshot.exists():
                    try:
                        frame = pl.read_ipc(snapshot)
                    except (OSError, pl.exceptions.PolarsError):
                        frame = None
                if frame is None:
                    arrow = self.con.sql(f'SELECT * FROM "{record.storage}"').to_arrow_table()
                    frame = pl.from_arrow(arrow)  # type: ignore[assignment]
                    assert isinstance(frame, pl.DataFrame)
                    # (a read-only folder: read from DuckDB next time too)
                    write_atomic(snapshot, frame.write_ipc)
                self._cache[record.storage] = frame
            return self._cache[record.storage]

    def derived(
        self,
        name: str,
        tables: Sequence[str],
        options: dict[str, Any],
        build: Callable[[], pl.DataFrame],
        *,
        depends: Sequence[str] = (),
    ) -> pl.DataFrame:
        """A table computed from this warehouse's releases, kept in the snapshot folder.

        The key is ``name``, the checksums of the releases serving ``tables``, ``options``, the
        foedus version and the content of the files in ``depends`` (paths relative to the
        package, e.g. ``"measures/similarity.py"``): a new release, option or code computes it
        again. ``build`` computes it on a miss.

        Example:
            >>> import tempfile, pathlib
            >>> wh = Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb")
            >>> wh.derived("demo", [], {"n": 2}, lambda: pl.DataFrame({"n": [2]}))["n"].item()
            2
        """
        found = self.find_derived(name, tables, options, depends=depends)
        if found is None:
            found = build()
            self.keep_derived(name, tables, options, found, depends=depends)
        return found

    def find_derived(
        self,
        name: str,
        tables: Sequence[str],
        options: dict[str, Any],
        *,
        depends: Sequence[str] = (),
        parquet: bool = False,
    ) -> pl.DataFrame | None:
        """The table :meth:`keep_derived` kept under the same key, or ``None`` (see
        :meth:`derived` for the key; ``parquet`` as given to :meth:`keep_derived`).

        Example:
            >>> import tempfile, pathlib
            >>> wh = Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb")
            >>> wh.find_derived("demo", [], {"n": 3}) is None
            True
        """
        key = self._derived_key(name, tables, options, depends)
        return self._derived_load(name, key, parquet=parquet)

    def keep_derived(
        self,
        name: str,
        tables: Sequence[str],
        options: dict[str, Any],
        frame: pl.DataFrame,
        *,
        depends: Sequence[str] = (),
        parquet: bool = False,
    ) -> None:
        """Keep ``frame`` as the derived table ``name`` for this key (see :meth:`derived`).

        ``parquet``: kept as a Parquet file in row groups of :data:`DERIVED_ROW_GROUP_ROWS`
        rows (zstd, with statistics, as Polars writes by default), so that the column chunks of
        several such tables of one height can be copied into one file without encoding them
        again (see :meth:`derived_path`); otherwise as a zstd-compressed Arrow IPC file.

        Example:
            >>> import tempfile, pathlib
            >>> wh = Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb")
            >>> wh.keep_derived("demo", [], {"n": 4}, pl.DataFrame({"n": [4]}))
            >>> wh.find_derived("demo", [], {"n": 4})["n"].item()
            4
        """
        key = self._derived_key(name, tables, options, depends)
        self._derived_store(name, key, frame, parquet=parquet)

    def derived_path(
        self,
        name: str,
        tables: Sequence[str],
        options: dict[str, Any],
        *,
        depends: Sequence[str] = (),
        parquet: bool = False,
    ) -> Path:
        """Where :meth:`keep_derived` keeps the table for this key (it may not exist).

        Example:
            >>> import tempfile, pathlib
            >>> wh = Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb")
            >>> wh.derived_path("demo", [], {"n": 4}, parquet=True).suffix
            '.parquet'
        """
        key = self._derived_key(name, tables, options, depends)
        return self._derived_file(name, key, parquet)

    def derived_years(
        self,
        name: str,
        tables: Sequence[str],
        options: dict[str, Any],
        years: tuple[int, int],
        build: Callable[[int, int], pl.DataFrame],
        *,
        depends: Sequence[str] = (),
    ) -> pl.DataFrame:
        """Like :meth:`derived` for a table with a ``year`` column, kept year by year: only the
        years not computed before are built (``build(first, last)`` for each run of them).

        Example:
            >>> import tempfile, pathlib
            >>> wh = Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb")
            >>> make = lambda lo, hi: pl.DataFrame({"year": list(range(lo, hi + 1))})
            >>> wh.derived_years("demo", [], {}, (2000, 2002), make)["year"].to_list()
            [2000, 2001, 2002]
        """
        first, last = years
        keys = {y: self._derived_key(name, tables, options | {"year": y}, depends)
                for y in range(first, last + 1)}  # fmt: skip
        from concurrent.futures import ThreadPoolExecutor

        # (decompressing runs outside the GIL: the years' files are read side by side)
        workers = max(1, min(len(keys), os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="foedus-years") as pool:
            loaded = pool.map(lambda item: (item[0], self._derived_load(name, item[1])),
                              keys.items())  # fmt: skip
            parts: dict[int, pl.DataFrame] = {y: f for y, f in loaded if f is not None}
        missing = [y for y in keys if y not in parts]
        runs: list[list[int]] = []
        for year in missing:
            if runs and runs[-1][-1] == year - 1:
                runs[-1].append(year)
            else:
                runs.append([year])
        for run in runs:
            built = build(run[0], run[-1])
            for year in run:
                part = built.filter(pl.col("year") == year)
                self._derived_store(name, keys[year], part)
                parts[year] = part
        ordered = [parts[y] for y in sorted(parts)]
        return pl.concat(ordered) if len(ordered) > 1 else ordered[0]

    def _derived_key(self, name: str, tables: Sequence[str], options: dict[str, Any],
                     depends: Sequence[str]) -> str:  # fmt: skip
        import hashlib

        from foedus import __version__

        package = Path(__file__).resolve().parent
        doc = {
            "name": name,
            "releases": [(t, self.active(t).sha256) for t in tables if self.has(t)],
            "options": options,
            "foedus": __version__,
            "depends": {d: _file_digest(package / d) for d in depends},
        }
        return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()

    def _derived_file(self, name: str, key: str, parquet: bool) -> Path:
        return self.cache_dir / "derived" / f"{name}-{key[:32]}.{'parquet' if parquet else 'arrow'}"

    def _derived_load(self, name: str, key: str, *, parquet: bool = False) -> pl.DataFrame | None:
        memo = f"derived:{key}"
        with self._guard:
            if memo in self._cache:
                return self._cache[memo]
        path = self._derived_file(name, key, parquet)
        # (read outside the lock, so that threads read several files side by side)
        try:
            frame = pl.read_parquet(path) if parquet else pl.read_ipc(path)
        except (OSError, pl.exceptions.PolarsError):
            return None
        with self._guard:
            return self._cache.setdefault(memo, frame)

    def _derived_store(self, name: str, key: str, frame: pl.DataFrame, *,
                       parquet: bool = False) -> None:  # fmt: skip
        with self._guard:
            self._cache[f"derived:{key}"] = frame
            if not self.path.exists():  # no snapshot folder for a warehouse that does not exist
                return
            path = self._derived_file(name, key, parquet)
            if parquet:
                write_atomic(path, lambda tmp: frame.write_parquet(
                    tmp, row_group_size=DERIVED_ROW_GROUP_ROWS))  # fmt: skip
            else:  # (zstd: a tenth of the size, and faster to read back than uncompressed)
                write_atomic(path, lambda tmp: frame.write_ipc(tmp, compression="zstd"))

    def read(
        self, table: str, purpose: str, columns: Sequence[str] | None = None
    ) -> tuple[pl.DataFrame, Used]:
        """The active release of ``table`` and its provenance record, saying it served ``purpose``.

        Example:
            >>> import tempfile, pathlib
            >>> Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb").read("nmc", "x")  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            foedus.errors.MissingDataError: ...: the warehouse does not exist yet. Fix: ...
        """
        record = self.active(table)
        used = Used(
            record.source, record.version, table, Path(record.path).name, record.via, purpose
        )
        return self.table(table, columns), used

    def pin(self, table: str, version: str, format_id: str | None = None) -> ImportRecord:
        """Serve ``table`` from ``version`` (and ``format_id``) instead of the newest."""
        matches = [
            r
            for r in self.records()
            if r.table == table
            and r.version == version
            and (format_id is None or r.format_id == format_id)
        ]
        if not matches:
            available = (
                ", ".join(
                    f"{r.version} ({r.format_id})" for r in self.records() if r.table == table
                )
                or "none imported"
            )
            raise FoedusError(
                f"no imported release of '{table}' has version {version}",
                where=str(self.path),
                fix=f"choose one of: {available}",
            )
        chosen = max(matches, key=lambda r: (r.official, r.imported_at))
        with self._writing() as con:
            con.execute("DELETE FROM _foedus_pins WHERE tbl = ?", [table])
            con.execute("INSERT INTO _foedus_pins VALUES (?, ?)", [table, chosen.storage])
        return chosen

    def unpin(self, table: str) -> None:
        """Go back to the default choice (newest) for ``table``."""
        if not self.path.exists():
            return
        with self._writing() as con:
            con.execute("DELETE FROM _foedus_pins WHERE tbl = ?", [table])

    def status(self) -> pl.DataFrame:
        """One row per imported release, saying which one is in use for its table."""
        records = self.records()
        if not records:
            return pl.DataFrame(
                schema={
                    "table": pl.String,
                    "source": pl.String,
                    "version": pl.String,
                    "file": pl.String,
                    "rows": pl.Int64,
                    "in_use": pl.Boolean,
                    "pinned": pl.Boolean,
                    "checksum": pl.String,
                    "imported_at": pl.Datetime,
                }
            )
        pins = self.pins()
        active = {t: self.active(t).storage for t in {r.table for r in records}}
        return pl.DataFrame(
            {
                "table": [r.table for r in records],
                "source": [r.source for r in records],
                "version": [r.version for r in records],
                "file": [Path(r.path).name + (f" (via {r.via})" if r.via else "") for r in records],
                "rows": [r.rows for r in records],
                "in_use": [active[r.table] == r.storage for r in records],
                "pinned": [pins.get(r.table) == r.storage for r in records],
                "checksum": [
                    "unknown"
                    if r.checksum_ok is None
                    else ("official" if r.checksum_ok else "differs")
                    for r in records
                ],
                "imported_at": [r.imported_at for r in records],
            }
        )


def _match_release(path: Path, source: str | None, format_id: str | None) -> Release:
    releases = all_releases()
    if format_id is not None:
        releases = [r for r in releases if r.format_id == format_id]
        if not releases:
            from foedus.sources.formats import FORMATS

            raise FoedusError(
                f"unknown format '{format_id}'", fix="use one of: " + ", ".join(sorted(FORMATS))
            )
        return releases[0]
    if source is not None:
        releases = list(get_source(source).releases)
    by_name = [r for r in releases if r.filename == path.name]
    if by_name:
        return by_name[0]
    if source is not None and len(releases) == 1:
        return releases[0]
    names = ", ".join(sorted({r.filename for r in releases}))
    raise FoedusError(
        f"'{path.name}' is not a file name foedus knows"
        + (f" for source '{source}'" if source else ""),
        where=str(path),
        fix=f"give the release file under its official name ({names}) or pass --format",
    )


def scan_directory(
    directory: str | Path, *, prefer: Sequence[str | Path] = ()
) -> list[tuple[Path, Release]]:
    """Recognised release files under ``directory`` (recursive), by their official names.

    An official file name found in two places is an error naming both (an unofficial copy must
    not silently replace the official file), unless exactly one of them is ``prefer``'s path or
    lies under it.

    Example:
        >>> scan_directory("/nonexistent")
        []
    """
    root = Path(directory)
    if not root.is_dir():
        return []
    by_name: dict[str, list[Release]] = {}
    for release in all_releases():
        by_name.setdefault(release.filename, []).append(release)
    places: dict[str, list[Path]] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name in by_name:
            places.setdefault(path.name, []).append(path)
    preferred = [Path(p).expanduser().resolve() for p in prefer]
    found = []
    for name, paths in places.items():
        if len(paths) > 1:
            chosen = [p for p in paths if any(_is_under(p, q) for q in preferred)]
            if len(chosen) != 1:
                listing = ", ".join(str(p) for p in paths)
                raise FoedusError(
                    f"the release file name '{name}' is in {len(paths)} places: {listing}",
                    where=str(root),
                    fix="keep one copy, or say which to import with --prefer PATH (the file or "
                    "its folder)",
                )
            paths = chosen
        for release in by_name[name]:
            found.append((paths[0], release))
    found.sort(key=lambda item: str(item[0]))
    return found


def _is_under(path: Path, place: Path) -> bool:
    resolved = path.resolve()
    return resolved == place or place in resolved.parents


# ---------------------------------------------------------------------------------------------
# DuckDB connections, the writer lock and the snapshot files
# ---------------------------------------------------------------------------------------------
def _holder(pid: int) -> str:
    """``PID 123 (foedus serve --port 8000)`` — what a process is, from /proc when available."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        words = [w.decode(errors="replace") for w in raw.split(b"\0") if w]
        if words and Path(words[0]).name.startswith("python") and len(words) > 1:
            words = words[1:]
        if words:
            words[0] = Path(words[0]).name
            return f"PID {pid} ({' '.join(words)[:120]})"
    except OSError:
        pass
    return f"PID {pid}"


def _connect(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open DuckDB, turning its lock and format failures into clear foedus errors."""
    import re

    import duckdb

    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        text = str(exc)
        held = re.search(r"Conflicting lock is held in (.*?) \(PID (\d+)\)", text)
        if held or "Could not set lock" in text:
            who = _holder(int(held.group(2))) if held else "another process"
            raise WarehouseBusyError(
                f"the warehouse is held open for writing by {who}",
                where=str(path),
                fix="wait for it to finish (or stop it), then run the command again",
            ) from None
        raise WarehouseError(
            f"cannot open the warehouse ({text.splitlines()[0][:200]})",
            where=str(path),
            fix="point --warehouse (or FOEDUS_WAREHOUSE) at a warehouse file written by foedus",
        ) from None


class _WriterLock:
    """Re-entrant, process-wide writer lock of one warehouse (``flock`` on ``.<name>.lock``)."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.wh = warehouse

    def __enter__(self) -> Warehouse:
        wh = self.wh
        if wh._lock_depth == 0:
            import fcntl
            import sys

            wh._check_file()
            try:
                wh.path.parent.mkdir(parents=True, exist_ok=True)
                lock_path = wh.path.with_name(f".{wh.path.name}.lock")
                handle = lock_path.open("a+", encoding="utf-8")
            except OSError as exc:
                raise WarehouseError(
                    f"cannot write next to the warehouse ({exc.strerror or exc})",
                    where=str(wh.path),
                    fix="choose a warehouse path in a folder you can write to",
                ) from None
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                try:
                    info = json.loads(handle.read() or "{}")
                except ValueError:
                    info = {}
                handle.close()
                who = _holder(int(info["pid"])) if info.get("pid") else "another foedus process"
                since = f" since {info['since']}" if info.get("since") else ""
                raise WarehouseBusyError(
                    f"another import is writing the warehouse: {who}{since}",
                    where=str(wh.path),
                    fix="wait for it to finish, then run the command again",
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps({
                "pid": os.getpid(),
                "command": " ".join(sys.argv)[:300],
                "since": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            }))  # fmt: skip
            handle.flush()
            wh._lock_handle = handle
            wh._lock_depth = 1
            try:
                if wh.path.exists() and wh._con is None:
                    _connect(wh.path, read_only=True).close()  # an old-style writer holds it?
            except BaseException:
                self.__exit__(None, None, None)
                raise
        else:
            wh._lock_depth += 1
        return wh

    def __exit__(self, *exc: object) -> None:
        wh = self.wh
        wh._lock_depth -= 1
        if wh._lock_depth == 0 and wh._lock_handle is not None:
            import fcntl

            handle, wh._lock_handle = wh._lock_handle, None
            try:
                handle.seek(0)
                handle.truncate()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()


def _record_to_json(record: ImportRecord) -> dict[str, Any]:
    doc = asdict(record)
    doc["imported_at"] = record.imported_at.isoformat()
    return doc


def _record_from_json(doc: dict[str, Any]) -> ImportRecord:
    return ImportRecord(**(doc | {"imported_at": datetime.fromisoformat(doc["imported_at"])}))


def _table_file_name(record: ImportRecord) -> str:
    stamp = record.imported_at.strftime("%Y%m%dT%H%M%S%f")
    return f"{record.storage}-{record.sha256[:16]}-{stamp}.arrow"


_DIGESTS: dict[tuple[str, int, int], str] = {}


def _file_digest(path: Path) -> str:
    """SHA-256 of a (small) file, remembered per path, size and modification time."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _DIGESTS:
        _DIGESTS[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _DIGESTS[key]


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file (best effort: a read-only folder only
    means no snapshot)."""
    write_atomic(path, lambda tmp: tmp.write_bytes(data))


def validate_codes(parsed: Iterable[ParsedRelease], warehouse: Warehouse | None = None) -> None:
    """Check every state code in a batch against the state list of its system (COW or G-W).

    The lists come from the batch itself or, failing that, from the warehouse; a code outside the
    list (and outside the format's documented exceptions) is an
    :class:`~foedus.errors.UnknownStateError` naming the file, line and column.
    """
    from foedus.sources.formats import FORMATS

    parsed = list(parsed)
    known: dict[str, set[int]] = {}
    for system, table, column in (("cow", "cow_system", "ccode"), ("gw", "gw_system", "gwcode")):
        frames = [p.frame for p in parsed if p.release.table == table]
        if not frames and warehouse is not None and warehouse.has(table):
            frames = [warehouse.table(table)]
        if frames:
            known[system] = {int(c) for f in frames for c in f[column].to_list()}
    for item in parsed:
        fmt = FORMATS[item.release.format_id]
        if fmt.state_system is not None and fmt.state_system in known:
            fmt.check_states(item.frame, known[fmt.state_system], str(item.path))
