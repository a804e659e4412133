"""Event data: GDELT 1.0 events and the ICEWS14 benchmark triples (``../shared/data/gdelt/``,
``../shared/data/icews/``), imported for the events monitor (:mod:`foedus.events`).

* ``gdelt1_events_usa_chn_dyad_2018_sample.csv`` (comma-separated, GDELT's 58 field names as header;
  USA–CHN events Jan–Oct 2018, a keyword-selected sample, not random) and
  ``gdelt1_events_georgia_actiongeo_2011-06_2013-05.parquet`` (events located in Georgia; March 2013
  missing) → ``gdelt_events``: the official fields, typed, plus ``source_file``.
* ``icews14_tkg_events_2014_reconstructed.csv.gz`` → ``icews_events``: ICEWS14 (source, event,
  target, day) triples. Its event texts are CAMEO labels; each is matched to its CAMEO code by the
  label (case and punctuation aside) in the CAMEO code table foedus carries for the match
  (:data:`ICEWS_LABELS`); actors written as a country (``China``) or ``Sector (Country)``
  (``Military (Russia)``) become that country's ISO3 code; other actors (named persons) keep no
  country and are reported by the pipeline as excluded. The result has GDELT's field names
  (``SQLDATE``, ``Actor1CountryCode``, ``EventCode``, ``GoldsteinScale``…) so one pipeline reads both.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from foedus.errors import SourceFormatError
from foedus.sources.gdelt import COLUMN_TYPES, GDELT1_COLUMNS
from foedus.sources.model import Format, Source, format_spec, release
from foedus.sources.readers import LINE_COLUMN

__all__ = ["FORMATS", "ICEWS_LABELS", "SOURCES", "parse_gdelt_csv", "parse_gdelt_parquet",
           "parse_icews14"]

_PL = {"BIGINT": pl.Int64, "DOUBLE": pl.Float64}

GDELT_BIBTEX = """@InProceedings{leetaru2013gdelt,
  author    = {Kalev Leetaru and Philip A. Schrodt},
  title     = {{GDELT}: Global Data on Events, Location and Tone, 1979--2012},
  booktitle = {ISA Annual Convention},
  year      = {2013},
  url       = {http://gdeltproject.org}
}
@TechReport{schrodt2012cameo,
  author      = {Philip A. Schrodt},
  title       = {{CAMEO} Conflict and Mediation Event Observations Event and Actor Codebook, v1.1b3},
  institution = {Pennsylvania State University},
  year        = {2012}
}"""

ICEWS_BIBTEX = """@Misc{boschee2015icews,
  author    = {Elizabeth Boschee and Jennifer Lautenschlager and Sean O'Brien and Steve Shellman and James Starz and Michael Ward},
  title     = {{ICEWS} Coded Event Data},
  year      = {2015},
  publisher = {Harvard Dataverse},
  doi       = {10.7910/DVN/28075}
}
@InProceedings{garciaduran2018tkg,
  author    = {Alberto Garc{\\'\\i}a-Dur{\\'a}n and Sebastijan Duman{\\v{c}}i{\\'c} and Mathias Niepert},
  title     = {Learning Sequence Encoders for Temporal Knowledge Graph Completion},
  booktitle = {Proceedings of EMNLP 2018},
  year      = {2018},
  pages     = {4816--4821}
}"""


def _typed(df: pl.DataFrame, where: str) -> pl.DataFrame:
    missing = [c for c in GDELT1_COLUMNS if c not in df.columns]
    if missing:
        raise SourceFormatError(f"missing GDELT fields: {', '.join(missing[:5])}", where=where,
                                fix="give a GDELT 1.0 event file with its 58 fields")
    out = []
    for c in GDELT1_COLUMNS:
        target = _PL.get(COLUMN_TYPES.get(c, ""), pl.String)
        col = pl.col(c).cast(pl.String).str.strip_chars() if df.schema[c] == pl.String else pl.col(c)
        casted = col.cast(target, strict=False)
        bad = df.filter(pl.col(c).is_not_null() & (pl.col(c).cast(pl.String) != "")
                        & casted.is_null()) if target != pl.String else df.clear()
        if bad.height:
            line = bad[LINE_COLUMN][0] if LINE_COLUMN in bad.columns else None
            raise SourceFormatError(
                f"column '{c}': '{bad[c][0]}' is not a number",
                where=f"{where}, line {line}" if line else where, fix="check the file")
        out.append(pl.when(col.cast(pl.String) == "").then(None).otherwise(casted).alias(c)
                   if target == pl.String else casted.alias(c))
    return df.select(*out, *([LINE_COLUMN] if LINE_COLUMN in df.columns else []))


def parse_gdelt_csv(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """A comma-separated GDELT 1.0 event file with a header row → ``gdelt_events``."""
    try:
        df = pl.read_csv(path, infer_schema_length=0, null_values=[""])
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise SourceFormatError(f"unreadable CSV ({str(exc).splitlines()[0]})", where=str(path),
                                fix="give the comma-separated GDELT file with its header") from None
    df = df.with_row_index(LINE_COLUMN, offset=2).with_columns(pl.col(LINE_COLUMN).cast(pl.Int64))
    out = _typed(df, str(path)).with_columns(pl.lit(path.name).alias("source_file"))
    return out if keep_lines else out.drop(LINE_COLUMN)


def parse_gdelt_parquet(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """A Parquet table with GDELT 1.0 field names → ``gdelt_events``."""
    try:
        df = pl.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same advice
        raise SourceFormatError(f"not a readable Parquet file ({type(exc).__name__})",
                                where=str(path), fix="give the original Parquet file") from None
    df = df.with_row_index(LINE_COLUMN, offset=1).with_columns(pl.col(LINE_COLUMN).cast(pl.Int64))
    source = (df["source_file"].cast(pl.String) if "source_file" in df.columns
              else pl.Series("source_file", [path.name] * df.height))
    out = _typed(df, str(path)).with_columns(source.alias("source_file"))
    return out if keep_lines else out.drop(LINE_COLUMN)


#: CAMEO event labels as ICEWS writes them → CAMEO code (Goldstein weight from GDELT's lookup),
#: for the labels of the military families and the most frequent others in ICEWS14. Labels not
#: listed keep no code and are counted as excluded.
ICEWS_LABELS: dict[str, tuple[str, float]] = {
    "make statement": ("010", 0.0), "make an appeal or request": ("020", 3.0),
    "express intent to cooperate": ("030", 4.0), "consult": ("040", 1.0),
    "make a visit": ("042", 1.9), "host a visit": ("043", 2.8),
    "engage in diplomatic cooperation": ("050", 3.5), "engage in material cooperation": ("060", 6.0),
    "cooperate militarily": ("062", 7.4), "provide aid": ("070", 7.0),
    "provide military aid": ("072", 8.3),
    "provide military protection or peacekeeping": ("074", 8.5),
    "appeal for military aid": ("0232", 3.4),
    "express intent to cooperate militarily": ("0312", 5.2),
    "express intent to provide military aid": ("0332", 5.2),
    "receive deployment of peacekeepers": ("0861", 9.0),
    "demonstrate military or police power": ("150", -7.2),
    "increase military alert status": ("152", -7.2), "mobilize or increase armed forces": ("154", -7.2),
    "impose blockade, restrict movement": ("191", -9.5), "occupy territory": ("192", -9.5),
    "fight with small arms and light weapons": ("193", -10.0),
    "fight with artillery and tanks": ("194", -10.0), "employ aerial weapons": ("195", -10.0),
    "use conventional military force": ("190", -10.0),
    "use unconventional violence": ("180", -9.0), "conduct suicide, car, or other non-military bombing": ("183", -10.0),
    "abduct, hijack, or take hostage": ("181", -9.0),
    "engage in mass killings": ("202", -10.0), "use unconventional mass violence": ("200", -10.0),
    "criticize or denounce": ("111", -2.0), "threaten": ("130", -4.4),
    "reduce or stop military assistance": ("1622", -5.6),
}  # fmt: skip

_SECTOR = re.compile(r"^.*\(([^()]+)\)\s*$")


def _label_key(text: str) -> str:
    return re.sub(r"[^a-z ,]", "", text.lower().replace("_", " ")).strip()


def parse_icews14(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """The ICEWS14 triples → ``icews_events`` with GDELT field names (see module doc)."""
    from foedus.sources.instruments.countries import resolve_names

    try:
        df = pl.read_csv(path, infer_schema_length=0)
    except (pl.exceptions.ComputeError, OSError) as exc:
        raise SourceFormatError(f"unreadable file ({str(exc).splitlines()[0]})", where=str(path),
                                fix="give icews14_tkg_events_2014_reconstructed.csv.gz") from None
    need = ["date", "source_actor", "event_text", "target_actor"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise SourceFormatError(f"missing columns: {', '.join(missing)}", where=str(path),
                                fix="give the ICEWS14 file staged under ../shared/data/icews")
    df = df.with_row_index(LINE_COLUMN, offset=2).with_columns(pl.col(LINE_COLUMN).cast(pl.Int64))
    dates = df["date"].str.to_date("%Y-%m-%d", strict=False)
    if dates.null_count():
        line = df.filter(dates.is_null())[LINE_COLUMN][0]
        raise SourceFormatError("a date is not YYYY-MM-DD", where=f"{path}, line {line}",
                                fix="check the file")
    actors = sorted(set(df["source_actor"].to_list()) | set(df["target_actor"].to_list()))
    country_text = [(m.group(1) if (m := _SECTOR.match(a)) else a) for a in actors]
    resolved = resolve_names(country_text, [2014] * len(actors), source="icews")
    iso = {a: (r["iso3"] if r["resolution"] == "resolved" else None)
           for a, r in zip(actors, resolved.iter_rows(named=True), strict=True)}
    label = {t: ICEWS_LABELS.get(_label_key(t)) for t in set(df["event_text"].to_list())}
    out = df.select(
        pl.col(LINE_COLUMN).alias("GLOBALEVENTID"),
        (dates.dt.year() * 10000 + dates.dt.month() * 100 + dates.dt.day()).cast(pl.Int64)
        .alias("SQLDATE"),
        pl.col("source_actor").alias("Actor1Name"),
        pl.col("source_actor").replace_strict(iso, return_dtype=pl.String).alias("Actor1CountryCode"),
        pl.col("target_actor").alias("Actor2Name"),
        pl.col("target_actor").replace_strict(iso, return_dtype=pl.String).alias("Actor2CountryCode"),
        pl.col("event_text"),
        pl.col("event_text").replace_strict({k: v[0] if v else None for k, v in label.items()},
                                            return_dtype=pl.String).alias("EventCode"),
        pl.col("event_text").replace_strict({k: v[1] if v else None for k, v in label.items()},
                                            return_dtype=pl.Float64).alias("GoldsteinScale"),
        pl.col(LINE_COLUMN),
    ).with_columns(
        # ICEWS names the military sector in the actor ("Military (Russia)").
        pl.when(pl.col("Actor1Name").str.starts_with("Military")).then(pl.lit("MIL"))
        .alias("Actor1Type1Code"),
        pl.when(pl.col("Actor2Name").str.starts_with("Military")).then(pl.lit("MIL"))
        .alias("Actor2Type1Code"),
        pl.col("Actor1Name").alias("Actor1Code"), pl.col("Actor2Name").alias("Actor2Code"),
    )
    return out if keep_lines else out.drop(LINE_COLUMN)


SOURCES: list[Source] = [
    Source(
        name="gdelt",
        title="GDELT 1.0 event records (samples) with the CAMEO event codebook",
        maintainer="The GDELT Project (Kalev Leetaru); CAMEO: Philip A. Schrodt",
        landing_page="https://www.gdeltproject.org/data.html",
        terms="Free and open for any use with citation (GDELT terms of use).",
        bibtex=GDELT_BIBTEX,
        releases=(
            release("gdelt", "1.0-usa-chn-2018", "gdelt1_csv_header",
                    "gdelt1_events_usa_chn_dyad_2018_sample.csv", "gdelt_events", official=False,
                    via="dinulsyah/gdeltproject", coverage=(2018, 2018)),
            release("gdelt", "1.0-georgia-2011-2013", "gdelt1_parquet",
                    "gdelt1_events_georgia_actiongeo_2011-06_2013-05.parquet", "gdelt_events_georgia",
                    official=False, via="mpiccirilli/UNDP-BCPR-Project", coverage=(2011, 2013)),
        ),
    ),
    Source(
        name="icews",
        title="ICEWS14 (Integrated Crisis Early Warning System events of 2014, benchmark triples)",
        maintainer="Boschee et al. (ICEWS, Harvard Dataverse); ICEWS14: García-Durán et al. 2018",
        landing_page="https://doi.org/10.7910/DVN/28075",
        terms="ICEWS: terms of the Harvard Dataverse record; the ICEWS14 derivation has no licence file.",
        bibtex=ICEWS_BIBTEX,
        releases=(
            release("icews", "14", "icews14_tkg_csv", "icews14_tkg_events_2014_reconstructed.csv.gz",
                    "icews_events", official=False, via="nec-research/TKG-Forecasting-Evaluation",
                    coverage=(2014, 2014)),
        ),
    ),
]

FORMATS: list[Format] = [
    format_spec("gdelt1_csv_header", "gdelt_events",
                "GDELT 1.0 events, comma-separated with the field names as header",
                parse_gdelt_csv, ("GLOBALEVENTID",), "gdelt1_events_usa_chn_dyad_2018_sample.csv"),
    format_spec("gdelt1_parquet", "gdelt_events_georgia",
                "GDELT 1.0 events as Parquet with the field names",
                parse_gdelt_parquet, ("GLOBALEVENTID",),
                "gdelt1_events_georgia_actiongeo_2011-06_2013-05.parquet"),
    format_spec("icews14_tkg_csv", "icews_events",
                "ICEWS14 benchmark triples (date, source, event label, target)",
                parse_icews14, ("GLOBALEVENTID",), "icews14_tkg_events_2014_reconstructed.csv.gz"),
]
