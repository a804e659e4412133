"""Validating readers for official release files: every bad input gets a clear, located error.

The readers never guess silently. A file that is not UTF-8, uses another delimiter, ends in the
middle of a record, lacks (or renamed) a column, holds a value that is not of the column's type, or
repeats a key raises a :class:`~foedus.errors.SourceFormatError` subclass whose message names the
file, the 1-based line (CSV) or row (Parquet) and column, and says how to fix it.

Line numbers are physical lines of the file (the header is line 1), so they stay right when a quoted
value spans several lines. Ask :func:`read_csv_checked` for a :data:`LINE_COLUMN` to keep them for
the later checks (:func:`check_dates`, :func:`check_state_codes`, :func:`check_unique`).
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import polars as pl
else:  # imported on first use (paths that read no table need no Polars)
    from foedus._lazy import module

    pl = module("polars")

from foedus.errors import (
    DuplicateKeyError,
    InvalidDateError,
    InvalidValueError,
    MissingColumnError,
    SourceEncodingError,
    SourceFormatError,
    TruncatedSourceError,
    UnknownStateError,
    WrongDelimiterError,
)
from foedus.sources.normalize import cast_keys

__all__ = [
    "LINE_COLUMN",
    "DType",
    "check_dates",
    "check_state_codes",
    "check_unique",
    "read_csv_checked",
    "read_parquet_checked",
]

#: Name of the optional column holding each row's 1-based line number in the source file.
LINE_COLUMN = "_line"

#: A Polars data type, as a class (``pl.Int64``) or an instance (``pl.Int64()``).
if TYPE_CHECKING:
    DType = pl.DataType | type[pl.DataType]
else:  # (an annotation only: defined without importing Polars)
    DType = Any

_OTHER_DELIMITERS = {";": "semicolon ';'", "\t": "tab", "|": "pipe '|'"}
_STATE_FIX = (
    "check the code against the COW/G-W state list or import the matching state-system release"
)


# --------------------------------------------------------------------------------------------------
# Locating rows
# --------------------------------------------------------------------------------------------------


def _where(
    path: str,
    index: int | None = None,
    lines: Sequence[int] | None = None,
    column: str | None = None,
) -> str:
    """``file, line N, column 'c'`` (``row N`` when no line numbers are known)."""
    parts = [path]
    if index is not None:
        parts.append(f"line {lines[index]}" if lines is not None else f"row {index + 1}")
    if column is not None:
        parts.append(f"column '{column}'")
    return ", ".join(parts)


def _lines_of(df: pl.DataFrame, line_column: str | None) -> list[int] | None:
    if line_column is not None and line_column in df.columns:
        return df.get_column(line_column).to_list()
    return None


def _first_true(mask: pl.Series) -> int | None:
    """Index of the first ``True`` of a boolean series (nulls count as ``False``)."""
    hits = mask.fill_null(False).arg_true()
    return int(hits[0]) if len(hits) else None


def _is_polars_type(dtype: DType, target: type[pl.DataType]) -> bool:
    return dtype == target or (isinstance(dtype, type) and issubclass(dtype, target))


def _type_name(dtype: DType) -> str:
    return {
        pl.Int64: "a whole number",
        pl.Float64: "a number",
        pl.Date: "a date (YYYY-MM-DD)",
        pl.String: "text",
    }.get(dtype if isinstance(dtype, type) else type(dtype), str(dtype))


def _missing_columns_error(
    path: str, missing: Sequence[str], existing: Sequence[str]
) -> MissingColumnError:
    described = []
    renames = []
    lowered = {c.lower(): c for c in existing}
    for name in missing:
        close = difflib.get_close_matches(name.lower(), list(lowered), n=2, cutoff=0.6)
        if close:
            candidates = " or ".join(f"'{lowered[c]}'" for c in close)
            described.append(f"'{name}' (closest existing column: {candidates})")
            renames.append(f"rename '{lowered[close[0]]}' to '{name}'")
        else:
            described.append(f"'{name}' (no similar column)")
    fix = "; ".join(renames) if renames else "use the official release file (it has these columns)"
    if renames:
        fix += ", or use the official release file"
    shown = ", ".join(existing[:12]) + (", …" if len(existing) > 12 else "")
    return MissingColumnError(
        f"missing column{'s' if len(missing) > 1 else ''} {', '.join(described)}; "
        f"the file has: {shown}",
        where=path,
        fix=fix,
    )


# --------------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------------


def _decode(path: str, raw: bytes, encoding: str) -> str:
    """Decode the file bytes, reporting the line and byte of the first undecodable byte."""
    if raw.startswith(b"PAR1"):
        raise SourceFormatError(
            "this is a Parquet file, not a CSV file",
            where=path,
            fix="import it with the matching Parquet format, or give the official CSV file",
        )
    if raw.startswith(b"PK\x03\x04"):
        raise SourceFormatError(
            "this is a zip archive or an Excel workbook, not a CSV file",
            where=path,
            fix="unzip the release (or export the sheet as CSV, UTF-8) and import the CSV file",
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceEncodingError(
            "the file is UTF-16 encoded",
            where=path,
            fix="re-save as UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8 in.csv > out.csv`)",
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        byte = nul - raw.rfind(b"\n", 0, nul)
        raise SourceFormatError(
            f"binary content (NUL byte) at line {line}, byte {byte}",
            where=path,
            fix="give the official CSV release file, not a binary or UTF-16 file",
        )
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        newline = b"\n" if b"\n" in raw else b"\r"
        line = raw.count(newline, 0, exc.start) + 1
        column = exc.start - raw.rfind(newline, 0, exc.start)
        bad = raw[exc.start : exc.start + 1]
        guess = ""
        try:
            guess = f" (as Windows-1252 it would be '{bad.decode('cp1252')}')"
        except UnicodeDecodeError:
            pass
        raise SourceEncodingError(
            f"byte 0x{bad.hex()} (byte {column} of the line) is not valid "
            f"{encoding.upper()}{guess}",
            where=f"{path}, line {line}",
            fix="re-save as UTF-8 (e.g. `iconv -f cp1252 -t UTF-8 in.csv > out.csv`), "
            "or re-download the official release file",
        ) from None


def _scan_csv(path: str, text: str, delimiter: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Split CSV text into header, records and the line on which each record starts.

    Raises on a wrong delimiter, ragged or truncated records and unterminated quotes.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    header_line = 0
    rows: list[list[str]] = []
    lines: list[int] = []
    ends_with_newline = text.endswith(("\n", "\r"))
    previous = 0
    try:
        for record in reader:
            start = previous + 1
            previous = reader.line_num
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # blank line
            if header is None:
                header, header_line = record, start
                continue
            rows.append(record)
            lines.append(start)
    except csv.Error as exc:
        line = previous + 1
        if "unexpected end of data" in str(exc):
            raise TruncatedSourceError(
                f"the file ends inside a quoted value of the record starting at line {line}",
                where=f"{path}, line {line}",
                fix="the file is truncated: download the official release file again",
            ) from None
        raise SourceFormatError(
            f"malformed quoting in the record starting at line {line} ({exc})",
            where=f"{path}, line {line}",
            fix='quote values that contain the delimiter or quotes ("" inside quotes), '
            "or re-download the official release file",
        ) from None
    if header is None:
        raise TruncatedSourceError(
            "the file is empty", where=path, fix="download the official release file again"
        )
    header = [h.strip() for h in header]
    if len(header) == 1:
        for other, label in _OTHER_DELIMITERS.items():
            if other != delimiter and len(header[0].split(other)) > 1:
                raise WrongDelimiterError(
                    f"the header splits into 1 column with '{delimiter}' but into "
                    f"{len(header[0].split(other))} with a {label}: the file uses a {label} "
                    f"as delimiter, expected '{delimiter}'",
                    where=f"{path}, line {header_line}",
                    fix=f"re-save the file with '{delimiter}' as the separator, or use the "
                    "official release file",
                )
    if not rows:
        raise TruncatedSourceError(
            "the file has a header but no data rows",
            where=path,
            fix="the file is truncated: download the official release file again",
        )
    width = len(header)
    for i, record in enumerate(rows):
        if len(record) == width:
            continue
        line = lines[i]
        last = i == len(rows) - 1
        if last and len(record) < width:
            tail = "" if ends_with_newline else " and the file does not end with a newline"
            raise TruncatedSourceError(
                f"the last record has {len(record)} of the header's {width} fields{tail}: "
                "the file ends in the middle of a record",
                where=f"{path}, line {line}",
                fix="the file is truncated: download the official release file again",
            )
        if i == 0 and len(record) == width + 1 and all(len(r) == width + 1 for r in rows[:50]):
            raise SourceFormatError(
                f"every record has one field more than the header ({width + 1} vs {width}): "
                "the file was written with row names",
                where=f"{path}, line {line}",
                fix="re-export without row names (R: write.csv(x, row.names = FALSE); "
                "pandas: to_csv(index=False)), or use the official release file",
            )
        hint = ""
        raw_line = text.splitlines()[line - 1] if line - 1 < len(text.splitlines()) else ""
        for other, label in _OTHER_DELIMITERS.items():
            if other in raw_line:
                hint = f" (the line contains a {label}: wrong delimiter?)"
                break
        if len(record) > width and not hint:
            hint = " (an unquoted value contains the delimiter?)"
        raise SourceFormatError(
            f"record has {len(record)} fields but the header has {width}{hint}",
            where=f"{path}, line {line}",
            fix="repair that line (quote values that contain commas) or re-download the "
            "official release file",
        )
    return header, rows, lines


def _is_int_type(dtype: DType) -> bool:
    return bool(dtype.is_integer())


def _is_float_type(dtype: DType) -> bool:
    return bool(dtype.is_float())


def _bad_value(
    path: str,
    name: str,
    raw: pl.Series,
    mask: pl.Series,
    lines: Sequence[int],
    dtype: DType,
    numeric_file: bool = False,
) -> InvalidValueError:
    """The error for the first row of ``mask`` (a value of ``raw`` that does not parse)."""
    bad = _first_true(mask)
    assert bad is not None
    where = _where(path, bad, lines, name)
    if _is_polars_type(dtype, pl.Date):
        return InvalidDateError(
            f"value '{raw[bad]}' is not a valid date (YYYY-MM-DD)",
            where=where,
            fix="correct the date (a real calendar day, written YYYY-MM-DD) or re-download "
            "the official release file",
        )
    what = f"value '{raw[bad]}' is not {_type_name(pl.Int64 if _is_int_type(dtype) else dtype)}"
    if numeric_file:
        what += " (every column of this file is numeric)"
    decimal = "" if _is_int_type(dtype) else "use '.' as decimal mark; "
    return InvalidValueError(
        what,
        where=where,
        fix=f"correct the value ({decimal}leave the field empty if it is missing) or re-download "
        "the official release file",
    )


def _type_columns(
    path: str,
    raw: pl.DataFrame,
    wanted: Mapping[str, DType],
    others: str,
    lines: Sequence[int],
    null_values: Collection[str],
) -> pl.DataFrame:
    """Type the String columns of ``raw``: required ones to their type, the others by ``others``.

    Three vectorised passes over all columns (clean: blanks and ``null_values`` → null; cast to
    Int64/Float64/Date; count failures per column); only a failing column is searched row by row.
    """
    typed = [
        c
        for c in raw.columns
        if (c in wanted and not _is_polars_type(wanted[c], pl.String))
        or (c not in wanted and others != "string")
    ]
    nulls = list(null_values)
    first: list[pl.Expr] = []
    for c in raw.columns:
        text = pl.col(c).str.strip_chars()
        first.append(pl.when(text.str.len_bytes() == 0).then(None).otherwise(pl.col(c)).alias(c))
        if c in typed:  # stripped, "missing" spellings → null
            cleaned = pl.when(text.is_in(nulls)).then(None).otherwise(text) if nulls else text
            first.append(pl.when(text.str.len_bytes() == 0).then(None).otherwise(cleaned)
                         .alias(f"{c}\x00n"))  # fmt: skip
    base = raw.select(first)
    if not typed:
        return base
    second: list[pl.Expr] = []
    for c in typed:
        n = pl.col(f"{c}\x00n")
        second += [
            n.cast(pl.Int64, strict=False).alias(f"{c}\x00s"),
            n.cast(pl.Float64, strict=False).alias(f"{c}\x00f"),
        ]
        if c in wanted and _is_polars_type(wanted[c], pl.Date):
            second.append(n.str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias(f"{c}\x00d"))
    values = pl.concat([base, base.select(second)], how="horizontal")
    stats: list[pl.Expr] = []
    for c in typed:
        present = pl.col(f"{c}\x00n").is_not_null()
        stats += [
            present.sum().alias(f"{c}\x00present"),
            (present & pl.col(f"{c}\x00s").is_null()).sum().alias(f"{c}\x00s"),
            (present & pl.col(f"{c}\x00f").is_null()).sum().alias(f"{c}\x00f"),
        ]
        if f"{c}\x00d" in values.columns:
            stats.append((present & pl.col(f"{c}\x00d").is_null()).sum().alias(f"{c}\x00d"))
    counts = values.select(stats).row(0, named=True)

    def column(c: str, kind: str) -> pl.Series:
        return values.get_column(f"{c}\x00{kind}")

    def lenient_int(c: str) -> pl.Series:
        """Whole numbers, also when written as floats (``2.0``, ``1e3``)."""
        if not counts[f"{c}\x00s"]:
            return column(c, "s")
        f = column(c, "f")
        whole = f.is_finite() & (f == f.round(0))
        return pl.select(
            pl.coalesce(column(c, "s"), pl.when(whole).then(f.cast(pl.Int64, strict=False)))
        ).to_series()

    def fails(c: str, result: pl.Series) -> pl.Series:
        return column(c, "n").is_not_null() & result.is_null()

    out: list[pl.Series] = []
    for c in raw.columns:
        original = base.get_column(c)
        if c not in typed:
            out.append(original)
            continue
        if c in wanted:
            dtype = wanted[c]
            if _is_polars_type(dtype, pl.Date):
                result = column(c, "d")
            elif _is_int_type(dtype):
                result = lenient_int(c)
            elif _is_float_type(dtype):
                result = column(c, "f")
            else:  # another Polars type: let Polars cast, strictly
                try:
                    out.append(column(c, "n").cast(dtype, strict=True).alias(c))
                except pl.exceptions.PolarsError as exc:
                    raise InvalidValueError(
                        f"values cannot be read as {dtype} ({exc})",
                        where=_where(path, column=c),
                        fix="correct the column or re-download the official release file",
                    ) from None
                continue
            bad = fails(c, result)
            if bad.any():
                raise _bad_value(path, c, original, bad, lines, dtype)
            out.append(result.cast(dtype).alias(c))
        elif not counts[f"{c}\x00present"]:  # all empty
            out.append(pl.Series(c, [None] * base.height, dtype=pl.Int64 if others == "numeric"
                                 else pl.String))  # fmt: skip
        elif not counts[f"{c}\x00s"]:
            out.append(column(c, "s").alias(c))
        elif not counts[f"{c}\x00f"]:
            whole = lenient_int(c) if others == "numeric" else None
            use_int = whole is not None and not fails(c, whole).any()
            out.append((whole if use_int and whole is not None else column(c, "f")).alias(c))
        elif others == "numeric":
            raise _bad_value(path, c, original, fails(c, column(c, "f")), lines, pl.Float64, True)
        else:
            out.append(original)
    return pl.DataFrame(out)


def read_csv_checked(
    path: str | Path,
    *,
    required: Mapping[str, DType],
    key: Sequence[str] | None = None,
    missing_codes: Mapping[str, Sequence[int]] | None = None,
    rename_lower: bool = True,
    encoding: Literal["utf-8", "cp1252"] = "utf-8",
    delimiter: str = ",",
    others: Literal["infer", "numeric", "string"] = "infer",
    null_values: Collection[str] = ("NA",),
    line_column: str | None = None,
) -> pl.DataFrame:
    """Read an official CSV release file, validating its structure, types and key.

    Args:
        path: the CSV file.
        required: columns that must exist, with the type each is cast to (``pl.Int64``,
            ``pl.Float64``, ``pl.Date`` for ISO dates, ``pl.String``). Names are matched after
            lower-casing when ``rename_lower`` is true.
        key: columns that identify a row; a repeated key raises :class:`DuplicateKeyError`
            naming both lines. Key columns may be empty only where ``missing_codes`` allows.
        missing_codes: per column, the codebook's missing-value codes (e.g. ``{"stday": [-9]}``),
            turned into nulls after typing.
        rename_lower: lower-case every column name (official files mix ``StateAbb``/``stateabb``).
        encoding: ``"utf-8"`` (a UTF-8 BOM is accepted); ``"cp1252"`` only for releases whose
            official file is Windows-1252.
        delimiter: the official delimiter; another one found in the header is reported.
        others: how to type the columns not in ``required``: ``"infer"`` (Int64, Float64 or
            String), ``"numeric"`` (Int64 when every value is whole, else Float64; text is an
            error) or ``"string"``.
        null_values: extra spellings of "missing" in numeric and date columns (empty fields are
            always missing).
        line_column: if given, add this Int64 column with each row's line number in the file.

    Returns:
        The table, one row per record, required columns first in file order.

    Raises:
        SourceEncodingError, WrongDelimiterError, TruncatedSourceError, MissingColumnError,
        InvalidValueError, InvalidDateError, DuplicateKeyError, SourceFormatError.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "majors.csv"
        >>> _ = f.write_text("StateAbb,ccode,styear\\nUSA,2,1898\\nUKG,200,1816\\n")
        >>> df = read_csv_checked(f, required={"ccode": pl.Int64}, key=["ccode"])
        >>> df.columns, df.dtypes[1]
        (['stateabb', 'ccode', 'styear'], Int64)
    """
    where = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise SourceFormatError("file not found", where=where, fix="check the path") from None
    except IsADirectoryError:
        raise SourceFormatError(
            "is a directory, not a CSV file",
            where=where,
            fix="give the path of the CSV file itself",
        ) from None
    text = _decode(where, raw, encoding)
    header, rows, lines = _scan_csv(where, text, delimiter)

    names = []
    for i, h in enumerate(header):
        name = h.lower() if rename_lower else h
        names.append(name if name else f"unnamed_{i + 1}")
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            raise SourceFormatError(
                f"column name '{header[i]}' appears twice (columns {seen[name] + 1} and {i + 1})",
                where=f"{where}, line 1",
                fix="give each column a distinct name (as in the official release file)",
            )
        seen[name] = i

    wanted = {(k.lower() if rename_lower else k): v for k, v in required.items()}
    missing = [k for k in wanted if k not in seen]
    if missing:
        raise _missing_columns_error(where, missing, names)

    columns = list(zip(*rows, strict=True))
    raw_df = pl.DataFrame(
        {name: pl.Series(name, columns[i], dtype=pl.String) for i, name in enumerate(names)}
    )
    df = _type_columns(where, raw_df, wanted, others, lines, null_values)

    if missing_codes:
        exprs = []
        for col, codes in missing_codes.items():
            name = col.lower() if rename_lower else col
            if name in df.columns and df.schema[name].is_numeric():
                exprs.append(
                    pl.when(pl.any_horizontal([pl.col(name) == c for c in codes]))
                    .then(None)
                    .otherwise(pl.col(name))
                    .alias(name)
                )
        if exprs:
            df = df.with_columns(exprs)

    if line_column is not None:
        df = df.with_columns(pl.Series(line_column, lines, dtype=pl.Int64))
    if key:
        nullable = {(c.lower() if rename_lower else c) for c in (missing_codes or {})}
        check_unique(
            df,
            [k.lower() if rename_lower else k for k in key],
            where,
            lines=lines,
            nullable=nullable,
        )
    return df


# --------------------------------------------------------------------------------------------------
# Parquet
# --------------------------------------------------------------------------------------------------


def _coerce_parquet_column(path: str, df: pl.DataFrame, name: str, dtype: DType) -> pl.Series:
    s = df.get_column(name)
    have = s.dtype
    wrong = InvalidValueError(
        f"has type {have}, expected {_type_name(dtype)}",
        where=_where(path, column=name),
        fix="use the official release file (or re-export this column with the documented type)",
    )
    if _is_polars_type(dtype, pl.String):
        if have == pl.String:
            return s
        if isinstance(have, pl.Categorical | pl.Enum) or have in (pl.Categorical, pl.Enum):
            return s.cast(pl.String)
        raise wrong
    if _is_polars_type(dtype, pl.Date):
        if have == pl.Date:
            return s
        if isinstance(have, pl.Datetime):
            return s.dt.date()
        if have == pl.String:
            out = s.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
            bad = _first_true(s.is_not_null() & out.is_null())
            if bad is not None:
                raise InvalidDateError(
                    f"value '{s[bad]}' is not a valid date (YYYY-MM-DD)",
                    where=_where(path, bad, None, name),
                    fix="correct the date or re-export the table from the official release",
                )
            return out
        raise wrong
    if not have.is_numeric():
        raise wrong
    if (isinstance(dtype, type) and dtype.is_integer()) or (
        isinstance(dtype, pl.DataType) and dtype.is_integer()
    ):
        if have.is_float():
            frac = _first_true(s.is_not_null() & ~(s.is_finite() & (s == s.round(0))))
            if frac is not None:
                raise InvalidValueError(
                    f"value {s[frac]} is not a whole number",
                    where=_where(path, frac, None, name),
                    fix="codes and years are whole numbers: correct the value or use the official "
                    "release file",
                )
        return s.cast(dtype)
    return s.cast(dtype)


def read_parquet_checked(
    path: str | Path,
    *,
    required: Mapping[str, DType],
    key: Sequence[str] | None = None,
    nullable: Collection[str] = (),
) -> pl.DataFrame:
    """Read a Parquet table (e.g. the peer's bundled data), validating columns, types and key.

    Required columns are cast to their type (floats holding codes must be whole numbers);
    identifying columns (``ccode``, ``year``…) become Int64 via :func:`cast_keys`; other columns
    keep their stored type. Errors name the file, the column and the 1-based row. Key columns may
    be empty only when listed in ``nullable``.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
        >>> pl.DataFrame({"ccode": [2.0, 20.0], "cinc": [0.1, 0.2]}).write_parquet(f)
        >>> read_parquet_checked(f, required={"ccode": pl.Int64}, key=["ccode"]).dtypes
        [Int64, Float64]
    """
    where = str(path)
    p = Path(path)
    if not p.is_file():
        raise SourceFormatError("file not found", where=where, fix="check the path")
    size = p.stat().st_size
    with p.open("rb") as fh:
        head = fh.read(4)
        fh.seek(max(size - 4, 0))
        tail = fh.read(4)
    if head != b"PAR1":
        looks = (
            "a zip archive or Excel workbook"
            if head == b"PK\x03\x04"
            else ("text (CSV?)" if head.isascii() and head.strip() else "something else")
        )
        raise SourceFormatError(
            f"not a Parquet file (it looks like {looks})",
            where=where,
            fix="give the Parquet file, or import a CSV with its CSV format",
        )
    if size < 12 or tail != b"PAR1":
        raise TruncatedSourceError(
            "the Parquet footer is missing: the file is truncated",
            where=where,
            fix="copy or download the file again (the whole file)",
        )
    try:
        df = pl.read_parquet(p)
    except Exception as exc:  # polars/pyarrow raise many kinds of errors for corrupt files
        raise SourceFormatError(
            f"the Parquet file cannot be read ({type(exc).__name__}: {str(exc).splitlines()[0]})",
            where=where,
            fix="the file is damaged: copy or download it again",
        ) from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise _missing_columns_error(where, missing, df.columns)
    df = df.with_columns([_coerce_parquet_column(where, df, c, t) for c, t in required.items()])
    for name, dtype in df.schema.items():  # cast_keys would truncate 2.5 to 2: check first
        if (
            name not in required
            and dtype.is_float()
            and cast_keys(df.select(name).head(0)).schema[name] == pl.Int64
        ):
            _coerce_parquet_column(where, df, name, pl.Int64)
    df = cast_keys(df)
    if key:
        check_unique(df, key, where, nullable=nullable)
    return df


# --------------------------------------------------------------------------------------------------
# Checks shared by every format
# --------------------------------------------------------------------------------------------------


def check_unique(
    df: pl.DataFrame,
    key: Sequence[str],
    where: str,
    *,
    lines: Sequence[int] | None = None,
    line_column: str | None = LINE_COLUMN,
    nullable: Collection[str] = (),
) -> None:
    """Raise :class:`DuplicateKeyError` if two rows share ``key`` (nulls compare equal).

    Empty key values are an error too, except in the ``nullable`` columns.

    Example:
        >>> check_unique(pl.DataFrame({"ccode": [2, 20]}), ["ccode"], "t.csv")
        >>> check_unique(pl.DataFrame({"ccode": [2, 2]}), ["ccode"], "t.csv")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        foedus.errors.DuplicateKeyError: t.csv, rows 1 and 2: duplicated key ccode=2. Fix: ...
    """
    if lines is None:
        lines = _lines_of(df, line_column)
    absent = [k for k in key if k not in df.columns]
    if absent:
        raise _missing_columns_error(where, absent, df.columns)
    for k in key:
        if k in nullable:
            continue
        bad = _first_true(df.get_column(k).is_null())
        if bad is not None:
            raise InvalidValueError(
                f"key column '{k}' is empty",
                where=_where(where, bad, lines, k),
                fix="fill in the value (every row needs its key) or re-download the official "
                "release file",
            )
    keyed = df.select(key)
    dup = keyed.is_duplicated()
    if not dup.any():
        return
    idx = (
        keyed.with_row_index("_i")
        .filter(dup)
        .group_by(key, maintain_order=True)
        .agg(pl.col("_i"))
        .with_columns(pl.col("_i").list.get(1).alias("_second"))
        .sort("_second")
        .row(0, named=True)
    )
    first, second = idx["_i"][0], idx["_i"][1]
    label = ", ".join(f"{k}={idx[k]}" for k in key)
    place = (
        f"lines {lines[first]} and {lines[second]}"
        if lines is not None
        else f"rows {first + 1} and {second + 1}"
    )
    raise DuplicateKeyError(
        f"duplicated key {label}",
        where=f"{where}, {place}",
        fix="remove the repeated row (or re-download the official release file)",
    )


class _DateSpec:
    """Year, month and day expressions of a date given as one Date column or y/m/d columns."""

    def __init__(self, df: pl.DataFrame, cols: str | Sequence[str], unknown: Collection[int]):
        names = [cols] if isinstance(cols, str) else list(cols)
        if not 1 <= len(names) <= 3:
            raise ValueError("a date is one Date column or (year[, month[, day]]) columns")
        absent = [c for c in names if c not in df.columns]
        if absent:
            raise KeyError(f"date columns not in the table: {absent}")
        self.label = "/".join(names)
        self.is_date = len(names) == 1 and df.schema[names[0]] == pl.Date
        if self.is_date:
            c = pl.col(names[0])
            parts = (c.dt.year(), c.dt.month(), c.dt.day())
            self.y, self.m, self.d = (e.cast(pl.Int64) for e in parts)
            self.n = 3
            return
        codes = list(unknown)

        def part(i: int) -> pl.Expr:
            if i >= len(names):
                return pl.lit(None, dtype=pl.Int64)
            e = pl.col(names[i]).cast(pl.Int64)
            return pl.when(e.is_in(codes)).then(None).otherwise(e) if codes and i else e

        self.y, self.m, self.d = part(0), part(1), part(2)
        self.n = len(names)

    def show(self, values: tuple[object, ...]) -> str:
        return "-".join("?" if v is None else str(v) for v in values[: self.n])


def _days_in_month(y: pl.Expr, m: pl.Expr) -> pl.Expr:
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    return (
        pl.when(m == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(m.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )


def _ymd(n: int) -> str:
    y, rest = divmod(n, 10000)
    m, d = divmod(rest, 100)
    return f"{y}-{m:02d}-{d:02d}"


def check_dates(
    df: pl.DataFrame,
    start: str | Sequence[str],
    end: str | Sequence[str] | None = None,
    *,
    where: str,
    line_column: str | None = LINE_COLUMN,
    unknown: Collection[int] = (),
    open_end: int | None = None,
    years: tuple[int, int] = (1000, 2200),
    exempt: pl.Expr | None = None,
) -> None:
    """Raise :class:`InvalidDateError` for an impossible date or an end before its start.

    A date is either one ``pl.Date`` column or up to three integer columns (year, month, day).
    Empty parts (and month/day values in ``unknown``, e.g. ``0``) mean "not known" and are not
    errors; an end is compared with its start at the precision both have (an unknown start day
    counts as the 1st, an unknown end day as the 31st). Rows whose end year equals ``open_end``
    (ATOP codes ``0`` for "still in force") have no end to check. ``exempt`` (a boolean expression)
    marks rows not checked: documented errata of an official release that must still import.

    Example:
        >>> df = pl.DataFrame({"y": [1902], "m": [2], "d": [30]})
        >>> check_dates(df, ("y", "m", "d"), where="a.csv")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        foedus.errors.InvalidDateError: a.csv, row 1, column 'y/m/d': impossible date 1902-2-30 (...
    """
    lines = _lines_of(df, line_column)
    fix = (
        "correct the date in the file (unknown days or months are left empty or coded as the "
        "codebook says), or re-download the official release file"
    )
    specs = [("start", start)] + ([("end", end)] if end is not None else [])
    keys: dict[str, pl.Expr] = {}
    is_open: pl.Expr = pl.lit(False)
    spared = pl.lit(False) if exempt is None else exempt.fill_null(False)
    for role, cols in specs:
        spec = _DateSpec(df, cols, unknown)
        y, m, d = spec.y, spec.m, spec.d
        skip = spared
        if role == "end" and open_end is not None:
            is_open = (y == open_end).fill_null(False)
            skip = skip | is_open
        checks = [
            ((y < years[0]) | (y > years[1]), f"year outside {years[0]}-{years[1]}"),
            ((m < 1) | (m > 12), "month {m} does not exist"),
            ((d < 1) | (d > 31), "day {d} does not exist"),
            (d > _days_in_month(y, m), "day {d} does not exist in that month"),
        ]
        frame = df.select(
            y.alias("y"),
            m.alias("m"),
            d.alias("d"),
            *[(c.fill_null(False) & ~skip).alias(f"c{i}") for i, (c, _) in enumerate(checks)],
        )
        for i, (_, why) in enumerate(checks):
            bad = _first_true(frame.get_column(f"c{i}"))
            if bad is not None:
                yy, mm, dd = frame.row(bad)[:3]
                which = f"{role} date" if end is not None else "date"
                raise InvalidDateError(
                    f"impossible {which} {spec.show((yy, mm, dd))} ({why.format(m=mm, d=dd)})",
                    where=_where(where, bad, lines, spec.label),
                    fix=fix,
                )
        if role == "start":
            keys[role] = y * 10000 + m.fill_null(1) * 100 + d.fill_null(1)
        else:
            keys[role] = y * 10000 + m.fill_null(12) * 100 + d.fill_null(31)
    if end is not None:
        order = df.select(
            ((keys["end"] < keys["start"]).fill_null(False) & ~is_open & ~spared).alias("bad"),
            keys["start"].alias("s"),
            keys["end"].alias("e"),
        )
        bad = _first_true(order.get_column("bad"))
        if bad is not None:
            s_label = _DateSpec(df, start, unknown).label
            e_label = _DateSpec(df, end, unknown).label
            _, lo, hi = order.row(bad)
            raise InvalidDateError(
                f"the end ({e_label} = {_ymd(hi)}) is before the start ({s_label} = {_ymd(lo)})",
                where=_where(where, bad, lines, None),
                fix=fix,
            )


def check_state_codes(
    df: pl.DataFrame,
    columns: Sequence[str],
    known: Collection[int],
    where: str,
    *,
    line_column: str | None = LINE_COLUMN,
    ignore: Collection[int] = (),
    system: str = "COW",
) -> None:
    """Raise :class:`UnknownStateError` for the first code in ``columns`` not in ``known``.

    Empty values and codes in ``ignore`` (e.g. ``0`` = "no state" in ATOP's ``statthr1``) pass.

    Example:
        >>> df = pl.DataFrame({"member": [2, 200, 999]})
        >>> check_state_codes(df, ["member"], {2, 200}, "atop5_1m.csv")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        foedus.errors.UnknownStateError: atop5_1m.csv, row 3, column 'member': unknown ... 999...
    """
    lines = _lines_of(df, line_column)
    allowed = sorted(set(known) | set(ignore))
    first: tuple[int, str, object] | None = None
    for col in columns:
        if col not in df.columns:
            raise _missing_columns_error(where, [col], df.columns)
        s = df.get_column(col)
        if not s.dtype.is_integer():
            s = s.cast(pl.Int64, strict=False) if s.dtype.is_numeric() else s
        if not s.dtype.is_integer():
            raise InvalidValueError(
                f"state codes must be whole numbers, the column has type {s.dtype}",
                where=_where(where, column=col),
                fix="import the file with its format, which types the codes",
            )
        bad = _first_true(s.is_not_null() & ~s.is_in(allowed))
        if bad is not None and (first is None or bad < first[0]):
            first = (bad, col, s[bad])
    if first is not None:
        bad, col, code = first
        raise UnknownStateError(
            f"unknown {system} state code {code}",
            where=_where(where, bad, lines, col),
            fix=_STATE_FIX,
        )
