"""Bad input gets a clear error and loses nothing.

Each bad-input class is built in ``tmp_path`` from a few real lines of the official files (or small
synthetic text) and must raise an error that names the file, the line (or row) and/or column, and
says how to fix it.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from foedus.errors import (
    DuplicateKeyError,
    FoedusError,
    InvalidDateError,
    InvalidValueError,
    MissingColumnError,
    SourceEncodingError,
    SourceFormatError,
    TruncatedSourceError,
    UnknownStateError,
    WrongDelimiterError,
)
from foedus.sources.formats import FORMATS
from foedus.sources.readers import (
    LINE_COLUMN,
    check_dates,
    check_state_codes,
    check_unique,
    read_csv_checked,
    read_parquet_checked,
)
from tests.conftest import shared_file

STATES = {  # states2016.csv as required by cow_states_csv
    "stateabb": pl.String, "ccode": pl.Int64, "statenme": pl.String, "styear": pl.Int64,
    "stmonth": pl.Int64, "stday": pl.Int64, "endyear": pl.Int64, "endmonth": pl.Int64,
    "endday": pl.Int64, "version": pl.Int64,
}  # fmt: skip


def real_lines(relative: str, n: int) -> list[str]:
    """The header and first ``n - 1`` records of a real file."""
    text = shared_file(relative).read_text(encoding="utf-8")
    return text.splitlines()[:n]


def write(tmp_path: Path, name: str, lines: list[str], *, end: str = "\n") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + end, encoding="utf-8")
    return path


def located(err: pytest.ExceptionInfo[FoedusError], path: Path, *parts: str) -> str:
    """Assert the message names the file, each of ``parts`` (line, column…) and a fix."""
    message = str(err.value)
    assert str(path) in message, message
    for part in parts:
        assert part in message, (part, message)
    assert "Fix:" in message, message
    assert err.value.fix
    return message


@pytest.fixture
def states_lines() -> list[str]:
    return real_lines("cow/states2016.csv", 8)


# --------------------------------------------------------------------------------------------------
# Good input: the real shapes that must pass
# --------------------------------------------------------------------------------------------------


def test_real_lines_read(tmp_path: Path, states_lines: list[str]) -> None:
    path = write(tmp_path, "states2016.csv", states_lines)
    df = read_csv_checked(path, required=STATES, key=["ccode", "styear"], line_column=LINE_COLUMN)
    assert df.height == 7
    assert df[LINE_COLUMN].to_list() == list(range(2, 9))
    assert df.schema["ccode"] == pl.Int64


def test_no_final_newline_crlf_and_bom_are_fine(tmp_path: Path, states_lines: list[str]) -> None:
    """The official states2016.csv has no final newline; MID files have CRLF; Excel adds a BOM."""
    path = tmp_path / "states2016.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(states_lines).encode())
    df = read_csv_checked(path, required=STATES, key=["ccode", "styear"])
    assert df.columns[0] == "stateabb" and df.height == 7


def test_quoted_newline_keeps_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", ["id,name", '1,"two\nlines"', "2,x", "2,y"])
    with pytest.raises(DuplicateKeyError) as err:
        read_csv_checked(path, required={"id": pl.Int64}, key=["id"])
    located(err, path, "lines 4 and 5", "id=2")


def test_whole_floats_and_na_are_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", ["ccode,milex", "2.0,NA", "20,1e3"])
    df = read_csv_checked(path, required={"ccode": pl.Int64, "milex": pl.Float64})
    assert df["ccode"].to_list() == [2, 20] and df["milex"].to_list() == [None, 1000.0]


def test_cp1252_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_bytes("name,code\nCôte d'Ivoire,437\n".encode("cp1252"))
    df = read_csv_checked(path, required={"code": pl.Int64}, encoding="cp1252")
    assert df["name"].to_list() == ["Côte d'Ivoire"]


# --------------------------------------------------------------------------------------------------
# Truncated file
# --------------------------------------------------------------------------------------------------


def test_truncated_mid_record(tmp_path: Path, states_lines: list[str]) -> None:
    cut = states_lines[:-1] + [states_lines[-1][:12]]  # e.g. "BHM,31,Baham"
    path = write(tmp_path, "states2016.csv", cut, end="")
    with pytest.raises(TruncatedSourceError) as err:
        read_csv_checked(path, required=STATES)
    msg = located(err, path, "line 8", "of the header's 10 fields")
    assert "does not end with a newline" in msg


def test_truncated_inside_quotes(tmp_path: Path) -> None:
    lines = real_lines("cow/MIDB 5.0.csv", 4)
    cut = "\n".join(lines)
    cut = cut[: cut.rindex('"') - 2]  # stops inside "USA…"
    path = tmp_path / "MIDB 5.0.csv"
    path.write_text(cut)
    with pytest.raises(TruncatedSourceError) as err:
        FORMATS["cow_midb_csv"].parse(path)
    located(err, path, "line 4", "quoted value")


def test_header_only_and_empty(tmp_path: Path, states_lines: list[str]) -> None:
    path = write(tmp_path, "states2016.csv", states_lines[:1])
    with pytest.raises(TruncatedSourceError) as err:
        read_csv_checked(path, required=STATES)
    located(err, path, "no data rows")
    empty = write(tmp_path, "empty.csv", [], end="")
    with pytest.raises(TruncatedSourceError) as err2:
        read_csv_checked(empty, required=STATES)
    located(err2, empty, "empty")


def test_ragged_record_mid_file(tmp_path: Path, states_lines: list[str]) -> None:
    lines = list(states_lines)
    lines[3] = lines[3] + ",extra"
    path = write(tmp_path, "states2016.csv", lines)
    with pytest.raises(SourceFormatError) as err:
        read_csv_checked(path, required=STATES)
    located(err, path, "line 4", "11 fields but the header has 10")


def test_row_names_export(tmp_path: Path, states_lines: list[str]) -> None:
    lines = [states_lines[0]] + [f'"{i}",{line}' for i, line in enumerate(states_lines[1:], 1)]
    path = write(tmp_path, "states2016.csv", lines)
    with pytest.raises(SourceFormatError) as err:
        read_csv_checked(path, required=STATES)
    located(err, path, "line 2", "row names", "row.names = FALSE")


def test_truncated_parquet(tmp_path: Path) -> None:
    raw = shared_file("peacesciencer/cow_majors.parquet").read_bytes()
    path = tmp_path / "cow_majors.parquet"
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(TruncatedSourceError) as err:
        FORMATS["ps_cow_majors"].parse(path)
    located(err, path, "truncated")


def test_corrupt_and_wrong_kind_of_parquet(tmp_path: Path, states_lines: list[str]) -> None:
    raw = shared_file("peacesciencer/cow_majors.parquet").read_bytes()
    path = tmp_path / "cow_majors.parquet"
    path.write_bytes(raw[:4] + b"\x00" * (len(raw) - 8) + raw[-4:])
    with pytest.raises(SourceFormatError) as err:
        FORMATS["ps_cow_majors"].parse(path)
    located(err, path, "cannot be read")
    csv_named_parquet = write(tmp_path, "cw_system.parquet", states_lines)
    with pytest.raises(SourceFormatError) as err2:
        FORMATS["isard_cw_system"].parse(csv_named_parquet)
    located(err2, csv_named_parquet, "not a Parquet file", "CSV")


def test_parquet_given_to_a_csv_format(tmp_path: Path) -> None:
    path = tmp_path / "states2016.csv"
    path.write_bytes(shared_file("isard/cw_system.parquet").read_bytes())
    with pytest.raises(SourceFormatError) as err:
        FORMATS["cow_states_csv"].parse(path)
    located(err, path, "Parquet file, not a CSV")


# --------------------------------------------------------------------------------------------------
# Missing or renamed column
# --------------------------------------------------------------------------------------------------


def test_missing_column(tmp_path: Path, states_lines: list[str]) -> None:
    cut = [",".join(line.split(",")[:-1]) for line in states_lines]  # drop "version"
    path = write(tmp_path, "states2016.csv", cut)
    with pytest.raises(MissingColumnError) as err:
        FORMATS["cow_states_csv"].parse(path)
    located(err, path, "'version'")


def test_renamed_column_suggests_the_right_name(tmp_path: Path, states_lines: list[str]) -> None:
    lines = [states_lines[0].replace("statenme", "StateName")] + states_lines[1:]
    path = write(tmp_path, "states2016.csv", lines)
    with pytest.raises(MissingColumnError) as err:
        FORMATS["cow_states_csv"].parse(path)
    msg = located(err, path, "'statenme'", "closest existing column: 'statename'")
    assert "rename 'statename' to 'statenme'" in msg


def test_renamed_parquet_column(tmp_path: Path) -> None:
    df = pl.read_parquet(shared_file("peacesciencer/cow_nmc.parquet")).rename({"ccode": "cowcode"})
    path = tmp_path / "cow_nmc.parquet"
    df.write_parquet(path)
    with pytest.raises(MissingColumnError) as err:
        FORMATS["ps_cow_nmc"].parse(path)
    located(err, path, "'ccode'", "'cowcode'")


# --------------------------------------------------------------------------------------------------
# Wrong delimiter / encoding
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("sep", "label"), [(";", "semicolon"), ("\t", "tab"), ("|", "pipe")])
def test_wrong_delimiter(tmp_path: Path, states_lines: list[str], sep: str, label: str) -> None:
    path = write(tmp_path, "states2016.csv", [line.replace(",", sep) for line in states_lines])
    with pytest.raises(WrongDelimiterError) as err:
        FORMATS["cow_states_csv"].parse(path)
    located(err, path, "line 1", label, "expected ','")


def test_decimal_commas_in_body(tmp_path: Path) -> None:
    lines = real_lines("cow/NMC-60-abridged.csv", 4)
    lines[2] = lines[2].replace(",", ";").replace(".", ",")
    path = write(tmp_path, "NMC-60-abridged.csv", lines)
    with pytest.raises(SourceFormatError) as err:
        FORMATS["cow_nmc_csv"].parse(path)
    located(err, path, "line 3", "semicolon")


def test_wrong_encoding(tmp_path: Path, states_lines: list[str]) -> None:
    lines = list(states_lines)
    lines[5] = lines[5].replace("Cuba", "Cúba")
    path = tmp_path / "states2016.csv"
    path.write_bytes("\n".join(lines).encode("cp1252"))
    with pytest.raises(SourceEncodingError) as err:
        FORMATS["cow_states_csv"].parse(path)
    msg = located(err, path, "line 6", "0xfa", "re-save as UTF-8")
    assert "'ú'" in msg


def test_utf16_file(tmp_path: Path, states_lines: list[str]) -> None:
    path = tmp_path / "states2016.csv"
    path.write_bytes("\n".join(states_lines).encode("utf-16"))
    with pytest.raises(SourceEncodingError) as err:
        FORMATS["cow_states_csv"].parse(path)
    located(err, path, "UTF-16")


# --------------------------------------------------------------------------------------------------
# Duplicated keys
# --------------------------------------------------------------------------------------------------


def test_duplicated_key_names_both_lines(tmp_path: Path) -> None:
    lines = real_lines("cow/MIDA 5.0.csv", 6)
    lines.append(lines[2])
    path = write(tmp_path, "MIDA 5.0.csv", lines)
    dispnum = lines[2].split(",")[0]
    with pytest.raises(DuplicateKeyError) as err:
        FORMATS["cow_mida_csv"].parse(path)
    located(err, path, "lines 3 and 7", f"dispnum={dispnum}")


def test_duplicated_key_in_parquet(tmp_path: Path) -> None:
    df = pl.read_parquet(shared_file("isard/cw_system.parquet"))
    path = tmp_path / "cw_system.parquet"
    pl.concat([df, df.slice(5, 1)]).write_parquet(path)
    with pytest.raises(DuplicateKeyError) as err:
        FORMATS["isard_cw_system"].parse(path)
    located(err, path, "rows 6 and 244")


def test_empty_key(tmp_path: Path) -> None:
    lines = real_lines("cow/system2016.csv", 5)
    lines[3] = "RUS,,1816,2016"
    path = write(tmp_path, "system2016.csv", lines)
    with pytest.raises(InvalidValueError) as err:
        FORMATS["cow_system_csv"].parse(path)
    located(err, path, "line 4", "column 'ccode'", "empty")


# --------------------------------------------------------------------------------------------------
# Unknown state code
# --------------------------------------------------------------------------------------------------


def test_unknown_state_code(tmp_path: Path) -> None:
    lines = real_lines("atop/atop5_1m.csv", 6)
    fields = lines[4].split(",")
    fields[3] = "999"  # member
    lines[4] = ",".join(fields)
    path = write(tmp_path, "atop5_1m.csv", lines)
    known = set(FORMATS["cow_states_csv"].parse(shared_file("cow/states2016.csv"))["ccode"])
    with pytest.raises(UnknownStateError) as err:
        FORMATS["atop_member_csv"].read(path, known_states=known)
    msg = located(err, path, "line 5", "column 'member'", "999")
    assert "COW/G-W state list" in msg


def test_check_state_codes_helper() -> None:
    df = pl.DataFrame({"mem1": [2, 200], "mem2": [None, 0], "statthr1": [0, 345]})
    check_state_codes(df, ["mem1", "mem2", "statthr1"], {2, 200, 345}, "a.csv", ignore={0})
    with pytest.raises(UnknownStateError) as err:
        check_state_codes(df, ["mem1", "statthr1"], {2, 200}, "a.csv")
    assert str(err.value).startswith("a.csv, row 1, column 'statthr1': unknown COW state code 0")


# --------------------------------------------------------------------------------------------------
# Impossible dates
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({4: "2", 5: "30"}, "day 30 does not exist in that month"),  # 30 February
        ({4: "13"}, "month 13 does not exist"),
        ({3: "18166"}, "year outside"),
        ({5: "0"}, "day 0 does not exist"),
    ],
)
def test_impossible_date(
    tmp_path: Path, states_lines: list[str], fields: dict[int, str], expected: str
) -> None:
    lines = list(states_lines)
    parts = lines[6].split(",")
    for i, value in fields.items():
        parts[i] = value
    lines[6] = ",".join(parts)
    path = write(tmp_path, "states2016.csv", lines)
    with pytest.raises(InvalidDateError) as err:
        FORMATS["cow_states_csv"].parse(path)
    located(err, path, "line 7", "styear/stmonth/stday", expected)


def test_leap_day_is_fine_but_not_in_1900(tmp_path: Path) -> None:
    df = pl.DataFrame({"y": [2000, 1900], "m": [2, 2], "d": [29, 29]})
    check_dates(df.head(1), ("y", "m", "d"), where="x.csv")
    with pytest.raises(InvalidDateError, match="row 2"):
        check_dates(df, ("y", "m", "d"), where="x.csv")


def test_end_before_start(tmp_path: Path) -> None:
    lines = real_lines("cow/MIDA 5.0.csv", 5)
    parts = lines[3].split(",")
    parts[6] = str(int(parts[3]) - 1)  # endyear = styear - 1
    lines[3] = ",".join(parts)
    path = write(tmp_path, "MIDA 5.0.csv", lines)
    with pytest.raises(InvalidDateError) as err:
        FORMATS["cow_mida_csv"].parse(path)
    located(err, path, "line 4", "is before the start")


def test_unknown_parts_and_open_ends_pass() -> None:
    df = pl.DataFrame(
        {"y": [1902, 1950], "m": [7, 1], "d": [None, 0], "ey": [1902, 0], "em": [7, 0],
         "ed": [1, 0]}
    )  # fmt: skip
    check_dates(df, ("y", "m", "d"), ("ey", "em", "ed"), where="a.csv", unknown=(0,), open_end=0)


def test_overlapping_spells(tmp_path: Path, states_lines: list[str]) -> None:
    lines = list(states_lines)
    parts = lines[1].split(",")  # USA 1816-2016
    parts[3] = "1900"  # a second USA spell inside the first
    lines.append(",".join(parts))
    path = write(tmp_path, "states2016.csv", lines)
    with pytest.raises(InvalidDateError) as err:
        FORMATS["cow_states_csv"].parse(path)
    located(err, path, "lines 2 and 9", "overlap")


def test_impossible_iso_date(tmp_path: Path) -> None:
    lines = real_lines("ucdp/UcdpPrioConflict_v23_1.csv", 4)
    lines[2] = lines[2].replace('"1997-05-29"', '"1997-02-30"')
    path = write(tmp_path, "UcdpPrioConflict_v23_1.csv", lines)
    with pytest.raises(InvalidDateError) as err:
        FORMATS["ucdp_acd_csv"].parse(path)
    located(err, path, "line 3", "column 'start_date'", "1997-02-30")


# --------------------------------------------------------------------------------------------------
# Unparsable numbers
# --------------------------------------------------------------------------------------------------


def test_unparsable_number(tmp_path: Path) -> None:
    lines = real_lines("cow/NMC-60-abridged.csv", 10)
    parts = lines[8].split(",")
    parts[9] = "0.03x"  # cinc
    lines[8] = ",".join(parts)
    path = write(tmp_path, "NMC-60-abridged.csv", lines)
    with pytest.raises(InvalidValueError) as err:
        FORMATS["cow_nmc_csv"].parse(path)
    located(err, path, "line 9", "column 'cinc'", "'0.03x'", "not a number")


def test_letter_o_in_a_year(tmp_path: Path, states_lines: list[str]) -> None:
    lines = list(states_lines)
    lines[2] = lines[2].replace(",1920,", ",192O,")
    path = write(tmp_path, "states2016.csv", lines)
    with pytest.raises(InvalidValueError) as err:
        FORMATS["cow_states_csv"].parse(path)
    located(err, path, "line 3", "column 'styear'", "'192O'", "whole number")


def test_text_in_a_numeric_atop_column(tmp_path: Path) -> None:
    lines = real_lines("atop/atop5_1a.csv", 5)
    parts = lines[2].split(",")
    parts[30] = "yes"
    lines[2] = ",".join(parts)
    path = write(tmp_path, "atop5_1a.csv", lines)
    header = lines[0].split(",")
    with pytest.raises(InvalidValueError) as err:
        FORMATS["atop_alliance_csv"].parse(path)
    located(err, path, "line 3", f"column '{header[30]}'", "'yes'")


def test_fractional_code_in_parquet(tmp_path: Path) -> None:
    df = pl.read_parquet(shared_file("peacesciencer/cow_majors.parquet"))
    path = tmp_path / "cow_majors.parquet"
    df.with_columns(pl.when(pl.int_range(pl.len()) == 3).then(2.5).otherwise("ccode")
                    .alias("ccode")).write_parquet(path)  # fmt: skip
    with pytest.raises(InvalidValueError) as err:
        FORMATS["ps_cow_majors"].parse(path)
    located(err, path, "row 4", "column 'ccode'", "2.5")


def test_wrong_parquet_type(tmp_path: Path) -> None:
    df = pl.read_parquet(shared_file("isard/cw_system.parquet"))
    path = tmp_path / "cw_system.parquet"
    df.with_columns(pl.col("ccode").cast(pl.String)).write_parquet(path)
    with pytest.raises(InvalidValueError) as err:
        read_parquet_checked(path, required={"ccode": pl.Int64})
    located(err, path, "column 'ccode'", "String")


def test_check_unique_reports_rows() -> None:
    with pytest.raises(DuplicateKeyError, match=r"t\.parquet, rows 2 and 3: duplicated key a=1"):
        check_unique(pl.DataFrame({"a": [0, 1, 1]}), ["a"], "t.parquet")


def test_duplicate_header_name(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", ["ccode,CCODE", "1,2"])
    with pytest.raises(SourceFormatError) as err:
        read_csv_checked(path, required={"ccode": pl.Int64})
    located(err, path, "appears twice")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(SourceFormatError) as err:
        read_csv_checked(path, required={})
    located(err, path, "not found")
