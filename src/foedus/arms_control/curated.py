"""The curated file of arms-control facts the staged data lack, and its validating loader.

``curated.csv`` (next to this module) holds one dated, sourced fact per row: a state signs, joins
(the treaty enters into force for it), suspends, gives notice of withdrawal, withdraws from a
treaty, declares it will not become a party, or the treaty ends for it (expiry, termination,
supersession). Users may add their own file of the same format (``load_curated("mine.csv")``).
Every problem is reported with file, row and line. Rules: ``docs/arms-control.md``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import polars as pl

from foedus.errors import CuratedFactError, InvalidDateError, MissingColumnError

__all__ = ["COLUMNS", "DEFAULT_PATH", "EVENTS", "curated_version", "load_curated"]

DEFAULT_PATH = Path(__file__).with_name("curated.csv")
COLUMNS: tuple[str, ...] = ("fact_id", "treaty", "state", "ccode", "event", "date", "source_url",
                            "note")  # fmt: skip
#: Events, in the order they can happen to one state under one treaty.
EVENTS: tuple[str, ...] = ("signed", "joined", "declared_not_party", "suspended",
                           "withdrawal_notified", "withdrew", "ended")  # fmt: skip
_ORDER = {"signed": 0, "joined": 1, "withdrawal_notified": 2, "withdrew": 3, "ended": 3}

_SCHEMA = {"fact_id": pl.String, "treaty": pl.String, "state": pl.String, "ccode": pl.Int64,
           "event": pl.String, "date": pl.Date, "source_url": pl.String, "note": pl.String,
           "file": pl.String, "line": pl.Int64}  # fmt: skip


def _rows(path: Path) -> tuple[list[tuple[int, list[str]]], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CuratedFactError("curated file not found", where=str(path),
                               fix="give the path of a CSV file") from None  # fmt: skip
    except UnicodeDecodeError:
        raise CuratedFactError("the curated file is not UTF-8 text", where=str(path),
                               fix="save it as UTF-8 CSV") from None  # fmt: skip
    version = ""
    kept: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            key, _, value = stripped.lstrip("#").partition(":")
            if key.strip().lower() == "version":
                version = value.strip()
        elif stripped:
            kept.append((number, line))
    records = list(csv.reader(io.StringIO("\n".join(line for _, line in kept))))
    return [(n, r) for (n, _), r in zip(kept, records, strict=True)], version


def curated_version() -> str:
    """The ``# version:`` of the packaged curated file.

    Example:
        >>> curated_version()
        '2026.12.1'
    """
    return _rows(DEFAULT_PATH)[1]


def load_curated(
    path: str | Path | None = None,
    *,
    include_default: bool = True,
    states: Mapping[str, int] | None = None,
) -> pl.DataFrame:
    """Load and validate curated arms-control facts (the packaged file, plus ``path`` if given).

    Checks: the header; a known treaty (see :mod:`foedus.arms_control.treaties`) and event; a real
    ISO date not in the future; a source URL; unique ``fact_id``; one date per treaty, state and
    event; signed ≤ joined ≤ notice ≤ withdrawal/end. ``states`` (COW abbreviation → code) also
    checks that each ``state`` and ``ccode`` agree. Errors name the file, row and line.

    Returns one row per fact with the columns of :data:`COLUMNS` plus ``file`` and ``line``
    (the packaged file's version: :func:`curated_version`).

    Example:
        >>> facts = load_curated()
        >>> facts.filter((pl.col("treaty") == "INF") & (pl.col("state") == "USA")).select(
        ...     "event", "date").rows()[-1]
        ('withdrew', datetime.date(2019, 8, 2))
    """
    from foedus.arms_control.treaties import TREATIES, treaty

    paths = ([DEFAULT_PATH] if include_default else []) + ([Path(path)] if path else [])
    if not paths:
        raise CuratedFactError("no curated file to load",
                               fix="give a path or keep include_default=True")  # fmt: skip
    out: list[dict] = []
    for file in paths:
        rows, _ = _rows(file)
        if not rows:
            raise CuratedFactError("the curated file has no header row", where=str(file),
                                   fix="start with the header: " + ",".join(COLUMNS))  # fmt: skip
        header = [h.strip().lower() for h in rows[0][1]]
        if header != list(COLUMNS):
            raise MissingColumnError(f"the header is {header}", where=f"{file}, line {rows[0][0]}",
                                     fix="use the header: " + ",".join(COLUMNS))  # fmt: skip
        for index, (line, record) in enumerate(rows[1:], start=1):
            where = f"{file}, row {index} (line {line})"
            if len(record) != len(COLUMNS):
                raise CuratedFactError(f"row has {len(record)} fields, the header has "
                                       f"{len(COLUMNS)}", where=where,
                                       fix="quote fields that contain commas")  # fmt: skip
            raw = {c: v.strip() for c, v in zip(COLUMNS, record, strict=True)}
            for c in ("fact_id", "treaty", "state", "ccode", "event", "date", "source_url"):
                if not raw[c]:
                    raise CuratedFactError(f"column '{c}' is empty", where=f"{where}, column '{c}'",
                                           fix=f"fill '{c}'")  # fmt: skip
            try:
                key = treaty(raw["treaty"]).key
            except Exception as exc:
                raise CuratedFactError(str(getattr(exc, "what", exc)),
                                       where=f"{where}, column 'treaty'",
                                       fix="use one of: " + ", ".join(TREATIES)) from None  # fmt: skip
            if raw["event"] not in EVENTS:
                raise CuratedFactError(f"unknown event '{raw['event']}'",
                                       where=f"{where}, column 'event'",
                                       fix="use one of: " + ", ".join(EVENTS))  # fmt: skip
            if not raw["ccode"].isdigit():
                raise CuratedFactError(f"ccode '{raw['ccode']}' is not a COW code",
                                       where=f"{where}, column 'ccode'",
                                       fix="give the state's COW code, e.g. 365")  # fmt: skip
            try:
                day = date.fromisoformat(raw["date"])
            except ValueError:
                raise InvalidDateError(f"'{raw['date']}' is not a valid date",
                                       where=f"{where}, column 'date'",
                                       fix="write dates as YYYY-MM-DD") from None  # fmt: skip
            if day > date.today():
                raise InvalidDateError(f"date {day} is in the future", where=f"{where}, column 'date'",
                                       fix="record facts once they have happened")  # fmt: skip
            state = raw["state"].upper()
            ccode = int(raw["ccode"])
            if states is not None and states.get(state) != ccode:
                raise CuratedFactError(
                    f"state '{state}' and ccode {ccode} do not match the COW state list"
                    + (f" ({state} is {states[state]})" if state in states else ""),
                    where=f"{where}, column 'state'", fix="use the COW abbreviation and its code")
            out.append({**raw, "treaty": key, "state": state, "ccode": ccode, "date": day,
                        "file": file.name if file == DEFAULT_PATH else str(file), "line": line})
    facts = pl.DataFrame(out, schema=_SCHEMA)
    _check(facts)
    return facts


def _check(facts: pl.DataFrame) -> None:
    def where(row: Mapping) -> str:
        return f"{row['file']}, line {row['line']}"

    seen: dict[str, Mapping] = {}
    events: dict[tuple[str, int, str], Mapping] = {}
    for named in facts.iter_rows(named=True):
        row: Mapping = named
        if row["fact_id"] in seen:
            raise CuratedFactError(f"fact_id '{row['fact_id']}' is used twice (also "
                                   f"{where(seen[row['fact_id']])})", where=where(row),
                                   fix="give every fact its own id")  # fmt: skip
        seen[row["fact_id"]] = row
        k = (row["treaty"], row["ccode"], row["event"])
        if k in events and events[k]["date"] != row["date"]:
            raise CuratedFactError(f"{row['state']} '{row['event']}' {row['treaty']} on "
                                   f"{events[k]['date']} ({where(events[k])}) and on {row['date']}",
                                   where=where(row), fix="keep one date per state, treaty and "
                                   "event")  # fmt: skip
        events.setdefault(k, row)
    for (t, c, e), first in events.items():
        row = first
        for later, rank in _ORDER.items():
            other = events.get((t, c, later))
            if other is not None and e in _ORDER and rank > _ORDER[e] and other["date"] < row["date"]:
                raise CuratedFactError(
                    f"{row['state']} '{later}' {t} on {other['date']} ({where(other)}) before "
                    f"'{e}' on {row['date']}", where=where(row),
                    fix="signed ≤ joined ≤ withdrawal notice ≤ withdrawal or end: correct a date")
