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
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from foedus.errors import FoedusError, MissingDataError
from foedus.provenance import Used
from foedus.sources.catalog import Release, all_releases, get_source, version_key
from foedus.sources.readers import LINE_COLUMN

ENV_VAR = "FOEDUS_WAREHOUSE"

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

    # -- connection -------------------------------------------------------------------------
    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            if self.read_only:
                if not self.path.exists():
                    raise MissingDataError(
                        "the warehouse does not exist yet",
                        where=str(self.path),
                        fix="import data first: foedus data import-all DIR "
                        "(e.g. the folder holding the official release files)",
                    )
                self._con = duckdb.connect(str(self.path), read_only=True)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._con = duckdb.connect(str(self.path))
                self._con.execute(_CATALOGUE_DDL)
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

    # -- imports ----------------------------------------------------------------------------
    def write(self, parsed: Sequence[ParsedRelease]) -> list[ImportRecord]:
        """Write parsed releases in one transaction: all land or none does."""
        if self.read_only:
            raise FoedusError("the warehouse is open read-only", where=str(self.path))
        con = self.con
        now = datetime.now(UTC).replace(tzinfo=None)
        records: list[ImportRecord] = []
        con.execute("BEGIN TRANSACTION")
        try:
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
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        self._cache.clear()
        return records

    def import_file(
        self, path: str | Path, source: str | None = None, *, format_id: str | None = None
    ) -> list[ImportRecord]:
        """Import one release file. ``source`` (e.g. ``atop``) narrows the match by file name.

        Example:
            >>> # Warehouse().import_file("../shared/data/atop/atop5_1m.csv", "atop")
        """
        path = Path(path)
        release = _match_release(path, source, format_id)
        parsed = [parse_release(release, path)]
        validate_codes(parsed, self)
        return self.write(parsed)

    def import_dir(
        self,
        directory: str | Path,
        *,
        on_file: Callable[[Path, Release], None] | None = None,
    ) -> list[ImportRecord]:
        """Find every recognised official file under ``directory``, parse all, write all at once.

        Example:
            >>> # Warehouse().import_dir("../shared/data")
        """
        found = scan_directory(directory)
        if not found:
            raise FoedusError(
                "no recognised release file found",
                where=str(directory),
                fix="point to the folder holding the downloaded files (e.g. states2016.csv, "
                "atop5_1m.csv); `foedus data sources` lists the file names foedus recognises",
            )
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
        if self.read_only and not self._has_catalogue():
            return []
        rows = self.con.execute(
            "SELECT storage, tbl, source, version, format_id, official, via, path, sha256, "
            "checksum_ok, n_rows, n_columns, imported_at FROM _foedus_imports ORDER BY tbl, storage"
        ).fetchall()
        return [ImportRecord(*row) for row in rows]

    def pins(self) -> dict[str, str]:
        """Pinned storage table per canonical table."""
        if self.read_only and not self._has_catalogue():
            return {}
        return dict(self.con.execute("SELECT tbl, storage FROM _foedus_pins").fetchall())

    def active(self, table: str) -> ImportRecord:
        """The release that serves ``table``: the pinned one, else the newest (official first)."""
        candidates = [r for r in self.records() if r.table == table]
        if not candidates:
            needed = [r for r in all_releases() if r.table == table]
            files = ", ".join(sorted({r.filename for r in needed})) or "(none declared)"
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

    def table(self, table: str) -> pl.DataFrame:
        """The active release of canonical ``table`` as a Polars frame (cached per warehouse)."""
        record = self.active(table)
        if record.storage not in self._cache:
            arrow = self.con.sql(f'SELECT * FROM "{record.storage}"').to_arrow_table()
            self._cache[record.storage] = pl.from_arrow(arrow)  # type: ignore[assignment]
        return self._cache[record.storage]

    def read(self, table: str, purpose: str) -> tuple[pl.DataFrame, Used]:
        """The active release of ``table`` and its provenance record, saying it served ``purpose``.

        Example:
            >>> import tempfile, pathlib
            >>> Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb").read("nmc", "x")  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            foedus.errors.MissingDataError: ...: table 'nmc' has not been imported. Fix: ...
        """
        record = self.active(table)
        used = Used(
            record.source, record.version, table, Path(record.path).name, record.via, purpose
        )
        return self.table(table), used

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
        self.con.execute("DELETE FROM _foedus_pins WHERE tbl = ?", [table])
        self.con.execute("INSERT INTO _foedus_pins VALUES (?, ?)", [table, chosen.storage])
        self._cache.clear()
        return chosen

    def unpin(self, table: str) -> None:
        """Go back to the default choice (newest) for ``table``."""
        self.con.execute("DELETE FROM _foedus_pins WHERE tbl = ?", [table])
        self._cache.clear()

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


def scan_directory(directory: str | Path) -> list[tuple[Path, Release]]:
    """Recognised release files under ``directory`` (recursive), by their official names.

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
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name in by_name:
            for release in by_name[path.name]:
                found.append((path, release))
    return found


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
