"""Joint and multinational military exercises: D'Orazio's JME v3 and D'Orazio & Galambos' MME v7.

Three files (all as redistributed in Michael Flynn's *troopdata* R package):

* ``jme_v3_dorazio.csv`` → ``jme_exercises``: one row per exercise **and participant** (the
  participants ``State A`` … ``State AD`` are ISO3 codes, some in lower case, with trailing spaces
  or obsolete: ``ROM``, ``DDR``, ``CSK``); each code is resolved to COW/G-W/ISO3 as of the exercise's
  start year. Dates come from ``s.year``/``s.month``/``s.day`` (``e.…`` for the end), or, in the
  appended Australian block that lacks them, from the ``M/D/YYYY`` strings; ``xx`` (unknown part) and
  ``-9`` (missing) become null. Ten typing errors in dates are corrected (:data:`JME_ERRATA`).
* ``mme_v7_dorazio_galambos_1980_2010.csv`` → ``mme_exercises``: one row per exercise. ``MMEID`` is
  not unique (three IDs name two exercises each): ``mme_uid`` is the ID, suffixed ``@YYYY-MM`` (start)
  for those.
* ``mme_v7_long_exercise_country_year.csv`` → ``mme_participants``: one row per exercise, participant
  and active year, as released (key: the line), with the participant names resolved (the released
  ``gwcode`` is kept as ``gwcode_released``); ``-9`` participants are kept as unknown parties.

Hosts: a participant hosts an exercise when the exercise location is that participant's country
(the location written as the participant's name, short name or ISO3 code) or, in JME, when
``Which state hosted the exercise?`` names it. Exercises at sea or at a place that is not a country
name have no host.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from foedus.errors import InvalidDateError, InvalidValueError, SourceFormatError
from foedus.sources.instruments._inst_util import (
    MISSING_TOKENS,
    check_allowed,
    iso3_names,
    located,
    register_name_columns,
    resolve_column,
)
from foedus.sources.model import Format, Source, format_spec, release
from foedus.sources.readers import LINE_COLUMN, check_dates, check_unique, read_csv_checked

__all__ = [
    "FORMATS",
    "JME_ERRATA",
    "SOURCES",
    "parse_jme",
    "parse_mme_long",
    "parse_mme_wide",
]

#: Nominal coverage of JME v3 (D'Orazio): exercises 1970–2010 (the file's dates run 1974–2010).
JME_COVERAGE: tuple[int, int] = (1970, 2010)
#: Coverage of MME v7: exercises starting 1980–2010.
MME_COVERAGE: tuple[int, int] = (1980, 2010)

#: Corrections of JME date strings: (line, column, released) → corrected. Applied only when the
#: released text is found on that line.
JME_ERRATA: dict[tuple[int, str, str], str] = {
    (534, "e.day", "126"): "xx",  # enddate 02/126/1993: day unreadable
    (611, "e.day", "171"): "xx",  # enddate 03/171/1996: day unreadable
    (1773, "enddate", "14/09/2007"): "09/14/2007",  # written D/M/Y; starts 03/09/2007
    (1521, "enddate", "08.xx.2007"): "08/xx/2007",
    (1527, "start date", "11/xx2002"): "11/xx/2002",
    (1578, "start date", "11xx/2002"): "11/xx/2002",
    (1648, "start date", "03/xx2008"): "03/xx/2008",
    (1668, "start date", "10/xx/007"): "10/xx/2007",  # "Vigilant Pacific 07", end 10/xx/2007
    (1699, "start date", "11/08/2015"): "11/08/2010",  # China-Turkey, ends 11/15/2010
    (1732, "start date", "03/05/3009"): "03/05/2009",  # "Peace 09", ends 03/14/2009
}

_JME_TYPES = {
    "ftx": "FTX",
    "cpx": "CPX",
    "both cpx & ftx": "CPX+FTX",
    "cpx/ftx": "CPX+FTX",
    "ftx/cpx": "CPX+FTX",
    "unsure": "unsure",
}
_YES_NO = {"yes": True, "no": False}
_MME_FLAGS = "cpx air land sea amphibious cyber warfighting peacekeeping humanitarian".split()
_SEA = re.compile(
    r"\b(sea|seas|ocean|gulf|strait|straits|bay|channel|pacific|atlantic|mediterranean|waters)\b",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------------------------------
# Small parsers
# --------------------------------------------------------------------------------------------------


def _whole(df: pl.DataFrame, column: str, where: str, *, unknown: Sequence[str] = ()) -> pl.Series:
    """A text column of whole numbers ('1974.0' allowed) → Int64; '', ``-9``, ``unknown`` → null."""
    raw = df.get_column(column).str.strip_chars()
    blank = raw.is_null() | (raw == "") | raw.is_in(list(MISSING_TOKENS))
    if unknown:
        blank = blank | raw.str.contains(r"^[xX]+$")
    value = raw.cast(pl.Float64, strict=False)
    ok = blank | (value.is_not_null() & (value == value.round(0)))
    bad = (~ok).arg_true()
    if len(bad):
        i = int(bad[0])
        raise InvalidValueError(
            f"value {raw[i]!r} is not a whole number (unknown parts are written 'xx', "
            "missing values '-9' or left empty)",
            where=located(where, df, i, column),
            fix="correct the value or re-download the official release file",
        )
    return pl.select(pl.when(blank).then(None).otherwise(value).cast(pl.Int64)).to_series()


def _mdy(
    df: pl.DataFrame, column: str, where: str, only: pl.Series
) -> tuple[pl.Series, pl.Series, pl.Series]:
    """A ``M/D/YYYY`` date string with ``xx`` for unknown parts → (year, month, day).

    Only the rows where ``only`` is true are read (the others get nulls).
    """
    raw = df.get_column(column).str.strip_chars()
    blank = raw.is_null() | (raw == "") | raw.is_in(list(MISSING_TOKENS)) | ~only
    parts = raw.str.split("/")
    shaped = blank | (parts.list.len() == 3)
    bad = (~shaped).arg_true()
    if len(bad):
        i = int(bad[0])
        raise InvalidDateError(
            f"date {raw[i]!r} is not written M/D/YYYY",
            where=located(where, df, i, column),
            fix="write the date as M/D/YYYY (xx for an unknown part) or re-download the file",
        )
    out = []
    for k, width in ((2, 4), (0, 2), (1, 2)):
        piece = pl.select(
            pl.when(blank).then(None).otherwise(parts.list.get(k, null_on_oob=True))
        ).to_series()
        unknown = piece.is_null() | (piece.str.to_lowercase().str.strip_chars("x") == "")
        value = piece.cast(pl.Int64, strict=False)
        ok = unknown | (value.is_not_null() & (piece.str.len_chars() <= width))
        if k == 2:
            ok = unknown | (value.is_not_null() & (piece.str.len_chars() == 4))
        bad = (~ok).arg_true()
        if len(bad):
            i = int(bad[0])
            raise InvalidDateError(
                f"date {raw[i]!r} is not written M/D/YYYY (the {('month', 'day', 'year')[k]} "
                f"{piece[i]!r} is not valid)",
                where=located(where, df, i, column),
                fix="correct the date (xx for an unknown part) or re-download the official file",
            )
        out.append(pl.select(pl.when(unknown).then(None).otherwise(value)).to_series())
    return out[0], out[1], out[2]


def _check_parts(df: pl.DataFrame, prefix: str, where: str, years: tuple[int, int]) -> None:
    check_dates(
        df, (f"{prefix}_year", f"{prefix}_month", f"{prefix}_day"), where=where, years=years
    )


def _check_order(df: pl.DataFrame, where: str) -> None:
    """An exercise may not end in a year before it starts (within a year the files are loose)."""
    bad = df.select(
        (pl.col("end_year") < pl.col("start_year")).fill_null(False).arg_true()
    ).to_series()
    if len(bad):
        i = int(bad[0])
        raise InvalidDateError(
            f"the exercise ends in {df['end_year'][i]}, before it starts ({df['start_year'][i]})",
            where=located(where, df, i),
            fix="correct the start or end date or re-download the official release file",
        )


def _drop_empty_records(df: pl.DataFrame) -> tuple[pl.DataFrame, list[int]]:
    data = [c for c in df.columns if c != LINE_COLUMN]
    empty = pl.all_horizontal(
        [pl.col(c).is_null() | (pl.col(c).cast(pl.String).str.strip_chars() == "") for c in data]
    )
    lines = df.filter(empty).get_column(LINE_COLUMN).to_list()
    return df.filter(~empty), lines


def _text(column: str) -> pl.Expr:
    """Trimmed text with ``-9`` and empty made null."""
    c = pl.col(column).str.strip_chars()
    return pl.when(c.is_in(list(MISSING_TOKENS)) | (c == "")).then(None).otherwise(c).alias(column)


def _norm(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars().str.to_lowercase().str.replace_all(r"\s+", " ")


# --------------------------------------------------------------------------------------------------
# JME
# --------------------------------------------------------------------------------------------------

_JME_TEXT = [
    "exercise name", "location1", "location2", "start date", "s.year", "s.month", "s.day",
    "enddate", "e.year", "e.month", "e.day", "jme type", "part of the reforger exercise?",
    "which state hosted the exercise?", "state a", "state b",
]  # fmt: skip

#: Columns of ``jme_exercises``, in order.
JME_COLUMNS: tuple[str, ...] = (
    "jme_id", "exercise_name", "location1", "location2",
    "start_year", "start_month", "start_day", "end_year", "end_month", "end_day",
    "jme_type", "reforger", "host_reported", "participant_slot", "participant",
    "ccode", "gwcode", "iso3", "resolution", "is_host", "n_participants", "erratum", "source_line",
)  # fmt: skip


def parse_jme(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """``jme_v3_dorazio.csv`` → ``jme_exercises`` (one row per exercise and participant).

    ``jme_id`` is the exercise's line in the file. Fully empty records are skipped (one in the
    released file, line 1695).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "jme_v3_dorazio.csv"
        >>> _ = f.write_text(
        ...     "Exercise Name,Location1,Location2,Start Date,s.year,s.month,s.day,enddate,e.year,"
        ...     "e.month,e.day,JME Type,Part of the Reforger Exercise?,"
        ...     "Which state hosted the exercise?,State A,State B,State C\\n"
        ...     "Keen Sword,Japan,-9,11/xx/1986,1986.0,11,xx,11/xx/1986,1986,11,xx,FTX,No,,USA,jpn ,\\n")
        >>> parse_jme(f).select("participant", "ccode", "is_host", "n_participants").rows()
        [('USA', 2, False, 2), ('jpn ', 740, True, 2)]
    """
    where = str(path)
    df = read_csv_checked(
        path, required={c: pl.String for c in _JME_TEXT}, others="string", line_column=LINE_COLUMN
    )
    df, _empty = _drop_empty_records(df)
    notes: list[str | None] = [None] * df.height
    lines = df.get_column(LINE_COLUMN).to_list()
    for column in sorted({c for _, c, _ in JME_ERRATA}):
        values = df.get_column(column).to_list()
        for i, (line, value) in enumerate(zip(lines, values, strict=True)):
            fixed = JME_ERRATA.get((line, column, value or ""))
            if fixed is not None:
                values[i] = fixed
                note = f"{column} {value} -> {fixed}"
                notes[i] = note if notes[i] is None else f"{notes[i]}; {note}"
        df = df.with_columns(pl.Series(column, values, dtype=pl.String))
    df = df.with_columns(pl.Series("erratum", notes, dtype=pl.String))

    sy = _whole(df, "s.year", where, unknown=("xx",))
    sm = _whole(df, "s.month", where, unknown=("xx",))
    sd = _whole(df, "s.day", where, unknown=("xx",))
    ey = _whole(df, "e.year", where, unknown=("xx",))
    em = _whole(df, "e.month", where, unknown=("xx",))
    ed = _whole(df, "e.day", where, unknown=("xx",))
    has_s, has_e = sy.is_not_null(), ey.is_not_null()
    dy, dm, dd = _mdy(df, "start date", where, ~has_s)
    fy, fm, fdd = _mdy(df, "enddate", where, ~has_e)
    pick = lambda flag, a, b: pl.select(pl.when(flag).then(a).otherwise(b)).to_series()  # noqa: E731
    df = df.with_columns(
        pick(has_s, sy, dy).alias("start_year"),
        pick(has_s, sm, dm).alias("start_month"),
        pick(has_s, sd, dd).alias("start_day"),
        pick(has_e, ey, fy).alias("end_year"),
        pick(has_e, em, fm).alias("end_month"),
        pick(has_e, ed, fdd).alias("end_day"),
    )
    years = (1960, 2015)
    _check_parts(df, "start", where, years)
    _check_parts(df, "end", where, years)
    _check_order(df, where)

    jtype = _norm(pl.col("jme type"))
    df = df.with_columns(
        jtype.alias("_type"), _norm(pl.col("part of the reforger exercise?")).alias("_ref")
    )
    check_allowed(df, "_type", list(_JME_TYPES), where=where, what="the JME type spellings")
    check_allowed(df, "_ref", list(_YES_NO), where=where, what="the JME yes/no answers")
    df = df.with_columns(
        pl.col("_type").replace_strict(_JME_TYPES, default=None).alias("jme_type"),
        pl.col("_ref")
        .replace_strict(_YES_NO, default=None, return_dtype=pl.Boolean)
        .alias("reforger"),
    )

    slots = [c for c in df.columns if re.fullmatch(r"state [a-z]{1,2}", c)]
    base = df.select(
        pl.col(LINE_COLUMN).alias("jme_id"),
        _text("exercise name").alias("exercise_name"),
        _text("location1"),
        _text("location2"),
        "start_year", "start_month", "start_day", "end_year", "end_month", "end_day",
        "jme_type", "reforger",
        _text("which state hosted the exercise?").alias("host_reported"),
        "erratum",
        pl.col(LINE_COLUMN).alias("source_line"),
        *slots,
    )  # fmt: skip
    long = (
        base.unpivot(
            index=[c for c in base.columns if c not in slots],
            on=slots,
            variable_name="participant_slot",
            value_name="participant",
        )  # fmt: skip
        .filter(
            pl.col("participant").is_not_null() & (pl.col("participant").str.strip_chars() != "")
        )
        .with_columns(pl.col("participant_slot").str.slice(6).str.to_uppercase())
    )
    slot_order = {s[6:].upper(): i for i, s in enumerate(slots)}
    long = long.sort(
        pl.col("jme_id"),
        pl.col("participant_slot").replace_strict(slot_order, return_dtype=pl.Int64),
    )
    code = pl.col("participant").str.strip_chars().str.to_uppercase()
    codes = long.select(code.unique()).to_series().to_list()
    as_iso = [c for c in codes if re.fullmatch(r"[A-Z]{3}", c)]
    names = iso3_names(as_iso)
    lookup = {c: (names.get(c) or c) for c in codes}
    long = long.with_columns(code.alias("_code"))
    long = resolve_column(
        long,
        "participant",
        year="start_year",
        source="jme",
        lookup=pl.col("_code").replace_strict(lookup, default=pl.col("_code")),
    )
    long = _mark_hosts(
        long, "jme_id", location="location1", reported="host_reported",
        names=[pl.col("_code"), pl.col("_code").replace_strict(lookup, default=pl.col("_code"))],
    )  # fmt: skip
    long = _count_participants(long, "jme_id")
    if keep_lines:
        long = long.with_columns(pl.col("source_line").alias(LINE_COLUMN))
    return long.select(*JME_COLUMNS, *([LINE_COLUMN] if keep_lines else []))


def _mark_hosts(
    df: pl.DataFrame,
    exercise: str,
    *,
    location: str,
    names: list[pl.Expr],
    reported: str | None = None,
) -> pl.DataFrame:
    """``is_host``: the participant's country is the exercise location (or the reported host)."""
    loc = _norm(pl.col(location))
    at_sea = pl.col(location).str.contains("(?i)" + _SEA.pattern).fill_null(False)
    conditions = [((_norm(n) == loc) & ~at_sea).fill_null(False) for n in names]
    if reported is not None:
        tokens = _norm(pl.col(reported)).str.split(";").list.eval(pl.element().str.strip_chars())
        conditions += [tokens.list.contains(_norm(n)).fill_null(False) for n in names]
    is_host = pl.any_horizontal(conditions) & pl.col("ccode").is_not_null()
    return df.with_columns(is_host.alias("is_host"))


def _count_participants(df: pl.DataFrame, exercise: str) -> pl.DataFrame:
    """``n_participants``: distinct states (resolved COW codes) taking part in the exercise."""
    n = pl.col("ccode").drop_nulls().n_unique().over(exercise).cast(pl.Int64)
    return df.with_columns(n.alias("n_participants"))


# --------------------------------------------------------------------------------------------------
# MME
# --------------------------------------------------------------------------------------------------

_MME_DATES = ["s.year", "s.month", "s.day", "e.year", "e.month", "e.day"]


def _mme_dates(df: pl.DataFrame, where: str) -> pl.DataFrame:
    out = {}
    for prefix, short in (("start", "s"), ("end", "e")):
        out[f"{prefix}_year"] = _whole(df, f"{short}.year", where)
        out[f"{prefix}_month"] = _whole(df, f"{short}.month", where, unknown=("xx",))
        out[f"{prefix}_day"] = _whole(df, f"{short}.day", where, unknown=("xx",))
    df = df.with_columns(pl.Series(k, v) for k, v in out.items())
    for column in ("start_year", "end_year"):
        bad = df.select(pl.col(column).is_null().arg_true()).to_series()
        if len(bad):
            raise InvalidValueError(
                "empty year: every MME exercise has a start and an end year",
                where=located(
                    where, df, int(bad[0]), column.replace("start_", "s.").replace("end_", "e.")
                ),
                fix="fill in the year or re-download the official release file",
            )
    years = (1975, 2015)
    _check_parts(df, "start", where, years)
    _check_parts(df, "end", where, years)
    _check_order(df, where)
    return df


def _mme_uid(df: pl.DataFrame, where: str) -> pl.Series:
    """MMEID, or MMEID@YYYY-MM (start) when the ID names more than one exercise in the file."""
    key = pl.struct("mmeid", "startdate", "ex_name")
    shared = key.n_unique().over("mmeid") > 1
    suffix = pl.format(
        "{}@{}-{}",
        pl.col("mmeid"),
        pl.col("start_year"),
        pl.col("start_month").cast(pl.String).str.zfill(2),
    )
    uid = pl.when(shared).then(suffix).otherwise(pl.col("mmeid")).alias("mme_uid")
    out = df.select(uid, key.alias("_k"))
    clash = out.group_by("mme_uid").agg(pl.col("_k").n_unique().alias("n")).filter(pl.col("n") > 1)
    if clash.height:
        name = clash.get_column("mme_uid")[0]
        i = int(out.select((pl.col("mme_uid") == name).arg_true()).to_series()[0])
        raise SourceFormatError(
            f"MMEID {name.split('@')[0]} names several exercises that start in the same month, "
            "so they cannot be told apart",
            where=located(where, df, i, "mmeid"),
            fix="give each exercise its own MMEID or re-download the official release file",
        )
    return out.get_column("mme_uid")


_MME_WIDE = [
    "mmeid", "ex_name", "series_name", "location", "lat", "lon", "startdate", *_MME_DATES,
    "enddate", *_MME_FLAGS, "focusdescription", "additionalparticipantinfo", "statea", "stateb",
]  # fmt: skip

#: Columns of ``mme_exercises``, in order.
MME_EXERCISE_COLUMNS: tuple[str, ...] = (
    "mme_uid", "mmeid", "ex_name", "series_name", "location", "lat", "lon",
    "start_year", "start_month", "start_day", "end_year", "end_month", "end_day",
    *_MME_FLAGS, "focus_description", "additional_participant_info", "n_listed", "source_line",
)  # fmt: skip


def parse_mme_wide(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """``mme_v7_dorazio_galambos_1980_2010.csv`` → ``mme_exercises`` (one row per exercise).

    ``n_listed`` counts the ``StateA`` … ``StateAM`` entries that are not ``-9`` or empty (names as
    listed: "NATO" counts).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "mme.csv"
        >>> cols = ("MMEID,Ex_Name,Series_Name,Location,lat,lon,StartDate,s.year,s.month,s.day,"
        ...         "EndDate,e.year,e.month,e.day,CPX,Air,Land,Sea,Amphibious,Cyber,Warfighting,"
        ...         "Peacekeeping,Humanitarian,FocusDescription,AdditionalParticipantInfo,StateA,StateB\\n")
        >>> _ = f.write_text(cols + "mme1,Cobra Gold 85,Cobra Gold,Thailand,15.8,101.0,1985-05-xx,"
        ...     "1985,5,xx,1985-06-xx,1985,6,xx,0,0,1,0,1,0,1,0,0,combined,,Thailand,United States\\n")
        >>> parse_mme_wide(f).select("mme_uid", "start_day", "land", "n_listed").row(0)
        ('mme1', None, 1, 2)
    """
    where = str(path)
    df = read_csv_checked(
        path, required={c: pl.String for c in _MME_WIDE}, others="string", line_column=LINE_COLUMN
    )
    df = _mme_dates(df, where)
    for flag in _MME_FLAGS:
        df = df.with_columns(_whole(df, flag, where).alias(flag))
        check_allowed(df, flag, (0, 1), where=where, what="MME's 0/1 exercise-type flags")
    for coord, limit in (("lat", 90), ("lon", 180)):
        raw = df.get_column(coord)
        value = raw.cast(pl.Float64, strict=False)
        bad = ((raw.is_not_null() & value.is_null()) | (value.abs() > limit)).arg_true()
        if len(bad):
            raise InvalidValueError(
                f"value {raw[int(bad[0])]!r} is not a {'latitude' if coord == 'lat' else 'longitude'}",
                where=located(where, df, int(bad[0]), coord),
                fix="correct the coordinate (decimal degrees) or re-download the official file",
            )
        df = df.with_columns(value.alias(coord))
    states = [c for c in df.columns if re.fullmatch(r"state[a-z]{1,2}", c)]
    listed = pl.sum_horizontal(
        [
            (
                pl.col(c).str.strip_chars().is_in(list(MISSING_TOKENS)).not_()
                & (pl.col(c).str.strip_chars() != "")
            )
            .fill_null(False)
            .cast(pl.Int64)
            for c in states
        ]  # fmt: skip
    )
    df = df.with_columns(_mme_uid(df, where), listed.alias("n_listed"))
    out = df.select(
        "mme_uid", "mmeid", _text("ex_name"), _text("series_name"), _text("location"), "lat", "lon",
        "start_year", "start_month", "start_day", "end_year", "end_month", "end_day", *_MME_FLAGS,
        _text("focusdescription").alias("focus_description"),
        _text("additionalparticipantinfo").alias("additional_participant_info"),
        "n_listed", pl.col(LINE_COLUMN).alias("source_line"),
        *([LINE_COLUMN] if keep_lines else []),
    )  # fmt: skip
    check_unique(out, ["mme_uid"], where)
    return out


_MME_LONG = ["mmeid", "ex_name", "gwcode", "country", "year", "location", "startdate", *_MME_DATES]

#: Columns of ``mme_participants``, in order.
MME_PARTICIPANT_COLUMNS: tuple[str, ...] = (
    "mme_uid", "mmeid", "year", "start_year", "end_year", "location", "country", "gwcode_released",
    "ccode", "gwcode", "iso3", "resolution", "is_host", "n_participants", "repeat_of_line",
    "source_line",
)  # fmt: skip


def parse_mme_long(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """``mme_v7_long_exercise_country_year.csv`` → ``mme_participants`` (exercise × participant × year).

    The released ``gwcode`` (R countrycode; empty or ``-9`` for 341 rows) is kept as
    ``gwcode_released``; ``ccode``/``gwcode``/``iso3`` come from the participant's name as of the
    row's year. A participant listed twice for the same exercise and year (e.g. Denmark in
    mme1720) is kept and points at its first line in ``repeat_of_line``; ``n_participants``
    counts distinct states (the released ``participant_count`` counts rows, ``-9`` included).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "mme_long.csv"
        >>> _ = f.write_text("MMEID,Ex_Name,gwcode,country,year,Location,StartDate,s.year,s.month,"
        ...     "s.day,e.year,e.month,e.day\\n"
        ...     "mme1,Cobra Gold,800.0,Thailand,1985,Thailand,1985-05-xx,1985,5,xx,1985,6,xx\\n"
        ...     "mme1,Cobra Gold,2.0,United States,1985,Thailand,1985-05-xx,1985,5,xx,1985,6,xx\\n")
        >>> parse_mme_long(f).select("country", "ccode", "is_host", "n_participants").rows()
        [('Thailand', 800, True, 2), ('United States', 2, False, 2)]
    """
    where = str(path)
    df = read_csv_checked(
        path, required={c: pl.String for c in _MME_LONG}, others="string", line_column=LINE_COLUMN
    )
    df = _mme_dates(df, where)
    df = df.with_columns(
        _whole(df, "year", where).alias("year"),
        _whole(df, "gwcode", where).alias("gwcode_released"),
        _mme_uid(df, where),
    ).drop("gwcode")
    bad = df.select(
        (
            pl.col("year").is_null()
            | (pl.col("year") < pl.col("start_year"))
            | (pl.col("year") > pl.col("end_year"))
        ).arg_true()  # fmt: skip
    ).to_series()
    if len(bad):
        i = int(bad[0])
        raise InvalidValueError(
            f"year {df['year'][i]} is outside the exercise's years "
            f"({df['start_year'][i]}-{df['end_year'][i]})",
            where=located(where, df, i, "year"),
            fix="each row is one year in which the exercise ran: correct the year or re-download "
            "the official release file",
        )
    df = df.with_columns(pl.col("country").str.strip_chars().alias("country"), _text("location"))
    df = resolve_column(df, "country", year="year", source="mme")
    df = _mark_hosts(df, "mme_uid", location="location", names=[pl.col("country"), pl.col("iso3")])
    df = _count_participants(df, "mme_uid")
    first = pl.col(LINE_COLUMN).first().over("mme_uid", "country", "year")
    df = df.with_columns(
        pl.when(first != pl.col(LINE_COLUMN)).then(first).alias("repeat_of_line"),
        pl.col(LINE_COLUMN).alias("source_line"),
    )
    return df.select(*MME_PARTICIPANT_COLUMNS, *([LINE_COLUMN] if keep_lines else []))


# --------------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------------

TROOPDATA_BIBTEX = """@Manual{flynn2025troopdata,
  author = {Michael E. Flynn},
  title  = {troopdata: Tools for Analyzing Cross-National Military Deployment and Basing Data},
  note   = {R package; data-raw snapshot at commit 3946bcf89a6d72de8abace812dc557f1f249f5f7},
  url    = {https://github.com/meflynn/troopdata}
}"""

SOURCES: list[Source] = [
    Source(
        name="jme",
        title="Joint Military Exercises (JME) data, version 3 (D'Orazio)",
        maintainer="Vito D'Orazio (redistributed by Michael E. Flynn, troopdata)",
        landing_page="https://github.com/meflynn/troopdata",
        terms="Redistributed in the troopdata R package (GPL >= 3); cite D'Orazio and troopdata.",
        bibtex="""@Misc{dorazio2012jme,
  author = {Vito D'Orazio},
  title  = {Joint Military Exercises ({JME}) data, version 3},
  year   = {2012},
  note   = {Coded 2012 at Penn State; nominal coverage 1970--2010; redistributed in the troopdata R package (data-raw/jme\\_v3.xls)}
}
"""
        + TROOPDATA_BIBTEX,
        releases=(
            release(
                "jme",
                "3",
                "jme_v3_csv",
                "jme_v3_dorazio.csv",
                "jme_exercises",
                official=False,
                via="troopdata",
                coverage=JME_COVERAGE,
            ),  # fmt: skip
        ),
    ),
    Source(
        name="mme",
        title="Multinational Military Exercises (MME), 1980-2010, version 7",
        maintainer="Vito D'Orazio and Kevin Galambos (redistributed by Michael E. Flynn, troopdata)",
        landing_page="https://doi.org/10.7910/DVN/KHFODX",
        terms="Harvard Dataverse terms; redistributed in troopdata (GPL >= 3); cite D'Orazio and Galambos (2021).",
        bibtex="""@Misc{dorazio2021mme,
  author    = {Vito D'Orazio and Kevin Galambos},
  title     = {Multinational Military Exercises, 1980--2010},
  year      = {2021},
  publisher = {Harvard Dataverse},
  version   = {V1},
  doi       = {10.7910/DVN/KHFODX}
}
"""
        + TROOPDATA_BIBTEX,
        releases=(
            release(
                "mme",
                "7",
                "mme_v7_csv",
                "mme_v7_dorazio_galambos_1980_2010.csv",
                "mme_exercises",
                official=False,
                via="troopdata",
                coverage=MME_COVERAGE,
            ),
            release(
                "mme",
                "7",
                "mme_v7_long_csv",
                "mme_v7_long_exercise_country_year.csv",
                "mme_participants",
                official=False,
                via="troopdata",
                coverage=MME_COVERAGE,
            ),
        ),  # fmt: skip
    ),
]

FORMATS: list[Format] = [
    format_spec("jme_v3_csv", "jme_exercises",
                "JME v3 (D'Orazio): joint exercises 1970-2010, one row per exercise and participant",
                parse_jme, ("jme_id", "participant_slot"), "jme_v3_dorazio.csv"),
    format_spec("mme_v7_csv", "mme_exercises",
                "MME v7 (D'Orazio & Galambos): multinational exercises 1980-2010, one row each",
                parse_mme_wide, ("mme_uid",), "mme_v7_dorazio_galambos_1980_2010.csv"),
    format_spec("mme_v7_long_csv", "mme_participants",
                "MME v7 long form (troopdata): exercise x participant x active year",
                parse_mme_long, ("source_line",), "mme_v7_long_exercise_country_year.csv"),
]  # fmt: skip

register_name_columns("jme_exercises", (("participant", "resolution"),))
register_name_columns("mme_participants", (("country", "resolution"),))
