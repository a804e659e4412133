"""The curated file of alliance changes after ATOP's last year (2018), and its validating loader.

``curated.csv`` (next to this module) holds one fact per row: a state signs, brings into force,
suspends or leaves a treaty on a date, with the obligations the fact creates and a source.
Users add their own facts in a file of the same format: ``load_curated("mine.csv")`` validates
it together with the packaged file. Every problem is reported with its row and line number.
Rules: docs/alliances.md, "The curated file".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from foedus.errors import (
    ContradictoryRowsError,
    DuplicateKeyError,
    InvalidDateError,
    InvalidValueError,
    MissingColumnError,
    SourceFormatError,
    UnknownStateError,
)

#: The packaged file.
DEFAULT_PATH = Path(__file__).with_name("curated.csv")
#: Columns of a curated file, in order.
COLUMNS: tuple[str, ...] = (
    "fact_id", "treaty", "atopid", "treaty_name", "states", "status", "date", "obligations",
    "article", "source_url", "source_kind", "note",
)  # fmt: skip
REQUIRED: tuple[str, ...] = ("fact_id", "treaty", "states", "status", "date", "source_url")
STATUSES: tuple[str, ...] = ("signed", "in force", "suspended", "left")
OBLIGATION_NAMES: tuple[str, ...] = ("defense", "offense", "neutral", "nonagg", "consul")
#: Curated facts start after ATOP 5.1's last day.
FIRST_DATE = date(2019, 1, 1)


@dataclass(frozen=True)
class CuratedFact:
    """One validated row of a curated file."""

    file: str
    row: int
    line: int
    fact_id: str
    treaty: str
    atopid: int | None
    treaty_name: str
    states: tuple[str, ...]
    status: str
    date: date
    obligations: tuple[str, ...]
    article: str
    source_url: str
    source_kind: str
    note: str

    def where(self) -> str:
        """``file, row N (line L)`` for messages."""
        return f"{self.file}, row {self.row} (line {self.line})"


@dataclass(frozen=True)
class Curated:
    """Validated curated facts from one or more files.

    Example:
        >>> cur = load_curated()
        >>> cur.version
        '2026.11.1'
        >>> sorted({f.status for f in cur.facts})
        ['in force', 'left', 'signed', 'suspended']
    """

    facts: tuple[CuratedFact, ...]
    version: str
    files: tuple[str, ...]
    state_checked: bool = field(default=False)

    def to_frame(self) -> pl.DataFrame:
        """One row per fact (states joined by ``;``), in file order.

        Example:
            >>> load_curated().to_frame().filter(pl.col("treaty") == "nato").height
            6
        """
        return pl.DataFrame(
            [
                {
                    "fact_id": f.fact_id, "treaty": f.treaty, "atopid": f.atopid,
                    "treaty_name": f.treaty_name, "states": ";".join(f.states),
                    "status": f.status, "date": f.date, "obligations": ";".join(f.obligations),
                    "article": f.article, "source_url": f.source_url,
                    "source_kind": f.source_kind, "note": f.note, "file": f.file, "row": f.row,
                }
                for f in self.facts
            ],
            schema={"fact_id": pl.String, "treaty": pl.String, "atopid": pl.Int64,
                    "treaty_name": pl.String, "states": pl.String, "status": pl.String,
                    "date": pl.Date, "obligations": pl.String, "article": pl.String,
                    "source_url": pl.String, "source_kind": pl.String, "note": pl.String,
                    "file": pl.String, "row": pl.Int64},
        )

    def treaties(self) -> dict[str, list[CuratedFact]]:
        """Facts grouped by treaty key, in file order."""
        grouped: dict[str, list[CuratedFact]] = {}
        for fact in self.facts:
            grouped.setdefault(fact.treaty, []).append(fact)
        return grouped


def _read_rows(path: Path) -> tuple[list[tuple[int, dict[str, str]]], str]:
    """Data rows with their line numbers, and the ``# version:`` value of the header comments."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceFormatError(
            "curated file not found", where=str(path), fix="give the path of a CSV file"
        ) from None
    except UnicodeDecodeError:
        raise SourceFormatError(
            "the curated file is not UTF-8 text", where=str(path), fix="save it as UTF-8 CSV"
        ) from None
    version = ""
    kept: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            key, _, value = stripped.lstrip("#").partition(":")
            if key.strip().lower() == "version":
                version = value.strip()
            continue
        if stripped:
            kept.append((number, line))
    if not kept:
        raise SourceFormatError("the curated file has no header row", where=str(path),
                                fix="start with the header: " + ",".join(COLUMNS))
    reader = csv.reader(io.StringIO("\n".join(line for _, line in kept)))
    records = list(reader)
    header = [h.strip().lower() for h in records[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise MissingColumnError(
            f"curated file lacks columns {missing}", where=f"{path}, line {kept[0][0]}",
            fix="use the header: " + ",".join(COLUMNS),
        )
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise MissingColumnError(
            f"curated file has unknown columns {unknown}", where=f"{path}, line {kept[0][0]}",
            fix="use the header: " + ",".join(COLUMNS),
        )
    rows: list[tuple[int, dict[str, str]]] = []
    for (number, _), record in zip(kept[1:], records[1:], strict=True):
        if len(record) != len(header):
            raise SourceFormatError(
                f"row has {len(record)} fields, the header has {len(header)}",
                where=f"{path}, row {len(rows) + 1} (line {number})",
                fix="quote fields that contain commas",
            )
        rows.append((number, {h: v.strip() for h, v in zip(header, record, strict=True)}))
    return rows, version


def _parse_date(text: str, where: str) -> date:
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        raise InvalidDateError(
            f"'{text}' is not a valid date", where=where,
            fix="write dates as YYYY-MM-DD with a real month and day",
        ) from None
    if parsed < FIRST_DATE:
        raise InvalidDateError(
            f"date {parsed} is before 2019", where=where,
            fix="curated facts cover changes after ATOP 5.1, which covers 1815–2018",
        )
    if parsed > date.today():
        raise InvalidDateError(
            f"date {parsed} is in the future", where=where,
            fix="record facts once they have happened",
        )
    return parsed


def _parse_fact(file: str, row: int, line: int, raw: Mapping[str, str]) -> CuratedFact:
    where = f"{file}, row {row} (line {line})"
    for name in REQUIRED:
        if not raw.get(name, ""):
            raise InvalidValueError(f"column '{name}' is empty", where=where,
                                    fix=f"fill '{name}'")
    status = raw["status"].lower()
    if status not in STATUSES:
        raise InvalidValueError(f"unknown status '{raw['status']}'", where=where,
                                fix="use one of: " + ", ".join(STATUSES))
    atopid_text = raw.get("atopid", "")
    atopid: int | None = None
    if atopid_text:
        if not atopid_text.isdigit():
            raise InvalidValueError(f"atopid '{atopid_text}' is not a whole number", where=where,
                                    fix="give the four-digit ATOPID or leave it empty")
        atopid = int(atopid_text)
    states = tuple(s.strip().upper() for s in raw["states"].replace(",", ";").split(";") if s.strip())
    if len(set(states)) != len(states):
        raise InvalidValueError(f"states '{raw['states']}' lists a state twice", where=where,
                                fix="list each state once")
    obligations = tuple(o.strip().lower() for o in raw.get("obligations", "").split(";") if o.strip())
    bad = [o for o in obligations if o not in OBLIGATION_NAMES]
    if bad:
        raise InvalidValueError(f"unknown obligations {bad}", where=where,
                                fix="use: " + ";".join(OBLIGATION_NAMES))
    if status in ("signed", "in force") and not obligations:
        raise InvalidValueError(f"a '{status}' fact needs its obligations", where=where,
                                fix="list them, e.g. defense;consul")
    if status in ("suspended", "left") and obligations:
        raise InvalidValueError(f"a '{status}' fact ends obligations; leave 'obligations' empty",
                                where=where, fix="remove the obligations")
    return CuratedFact(
        file=file, row=row, line=line, fact_id=raw["fact_id"], treaty=raw["treaty"].lower(),
        atopid=atopid, treaty_name=raw.get("treaty_name", "") or raw["treaty"],
        states=states, status=status, date=_parse_date(raw["date"], where),
        obligations=obligations, article=raw.get("article", ""), source_url=raw["source_url"],
        source_kind=raw.get("source_kind", ""), note=raw.get("note", ""),
    )


_ORDER = {"signed": 0, "in force": 1, "suspended": 2, "left": 3}


def _check_consistency(facts: list[CuratedFact]) -> None:
    seen_ids: dict[str, CuratedFact] = {}
    for fact in facts:
        if fact.fact_id in seen_ids:
            first = seen_ids[fact.fact_id]
            raise DuplicateKeyError(
                f"fact_id '{fact.fact_id}' is used twice ({first.where()} and {fact.where()})",
                where=fact.where(), fix="give every fact its own id",
            )
        seen_ids[fact.fact_id] = fact
    by_treaty: dict[str, CuratedFact] = {}
    for fact in facts:
        first = by_treaty.setdefault(fact.treaty, fact)
        if first.atopid != fact.atopid:
            raise ContradictoryRowsError(
                f"{first.where()} and {fact.where()} give treaty '{fact.treaty}' different ATOPIDs "
                f"({first.atopid} and {fact.atopid})",
                where=fact.where(), fix="one treaty key, one ATOPID (or none)",
            )
    events: dict[tuple[str, str, str], CuratedFact] = {}
    for fact in facts:
        for state in fact.states:
            key = (fact.treaty, state, fact.status)
            other = events.get(key)
            if other is not None and other.date != fact.date:
                raise ContradictoryRowsError(
                    f"{other.where()} and {fact.where()} contradict: {state} '{fact.status}' "
                    f"treaty '{fact.treaty}' on {other.date} and on {fact.date}",
                    where=fact.where(), fix="keep one date per state, treaty and status",
                )
            events.setdefault(key, fact)
    for (treaty, state, status), fact in events.items():
        for later_status, rank in _ORDER.items():
            later = events.get((treaty, state, later_status))
            if later is None or rank <= _ORDER[status]:
                continue
            if later.date < fact.date:
                raise ContradictoryRowsError(
                    f"{fact.where()} and {later.where()} contradict: {state} is '{later_status}' "
                    f"on {later.date}, before it is '{status}' on {fact.date} (treaty '{treaty}')",
                    where=later.where(),
                    fix="signed ≤ in force ≤ suspended ≤ left: correct one of the dates",
                )


def _check_states(facts: Iterable[CuratedFact], known: Mapping[str, int]) -> None:
    for fact in facts:
        for state in fact.states:
            if state not in known and not (state.isdigit() and int(state) in known.values()):
                from foedus.alliances.states import close_matches

                close = close_matches(state, list(known), n=3)
                hint = f"did you mean {', '.join(close)}? " if close else ""
                raise UnknownStateError(
                    f"unknown state '{state}'", where=fact.where(),
                    fix=hint + "use COW abbreviations (e.g. FIN, SWD, PRK)",
                )


def load_curated(
    path: str | Path | None = None,
    *,
    include_default: bool = True,
    states: Mapping[str, int] | None = None,
) -> Curated:
    """Load and validate curated facts: the packaged file, plus ``path`` when given.

    Checks every row (known status, real dates after 2018 and not in the future, known
    obligations) and the rows together (unique ``fact_id``; one ATOPID per treaty; one date per
    state, treaty and status; signed ≤ in force ≤ suspended ≤ left). ``states`` maps COW
    abbreviations to codes; when given, unknown states are an error too (the engine always checks
    them against the warehouse's COW list). Errors name the file, row and line.

    Args:
        path: a user file in the same format (see docs/alliances.md).
        include_default: also load the packaged file (default); ``False`` loads ``path`` alone.
        states: COW abbreviation → code, to check state names.

    Example:
        >>> cur = load_curated()
        >>> [f.fact_id for f in cur.facts if "FIN" in f.states]
        ['F003', 'F004']
    """
    paths: list[Path] = []
    if include_default:
        paths.append(DEFAULT_PATH)
    if path is not None:
        paths.append(Path(path))
    if not paths:
        raise SourceFormatError("no curated file to load",
                                fix="give a path or keep include_default=True")
    facts: list[CuratedFact] = []
    versions: list[str] = []
    for file in paths:
        rows, version = _read_rows(file)
        label = file.name if file == DEFAULT_PATH else str(file)
        versions.append(f"{version or 'unversioned'}" if file == DEFAULT_PATH
                        else f"{label}:{version or 'unversioned'}")
        for index, (line, raw) in enumerate(rows, start=1):
            facts.append(_parse_fact(label, index, line, raw))
    _check_consistency(facts)
    if states is not None:
        _check_states(facts, states)
    return Curated(tuple(facts), "+".join(versions), tuple(str(p) for p in paths),
                   state_checked=states is not None)
