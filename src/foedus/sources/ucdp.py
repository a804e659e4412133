"""The official UCDP/PRIO Armed Conflict Dataset CSV read into the canonical ``ucdp_acd`` table
(the shape of peacesciencer's table; rules in ``docs/geography-conflict-bridge.md``).

Part of the sources layer: the importer (``foedus.sources.formats``) uses it, and the
``--with ucdp`` enricher (:mod:`foedus.frames.conflict`) reads the table it builds.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from foedus.errors import SourceFormatError

__all__ = ["ACD_SCHEMA", "CONFLICT_TYPES", "GWNO_COLUMNS", "ISSUES", "ucdp_acd_from_official_csv"]

#: Conflict types of the canonical table (UCDP codes 1–4; "II" = internationalized intrastate).
CONFLICT_TYPES: dict[str, str] = {
    "1": "extrasystemic",
    "2": "interstate",
    "3": "intrastate",
    "4": "II",
}
#: Incompatibilities of the canonical table (UCDP codes 1–3).
ISSUES: dict[str, str] = {"1": "territory", "2": "government", "3": "both"}
#: Columns of the canonical table, in order, with their dtypes.
ACD_SCHEMA: dict[str, pl.DataType] = {
    "conflict_id": pl.Int64(),
    "year": pl.Int64(),
    "gwno_a": pl.Int64(),
    "gwno_a_2nd": pl.Int64(),
    "gwno_b": pl.Int64(),
    "gwno_b_2nd": pl.Int64(),
    "incompatibility": pl.String(),
    "intensity_level": pl.Float64(),
    "type_of_conflict": pl.String(),
    "start_date": pl.Date(),
    "start_prec": pl.Float64(),
    "start_date2": pl.Date(),
    "start_prec2": pl.Float64(),
    "ep_end": pl.Float64(),
    "ep_end_date": pl.Date(),
}
GWNO_COLUMNS: tuple[str, ...] = ("gwno_a", "gwno_a_2nd", "gwno_b", "gwno_b_2nd")


def ucdp_acd_from_official_csv(path: str | Path) -> pl.DataFrame:
    """Read the official UCDP/PRIO ACD CSV (e.g. ``UcdpPrioConflict_v23_1.csv``) canonically.

    The result has the columns and dtypes of peacesciencer's ``ucdp_acd`` with Int64 keys
    (:data:`ACD_SCHEMA`), derived as the peer derived it from the release: keep the 15 columns;
    split each of ``gwno_a``, ``gwno_a_2nd``, ``gwno_b``, ``gwno_b_2nd`` on commas into one row
    per code, one column after the other (so a conflict-year with 2 side-A and 3 side-A-supporter
    codes gives 6 rows); empty cells are null; incompatibility 1/2/3 → "territory",
    "government", "both"; type 1/2/3/4 → "extrasystemic", "interstate", "intrastate", "II";
    dates parsed. Row order follows the file.

    Example:
        >>> import tempfile, os
        >>> header = ("conflict_id,year,gwno_a,gwno_a_2nd,gwno_b,gwno_b_2nd,incompatibility,"
        ...           "intensity_level,type_of_conflict,start_date,start_prec,start_date2,"
        ...           "start_prec2,ep_end,ep_end_date")
        >>> row = '228,1948,"651, 645",,666,,1,2,2,1948-05-15,1,1948-05-15,1,0,'
        >>> with tempfile.TemporaryDirectory() as d:
        ...     p = os.path.join(d, "acd.csv")
        ...     _ = open(p, "w").write(header + "\\n" + row + "\\n")
        ...     acd = ucdp_acd_from_official_csv(p)
        >>> acd.select("gwno_a", "gwno_b", "type_of_conflict").rows()
        [(651, 666, 'interstate'), (645, 666, 'interstate')]
    """
    path = Path(path)
    where = str(path)
    try:
        raw = pl.read_csv(path, infer_schema_length=0)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise SourceFormatError(
            f"cannot read the file as CSV ({exc})",
            where=where,
            fix="pass the official UCDP ACD CSV",
        ) from exc
    missing = [c for c in ACD_SCHEMA if c not in raw.columns]
    if missing:
        raise SourceFormatError(
            f"missing column(s) {', '.join(missing)}",
            where=where,
            fix="pass the official UCDP/PRIO Armed Conflict Dataset CSV (UcdpPrioConflict_v*.csv)",
        )

    def blank_to_null(col: str) -> pl.Expr:
        text = pl.col(col).str.strip_chars()
        return pl.when(text == "").then(None).otherwise(text).alias(col)

    df = raw.select([blank_to_null(c) for c in ACD_SCHEMA])
    for col, mapping in (("incompatibility", ISSUES), ("type_of_conflict", CONFLICT_TYPES)):
        bad = df.filter(pl.col(col).is_not_null() & ~pl.col(col).is_in(list(mapping)))
        if bad.height:
            raise SourceFormatError(
                f"unknown {col} code {bad[col][0]!r}",
                where=where,
                fix=f"codes must be {', '.join(mapping)} as in the UCDP codebook",
            )
    for col in GWNO_COLUMNS:
        df = df.with_columns(pl.col(col).str.split(",")).explode(col)
    try:
        out = df.select(
            pl.col("conflict_id").cast(pl.Int64),
            pl.col("year").cast(pl.Int64),
            *[pl.col(c).str.strip_chars().cast(pl.Int64) for c in GWNO_COLUMNS],
            pl.col("incompatibility").replace_strict(ISSUES, return_dtype=pl.String),
            pl.col("intensity_level").cast(pl.Float64),
            pl.col("type_of_conflict").replace_strict(CONFLICT_TYPES, return_dtype=pl.String),
            pl.col("start_date").str.to_date("%Y-%m-%d"),
            pl.col("start_prec").cast(pl.Float64),
            pl.col("start_date2").str.to_date("%Y-%m-%d"),
            pl.col("start_prec2").cast(pl.Float64),
            pl.col("ep_end").cast(pl.Float64),
            pl.col("ep_end_date").str.to_date("%Y-%m-%d"),
        )
    except pl.exceptions.PolarsError as exc:
        raise SourceFormatError(
            f"a value cannot be read ({exc})",
            where=where,
            fix="numbers must be numeric, dates YYYY-MM-DD, G-W codes comma-separated integers",
        ) from exc
    return out
