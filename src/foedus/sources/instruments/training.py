"""US training of foreign military personnel: the Foreign Military Training Reports, FY1999–2020.

``fmtr_foreign_military_training_FY1999_2020.parquet`` (Security Force Monitor's extraction of the
State Department/DoD *Foreign Military Training and DoD Engagement Activities of Interest* reports)
→ ``us_training``: one row per reported course line (student country × program × course).

Quirks handled:

* **Subtotal rows dropped**: the 8,496 rows flagged ``is_totals_row`` ("Program Totals") repeat the
  sums of the rows above them; they are removed (:data:`TOTALS_ROWS_RELEASED` is the released
  count, checked by the tests) so that nothing is counted twice.
* **Overlapping reports**: the first reports cover two fiscal years each (the 1999_2000 report holds
  FY1999 and FY2000, 2000_2001 holds FY2000 and FY2001), so FY2000 and FY2001 appear twice. A report
  gives the past year's actual training and the current year's plans; ``superseded`` marks the rows
  of a fiscal year that a later report covers again (the later report's figures count).
* No FY2006 report exists in the extraction: FY2006 is a gap, not a zero.
* ``country`` names are resolved (as of the fiscal year) to COW/G-W/ISO3; territories (Aruba, Hong
  Kong…) are non-state, names that fail are kept with null codes and listed by
  ``foedus data unresolved``.
* ``source_line`` is the row (1-based) of the Parquet file.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from foedus.errors import InvalidValueError
from foedus.sources.instruments._inst_util import (
    located,
    register_name_columns,
    resolve_column,
)
from foedus.sources.model import Format, Source, format_spec, release
from foedus.sources.readers import LINE_COLUMN, read_parquet_checked

__all__ = ["FORMATS", "SOURCES", "TOTALS_ROWS_RELEASED", "parse_fmtr"]

#: Fiscal years the extraction covers (FY2006 missing: :data:`MISSING_FISCAL_YEARS`).
COVERAGE: tuple[int, int] = (1999, 2020)
#: Fiscal years inside the coverage that no report gives.
MISSING_FISCAL_YEARS: frozenset[int] = frozenset({2006})
#: Number of "Program Totals" subtotal rows (``is_totals_row``) in the released file.
TOTALS_ROWS_RELEASED = 8_496

_REQUIRED = {
    "report_fy_label": pl.String,
    "fiscal_year": pl.Int64,
    "country": pl.String,
    "program": pl.String,
    "course_title": pl.String,
    "us_unit": pl.String,
    "student_unit": pl.String,
    "location": pl.String,
    "start_date": pl.String,
    "end_date": pl.String,
    "quantity": pl.String,
    "quantity_num": pl.Float64,
    "total_cost": pl.String,
    "total_cost_usd": pl.Float64,
    "run_id": pl.String,
    "source_file": pl.String,
}

#: Columns of ``us_training``, in order.
COLUMNS: tuple[str, ...] = (
    "source_line", "report_fy_label", "fiscal_year", "superseded", "country",
    "ccode", "gwcode", "iso3", "resolution", "program", "course_title", "us_unit",
    "student_unit", "location", "start_date", "end_date", "quantity", "students",
    "total_cost", "cost_usd", "run_id", "source_file",
)  # fmt: skip


def parse_fmtr(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """The FMTR Parquet extraction → ``us_training`` (subtotal rows dropped, names resolved).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "fmtr.parquet"
        >>> row = dict(report_fy_label="2010_2011", fiscal_year=2010, country="Ghana",
        ...     program="IMET-1", course_title="X", us_unit="", student_unit="", location="",
        ...     start_date="", end_date="", quantity="2", quantity_num=2.0, total_cost="$9,000",
        ...     total_cost_usd=9000.0, is_totals_row=False, run_id="1", source_file="a.xml")
        >>> total = {**row, "is_totals_row": True}
        >>> pl.DataFrame([row, total]).write_parquet(f)
        >>> parse_fmtr(f).select("source_line", "country", "ccode", "students", "cost_usd").rows()
        [(1, 'Ghana', 452, 2.0, 9000.0)]
    """
    where = str(path)
    df = read_parquet_checked(path, required=_REQUIRED)
    if "is_totals_row" not in df.columns:
        from foedus.errors import MissingColumnError

        raise MissingColumnError(
            "missing column 'is_totals_row' (the subtotal flag)",
            where=where,
            fix="use the staged extraction, which flags the 'Program Totals' rows",
        )
    if df.schema["is_totals_row"] != pl.Boolean:
        raise InvalidValueError(
            f"has type {df.schema['is_totals_row']}, expected true/false",
            where=f"{where}, column 'is_totals_row'",
            fix="use the staged extraction (is_totals_row is Boolean)",
        )
    df = df.with_row_index("source_line", offset=1).with_columns(
        pl.col("source_line").cast(pl.Int64)
    )
    for column in ("quantity_num", "total_cost_usd"):
        bad = df.select((pl.col(column) < 0).fill_null(False).arg_true()).to_series()
        if len(bad):
            raise InvalidValueError(
                f"negative value {df[column][int(bad[0])]}: trainees and costs are counts",
                where=located(where, df, int(bad[0]), column),
                fix="correct the value or use the staged extraction",
            )
    label_year = pl.col("report_fy_label").str.slice(0, 4).cast(pl.Int64, strict=False)
    bad = df.select(label_year.is_null().arg_true()).to_series()
    if len(bad):
        raise InvalidValueError(
            f"report label {df['report_fy_label'][int(bad[0])]!r} is not YYYY_YYYY",
            where=located(where, df, int(bad[0]), "report_fy_label"),
            fix="use the staged extraction",
        )
    df = df.filter(~pl.col("is_totals_row").fill_null(False))
    latest = pl.col("_label_year").max().over("fiscal_year")
    df = df.with_columns(label_year.alias("_label_year")).with_columns(
        (pl.col("fiscal_year").is_not_null() & (pl.col("_label_year") < latest)).alias(
            "superseded"
        ),
        pl.col("country").str.strip_chars().alias("country"),
        pl.col("quantity_num").alias("students"),
        pl.col("total_cost_usd").alias("cost_usd"),
    )
    df = resolve_column(df, "country", year="fiscal_year", source="fmtr")
    if keep_lines:
        df = df.with_columns(pl.col("source_line").alias(LINE_COLUMN))
    return df.select(*COLUMNS, *([LINE_COLUMN] if keep_lines else []))


SOURCES: list[Source] = [
    Source(
        name="fmtr",
        title="Foreign Military Training Report data, FY1999-2020 (US State Department/DoD reports to Congress)",
        maintainer="Security Force Monitor (extraction); US Department of State and Department of Defense (reports)",
        landing_page="https://github.com/security-force-monitor/fmtrpt_data",
        terms="Extraction MIT licence (c) 2019 Security Force Monitor; the reports are US-government works.",
        bibtex="""@Misc{sfm2024fmtr,
  author       = {{Security Force Monitor}},
  title        = {Foreign Military Training Report data (fmtrpt\\_data), fiscal years 1999--2020},
  year         = {2024},
  howpublished = {\\url{https://github.com/security-force-monitor/fmtrpt_data}},
  note         = {Extracted from US Department of State and Department of Defense, Foreign Military Training and DoD Engagement Activities of Interest, joint reports to Congress}
}""",
        releases=(
            release(
                "fmtr",
                "2024.07",
                "fmtr_parquet",
                "fmtr_foreign_military_training_FY1999_2020.parquet",
                "us_training",
                official=False,
                via="Security Force Monitor fmtrpt_data (per-region XML, de-duplicated)",
                coverage=COVERAGE,
            ),
        ),
    )
]

FORMATS: list[Format] = [
    format_spec(
        "fmtr_parquet",
        "us_training",
        "US Foreign Military Training Reports FY1999-2020: course lines by student country",
        parse_fmtr,
        ("source_line",),
        "fmtr_foreign_military_training_FY1999_2020.parquet",
    )
]

register_name_columns("us_training", (("country", "resolution"),))
