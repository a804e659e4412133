"""Peace operations: who hosts them, who sends troops, and the UN's world totals.

* ``un_nonun_peacekeeping_v2-2019_mission_conflict_month.csv`` → ``pko_missions_monthly``: Bara's
  UN and Non-UN Peacekeeping Dataset v2-2019 (SIPRI-based), one row per mission, UCDP conflict and
  month, 1993–2016, in the 36 **host** countries that had a civil conflict (``ccode`` = host, COW).
  Neither mission-months nor conflict-months are unique (Bosnia's missions serve three conflicts):
  the key is (``missionid``, ``conflictid``, ``date``). ``*_iepo`` are the main (interpolated and
  extrapolated) personnel counts; from 2015 SIPRI folds observers into troops.
* ``un_nonun_peacekeeping_v2-2019_mission_list_DERIVED.csv`` → ``pko_missions``: one row per mission
  in a host country (first/last month within 1993–2016, linked to a conflict) — derived by the
  staging helper from the file above; not an official mission list.
* ``geo_pko_africa_1994_2018_deployment_location_month.csv`` → ``geo_pko_tcc``: Geo-PKO (Africa,
  pre-2.0): one row per map, deployment location and **troop-contributing country** (TCC slots 1–14
  melted). ``tcc_troops`` is null where the map says "unknown"; the TCC names are resolved (as of
  the map's year) and the released COW code ``TCCk`` is kept as ``tcc_code_released``.
* ``owid_un_peacekeeping_world_1947_2021.csv`` → ``pko_world_un``: UN peacekeeping world totals per
  year; the breakdown (police, observers, troops) is 0 before 1992 meaning "not broken down": null.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from foedus.errors import InvalidValueError
from foedus.sources.instruments._inst_util import (
    check_allowed,
    located,
    register_name_columns,
    require_columns,
    resolve_column,
)
from foedus.sources.model import Format, Source, format_spec, release
from foedus.sources.readers import LINE_COLUMN, check_dates, check_unique, read_csv_checked

__all__ = [
    "FORMATS",
    "SOURCES",
    "parse_geo_pko",
    "parse_owid_pko",
    "parse_pko_mission_list",
    "parse_pko_monthly",
]

#: Years of each table.
PKO_COVERAGE: tuple[int, int] = (1993, 2016)
GEO_PKO_COVERAGE: tuple[int, int] = (1994, 2018)
OWID_COVERAGE: tuple[int, int] = (1947, 2021)

_PERSONNEL = ("troops", "police", "observers", "totals")
_MONTHLY_INTS = "ccode conflictid episodenum activity incomp year missionid org onlypolice"
_MONTHLY_FLOATS = " ".join(
    [f"sipri_{p}" for p in _PERSONNEL]
    + [f"{p}_{v}" for v in ("iepo", "ipo") for p in _PERSONNEL]
    + [f"ipi_{p}" for p in _PERSONNEL]
    + [f"{p}_backward" for p in _PERSONNEL]
)
ORG_LABELS = {1: "UN", 2: "Regional", 3: "International"}


def parse_pko_monthly(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """UN and Non-UN Peacekeeping v2-2019, mission-conflict-month → ``pko_missions_monthly``.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "pko.csv"
        >>> cols = ("ccode,location,conflictid,episodenum,activity,incomp,date,year,missionid,mission,"
        ...         "org,onlypolice,SIPRI_troops,SIPRI_police,SIPRI_observers,SIPRI_totals,"
        ...         "troops_iepo,police_iepo,observers_iepo,totals_iepo,troops_ipo,police_ipo,"
        ...         "observers_ipo,totals_ipo,IPI_troops,IPI_police,IPI_observers,IPI_totals,"
        ...         "troops_backward,police_backward,observers_backward,totals_backward,org_label\\n")
        >>> row = "90,Guatemala,233,23304,0,2,1997-01-01,1997,90050,MINUGUA,1,0" + ",," * 2 + ",0,51,20,71" + "," * 8 + ",0,51,20,71.0,UN\\n"
        >>> _ = f.write_text(cols + row)
        >>> parse_pko_monthly(f).select("ccode", "date", "mission", "totals_iepo").rows()
        [(90, datetime.date(1997, 1, 1), 'MINUGUA', 71.0)]
    """
    where = str(path)
    required = {
        **{c: pl.Int64 for c in _MONTHLY_INTS.split()},
        **{c: pl.Float64 for c in _MONTHLY_FLOATS.split()},
        "location": pl.String,
        "mission": pl.String,
        "org_label": pl.String,
        "date": pl.Date,
    }
    df = read_csv_checked(
        path, required=required, key=("missionid", "conflictid", "date"), line_column=LINE_COLUMN
    )
    check_allowed(df, "org", ORG_LABELS, where=where, what="the codebook (org)")
    check_allowed(df, "onlypolice", (0, 1), where=where, what="the codebook (onlypolice)")
    check_allowed(df, "activity", (0, 1), where=where, what="the codebook (activity)")
    check_allowed(df, "incomp", (1, 2), where=where, what="the codebook (incomp)")
    bad = df.select(
        ((pl.col("date").dt.year() != pl.col("year")) | (pl.col("date").dt.day() != 1)).arg_true()
    ).to_series()
    if len(bad):
        raise InvalidValueError(
            f"date {df['date'][int(bad[0])]} is not the first of a month of year "
            f"{df['year'][int(bad[0])]}",
            where=located(where, df, int(bad[0]), "date"),
            fix="dates are YYYY-MM-01 of the row's year; re-download the file",
        )
    label = pl.col("org").replace_strict(ORG_LABELS, default=None, return_dtype=pl.String)
    bad = df.select((label != pl.col("org_label")).fill_null(True).arg_true()).to_series()
    if len(bad):
        raise InvalidValueError(
            f"org_label {df['org_label'][int(bad[0])]!r} does not match org {df['org'][int(bad[0])]}",
            where=located(where, df, int(bad[0]), "org_label"),
            fix="org 1 is UN, 2 Regional, 3 International",
        )
    for column in [c for c in _MONTHLY_FLOATS.split()]:
        bad = df.select((pl.col(column) < 0).fill_null(False).arg_true()).to_series()
        if len(bad):
            raise InvalidValueError(
                f"negative personnel count {df[column][int(bad[0])]}",
                where=located(where, df, int(bad[0]), column),
                fix="counts are 0 or more (the codebook sets negative extrapolations to 0)",
            )
    columns = [c for c in df.columns if c != LINE_COLUMN]
    return df.select(*columns, *([LINE_COLUMN] if keep_lines else []))


def parse_pko_mission_list(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """The derived mission list (one row per mission in a host country) → ``pko_missions``.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "missions.csv"
        >>> _ = f.write_text("missionid,mission,org_label,location,ccode,first_month,last_month,"
        ...     "n_months,max_totals_iepo,max_troops_iepo,onlypolice\\n"
        ...     "450013,ECOMOG,Regional,Liberia,450,1993-01-01,1998-12-01,72,11000.0,11000.0,0\\n")
        >>> parse_pko_mission_list(f).select("mission", "first_month", "n_months").row(0)
        ('ECOMOG', datetime.date(1993, 1, 1), 72)
    """
    where = str(path)
    required = {
        "missionid": pl.Int64, "mission": pl.String, "org_label": pl.String,
        "location": pl.String, "ccode": pl.Int64, "first_month": pl.Date, "last_month": pl.Date,
        "n_months": pl.Int64, "max_totals_iepo": pl.Float64, "max_troops_iepo": pl.Float64,
        "onlypolice": pl.Int64,
    }  # fmt: skip
    df = read_csv_checked(path, required=required, key=("missionid",), line_column=LINE_COLUMN)
    check_allowed(df, "org_label", tuple(ORG_LABELS.values()), where=where, what="the codebook")
    check_dates(df, "first_month", "last_month", where=where)
    return df.select(*required, *([LINE_COLUMN] if keep_lines else []))


_GEO_REQUIRED = ["source", "mission", "year", "month", "location", "country", "latitude",
                 "longitude", "no.troops", "no.tcc", "cow_code"]  # fmt: skip

#: Columns of ``geo_pko_tcc``, in order.
GEO_COLUMNS: tuple[str, ...] = (
    "source_line", "tcc_slot", "map", "mission", "year", "month", "location", "host_ccode",
    "host_country", "latitude", "longitude", "location_troops", "tcc_name", "tcc_troops_raw",
    "tcc_troops", "tcc_code_released", "ccode", "gwcode", "iso3", "resolution",
)  # fmt: skip


def parse_geo_pko(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """Geo-PKO Africa deployment-location-month file → ``geo_pko_tcc`` (one row per TCC at a site).

    ``tcc_troops_raw`` keeps the released text ("unknown", "unkown" → ``tcc_troops`` null).
    Contributor codes: the resolved name's ``ccode`` (the released ``TCCk`` code, kept as
    ``tcc_code_released``, fills in where the name does not resolve).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "geopko.csv"
        >>> _ = f.write_text("Source,Mission,year,month,location,country,latitude,longitude,"
        ...     "No.troops,No.TCC,name.of.TCC1,No.troops.per.TCC1,name.of.TCC2,No.troops.per.TCC2,"
        ...     "cow_code,TCC1,TCC2\\nMap 1,UNMIL,2005,3,Gbarnga,Liberia,7.0,-9.5,800,2,Nigeria,"
        ...     "650,Ghana,unknown,450,475.0,452.0\\n")
        >>> parse_geo_pko(f).select("tcc_slot", "tcc_name", "tcc_troops", "ccode").rows()
        [(1, 'Nigeria', 650, 475), (2, 'Ghana', None, 452)]
    """
    where = str(path)
    df = read_csv_checked(
        path, required={c: pl.String for c in _GEO_REQUIRED}, others="string",
        line_column=LINE_COLUMN,
    )  # fmt: skip
    slots = sorted(
        int(m.group(1)) for c in df.columns if (m := re.fullmatch(r"name\.of\.tcc(\d+)", c))
    )
    if not slots:
        require_columns(df, ["name.of.tcc1"], where)
    need = [f"no.troops.per.tcc{k}" for k in slots] + [f"tcc{k}" for k in slots]
    require_columns(df, need, where)
    for column in ("year", "month", "cow_code"):
        value = df.get_column(column).cast(pl.Float64, strict=False)
        bad = (value.is_null() | (value != value.round(0))).arg_true()
        if len(bad):
            raise InvalidValueError(
                f"value {df[column][int(bad[0])]!r} is not a whole number",
                where=located(where, df, int(bad[0]), column),
                fix="correct the value or re-download the file",
            )
        df = df.with_columns(value.cast(pl.Int64).alias(column))
    check_dates(df, ("year", "month"), where=where, years=(1990, 2030))
    parts = []
    for k in slots:
        parts.append(
            df.select(
                pl.col(LINE_COLUMN).alias("source_line"),
                pl.lit(k, pl.Int64).alias("tcc_slot"),
                pl.col("source").str.strip_chars().alias("map"),
                "mission",
                "year",
                "month",
                "location",
                pl.col("cow_code").alias("host_ccode"),
                pl.col("country").alias("host_country"),
                pl.col("latitude").cast(pl.Float64, strict=False),
                pl.col("longitude").cast(pl.Float64, strict=False),
                pl.col("no.troops").alias("location_troops"),
                pl.col(f"name.of.tcc{k}").alias("tcc_name"),
                pl.col(f"no.troops.per.tcc{k}").str.strip_chars().alias("tcc_troops_raw"),
                pl.col(f"tcc{k}").alias("_code"),
            )
        )
    long = pl.concat(parts).filter(pl.col("tcc_name").str.strip_chars().fill_null("") != "")
    troops = pl.col("tcc_troops_raw").cast(pl.Float64, strict=False)
    unknown = pl.col("tcc_troops_raw").str.to_lowercase().is_in(["unknown", "unkown"])
    bad = long.select(
        (
            pl.col("tcc_troops_raw").is_not_null()
            & ~unknown
            & (troops.is_null() | (troops < 0) | (troops != troops.round(0)))
        ).arg_true()  # fmt: skip
    ).to_series()
    if len(bad):
        r = long.row(int(bad[0]), named=True)
        raise InvalidValueError(
            f"troop count {r['tcc_troops_raw']!r} is not a whole number or 'unknown'",
            where=f"{where}, line {r['source_line']}, column 'No.troops.per.TCC{r['tcc_slot']}'",
            fix="correct the count or re-download the file",
        )
    code = pl.col("_code").cast(pl.Float64, strict=False)
    bad = long.select(
        (pl.col("_code").is_not_null() & (code.is_null() | (code != code.round(0)))).arg_true()
    ).to_series()
    if len(bad):
        r = long.row(int(bad[0]), named=True)
        raise InvalidValueError(
            f"contributor code {r['_code']!r} is not a whole number",
            where=f"{where}, line {r['source_line']}, column 'TCC{r['tcc_slot']}'",
            fix="correct the code or re-download the file",
        )
    long = long.with_columns(
        pl.when(unknown).then(None).otherwise(troops).cast(pl.Int64).alias("tcc_troops"),
        code.cast(pl.Int64).alias("tcc_code_released"),
        pl.col("location_troops").cast(pl.Int64, strict=False),
    )
    long = resolve_column(long, "tcc_name", year="year", source="geo-pko",
                          lookup=pl.col("tcc_name").str.strip_chars())  # fmt: skip
    long = long.with_columns(
        pl.when(pl.col("resolution") == "unresolved")
        .then(pl.col("tcc_code_released"))
        .otherwise(pl.col("ccode"))
        .alias("ccode")
    ).sort("source_line", "tcc_slot")
    check_unique(long, ["source_line", "tcc_slot"], where, line_column=None)
    if keep_lines:
        long = long.with_columns(pl.col("source_line").alias(LINE_COLUMN))
    return long.select(*GEO_COLUMNS, *([LINE_COLUMN] if keep_lines else []))


_OWID = {
    "Entity": "entity",
    "Year": "year",
    "Number of peacekeeping missions (United Nations Peacekeeping)": "missions",
    "Size of total peacekeeping force (United Nations Peacekeeping)": "total_force",
    "Civilian police (peacekeepers) (United Nations Peacekeeping)": "police",
    "Military Observers and staff officers (peacekeepers) (United Nations Peacekeeping)": "observers",
    "Troops (peacekeepers) (United Nations Peacekeeping)": "troops",
}
#: First year OWID's UN series breaks the force down by personnel type.
OWID_BREAKDOWN_FROM = 1992


def parse_owid_pko(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """OWID's UN peacekeeping world totals → ``pko_world_un`` (breakdown null before 1992).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "owid.csv"
        >>> names = list(_OWID)
        >>> _ = f.write_text(",".join(f'"{n}"' for n in names) + "\\nWorld,1950,2,700,0,0,0\\n"
        ...     "World,2000,15,37733,7457,1812,28464\\n")
        >>> parse_owid_pko(f).select("year", "total_force", "troops").rows()
        [(1950, 700, None), (2000, 37733, 28464)]
    """
    where = str(path)
    required = {name: (pl.String if name == "Entity" else pl.Int64) for name in _OWID}
    df = read_csv_checked(
        path, required=required, key=("Year",), rename_lower=False, line_column=LINE_COLUMN
    )
    df = df.rename(_OWID)
    check_allowed(df, "entity", ("World",), where=where, what="the OWID world series")
    for column in ("missions", "total_force", "police", "observers", "troops"):
        bad = df.select((pl.col(column) < 0).fill_null(False).arg_true()).to_series()
        if len(bad):
            raise InvalidValueError(
                "negative count", where=located(where, df, int(bad[0]), column),
                fix="re-download the file",
            )  # fmt: skip
    early = pl.col("year") < OWID_BREAKDOWN_FROM
    return df.select(
        "year", "missions", "total_force",
        *[pl.when(early).then(None).otherwise(pl.col(c)).alias(c)
          for c in ("police", "observers", "troops")],
        *([LINE_COLUMN] if keep_lines else []),
    )  # fmt: skip


_BARA = """@Article{bara2020hats,
  author  = {Corinne Bara and Lisa Hultman},
  title   = {Just Different Hats? Comparing {UN} and Non-{UN} Peacekeeping},
  journal = {International Peacekeeping},
  year    = {2020},
  volume  = {27},
  number  = {3},
  pages   = {341--368}
}
@Misc{sipri2017pko,
  author       = {{Stockholm International Peace Research Institute}},
  title        = {{SIPRI} Multilateral Peace Operations Database},
  year         = {2017},
  howpublished = {\\url{https://www.sipri.org/databases/pko}}
}"""
_GEO = """@Article{cil2020geopko,
  author  = {Deniz Cil and Hanne Fjelde and Lisa Hultman and Desir{\\'e}e Nilsson},
  title   = {Mapping Blue Helmets: Introducing the Geocoded Peacekeeping Operations ({Geo-PKO}) Dataset},
  journal = {Journal of Peace Research},
  year    = {2020},
  volume  = {57},
  number  = {2},
  pages   = {360--370},
  doi     = {10.1177/0022343319871978}
}"""
_OWID_BIB = """@Misc{owid2022peacekeeping,
  author       = {{Our World in Data}},
  title        = {United Nations Peacekeeping (world totals, 1947--2021)},
  year         = {2022},
  howpublished = {\\url{https://github.com/owid/owid-datasets}},
  note         = {Compiled from United Nations Peacekeeping data; 1947--1991 force size from the Global Policy Forum}
}"""
_VIA = "treywood10/Mandate_Contribute (Stata file converted to CSV)"

SOURCES: list[Source] = [
    Source(
        name="pko-bara",
        title="UN and Non-UN Peacekeeping Dataset, version 2-2019 (Bara)",
        maintainer="Corinne Bara (Uppsala University)",
        landing_page="https://www.pcr.uu.se/",
        terms="Free for research use; cite Bara and Hultman (2020) and SIPRI (2017) as the codebook asks.",
        bibtex=_BARA,
        releases=(
            release(
                "pko-bara",
                "2-2019",
                "pko_bara_monthly_csv",
                "un_nonun_peacekeeping_v2-2019_mission_conflict_month.csv",
                "pko_missions_monthly",
                official=False,
                via=_VIA,
                coverage=PKO_COVERAGE,
            ),
            release(
                "pko-bara",
                "2-2019",
                "pko_bara_missions_csv",
                "un_nonun_peacekeeping_v2-2019_mission_list_DERIVED.csv",
                "pko_missions",
                official=False,
                via="derived from the mission-conflict-month file",
                coverage=PKO_COVERAGE,
            ),
        ),  # fmt: skip
    ),
    Source(
        name="geo-pko",
        title="Geocoded Peacekeeping Operations (Geo-PKO), Africa, pre-2.0 (1994-2018)",
        maintainer="Geo-PKO team, Uppsala University (Cil, Fjelde, Hultman, Nilsson)",
        landing_page="https://www.pcr.uu.se/data/geo-pko/",
        terms="Free to use with the citation of Cil et al. (2020).",
        bibtex=_GEO,
        releases=(
            release(
                "geo-pko",
                "2020.07",
                "geo_pko_africa_csv",
                "geo_pko_africa_1994_2018_deployment_location_month.csv",
                "geo_pko_tcc",
                official=False,
                via="thaonguyen-ha/GeoPKO (data/geopko.csv)",
                coverage=GEO_PKO_COVERAGE,
            ),
        ),  # fmt: skip
    ),
    Source(
        name="owid-pko",
        title="United Nations Peacekeeping world totals (Our World in Data)",
        maintainer="Our World in Data",
        landing_page="https://github.com/owid/owid-datasets",
        terms="CC BY 4.0; cite Our World in Data and the United Nations.",
        bibtex=_OWID_BIB,
        releases=(
            release(
                "owid-pko",
                "2021",
                "owid_un_pko_csv",
                "owid_un_peacekeeping_world_1947_2021.csv",
                "pko_world_un",
                official=False,
                via="Our World in Data",
                coverage=OWID_COVERAGE,
            ),
        ),  # fmt: skip
    ),
]

FORMATS: list[Format] = [
    format_spec("pko_bara_monthly_csv", "pko_missions_monthly",
                "UN and Non-UN Peacekeeping v2-2019: host country mission-conflict-months 1993-2016",
                parse_pko_monthly, ("missionid", "conflictid", "date"),
                "un_nonun_peacekeeping_v2-2019_mission_conflict_month.csv", (r"ccode",), "cow"),
    format_spec("pko_bara_missions_csv", "pko_missions",
                "UN and Non-UN Peacekeeping v2-2019: missions per host country (derived list)",
                parse_pko_mission_list, ("missionid",),
                "un_nonun_peacekeeping_v2-2019_mission_list_DERIVED.csv", (r"ccode",), "cow"),
    format_spec("geo_pko_africa_csv", "geo_pko_tcc",
                "Geo-PKO Africa 1994-2018: troop contributors per deployment site and map",
                parse_geo_pko, ("source_line", "tcc_slot"),
                "geo_pko_africa_1994_2018_deployment_location_month.csv",
                (r"host_ccode",), "cow"),
    format_spec("owid_un_pko_csv", "pko_world_un",
                "Our World in Data: UN peacekeeping world totals 1947-2021",
                parse_owid_pko, ("year",), "owid_un_peacekeeping_world_1947_2021.csv"),
]  # fmt: skip

register_name_columns("geo_pko_tcc", (("tcc_name", "resolution"),))
