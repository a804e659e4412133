"""Every official release file foedus can import, and the parser that makes it a canonical table.

:data:`FORMATS` maps a format id (``cow_states_csv``, ``ps_cow_nmc``…) to a :class:`Format`: the
canonical table it fills, a one-line description, its key and the ``parse`` function. Several
formats fill the same table (``cow/states2016.csv`` and ``isard/cw_system.parquet`` both give
``cow_system``) so that a user can import whichever release they have; their outputs have the same
columns and types.

:data:`FILENAMES` maps each official file name to its format id, for ``import-all DIR``;
:func:`detect_format` also recognises other versions of versioned names (``NMC-70-abridged.csv``,
``UcdpPrioConflict_v25_1.csv``).

Conventions of every canonical table: lower-case column names; identifying columns (``ccode``,
``gwcode``, ``year``, ``dispnum``, ``atopid``, ``member``, ``styear``…) are Int64; the peer's tables
(``ps_*``, ``isard_*``) keep their other columns' types. ``docs/sources-formats.md`` lists each
format's quirks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

import polars as pl

from foedus.errors import InvalidDateError, InvalidValueError
from foedus.sources.model import Format
from foedus.sources.model import format_spec as _f
from foedus.sources.normalize import cast_keys
from foedus.sources.readers import (
    LINE_COLUMN,
    DType,
    check_dates,
    check_unique,
    read_csv_checked,
    read_parquet_checked,
)

__all__ = [
    "FILENAMES",
    "FORMATS",
    "MID_ERRATA",
    "MID_MISSING",
    "Format",
    "detect_format",
    "parse_file",
]


def _req(ints: str = "", floats: str = "", strings: str = "", dates: str = "") -> dict[str, DType]:
    """Required-column spec from space-separated names."""
    out: dict[str, DType] = {}
    for names, dtype in (
        (ints, pl.Int64),
        (floats, pl.Float64),
        (strings, pl.String),
        (dates, pl.Date),
    ):
        out.update({n: dtype for n in names.split()})
    return out


def _sel(df: pl.DataFrame, *columns: str | list[str]) -> pl.DataFrame:
    """Select ``columns`` (and the line column, when there is one)."""
    names = [c for group in columns for c in ([group] if isinstance(group, str) else group)]
    return df.select(names + ([LINE_COLUMN] if LINE_COLUMN in df.columns else []))


def _done(df: pl.DataFrame, keep_lines: bool = False) -> pl.DataFrame:
    """Final normalisation: keys Int64; the line column dropped unless asked for."""
    return cast_keys(df if keep_lines else df.drop(LINE_COLUMN, strict=False))


def _check_spells(df: pl.DataFrame, unit: str, where: str) -> None:
    """Spells (start, end) of one unit must not overlap."""
    ordered = df.with_row_index("_row").sort(unit, "start")
    clash = ordered.with_columns(
        pl.col("end").shift(1).over(unit).alias("_prev_end"),
        pl.col("_row").shift(1).over(unit).alias("_prev_row"),
    ).filter(pl.col("start") <= pl.col("_prev_end"))
    if clash.height:
        r = clash.row(0, named=True)
        line = LINE_COLUMN in df.columns
        a = df.get_column(LINE_COLUMN)[r["_prev_row"]] if line else r["_prev_row"] + 1
        b = df.get_column(LINE_COLUMN)[r["_row"]] if line else r["_row"] + 1
        raise InvalidDateError(
            f"membership spells of {unit} {r[unit]} overlap: one ends {r['_prev_end']}, the next "
            f"starts {r['start']}",
            where=f"{where}, {'lines' if line else 'rows'} {a} and {b}",
            fix="correct the dates (a state has one membership spell at a time) or re-download "
            "the official release file",
        )


# --------------------------------------------------------------------------------------------------
# State systems
# --------------------------------------------------------------------------------------------------

_STATES_SPELL = _req(
    "ccode styear stmonth stday endyear endmonth endday version", "", "stateabb statenme"
)


def _cow_system_from_spells(df: pl.DataFrame, where: str, keep_lines: bool) -> pl.DataFrame:
    check_dates(df, ("styear", "stmonth", "stday"), ("endyear", "endmonth", "endday"), where=where)
    out = df.select(
        "ccode",
        pl.col("stateabb").alias("cw_abb"),
        pl.col("statenme").alias("cw_name"),
        pl.date("styear", "stmonth", "stday").alias("start"),
        pl.date("endyear", "endmonth", "endday").alias("end"),
        *([LINE_COLUMN] if LINE_COLUMN in df.columns else []),
    )
    _check_spells(out, "ccode", where)
    return _done(out, keep_lines)


def _parse_cow_states_csv(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """COW State System Membership (``states2016.csv``, one row per spell) → ``cow_system``."""
    df = read_csv_checked(
        path,
        required=_STATES_SPELL,
        key=("ccode", "styear", "stmonth", "stday"),
        line_column=LINE_COLUMN,
    )
    return _cow_system_from_spells(df, str(path), keep_lines)


def _parse_ps_cow_states(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """The peer's ``cow_states`` (same spells as ``states2016.csv``) → ``cow_system``."""
    df = read_parquet_checked(
        path, required=_STATES_SPELL, key=("ccode", "styear", "stmonth", "stday")
    )
    return _cow_system_from_spells(df, str(path), keep_lines)


def _parse_isard_cw_system(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """isard ``cw_system`` → ``cow_system`` (ccode, cw_abb, cw_name, start, end)."""
    df = read_parquet_checked(
        path, required=_req("ccode", "", "cw_abb cw_name", "start end"), key=("ccode", "start")
    )
    check_dates(df, "start", "end", where=str(path))
    _check_spells(df, "ccode", str(path))
    return _done(_sel(df, "ccode", "cw_abb", "cw_name", "start", "end"), keep_lines)


_GW_SYSTEM = ["gwcode", "gw_abb", "gw_name", "microstate", "start", "end"]


def _parse_isard_gw_system(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """isard ``gw_system`` (G-W list incl. micro-states) → ``gw_system``."""
    df = read_parquet_checked(
        path,
        required=_req("gwcode", "microstate", "gw_abb gw_name", "start end"),
        key=("gwcode", "start"),
    )
    check_dates(df, "start", "end", where=str(path))
    _check_spells(df, "gwcode", str(path))
    return _done(_sel(df, _GW_SYSTEM), keep_lines)


def _parse_ps_gw_states(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """The peer's ``gw_states`` (216 independent states, no micro-states) → ``gw_system``.

    Every row gets ``microstate = 0.0``: the list holds only the non-micro states.
    """
    df = read_parquet_checked(
        path,
        required=_req("gwcode", "", "stateabb statename", "startdate enddate"),
        key=("gwcode", "startdate"),
    )
    df = df.rename(
        {"stateabb": "gw_abb", "statename": "gw_name", "startdate": "start", "enddate": "end"}
    )
    check_dates(df, "start", "end", where=str(path))
    _check_spells(df, "gwcode", str(path))
    return _done(_sel(df.with_columns(pl.lit(0.0).alias("microstate")), _GW_SYSTEM), keep_lines)


def _parse_cow_system_csv(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """COW state-year membership (``system2016.csv``) → ``cow_system_years``."""
    df = read_csv_checked(
        path,
        required=_req("ccode year version", "", "stateabb"),
        key=("ccode", "year"),
        line_column=LINE_COLUMN,
    )
    check_dates(df, "year", where=str(path))
    return _done(_sel(df, "ccode", "year", "stateabb", "version"), keep_lines)


_MAJORS = ["ccode", "styear", "stmonth", "stday", "endyear", "endmonth", "endday", "version"]


def _parse_cow_majors_csv(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """COW major powers (``majors2016.csv``) → ``cow_majors`` (all columns Int64)."""
    df = read_csv_checked(
        path,
        required=_req(" ".join(_MAJORS), "", "stateabb"),
        key=("ccode", "styear"),
        line_column=LINE_COLUMN,
    )
    check_dates(
        df, ("styear", "stmonth", "stday"), ("endyear", "endmonth", "endday"), where=str(path)
    )
    return _done(_sel(df, _MAJORS), keep_lines)


def _parse_ps_cow_majors(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """The peer's ``cow_majors`` → ``cow_majors`` (date parts cast to Int64, as from the CSV)."""
    df = read_parquet_checked(path, required=_req(" ".join(_MAJORS)), key=("ccode", "styear"))
    check_dates(
        df, ("styear", "stmonth", "stday"), ("endyear", "endmonth", "endday"), where=str(path)
    )
    return _done(_sel(df, _MAJORS), keep_lines)


def _panel(path: Path, keep_lines: bool) -> pl.DataFrame:
    df = read_parquet_checked(
        path,
        required=_req("year gwcode ccode", "", "stateabb gw_name cw_name"),
        key=("ccode", "gwcode", "year"),
        nullable=("ccode", "gwcode"),
    )
    check_dates(df, "year", where=str(path))
    return _done(_sel(df, "stateabb", "year", "gwcode", "ccode", "gw_name", "cw_name"), keep_lines)


def _parse_isard_cw_gw_panel(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """isard ``cw_gw_panel`` (COW state-years with G-W codes) → ``cow_gw_panel``."""
    return _panel(path, keep_lines)


def _parse_isard_gw_cw_panel(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """isard ``gw_cw_panel`` (G-W state-years with COW codes) → ``gw_cow_panel``."""
    return _panel(path, keep_lines)


# --------------------------------------------------------------------------------------------------
# National Material Capabilities
# --------------------------------------------------------------------------------------------------

_NMC_VALUES = "milex milper irst pec tpop upop cinc"
_NMC = ["ccode", "year", *_NMC_VALUES.split()]


def _parse_ps_cow_nmc(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """The peer's ``cow_nmc`` (NMC v7.0, missing = null) → ``nmc``."""
    df = read_parquet_checked(path, required=_req("ccode year", _NMC_VALUES), key=("ccode", "year"))
    check_dates(df, "year", where=str(path))
    return _done(_sel(df, _NMC), keep_lines)


def _parse_cow_nmc_csv(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """COW NMC abridged CSV (v6.0 ``NMC-60-abridged.csv``; -9 → null) → ``nmc``."""
    df = read_csv_checked(
        path,
        required=_req("ccode year version", _NMC_VALUES, "stateabb"),
        key=("ccode", "year"),
        missing_codes={c: [-9] for c in "milex milper irst pec tpop upop".split()},
        line_column=LINE_COLUMN,
    )
    check_dates(df, "year", where=str(path))
    return _done(_sel(df, _NMC), keep_lines)


# --------------------------------------------------------------------------------------------------
# Militarized Interstate Disputes (MID 5.0)
# --------------------------------------------------------------------------------------------------

_MID_DATES = "stday stmon styear endday endmon endyear"
#: Columns whose -9 the MID 5.0 / MII codebooks define as "missing / unknown".
MID_MISSING: dict[str, list[str]] = {
    "cow_mid_a": "stday stmon endday endmon outcome settle fatality fatalpre hiact".split(),
    "cow_mid_b": "stday stmon endday endmon revtype1 revtype2 fatality fatalpre hiact".split(),
    "cow_mid_i": "stday stmon endday endmon duration tbi fatality fatalpre action".split(),
    "cow_mid_ip": "stday stmon endday endmon fatality fatalpre action revtype1 revtype2".split(),
}


#: Documented errata of the official MID 5.0 files, imported as released (not "corrected"):
#: MIDIP rows of incident 4193001 (Greece 350, Turkey 640) end on 3 Oct 1997, a week before they
#: start (10 Oct 1997); MIDI gives 10 Oct 1997 for both dates (day and month were swapped).
MID_ERRATA: dict[str, pl.Expr] = {
    "cow_mid_ip": (pl.col("incidnum") == 4193001) & pl.col("ccode").is_in([350, 640]),
}


def _mid(
    path: Path,
    table: str,
    columns: str,
    key: tuple[str, ...],
    strings: str = "",
    *,
    keep_lines: bool = False,
) -> pl.DataFrame:
    df = read_csv_checked(
        path,
        required=_req(columns, "", strings),
        key=key,
        missing_codes={c: [-9] for c in MID_MISSING[table]},
        line_column=LINE_COLUMN,
    )
    check_dates(
        df,
        ("styear", "stmon", "stday"),
        ("endyear", "endmon", "endday"),
        where=str(path),
        exempt=MID_ERRATA.get(table),
    )
    return _done(df, keep_lines)


def _parse_cow_mida_csv(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """MID 5.0 dispute level (``MIDA 5.0.csv``) → ``cow_mid_a``."""
    cols = (
        f"dispnum {_MID_DATES} outcome settle fatality fatalpre maxdur mindur hiact hostlev "
        "recip numa numb ongo2014 version"
    )
    return _mid(path, "cow_mid_a", cols, ("dispnum",), keep_lines=keep_lines)


def _parse_cow_midb_csv(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """MID 5.0 participant level (``MIDB 5.0.csv``) → ``cow_mid_b``."""
    cols = (
        f"dispnum ccode {_MID_DATES} sidea revstate revtype1 revtype2 fatality fatalpre hiact "
        "hostlev orig version"
    )
    return _mid(
        path,
        "cow_mid_b",
        cols,
        ("dispnum", "ccode", "styear", "stmon", "stday"),
        "stabb",
        keep_lines=keep_lines,
    )


def _parse_cow_midi_csv(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """MID 5.0 incident level (``MIDI 5.0.csv``) → ``cow_mid_i``."""
    cols = (
        f"dispnum incidnum {_MID_DATES} duration tbi fatality fatalpre action hostlev numa version"
    )
    return _mid(path, "cow_mid_i", cols, ("incidnum",), keep_lines=keep_lines)


def _parse_cow_midip_csv(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """MID 5.0 incident-participant level (``MIDIP 5.0.csv``) → ``cow_mid_ip``."""
    cols = (
        f"dispnum incidnum ccode {_MID_DATES} insidea sidea fatality fatalpre action hostlev "
        "revtype1 revtype2 version"
    )
    return _mid(path, "cow_mid_ip", cols, ("incidnum", "ccode"), "stabb", keep_lines=keep_lines)


# --------------------------------------------------------------------------------------------------
# The peer's (peacesciencer) tables
# --------------------------------------------------------------------------------------------------

_DYAD_SIDES = (
    "sidea1 sidea2 fatality1 fatality2 fatalpre1 fatalpre2 hiact1 hiact2 hostlev1 hostlev2 "
    "orig1 orig2"
)


def _peer(
    ints: str,
    floats: str = "",
    strings: str = "",
    dates: str = "",
    key: tuple[str, ...] = (),
    nullable: tuple[str, ...] = (),
    date_checks: tuple[tuple[object, object], ...] = (),
) -> Callable[[Path], pl.DataFrame]:
    required = _req(ints, floats, strings, dates)

    def parse(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
        df = read_parquet_checked(path, required=required, key=key, nullable=nullable)
        for start, end in date_checks:
            check_dates(df, start, end, where=str(path))  # type: ignore[arg-type]
        return _done(df, keep_lines)

    return parse


_parse_ps_cow_mid_ddydisps = _peer(
    "dispnum ccode1 ccode2 year",
    f"cowmidongoing cowmidonset {_DYAD_SIDES} fatality hostlev mindur maxdur recip stmon",
    key=("ccode1", "ccode2", "year"),
)
_parse_ps_gml_mid_ddydisps = _peer(
    "dispnum ccode1 ccode2 year",
    f"gmlmidongoing gmlmidonset {_DYAD_SIDES} fatality hostlev recip mindur maxdur stmon",
    key=("ccode1", "ccode2", "year"),
)
_DISPS = "outcome settle fatality mindur maxdur hiact hostlev recip stmon"
_parse_ps_cow_mid_disps = _peer("dispnum styear", _DISPS, key=("dispnum",))
_parse_ps_gml_mid_disps = _peer("dispnum styear", _DISPS, key=("dispnum",))
_parse_ps_gml_dirdisp = _peer(
    "dispnum ccode1 ccode2 year",
    "midongoing midonset sidea1 sidea2 revstate1 revstate2 revtype11 revtype12 revtype21 revtype22 "
    "fatality1 fatality2 fatalpre1 fatalpre2 hiact1 hiact2 hostlev1 hostlev2 orig1 orig2 "
    "hiact hostlev "
    "mindur maxdur outcome settle fatality fatalpre stmon endmon recip numa numb ongo2010",
    "version",
    key=("dispnum", "ccode1", "ccode2", "year"),
)
_parse_ps_gml_part = _peer(
    "dispnum ccode styear endyear",
    "stmon stday endmon endday dummy_stday dummy_endday sidea hiact orig anymiss_leader_start "
    "anymiss_leader_end allmiss_leader_start allmiss_leader_end",
    "obsid_start obsid_end",
    key=("dispnum", "ccode", "styear", "stmon", "stday"),
)
_parse_ps_cow_contdir = _peer(
    "ccode1 ccode2",
    "conttype",
    "",
    "stdate enddate",
    key=("ccode1", "ccode2", "stdate"),
    date_checks=(("stdate", "enddate"),),
)
_parse_ps_cow_capitals = _peer(
    "ccode",
    "lat lng",
    "statenme capital",
    "stdate enddate",
    key=("ccode", "stdate"),
    date_checks=(("stdate", "enddate"),),
)
_parse_ps_gw_capitals = _peer(
    "gwcode",
    "lat lng",
    "statenme capital",
    "stdate enddate",
    key=("gwcode", "stdate"),
    date_checks=(("stdate", "enddate"),),
)
_parse_ps_atop_alliance = _peer(
    "ccode1 ccode2 year",
    "atop_defense atop_offense atop_neutral atop_nonagg atop_consul",
    key=("ccode1", "ccode2", "year"),
)
_parse_ps_ucdp_acd = _peer(
    "conflict_id year gwno_a gwno_a_2nd gwno_b gwno_b_2nd",
    "intensity_level start_prec start_prec2 ep_end",
    "incompatibility type_of_conflict",
    "start_date start_date2 ep_end_date",
    key=("conflict_id", "year", "gwno_a", "gwno_a_2nd", "gwno_b", "gwno_b_2nd"),
    nullable=("gwno_a_2nd", "gwno_b", "gwno_b_2nd"),
    date_checks=(("start_date2", "ep_end_date"),),
)
_parse_ps_cow_ddy = _peer("ccode1 ccode2 year", key=("ccode1", "ccode2", "year"))
_parse_ps_gw_ddy = _peer(
    "gwcode1 gwcode2 year", "microstate1 microstate2", key=("gwcode1", "gwcode2", "year")
)


# --------------------------------------------------------------------------------------------------
# ATOP 5.1
# --------------------------------------------------------------------------------------------------


def _atop(path: Path, required: Mapping[str, DType], key: tuple[str, ...]) -> pl.DataFrame:
    return read_csv_checked(
        path, required=required, key=key, others="numeric", line_column=LINE_COLUMN
    )


def _parse_atop_ddyr_csv(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """ATOP's official directed dyad-year file (``atop5_1ddyr.csv``) → ``atop_ddy``.

    Codebook §2.7: ``statea``/``stateb`` are the directed dyad (A's obligations toward B), one row
    per dyad-year with a shared alliance. Kept in the canonical shape of the peer's
    ``atop_alliance`` table (ccode1, ccode2, year and the five obligation flags as Float64).
    """
    df = read_csv_checked(
        path,
        required=_req(ints="statea stateb year", floats="defense offense neutral nonagg consul"),
        key=("statea", "stateb", "year"),
        others="numeric",
        line_column=LINE_COLUMN,
    )
    df = df.rename({"statea": "ccode1", "stateb": "ccode2"}).rename(
        {c: f"atop_{c}" for c in ("defense", "offense", "neutral", "nonagg", "consul")}
    )
    df = _sel(df, "ccode1", "ccode2", "year",
              ["atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"])
    return _done(df, keep_lines)


def _check_phase_id(df: pl.DataFrame, where: str) -> None:
    """``atopidphase`` must be ``atopid + phase / 10``."""
    off = (pl.col("atopidphase") - (pl.col("atopid") + pl.col("phase") / 10)).abs() > 0.01
    bad = df.with_row_index("_i").filter(off.fill_null(False))
    if bad.height:
        r = bad.row(0, named=True)
        raise InvalidValueError(
            f"atopidphase {r['atopidphase']} does not match atopid {r['atopid']} "
            f"and phase {r['phase']}",
            where=f"{where}, line {r[LINE_COLUMN]}, column 'atopidphase'",
            fix="correct the value (atopidphase = atopid + phase/10) or re-download the "
            "official release",
        )


def _parse_atop_member_csv(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """ATOP 5.1 member level (``atop5_1m.csv``) → ``atop_member``; all provisions kept."""
    df = _atop(
        path,
        _req("atopid member phase yrent moent dayent yrexit moexit dayexit", "version"),
        ("atopid", "member", "phase", "yrent"),
    )
    check_dates(
        df,
        ("yrent", "moent", "dayent"),
        ("yrexit", "moexit", "dayexit"),
        where=str(path),
        unknown=(0,),
        open_end=0,
    )
    return _done(df, keep_lines)


def _parse_atop_alliance_csv(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """ATOP 5.1 alliance level (``atop5_1a.csv``) → ``atop_alliance_level``."""
    df = _atop(path, _req("atopid begyr begmo begday endyr endmo endday", "version"), ("atopid",))
    check_dates(
        df,
        ("begyr", "begmo", "begday"),
        ("endyr", "endmo", "endday"),
        where=str(path),
        unknown=(0,),
        open_end=0,
    )
    return _done(df, keep_lines)


def _parse_atop_phase_csv(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """ATOP 5.1 alliance-phase level (``atop5_1aph.csv``) → ``atop_phase``."""
    df = _atop(
        path,
        _req("atopid phase begyr begmo begday endyr endmo endday", "atopidphase version"),
        ("atopid", "phase"),
    )
    check_dates(
        df,
        ("begyr", "begmo", "begday"),
        ("endyr", "endmo", "endday"),
        where=str(path),
        unknown=(0,),
        open_end=0,
    )
    _check_phase_id(df, str(path))
    return _done(df, keep_lines)


def _parse_atop_stateyear_csv(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """ATOP 5.1 state-year (``atop5_1sy.csv``) → ``atop_stateyear``."""
    df = _atop(path, _req("state year", "version"), ("state", "year"))
    check_dates(df, "year", where=str(path))
    return _done(df, keep_lines)


def _parse_atop_inst_csv(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """Leeds & Anac institutionalisation for ATOP 5.1 phases (``atopinst5_1.csv``) → ``atop_inst``.

    Adds ``phase`` (Int64) decoded from ``atopidphase`` (stored as float32, e.g. 2050.1001), so the
    table joins ``atop_phase`` on (atopid, phase).
    """
    df = read_csv_checked(
        path,
        required=_req("atopid", "atopidphase version"),
        others="numeric",
        line_column=LINE_COLUMN,
    )
    phase = ((pl.col("atopidphase") - pl.col("atopid")) * 10).round(0).cast(pl.Int64)
    df = df.with_columns(phase.alias("phase"))
    _check_phase_id(df, str(path))
    check_unique(df, ["atopid", "phase"], str(path))
    cols = [c for c in df.columns if c != LINE_COLUMN]
    cols.insert(cols.index("atopidphase") + 1, cols.pop(cols.index("phase")))
    return _done(_sel(df, cols), keep_lines)


# --------------------------------------------------------------------------------------------------
# UCDP
# --------------------------------------------------------------------------------------------------

_UCDP_ACD = _req(
    "conflict_id incompatibility year intensity_level cumulative_intensity type_of_conflict "
    "start_prec start_prec2 ep_end ep_end_prec",
    "version",
    "location side_a side_a_id side_a_2nd side_b side_b_id side_b_2nd territory_name "
    "gwno_a gwno_a_2nd gwno_b gwno_b_2nd gwno_loc region",
    "start_date start_date2 ep_end_date",
)


def _parse_ucdp_acd_csv(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """UCDP/PRIO Armed Conflict Dataset CSV (``UcdpPrioConflict_v23_1.csv``) → ``ucdp_acd_raw``.

    All 28 columns, in file order; ``gwno_*``, ``side_*_id`` and ``region`` stay strings (they may
    hold comma-separated lists); dates become ``pl.Date``; empty fields become null.
    """
    df = read_csv_checked(
        path, required=_UCDP_ACD, key=("conflict_id", "year"), line_column=LINE_COLUMN
    )
    where = str(path)
    check_dates(df, "year", where=where)
    check_dates(df, "start_date", "start_date2", where=where)
    check_dates(df, "start_date2", "ep_end_date", where=where)
    return _done(df, keep_lines)


def _parse_ucdp_acd_canonical(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """Official UCDP/PRIO ACD CSV → ``ucdp_acd`` (the shape of peacesciencer's table).

    The file is validated as the raw release first; then each comma-separated G-W code cell is
    split into one row per state (``foedus.sources.ucdp.ucdp_acd_from_official_csv``).
    """
    from foedus.sources.ucdp import ucdp_acd_from_official_csv

    _parse_ucdp_acd_csv(path)
    return ucdp_acd_from_official_csv(path)


# --------------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------------

_COW = (r"ccode",)
_DYAD = (r"ccode1", r"ccode2")
_ATOP_MEMBERS = (r"mem\d+", r"statthr[12]")
_ANNAM = ((8152, "Annam: ATOP's own code (G-W 815; not a COW state, ATOP codebook §1.3)"),)
_NNA = "; non-aggression-only pacts removed (NNA)"


# fmt: off
_formats = [
    _f("cow_states_csv", "cow_system",
       "COW State System Membership v2016, one row per membership spell",
       _parse_cow_states_csv, ("ccode", "start"), "states2016.csv"),
    _f("ps_cow_states", "cow_system", "peacesciencer cow_states (COW v2016 membership spells)",
       _parse_ps_cow_states, ("ccode", "start"), "cow_states.parquet"),
    _f("isard_cw_system", "cow_system", "isard cw_system: COW v2016 membership spells with dates",
       _parse_isard_cw_system, ("ccode", "start"), "cw_system.parquet"),
    _f("isard_gw_system", "gw_system", "isard gw_system: Gleditsch-Ward spells incl. micro-states",
       _parse_isard_gw_system, ("gwcode", "start"), "gw_system.parquet"),
    _f("ps_gw_states", "gw_system",
       "peacesciencer gw_states: G-W independent states (no micro-states)",
       _parse_ps_gw_states, ("gwcode", "start"), "gw_states.parquet"),
    _f("cow_system_csv", "cow_system_years", "COW State System Membership v2016, state-years",
       _parse_cow_system_csv, ("ccode", "year"), "system2016.csv", _COW),
    _f("cow_majors_csv", "cow_majors", "COW Major Powers v2016, one row per major-power spell",
       _parse_cow_majors_csv, ("ccode", "styear"), "majors2016.csv", _COW),
    _f("ps_cow_majors", "cow_majors", "peacesciencer cow_majors (COW Major Powers v2016)",
       _parse_ps_cow_majors, ("ccode", "styear"), "cow_majors.parquet", _COW),
    _f("isard_cw_gw_panel", "cow_gw_panel",
       "isard cw_gw_panel: COW state-years matched to G-W codes",
       _parse_isard_cw_gw_panel, ("ccode", "gwcode", "year"), "cw_gw_panel.parquet"),
    _f("isard_gw_cw_panel", "gw_cow_panel",
       "isard gw_cw_panel: G-W state-years matched to COW codes",
       _parse_isard_gw_cw_panel, ("ccode", "gwcode", "year"), "gw_cw_panel.parquet"),
    _f("ps_cow_nmc", "nmc", "peacesciencer cow_nmc: COW National Material Capabilities v7.0",
       _parse_ps_cow_nmc, ("ccode", "year"), "cow_nmc.parquet", _COW),
    _f("cow_nmc_csv", "nmc",
       "COW National Material Capabilities v6.0 abridged CSV (-9 = missing)",
       _parse_cow_nmc_csv, ("ccode", "year"), "NMC-60-abridged.csv", _COW),
    _f("cow_mida_csv", "cow_mid_a", "COW MID 5.0 dispute level (MIDA)",
       _parse_cow_mida_csv, ("dispnum",), "MIDA 5.0.csv"),
    _f("cow_midb_csv", "cow_mid_b", "COW MID 5.0 participant level (MIDB)",
       _parse_cow_midb_csv, ("dispnum", "ccode", "styear", "stmon", "stday"), "MIDB 5.0.csv",
       _COW),
    _f("cow_midi_csv", "cow_mid_i", "COW MID 5.0 incident level (MIDI)",
       _parse_cow_midi_csv, ("incidnum",), "MIDI 5.0.csv"),
    _f("cow_midip_csv", "cow_mid_ip", "COW MID 5.0 incident-participant level (MIDIP)",
       _parse_cow_midip_csv, ("incidnum", "ccode"), "MIDIP 5.0.csv", _COW),
    _f("ps_cow_mid_ddydisps", "cow_mid_ddydisps",
       "peacesciencer cow_mid_ddydisps: COW-MID 5.0 directed dyad-years, one dispute per dyad-year",
       _parse_ps_cow_mid_ddydisps, ("ccode1", "ccode2", "year"), "cow_mid_ddydisps.parquet",
       _DYAD),
    _f("ps_cow_mid_disps", "cow_mid_disps",
       "peacesciencer cow_mid_disps: abridged COW-MID 5.0 disputes",
       _parse_ps_cow_mid_disps, ("dispnum",), "cow_mid_disps.parquet"),
    _f("ps_gml_mid_ddydisps", "gml_mid_ddydisps",
       "peacesciencer gml_mid_ddydisps: GML MID 2.2.1 directed dyad-years, one dispute each",
       _parse_ps_gml_mid_ddydisps, ("ccode1", "ccode2", "year"), "gml_mid_ddydisps.parquet",
       _DYAD),
    _f("ps_gml_mid_disps", "gml_mid_disps",
       "peacesciencer gml_mid_disps: abridged GML MID disputes",
       _parse_ps_gml_mid_disps, ("dispnum",), "gml_mid_disps.parquet"),
    _f("ps_gml_dirdisp", "gml_dirdisp",
       "peacesciencer gml_dirdisp: GML MID directed dispute-dyad-years",
       _parse_ps_gml_dirdisp, ("dispnum", "ccode1", "ccode2", "year"), "gml_dirdisp.parquet",
       _DYAD),
    _f("ps_gml_part", "gml_part",
       "peacesciencer gml_part: GML MID participant summaries with leaders",
       _parse_ps_gml_part, ("dispnum", "ccode", "styear", "stmon", "stday"), "gml_part.parquet",
       _COW),
    _f("ps_cow_contdir", "cow_contdir",
       "peacesciencer cow_contdir: COW Direct Contiguity 3.2, directed spells",
       _parse_ps_cow_contdir, ("ccode1", "ccode2", "stdate"), "cow_contdir.parquet", _DYAD),
    _f("ps_cow_capitals", "cow_capitals", "peacesciencer cow_capitals: capitals of COW states",
       _parse_ps_cow_capitals, ("ccode", "stdate"), "cow_capitals.parquet", _COW),
    _f("ps_gw_capitals", "gw_capitals", "peacesciencer gw_capitals: capitals of G-W states",
       _parse_ps_gw_capitals, ("gwcode", "stdate"), "gw_capitals.parquet", (r"gwcode",), "gw",
       extra=((679, "unified Yemen under its COW code (G-W continues 678)"),)),
    _f("atop_member_csv", "atop_member", "ATOP 5.1 member level: one row per member per phase",
       _parse_atop_member_csv, ("atopid", "member", "phase", "yrent"), "atop5_1m.csv",
       (r"member",), extra=_ANNAM),
    _f("atop_alliance_csv", "atop_alliance_level", "ATOP 5.1 alliance level: one row per alliance",
       _parse_atop_alliance_csv, ("atopid",), "atop5_1a.csv", _ATOP_MEMBERS, non_state=(0,),
       extra=_ANNAM),
    _f("atop_phase_csv", "atop_phase", "ATOP 5.1 alliance-phase level: one row per phase",
       _parse_atop_phase_csv, ("atopid", "phase"), "atop5_1aph.csv", _ATOP_MEMBERS,
       non_state=(0,), extra=_ANNAM),
    _f("atop_stateyear_csv", "atop_stateyear",
       "ATOP 5.1 state-year: states in at least one alliance",
       _parse_atop_stateyear_csv, ("state", "year"), "atop5_1sy.csv", (r"state",)),
    _f("atop_inst_csv", "atop_inst",
       "Leeds & Anac alliance institutionalisation for ATOP 5.1 phases",
       _parse_atop_inst_csv, ("atopid", "phase"), "atopinst5_1.csv"),
    _f("atop_member_nna_csv", "atop_member_nna", "ATOP 5.1 member level" + _NNA,
       _parse_atop_member_csv, ("atopid", "member", "phase", "yrent"), "atop5_1m_NNA.csv",
       (r"member",), extra=_ANNAM),
    _f("atop_alliance_nna_csv", "atop_alliance_level_nna", "ATOP 5.1 alliance level" + _NNA,
       _parse_atop_alliance_csv, ("atopid",), "atop5_1a_NNA.csv", _ATOP_MEMBERS, non_state=(0,),
       extra=_ANNAM),
    _f("atop_phase_nna_csv", "atop_phase_nna", "ATOP 5.1 alliance-phase level" + _NNA,
       _parse_atop_phase_csv, ("atopid", "phase"), "atop5_1aph_NNA.csv", _ATOP_MEMBERS,
       non_state=(0,), extra=_ANNAM),
    _f("atop_stateyear_nna_csv", "atop_stateyear_nna", "ATOP 5.1 state-year" + _NNA,
       _parse_atop_stateyear_csv, ("state", "year"), "atop5_1sy_NNA.csv", (r"state",)),
    _f("atop_ddyr_csv", "atop_ddy",
       "ATOP 5.1 official directed dyad-year obligations (State A toward State B)",
       _parse_atop_ddyr_csv, ("ccode1", "ccode2", "year"), "atop5_1ddyr.csv", _DYAD),
    _f("ps_atop_alliance", "atop_ddy",
       "peacesciencer atop_alliance: ATOP 5.1 directed dyad-year obligations",
       _parse_ps_atop_alliance, ("ccode1", "ccode2", "year"), "atop_alliance.parquet", _DYAD),
    _f("ucdp_acd_csv", "ucdp_acd_raw",
       "UCDP/PRIO Armed Conflict Dataset, official conflict-year CSV",
       _parse_ucdp_acd_csv, ("conflict_id", "year"), "UcdpPrioConflict_v23_1.csv"),
    _f("ucdp_acd_csv_canonical", "ucdp_acd",
       "UCDP/PRIO ACD official CSV in the canonical one-row-per-state shape (as peacesciencer's)",
       _parse_ucdp_acd_canonical, (), "UcdpPrioConflict_v23_1.csv",
       (r"gwno_a", r"gwno_a_2nd", r"gwno_b", r"gwno_b_2nd"), "gw",
       extra=((751, "Hyderabad (1947-1948), a UCDP state not in the G-W list"),)),
    _f("ps_ucdp_acd", "ucdp_acd",
       "peacesciencer ucdp_acd: UCDP ACD v25.1, one row per state on each side",
       _parse_ps_ucdp_acd, ("conflict_id", "year", "gwno_a", "gwno_a_2nd", "gwno_b", "gwno_b_2nd"),
       "ucdp_acd.parquet", (r"gwno_a", r"gwno_a_2nd", r"gwno_b", r"gwno_b_2nd"), "gw",
       extra=((751, "Hyderabad (1947-1948), a UCDP state not in the G-W list"),)),
    _f("ps_cow_ddy", "cow_ddy", "peacesciencer cow_ddy: all directed dyad-years of COW members",
       _parse_ps_cow_ddy, ("ccode1", "ccode2", "year"), "cow_ddy.parquet", _DYAD),
    _f("ps_gw_ddy", "gw_ddy", "peacesciencer gw_ddy: all directed dyad-years of G-W members",
       _parse_ps_gw_ddy, ("gwcode1", "gwcode2", "year"), "gw_ddy.parquet",
       (r"gwcode1", r"gwcode2"), "gw"),
]
# fmt: on

#: Every importable format, by format id.
def _family_formats() -> list[Format]:
    from foedus.sources.instruments import family_modules

    return [fmt for module in family_modules() for fmt in getattr(module, "FORMATS", ())]


_formats += _family_formats()

FORMATS: dict[str, Format] = {f.id: f for f in _formats}

#: Official file name (basename, exact) → format id.
FILENAMES: dict[str, str] = {
    f.filename: f.id for f in _formats if f.id != "ucdp_acd_csv_canonical"
}

# Other releases of versioned files (same layout): pattern → format id.
_VERSIONED: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"NMC-\d+-abridged\.csv", re.I), "cow_nmc_csv"),
    (re.compile(r"UcdpPrioConflict_v\d+_\d+\.csv", re.I), "ucdp_acd_csv"),
    (re.compile(r"states\d{4}\.csv", re.I), "cow_states_csv"),
    (re.compile(r"system\d{4}\.csv", re.I), "cow_system_csv"),
    (re.compile(r"majors\d{4}\.csv", re.I), "cow_majors_csv"),
]


def detect_format(path: str | Path) -> str | None:
    """The format id for a file, from its name (exact official name, else a known versioned name).

    Example:
        >>> detect_format("/data/cow/MIDA 5.0.csv"), detect_format("NMC-70-abridged.csv")
        ('cow_mida_csv', 'cow_nmc_csv')
        >>> detect_format("notes.txt") is None
        True
    """
    name = Path(path).name
    if name in FILENAMES:
        return FILENAMES[name]
    for pattern, fid in _VERSIONED:
        if pattern.fullmatch(name):
            return fid
    return None


def parse_file(path: str | Path, format_id: str | None = None) -> tuple[Format, pl.DataFrame]:
    """Parse ``path`` with ``format_id`` (detected from the file name when omitted).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "majors2016.csv"
        >>> _ = f.write_text(
        ...     "stateabb,ccode,styear,stmonth,stday,endyear,endmonth,endday,version\\n"
        ...     "USA,2,1898,8,13,2016,12,31,2016\\n")
        >>> fmt, df = parse_file(f)
        >>> fmt.table, df.shape
        ('cow_majors', (1, 8))
    """
    from foedus.errors import UnknownSourceError

    fid = format_id or detect_format(path)
    if fid is None or fid not in FORMATS:
        known = ", ".join(sorted(FILENAMES))
        raise UnknownSourceError(
            f"no import format for {repr(format_id) if format_id else 'this file name'}",
            where=str(path),
            fix=f"give the official file name (one of: {known}) or pass a format id",
        )
    fmt = FORMATS[fid]
    return fmt, fmt.parse(Path(path))
