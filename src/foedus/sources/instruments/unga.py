"""UN General Assembly ideal points (Bailey, Strezhnev & Voeten 2017): source, releases, formats.

Two release files fill the canonical table ``unga_ideal_points`` (one row per state-year, key
``ccode, year``):

* ``IdealpointsJuly2025.csv`` (version ``2025-07``): the first release indexed by **calendar
  year** (1946–2024). It holds three estimates: all votes (``idealpointall``, 1946–2023), final
  passage votes only (``idealpointfp``, 1946–2024) and the session-based legacy series
  (``idealpointlegacy``), each with its vote count and, for the first two, MCMC posterior
  quantiles.
* ``IdealpointestimatesAll_Jun2024.csv`` (version ``2024-06``): the last **session-based** release
  (sessions 1–78), all votes, with the share of votes agreeing with six reference states. Session
  *s* is mapped to ``year = s + 1945`` — the codebook of the July 2025 release says so for its
  session-based series ("ideal point estimates based on sessions (year=session+1945)"), and the
  values of that series equal this file's ideal points on every one of its 11,238 rows. A session
  opens in September of that year and often ends in the next one.

Canonical columns (the same for both files; what a file lacks is null; ``docs/un-similarity.md``
maps each to the files' columns):

* ``ccode``, ``year`` (Int64): COW code, calendar year; ``session`` (Int64): UNGA session, null
  in the calendar-year release; ``iso3c``, ``countryname``: as in the file (null on 17
  legacy-only rows of the 2025-07 release).
* ``idealpoint``: ideal point from all votes (the Bailey et al. 2017 series);
  ``idealpoint_q0`` … ``idealpoint_q100``: its posterior quantiles 0 (minimum draw), 5, 10, 50,
  90, 95, 100 (maximum draw) percent; ``nvotes`` (Int64): votes behind it.
* ``idealpoint_fp``, ``idealpoint_fp_q0`` … ``idealpoint_fp_q100``, ``nvotes_fp``: the same for
  the final-passage estimate (2025-07 only).
* ``idealpoint_legacy``, ``nvotes_legacy``: the session-based all-votes series (in 2024-06 equal
  to ``idealpoint`` and ``nvotes``).
* ``usagree``, ``russagree``, ``brazilagree``, ``chinaagree``, ``indiaagree``, ``israelagree``:
  share of the session's votes agreeing with the USA, Russia/USSR, Brazil, China, India, Israel
  (2024-06 only).

Neither file has a standard error: the posterior quantiles are the uncertainty the authors publish.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from foedus.errors import InvalidValueError
from foedus.sources.model import Format, Source
from foedus.sources.model import format_spec as _f
from foedus.sources.model import release as _r
from foedus.sources.normalize import cast_keys
from foedus.sources.readers import LINE_COLUMN, DType, check_unique, read_csv_checked

__all__ = [
    "CANONICAL_COLUMNS",
    "FIRST_YEAR",
    "FORMATS",
    "QUANTILES",
    "SOURCES",
    "TABLE",
    "parse_unga_session_csv",
    "parse_unga_year_csv",
]

#: The canonical table both formats fill.
TABLE = "unga_ideal_points"

#: Year of the first UN General Assembly session (session 1 opened in London in January 1946).
FIRST_YEAR = 1946

#: Posterior quantiles published with the ideal points (percent; 0 and 100 are the extreme draws).
QUANTILES: tuple[int, ...] = (0, 5, 10, 50, 90, 95, 100)

_AGREE = ("usagree", "russagree", "brazilagree", "chinaagree", "indiaagree", "israelagree")


def _estimate_block(prefix: str) -> list[str]:
    return [prefix, *(f"{prefix}_q{q}" for q in QUANTILES)]


#: Columns of ``unga_ideal_points``, in order, with their types.
CANONICAL_COLUMNS: dict[str, DType] = {
    "ccode": pl.Int64,
    "year": pl.Int64,
    "session": pl.Int64,
    "iso3c": pl.String,
    "countryname": pl.String,
    **{c: pl.Float64 for c in _estimate_block("idealpoint")},
    "nvotes": pl.Int64,
    **{c: pl.Float64 for c in _estimate_block("idealpoint_fp")},
    "nvotes_fp": pl.Int64,
    "idealpoint_legacy": pl.Float64,
    "nvotes_legacy": pl.Int64,
    **{c: pl.Float64 for c in _AGREE},
}

_BIBTEX = """@Article{bailey2017unga,
  author  = {Michael A. Bailey and Anton Strezhnev and Erik Voeten},
  title   = {Estimating Dynamic State Preferences from {United Nations} Voting Data},
  journal = {Journal of Conflict Resolution},
  year    = {2017},
  volume  = {61},
  number  = {2},
  pages   = {430--456},
  doi     = {10.1177/0022002715595700}
}
@Misc{voeten2009ungadata,
  author       = {Erik Voeten and Anton Strezhnev and Michael Bailey},
  title        = {United Nations General Assembly Voting Data},
  year         = {2009},
  publisher    = {Harvard Dataverse},
  doi          = {10.7910/DVN/LEJUQZ},
  howpublished = {\\url{https://dataverse.harvard.edu/dataset.xhtml?persistentId=doi:10.7910/DVN/LEJUQZ}}
}
@Article{fjelstul2025ungadm,
  author  = {Joshua Fjelstul and Simon Hug and Christopher Kilby},
  title   = {Decision-Making in the {United Nations General Assembly}: A Comprehensive Database
             of Resolution-Related Decisions},
  journal = {The Review of International Organizations},
  year    = {2025}
}"""

SOURCES: list[Source] = [
    Source(
        name="unga-ideal-points",
        title="United Nations General Assembly ideal points (Bailey, Strezhnev & Voeten)",
        maintainer="Erik Voeten (Georgetown University)",
        landing_page="https://dataverse.harvard.edu/dataset.xhtml?persistentId=doi:10.7910/DVN/LEJUQZ",
        terms="Published on Harvard Dataverse (hdl:1902.1/12379); no licence text travels with "
        "the files (Dataverse's default is CC0 with community norms of citation). Cite Bailey, "
        "Strezhnev & Voeten (2017) and the Dataverse dataset; the July 2025 release also asks to "
        "cite Fjelstul, Hug & Kilby (2025), the source of its raw votes.",
        bibtex=_BIBTEX,
        releases=(
            _r(
                "unga-ideal-points",
                "2025-07",
                "unga_idealpoints_year_csv",
                "IdealpointsJuly2025.csv",
                TABLE,
                coverage=(1946, 2024),
            ),
            _r(
                "unga-ideal-points",
                "2024-06",
                "unga_idealpoints_session_csv",
                "IdealpointestimatesAll_Jun2024.csv",
                TABLE,
                coverage=(1946, 2023),
            ),
        ),
    )
]


# --------------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------------


def _fail(
    df: pl.DataFrame,
    mask: pl.Series,
    column: str,
    where: str,
    what: str,
    fix: str,
    names: Mapping[str, str] | None = None,
) -> None:
    """Raise :class:`InvalidValueError` for the first row of ``mask`` (nulls count as False).

    ``names`` maps canonical column names to the file's own, so the message names the column as
    the user sees it in the file.
    """
    hits = mask.fill_null(False).arg_true()
    if len(hits) == 0:
        return
    i = int(hits[0])
    place = f"line {df.get_column(LINE_COLUMN)[i]}" if LINE_COLUMN in df.columns else f"row {i + 1}"
    value = df.get_column(column)[i]
    shown = (names or {}).get(column, column)
    raise InvalidValueError(
        what.format(value=value), where=f"{where}, {place}, column '{shown}'", fix=fix
    )


_REDOWNLOAD = "re-download the official release file"


def _check_values(df: pl.DataFrame, where: str, names: Mapping[str, str]) -> None:
    """Codebook ranges of the canonical columns; the first violation is reported by file line."""

    def fail(mask: pl.Series, column: str, what: str, fix: str) -> None:
        _fail(df, mask, column, where, what, fix, names)

    again = f"or {_REDOWNLOAD}"
    damaged = f"the file is damaged: {_REDOWNLOAD}"
    session = df.get_column("session")
    fail(session < 1, "session", "session {value} is not a UNGA session (1, 2, …)",
         f"correct the session number {again}")  # fmt: skip
    year = df.get_column("year")
    fail((year < FIRST_YEAR) | (year > 2200), "year",
         f"year {{value}} is outside {FIRST_YEAR}-2200 (the first UNGA session was held in "
         f"{FIRST_YEAR})", f"correct the year {again}")  # fmt: skip
    for prefix in ("idealpoint", "idealpoint_fp", "idealpoint_legacy"):
        s = df.get_column(prefix)
        fail(s.is_not_null() & ~s.is_finite(), prefix, "ideal point {value} is not a finite number",
             f"correct the value {again}")  # fmt: skip
        if f"{prefix}_q0" not in df.columns:
            continue
        quantiles = [f"{prefix}_q{q}" for q in QUANTILES]
        for lower, upper in zip(quantiles, quantiles[1:], strict=False):
            below = lower.rsplit("_q", 1)[1]
            fail(df.get_column(lower) > df.get_column(upper), upper,
                 f"posterior quantile {{value}} is below the {below}% quantile (quantiles must "
                 "not decrease)", damaged)  # fmt: skip
        outside = (s < df.get_column(quantiles[0])) | (s > df.get_column(quantiles[-1]))
        fail(outside, prefix, "ideal point {value} lies outside its posterior draws (q0 to q100)",
             damaged)  # fmt: skip
    for name in ("nvotes", "nvotes_fp", "nvotes_legacy"):
        fail(df.get_column(name) < 0, name, "vote count {value} is negative",
             f"correct the count {again}")  # fmt: skip
    for name in _AGREE:
        s = df.get_column(name)
        fail((s < 0) | (s > 1) | (s.is_not_null() & s.is_nan()), name,
             "agreement share {value} is outside 0-1", f"correct the share {again}")  # fmt: skip


def _canonical(
    df: pl.DataFrame, where: str, keep_lines: bool, names: Mapping[str, str]
) -> pl.DataFrame:
    """Add the absent canonical columns as nulls, order and type them, validate values and key."""
    out = df.select(
        *(
            (pl.col(c) if c in df.columns else pl.lit(None)).cast(t).alias(c)
            for c, t in CANONICAL_COLUMNS.items()
        ),
        *([LINE_COLUMN] if LINE_COLUMN in df.columns else []),
    )
    _check_values(out, where, names)
    check_unique(out, ("ccode", "year"), where)
    return cast_keys(out if keep_lines else out.drop(LINE_COLUMN, strict=False))


# --------------------------------------------------------------------------------------------------
# Parsers
# --------------------------------------------------------------------------------------------------

_QUANTILE_NAMES = {0: "qo", 5: "q5", 10: "q10", 50: "q50", 90: "q90", 95: "q95", 100: "q100"}

_YEAR_FILE: dict[str, DType] = {
    "ccode": pl.Int64,
    "year": pl.Int64,
    "iso3c": pl.String,
    "countryname": pl.String,
    "idealpointfp": pl.Float64,
    "idealpointall": pl.Float64,
    "idealpointlegacy": pl.Float64,
    "nvotesfp": pl.Int64,
    **{f"{_QUANTILE_NAMES[q]}fp": pl.Float64 for q in QUANTILES},
    "nvotesall": pl.Int64,
    **{f"{_QUANTILE_NAMES[q]}all": pl.Float64 for q in QUANTILES},
    "nvoteslegacy": pl.Int64,
}


def parse_unga_year_csv(path: str | Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """The calendar-year release (``IdealpointsJuly2025.csv``) → ``unga_ideal_points``.

    ``idealpointall`` becomes ``idealpoint``, ``idealpointfp`` ``idealpoint_fp`` and
    ``idealpointlegacy`` ``idealpoint_legacy``; ``qoall`` … ``q100all`` become ``idealpoint_q0`` …
    ``idealpoint_q100`` (``qo`` is the minimum posterior draw, the 0% quantile); ``session`` and
    the agreement shares are null.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "IdealpointsJuly2025.csv"
        >>> q = ",".join(f"{n}{s}" for s in ("fp", "all") for n in
        ...     ("nvotes", "qo", "q5", "q10", "q50", "q90", "q95", "q100"))
        >>> _ = f.write_text(
        ...     "ccode,iso3c,countryname,year,idealpointfp,idealpointall,idealpointlegacy,"
        ...     + q + ",nvotesLegacy\\n"
        ...     "2,USA,United States,2000,2.5,2.6,2.7,50,1,2,2.1,2.5,2.9,3,4,90,1,2,2.2,2.6,2.9,3,4,95\\n")
        >>> df = parse_unga_year_csv(f)
        >>> df.select("ccode", "year", "idealpoint", "idealpoint_fp", "nvotes", "session").row(0)
        (2, 2000, 2.6, 2.5, 90, None)
    """
    where = str(path)
    df = read_csv_checked(path, required=_YEAR_FILE, key=("ccode", "year"), line_column=LINE_COLUMN)
    renames = {
        "idealpointall": "idealpoint",
        "idealpointfp": "idealpoint_fp",
        "idealpointlegacy": "idealpoint_legacy",
        "nvotesall": "nvotes",
        "nvotesfp": "nvotes_fp",
        "nvoteslegacy": "nvotes_legacy",
        **{f"{_QUANTILE_NAMES[q]}all": f"idealpoint_q{q}" for q in QUANTILES},
        **{f"{_QUANTILE_NAMES[q]}fp": f"idealpoint_fp_q{q}" for q in QUANTILES},
    }
    names = {new: old for old, new in renames.items()}
    return _canonical(df.rename(renames), where, keep_lines, names)


_SESSION_FILE: dict[str, DType] = {
    "ccode": pl.Int64,
    "session": pl.Int64,
    "nvotesall": pl.Int64,
    "idealpointall": pl.Float64,
    **{f"{_QUANTILE_NAMES[q]}%all": pl.Float64 for q in QUANTILES},
    "iso3c": pl.String,
    "countryname": pl.String,
    **{c: pl.Float64 for c in _AGREE},
}

#: The session-based file's first session: year = session + SESSION_OFFSET.
SESSION_OFFSET = FIRST_YEAR - 1


def parse_unga_session_csv(path: str | Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """The session-based release (``IdealpointestimatesAll_Jun2024.csv``) → ``unga_ideal_points``.

    ``year = session + 1945`` (the codebook's mapping; session 1 = 1946, session 78 = 2023);
    ``IdealPointAll`` becomes both ``idealpoint`` and ``idealpoint_legacy`` (it *is* the
    session-based all-votes series), ``QO%All`` … ``Q100%All`` ``idealpoint_q0`` …
    ``idealpoint_q100``, ``NVotesAll`` ``nvotes`` and ``nvotes_legacy``; the unnamed row-number
    column is dropped; the final-passage columns are null.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "IdealpointestimatesAll_Jun2024.csv"
        >>> _ = f.write_text(
        ...     '"","ccode","session","NVotesAll","IdealPointAll","QO%All","Q5%All","Q10%All",'
        ...     '"Q50%All","Q90%All","Q95%All","Q100%All","iso3c","Countryname","USAgree",'
        ...     '"RUSSAgree","BrazilAgree","ChinaAgree","IndiaAgree","IsraelAgree"\\n'
        ...     '"1",2,55,80,2.6,1,2,2.1,2.6,2.9,3,4,"USA","United States",1,0.2,0.4,0.2,0.3,0.9\\n')
        >>> df = parse_unga_session_csv(f)
        >>> df.select("ccode", "year", "session", "idealpoint", "idealpoint_legacy", "usagree").row(0)
        (2, 2000, 55, 2.6, 2.6, 1.0)
    """
    where = str(path)
    df = read_csv_checked(
        path, required=_SESSION_FILE, key=("ccode", "session"), line_column=LINE_COLUMN
    )
    renames = {
        "idealpointall": "idealpoint",
        "nvotesall": "nvotes",
        **{f"{_QUANTILE_NAMES[q]}%all": f"idealpoint_q{q}" for q in QUANTILES},
    }
    df = df.rename(renames).with_columns(
        (pl.col("session") + SESSION_OFFSET).alias("year"),
        pl.col("idealpoint").alias("idealpoint_legacy"),
        pl.col("nvotes").alias("nvotes_legacy"),
    )
    names = {new: old for old, new in renames.items()}
    names.update(year="session", idealpoint_legacy="idealpointall", nvotes_legacy="nvotesall")
    return _canonical(df, where, keep_lines, names)


_STATES = (r"ccode",)

FORMATS: list[Format] = [
    _f(
        "unga_idealpoints_year_csv",
        TABLE,
        "UNGA ideal points, July 2025 release: calendar years 1946-2024, all-votes, "
        "final-passage and legacy session estimates",
        parse_unga_year_csv,
        ("ccode", "year"),
        "IdealpointsJuly2025.csv",
        _STATES,
        "cow",
    ),
    _f(
        "unga_idealpoints_session_csv",
        TABLE,
        "UNGA ideal points, June 2024 release: sessions 1-78 (year = session + 1945), all votes, "
        "agreement with six reference states",
        parse_unga_session_csv,
        ("ccode", "year"),
        "IdealpointestimatesAll_Jun2024.csv",
        _STATES,
        "cow",
    ),
]
