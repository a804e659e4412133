"""SIPRI sources: the Arms Transfers Database (trade register) and the Military Expenditure Database.

Canonical tables:

* ``sipri_arms_deals`` — one row per deal of the trade register (SIPRI gives no deal id: ``deal_id``
  is the deal's rank in the file, ``source_line`` its line). Supplier and recipient keep SIPRI's
  names and get codes resolved **as of the order year** (``ccode_supplier``, ``gwcode_supplier``,
  ``iso3_supplier``, ``resolution_supplier`` and the same for the recipient; see
  :mod:`foedus.sources.instruments.countries`). TIV columns are millions of SIPRI trend-indicator
  values (a volume index, not money); ``delivery_years`` is the list of years with deliveries;
  ``weapon_category`` is SIPRI's weapon category derived from ``weapon_description``.
* ``sipri_milex`` — country-years of military expenditure: constant 2022 US$ m, current US$ m,
  share of GDP and of government spending as **fractions**, per capita current US$, local currency;
  a ``…_flag`` per value (``unavailable`` = SIPRI's ``...``, ``not_independent`` = ``xxx``).
* ``sipri_milex_footnotes`` — footnote markers and texts.

Quirks handled (tests under ``tests/sources/instruments/``): SIPRI exports are Windows-1252
(the staged copies are UTF-8: a cp1252 byte there is an error naming line and byte); a raw export
whose ``Comments`` field holds a line break has a record split across two lines (detected and named,
never re-joined silently: :func:`rejoin_split_records` writes a repaired copy); ``?`` uncertainty
flags become booleans; ``xxx``/``...`` sentinels become nulls with a flag, any other text in a
number column is an error; percent-scaled shares are refused; fully identical deals are kept and
counted (``identical_rows``), as SIPRI's own totals count them.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import polars as pl

from foedus.errors import (
    InvalidValueError,
    MissingColumnError,
    SourceEncodingError,
    SourceFormatError,
)
from foedus.sources.instruments.countries import attach_codes
from foedus.sources.model import Format, Source, release
from foedus.sources.model import format_spec as _f
from foedus.sources.readers import LINE_COLUMN, check_unique, read_csv_checked

__all__ = [
    "ARMS_SOURCE",
    "DEAL_COLUMNS",
    "FORMATS",
    "MILEX_SOURCE",
    "MILEX_VALUES",
    "SOURCES",
    "WEAPON_CATEGORIES",
    "parse_arms_deals",
    "parse_arms_register_raw",
    "parse_milex",
    "parse_milex_footnotes",
    "rejoin_split_records",
    "weapon_category",
]

ARMS_SOURCE = "sipri-arms-transfers"
MILEX_SOURCE = "sipri-milex"

ARMS_FILE = "sipri_trade_register_orders_1940_2024_generated_2025-03-13.csv"
ARMS_RAW_FILE = "trade-register.csv"
MILEX_FILE = "sipri_milex_1949_2023_country_year.csv"
FOOTNOTES_FILE = "sipri_milex_1949_2023_footnotes.csv"

_TERMS = (
    "SIPRI data may be used, with attribution (\"Source: SIPRI ... Database\"), for research and "
    "non-commercial purposes; see https://www.sipri.org/about/terms-and-conditions before "
    "redistributing."
)

SOURCES: list[Source] = [
    Source(
        name=ARMS_SOURCE,
        title="SIPRI Arms Transfers Database (trade register)",
        maintainer="Stockholm International Peace Research Institute (SIPRI)",
        landing_page="https://www.sipri.org/databases/armstransfers",
        terms=_TERMS,
        download_urls=("https://armstransfers.sipri.org/ArmsTransfer/TradeRegister",),
        bibtex="""@Misc{sipri2025armstransfers,
  author       = {{Stockholm International Peace Research Institute}},
  title        = {{SIPRI} Arms Transfers Database},
  year         = {2025},
  note         = {Trade register, data generated 13 March 2025 (deliveries 1950--2024)},
  howpublished = {\\url{https://www.sipri.org/databases/armstransfers}}
}""",
        releases=(
            release(
                ARMS_SOURCE,
                "2025-03-13",
                "sipri_trade_register_csv",
                ARMS_FILE,
                "sipri_arms_deals",
                official=False,
                sha256="337fc2745c259bfa989a63089d4feab0b59f9dff59ad007d7ddd37b603a04059",
                via="ColasDroin/SIPRI_arms_transfers_analysis (export re-encoded to UTF-8)",
                coverage=(1950, 2024),
            ),
            release(
                ARMS_SOURCE,
                "2025-03-13",
                "sipri_trade_register_raw",
                ARMS_RAW_FILE,
                "sipri_arms_deals",
                coverage=(1950, 2024),
            ),
        ),
    ),
    Source(
        name=MILEX_SOURCE,
        title="SIPRI Military Expenditure Database (2024 release, 1949-2023)",
        maintainer="Stockholm International Peace Research Institute (SIPRI)",
        landing_page="https://www.sipri.org/databases/milex",
        terms=_TERMS,
        download_urls=("https://www.sipri.org/sites/default/files/SIPRI-Milex-data-1949-2023.xlsx",),
        bibtex="""@Misc{sipri2024milex,
  author       = {{Stockholm International Peace Research Institute}},
  title        = {{SIPRI} Military Expenditure Database},
  year         = {2024},
  note         = {Data for 1949--2023, constant (2022) US dollars},
  howpublished = {\\url{https://www.sipri.org/databases/milex}}
}""",
        releases=(
            release(
                MILEX_SOURCE,
                "2024",
                "sipri_milex_csv",
                MILEX_FILE,
                "sipri_milex",
                official=False,
                sha256="4ce0a9fe9a7679a62b7a84a2b21c8a6812b2c181757732bfb3b412fc9d6eee85",
                via="ryanozy/csc3107-infovis (SIPRI-Milex-data-1949-2023.xlsx, sheets joined)",
                coverage=(1949, 2023),
            ),
            release(
                MILEX_SOURCE,
                "2024",
                "sipri_milex_footnotes_csv",
                FOOTNOTES_FILE,
                "sipri_milex_footnotes",
                official=False,
                sha256="9f5684cf1555bd96f4c39dc05082ec9cdc918a15a4c65456a4fbc97e697639b5",
                via="ryanozy/csc3107-infovis (SIPRI-Milex-data-1949-2023.xlsx)",
            ),
        ),
    ),
]


# --------------------------------------------------------------------------------------------------
# Weapon categories
# --------------------------------------------------------------------------------------------------

#: SIPRI's weapon categories (sources and methods), and "other".
WEAPON_CATEGORIES: tuple[str, ...] = (
    "aircraft",
    "air defence systems",
    "anti-submarine warfare weapons",
    "armoured vehicles",
    "artillery",
    "engines",
    "missiles",
    "naval weapons",
    "satellites",
    "sensors",
    "ships",
    "other",
)

# Ordered rules on ``weapon_description``: the first match wins.
_CATEGORY_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (category, re.compile(pattern, re.IGNORECASE))
    for category, pattern in (
        ("other", r"turret|air refuel"),
        ("engines", r"engine|turbofan|turbojet|turboprop|gas turbine|nuclear reactor"),
        ("satellites", r"satellite"),
        ("sensors", r"radar|sonar|\bEO\b|search system|recce system|intelligence system"),
        ("ships", r"aircraft carrier|(?<![-/])\bship\b|\bboat\b|\bcraft\b|corvette|frigate|"
                  r"destroyer|cruiser|(?<!anti-)submarine(?!-launched)|minehunter|minelayer|"
                  r"minesweeper|icebreaker|tanker$|\btug\b|gunboat"),
        ("aircraft", r"aircraft|helicopter|\bUAV\b|airship"),
        ("anti-submarine warfare weapons", r"anti-submarine (mortar|rocket launcher)|naval mine"),
        ("naval weapons", r"naval|coastal defence"),
        ("air defence systems", r"SAM system|ABM system|air-defence system|AD system|"
                                r"anti-aircraft gun"),
        ("missiles", r"missile|torpedo|guided|loitering munition|attack drone|\bSAM\b|\bABM\b"),
        ("armoured vehicles", r"\bAPC\b|tank|armoured|infantry fighting vehicle|"
                              r"fire-support vehicle|\bUGV\b"),
        ("artillery", r"\bgun\b|mortar|rocket launcher|self-propelled"),
    )
)  # fmt: skip


def weapon_category(description: str | None) -> str:
    """SIPRI's weapon category for a ``weapon_description`` (first matching rule; else "other").

    Example:
        >>> [weapon_category(d) for d in ("fighter aircraft", "anti-ship missile", "APC",
        ...                               "frigate", "portable SAM", "air search radar")]
        ['aircraft', 'missiles', 'armoured vehicles', 'ships', 'missiles', 'sensors']
    """
    if description is None:
        return "other"
    for category, pattern in _CATEGORY_RULES:
        if pattern.search(description):
            return category
    return "other"


# --------------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------------


def _decode_export(path: Path) -> str:
    """Text of a SIPRI export: UTF-8 (BOM allowed), else Windows-1252, SIPRI's own encoding."""
    where = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SourceFormatError("file not found", where=where, fix="check the path") from None
    if raw.startswith(b"PK\x03\x04"):
        raise SourceFormatError(
            "this is a zip archive or an Excel workbook, not a CSV export",
            where=where,
            fix="export the trade register as CSV from armstransfers.sipri.org",
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SourceEncodingError(
            f"byte 0x{raw[exc.start:exc.start + 1].hex()} is neither UTF-8 nor Windows-1252",
            where=f"{where}, line {line}",
            fix="re-download the export from SIPRI (it is Windows-1252) or re-save it as UTF-8",
        ) from None


def _records(text: str, first_line: int) -> list[tuple[int, list[str]]]:
    """CSV records of ``text`` with the physical line each starts on (``first_line`` = line 1)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    out: list[tuple[int, list[str]]] = []
    previous = 0
    for record in reader:
        start = previous + 1
        previous = reader.line_num
        if not record or (len(record) == 1 and not record[0].strip()):
            continue
        out.append((start + first_line - 1, record))
    return out


def _check_split_records(records: list[tuple[int, list[str]]], width: int, where: str) -> None:
    """Raise if a record was split across two lines (a raw line break inside a field).

    A split shows as a record with too few fields whose next record completes it: the two share
    the broken field, so their field counts add up to the header's width plus one.
    """
    for i, (line, record) in enumerate(records):
        if len(record) >= width:
            continue
        if i + 1 < len(records):
            next_line, following = records[i + 1]
            if len(record) + len(following) - 1 == width:
                raise SourceFormatError(
                    f"a record is split across lines {line} and {next_line}: line {line} has "
                    f"{len(record)} of {width} fields and line {next_line} carries the other "
                    f"{len(following) - 1} (a line break inside the field '{record[-1][:40]}')",
                    where=f"{where}, line {line}",
                    fix=f"join line {next_line} onto line {line} (remove the line break), e.g. with "
                    "foedus.sources.instruments.sipri.rejoin_split_records(path, repaired_path)",
                )


def rejoin_split_records(path: str | Path, out: str | Path) -> int:
    """Write a copy of a CSV export with every split record re-joined; return how many were joined.

    A record is split when a field holds a raw line break (SIPRI's ``Comments``); the break is
    replaced by a space. Lines before the header (SIPRI's preamble) are copied unchanged.

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "in.csv").write_text("a,b,c\\n1,x\\ny,3\\n4,5,6\\n")
        >>> rejoin_split_records(d / "in.csv", d / "out.csv"), (d / "out.csv").read_text()
        (1, 'a,b,c\\n1,x y,3\\n4,5,6\\n')
    """
    lines = _decode_export(Path(path)).splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.startswith("Recipient,Supplier")), 0)
    width = len(next(csv.reader([lines[start]])))
    kept, joined, i = lines[: start + 1], 0, start + 1
    while i < len(lines):
        line = lines[i]
        n = len(next(csv.reader([line]))) if line.strip() else width
        if n < width and i + 1 < len(lines):
            m = len(next(csv.reader([lines[i + 1]]))) if lines[i + 1].strip() else 0
            if n + m - 1 == width:
                kept.append(line + " " + lines[i + 1])
                joined += 1
                i += 2
                continue
        kept.append(line)
        i += 1
    Path(out).write_text("\n".join(kept) + "\n", encoding="utf-8")
    return joined


def _bad(where: str, line: int, column: str, what: str, fix: str) -> InvalidValueError:
    return InvalidValueError(what, where=f"{where}, line {line}, column '{column}'", fix=fix)


def _first_bad(mask: pl.Series) -> int | None:
    hits = mask.fill_null(False).arg_true()
    return int(hits[0]) if len(hits) else None


def _number(
    df: pl.DataFrame,
    column: str,
    dtype: pl.DataType,
    where: str,
    *,
    hint: str = "",
    required: bool = False,
) -> pl.Series:
    """Type a String column as Int64/Float64 (blank → null); the first bad value is an error."""
    text = df.get_column(column).str.strip_chars()
    text = pl.select(pl.when(text.str.len_chars() == 0).then(None).otherwise(text)).to_series()
    as_float = text.cast(pl.Float64, strict=False)
    if dtype == pl.Int64:
        whole = as_float.is_finite() & (as_float == as_float.round(0))
        out = pl.select(pl.when(whole).then(as_float.cast(pl.Int64, strict=False))).to_series()
    else:
        out = as_float
    lines = df.get_column(LINE_COLUMN)
    bad = _first_bad(text.is_not_null() & out.is_null())
    if bad is not None:
        kind = "a whole number" if dtype == pl.Int64 else "a number"
        raise _bad(where, lines[bad], column, f"value '{text[bad]}' is not {kind}{hint}",
                   "correct the value (leave it empty when unknown) or re-download the file")  # fmt: skip
    if required:
        empty = _first_bad(out.is_null())
        if empty is not None:
            raise _bad(where, lines[empty], column, "value is empty",
                       "every row needs this value: re-download the file")  # fmt: skip
    return out.alias(column)


def _flag(df: pl.DataFrame, column: str, where: str, *, raw: bool) -> pl.Series:
    """SIPRI's uncertainty flag: ``?``/empty (raw export) or True/False (staged copy) → Boolean."""
    text = df.get_column(column).str.strip_chars().fill_null("")
    accepted = {"?": True, "": False} if raw else {"True": True, "False": False, "true": True,
                                                  "false": False, "?": True, "": False}  # fmt: skip
    out = text.replace_strict(accepted, default=None, return_dtype=pl.Boolean)
    bad = _first_bad(out.is_null())
    if bad is not None:
        shown = "'?' or empty" if raw else "True, False, '?' or empty"
        raise _bad(where, df.get_column(LINE_COLUMN)[bad], column,
                   f"uncertainty flag '{text[bad]}' is not {shown}",
                   "SIPRI marks uncertain values with '?' in the column after the value: "
                   "correct the flag or re-download the export")  # fmt: skip
    return out.alias(column)


# --------------------------------------------------------------------------------------------------
# Trade register
# --------------------------------------------------------------------------------------------------

#: Columns of ``sipri_arms_deals``, in order.
DEAL_COLUMNS: tuple[str, ...] = (
    "deal_id", "source_line", "supplier", "recipient",
    "ccode_supplier", "gwcode_supplier", "iso3_supplier", "resolution_supplier",
    "ccode_recipient", "gwcode_recipient", "iso3_recipient", "resolution_recipient",
    "order_year", "order_year_uncertain", "n_ordered", "n_ordered_uncertain",
    "weapon_designation", "weapon_description", "weapon_category", "status",
    "n_delivered", "n_delivered_uncertain", "delivery_years", "first_delivery_year",
    "last_delivery_year", "n_delivery_years", "tiv_per_unit", "tiv_total_order", "tiv_delivered",
    "comments", "identical_rows",
)  # fmt: skip

_REGISTER_COLUMNS = (
    "recipient", "supplier", "order_year", "order_year_uncertain", "n_ordered",
    "n_ordered_uncertain", "weapon_designation", "weapon_description", "n_delivered",
    "n_delivered_uncertain", "delivery_years", "status", "comments", "tiv_per_unit",
    "tiv_total_order", "tiv_delivered",
)  # fmt: skip

# SIPRI's export header → canonical names (the three unnamed " " columns are the "?" flags).
_RAW_HEADER = (
    ("Recipient", "recipient"),
    ("Supplier", "supplier"),
    ("Year of order", "order_year"),
    ("", "order_year_uncertain"),
    ("Number ordered", "n_ordered"),
    ("", "n_ordered_uncertain"),
    ("Weapon designation", "weapon_designation"),
    ("Weapon description", "weapon_description"),
    ("Number delivered", "n_delivered"),
    ("", "n_delivered_uncertain"),
    ("Year(s) of delivery", "delivery_years"),
    ("status", "status"),
    ("Comments", "comments"),
    ("SIPRI TIV per unit", "tiv_per_unit"),
    ("SIPRI TIV for total order", "tiv_total_order"),
    ("SIPRI TIV of delivered weapons", "tiv_delivered"),
)

_Q_HINT = (
    " (SIPRI's '?' marks an uncertain value: in this layout it belongs in the '…_uncertain' "
    "column)"
)


def _delivery_years(df: pl.DataFrame, where: str) -> pl.Series:
    """``"1979; 1980"`` → [1979, 1980]; any token that is not a year is an error."""
    text = df.get_column("delivery_years").fill_null("").str.strip_chars()
    tokens = text.str.split(";").list.eval(pl.element().str.strip_chars()).list.eval(
        pl.element().filter(pl.element().str.len_chars() > 0)
    )
    years = tokens.list.eval(pl.element().cast(pl.Int64, strict=False))
    bad_row = _first_bad(
        (tokens.list.len() != years.list.drop_nulls().list.len())
        | years.list.eval(~pl.element().is_between(1900, 2100)).list.any()
    )
    if bad_row is not None:
        raise _bad(where, df.get_column(LINE_COLUMN)[bad_row], "delivery_years",
                   f"'{text[bad_row]}' is not a list of years separated by ';'",
                   "write the delivery years as '1979; 1980; 1981' or re-download the file")  # fmt: skip
    return years.alias("delivery_years")


def _canonical_deals(df: pl.DataFrame, where: str, *, raw: bool, keep_lines: bool) -> pl.DataFrame:
    """String register columns (+ ``_line``) → ``sipri_arms_deals``."""
    hint = "" if raw else _Q_HINT
    years = _delivery_years(df, where)
    typed = pl.DataFrame(
        [
            df.get_column(LINE_COLUMN).cast(pl.Int64).alias("source_line"),
            df.get_column("supplier").str.strip_chars(),
            df.get_column("recipient").str.strip_chars(),
            _number(df, "order_year", pl.Int64(), where, hint=hint, required=True),
            _flag(df, "order_year_uncertain", where, raw=raw),
            _number(df, "n_ordered", pl.Int64(), where, hint=hint),
            _flag(df, "n_ordered_uncertain", where, raw=raw),
            df.get_column("weapon_designation").str.strip_chars(),
            df.get_column("weapon_description").str.strip_chars(),
            df.get_column("status").str.strip_chars(),
            _number(df, "n_delivered", pl.Int64(), where, hint=hint),
            _flag(df, "n_delivered_uncertain", where, raw=raw),
            years,
            _number(df, "tiv_per_unit", pl.Float64(), where),
            _number(df, "tiv_total_order", pl.Float64(), where),
            _number(df, "tiv_delivered", pl.Float64(), where),
            df.get_column("comments").str.strip_chars(),
            df.get_column(LINE_COLUMN),
        ]
    )
    for name in ("supplier", "recipient"):
        empty = _first_bad(typed.get_column(name).fill_null("").str.len_chars() == 0)
        if empty is not None:
            raise _bad(where, typed.get_column(LINE_COLUMN)[empty], name, "the name is empty",
                       "every deal names its supplier and recipient: re-download the file")  # fmt: skip
    bad_year = _first_bad(~typed.get_column("order_year").is_between(1900, 2100))
    if bad_year is not None:
        raise _bad(where, typed.get_column(LINE_COLUMN)[bad_year], "order_year",
                   f"order year {typed.get_column('order_year')[bad_year]} is out of range",
                   "correct the year or re-download the file")  # fmt: skip
    for col in ("tiv_per_unit", "tiv_total_order", "tiv_delivered", "n_ordered", "n_delivered"):
        neg = _first_bad(typed.get_column(col) < 0)
        if neg is not None:
            raise _bad(where, typed.get_column(LINE_COLUMN)[neg], col,
                       f"negative value {typed.get_column(col)[neg]}",
                       "SIPRI values are never negative: re-download the file")  # fmt: skip
    originals = [c for c in _REGISTER_COLUMNS]
    identical = df.select(pl.len().over(originals).cast(pl.Int64).alias("identical_rows"))
    out = typed.with_columns(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("deal_id"),
        pl.col("weapon_description")
        .map_elements(weapon_category, return_dtype=pl.String)
        .alias("weapon_category"),
        pl.col("delivery_years").list.min().alias("first_delivery_year"),
        pl.col("delivery_years").list.max().alias("last_delivery_year"),
        pl.col("delivery_years").list.len().cast(pl.Int64).alias("n_delivery_years"),
        identical.get_column("identical_rows"),
    )
    out = attach_codes(out, "supplier", year="order_year", source=ARMS_SOURCE, suffix="_supplier")
    out = attach_codes(out, "recipient", year="order_year", source=ARMS_SOURCE, suffix="_recipient")
    check_unique(out, ["deal_id"], where)
    return out.select(*DEAL_COLUMNS, *([LINE_COLUMN] if keep_lines else []))


def _check_staged_consistency(df: pl.DataFrame, deals: pl.DataFrame, where: str) -> None:
    """The staged copy's parsed first/last/count columns must agree with its delivery-year list."""
    for column in ("first_delivery_year", "last_delivery_year", "n_delivery_years"):
        if column not in df.columns:
            continue
        given = _number(df, column, pl.Int64(), where)
        derived = deals.get_column(column)
        if column == "n_delivery_years":
            given = given.fill_null(0)
        bad = _first_bad(~given.eq_missing(derived))
        if bad is not None:
            raise _bad(where, df.get_column(LINE_COLUMN)[bad], column,
                       f"{column} = {given[bad]} but the delivery-year list "
                       f"'{df.get_column('delivery_years')[bad]}' gives {derived[bad]}",
                       "re-download the staged file (its derived columns disagree with the list)")  # fmt: skip


def parse_arms_deals(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """The staged trade register (UTF-8, one header line, ``?`` flags as True/False) → ``sipri_arms_deals``.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "register.csv"
        >>> _ = f.write_text(
        ...     "recipient,supplier,order_year,order_year_uncertain,n_ordered,n_ordered_uncertain,"
        ...     "weapon_designation,weapon_description,n_delivered,n_delivered_uncertain,"
        ...     "delivery_years,status,comments,tiv_per_unit,tiv_total_order,tiv_delivered\\n"
        ...     "Afghanistan,Soviet Union,1987,True,3,False,An-26,transport aircraft,3,False,"
        ...     "1987,New,,8.5,25.5,25.5\\n")
        >>> d = parse_arms_deals(f)
        >>> d.select("ccode_supplier", "ccode_recipient", "weapon_category", "delivery_years").row(0)
        (365, 700, 'aircraft', [1987])
    """
    where = str(path)
    text = None
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
        pass  # read_csv_checked reports these with line and byte
    if text is not None and text.startswith("Transfers of major conventional arms"):
        raise SourceFormatError(
            "this is SIPRI's raw trade-register export (preamble, '?' columns), not the staged copy",
            where=where,
            fix=f"import it under its export name '{ARMS_RAW_FILE}' or with format "
            "sipri_trade_register_raw",
        )
    if text is not None:
        records = _records(text, 1)
        if records:
            _check_split_records(records[1:], len(records[0][1]), where)
    df = read_csv_checked(
        path,
        required={c: pl.String for c in _REGISTER_COLUMNS},
        others="string",
        null_values=(),
        line_column=LINE_COLUMN,
    )
    deals = _canonical_deals(df, where, raw=False, keep_lines=True)
    _check_staged_consistency(df, deals, where)
    return deals if keep_lines else deals.drop(LINE_COLUMN)


def parse_arms_register_raw(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """SIPRI's own trade-register CSV export (Windows-1252, preamble, ``?`` columns) → ``sipri_arms_deals``.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "trade-register.csv"
        >>> header = ("Recipient,Supplier,Year of order, ,Number ordered, ,Weapon designation,"
        ...           "Weapon description,Number delivered, ,Year(s) of delivery,status,Comments,"
        ...           "SIPRI TIV per unit,SIPRI TIV for total order,SIPRI TIV of delivered weapons")
        >>> _ = f.write_bytes(("Transfers of major conventional arms ...\\n" + header + "\\n"
        ...     "Türkiye,Germany,1990,?,4,,MEKO-200,frigate,4,,1995; 1996,New,,280,1120,1120\\n"
        ...     ).encode("cp1252"))
        >>> parse_arms_register_raw(f).select("recipient", "ccode_supplier", "order_year_uncertain",
        ...                                   "source_line").row(0)
        ('Türkiye', 255, True, 3)
    """
    where = str(path)
    text = _decode_export(Path(path))
    lines = text.splitlines()
    header_at = next(
        (i for i, ln in enumerate(lines[:40]) if ln.lstrip('"').startswith("Recipient,Supplier")),
        None,
    )
    if header_at is None:
        raise MissingColumnError(
            "no trade-register header ('Recipient,Supplier,Year of order,…') in the first 40 lines",
            where=where,
            fix="give the CSV exported from SIPRI's trade register (armstransfers.sipri.org)",
        )
    header = [h.strip() for h in next(csv.reader([lines[header_at]]))]
    expected = [h for h, _ in _RAW_HEADER]
    if header != expected:
        raise MissingColumnError(
            f"the header has columns {header}, expected SIPRI's {expected}",
            where=f"{where}, line {header_at + 1}",
            fix="export the trade register with SIPRI's default columns",
        )
    body = "\n".join(lines[header_at + 1 :])
    records = _records(body, header_at + 2)
    if not records:
        raise SourceFormatError("the export has no deals", where=where, fix="export it again")
    width = len(header)
    _check_split_records(records, width, where)
    for line, record in records:
        if len(record) != width:
            raise SourceFormatError(
                f"record has {len(record)} fields but the header has {width}",
                where=f"{where}, line {line}",
                fix="repair that line or export the trade register again",
            )
    columns = list(zip(*(r for _, r in records), strict=True))
    df = pl.DataFrame(
        {name: pl.Series(name, columns[i], dtype=pl.String) for i, (_, name) in
         enumerate(_RAW_HEADER)}  # fmt: skip
    ).with_columns(pl.Series(LINE_COLUMN, [ln for ln, _ in records], dtype=pl.Int64))
    return _canonical_deals(df, where, raw=True, keep_lines=keep_lines)


# --------------------------------------------------------------------------------------------------
# Military expenditure
# --------------------------------------------------------------------------------------------------

#: The value columns of ``sipri_milex`` (each has a ``<name>_flag`` companion).
MILEX_VALUES: tuple[str, ...] = (
    "milex_const2022_usd_m",
    "milex_current_usd_m",
    "milex_share_gdp",
    "milex_per_capita_current_usd",
    "milex_share_govt_spending",
    "milex_local_currency_calendar_year",
    "milex_local_currency_financial_year",
)

_SHARES = ("milex_share_gdp", "milex_share_govt_spending")
_SENTINELS = {"...": "unavailable", "xxx": "not_independent"}
_FLAGS = ("unavailable", "not_independent")


def _milex_value(df: pl.DataFrame, column: str, where: str) -> tuple[pl.Series, pl.Series]:
    """A value column (numbers, SIPRI's ``...``/``xxx`` sentinels) and its flag column."""
    text = df.get_column(column).str.strip_chars()
    text = pl.select(pl.when(text.str.len_chars() == 0).then(None).otherwise(text)).to_series()
    lines = df.get_column(LINE_COLUMN)
    percent = _first_bad(text.str.ends_with("%"))
    if percent is not None and column in _SHARES:
        raise _bad(where, lines[percent], column,
                   f"value '{text[percent]}' is written as a percentage; this table stores shares "
                   "as fractions (0.0336 = 3.36 %)",
                   "divide the share columns by 100 (without the '%' sign) or use the staged "
                   "SIPRI file")  # fmt: skip
    sentinel = text.replace_strict(_SENTINELS, default=None, return_dtype=pl.String)
    value = pl.select(
        pl.when(sentinel.is_null()).then(text.cast(pl.Float64, strict=False))
    ).to_series()
    bad = _first_bad(text.is_not_null() & sentinel.is_null() & value.is_null())
    if bad is not None:
        raise _bad(where, lines[bad], column,
                   f"value '{text[bad]}' is neither a number nor one of SIPRI's codes "
                   "'...' (data unavailable) and 'xxx' (country not independent / did not exist)",
                   "correct the value (a number, '...', 'xxx' or empty) or re-download the file")  # fmt: skip
    flag_col = f"{column}_flag"
    if flag_col in df.columns:
        given = df.get_column(flag_col).str.strip_chars()
        given = pl.select(pl.when(given.str.len_chars() == 0).then(None).otherwise(given)).to_series()
        unknown = _first_bad(given.is_not_null() & ~given.is_in(list(_FLAGS)))
        if unknown is not None:
            raise _bad(where, lines[unknown], flag_col,
                       f"flag '{given[unknown]}' is not one of {', '.join(_FLAGS)}",
                       "correct the flag or re-download the file")  # fmt: skip
        clash = _first_bad(given.is_not_null() & value.is_not_null())
        if clash is not None:
            raise _bad(where, lines[clash], flag_col,
                       f"flag '{given[clash]}' but '{column}' has the value {value[clash]}",
                       "a flag marks a missing value: clear one of them")  # fmt: skip
        flag = pl.select(pl.coalesce(sentinel, given)).to_series()
    else:
        flag = sentinel
    return value.alias(column), flag.alias(flag_col)


def _check_fractions(df: pl.DataFrame, where: str) -> None:
    """Refuse a percent-scaled share column (median above 0.5, i.e. shares of 50 % and more)."""
    for column in _SHARES:
        s = df.get_column(column).drop_nulls().cast(pl.Float64)
        median = float(s.median() or 0.0) if s.len() else 0.0  # type: ignore[arg-type]
        if s.len() >= 10 and median > 0.5:
            raise SourceFormatError(
                f"'{column}' looks percent-scaled (median {median:.3g}; SIPRI's typical "
                "share of GDP is 0.02 = 2 %); this table stores shares as fractions",
                where=f"{where}, column '{column}'",
                fix="divide the share columns by 100, or import the staged SIPRI file whose "
                "shares are fractions",
            )


def parse_milex(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """SIPRI military expenditure, country-year (staged long table) → ``sipri_milex``.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "milex.csv"
        >>> _ = f.write_text("country,region,year,milex_const2022_usd_m,milex_share_gdp\\n"
        ...                  "USSR,Europe,1990,300000,0.12\\nUSSR,Europe,1993,xxx,xxx\\n")
        >>> parse_milex(f).select("ccode", "year", "milex_share_gdp", "milex_share_gdp_flag").rows()
        [(365, 1990, 0.12, None), (365, 1993, None, 'not_independent')]
    """
    where = str(path)
    df = read_csv_checked(
        path,
        required={"country": pl.String, "year": pl.Int64},
        others="string",
        null_values=(),
        key=("country", "year"),
        line_column=LINE_COLUMN,
    )
    present = [c for c in MILEX_VALUES if c in df.columns]
    if "milex_const2022_usd_m" not in present:
        raise MissingColumnError(
            "missing column 'milex_const2022_usd_m' (military expenditure, constant 2022 US$ m)",
            where=where,
            fix="use the staged SIPRI milex country-year file",
        )
    columns: list[pl.Series] = [
        df.get_column(LINE_COLUMN).alias("source_line"),
        df.get_column("country").str.strip_chars(),
    ]
    for extra in ("region", "subregion"):
        columns.append(df.get_column(extra) if extra in df.columns else
                       pl.Series(extra, [None] * df.height, dtype=pl.String))  # fmt: skip
    columns.append(df.get_column("year"))
    for column in MILEX_VALUES:
        if column in present:
            value, flag = _milex_value(df, column, where)
        else:
            value = pl.Series(column, [None] * df.height, dtype=pl.Float64)
            flag = pl.Series(f"{column}_flag", [None] * df.height, dtype=pl.String)
        columns += [value, flag]
    for extra in ("currency", "fiscal_year_definition", "footnote_markers"):
        s = (df.get_column(extra).str.strip_chars() if extra in df.columns
             else pl.Series(extra, [None] * df.height, dtype=pl.String))  # fmt: skip
        columns.append(s.alias(extra))
    columns.append(df.get_column(LINE_COLUMN))
    out = pl.DataFrame(columns)
    _check_fractions(out, where)
    out = attach_codes(out, "country", year="year", source=MILEX_SOURCE)
    first = ["source_line", "country", "ccode", "gwcode", "iso3", "resolution", "region",
             "subregion", "year"]  # fmt: skip
    out = out.select(*first, *[c for c in out.columns if c not in first and c != LINE_COLUMN],
                     *([LINE_COLUMN] if keep_lines else []))  # fmt: skip
    return out


def parse_milex_footnotes(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """SIPRI milex footnotes (``marker``, ``text``) → ``sipri_milex_footnotes``.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "notes.csv"
        >>> _ = f.write_text("marker,text\\n†,No pensions\\n2,Afghanistan: FY Mar-Feb\\n")
        >>> parse_milex_footnotes(f).rows()
        [('†', 'No pensions'), ('2', 'Afghanistan: FY Mar-Feb')]
    """
    df = read_csv_checked(
        path,
        required={"marker": pl.String, "text": pl.String},
        key=("marker",),
        others="string",
        line_column=LINE_COLUMN,
    )
    out = df.select(pl.col("marker").str.strip_chars(), "text", LINE_COLUMN)
    return out if keep_lines else out.drop(LINE_COLUMN)


# fmt: off
FORMATS: list[Format] = [
    _f("sipri_trade_register_csv", "sipri_arms_deals",
       "SIPRI Arms Transfers Database trade register (staged UTF-8 copy), one row per deal",
       parse_arms_deals, ("deal_id",), ARMS_FILE, (r"ccode_supplier", r"ccode_recipient"), "cow"),
    _f("sipri_trade_register_raw", "sipri_arms_deals",
       "SIPRI Arms Transfers Database trade register, SIPRI's own CSV export (Windows-1252)",
       parse_arms_register_raw, ("deal_id",), ARMS_RAW_FILE,
       (r"ccode_supplier", r"ccode_recipient"), "cow"),
    _f("sipri_milex_csv", "sipri_milex",
       "SIPRI Military Expenditure Database 1949-2023, country-year (shares as fractions)",
       parse_milex, ("country", "year"), MILEX_FILE, (r"ccode",), "cow"),
    _f("sipri_milex_footnotes_csv", "sipri_milex_footnotes",
       "SIPRI Military Expenditure Database footnotes (marker, text)",
       parse_milex_footnotes, ("marker",), FOOTNOTES_FILE),
]
# fmt: on
