"""Arms control, non-proliferation and nuclear data: treaty status files and nuclear programmes.

Every file is described in ``shared/data/MANIFEST-arms-control.md``; the rules below are how foedus
handles each file's documented quirks (full account: ``docs/arms-control.md``).

Treaty participation (one row per participant and instrument, names resolved to COW/G-W codes):

* ``untc_ch26_disarmament_participants.csv`` → ``ac_untc_participants``: UN Treaty Collection,
  chapter XXVI (CWC, CTBT, Ottawa, CCM, ATT, TPNW, CCW and its protocols, ENMOD), status at
  2026-02-03, withdrawals parsed from the endnotes. Participants are today's states and are
  resolved as of the snapshot year.
* ``untc_ch26_disarmament_endnotes.csv`` → ``ac_untc_endnotes``: the pages' endnotes (the US
  letter of 18 July 2019 on the ATT is ``att`` note 3).
* ``unoda_…_events_survivalscores_2026-08-22.csv`` → ``ac_unoda_events``: UNODA actions (NPT, BWC,
  CTBT, TPNW, five nuclear-weapon-free zones); latest date per state, treaty and action.
* ``icrc_ihl_and_related_treaties_parties_2020-11-09.csv`` → ``ac_icrc_parties``: the ICRC chart,
  parties only, turned long (one row per state and arms-related treaty with a date).
* ``manytreaties_parties_GGO_arms_control_subset.csv`` → ``ac_ggo_parties`` and
  ``manytreaties_parties_IEADB_arms_control_subset.csv`` → ``ac_ieadb_parties``: moderate quality;
  a trailing ``?`` (uncertain date) is kept in ``*_uncertain`` flags, historical ISO codes (DDR,
  CSK, YUG, YAR, SUN) are resolved as of the state's own action year.

Nuclear programmes (already COW-coded, except OWID's entity names):

* ``nca_dataset.csv`` → ``nuclear_cooperation`` (Fuhrmann NCA 2.0, 1951–2003);
* ``nl_dataset_v.1.2.csv`` → ``nuclear_latency_facilities`` (Fuhrmann & Tkach 1.2, 1939–2012);
* ``nu_public_rep.csv`` → ``nuclear_proficiency`` (ν-CLEAR, 1938–2001);
* ``nuclear_weapons_proliferation_owid.csv`` → ``nuclear_weapons_status`` (Bleek 2017 + NTI 2022,
  via OWID, 1938–2022) and ``nuclear_weapons_tests_states.csv`` → ``nuclear_tests`` (ACA tally via
  OWID, 1945–2019; North Korea's 3 tests in 2010 are flagged ``doubtful``).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from foedus.errors import InvalidValueError
from foedus.sources.instruments._inst_util import (
    check_allowed,
    iso3_names,
    located,
    register_name_columns,
    resolve_column,
)
from foedus.sources.model import Format, Source, format_spec, release
from foedus.sources.readers import LINE_COLUMN, read_csv_checked

__all__ = [
    "FORMATS",
    "GGO_TREATIES",
    "ICRC_TREATIES",
    "IEADB_TREATIES",
    "SOURCES",
    "UNTC_TREATIES",
    "parse_ggo",
    "parse_icrc",
    "parse_ieadb",
    "parse_nca",
    "parse_nuclear_latency",
    "parse_nuclear_status",
    "parse_nuclear_tests",
    "parse_unoda",
    "parse_untc",
    "parse_untc_endnotes",
    "parse_vclear",
]

#: UNTC ``treaty_id`` → foedus treaty key.
UNTC_TREATIES: dict[str, str] = {
    "enmod": "ENMOD", "ccw": "CCW", "ccw_p1": "CCW-P1", "ccw_p2": "CCW-P2", "ccw_p3": "CCW-P3",
    "ccw_p4": "CCW-P4", "ccw_p2a": "CCW-P2A", "ccw_art1": "CCW-ART1", "ccw_p5": "CCW-P5",
    "cwc": "CWC", "ctbt": "CTBT", "ottawa": "OTTAWA", "ccm": "CCM", "att": "ATT", "tpnw": "TPNW",
}  # fmt: skip
#: UNODA ``treaty_id`` → foedus treaty key.
UNODA_TREATIES: dict[str, str] = {
    "npt": "NPT", "bwc": "BWC", "ctbt": "CTBT", "tpnw": "TPNW", "tlatelolco": "TLATELOLCO",
    "rarotonga": "RAROTONGA", "pelindaba": "PELINDABA", "bangkok": "BANGKOK",
    "canwfz": "SEMIPALATINSK",
}  # fmt: skip
#: ICRC chart column → foedus treaty key (the arms-related columns; IHL columns are not read).
ICRC_TREATIES: dict[str, str] = {
    "geneva gas prot. 1925": "GENEVA1925", "bwc 1972": "BWC", "enmod conv. 1976": "ENMOD",
    "ccw 1980": "CCW", "ccw prot. i 1980": "CCW-P1", "ccw prot. ii 1980": "CCW-P2",
    "ccw prot. iii 1980": "CCW-P3", "ccw prot. iv 1995": "CCW-P4", "ccw prot. ii a 1996": "CCW-P2A",
    "ccw amdt 2001": "CCW-ART1", "ccw prot. v 2003": "CCW-P5", "cwc 1993": "CWC",
    "ap mine ban conv. 1997": "OTTAWA", "cluster munitions 2008": "CCM", "att 2013": "ATT",
    "tpnw 2017": "TPNW",
}  # fmt: skip
#: GGO ``treatyID`` → foedus treaty key (Tlatelolco protocols and amendments are kept under
#: their own keys; foedus does not use them for status).
GGO_TREATIES: dict[str, str] = {
    "TRTPNW_1968A": "NPT", "TB06SW_1963A": "PTBT", "TP09CB_1967A": "OST",
    "TP11ST_1971A": "SEABED", "PW05MW_1925P": "GENEVA1925", "TPNWLA_1967A": "TLATELOLCO",
    "AT04LA_1967P1:TPNWLA_1967A": "TLATELOLCO-AP1", "AT04LA_1967P2:TPNWLA_1967A": "TLATELOLCO-AP2",
    "TPNWLA_1990E:TPNWLA_1967A": "TLATELOLCO-1990E", "TPNWLA_1991E:TPNWLA_1967A": "TLATELOLCO-1991E",
    "SPNFZT_1985A": "RAROTONGA", "ANWFZT_1996A": "PELINDABA", "TS05FZ_1995A": "BANGKOK",
}  # fmt: skip
#: IEADB ``ieadbID`` → foedus treaty key (group by ``ieadbID``, not ``treatyID``: see manifest).
IEADB_TREATIES: dict[int, str] = {
    2726: "PTBT", 2754: "TLATELOLCO", 2807: "BWC", 2866: "ENMOD", 2992: "RAROTONGA", 3149: "CWC",
    3227: "BANGKOK", 3234: "PELINDABA", 5058: "SEMIPALATINSK", 8507: "TPNW", 444: "TTBT",
}  # fmt: skip

#: Codes of the manytreaties files that are not ISO 3166 alpha-3, and what they denote (reviewed by
#: hand against the rows: ``ALG`` Algeria's PTBT row, ``YAR`` North Yemen, ``SWA - SWZ``
#: Eswatini, ``GIN - GNQ`` Equatorial Guinea, ``KOR - PRK`` North Korea — each a row whose
#: second code matches its title and dates).
MANYTREATIES_CODES: dict[str, str] = {
    "ALG": "Algeria", "YAR": "Yemen Arab Republic", "SWA - SWZ": "Eswatini",
    "GIN - GNQ": "Equatorial Guinea", "KOR - PRK": "North Korea", "COK": "Cook Islands",
    "NIU": "Niue", "PSE": "Palestine", "VAT": "Holy See",
}  # fmt: skip
#: Historical codes resolved as of the state's own action year (others as of 2020, today's state).
HISTORICAL_CODES: frozenset[str] = frozenset({"DDR", "CSK", "YUG", "YAR", "SUN"})

_UNTC_STATUS = {
    "party": "consent given", "signatory": "signed, no consent", "withdrawn": "withdrew",
    "withdrawal_pending": "withdrawal notified, not yet effective",
    "listed_no_action": "CCW party that has not accepted this protocol",
}  # fmt: skip
_CONSENT_CODES = {
    "a": "accession", "A": "acceptance", "AA": "approval", "d": "succession",
    "P": "consent to be bound", "x": "acceptance (mark)", "X": "acceptance (mark)",
}  # fmt: skip
_UNODA_ACTIONS = ("signed", "ratified", "acceded", "succeeded", "withdrew")

SNAPSHOT_UNTC = "2026-02-03"
SNAPSHOT_UNODA = "2026-08-22"
SNAPSHOT_ICRC = "2020-11-09"


def _check_keys(df: pl.DataFrame, column: str, allowed: dict, where: str, what: str) -> None:
    check_allowed(df, column, {k: v for k, v in allowed.items()}, where=where, what=what,
                  fix="the staged file's treaty identifiers are listed in "
                      "MANIFEST-arms-control.md; re-stage the file")  # fmt: skip


def _bool_column(df: pl.DataFrame, column: str, where: str) -> pl.Series:
    s = df.get_column(column).cast(pl.String).str.strip_chars()
    ok = s.is_null() | s.is_in(["True", "False", "true", "false", "TRUE", "FALSE"])
    bad = (~ok).arg_true()
    if len(bad):
        i = int(bad[0])
        raise InvalidValueError(f"value {s[i]!r} is not True or False",
                                where=located(where, df, i, column),
                                fix="write True or False")  # fmt: skip
    return s.str.to_lowercase().eq("true").fill_null(False)


def parse_untc(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """UNTC chapter XXVI participants → ``ac_untc_participants`` (names resolved as of 2026).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
        >>> _ = f.write_text("treaty_id,mtdsg_no,participant,note_refs,signature_date,"
        ...   "signature_code,provisional_application_date,consent_date,consent_code,consent_type,"
        ...   "bracketed,withdrawal_notification_date,withdrawal_effective_date,snapshot_date,"
        ...   "status_at_snapshot\\nottawa,XXVI-5,Finland,,,,,2012-01-09,a,Accession,True,"
        ...   "2025-07-10,2026-01-10,2026-02-03,withdrawn\\n")
        >>> parse_untc(f).select("treaty", "ccode", "consent_date", "withdrawal_effective_date").row(0)
        ('OTTAWA', 375, datetime.date(2012, 1, 9), datetime.date(2026, 1, 10))
    """
    where = str(path)
    dates = ("signature_date", "provisional_application_date", "consent_date",
             "withdrawal_notification_date", "withdrawal_effective_date", "snapshot_date")  # fmt: skip
    required = {"treaty_id": pl.String, "mtdsg_no": pl.String, "participant": pl.String,
                "note_refs": pl.String, "signature_code": pl.String, "consent_code": pl.String,
                "consent_type": pl.String, "bracketed": pl.String,
                "status_at_snapshot": pl.String, **{d: pl.Date for d in dates}}  # fmt: skip
    df = read_csv_checked(path, required=required, key=["treaty_id", "participant"],
                          others="string", line_column=LINE_COLUMN)  # fmt: skip
    _check_keys(df, "treaty_id", UNTC_TREATIES, where, "the UNTC chapter XXVI pages")
    check_allowed(df, "status_at_snapshot", _UNTC_STATUS, where=where, what="the staging recipe")
    # CCW Protocol I-III marks may carry their own date: "x (18 July 2002)" (the date is in
    # consent_date); the code is the mark.
    df = df.with_columns(pl.col("consent_code").str.replace(r"^([xX]) \(.*\)$", "$1"))
    check_allowed(df, "consent_code", _CONSENT_CODES, where=where, what="the UNTC tables")
    df = df.with_columns(_bool_column(df, "bracketed", where).alias("bracketed"))
    df = _resolve_at(df, "participant", 2026, "untc")
    return df.select(
        pl.col(LINE_COLUMN).alias("source_line"),
        pl.col("treaty_id").replace_strict(UNTC_TREATIES).alias("treaty"),
        "treaty_id", "mtdsg_no", "participant", "ccode", "gwcode", "iso3", "resolution",
        "note_refs", "signature_date", "signature_code", "provisional_application_date",
        "consent_date", "consent_code", "consent_type", "bracketed",
        "withdrawal_notification_date", "withdrawal_effective_date", "status_at_snapshot",
        "snapshot_date", *([LINE_COLUMN] if keep_lines else []),
    )  # fmt: skip


def _resolve_at(df: pl.DataFrame, column: str, year: int | str, source: str,
                lookup: pl.Expr | None = None) -> pl.DataFrame:
    """Resolve ``column`` as of a fixed year (int) or a year column (str)."""
    if isinstance(year, int):
        df = df.with_columns(pl.lit(year, pl.Int64).alias("_ryear"))
        out = resolve_column(df, column, year="_ryear", source=source, lookup=lookup)
        return out.drop("_ryear")
    return resolve_column(df, column, year=year, source=source, lookup=lookup)


def parse_untc_endnotes(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """UNTC chapter XXVI endnotes → ``ac_untc_endnotes``.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "n.csv"
        >>> _ = f.write_text('treaty_id,mtdsg_no,note_no,note_text\\natt,XXVI-8,3,"In a letter"\\n')
        >>> parse_untc_endnotes(f).row(0)
        (2, 'ATT', 'att', 'XXVI-8', 3, 'In a letter')
    """
    where = str(path)
    df = read_csv_checked(path, required={"treaty_id": pl.String, "mtdsg_no": pl.String,
                                          "note_no": pl.Int64, "note_text": pl.String},
                          key=["treaty_id", "note_no"], line_column=LINE_COLUMN)  # fmt: skip
    _check_keys(df, "treaty_id", UNTC_TREATIES, where, "the UNTC chapter XXVI pages")
    return df.select(
        pl.col(LINE_COLUMN).alias("source_line"),
        pl.col("treaty_id").replace_strict(UNTC_TREATIES).alias("treaty"),
        "treaty_id", "mtdsg_no", "note_no", "note_text", *([LINE_COLUMN] if keep_lines else []),
    )


def parse_unoda(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """UNODA treaty actions (SurvivalScores rendering) → ``ac_unoda_events``.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "u.csv"
        >>> _ = f.write_text("treaty_id,treaty_name,iso2,country,action,date\\n"
        ...                  "ctbt,CTBT,RU,Russia,withdrew,2023-11-03\\n")
        >>> parse_unoda(f).select("treaty", "ccode", "action", "date").row(0)
        ('CTBT', 365, 'withdrew', datetime.date(2023, 11, 3))
    """
    where = str(path)
    df = read_csv_checked(path, required={"treaty_id": pl.String, "treaty_name": pl.String,
                                          "iso2": pl.String, "country": pl.String,
                                          "action": pl.String, "date": pl.Date},
                          key=["treaty_id", "iso2", "action"], line_column=LINE_COLUMN,
                          null_values=())  # fmt: skip
    _check_keys(df, "treaty_id", UNODA_TREATIES, where, "the UNODA Treaties Database")
    check_allowed(df, "action", _UNODA_ACTIONS, where=where, what="the UNODA action types")
    nulls = df.get_column("date").is_null().arg_true()
    if len(nulls):
        i = int(nulls[0])
        raise InvalidValueError("the action has no date", where=located(where, df, i, "date"),
                                fix="every UNODA action is dated; re-stage the file")  # fmt: skip
    df = _resolve_at(df, "country", 2026, "unoda")
    return df.select(
        pl.col(LINE_COLUMN).alias("source_line"),
        pl.col("treaty_id").replace_strict(UNODA_TREATIES).alias("treaty"),
        "treaty_id", "treaty_name", "iso2", "country", "ccode", "gwcode", "iso3", "resolution",
        "action", "date", *([LINE_COLUMN] if keep_lines else []),
    )  # fmt: skip


def parse_icrc(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """ICRC chart (parties as of 9 Nov 2020) → ``ac_icrc_parties``, one row per state and treaty.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "i.csv"
        >>> cols = ",".join(["Country", *[c.title() for c in ICRC_TREATIES]])
        >>> _ = f.write_text(cols + "\\nChina" + ",2020-07-06" * len(ICRC_TREATIES) + "\\n")
        >>> parse_icrc(f).filter(pl.col("treaty") == "ATT").select("ccode", "date").row(0)
        (710, datetime.date(2020, 7, 6))
    """
    required = {"country": pl.String, **{c: pl.Date for c in ICRC_TREATIES}}
    df = read_csv_checked(path, required=required, key=["country"], others="string",
                          line_column=LINE_COLUMN)  # fmt: skip
    df = _resolve_at(df, "country", 2020, "icrc")
    long = df.unpivot(index=[LINE_COLUMN, "country", "ccode", "gwcode", "iso3", "resolution"],
                      on=list(ICRC_TREATIES), variable_name="column", value_name="date")  # fmt: skip
    long = long.filter(pl.col("date").is_not_null())
    return long.select(
        pl.col(LINE_COLUMN).alias("source_line"),
        pl.col("column").replace_strict(ICRC_TREATIES).alias("treaty"),
        "column", "country", "ccode", "gwcode", "iso3", "resolution", "date",
        *([LINE_COLUMN] if keep_lines else []),
    ).sort("source_line", "treaty")


def _uncertain_date(df: pl.DataFrame, column: str, where: str) -> list[pl.Series]:
    """A messydates column → (ISO date, uncertain flag); anything else is an error."""
    s = df.get_column(column).cast(pl.String).str.strip_chars()
    flag = s.str.ends_with("?").fill_null(False)
    text = s.str.strip_suffix("?")
    parsed = text.str.to_date("%Y-%m-%d", strict=False)
    bad = (text.is_not_null() & (text != "") & parsed.is_null()).arg_true()
    if len(bad):
        i = int(bad[0])
        from foedus.errors import InvalidDateError

        raise InvalidDateError(f"value {s[i]!r} is not a date YYYY-MM-DD (optionally ending in ?)",
                               where=located(where, df, i, column),
                               fix="correct the date or re-stage the file")  # fmt: skip
    return [parsed.alias(column.lower()), flag.alias(f"{column.lower()}_uncertain")]


def _resolve_codes(df: pl.DataFrame, code: str, year_expr: pl.Expr, source: str) -> pl.DataFrame:
    codes = df.get_column(code).drop_nulls().unique().to_list()
    iso = iso3_names([c for c in codes if c not in MANYTREATIES_CODES])
    names = {c: MANYTREATIES_CODES.get(c) or iso.get(c) or c for c in codes}
    df = df.with_columns(
        pl.when(pl.col(code).is_in(list(HISTORICAL_CODES))).then(year_expr)
        .otherwise(pl.lit(2020)).cast(pl.Int64).alias("_ryear")
    )  # fmt: skip
    out = resolve_column(df, code, year="_ryear", source=source,
                         lookup=pl.col(code).replace_strict(names, default=pl.col(code)))  # fmt: skip
    return out.drop("_ryear")


def parse_ggo(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """manytreaties GGO subset → ``ac_ggo_parties`` (dates as printed; ``?`` kept as a flag).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "g.csv"
        >>> _ = f.write_text("stateID,treatyID,Title,Begin,End,Signature,StateSignature,"
        ...   "StateRatification,Force,StateForce,Term,StateEnd,Coder,Comments\\n"
        ...   "AUS,TB06SW_1963A,PTBT,1963-08-05,,,1963-08-08,1963-12-11,,,,9999-12-31,Moral,\\n")
        >>> parse_ggo(f).select("treaty", "ccode", "state_ratification").row(0)
        ('PTBT', 900, datetime.date(1963, 12, 11))
    """
    where = str(path)
    cols = ("StateSignature", "StateRatification", "StateForce", "StateEnd")
    required = {"stateid": pl.String, "treatyid": pl.String, "title": pl.String,
                **{c.lower(): pl.String for c in cols}}  # fmt: skip
    df = read_csv_checked(path, required=required, others="string", line_column=LINE_COLUMN)
    _check_keys(df, "treatyid", GGO_TREATIES, where, "the manytreaties GGO subset")
    parts = [s for c in cols for s in _uncertain_date(df, c.lower(), where)]
    df = df.with_columns(parts)
    action_year = pl.coalesce(pl.col("statesignature").dt.year(),
                              pl.col("stateratification").dt.year())  # fmt: skip
    df = _resolve_codes(df, "stateid", action_year, "manytreaties")
    return df.select(
        pl.col(LINE_COLUMN).alias("source_line"),
        pl.col("treatyid").replace_strict(GGO_TREATIES).alias("treaty"),
        pl.col("treatyid").alias("treaty_id"), pl.col("stateid").alias("state_id"),
        "ccode", "gwcode", "iso3", "resolution",
        pl.col("statesignature").alias("state_signature"),
        pl.col("statesignature_uncertain").alias("state_signature_uncertain"),
        pl.col("stateratification").alias("state_ratification"),
        pl.col("stateratification_uncertain").alias("state_ratification_uncertain"),
        pl.col("stateforce").alias("state_force"),
        pl.col("stateend").alias("state_end"),
        pl.col("stateend_uncertain").alias("state_end_uncertain"),
        "comments", *([LINE_COLUMN] if keep_lines else []),
    )  # fmt: skip


def parse_ieadb(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """manytreaties IEADB subset → ``ac_ieadb_parties`` (treaty from ``ieadbID``).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "e.csv"
        >>> _ = f.write_text("stateID,treatyID,Begin,End,Title,stateSignature,Signature,Rat,"
        ...   "Force,ieadbID\\nAUS,TB06SW_1963A,1963-08-05,,PTBT,1963-08-08,1963-08-05,"
        ...   "1963-11-12,1963-10-10,2726\\n")
        >>> parse_ieadb(f).select("treaty", "ccode", "ratification").row(0)
        ('PTBT', 900, datetime.date(1963, 11, 12))
    """
    where = str(path)
    required = {"stateid": pl.String, "treatyid": pl.String, "ieadbid": pl.Int64,
                "statesignature": pl.String, "rat": pl.String}  # fmt: skip
    df = read_csv_checked(path, required=required, others="string", line_column=LINE_COLUMN)
    _check_keys(df, "ieadbid", IEADB_TREATIES, where, "the manytreaties IEADB subset")
    df = df.with_columns(_uncertain_date(df, "statesignature", where)
                         + _uncertain_date(df, "rat", where))  # fmt: skip
    action_year = pl.coalesce(pl.col("statesignature").dt.year(), pl.col("rat").dt.year())
    df = _resolve_codes(df, "stateid", action_year, "manytreaties")
    return df.select(
        pl.col(LINE_COLUMN).alias("source_line"),
        pl.col("ieadbid").replace_strict(IEADB_TREATIES).alias("treaty"),
        pl.col("ieadbid").alias("ieadb_id"), pl.col("treatyid").alias("treaty_id"),
        pl.col("stateid").alias("state_id"), "ccode", "gwcode", "iso3", "resolution",
        pl.col("statesignature").alias("signature"), pl.col("rat").alias("ratification"),
        *([LINE_COLUMN] if keep_lines else []),
    )  # fmt: skip


# --------------------------------------------------------------------------------------------------
# Nuclear programmes
# --------------------------------------------------------------------------------------------------

#: Fuhrmann NCA ``nca_type`` codes.
NCA_TYPES: dict[int, str] = {
    1: "nuclear safety", 2: "intangibles (R&D, training)", 3: "nuclear materials",
    4: "research reactor", 5: "comprehensive power, restricted", 6: "comprehensive power, unrestricted",
    7: "military assistance",
}  # fmt: skip


def parse_nca(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """Fuhrmann's Nuclear Cooperation Agreements 2.0 → ``nuclear_cooperation`` (supplier→recipient).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "nca.csv"
        >>> _ = f.write_text("ccode1,ccode2,country1,country2,year,nca,nca_type\\n"
        ...                  "2,630,United States,Iran,1957,1,4\\n")
        >>> parse_nca(f).row(0)
        (2, 2, 630, 'United States', 'Iran', 1957, 4)
    """
    where = str(path)
    df = read_csv_checked(path, required={"ccode1": pl.Int64, "ccode2": pl.Int64,
                                          "country1": pl.String, "country2": pl.String,
                                          "year": pl.Int64, "nca_type": pl.Int64},
                          line_column=LINE_COLUMN)  # fmt: skip
    check_allowed(df, "nca_type", NCA_TYPES, where=where, what="the NCA codebook")
    return df.select(pl.col(LINE_COLUMN).alias("source_line"), "ccode1", "ccode2", "country1",
                     "country2", "year", "nca_type", *([LINE_COLUMN] if keep_lines else []))


_LATENCY_INT = ("ccode", "facility_ambiguity", "enr_type", "size", "construction_start",
                "construction_end", "operation_start", "operation_end", "operation2_start",
                "operation2_end", "covert", "iaea", "military", "multinational")  # fmt: skip


def parse_nuclear_latency(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """Nuclear Latency 1.2 (one row per enrichment or reprocessing facility) → ``nuclear_latency_facilities``.

    Year codes: 9999 not finished/started by 2012 and −99 missing become null; 7777 (still
    operating in 2012) is kept in ``*_open`` flags with the end year null.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "nl.csv"
        >>> cols = ["country_name", "facility_name", *_LATENCY_INT]
        >>> _ = f.write_text(",".join(cols) + "\\nIran,Natanz,630,0,3,3,2002,2006,2006,7777,"
        ...                  "9999,9999,1,1,0,0\\n")
        >>> parse_nuclear_latency(f).select("ccode", "operation_start", "operation_end",
        ...                                 "operating_2012").row(0)
        (630, 2006, None, True)
    """
    where = str(path)
    df = read_csv_checked(path, required={"country_name": pl.String, "facility_name": pl.String,
                                          **{c: pl.Int64 for c in _LATENCY_INT}},
                          line_column=LINE_COLUMN)  # fmt: skip
    check_allowed(df, "enr_type", {1: "reprocessing", 2: "gaseous diffusion", 3: "centrifuge",
                                   4: "EMIS", 5: "chemical/ion exchange", 6: "aerodynamic",
                                   7: "laser", 8: "thermal diffusion"},
                  where=where, what="the Nuclear Latency codebook")  # fmt: skip
    years = ("construction_start", "construction_end", "operation_start", "operation_end",
             "operation2_start", "operation2_end")  # fmt: skip
    for c in years:
        s = df.get_column(c)
        bad = (~(s.is_null() | s.is_in([9999, 7777, -99, -77]) | ((s >= 1939) & (s <= 2012)))).arg_true()
        if len(bad):
            i = int(bad[0])
            raise InvalidValueError(f"year {s[i]} is outside 1939–2012 and not a codebook code "
                                    "(9999, 7777, -99)", where=located(where, df, i, c),
                                    fix="correct the year or re-stage the file")  # fmt: skip
    open_now = (pl.col("operation_end") == 7777) | (pl.col("operation2_end") == 7777)
    clean = [pl.when(pl.col(c).is_in([9999, 7777, -99, -77])).then(None).otherwise(pl.col(c)).alias(c)
             for c in years]  # fmt: skip
    flags = [pl.when(pl.col(c).is_in([0, 1])).then(pl.col(c) == 1).alias(c)
             for c in ("covert", "iaea", "military", "multinational")]
    return df.select(
        pl.col(LINE_COLUMN).alias("source_line"), "country_name", "ccode", "facility_name",
        "facility_ambiguity", "enr_type", "size", *clean, open_now.alias("operating_2012"), *flags,
        *([LINE_COLUMN] if keep_lines else []),
    )


_VCLEAR_FLAGS = ("ura_i", "metal_i", "chemi_i", "nitric_i", "elect_i", "nuke_i", "explo_i",
                 "non_hwr", "hwr", "test", "reprocess", "enrichment", "submarines", "explore",
                 "pursue", "possession")  # fmt: skip


def parse_vclear(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """ν-CLEAR nuclear proficiency (country-year 1938–2001) → ``nuclear_proficiency``.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "nu.csv"
        >>> cols = ["", "ccode", "year", "Nu_means", "Nu_lower_95", "Nu_upper_95", *_VCLEAR_FLAGS]
        >>> _ = f.write_text(",".join(cols) + "\\n1,2,2001,2.33,2.1,2.5" + ",1" * 16 + "\\n")
        >>> parse_vclear(f).select("ccode", "year", "nu_mean", "possession").row(0)
        (2, 2001, 2.33, 1)
    """
    required = {"ccode": pl.Int64, "year": pl.Int64, "nu_means": pl.Float64,
                "nu_lower_95": pl.Float64, "nu_upper_95": pl.Float64,
                **{c: pl.Int64 for c in _VCLEAR_FLAGS}}  # fmt: skip
    df = read_csv_checked(path, required=required, key=["ccode", "year"], others="numeric",
                          line_column=LINE_COLUMN)  # fmt: skip
    for c in _VCLEAR_FLAGS:
        check_allowed(df, c, (0, 1), where=str(path), what="the ν-CLEAR indicators (0/1)")
    return df.select(
        pl.col(LINE_COLUMN).alias("source_line"), "ccode", "year",
        pl.col("nu_means").alias("nu_mean"), pl.col("nu_lower_95").alias("nu_lower_95"),
        pl.col("nu_upper_95").alias("nu_upper_95"), *_VCLEAR_FLAGS,
        *([LINE_COLUMN] if keep_lines else []),
    )  # fmt: skip


NUCLEAR_STATUS: dict[int, str] = {0: "no consideration", 1: "considering", 2: "pursuing",
                                  3: "possessing"}  # fmt: skip


#: OWID entity names that the name layer does not know under that spelling (reviewed by hand).
OWID_NAMES: dict[str, str] = {"Republic of Vietnam": "South Vietnam", "Timor": "Timor-Leste"}


def _owid_entities(df: pl.DataFrame) -> pl.DataFrame:
    """Drop OWID's aggregate rows (World, regions: entities without a code)."""
    df = df.rename({"country_name": "entity"})
    lookup = pl.col("entity").replace(OWID_NAMES)
    return _resolve_at(df, "entity", "year", "owid", lookup=lookup)


def parse_nuclear_status(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """OWID nuclear weapons status (Bleek 2017 + NTI 2022) → ``nuclear_weapons_status``.

    Entity names are resolved as of each year (the "Soviet Union"/Russia rows follow the name
    table); rows OWID gives for aggregates (World) resolve to nothing and keep null codes.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
        >>> _ = f.write_text("country_name,year,nuclear_weapons_status,nuclear_weapons_consideration,"
        ...                  "nuclear_weapons_pursuit,nuclear_weapons_possession\\n"
        ...                  "North Korea,2006,3,1,1,1\\n")
        >>> parse_nuclear_status(f).select("ccode", "year", "status", "status_label").row(0)
        (731, 2006, 3, 'possessing')
    """
    where = str(path)
    df = read_csv_checked(path, required={"country_name": pl.String, "year": pl.Int64,
                                          "nuclear_weapons_status": pl.Int64},
                          key=["country_name", "year"], line_column=LINE_COLUMN)  # fmt: skip
    check_allowed(df, "nuclear_weapons_status", NUCLEAR_STATUS, where=where,
                  what="OWID's nuclear weapons status coding")  # fmt: skip
    df = _owid_entities(df)
    return df.select(
        pl.col(LINE_COLUMN).alias("source_line"), "entity", "year", "ccode", "gwcode", "iso3",
        "resolution", pl.col("nuclear_weapons_status").alias("status"),
        pl.col("nuclear_weapons_status").replace_strict(NUCLEAR_STATUS).alias("status_label"),
        *([LINE_COLUMN] if keep_lines else []),
    )  # fmt: skip


def parse_nuclear_tests(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """OWID nuclear tests (ACA tally) → ``nuclear_tests``; North Korea 2010 flagged doubtful.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = f.write_text("country_name,year,nuclear_weapons_tests\\nNorth Korea,2010,3\\n"
        ...                  "India,1998,2\\n")
        >>> parse_nuclear_tests(f).select("ccode", "tests", "doubtful").rows()
        [(731, 3, True), (750, 2, False)]
    """
    df = read_csv_checked(path, required={"country_name": pl.String, "year": pl.Int64,
                                          "nuclear_weapons_tests": pl.Int64},
                          key=["country_name", "year"], line_column=LINE_COLUMN)  # fmt: skip
    s = df.get_column("nuclear_weapons_tests")
    bad = (s < 0).fill_null(False).arg_true()
    if len(bad):
        i = int(bad[0])
        raise InvalidValueError(f"negative test count {s[i]}",
                                where=located(str(path), df, i, "nuclear_weapons_tests"),
                                fix="counts are whole numbers ≥ 0")  # fmt: skip
    df = _owid_entities(df)
    return df.select(
        pl.col(LINE_COLUMN).alias("source_line"), "entity", "year", "ccode", "gwcode", "iso3",
        "resolution", pl.col("nuclear_weapons_tests").alias("tests"),
        ((pl.col("ccode") == 731) & (pl.col("year") == 2010)).fill_null(False).alias("doubtful"),
        *([LINE_COLUMN] if keep_lines else []),
    )  # fmt: skip


# --------------------------------------------------------------------------------------------------
# Declarations
# --------------------------------------------------------------------------------------------------

UNTC_BIBTEX = """@Misc{untc2026disarmament,
  author       = {{United Nations}},
  title        = {Multilateral Treaties Deposited with the Secretary-General, Chapter {XXVI}: Disarmament},
  year         = {2026},
  note         = {Status pages as at 3 February 2026; parsed from the saves in mgaldino/treaties-ideal-point, commit 746a24fa99b65d0834f8cd6b79f458a180c338cf},
  howpublished = {\\url{https://treaties.un.org/Pages/Treaties.aspx?id=26}}
}"""
UNODA_BIBTEX = """@Misc{unoda2026treaties,
  author       = {{United Nations Office for Disarmament Affairs}},
  title        = {Treaties Database: {NPT}, {BWC}, {CTBT}, {TPNW} and nuclear-weapon-free zone treaties},
  year         = {2026},
  note         = {Actions as of 22 August 2026, compiled by SurvivalScores.org (A. Edelstein), commit b7cc254a44bd6c459d4b5c200ee3e11e1cc9da32},
  howpublished = {\\url{https://treaties.unoda.org}}
}"""
ICRC_BIBTEX = """@Misc{icrc2020chart,
  author       = {{International Committee of the Red Cross}},
  title        = {State Parties to the Following International Humanitarian Law and Other Related Treaties as of 9-Nov-2020},
  year         = {2020},
  howpublished = {\\url{https://ihl-databases.icrc.org}}
}"""
MANYTREATIES_BIBTEX = """@Manual{hollway2025manytreaties,
  author = {James Hollway and others},
  title  = {manytreaties: Many International Agreements and Their Parties},
  note   = {R package version 1.0.0, commit c2f33bae1b8879c5be93c4924459f49ed0d9b6dd},
  year   = {2025},
  url    = {https://github.com/globalgov/manytreaties}
}
@Misc{mitchell2025ieadb,
  author       = {Ronald B. Mitchell},
  title        = {International Environmental Agreements Database Project},
  howpublished = {\\url{https://iea.uoregon.edu}}
}"""
FUHRMANN_NCA_BIBTEX = """@Book{fuhrmann2012atomic,
  author    = {Matthew Fuhrmann},
  title     = {Atomic Assistance: How ``Atoms for Peace'' Programs Cause Nuclear Insecurity},
  publisher = {Cornell University Press},
  year      = {2012}
}"""
FUHRMANN_NL_BIBTEX = """@Article{fuhrmann2015almost,
  author  = {Matthew Fuhrmann and Benjamin Tkach},
  title   = {Almost Nuclear: Introducing the Nuclear Latency Dataset},
  journal = {Conflict Management and Peace Science},
  year    = {2015},
  volume  = {32},
  number  = {4},
  pages   = {443--461}
}"""
VCLEAR_BIBTEX = """@Article{smith2018vclear,
  author  = {Bradley C. Smith and William Spaniel},
  title   = {Introducing $\\nu$-{CLEAR}: A Latent Variable Approach to Measuring Nuclear Proficiency},
  journal = {Conflict Management and Peace Science},
  year    = {2018},
  doi     = {10.1177/0738894217741619}
}"""
OWID_BIBTEX = """@Misc{owid2024nuclear,
  author       = {Bastian Herre and {Our World in Data}},
  title        = {Nuclear weapons: proliferation status and tests},
  year         = {2024},
  note         = {Based on Bleek (2017), NTI (2022) and the Arms Control Association Nuclear Testing Tally; owid/notebooks commit 44f3529de0c78ef5ffeb7937dcd8fd657f21ab75},
  howpublished = {\\url{https://ourworldindata.org/nuclear-weapons}}
}
@Misc{bleek2017proliferate,
  author       = {Philipp C. Bleek},
  title        = {When Did (and Didn't) States Proliferate? Chronicling the Spread of Nuclear Weapons},
  year         = {2017},
  howpublished = {Belfer Center for Science and International Affairs and James Martin Center for Nonproliferation Studies}
}"""

UNODA_FILE = "unoda_npt_bwc_ctbt_tpnw_nwfz_events_survivalscores_2026-08-22.csv"


def _source(name: str, title: str, maintainer: str, page: str, terms: str, bibtex: str,
            rels: list[tuple[str, str, str, str, tuple[int, int] | None]], *,
            official: bool = False, via: str | None = None) -> Source:  # fmt: skip
    return Source(
        name=name, title=title, maintainer=maintainer, landing_page=page, terms=terms,
        bibtex=bibtex,
        releases=tuple(release(name, version, fmt, filename, table, official=official, via=via,
                               coverage=cov)
                       for version, fmt, filename, table, cov in rels),
    )  # fmt: skip


SOURCES: list[Source] = [
    _source("untc-disarmament", "UN Treaty Collection, chapter XXVI (Disarmament): participants",
            "United Nations Office of Legal Affairs (Treaty Section)",
            "https://treaties.un.org/Pages/Treaties.aspx?id=26",
            "Public depositary information; cite the UN Treaty Collection.", UNTC_BIBTEX,
            [("2026-02-03", "untc_ch26_participants_csv",
              "untc_ch26_disarmament_participants.csv", "ac_untc_participants", (1977, 2026)),
             ("2026-02-03", "untc_ch26_endnotes_csv", "untc_ch26_disarmament_endnotes.csv",
              "ac_untc_endnotes", None)],
            via="mgaldino/treaties-ideal-point (HTML saves), re-parsed"),
    _source("unoda-treaties", "UNODA Treaties Database: NPT, BWC, CTBT, TPNW, NWFZ treaties",
            "UN Office for Disarmament Affairs (rendered by SurvivalScores.org)",
            "https://treaties.unoda.org", "UN data; cite UNODA and SurvivalScores.org.",
            UNODA_BIBTEX,
            [("2026-08-22", "unoda_events_csv", UNODA_FILE, "ac_unoda_events", (1968, 2026))],
            via="arthuredelstein/survivalscores.org"),
    _source("icrc-ihl-chart", "ICRC chart of State Parties to IHL and related treaties",
            "International Committee of the Red Cross", "https://ihl-databases.icrc.org",
            "© ICRC, publicly distributed; cite the ICRC.", ICRC_BIBTEX,
            [("2020-11-09", "icrc_ihl_chart_csv",
              "icrc_ihl_and_related_treaties_parties_2020-11-09.csv", "ac_icrc_parties",
              (1925, 2020))], via="m-g-d-c/crba-etl"),
    _source("manytreaties", "manytreaties: treaty parties (GGO and IEADB arms-control subsets)",
            "James Hollway et al., Geneva Graduate Institute",
            "https://github.com/globalgov/manytreaties", "CC BY 4.0; cite manytreaties and IEADB.",
            MANYTREATIES_BIBTEX,
            [("1.0.0", "manytreaties_ggo_csv", "manytreaties_parties_GGO_arms_control_subset.csv",
              "ac_ggo_parties", (1925, 2020)),
             ("1.0.0", "manytreaties_ieadb_csv",
              "manytreaties_parties_IEADB_arms_control_subset.csv", "ac_ieadb_parties",
              (1963, 2020))]),
    _source("fuhrmann-nca", "Nuclear Cooperation Agreement dataset v2.0 (Fuhrmann)",
            "Matthew Fuhrmann", "https://www.matthewfuhrmann.com/datasets.html",
            "Free for research use; cite Fuhrmann (2012).", FUHRMANN_NCA_BIBTEX,
            [("2.0", "fuhrmann_nca_csv", "nca_dataset.csv", "nuclear_cooperation", (1951, 2003))],
            via="knapply/data4ds4da"),
    _source("nuclear-latency", "Nuclear Latency dataset v1.2 (Fuhrmann & Tkach)",
            "Matthew Fuhrmann and Benjamin Tkach", "https://www.matthewfuhrmann.com/datasets.html",
            "Free for research use; cite Fuhrmann & Tkach (2015).", FUHRMANN_NL_BIBTEX,
            [("1.2", "nuclear_latency_csv", "nl_dataset_v.1.2.csv", "nuclear_latency_facilities",
              (1939, 2012))], via="knapply/data4ds4da"),
    _source("vclear", "ν-CLEAR nuclear proficiency (Smith & Spaniel)",
            "Bradley C. Smith and William Spaniel", "https://williamspaniel.com/papers/nuclear",
            "Free for research use; cite Smith & Spaniel (2018).", VCLEAR_BIBTEX,
            [("2018", "vclear_csv", "nu_public_rep.csv", "nuclear_proficiency", (1938, 2001))],
            via="knapply/data4ds4da"),
    _source("owid-nuclear", "Our World in Data: nuclear weapons status and tests",
            "Our World in Data (Bastian Herre)", "https://ourworldindata.org/nuclear-weapons",
            "CC BY 4.0 (OWID); cite the underlying sources too.", OWID_BIBTEX,
            [("2024-06-03", "owid_nuclear_status_csv", "nuclear_weapons_proliferation_owid.csv",
              "nuclear_weapons_status", (1938, 2022)),
             ("2024-06-03", "owid_nuclear_tests_csv", "nuclear_weapons_tests_states.csv",
              "nuclear_tests", (1945, 2019))], via="owid/notebooks"),
]

SOURCES.append(Source(
    name="arms-control-curated",
    title="foedus curated arms-control facts (bilateral treaties, CFE, Open Skies, JCPOA, "
          "North Korea's NPT withdrawal)",
    maintainer="The foedus developers",
    landing_page="src/foedus/arms_control/curated.csv (each row cites its source)",
    terms="Part of foedus (GPL-3.0-or-later); cite the treaty texts or official pages each row "
          "names.",
    bibtex="""@Misc{foedus2026armscontrol,
  author = {{The foedus developers}},
  title  = {Curated arms-control facts, version 2026.12.1},
  year   = {2026},
  note   = {File src/foedus/arms_control/curated.csv; each fact cites its source}
}""",
))

FORMATS: list[Format] = [
    format_spec("untc_ch26_participants_csv", "ac_untc_participants",
                "UN Treaty Collection chapter XXVI participants (one row per participant and "
                "instrument)", parse_untc, ("treaty", "participant"),
                "untc_ch26_disarmament_participants.csv"),
    format_spec("untc_ch26_endnotes_csv", "ac_untc_endnotes", "UN Treaty Collection chapter XXVI "
                "endnotes", parse_untc_endnotes, ("treaty", "note_no"),
                "untc_ch26_disarmament_endnotes.csv"),
    format_spec("unoda_events_csv", "ac_unoda_events", "UNODA treaty actions (latest per state, "
                "treaty, action)", parse_unoda, ("treaty", "iso2", "action"), UNODA_FILE),
    format_spec("icrc_ihl_chart_csv", "ac_icrc_parties", "ICRC chart of parties, 9 Nov 2020 "
                "(arms-related treaties, long)", parse_icrc, ("source_line", "treaty"),
                "icrc_ihl_and_related_treaties_parties_2020-11-09.csv"),
    format_spec("manytreaties_ggo_csv", "ac_ggo_parties", "manytreaties GGO arms-control subset",
                parse_ggo, ("source_line",), "manytreaties_parties_GGO_arms_control_subset.csv"),
    format_spec("manytreaties_ieadb_csv", "ac_ieadb_parties", "manytreaties IEADB arms-control "
                "subset", parse_ieadb, ("source_line",),
                "manytreaties_parties_IEADB_arms_control_subset.csv"),
    format_spec("fuhrmann_nca_csv", "nuclear_cooperation", "Fuhrmann nuclear cooperation "
                "agreements 1951-2003 (supplier→recipient)", parse_nca, ("source_line",),
                "nca_dataset.csv", states=("ccode1", "ccode2"), system="cow"),
    format_spec("nuclear_latency_csv", "nuclear_latency_facilities", "Fuhrmann & Tkach nuclear "
                "latency: ENR facilities 1939-2012", parse_nuclear_latency, ("source_line",),
                "nl_dataset_v.1.2.csv", states=("ccode",), system="cow"),
    format_spec("vclear_csv", "nuclear_proficiency", "ν-CLEAR nuclear proficiency, country-year "
                "1938-2001", parse_vclear, ("ccode", "year"), "nu_public_rep.csv"),
    format_spec("owid_nuclear_status_csv", "nuclear_weapons_status", "OWID nuclear weapons "
                "status (Bleek + NTI), country-year", parse_nuclear_status, ("entity", "year"),
                "nuclear_weapons_proliferation_owid.csv"),
    format_spec("owid_nuclear_tests_csv", "nuclear_tests", "OWID nuclear tests (ACA), "
                "country-year", parse_nuclear_tests, ("entity", "year"),
                "nuclear_weapons_tests_states.csv"),
]

for _table, _spec in (
    ("ac_untc_participants", (("participant", "resolution"),)),
    ("ac_unoda_events", (("country", "resolution"),)),
    ("ac_icrc_parties", (("country", "resolution"),)),
    ("ac_ggo_parties", (("state_id", "resolution"),)),
    ("ac_ieadb_parties", (("state_id", "resolution"),)),
    ("nuclear_weapons_status", (("entity", "resolution"),)),
    ("nuclear_tests", (("entity", "resolution"),)),
):
    register_name_columns(_table, _spec)
