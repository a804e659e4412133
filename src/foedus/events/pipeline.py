"""One aggregation pipeline of event data, written once in SQL and run on two engines:
DuckDB (embedded, the default; out of core) and Apache Spark (``local[N]`` or any cluster URL),
the Spark SQL transpiled from the same statement by sqlglot.

Steps (:data:`PIPELINE_SQL`): keep events between two different state actors → collapse repeated
reports of one event (same day, actor codes, CAMEO code and place: GDELT codes each article's report
separately) → keep the events of the military cooperation and conflict families
(:mod:`foedus.events.families`) → map both actors' CAMEO country codes to COW / G-W codes as of the
event's year → count events, reports and the Goldstein weights per directed dyad and period.
Goldstein weights (one decimal) are summed as integers of tenths, so both engines give identical
sums whatever their order of addition.

Rows that do not fit the file layout are never dropped silently: they are counted, and on DuckDB
reported with file and line (Spark reports how many per file; see docs/events.md).

Example:
    >>> "JOIN families" in PIPELINE_SQL.format(period="year, month")
    True
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foedus.errors import FoedusError, SourceFormatError
from foedus.events.families import families_table
from foedus.sources.gdelt import GDELT1_COLUMNS, layout_for

__all__ = ["PIPELINE_SQL", "PERIODS", "AggregateResult", "aggregate_events", "input_layout"]

#: Grouping columns of each period.
PERIODS: dict[str, str] = {"year": "year", "month": "year, month", "day": "year, month, day"}

#: The pipeline (DuckDB dialect; ``{period}`` is a key of :data:`PERIODS`'s values). Inputs:
#: ``raw_events`` (GDELT fields), ``families`` (event_code, family, kind, needs_mil) and
#: ``states`` (country, year, ccode, gwcode).
PIPELINE_SQL = """
WITH base AS (
  SELECT
    CAST(FLOOR(SQLDATE / 10000) AS INT) AS year,
    CAST(FLOOR(SQLDATE / 100) AS INT) - CAST(FLOOR(SQLDATE / 10000) AS INT) * 100 AS month,
    CAST(SQLDATE AS INT) - CAST(FLOOR(SQLDATE / 100) AS INT) * 100 AS day,
    SQLDATE AS sqldate,
    COALESCE(Actor1Code, '') AS a1code,
    COALESCE(Actor2Code, '') AS a2code,
    Actor1CountryCode AS c1,
    Actor2CountryCode AS c2,
    CASE WHEN 'MIL' IN (COALESCE(Actor1Type1Code, ''), COALESCE(Actor1Type2Code, ''),
                        COALESCE(Actor1Type3Code, ''), COALESCE(Actor2Type1Code, ''),
                        COALESCE(Actor2Type2Code, ''), COALESCE(Actor2Type3Code, ''))
         THEN 1 ELSE 0 END AS mil,
    EventCode AS code,
    CAST(ROUND(GoldsteinScale * 10) AS INT) AS g10,
    COALESCE(ActionGeo_FeatureID, '') AS geo,
    COALESCE(NumMentions, 0) AS mentions
  FROM raw_events
  WHERE Actor1CountryCode IS NOT NULL AND Actor2CountryCode IS NOT NULL
    AND Actor1CountryCode <> Actor2CountryCode AND SQLDATE IS NOT NULL AND EventCode IS NOT NULL
),
events AS (
  SELECT sqldate, year, month, day, a1code, a2code, c1, c2, code, geo,
         MAX(mil) AS mil, MAX(g10) AS g10, COUNT(*) AS reports, SUM(mentions) AS mentions
  FROM base
  GROUP BY sqldate, year, month, day, a1code, a2code, c1, c2, code, geo
),
military AS (
  SELECT e.*, f.family, f.kind
  FROM events e JOIN families f ON e.code = f.event_code
  WHERE f.needs_mil = 0 OR e.mil = 1
),
dyadic AS (
  SELECT m.*, s1.ccode AS ccode1, s2.ccode AS ccode2, s1.gwcode AS gwcode1, s2.gwcode AS gwcode2
  FROM military m
  JOIN states s1 ON m.c1 = s1.country AND m.year = s1.year
  JOIN states s2 ON m.c2 = s2.country AND m.year = s2.year
  WHERE s1.ccode <> s2.ccode
)
SELECT ccode1, ccode2, MIN(gwcode1) AS gwcode1, MIN(gwcode2) AS gwcode2, {period},
       family, MIN(kind) AS kind, COUNT(*) AS events, SUM(reports) AS reports,
       SUM(mentions) AS mentions, SUM(g10) AS goldstein_tenths
FROM dyadic
GROUP BY ccode1, ccode2, {period}, family
ORDER BY ccode1, ccode2, {period}, family
"""

#: Numeric fields the pipeline reads, with their SQL types; every other field is text.
_NUMERIC = {"SQLDATE": "BIGINT", "GoldsteinScale": "DOUBLE", "NumMentions": "BIGINT"}


def _bad_value_condition() -> str:
    return " OR ".join(f"({c} IS NOT NULL AND TRY_CAST({c} AS {t}) IS NULL)"
                       for c, t in _NUMERIC.items())


#: The typed input: text rows (``raw_text``, every field as read) with the numeric fields cast;
#: rows holding a value that is not a number are left out here and counted by BAD_VALUES_SQL.
TYPED_SQL = ("SELECT " + ", ".join(
    f"TRY_CAST({c} AS {_NUMERIC[c]}) AS {c}" if c in _NUMERIC else c
    for c in ("SQLDATE", "Actor1Code", "Actor2Code", "Actor1CountryCode", "Actor2CountryCode",
              "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code", "Actor2Type1Code",
              "Actor2Type2Code", "Actor2Type3Code", "EventCode", "GoldsteinScale",
              "ActionGeo_FeatureID", "NumMentions"))
    + " FROM raw_text WHERE NOT (" + _bad_value_condition() + ")")

#: Rows with a numeric field that is not a number, per field.
BAD_VALUES_SQL = ("SELECT " + ", ".join(
    f"SUM(CASE WHEN {c} IS NOT NULL AND TRY_CAST({c} AS {t}) IS NULL THEN 1 ELSE 0 END) AS {c}"
    for c, t in _NUMERIC.items()) + ", SUM(CASE WHEN " + _bad_value_condition()
    + " THEN 1 ELSE 0 END) AS any_field FROM raw_text")

#: Distinct actor countries and years (to build the ``states`` table).
COUNTRIES_SQL = """
SELECT country, MIN(year) AS first_year, MAX(year) AS last_year FROM (
  SELECT Actor1CountryCode AS country, CAST(FLOOR(SQLDATE / 10000) AS INT) AS year FROM raw_events
  UNION ALL
  SELECT Actor2CountryCode AS country, CAST(FLOOR(SQLDATE / 10000) AS INT) AS year FROM raw_events
) AS t WHERE country IS NOT NULL AND year IS NOT NULL GROUP BY country
"""

#: Rows excluded at each step (same statement on both engines).
EXCLUSIONS_SQL = """
SELECT COUNT(*) AS rows_read,
       SUM(CASE WHEN Actor1CountryCode IS NULL OR Actor2CountryCode IS NULL THEN 1 ELSE 0 END)
         AS without_two_state_actors,
       SUM(CASE WHEN Actor1CountryCode = Actor2CountryCode THEN 1 ELSE 0 END) AS same_country
FROM raw_events
"""


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


def input_layout(path: Path) -> tuple[str, tuple[str, ...] | None]:
    """How to read an event file: ``("parquet", None)``, ``("csv-header", None)`` (comma, with the
    GDELT field names as header) or ``("tsv", columns)`` (official tab-separated layout).

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "20180101.export.CSV"
        >>> _ = p.write_text("\\t".join(["1"] * 58) + "\\n")
        >>> input_layout(p)[0], len(input_layout(p)[1])
        ('tsv', 58)
    """
    if not path.is_file():
        raise FoedusError(f"no file {path}", fix="give GDELT event files (.CSV, .csv, .parquet)")
    if path.suffix.lower() == ".parquet":
        return "parquet", None
    if path.suffix.lower() in (".zip", ".gz"):
        raise SourceFormatError("compressed event files are not read directly", where=str(path),
                                fix="unzip the GDELT files first (unzip *.zip)")
    with path.open("rb") as handle:
        first = handle.readline().decode("utf-8", "replace").rstrip("\r\n")
    if not first:
        raise SourceFormatError("the file is empty", where=f"{path}, line 1",
                                fix="give a GDELT event file")
    if first.startswith("GLOBALEVENTID"):
        return "csv-header", None
    try:
        return "tsv", layout_for(first.count("\t") + 1)[1]
    except ValueError as exc:
        raise SourceFormatError(f"line 1 has {exc}", where=f"{path}, line 1",
                                fix="give GDELT 1.0 or 2.0 event files (tab-separated, no header)"
                                ) from None


def _states_rows(countries: list[tuple[str, int, int]]) -> tuple[list[tuple[str, int, int, int]],
                                                                 list[str]]:
    """(country, year, ccode, gwcode) for every CAMEO country code and year; codes that are no
    state (regions, organisations) are returned apart."""
    from foedus.events.actors import resolve_actor_countries

    return resolve_actor_countries(countries)


def _family_rows(event_codes: Sequence[str]) -> list[tuple[str, str, str, int]]:
    return [(c, f, k, int(m)) for c, f, k, m in families_table(list(event_codes))]


#: Distinct CAMEO event codes of the input (the family table is built for exactly these).
CODES_SQL = "SELECT DISTINCT EventCode FROM raw_events WHERE EventCode IS NOT NULL"


def aggregate_events(
    files: Sequence[str | Path],
    *,
    engine: str = "duckdb",
    period: str = "month",
    master: str = "local[2]",
    memory_limit: str | None = None,
) -> AggregateResult:
    """Aggregate GDELT event files to directed dyad-period counts per military event family.

    Args:
        files: GDELT 1.0/2.0 event files (official tab-separated layout, the same fields as
            comma-separated with a header, or Parquet with those column names).
        engine: ``"duckdb"`` (default) or ``"spark"``.
        period: ``"year"``, ``"month"`` or ``"day"``.
        master: Spark master URL (``local[2]``, ``spark://host:7077``…).
        memory_limit: DuckDB memory limit (e.g. ``"3GB"``); beyond it DuckDB spills to disk.

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
    layouts = [input_layout(p) for p in paths]
    started = time.perf_counter()
    runner = _duckdb if engine == "duckdb" else _spark
    result = runner(paths, layouts, PERIODS[period], master=master, memory_limit=memory_limit)
    result.period = period
    result.seconds = time.perf_counter() - started
    return result


# ---------------------------------------------------------------------------------------------
# DuckDB
# ---------------------------------------------------------------------------------------------
def _duck_source(path: Path, layout: tuple[str, tuple[str, ...] | None]) -> str:
    quoted = "'" + str(path).replace("'", "''") + "'"
    kind, columns = layout
    if kind == "parquet":
        return (f"SELECT {', '.join(f'CAST({c} AS VARCHAR) AS {c}' for c in _NEEDED)} "
                f"FROM read_parquet({quoted})")
    if kind == "csv-header":
        types = ", ".join(f"'{c}': 'VARCHAR'" for c in GDELT1_COLUMNS)
        return (f"SELECT * FROM read_csv({quoted}, header=true, delim=',', quote='\"', "
                f"columns={{{types}}}, store_rejects=true, auto_detect=false)")
    assert columns is not None
    types = ", ".join(f"'{c}': 'VARCHAR'" for c in columns)
    return (f"SELECT * FROM read_csv({quoted}, header=false, delim='\\t', quote='', escape='', "
            f"columns={{{types}}}, store_rejects=true, auto_detect=false, null_padding=false)")


_NEEDED = ("SQLDATE", "Actor1Code", "Actor2Code", "Actor1CountryCode", "Actor2CountryCode",
           "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code", "Actor2Type1Code",
           "Actor2Type2Code", "Actor2Type3Code", "EventCode", "GoldsteinScale",
           "ActionGeo_FeatureID", "NumMentions")


def _duckdb(paths: list[Path], layouts: list[Any], period: str, *, master: str,
            memory_limit: str | None) -> AggregateResult:
    import duckdb
    import polars as pl

    con = duckdb.connect()
    try:
        if memory_limit:
            con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")  # stdout carries the --json document
        cols = ", ".join(_NEEDED)
        union = " UNION ALL ".join(f"SELECT {cols} FROM ({_duck_source(p, lay)})"
                                   for p, lay in zip(paths, layouts, strict=True))
        con.execute(f"CREATE VIEW raw_text AS {union}")
        con.execute(f"CREATE VIEW raw_events AS {TYPED_SQL}")
        try:
            countries = con.execute(COUNTRIES_SQL).fetchall()
        except duckdb.Error as exc:
            raise SourceFormatError(f"cannot read the event files: {exc}",
                                    fix="check that every file is a GDELT event file") from None
        states, unmapped = _states_rows([(c, int(a), int(b)) for c, a, b in countries])
        con.execute("CREATE TABLE states (country VARCHAR, year INTEGER, ccode INTEGER, "
                    "gwcode INTEGER)")
        if states:
            con.executemany("INSERT INTO states VALUES (?, ?, ?, ?)", states)
        con.execute("CREATE TABLE families (event_code VARCHAR, family VARCHAR, kind VARCHAR, "
                    "needs_mil INTEGER)")
        codes = [r[0] for r in con.execute(CODES_SQL).fetchall()]
        family_rows = _family_rows(codes)
        if family_rows:
            con.executemany("INSERT INTO families VALUES (?, ?, ?, ?)", family_rows)
        table = pl.from_arrow(con.sql(PIPELINE_SQL.format(period=period)).to_arrow_table())
        excl = dict(zip(("rows_read", "without_two_state_actors", "same_country"),
                        con.execute(EXCLUSIONS_SQL).fetchone() or (0, 0, 0), strict=True))
        bad = dict(zip((*_NUMERIC, "any_field"), con.execute(BAD_VALUES_SQL).fetchone() or (),
                       strict=False))
        unmapped_counts = _unmapped_counts(con.execute, unmapped)
        malformed: list[dict[str, Any]] = []
        count = 0
        try:
            # Every scan of the view records its rejects: one row per file and line.
            rows = con.execute(
                "SELECT s.file_path, e.line, MIN(CAST(e.error_type AS VARCHAR)), "
                "MIN(e.error_message) FROM reject_errors e JOIN reject_scans s "
                "USING (scan_id, file_id) GROUP BY s.file_path, e.line "
                "ORDER BY s.file_path, e.line").fetchall()
            count = len(rows)
            malformed = [{"file": r[0], "line": int(r[1]), "error": r[2], "detail": r[3]}
                         for r in rows[:200]]
        except duckdb.Error:
            pass
        if bad.get("any_field"):
            count += int(bad["any_field"])
            malformed.append({"file": "(all)", "rows": int(bad["any_field"]),
                              "error": "not a number in " + ", ".join(
                                  f"{c} ({int(n)})" for c, n in bad.items()
                                  if c != "any_field" and n)})
    finally:
        con.close()
    assert isinstance(table, pl.DataFrame)
    return AggregateResult(table=_typed(table, period), engine="duckdb", period="",
                           files=[str(p) for p in paths], rows_read=int(excl["rows_read"] or 0),
                           malformed=malformed, malformed_count=count,
                           unmapped_countries=unmapped_counts,
                           exclusions={k: int(v or 0) for k, v in excl.items() if k != "rows_read"})


def _unmapped_counts(execute: Any, unmapped: list[str]) -> dict[str, int]:
    if not unmapped:
        return {}
    codes = ", ".join("'" + c.replace("'", "''") + "'" for c in unmapped)
    rows = execute(
        f"SELECT country, COUNT(*) FROM (SELECT Actor1CountryCode AS country FROM raw_events "
        f"UNION ALL SELECT Actor2CountryCode FROM raw_events) AS t WHERE country IN ({codes}) "
        f"GROUP BY country ORDER BY 2 DESC, 1")
    fetched = rows.fetchall() if hasattr(rows, "fetchall") else rows
    return {str(c): int(n) for c, n in fetched}


def _typed(table: Any, period: str) -> Any:
    import polars as pl

    ints = ["ccode1", "ccode2", "gwcode1", "gwcode2", *[p.strip() for p in period.split(",")],
            "events", "reports", "mentions", "goldstein_tenths"]
    return table.with_columns(pl.col(c).cast(pl.Int64) for c in ints if c in table.columns)


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
    import shutil

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


def _spark(paths: list[Path], layouts: list[Any], period: str, *, master: str,
           memory_limit: str | None) -> AggregateResult:
    import polars as pl
    from pyspark.sql import functions as F  # noqa: N812

    spark = spark_session(master)
    frames = []
    malformed_total = 0
    malformed: list[dict[str, Any]] = []
    for path, (kind, columns) in zip(paths, layouts, strict=True):
        if kind == "parquet":
            df = spark.read.parquet(str(path)).select(
                *(F.col(c).cast("string").alias(c) for c in _NEEDED))
        else:
            names = GDELT1_COLUMNS if kind == "csv-header" else columns
            assert names is not None
            schema = ", ".join(f"`{c}` STRING" for c in names)
            options = {"header": kind == "csv-header", "sep": "," if kind == "csv-header" else "\t",
                       "mode": "PERMISSIVE", "columnNameOfCorruptRecord": "_corrupt_record"}
            if kind == "tsv":
                options["quote"] = ""
            df = spark.read.csv(str(path), schema=schema + ", _corrupt_record STRING", **options)
            df = df.cache()
            bad = df.filter(F.col("_corrupt_record").isNotNull()).count()
            if bad:
                malformed_total += bad
                malformed.append({"file": str(path), "rows": bad,
                                  "error": "wrong number of fields or unreadable value"})
            df = df.filter(F.col("_corrupt_record").isNull()).drop("_corrupt_record")
        frames.append(df.select(*_NEEDED))
    raw = frames[0]
    for other in frames[1:]:
        raw = raw.unionByName(other)
    raw.createOrReplaceTempView("raw_text")
    spark.sql(spark_sql(TYPED_SQL)).createOrReplaceTempView("raw_events")
    bad_row = spark.sql(spark_sql(BAD_VALUES_SQL)).collect()[0]
    bad = dict(zip((*_NUMERIC, "any_field"), bad_row, strict=False))
    if bad.get("any_field"):
        malformed_total += int(bad["any_field"])
        malformed.append({"file": "(all)", "rows": int(bad["any_field"]),
                          "error": "not a number in " + ", ".join(
                              f"{c} ({int(n)})" for c, n in bad.items()
                              if c != "any_field" and n)})
    countries = [(r[0], int(r[1]), int(r[2])) for r in spark.sql(spark_sql(COUNTRIES_SQL)).collect()]
    states, unmapped = _states_rows(countries)
    spark.createDataFrame(states or [("", 0, 0, 0)],
                          "country STRING, year INT, ccode INT, gwcode INT") \
        .filter(F.col("country") != "").createOrReplaceTempView("states")
    codes = [r[0] for r in spark.sql(spark_sql(CODES_SQL)).collect()]
    spark.createDataFrame(_family_rows(codes) or [("", "", "", 0)],
                          "event_code STRING, family STRING, kind STRING, needs_mil INT") \
        .filter(F.col("event_code") != "").createOrReplaceTempView("families")
    out = spark.sql(spark_sql(PIPELINE_SQL.format(period=period)))
    table = pl.from_pandas(out.toPandas()) if out.take(1) else pl.DataFrame(
        schema={c: pl.Int64 for c in out.columns})
    excl_row = spark.sql(spark_sql(EXCLUSIONS_SQL)).collect()[0]
    excl = {"without_two_state_actors": int(excl_row[1] or 0), "same_country": int(excl_row[2] or 0)}
    unmapped_counts = _unmapped_counts(
        lambda q: [tuple(r) for r in spark.sql(spark_sql(q)).collect()], unmapped)
    if "family" in table.columns:
        table = table.with_columns(pl.col("family").cast(pl.String), pl.col("kind").cast(pl.String))
    return AggregateResult(table=_typed(table, period), engine="spark", period="",
                           files=[str(p) for p in paths], rows_read=int(excl_row[0] or 0),
                           malformed=malformed, malformed_count=malformed_total,
                           unmapped_countries=unmapped_counts, exclusions=excl)
