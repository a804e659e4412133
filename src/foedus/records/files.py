"""Reading engagement files (CSV, XLSX) into rows for :meth:`RecordStore.import_rows`, and writing
exports (CSV, JSON) and backups — each file written whole or not at all.

Example:
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "e.csv"
    >>> _ = p.write_text("title,instrument,partners,start_date,marking\\nTalks,visits,Japan,2024-03-01,public\\n")
    >>> read_rows(p)[0]["_row"], read_rows(p)[0]["partners"]
    (2, 'Japan')
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from foedus.errors import RecordsError, RecordValidationError

__all__ = ["EXPORT_COLUMNS", "read_rows", "write_atomic", "write_export"]

EXPORT_COLUMNS = ("id", "title", "instrument", "status", "partners", "partner_ccodes",
                  "start_date", "end_date", "objectives", "budget", "currency", "participants",
                  "location", "notes", "marking", "version", "created_by", "created_at",
                  "updated_at")  # fmt: skip


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """Rows of a CSV (UTF-8, comma) or XLSX file, each with ``_row`` (the sheet/file row number).

    Malformed files raise :class:`RecordValidationError` naming the row and column.
    """
    path = Path(path)
    if not path.is_file():
        raise RecordsError(f"no file {path}", fix="give the path of a .csv or .xlsx file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RecordValidationError(
                f"the file is not UTF-8 text (byte {exc.start})", where=str(path),
                fix="save the file as CSV UTF-8", problems=[{"row": None, "column": None,
                "value": None, "reason": "not UTF-8"}]) from None
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            table = list(reader)
        except csv.Error as exc:
            raise RecordValidationError(
                f"malformed CSV at line {reader.line_num}: {exc}", where=f"{path}:{reader.line_num}",
                fix="check quotes and separators on that line",
                problems=[{"row": reader.line_num, "column": None, "value": None,
                           "reason": str(exc)}]) from None
    elif suffix == ".xlsx":
        table = _xlsx_table(path)
    else:
        raise RecordsError(f"cannot import '{suffix or path.name}' files", where=str(path),
                           fix="give a .csv (UTF-8) or .xlsx file")
    if not table or not any(cell.strip() for cell in table[0]):
        raise RecordValidationError("the file has no header row", where=str(path),
                                    problems=[{"row": 1, "column": None, "value": None,
                                               "reason": "missing header"}])
    header = [h.strip().lower() for h in table[0]]
    problems = []
    seen: set[str] = set()
    for h in header:
        if h in seen:
            problems.append({"row": 1, "column": h, "value": h, "reason": "duplicated column"})
        seen.add(h)
    rows: list[dict[str, Any]] = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append({"row": number, "column": None, "value": None,
                             "reason": f"{len(cells)} cells where the header has {len(header)}"})
            continue
        row: dict[str, Any] = {"_row": number}
        row.update({h: c for h, c in zip(header, cells, strict=True) if h and c.strip() != ""})
        rows.append(row)
    if problems:
        raise RecordValidationError(f"{len(problems)} problem(s) in {path.name}; nothing was imported",
                                    where=str(path), problems=problems,
                                    fix="correct the listed rows and import again")
    return rows


def _xlsx_table(path: Path) -> list[list[str]]:
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - openpyxl comes with the locked environment
        raise RecordsError("reading .xlsx needs openpyxl", fix="save the sheet as CSV UTF-8") from None
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook gets the same advice
        raise RecordValidationError(f"not a readable .xlsx workbook ({type(exc).__name__})",
                                    where=str(path), fix="open and save it again in a spreadsheet",
                                    problems=[{"row": None, "column": None, "value": None,
                                               "reason": "unreadable workbook"}]) from None
    sheet = book.worksheets[0]
    table = []
    for values in sheet.iter_rows(values_only=True):
        cells = []
        for v in values:
            if v is None:
                cells.append("")
            elif hasattr(v, "date") and hasattr(v, "hour"):
                cells.append(v.date().isoformat())
            elif hasattr(v, "isoformat"):
                cells.append(v.isoformat())
            else:
                cells.append(str(v))
        table.append(cells)
    book.close()
    while table and not any(table[-1]):
        table.pop()
    return table


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder (no partial file).

    Example:
        >>> import tempfile, pathlib
        >>> p = write_atomic(pathlib.Path(tempfile.mkdtemp()) / "x.json", b"{}")
        >>> p.read_bytes()
        b'{}'
    """
    path = Path(path)
    if path.is_dir():
        raise RecordsError("the output path is a folder", where=str(path), fix="give a file name")
    if not path.parent.is_dir():
        raise RecordsError(f"folder {path.parent} does not exist", where=str(path),
                           fix="create the folder first")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise RecordsError(f"cannot write here ({exc.strerror})", where=str(path),
                           fix="choose a folder you may write to") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_export(engagements: list[dict[str, Any]], path: str | Path) -> Path:
    """Write engagements as ``.csv`` (one row each, partners joined by ``;``) or ``.json``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return write_atomic(path, json.dumps(engagements, ensure_ascii=False, indent=1).encode())
    if suffix != ".csv":
        raise RecordsError(f"cannot export to '{suffix or path.name}'", where=str(path),
                           fix="use a .csv or .json file name")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for e in engagements:
        row = dict(e)
        row["partner_ccodes"] = ";".join(str(p["ccode"]) for p in e["partners"])
        row["partners"] = ";".join(p["name"] for p in e["partners"])
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in EXPORT_COLUMNS])
    return write_atomic(path, buffer.getvalue().encode("utf-8"))
