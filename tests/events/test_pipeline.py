"""The events pipeline: dedup, families, state mapping, exclusions reported by file and line, and
identical results on DuckDB and Spark (local mode)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from foedus.cli import app
from foedus.events.pipeline import aggregate_events, spark_sql
from foedus.sources.gdelt import GDELT1_COLUMNS
from tests.conftest import shared_file

SAMPLE = "gdelt/gdelt1_events_usa_chn_dyad_2018_sample.csv"


def _row(eid: int, day: int, a1: str, a2: str, code: str, g: float, geo: str = "1",
         t1: str = "", t2: str = "") -> str:
    fields = dict.fromkeys(GDELT1_COLUMNS, "")
    fields.update({"GLOBALEVENTID": str(eid), "SQLDATE": str(day), "Actor1Code": a1 + t1,
                   "Actor2Code": a2 + t2, "Actor1CountryCode": a1, "Actor2CountryCode": a2,
                   "Actor1Type1Code": t1, "Actor2Type1Code": t2, "EventCode": code,
                   "GoldsteinScale": str(g), "NumMentions": "2", "ActionGeo_FeatureID": geo})
    return "\t".join(fields[c] for c in GDELT1_COLUMNS)


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An official-layout file: a repeated report, a military visit, a civilian visit, a region
    actor, and two malformed lines (lines 7 and 8)."""
    path = tmp_path_factory.mktemp("gdelt") / "20180105.export.CSV"
    lines = [
        _row(1, 20180105, "USA", "JPN", "062", 7.4),           # military cooperation
        _row(2, 20180105, "USA", "JPN", "062", 7.4),           # same event, another report
        _row(3, 20180105, "USA", "JPN", "042", 1.9, t1="MIL"),  # military visit
        _row(4, 20180106, "USA", "JPN", "042", 1.9),           # civilian visit: no family
        _row(5, 20180107, "RUS", "AFR", "193", -10.0),         # region: not a state
        _row(6, 20180208, "JPN", "CHN", "193", -10.0),         # fight
        "1\t2\t3",                                              # malformed: 3 fields
        _row(8, 20180209, "JPN", "CHN", "193", -10.0).replace("20180209", "2018x209", 1),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two reports of one visit whose actor codes are the same (``USA``, ``JPN``) but only the
    first names a military actor in its type field: the actor codes do not tell the military
    actor, so the pipeline must collapse every report (no filter before the collapse)."""
    path = tmp_path_factory.mktemp("gdelt") / "20180110.export.CSV"
    military = _row(1, 20180110, "USA", "JPN", "042", 1.9, t1="MIL").replace("USAMIL", "USA", 1)
    lines = [military, _row(2, 20180110, "USA", "JPN", "042", 1.9),
             _row(3, 20180111, "USA", "JPN", "043", 2.8)]  # civilian host visit: no family
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _official(sample: Path, folder: Path, name: str, *, gdelt2: bool = False,
              extra: str = "") -> Path:
    """The shared sample rewritten in the official layout (tab-separated, no header; GDELT 2.0
    adds the ADM2 fields) and zipped as GDELT distributes it."""
    from foedus.sources.gdelt import GDELT2_COLUMNS

    df = pl.read_csv(sample, infer_schema_length=0)
    if gdelt2:
        df = df.with_columns(pl.lit(None, pl.String).alias(c) for c in GDELT2_COLUMNS
                             if c not in df.columns).select(GDELT2_COLUMNS)
    inner = folder / name.removesuffix(".zip")
    df.write_csv(inner, separator="\t", include_header=False, quote_style="never")
    if extra:
        with inner.open("a", encoding="utf-8") as handle:
            handle.write(extra)
    target = folder / name
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(inner, inner.name)
    inner.unlink()
    return target


def test_official_zip_files_are_read_without_unzipping(tmp_path: Path):
    """GDELT 1.0 daily and 2.0 15-minute zips give the same table as the sample they hold;
    a malformed line inside a zip is reported with the zip's name and its line."""
    sample = shared_file(SAMPLE)
    plain = aggregate_events([sample], period="month")
    one = _official(sample, tmp_path, "20180101.export.CSV.zip", extra="1\t2\t3\n")
    two = _official(sample, tmp_path, "20180101000000.export.CSV.zip", gdelt2=True)
    zipped = aggregate_events([one, two], period="month")
    keys = ["ccode1", "ccode2", "year", "month", "family"]
    doubled = plain.table.with_columns(pl.col(c) * 2 for c in ("reports", "mentions"))
    assert zipped.table.sort(keys).equals(doubled.sort(keys))  # one event, twice reported
    assert zipped.rows_read == 2 * plain.rows_read
    assert [(m["file"], m["line"]) for m in zipped.malformed if "line" in m] == [(str(one), 3341)]
    assert not any(tmp_path.glob("*.CSV"))  # nothing left unzipped next to the archives


def test_damaged_zip_is_a_clear_error(tmp_path: Path, crafted: Path):
    good = tmp_path / "20180105.export.CSV.zip"
    with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(crafted, crafted.name)
    cut = tmp_path / "20180106.export.CSV.zip"
    cut.write_bytes(good.read_bytes()[:-40])
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as archive:
        archive.write(crafted, "a.CSV")
        archive.write(crafted, "b.CSV")
    runner = CliRunner()
    for bad, words in ((cut, "not a readable zip"), (two, "holds 2 files")):
        out = tmp_path / "out.parquet"
        result = runner.invoke(app, ["events", "aggregate", str(bad), "-o", str(out)])
        assert result.exit_code == 2 and words in result.stderr, result.output
        assert not out.exists()


def test_duckdb_pipeline_rules(crafted: Path):
    r = aggregate_events([crafted], engine="duckdb", period="month")
    rows = {(x["ccode1"], x["ccode2"], x["month"], x["family"]): x for x in r.table.iter_rows(named=True)}
    coop = rows[(2, 740, 1, "military_cooperation")]
    assert (coop["events"], coop["reports"], coop["goldstein_tenths"]) == (1, 2, 74)
    assert rows[(2, 740, 1, "military_visit")]["events"] == 1
    assert rows[(740, 710, 2, "fight")]["goldstein_tenths"] == -100
    assert len(rows) == 3  # the civilian visit and the region actor count nowhere
    assert r.unmapped_countries == {"AFR": 1}
    # Line 7 has 3 fields: reported with its line; line 8's date is not a number: counted.
    assert [m["line"] for m in r.malformed if "line" in m] == [7]
    assert r.malformed[0]["file"].endswith("20180105.export.CSV")
    assert [m["error"] for m in r.malformed if "rows" in m] == ["not a number in SQLDATE (1)"]
    assert r.malformed_count == 2 and r.rows_read == 6


def test_military_visit_reported_without_military_actor_code(mixed: Path, crafted: Path):
    """A repeated report keeps its event's military actor even when only another report names
    it: one military visit of two reports (not one report, as a filter before the collapse
    would give)."""
    r = aggregate_events([mixed], engine="duckdb", period="day")
    assert [(x["family"], x["events"], x["reports"], x["mentions"], x["goldstein_tenths"])
            for x in r.table.iter_rows(named=True)] == [("military_visit", 1, 2, 4, 19)]
    # With a file whose actor codes tell the military actor, the result is the sum of both.
    both = aggregate_events([mixed, crafted], engine="duckdb", period="day")
    alone = aggregate_events([crafted], engine="duckdb", period="day")
    assert both.table.height == alone.table.height + 1
    assert both.table.join(r.table, on=list(r.table.columns), how="anti").equals(alone.table)


def test_sample_counts_equal_a_direct_count():
    """Events of the USA–CHN sample per family, recounted here with plain Polars."""
    from foedus.events.families import family_of

    path = shared_file(SAMPLE)
    r = aggregate_events([path], engine="duckdb", period="year")
    raw = pl.read_csv(path, infer_schema_length=0).unique(
        ["SQLDATE", "Actor1Code", "Actor2Code", "EventCode", "ActionGeo_FeatureID"])
    expected: dict[str, int] = {}
    for row in raw.iter_rows(named=True):
        mil = "MIL" in {row[f"Actor{i}Type{j}Code"] for i in (1, 2) for j in (1, 2, 3)}
        fam = family_of(row["EventCode"], military_actor=mil)
        if fam is not None and row["Actor1CountryCode"] != row["Actor2CountryCode"]:
            expected[fam] = expected.get(fam, 0) + 1
    got = r.table.group_by("family").agg(pl.col("events").sum())
    assert dict(got.iter_rows()) == expected


def test_spark_transpilation_is_spark_sql():
    from foedus.events.pipeline import pipeline_sql, profile_sql

    sql = spark_sql(pipeline_sql("month"))
    assert "GROUP BY" in sql and "JOIN families" in sql
    profile = spark_sql(profile_sql(["SQLDATE"]))
    assert "GROUPING SETS" in profile and "TRY_CAST(SQLDATE AS BIGINT)" in profile


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java (.ci/run installs it)")
def test_spark_gives_identical_results(crafted: Path, mixed: Path, tmp_path: Path):
    sample = shared_file(SAMPLE)
    zipped = tmp_path / "20180105.export.CSV.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(crafted, crafted.name)
    for files, period in (([zipped], "month"), ([sample], "month"),
                          ([sample, crafted, mixed], "day")):
        duck = aggregate_events(files, engine="duckdb", period=period)
        spark = aggregate_events(files, engine="spark", period=period, master="local[2]")
        keys = [c for c in duck.table.columns if c not in ("events", "reports", "mentions",
                                                           "goldstein_tenths", "kind")]
        a = duck.table.sort(keys)
        b = spark.table.select(a.columns).sort(keys)
        assert a.equals(b), (files, period)
        assert duck.malformed_count == spark.malformed_count
        # Malformed rows: the same files, lines and kinds of error on both engines.
        assert [(m["file"], m.get("line"), m["error"]) for m in duck.malformed] == \
            [(m["file"], m.get("line"), m["error"]) for m in spark.malformed]
        assert duck.unmapped_countries == spark.unmapped_countries
        assert duck.rows_read == spark.rows_read


def test_events_dyad_cli(built_warehouse: Path):
    runner = CliRunner()
    result = runner.invoke(app, ["events", "dyad", "USA", "CHN", "--from", "2018-01", "--to",
                                 "2018-12", "--json", "--warehouse", str(built_warehouse)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    months = {m["month"]: m for m in doc["months"]}
    assert doc["coverage"] == ["2018-01", "2018-10"]
    assert months["2018-12"]["conflict_events"] is None  # outside the sample: missing, not 0
    assert months["2018-07"]["conflict_events"] > 0
    bad = runner.invoke(app, ["events", "dyad", "USA", "Narnia", "--warehouse", str(built_warehouse)])
    assert bad.exit_code == 2 and "Narnia" in bad.stderr


def test_icews_runs_through_the_same_pipeline(built_warehouse: Path):
    """ICEWS lacks several GDELT fields (they are null): the monitor still answers."""
    from foedus.events.monitor import top_dyads

    doc = top_dyads(2014, source="icews", warehouse=built_warehouse)
    assert doc["cooperation"] and doc["conflict"]
    assert all(r["events"] > 0 for r in doc["cooperation"])
