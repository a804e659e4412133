"""One aggregation pipeline of event data, written once in SQL and run on two engines:
DuckDB (embedded, the default; out of core) and Apache Spark (``local[N]`` or any cluster URL),
the Spark SQL transpiled from the same statements by sqlglot.

Two passes over the input, whatever its size:

1. :data:`PROFILE_SQL` — one scan with ``GROUPING SETS`` over (actor-country pair) and (CAMEO
   code): the countries with their first and last dates (to map them to states), the distinct
   codes (to pick the families), the rows left out (no two state actors, same country, a numeric
   field that is not a number) and the row counts of every country code that names no state.
2. :data:`PIPELINE_SQL` — keep events of the military families (:mod:`foedus.events.families`)
   between two different actor countries that name a state (the family filter is pushed into the
   scan; countries and codes become small integers; visits without a military actor are left out
   here, see :func:`pipeline_sql`) → collapse repeated reports of one event (same day, actor codes,
   countries, CAMEO code and place: GDELT codes each article's report separately) → look the
   collapsed events (not every row) up in their family and both countries' COW / G-W codes as of
   the event's year, one integer key each → sum per directed dyad, period and family (sorted
   afterwards in Polars, the same order on both engines).

Goldstein weights (one decimal) are summed as integers of tenths, so both engines give identical
sums whatever their order of addition. Text inputs (the official tab-separated files, zipped or
not, and comma-separated files with a header) are parsed once into a staging table (the 15 fields used, as text); Parquet
is scanned in place (column projection), all files of one kind in one parallel scan.

Rows that do not fit the file layout are never dropped silently: they are counted and reported
with file and line on both engines (see docs/events.md).

Example:
    >>> "GROUP BY" in PIPELINE_SQL and "GROUPING SETS" in PROFILE_SQL
    True
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foedus.errors import FoedusError, SourceFormatError, TruncatedSourceError
from foedus.events.families import families_table
from foedus.sources.gdelt import GDELT1_COLUMNS, layout_for

__all__ = ["PIPELINE_SQL", "PERIODS", "PROFILE_SQL", "AggregateResult", "aggregate_events",
           "input_layout"]

#: Grouping columns of each period.
PERIODS: dict[str, str] = {"year": "year", "month": "year, month", "day": "year, month, day"}

#: The fields the pipeline reads (the others are never parsed into the staging table).
NEEDED: tuple[str, ...] = (
    "SQLDATE", "Actor1Code", "Actor2Code", "Actor1CountryCode", "Actor2CountryCode",
    "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code", "Actor2Type1Code",
    "Actor2Type2Code", "Actor2Type3Code", "EventCode", "GoldsteinScale", "ActionGeo_FeatureID",
    "NumMentions")

#: Numeric fields the pipeline reads, with their SQL types; every other field is text.
_NUMERIC = {"SQLDATE": "BIGINT", "GoldsteinScale": "DOUBLE", "NumMentions": "BIGINT"}

_PERIOD_EXPR = {
    "year": "e.year",
    "month": "CAST(FLOOR(e.sqldate / 100) AS INT) - e.year * 100",
    "day": "e.sqldate - CAST(FLOOR(e.sqldate / 100) AS INT) * 100",
}

#: The pipeline (DuckDB dialect). Inputs: ``raw_events`` (the typed fields of :data:`NEEDED`) and
#: four small lookup tables built from the profile (:func:`_lookup_tables`): ``countries`` (country,
#: cidx: the actor country codes that name a state in some year, numbered 1…n), ``codes``
#: (event_code, code_idx, family_id, needs_mil: the family codes, numbered with the codes that need
#: a military actor first), ``states`` (skey, ccode, gwcode; skey = (year − first year) × (n + 1) +
#: cidx) and ``families`` (family_id, family, kind). The repeated-report collapse groups by small
#: integers and the three actor/place texts only; after it every lookup is an equi-join on one
#: integer. Placeholders (filled by :func:`pipeline_sql`): ``{keys}`` (the period columns computed
#: from the date), ``{period}``, ``{period_c}`` (their names), ``{n_mil}`` (codes needing a
#: military actor), ``{y0}`` and ``{stride}`` (of skey), ``{mil}`` (a military actor on either
#: side), ``{prefilter}`` and ``{flag}`` (see :func:`pipeline_sql`). ``flags`` of a report: 0 no
#: military actor, 2 a military actor, 3 one that its actor codes do not tell (a suspect report
#: implies a military actor, so one MAX keeps both).
PIPELINE_SQL = """
WITH base AS (
  SELECT
    CAST(r.SQLDATE AS INT) AS sqldate,
    k1.cidx AS c1,
    k2.cidx AS c2,
    k.code_idx AS code,
    COALESCE(r.Actor1Code, '') AS a1code,
    COALESCE(r.Actor2Code, '') AS a2code,
    COALESCE(r.ActionGeo_FeatureID, '') AS geo,
    CASE WHEN {mil} THEN {flag} ELSE 0 END AS flags,
    CAST(ROUND(r.GoldsteinScale * 10) AS INT) AS g10,
    COALESCE(r.NumMentions, 0) AS mentions
  FROM raw_events r
  JOIN codes k ON r.EventCode = k.event_code
  JOIN countries k1 ON r.Actor1CountryCode = k1.country
  JOIN countries k2 ON r.Actor2CountryCode = k2.country
  WHERE r.Actor1CountryCode <> r.Actor2CountryCode AND r.SQLDATE IS NOT NULL{prefilter}
),
events AS (
  SELECT sqldate, c1, c2, code, MAX(g10) AS g10, COUNT(*) AS reports, SUM(mentions) AS mentions,
         MAX(flags) AS flags
  FROM base
  GROUP BY sqldate, c1, c2, code, a1code, a2code, geo
  HAVING code > {n_mil} OR MAX(flags) >= 2
),
dated AS (
  SELECT CAST(FLOOR(sqldate / 10000) AS INT) AS year, sqldate, c1, c2, code, g10, reports,
         mentions, CASE WHEN flags = 3 THEN 1 ELSE 0 END AS suspect
  FROM events
),
dyadic AS (
  SELECT s1.ccode AS ccode1, s2.ccode AS ccode2, s1.gwcode AS gwcode1, s2.gwcode AS gwcode2,
         {keys}, k.family_id, e.reports, e.mentions, e.g10, e.suspect
  FROM dated e
  JOIN states s1 ON s1.skey = (e.year - {y0}) * {stride} + e.c1
  JOIN states s2 ON s2.skey = (e.year - {y0}) * {stride} + e.c2
  JOIN codes k ON e.code = k.code_idx
  WHERE s1.ccode <> s2.ccode
),
counted AS (
  SELECT ccode1, ccode2, MIN(gwcode1) AS gwcode1, MIN(gwcode2) AS gwcode2, {period}, family_id,
         COUNT(*) AS events, SUM(reports) AS reports, SUM(mentions) AS mentions,
         SUM(g10) AS goldstein_tenths, MAX(suspect) AS suspect
  FROM dyadic
  GROUP BY ccode1, ccode2, {period}, family_id
)
SELECT c.ccode1, c.ccode2, c.gwcode1, c.gwcode2, {period_c}, n.family, n.kind, c.events,
       c.reports, c.mentions, c.goldstein_tenths, c.suspect
FROM counted c
JOIN families n ON c.family_id = n.family_id
"""

#: One scan of the input (DuckDB dialect) for everything the pipeline must know first or must
#: report: per pair of actor countries (at most a few ten thousand) the rows, first and last date
#: and the rows whose numeric fields are not numbers; and the distinct CAMEO codes. Countries,
#: exclusions and totals are summed from the pairs.
#: Placeholders (filled by :func:`profile_sql`): ``{sqldate}`` (the typed date), ``{flags}`` (the
#: 0/1 columns of values that are not numbers, for fields read as text) and the aggregates
#: ``{good_rows}``, ``{first_date}``, ``{last_date}``, ``{bad}`` — plain ``COUNT``/``MIN``/``MAX``
#: and constant zeros when every numeric field is already a number (Parquet), as no row can then
#: be bad.
PROFILE_SQL = """
WITH t AS (
  SELECT Actor1CountryCode AS c1, Actor2CountryCode AS c2, EventCode AS code,
         {sqldate} AS sqldate{flags}
  FROM raw_text
)
SELECT GROUPING(code) AS g_code, c1, c2, code,
       {good_rows} AS good_rows,
       {first_date} AS first_date,
       {last_date} AS last_date,
       {bad}
FROM t
GROUP BY GROUPING SETS ((c1, c2), (code))
"""


def _mil_expr(alias: str = "") -> str:
    """A military actor on either side (CAMEO actor type ``MIL`` in any of the six type fields)."""
    return " OR ".join(f"{alias}Actor{i}Type{j}Code = 'MIL'" for i in (1, 2) for j in (1, 2, 3))


def pipeline_sql(period: str, *, n_mil: int = 0, y0: int = 0, stride: int = 1,
                 prefilter: bool = False) -> str:
    """:data:`PIPELINE_SQL` for a period (``"year"``, ``"month"`` or ``"day"``) and the constants
    of the lookup tables (:class:`_Lookups`).

    With ``prefilter``, reports of codes that need a military actor (visits) are left out before
    the repeated-report collapse when neither their type fields nor their actor codes name a
    military actor (CAMEO writes the type into the code: ``USAMIL``); most visits go, so there
    are far fewer rows to collapse. The result is the same unless one event's reports disagree:
    two reports with the same actor codes of which only one has a ``MIL`` type field. The collapse
    keeps that report but not the other, so every event with a ``MIL`` type field whose actor codes
    do not say ``MIL`` is flagged (``suspect``, summed into the output); :func:`aggregate_events`
    then runs the statement again without ``prefilter``.

    Example:
        >>> "c.year, c.month" in pipeline_sql("month")
        True
        >>> "k.code_idx > 2 OR" in pipeline_sql("year", n_mil=2, prefilter=True)
        True
    """
    names = [p.strip() for p in PERIODS[period].split(",")]
    mil = _mil_expr("r.")
    coded = "COALESCE(r.Actor1Code, '') LIKE '%MIL%' OR COALESCE(r.Actor2Code, '') LIKE '%MIL%'"
    return PIPELINE_SQL.format(
        keys=", ".join(f"{_PERIOD_EXPR[n]} AS {n}" for n in names),
        period=", ".join(names), period_c=", ".join(f"c.{n}" for n in names),
        n_mil=int(n_mil), y0=int(y0), stride=int(stride), mil=mil,
        prefilter=f"\n    AND (k.code_idx > {int(n_mil)} OR {mil} OR {coded})" if prefilter else "",
        flag=(f"CASE WHEN k.code_idx <= {int(n_mil)} AND NOT ({coded}) THEN 3 ELSE 2 END"
              if prefilter else "2"))


def profile_sql(text_numeric: Sequence[str] = ()) -> str:
    """:data:`PROFILE_SQL` where the fields in ``text_numeric`` are read as text (checked and cast)
    and the other numeric fields are already numbers.

    Example:
        >>> "TRY_CAST(SQLDATE AS BIGINT)" in profile_sql(["SQLDATE"])
        True
        >>> "COUNT(*) AS good_rows" in profile_sql()
        True
    """
    checked = {name: column for name, column in _BAD_FIELDS.items() if column in text_numeric}
    flags = "".join(
        f",\n         CASE WHEN {c} IS NOT NULL AND TRY_CAST({c} AS {_NUMERIC[c]}) IS NULL "
        f"THEN 1 ELSE 0 END AS {name}" for name, c in checked.items())
    sqldate = ("TRY_CAST(SQLDATE AS BIGINT)" if "SQLDATE" in text_numeric
               else "CAST(SQLDATE AS BIGINT)")
    if not checked:
        return PROFILE_SQL.format(
            sqldate=sqldate, flags="", good_rows="COUNT(*)", first_date="MIN(sqldate)",
            last_date="MAX(sqldate)",
            bad=", ".join(f"0 AS {name}" for name in ("bad_rows", *_BAD_FIELDS)))
    bad = "(CASE WHEN " + " + ".join(checked) + " > 0 THEN 1 ELSE 0 END)"
    return PROFILE_SQL.format(
        sqldate=sqldate, flags=flags, good_rows=f"SUM(1 - {bad})",
        first_date=f"MIN(CASE WHEN {bad} = 0 THEN sqldate END)",
        last_date=f"MAX(CASE WHEN {bad} = 0 THEN sqldate END)",
        bad=", ".join([f"SUM({bad}) AS bad_rows",
                       *(f"SUM({name}) AS {name}" if name in checked else f"0 AS {name}"
                         for name in _BAD_FIELDS)]))


def typed_sql(text_numeric: Sequence[str] = ()) -> str:
    """The typed input ``raw_events`` from ``raw_text``: numeric fields read as text are cast, and
    rows holding a value that is not a number are left out (the profile counts them).

    Example:
        >>> "WHERE" in typed_sql(["SQLDATE"]), "WHERE" in typed_sql()
        (True, False)
    """
    fields = ", ".join(
        (f"TRY_CAST({c} AS {_NUMERIC[c]}) AS {c}" if c in text_numeric
         else f"CAST({c} AS {_NUMERIC[c]}) AS {c}") if c in _NUMERIC else c for c in NEEDED)
    checks = [f"({c} IS NOT NULL AND TRY_CAST({c} AS {_NUMERIC[c]}) IS NULL)"
              for c in _NUMERIC if c in text_numeric]
    return f"SELECT {fields} FROM raw_text" + (
        f" WHERE NOT ({' OR '.join(checks)})" if checks else "")


#: Rows with a value that is not a number, per field, as the profile names them.
_BAD_FIELDS = {"bad_sqldate": "SQLDATE", "bad_goldstein": "GoldsteinScale",
               "bad_mentions": "NumMentions"}

#: DuckDB's memory limit when none is given: beyond it the aggregation spills to disk.
DEFAULT_MEMORY_LIMIT = "2500MB"


@dataclass
class AggregateResult:
    """The aggregated dyad-period-family table and what was left out, with the engine used."""

    table: Any  # polars.DataFrame
    engine: str
    period: str
    files: list[str]
    rows_read: int
    malformed: list[dict[str, Any]] = field(default_factory=list)
    malformed_count: int = 0
    unmapped_countries: dict[str, int] = field(default_factory=dict)
    exclusions: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def report(self) -> dict[str, Any]:
        """A JSON-ready summary of inputs and exclusions."""
        return {"engine": self.engine, "period": self.period, "files": self.files,
                "rows_read": self.rows_read, "malformed_rows": self.malformed_count,
                "malformed_examples": self.malformed[:50],
                "countries_not_states": self.unmapped_countries, "excluded": self.exclusions,
                "output_rows": self.table.height, "seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class _Input:
    path: Path
    kind: str  # "parquet", "csv-header" or "tsv"
    columns: tuple[str, ...] | None
    member: str | None = None  # the CSV inside a .zip


def _zip_member(path: Path) -> str:
    """The one file inside a GDELT ``.zip`` (clear errors for damaged or unexpected archives)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m.filename for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        raise TruncatedSourceError(f"not a readable zip archive ({exc})", where=str(path),
                                   fix="download the file again (it is truncated or damaged)"
                                   ) from None
    if len(members) != 1:
        raise SourceFormatError(f"the archive holds {len(members)} files; GDELT's hold one CSV",
                                where=str(path), fix="give one GDELT .zip per day or 15 minutes")
    return members[0]


def _first_line(path: Path, member: str | None) -> str:
    try:
        if member is None:
            with path.open("rb") as handle:
                first = handle.readline()
        else:
            with zipfile.ZipFile(path) as archive, archive.open(member) as handle:
                first = handle.readline()
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise TruncatedSourceError(f"cannot read the first line ({exc})", where=str(path),
                                   fix="download the file again (it is truncated or damaged)"
                                   ) from None
    return first.decode("utf-8", "replace").rstrip("\r\n")


def input_layout(path: Path) -> tuple[str, tuple[str, ...] | None]:
    """How to read an event file: ``("parquet", None)``, ``("csv-header", None)`` (comma, with the
    GDELT field names as header) or ``("tsv", columns)`` (official tab-separated layout). A GDELT
    ``.zip`` (``YYYYMMDD.export.CSV.zip``, ``*.export.CSV.zip``) has the layout of the CSV inside.

    Example:
        >>> import tempfile, pathlib, zipfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "20180101.export.CSV"
        >>> _ = p.write_text("\\t".join(["1"] * 58) + "\\n")
        >>> input_layout(p)[0], len(input_layout(p)[1])
        ('tsv', 58)
        >>> with zipfile.ZipFile(str(p) + ".zip", "w") as z:
        ...     z.write(p, p.name)
        >>> input_layout(pathlib.Path(str(p) + ".zip"))[0]
        'tsv'
    """
    if not path.is_file():
        raise FoedusError(f"no file {path}",
                          fix="give GDELT event files (.CSV, .CSV.zip, .csv, .parquet)")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return "parquet", None
    if suffix == ".gz":
        raise SourceFormatError("gzip-compressed event files are not read directly",
                                where=str(path), fix="gunzip the file first")
    member = _zip_member(path) if suffix == ".zip" else None
    first = _first_line(path, member)
    shown = f"{path} ({member})" if member else str(path)
    if not first:
        raise SourceFormatError("the file is empty", where=f"{shown}, line 1",
                                fix="give a GDELT event file")
    if first.startswith("GLOBALEVENTID"):
        return "csv-header", None
    try:
        return "tsv", layout_for(first.count("\t") + 1)[1]
    except ValueError as exc:
        raise SourceFormatError(f"line 1 has {exc}", where=f"{shown}, line 1",
                                fix="give GDELT 1.0 or 2.0 event files (tab-separated, no header)"
                                ) from None


def _inputs(paths: Sequence[Path]) -> list[_Input]:
    out = []
    for p in paths:
        kind, columns = input_layout(p)
        out.append(_Input(p, kind, columns, _zip_member(p) if p.suffix.lower() == ".zip" else None))
    return out


def _extract(item: _Input, folder: Path, number: int) -> Path:
    """The CSV inside a zip, written to ``folder`` (deleted by the caller once read)."""
    assert item.member is not None
    target = folder / f"{number:05d}-{Path(item.member).name}"
    try:
        with zipfile.ZipFile(item.path) as archive, archive.open(item.member) as src, \
                target.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        target.unlink(missing_ok=True)
        raise TruncatedSourceError(f"cannot unzip {item.member} ({exc})", where=str(item.path),
                                   fix="download the file again (it is truncated or damaged)"
                                   ) from None
    return target


def _parquet_fields(paths: list[Path]) -> dict[str, str]:
    """How each needed field of the Parquet inputs is read: ``"number"`` (every file stores it as
    a number), ``"text"`` (cast to text; numeric fields then checked like CSV fields)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    kinds: dict[str, str] = {}
    for path in paths:
        try:
            schema = pq.read_schema(path)
        except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same advice
            raise TruncatedSourceError(f"not a readable Parquet file ({type(exc).__name__})",
                                       where=str(path), fix="give the complete Parquet file"
                                       ) from None
        missing = [c for c in NEEDED if c not in schema.names]
        if missing:
            raise SourceFormatError(f"missing GDELT fields: {', '.join(missing)}", where=str(path),
                                    fix="give Parquet files with GDELT's field names")
        for c in NEEDED:
            typ = schema.field(c).type
            numeric = pa.types.is_integer(typ) or pa.types.is_floating(typ)
            string = pa.types.is_string(typ) or pa.types.is_large_string(typ)
            kind = "number" if (c in _NUMERIC and numeric) else "string" if string else "text"
            kinds[c] = kind if kinds.get(c, kind) == kind else "text"
    return kinds


def _parquet_select(kinds: dict[str, str], all_text: bool) -> str:
    return ", ".join(
        f"CAST({c} AS VARCHAR) AS {c}" if kinds[c] == "text" or (all_text and c in _NUMERIC)
        else c for c in NEEDED)


@dataclass
class _Profile:
    rows_read: int = 0
    exclusions: dict[str, int] = field(default_factory=dict)
    bad: dict[str, int] = field(default_factory=dict)
    bad_rows: int = 0
    countries: dict[str, list[int]] = field(default_factory=dict)  # code -> [first, last, rows]
    codes: list[str] = field(default_factory=list)


def _read_profile(rows: Sequence[Sequence[Any]]) -> _Profile:
    out = _Profile()
    bad = dict.fromkeys(_BAD_FIELDS.values(), 0)
    without = same = 0
    for g_code, c1, c2, code, good, first, last, bad_rows, *bad_fields in rows:
        good = int(good or 0)
        if int(g_code) == 0:
            if code is not None and good:
                out.codes.append(str(code))
            continue
        out.rows_read += good
        out.bad_rows += int(bad_rows or 0)
        for name, n in zip(bad, bad_fields, strict=True):
            bad[name] += int(n or 0)
        if not good:
            continue
        if c1 is None or c2 is None:
            without += good
        elif c1 == c2:
            same += good
        for country in {c1, c2} - {None}:
            entry = out.countries.setdefault(country, [0, 0, 0])
            if first is not None:
                lo, hi = int(first) // 10000, int(last) // 10000
                entry[0] = min(entry[0], lo) if entry[0] else lo
                entry[1] = max(entry[1], hi)
            entry[2] += good * ((c1 == country) + (c2 == country))
    out.bad = bad
    out.exclusions = {"without_two_state_actors": without, "same_country": same}
    return out


@dataclass
class _Lookups:
    """The small tables the pipeline joins (see :data:`PIPELINE_SQL`) and its constants."""

    countries: list[tuple[str, int]]
    codes: list[tuple[str, int, int, int]]
    states: list[tuple[int, int, int]]
    families: list[tuple[int, str, str]]
    n_mil: int
    y0: int
    stride: int
    unmapped: dict[str, int]
    prefilter: bool = False

    #: Column definitions of each table (one SQL type list for both engines).
    SCHEMAS = {"countries": "country STRING, cidx INT",
               "codes": "event_code STRING, code_idx INT, family_id INT, needs_mil INT",
               "states": "skey INT, ccode INT, gwcode INT",
               "families": "family_id INT, family STRING, kind STRING"}

    def sql(self, period: str) -> str:
        return pipeline_sql(period, n_mil=self.n_mil, y0=self.y0, stride=self.stride,
                            prefilter=self.prefilter)


def _lookup_tables(profile: _Profile) -> _Lookups:
    """The lookup tables for exactly the countries, years and codes of the input, and the row
    counts of the country codes that name no state."""
    from foedus.events.actors import resolve_actor_countries
    from foedus.events.families import FAMILIES

    countries = [(c, lo, hi) for c, (lo, hi, _) in profile.countries.items() if lo]
    states, unmapped = resolve_actor_countries(countries)
    counts = sorted(((c, profile.countries[c][2]) for c in unmapped), key=lambda x: (-x[1], x[0]))
    cidx = {c: i for i, c in enumerate(sorted({c for c, _, _, _ in states}), start=1)}
    stride = len(cidx) + 1
    y0 = min((y for _, y, _, _ in states), default=0)
    ids = {f.name: i for i, f in enumerate(FAMILIES)}
    rows = sorted(families_table(sorted(profile.codes)), key=lambda r: (-int(r[3]), r[0]))
    codes = [(c, i, ids[f], int(m)) for i, (c, f, _, m) in enumerate(rows, start=1)]
    return _Lookups(
        countries=sorted(cidx.items()), codes=codes,
        states=[((y - y0) * stride + cidx[c], cc, gw) for c, y, cc, gw in states],
        families=[(ids[f.name], f.name, f.kind) for f in FAMILIES],
        n_mil=sum(m for *_, m in codes), y0=y0, stride=stride, unmapped=dict(counts),
        prefilter=True)


def _bad_values_entry(profile: _Profile) -> list[dict[str, Any]]:
    if not profile.bad_rows:
        return []
    return [{"file": "(all)", "rows": profile.bad_rows,
             "error": "not a number in " + ", ".join(f"{c} ({n})" for c, n in profile.bad.items()
                                                     if n)}]


def aggregate_events(
    files: Sequence[str | Path],
    *,
    engine: str = "duckdb",
    period: str = "month",
    master: str = "local[2]",
    memory_limit: str | None = None,
    progress: Callable[[str, float | None], None] | None = None,
) -> AggregateResult:
    """Aggregate GDELT event files to directed dyad-period counts per military event family.

    Args:
        files: GDELT 1.0/2.0 event files (official tab-separated layout, zipped as distributed or
            not; the same fields as comma-separated with a header; or Parquet with those names).
        engine: ``"duckdb"`` (default) or ``"spark"``.
        period: ``"year"``, ``"month"`` or ``"day"``.
        master: Spark master URL (``local[2]``, ``spark://host:7077``…).
        memory_limit: DuckDB memory limit (default :data:`DEFAULT_MEMORY_LIMIT`); beyond it
            DuckDB spills to a private temporary folder, removed afterwards.
        progress: called with each step's name and, on DuckDB, its percentage done (``None``
            when unknown) a few times a second while the step runs (e.g. to show a progress bar).

    Returns:
        :class:`AggregateResult`: ``table`` has ccode1, ccode2, gwcode1, gwcode2, the period
        columns, family, kind, events, reports, mentions, goldstein_tenths.

    Example:
        >>> r = aggregate_events(["../shared/data/gdelt/gdelt1_events_usa_chn_dyad_2018_sample.csv"])  # doctest: +SKIP
        >>> r.table.columns[:5]  # doctest: +SKIP
        ['ccode1', 'ccode2', 'gwcode1', 'gwcode2', 'year']
    """
    if period not in PERIODS:
        raise FoedusError(f"unknown period '{period}'", fix="use year, month or day")
    if engine not in ("duckdb", "spark"):
        raise FoedusError(f"unknown engine '{engine}'", fix="use duckdb or spark")
    paths = [Path(f) for f in files]
    if not paths:
        raise FoedusError("no event files given", fix="give one or more GDELT event files")
    inputs = _inputs(paths)
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="foedus-events-"))
    try:
        if engine == "duckdb":
            result = _duckdb(inputs, period, work, memory_limit=memory_limit,
                             progress=progress)
        else:
            result = _spark(inputs, period, work, master=master, progress=progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result.period = period
    result.seconds = time.perf_counter() - started
    return result


# ---------------------------------------------------------------------------------------------
# DuckDB
# ---------------------------------------------------------------------------------------------
def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _duck_csv(paths: list[Path], kind: str, columns: tuple[str, ...] | None, rejects: str) -> str:
    listed = "[" + ", ".join(_quote(str(p)) for p in paths) + "]"
    names = GDELT1_COLUMNS if kind == "csv-header" else columns
    assert names is not None
    types = ", ".join(f"'{c}': 'VARCHAR'" for c in names)
    common = (f"columns={{{types}}}, store_rejects=true, rejects_table='{rejects}', "
              f"rejects_scan='{rejects}_scan', auto_detect=false")
    if kind == "csv-header":
        return f"read_csv({listed}, header=true, delim=',', quote='\"', {common})"
    return (f"read_csv({listed}, header=false, delim='\\t', quote='', escape='', "
            f"null_padding=false, {common})")


_Progress = Callable[[str, float | None], None] | None


def _watched(con: Any, progress: _Progress, step: str, work: Callable[[], Any]) -> Any:
    """``work()`` (one DuckDB statement on ``con``), with ``progress(step, percent)`` called from
    a polling thread while it runs (DuckDB's own progress, which it counts per scanned row)."""
    if progress is None:
        return work()
    import threading

    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.25):
            value = con.query_progress()
            progress(step, value if value >= 0 else None)

    progress(step, 0.0)
    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        return work()
    finally:
        done.set()
        watcher.join()
        progress(step, 100.0)


def _duckdb(inputs: list[_Input], period: str, work: Path, *,
            memory_limit: str | None, progress: _Progress = None) -> AggregateResult:
    import duckdb
    import polars as pl

    con = duckdb.connect()
    try:
        con.execute(f"SET threads = {os.cpu_count() or 1}")
        con.execute(f"SET memory_limit = {_quote(memory_limit or DEFAULT_MEMORY_LIMIT)}")
        con.execute(f"SET temp_directory = {_quote(str(work / 'spill'))}")
        con.execute("SET preserve_insertion_order = false")
        # DuckDB counts progress only with its bar on; it never prints it (stdout carries --json).
        con.execute(f"SET enable_progress_bar = {'true' if progress else 'false'}")
        con.execute("SET enable_progress_bar_print = false")
        text = [i for i in inputs if i.kind != "parquet"]
        parquet = [i.path for i in inputs if i.kind == "parquet"]
        parts: list[str] = []
        malformed: list[tuple[str, int, str, str]] = []
        if text:
            malformed = _duck_stage(con, text, work, progress)
            parts.append("SELECT * FROM stage.raw_text")
        text_numeric = list(_NUMERIC) if text else []
        if parquet:
            kinds = _parquet_fields(parquet)
            text_numeric = sorted(set(text_numeric) | {c for c in _NUMERIC if kinds[c] == "text"})
            listed = "[" + ", ".join(_quote(str(p)) for p in parquet) + "]"
            parts.append(f"SELECT {_parquet_select(kinds, bool(text))} "
                         f"FROM read_parquet({listed}, union_by_name=true)")
        con.execute(f"CREATE VIEW raw_text AS {' UNION ALL '.join(parts)}")
        con.execute(f"CREATE VIEW raw_events AS {typed_sql(text_numeric)}")
        try:
            profile = _read_profile(_watched(
                con, progress, "profile",
                lambda: con.execute(profile_sql(text_numeric)).fetchall()))
        except duckdb.Error as exc:
            raise SourceFormatError(f"cannot read the event files: {exc}",
                                    fix="check that every file is a GDELT event file") from None
        if progress:
            progress("resolve countries", None)
        lookups = _lookup_tables(profile)
        unmapped = lookups.unmapped
        for name, schema in _Lookups.SCHEMAS.items():
            con.execute(f"CREATE TABLE {name} ({schema.replace('STRING', 'VARCHAR')})")
            rows = getattr(lookups, name)
            if rows:
                con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(rows[0]))})",
                                rows)
        def main() -> Any:
            return pl.from_arrow(_watched(con, progress, "aggregate",
                                          lambda: con.sql(lookups.sql(period)).to_arrow_table()))

        table = main()
        if _suspect(table):  # a visit's reports disagree on the military actor: collapse all
            lookups.prefilter = False
            table = main()
    finally:
        con.close()
    assert isinstance(table, pl.DataFrame)
    return _result(table, "duckdb", period, inputs, profile, unmapped, malformed)


def _duck_stage(con: Any, text: list[_Input], work: Path,
                progress: _Progress = None) -> list[tuple[str, int, str, str]]:
    """Parse the text inputs once into ``stage.raw_text`` (a table in a temporary database file,
    so it can outgrow memory): the needed fields only, as text. Plain files of one layout are read
    in one parallel scan; zips one at a time (the CSV inside is unpacked to ``work`` and deleted
    once read). Returns the rejected lines (file, line, error, detail)."""
    con.execute(f"ATTACH {_quote(str(work / 'stage.duckdb'))} AS stage")
    con.execute("CREATE TABLE stage.raw_text (" + ", ".join(f"{c} VARCHAR" for c in NEEDED) + ")")
    cols = ", ".join(NEEDED)
    groups: dict[tuple[str, tuple[str, ...] | None], list[Path]] = {}
    for item in text:
        if item.member is None:
            groups.setdefault((item.kind, item.columns), []).append(item.path)
    batches: list[tuple[list[Path], str, tuple[str, ...] | None, dict[str, str]]] = [
        (paths, kind, columns, {}) for (kind, columns), paths in groups.items()]
    zips = [item for item in text if item.member is not None]
    rejected: list[tuple[str, int, str, str]] = []

    def load(paths: list[Path], kind: str, columns: tuple[str, ...] | None,
             shown: dict[str, str], number: int) -> None:
        name = f"rejects_{number}"
        _watched(con, progress, f"parse {number + 1}/{len(batches) + len(zips)}",
                 lambda: con.execute(f"INSERT INTO stage.raw_text SELECT {cols} FROM "
                                     f"{_duck_csv(paths, kind, columns, name)}"))
        for file, line, kind_, detail in con.execute(
                f"SELECT s.file_path, e.line, CAST(e.error_type AS VARCHAR), e.error_message "
                f"FROM {name} e JOIN {name}_scan s USING (scan_id, file_id)").fetchall():
            rejected.append((shown.get(file, file), int(line), kind_, detail))
        con.execute(f"DROP TABLE IF EXISTS {name}")
        con.execute(f"DROP TABLE IF EXISTS {name}_scan")

    import duckdb

    try:
        for number, (paths, kind, columns, shown) in enumerate(batches):
            load(paths, kind, columns, shown, number)
        for number, item in enumerate(zips, start=len(batches)):
            unpacked = _extract(item, work, number)
            try:
                load([unpacked], item.kind, item.columns, {str(unpacked): str(item.path)}, number)
            finally:
                unpacked.unlink(missing_ok=True)
    except duckdb.Error as exc:
        raise SourceFormatError(f"cannot read the event files: {exc}",
                                fix="check that every file is a GDELT event file") from None
    return rejected


def _suspect(table: Any) -> bool:
    """Whether the pipeline's output flags an event whose reports disagree on the military
    actor (see :func:`pipeline_sql`)."""
    return table.height > 0 and bool(table["suspect"].max())


def _result(table: Any, engine: str, period: str, inputs: list[_Input], profile: _Profile,
            unmapped: dict[str, int],
            rejected: list[tuple[str, int, str, str]]) -> AggregateResult:
    lines = sorted({(f, n): (e, d) for f, n, e, d in rejected}.items())
    malformed: list[dict[str, Any]] = [{"file": f, "line": n, "error": e, "detail": d}
                                       for (f, n), (e, d) in lines[:200]]
    malformed += _bad_values_entry(profile)
    return AggregateResult(table=_typed(table.drop("suspect"), period), engine=engine, period=period,
                           files=[str(i.path) for i in inputs], rows_read=profile.rows_read,
                           malformed=malformed, malformed_count=len(lines) + profile.bad_rows,
                           unmapped_countries=unmapped, exclusions=profile.exclusions)


def _typed(table: Any, period: str) -> Any:
    import polars as pl

    ints = ["ccode1", "ccode2", "gwcode1", "gwcode2", *[p.strip() for p in PERIODS[period].split(",")],
            "events", "reports", "mentions", "goldstein_tenths"]
    table = table.with_columns(pl.col(c).cast(pl.Int64) for c in ints if c in table.columns)
    if "family" in table.columns:
        table = table.with_columns(pl.col("family").cast(pl.String), pl.col("kind").cast(pl.String))
    # One order on both engines (sorting here is cheaper than DuckDB's ORDER BY on the string key).
    return table.sort([*ints[:2], *ints[4:-4], "family"])


# ---------------------------------------------------------------------------------------------
# Spark
# ---------------------------------------------------------------------------------------------
def spark_sql(sql: str) -> str:
    """The pipeline's SQL in Spark's dialect (transpiled by sqlglot from DuckDB's).

    Example:
        >>> "FLOOR" in spark_sql("SELECT CAST(FLOOR(x / 10) AS INT) FROM t")
        True
    """
    import sqlglot

    return sqlglot.transpile(sql, read="duckdb", write="spark", pretty=False)[0]


_SPARK: dict[str, Any] = {}


def spark_session(master: str = "local[2]") -> Any:
    """A Spark session on ``master`` (kept for the process; the JVM starts once)."""
    if master in _SPARK:
        return _SPARK[master]
    try:
        from pyspark.sql import SparkSession
    except ImportError:  # pragma: no cover - pyspark is a dependency
        raise FoedusError("the Spark engine needs pyspark", fix="uv sync") from None
    if shutil.which("java") is None:
        raise FoedusError("the Spark engine needs Java 17 or newer",
                          fix="apt-get install openjdk-17-jre-headless (or use --engine duckdb)")
    session = (SparkSession.builder.master(master).appName("foedus-events")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "8")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.memory", "2g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    _SPARK[master] = session
    return session


def _spark_text(spark: Any, path: Path, shown: str, kind: str,
                columns: tuple[str, ...] | None) -> tuple[Any, list[tuple[int, tuple[str, str]]], int]:
    """A text input read line by line, each line parsed with the CSV options of its layout, so
    every row keeps its line number (file split start + position in the split): returns the good
    rows, the first malformed line numbers and how many there are."""
    from pyspark.sql import functions as F  # noqa: N812

    names = GDELT1_COLUMNS if kind == "csv-header" else columns
    assert names is not None
    schema = ", ".join(f"`{c}` STRING" for c in names) + ", _corrupt_record STRING"
    options = {"sep": "," if kind == "csv-header" else "\t", "mode": "PERMISSIVE",
               "columnNameOfCorruptRecord": "_corrupt_record"}
    if kind == "tsv":
        options["quote"] = ""
    lines = spark.read.text(str(path)).select(
        "value", F.col("_metadata.file_block_start").alias("_block"),
        F.monotonically_increasing_id().alias("_row"))
    blocks = sorted(tuple(r) for r in lines.groupBy("_block").agg(
        F.count(F.lit(1)).alias("n"), F.min("_row").alias("first")).collect())
    starts, before = [], 0
    for block, n, first in blocks:
        starts.append((int(block), int(first), before))
        before += int(n)
    offsets = spark.createDataFrame(starts or [(0, 0, 0)], "_block LONG, _first LONG, _before LONG")
    numbered = lines.join(F.broadcast(offsets), "_block").select(
        "value", (F.col("_row") - F.col("_first") + F.col("_before") + 1).alias("_line"))
    if kind == "csv-header":
        numbered = numbered.filter(F.col("_line") > 1)
    parsed = numbered.filter(F.col("value") != "").select(
        F.from_csv("value", schema, options).alias("r"), "_line").select("r.*", "_line")
    bad = parsed.filter(F.col("_corrupt_record").isNotNull()).select(
        "_line", F.size(F.split("_corrupt_record", options["sep"], -1)).alias("_fields"))
    count = bad.count()
    first_bad = [(int(line), _field_error(int(n), len(names), kind)) for line, n in
                 bad.orderBy("_line").limit(200).collect()] if count else []
    good = parsed.filter(F.col("_corrupt_record").isNull()).select(*NEEDED)
    return good, first_bad, count


def _field_error(fields: int, expected: int, kind: str) -> tuple[str, str]:
    """DuckDB's error type for a malformed line with ``fields`` fields (counted by the separator;
    in comma-separated files a quoted comma makes the count approximate)."""
    if fields < expected:
        return "MISSING COLUMNS", f"expected {expected} fields, found {fields} ({kind})"
    if fields > expected:
        return "TOO MANY COLUMNS", f"expected {expected} fields, found {fields} ({kind})"
    return "CAST", f"line not readable as a row of the {kind} layout"


def _spark(inputs: list[_Input], period: str, work: Path, *, master: str,
           progress: _Progress = None) -> AggregateResult:
    import polars as pl
    from pyspark.sql import functions as F  # noqa: N812

    note = progress or (lambda step, percent: None)
    note("start Spark", None)
    spark = spark_session(master)
    frames = []
    rejected: list[tuple[str, int, str, str]] = []
    extra_bad = 0
    text = [i for i in inputs if i.kind != "parquet"]
    parquet = [i.path for i in inputs if i.kind == "parquet"]
    for number, item in enumerate(text):
        path = _extract(item, work, number) if item.member is not None else item.path
        good, lines, count = _spark_text(spark, path, str(item.path), item.kind, item.columns)
        frames.append(good)
        rejected += [(str(item.path), n, error, detail) for n, (error, detail) in lines]
        extra_bad += max(0, count - len(lines))
    text_numeric = list(_NUMERIC) if text else []
    if parquet:
        kinds = _parquet_fields(parquet)
        text_numeric = sorted(set(text_numeric) | {c for c in _NUMERIC if kinds[c] == "text"})
        frames.append(spark.read.parquet(*map(str, parquet)).select(
            *(F.col(c).cast("string").alias(c)
              if kinds[c] == "text" or (text and c in _NUMERIC) else F.col(c) for c in NEEDED)))
    raw = frames[0]
    for other in frames[1:]:
        raw = raw.unionByName(other)
    raw.createOrReplaceTempView("raw_text")
    spark.sql(spark_sql(typed_sql(text_numeric))).createOrReplaceTempView("raw_events")
    note("profile", None)
    profile = _read_profile([tuple(r) for r in
                             spark.sql(spark_sql(profile_sql(text_numeric))).collect()])
    lookups = _lookup_tables(profile)
    unmapped = lookups.unmapped
    for name, schema in _Lookups.SCHEMAS.items():
        rows = getattr(lookups, name)
        spark.createDataFrame(rows, schema).createOrReplaceTempView(name)
    note("aggregate", None)

    def main() -> Any:
        out = spark.sql(spark_sql(lookups.sql(period)))
        return pl.from_pandas(out.toPandas()) if out.take(1) else pl.DataFrame(
            schema={c: pl.Int64 for c in out.columns})

    table = main()
    if _suspect(table):  # as on DuckDB
        lookups.prefilter = False
        table = main()
    result = _result(table, "spark", period, inputs, profile, unmapped, rejected)
    result.malformed_count += extra_bad
    return result
