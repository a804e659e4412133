"""DCAD v1.0 (``DCAD-v1.0-main.csv``) parsed from the real file: counts, keys, codebook codes, errata."""

from __future__ import annotations

import functools

import polars as pl
import pytest

from foedus.errors import (
    InvalidDateError,
    InvalidValueError,
    SourceEncodingError,
    SourceFormatError,
)
from foedus.sources.instruments.dcad import COLUMNS, ERRATA, parse_dcad_main
from foedus.sources.instruments.dcad import FORMATS as DCAD_FORMATS
from tests.conftest import shared_file

FILE = "dcad/DCAD-v1.0-main.csv"


@functools.cache
def dcad() -> pl.DataFrame:
    return parse_dcad_main(shared_file(FILE))


def test_rows_keys_and_types() -> None:
    df = dcad()
    assert df.shape == (1871, len(COLUMNS))
    assert df.columns == list(COLUMNS)
    assert df["dcaid"].is_unique().all()
    for key in ("ccode1", "ccode2", "sign_year", "end_year_estimate"):
        assert df.schema[key] == pl.Int64
    assert (df["sign_year"].min(), df["sign_year"].max()) == (1980, 2010)
    assert df["end_year_estimate"].max() == 2010


def test_us_poland_agreement_is_the_1995_research_agreement() -> None:
    us_pol = dcad().filter(
        ((pl.col("ccode1") == 2) & (pl.col("ccode2") == 290))
        | ((pl.col("ccode1") == 290) & (pl.col("ccode2") == 2))
    )
    assert us_pol.select("dcaid", "sign_year", "sign_month", "sign_day", "category1",
                         "end_year_estimate").rows() == [
        ("DCADv1.0-0039", 1995, 6, 9, "RESEARCH", 2010)
    ]  # fmt: skip


def test_sentinel_codes_become_null_with_labels() -> None:
    df = dcad()
    for column in ("span_years", "renew_years", "terminated", "factiva_sign", "factiva_eif"):
        assert (df[column].drop_nulls() >= 0).all(), column
    assert df["span_code"].value_counts().sort("span_code").rows() == [
        (None, 1601),
        ("finite_indeterminate", 14),
        ("indefinite", 256),
    ]
    status = dict(df["termination_status"].value_counts().rows())
    assert status == {"eif_unknown": 1005, "in_force_2010": 729, "termination_unknown": 94,
                      "terminated": 43}  # fmt: skip
    assert df["terminated"].null_count() == 1005 + 94
    assert df.filter(pl.col("renew_type") == "automatic_ongoing").height == 376
    # -66 in renewYears is a code, not 66 years
    assert df.filter(pl.col("renew_years_code") == "automatic_blocks").height == 375


def test_errata_and_no_self_dyads() -> None:
    df = dcad()
    fixed = df.filter(pl.col("erratum").is_not_null())
    assert sorted(fixed["dcaid"].to_list()) == sorted(ERRATA)
    assert dict(fixed.select("dcaid", "ccode2").rows()) == {
        "DCADv1.0-0108": 651, "DCADv1.0-0297": 101, "DCADv1.0-1625": None, "DCADv1.0-1847": None,
    }  # fmt: skip
    assert df.filter(pl.col("ccode1") == pl.col("ccode2")).height == 0


def test_abbreviations_are_trimmed() -> None:
    assert not dcad()["cowname1"].str.ends_with(" ").any()
    assert "HUN" in dcad()["cowname1"].to_list()


def _write(tmp_path, text: str, name: str = "DCAD-v1.0-main.csv"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def _real_lines(n: int = 3) -> list[str]:
    return shared_file(FILE).read_text().splitlines()[:n]


def test_unknown_sentinel_code_is_an_error_naming_line_and_column(tmp_path) -> None:
    lines = _real_lines()
    fields = lines[2].split(",")
    header = lines[0].split(",")
    fields[header.index("renewType")] = "-33"
    path = _write(tmp_path, "\n".join([lines[0], lines[1], ",".join(fields)]) + "\n")
    with pytest.raises(
        InvalidValueError, match=r"line 3, column 'renewtype': value -33 .*-44 \(not_renewable\)"
    ):
        parse_dcad_main(path)


def test_sentinel_in_a_date_column_is_an_error(tmp_path) -> None:
    lines = _real_lines()
    fields = lines[1].split(",")
    fields[lines[0].split(",").index("signYear")] = "-88"
    path = _write(tmp_path, "\n".join([lines[0], ",".join(fields)]) + "\n")
    with pytest.raises(InvalidDateError, match=r"line 2, column 'signyear.*-88"):
        parse_dcad_main(path)


def test_windows_1252_file_is_an_encoding_error_with_its_line(tmp_path) -> None:
    lines = _real_lines()
    text = "\n".join(lines).replace("US DOD", "US DOD \u2013 archive", 1) + "\n"
    path = _write(tmp_path, text.encode("cp1252"))
    with pytest.raises(SourceEncodingError, match=r"line 2.*0x96.*Fix: re-save as UTF-8"):
        parse_dcad_main(path)


def test_split_record_is_an_error_naming_the_line(tmp_path) -> None:
    lines = _real_lines(4)
    broken = lines[2].replace(",TIAS,", ",TI\nAS,", 1)
    path = _write(tmp_path, "\n".join([lines[0], lines[1], broken, lines[3]]) + "\n")
    with pytest.raises(
        SourceFormatError, match=r"line 3: record has 26 fields but the header has 30"
    ):
        parse_dcad_main(path)


def test_self_dyad_outside_the_errata_is_an_error(tmp_path) -> None:
    lines = _real_lines()
    fields = lines[1].split(",")
    fields[2] = "2"  # USA with USA
    path = _write(tmp_path, "\n".join([lines[0], ",".join(fields)]) + "\n")
    with pytest.raises(InvalidValueError, match=r"line 2, column 'ccode2'.*with itself"):
        parse_dcad_main(path)


def test_format_declaration() -> None:
    (fmt,) = DCAD_FORMATS
    assert (fmt.table, fmt.key, fmt.filename, fmt.state_system) == (
        "dcad_agreements",
        ("dcaid",),
        "DCAD-v1.0-main.csv",
        "cow",
    )
