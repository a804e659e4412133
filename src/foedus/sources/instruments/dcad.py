"""Defense Cooperation Agreement Dataset (DCAD) v1.0 (Kinne 2020): the agreement-level file.

``DCAD-v1.0-main.csv`` → ``dcad_agreements``: one row per bilateral defence cooperation agreement
(1,871 rows, signed 1980–2010), keyed by ``dcaid``. The dyad is undirected and not sorted; ``ccode1``
and ``ccode2`` are COW codes.

Codebook codes (``DCAD-Codebook1.0.pdf``) are checked and turned into nulls plus a label column, so
no negative number survives as a quantity:

* ``span``: years; -77 indefinite, -88 finite of indeterminate length → ``span_years`` null and
  ``span_code`` the label.
* ``renewType``: only codes (-44 … -88) → ``renew_type`` label.
* ``renewYears``: years or -44/-55/-66/-77/-88 → ``renew_years`` (null for codes) and
  ``renew_years_code``.
* ``terminated``: 0/1, -88 (EIF status unknown), -99 (termination unknown) → ``terminated`` null for
  the codes, ``termination_status`` the label.
* ``factivaSign``/``factivaEIF``: 0/1, -99 ambiguous → null.

Any other negative value, or a code in a column that has none (dates), is an error naming the line.
Four released rows carry a code the row itself contradicts; they are corrected as listed in
:data:`ERRATA` (column ``erratum`` says so) — see ``docs/instruments.md``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from foedus.errors import InvalidValueError
from foedus.sources.instruments._inst_util import check_allowed, located
from foedus.sources.model import Format, Source, format_spec, release
from foedus.sources.normalize import cast_keys
from foedus.sources.readers import LINE_COLUMN, DType, check_dates, read_csv_checked

__all__ = ["ERRATA", "FORMATS", "SOURCES", "parse_dcad_main"]

#: Years DCAD covers: agreements signed 1980–2010 (``endYearEstimate`` is capped at 2010).
COVERAGE: tuple[int, int] = (1980, 2010)

SPAN_CODES: dict[int, str] = {-77: "indefinite", -88: "finite_indeterminate"}
RENEW_TYPE_CODES: dict[int, str] = {
    -44: "not_renewable",
    -55: "consent_limited_term",
    -56: "automatic_single_term",
    -57: "consent_indefinite",
    -58: "consent_unknown_term",
    -66: "automatic_ongoing",
    -77: "indefinite",
    -88: "unknown_provisions",
}
RENEW_YEARS_CODES: dict[int, str] = {
    -44: "not_renewable",
    -55: "set_at_renewal",
    -66: "automatic_blocks",
    -77: "indefinite",
    -88: "indeterminate",
}
TERMINATED_CODES: dict[int, str] = {
    0: "in_force_2010",
    1: "terminated",
    -88: "eif_unknown",
    -99: "termination_unknown",
}
FACTIVA_CODES: dict[int, str] = {0: "no", 1: "yes", -99: "ambiguous"}
TYPES = ("general", "sector")
CATEGORIES = ("DCA", "DIC", "TREX", "PROCUREMENT", "COMMISSION", "RESEARCH")
CONFIDENCE = ("high", "med", "low", "atypical")
FULL_TEXT = ("Y", "N", "NE", "TE")
SOURCE_TYPES = ("treaty", "factiva")

#: Corrections of released rows: DCAid → (column, released value, corrected value, reason).
#: Applied only when the released value is found, so a corrected future release is left alone.
ERRATA: dict[str, tuple[str, int, int | None, str]] = {
    "DCADv1.0-0108": (
        "ccode2",
        652,
        651,
        "cowName2 is EGY (Egypt, 651); 652 is Syria: a 1998 US research agreement listed in TIAS "
        "with Egypt",
    ),
    "DCADv1.0-0297": (
        "ccode2",
        145,
        101,
        "coded Bolivia-Bolivia (145-145) but cowName2 is VEN (Venezuela, 101)",
    ),
    "DCADv1.0-1625": (
        "ccode2",
        541,
        None,
        "coded Mozambique-Mozambique (MZM-MZM): the partner is unknown, ccode2 set empty",
    ),
    "DCADv1.0-1847": (
        "ccode2",
        750,
        None,
        "coded India-India (IND-IND): the partner is unknown, ccode2 set empty",
    ),
}

_INTS = (
    "ccode1 ccode2 signday signmonth signyear eifday eifmonth eifyear span renewtype renewyears "
    "terminated durationactual endyearestimate asymmetry factivaconf factivasign factivaeif"
)
_STRINGS = (
    "cowname1 cowname2 type category1 category2 category3 categoryconf unts fulltext sourcetype "
    "source dcaid"
)
_REQUIRED: dict[str, DType] = {
    **{c: pl.Int64 for c in _INTS.split()},
    **{c: pl.String for c in _STRINGS.split()},
}

#: Columns of ``dcad_agreements``, in order.
COLUMNS: tuple[str, ...] = (
    "dcaid", "ccode1", "ccode2", "cowname1", "cowname2",
    "sign_year", "sign_month", "sign_day", "eif_year", "eif_month", "eif_day",
    "type", "category1", "category2", "category3",
    "span_years", "span_code", "renew_type", "renew_years", "renew_years_code",
    "terminated", "termination_status", "duration_actual", "end_year_estimate",
    "asymmetry", "category_conf", "unts", "full_text", "source_type", "source",
    "factiva_conf", "factiva_sign", "factiva_eif", "erratum",
)  # fmt: skip


def _label(column: str, codes: dict[int, str]) -> pl.Expr:
    return pl.col(column).replace_strict(codes, default=None, return_dtype=pl.String)


def _apply_errata(df: pl.DataFrame, where: str) -> pl.DataFrame:
    notes: list[str | None] = [None] * df.height
    ids = df.get_column("dcaid").to_list()
    columns = {c: df.get_column(c).to_list() for c in ("ccode1", "ccode2")}
    for i, dcaid in enumerate(ids):
        fix = ERRATA.get(dcaid)
        if fix is not None and columns[fix[0]][i] == fix[1]:
            columns[fix[0]][i] = fix[2]
            notes[i] = f"{fix[0]} {fix[1]} -> {fix[2] if fix[2] is not None else 'empty'}: {fix[3]}"
    out = df.with_columns(
        pl.Series("ccode1", columns["ccode1"], dtype=pl.Int64),
        pl.Series("ccode2", columns["ccode2"], dtype=pl.Int64),
        pl.Series("erratum", notes, dtype=pl.String),
    )
    self_dyad = (pl.col("ccode1") == pl.col("ccode2")).fill_null(False)
    bad = out.select(self_dyad.arg_true()).to_series()
    if len(bad):
        i = int(bad[0])
        raise InvalidValueError(
            f"an agreement of state {out['ccode1'][i]} with itself (ccode1 = ccode2, "
            f"{out['cowname1'][i]}-{out['cowname2'][i]})",
            where=located(where, out, i, "ccode2"),
            fix="correct the partner's COW code (or leave it empty when unknown), or re-download "
            "the official release file",
        )
    return out


def parse_dcad_main(path: Path, *, keep_lines: bool = False) -> pl.DataFrame:
    """``DCAD-v1.0-main.csv`` → ``dcad_agreements`` (one row per agreement; codebook codes checked).

    Example:
        >>> import tempfile, pathlib
        >>> head = ("ccode1,cowName1,ccode2,cowName2,signDay,signMonth,signYear,EIFDay,EIFMonth,"
        ...         "EIFYear,type,category1,category2,category3,span,renewType,renewYears,terminated,"
        ...         "durationActual,endYearEstimate,asymmetry,categoryConf,UNTS,fullText,sourceType,"
        ...         "source,factivaConf,factivaSign,factivaEIF,DCAid\\n")
        >>> row = "2,USA,290,POL,9,6,1995,9,6,1995,sector,RESEARCH,,,-77,-77,-77,0,,2010,0,high,,Y,treaty,TIAS,,,,X1\\n"
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "DCAD-v1.0-main.csv"
        >>> _ = f.write_text(head + row)
        >>> parse_dcad_main(f).select("ccode2", "sign_year", "span_years", "span_code").row(0)
        (290, 1995, None, 'indefinite')
    """
    where = str(path)
    df = read_csv_checked(path, required=_REQUIRED, key=("dcaid",), line_column=LINE_COLUMN)
    df = df.with_columns(pl.col("cowname1", "cowname2").str.strip_chars())
    codebook = "the DCAD codebook"
    check_allowed(df, "span", SPAN_CODES, positive=True, where=where, what=codebook)
    check_allowed(df, "renewtype", RENEW_TYPE_CODES, where=where, what=codebook)
    check_allowed(df, "renewyears", RENEW_YEARS_CODES, positive=True, where=where, what=codebook)
    check_allowed(df, "terminated", TERMINATED_CODES, where=where, what=codebook)
    check_allowed(df, "factivasign", FACTIVA_CODES, where=where, what=codebook)
    check_allowed(df, "factivaeif", FACTIVA_CODES, where=where, what=codebook)
    check_allowed(df, "factivaconf", range(1, 6), where=where, what=codebook)
    check_allowed(df, "asymmetry", (0, 1, 2), where=where, what=codebook)
    check_allowed(df, "durationactual", (), positive=True, where=where, what=codebook)
    check_allowed(df, "type", TYPES, where=where, what=codebook)
    for column in ("category1", "category2", "category3"):
        check_allowed(df, column, CATEGORIES, where=where, what=codebook)
    check_allowed(df, "categoryconf", CONFIDENCE, where=where, what=codebook)
    check_allowed(df, "fulltext", FULL_TEXT, where=where, what=codebook)
    check_allowed(df, "sourcetype", SOURCE_TYPES, where=where, what=codebook)
    for column in ("signyear", "endyearestimate", "ccode1", "ccode2"):
        bad = df.select((pl.col(column).is_null()).arg_true()).to_series()
        if len(bad):
            raise InvalidValueError(
                "empty value: every agreement has signatories, a signature year and an end-year "
                "estimate",
                where=located(where, df, int(bad[0]), column),
                fix="fill in the value or re-download the official release file",
            )
    # Dates: no sentinel codes are defined for them (unknown parts are left empty).
    check_dates(df, ("signyear", "signmonth", "signday"), where=where, years=(1945, 2030))
    check_dates(df, ("eifyear", "eifmonth", "eifday"), where=where, years=(1945, 2030))
    check_dates(df, "signyear", "endyearestimate", where=where, years=(1945, 2030))
    df = _apply_errata(df, where)
    out = df.select(
        "dcaid",
        "ccode1",
        "ccode2",
        "cowname1",
        "cowname2",
        pl.col("signyear").alias("sign_year"),
        pl.col("signmonth").alias("sign_month"),
        pl.col("signday").alias("sign_day"),
        pl.col("eifyear").alias("eif_year"),
        pl.col("eifmonth").alias("eif_month"),
        pl.col("eifday").alias("eif_day"),
        "type",
        "category1",
        "category2",
        "category3",
        pl.when(pl.col("span") > 0).then(pl.col("span")).alias("span_years"),
        _label("span", SPAN_CODES).alias("span_code"),
        _label("renewtype", RENEW_TYPE_CODES).alias("renew_type"),
        pl.when(pl.col("renewyears") > 0).then(pl.col("renewyears")).alias("renew_years"),
        _label("renewyears", RENEW_YEARS_CODES).alias("renew_years_code"),
        pl.when(pl.col("terminated") >= 0).then(pl.col("terminated")).alias("terminated"),
        _label("terminated", TERMINATED_CODES).alias("termination_status"),
        pl.col("durationactual").alias("duration_actual"),
        pl.col("endyearestimate").alias("end_year_estimate"),
        "asymmetry",
        pl.col("categoryconf").alias("category_conf"),
        "unts",
        pl.col("fulltext").alias("full_text"),
        pl.col("sourcetype").alias("source_type"),
        "source",
        pl.col("factivaconf").alias("factiva_conf"),
        pl.when(pl.col("factivasign") >= 0).then(pl.col("factivasign")).alias("factiva_sign"),
        pl.when(pl.col("factivaeif") >= 0).then(pl.col("factivaeif")).alias("factiva_eif"),
        "erratum",
        *([LINE_COLUMN] if keep_lines else []),
    )
    return cast_keys(out)


KINNE_BIBTEX = """@Article{kinne2020dcad,
  author  = {Brandon J. Kinne},
  title   = {The Defense Cooperation Agreement Dataset ({DCAD})},
  journal = {Journal of Conflict Resolution},
  year    = {2020},
  volume  = {64},
  number  = {4},
  pages   = {729--755},
  doi     = {10.1177/0022002719857796}
}"""

SOURCES: list[Source] = [
    Source(
        name="dcad",
        title="Defense Cooperation Agreement Dataset (DCAD) v1.0",
        maintainer="Brandon J. Kinne (University of California, Davis)",
        landing_page="https://www.brandonkinne.com/dcad",
        terms="Free for research use; cite Kinne (2020) (codebook: 'When using DCAD, please cite').",
        bibtex=KINNE_BIBTEX,
        releases=(
            release(
                "dcad",
                "1.0",
                "dcad_main_csv",
                "DCAD-v1.0-main.csv",
                "dcad_agreements",
                coverage=COVERAGE,
            ),
        ),
    )
]

FORMATS: list[Format] = [
    format_spec(
        "dcad_main_csv",
        "dcad_agreements",
        "DCAD v1.0 agreement-level file: bilateral defence cooperation agreements 1980-2010",
        parse_dcad_main,
        ("dcaid",),
        "DCAD-v1.0-main.csv",
        (r"ccode1", r"ccode2"),
        "cow",
    )
]
