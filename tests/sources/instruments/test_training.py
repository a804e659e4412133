"""US Foreign Military Training Reports (FY1999–2020) parsed from the real Parquet file."""

from __future__ import annotations

import functools

import polars as pl
import pytest

from foedus.errors import InvalidValueError, MissingColumnError
from foedus.sources.instruments.countries import report_unresolved
from foedus.sources.instruments.training import COLUMNS, TOTALS_ROWS_RELEASED, parse_fmtr
from tests.conftest import shared_file

FILE = "us_military_training_fmtr/fmtr_foreign_military_training_FY1999_2020.parquet"


@functools.cache
def fmtr() -> pl.DataFrame:
    return parse_fmtr(shared_file(FILE))


def test_subtotal_rows_are_dropped() -> None:
    raw = pl.read_parquet(shared_file(FILE))
    assert raw.height == 253_461
    assert raw["is_totals_row"].sum() == TOTALS_ROWS_RELEASED == 8_496
    df = fmtr()
    assert df.height == raw.height - TOTALS_ROWS_RELEASED == 244_965
    assert df.columns == list(COLUMNS)
    totals_lines = (
        raw.with_row_index("line", offset=1).filter(pl.col("is_totals_row"))["line"].cast(pl.Int64)
    )
    assert not df["source_line"].is_in(totals_lines.to_list()).any()


def test_fiscal_years_and_overlapping_reports() -> None:
    df = fmtr()
    years = sorted(df["fiscal_year"].drop_nulls().unique().to_list())
    assert years == [y for y in range(1999, 2021) if y != 2006]
    superseded = df.filter(pl.col("superseded"))
    assert superseded.height == 4561 + 4939
    assert sorted(superseded.select("report_fy_label", "fiscal_year").unique().rows()) == [
        ("1999_2000", 2000), ("2000_2001", 2001)
    ]  # fmt: skip
    current = df.filter(~pl.col("superseded") & pl.col("fiscal_year").is_not_null())
    assert (
        current.group_by("fiscal_year")
        .agg(pl.col("report_fy_label").n_unique())["report_fy_label"]
        .max()
        == 1
    )
    fy2010 = current.filter(pl.col("fiscal_year") == 2010)
    assert fy2010["students"].sum() == 42_460


def test_names_resolve_and_failures_are_listed_with_their_row() -> None:
    df = fmtr()
    assert dict(df["resolution"].value_counts().rows()) == {
        "resolved": 244_189, "non-state": 423, "unresolved": 353
    }  # fmt: skip
    rep = report_unresolved(df, name_column="country", resolution_column="resolution", where=FILE)
    assert set(rep["value"]) == {
        "Netherlands Antilles", "Netherlands Antilles (NE)", "Sudan, Government of Southern",
        "Sudan, Republic of South", "Sudan, Republic of Southern",
    }  # fmt: skip
    assert rep["line"].null_count() == 0
    ghana = df.filter(pl.col("country") == "Ghana")["ccode"].unique().to_list()
    assert ghana == [452]


def test_missing_subtotal_flag_is_an_error(tmp_path) -> None:
    path = tmp_path / "fmtr.parquet"
    pl.read_parquet(shared_file(FILE)).head(3).drop("is_totals_row").write_parquet(path)
    with pytest.raises(MissingColumnError, match="is_totals_row"):
        parse_fmtr(path)


def test_negative_count_is_an_error_naming_the_row(tmp_path) -> None:
    path = tmp_path / "fmtr.parquet"
    raw = pl.read_parquet(shared_file(FILE)).head(3)
    raw.with_columns(pl.when(pl.int_range(pl.len()) == 1).then(-4.0).otherwise(pl.col(
        "quantity_num")).alias("quantity_num")).write_parquet(path)  # fmt: skip
    with pytest.raises(InvalidValueError, match=r"line 2, column 'quantity_num': negative value"):
        parse_fmtr(path)
