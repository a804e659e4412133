"""Helpers shared by the instrument families other than SIPRI (DCAD, exercises, training, US posture,
visits, peace operations): located errors, codebook codes, name resolution.

Every check raises a :class:`~foedus.errors.SourceFormatError` subclass whose message names the file,
the line (CSV: physical line, header = 1; Parquet: 1-based row) and the column, and says how to fix
it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import polars as pl

from foedus.errors import InvalidValueError, MissingColumnError
from foedus.sources.readers import LINE_COLUMN

__all__ = [
    "MISSING_TOKENS",
    "check_allowed",
    "iso3_names",
    "located",
    "register_name_columns",
    "require_columns",
    "resolve_column",
    "sentinel_to_null",
]

#: Text written by the exercise and visit files for "not known" (D'Orazio's ``-9``).
MISSING_TOKENS: frozenset[str] = frozenset({"-9", "-9.0"})


def located(path: str, df: pl.DataFrame, index: int | None, column: str | None = None) -> str:
    """``file, line N, column 'c'`` for row ``index`` of ``df`` (its ``_line`` or ``source_line``).

    Example:
        >>> located("a.csv", pl.DataFrame({"_line": [2, 5]}), 1, "x")
        "a.csv, line 5, column 'x'"
    """
    parts = [path]
    if index is not None:
        for name in (LINE_COLUMN, "source_line"):
            if name in df.columns:
                parts.append(f"line {df.get_column(name)[index]}")
                break
        else:
            parts.append(f"row {index + 1}")
    if column is not None:
        parts.append(f"column '{column}'")
    return ", ".join(parts)


def require_columns(df: pl.DataFrame, columns: Iterable[str], where: str) -> None:
    """Raise :class:`MissingColumnError` naming the absent columns.

    Example:
        >>> require_columns(pl.DataFrame({"a": [1]}), ["a"], "t.csv")
    """
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise MissingColumnError(
            f"missing column(s) {', '.join(repr(c) for c in missing)}; the file has: "
            + ", ".join(df.columns[:12])
            + (", …" if df.width > 12 else ""),
            where=where,
            fix="use the official release file (it has these columns)",
        )


def _describe(allowed: Mapping[Any, str] | Collection[Any]) -> str:
    if isinstance(allowed, Mapping):
        return ", ".join(f"{k} ({v})" for k, v in allowed.items())
    return ", ".join(str(v) for v in sorted(allowed, key=str))


def check_allowed(
    df: pl.DataFrame,
    column: str,
    allowed: Mapping[Any, str] | Collection[Any],
    *,
    where: str,
    what: str,
    positive: bool = False,
    fix: str | None = None,
) -> None:
    """Raise :class:`InvalidValueError` for the first value of ``column`` outside ``allowed``.

    ``allowed`` lists the codebook's codes (a mapping gives each code's meaning, shown in the
    message); with ``positive=True`` any whole number > 0 passes too (a duration in years beside
    the negative sentinel codes). Empty values pass.

    Example:
        >>> df = pl.DataFrame({"_line": [2, 3], "span": [5, -33]})
        >>> check_allowed(df, "span", {-77: "indefinite"}, positive=True, where="d.csv",
        ...               what="the DCAD codebook")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        foedus.errors.InvalidValueError: d.csv, line 3, column 'span': value -33 is not ... codebook...
    """
    s = df.get_column(column)
    codes = list(allowed.keys() if isinstance(allowed, Mapping) else allowed)
    ok = s.is_null() | (s.is_in(codes) if codes else pl.Series([False] * len(s)))
    if positive:
        ok = ok | (s > 0)
    bad = (~ok).arg_true()
    if len(bad):
        i = int(bad[0])
        extra = " or a positive number" if positive else ""
        raise InvalidValueError(
            f"value {s[i]!r} is not a code defined by {what} (allowed: {_describe(allowed)}{extra})",
            where=located(where, df, i, column),
            fix=fix
            or "correct the value as the codebook defines it (leave it empty when unknown), or "
            "re-download the official release file",
        )


def sentinel_to_null(column: str, codes: Iterable[int]) -> pl.Expr:
    """``column`` with the given sentinel codes (and anything ≤ 0 among them) made null.

    Example:
        >>> pl.DataFrame({"span": [5, -77]}).select(sentinel_to_null("span", [-77, -88])).to_series().to_list()
        [5, None]
    """
    return (
        pl.when(pl.col(column).is_in(list(codes)))
        .then(None)
        .otherwise(pl.col(column))
        .alias(column)
    )


@functools.cache
def _coco() -> Any:
    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    return coco.CountryConverter()


#: Codes that are not (or no longer) ISO 3166-1 alpha-3 but are used by the exercise and visit
#: files, and the name under which :func:`~foedus.sources.instruments.countries.resolve_names`
#: knows them. Reviewed by hand; each is explained in ``docs/instruments.md``.
ISO3_EXTRA: dict[str, str] = {
    "CSK": "Czechoslovakia",  # ISO 3166-3
    "DDR": "East Germany",  # ISO 3166-3
    "ROM": "Romania",  # pre-2002 ISO code of Romania
    "YUG": "Yugoslavia",  # ISO 3166-3
    "SUN": "Soviet Union",  # ISO 3166-3
    "GNL": "Greenland",  # typo for GRL in the visits file
}


def iso3_names(codes: Sequence[str]) -> dict[str, str | None]:
    """Country names for ISO3 codes (country_converter's short names; :data:`ISO3_EXTRA` first).

    Codes that are neither give ``None``.

    Example:
        >>> iso3_names(["JPN", "DDR", "XYZ"])
        {'JPN': 'Japan', 'DDR': 'East Germany', 'XYZ': None}
    """
    todo = sorted({c for c in codes if c not in ISO3_EXTRA})
    found: dict[str, str | None] = {}
    if todo:
        names = _coco().convert(todo, src="ISO3", to="name_short", not_found="\x00")
        if isinstance(names, str):
            names = [names]
        for code, name in zip(todo, names, strict=True):
            found[code] = None if not isinstance(name, str) or name == "\x00" else name
    return {c: ISO3_EXTRA.get(c, found.get(c)) for c in codes}


_RESOLVED = {"ccode": pl.Int64, "gwcode": pl.Int64, "iso3": pl.String, "resolution": pl.String}


def resolve_column(
    df: pl.DataFrame,
    name_column: str,
    *,
    year: str | None,
    source: str,
    suffix: str = "",
    lookup: pl.Expr | None = None,
    missing: Collection[str] = MISSING_TOKENS,
) -> pl.DataFrame:
    """Add ``ccode``/``gwcode``/``iso3``/``resolution`` (+ ``suffix``) for a name column.

    Resolution goes through :func:`foedus.sources.instruments.countries.resolve_names`, once per
    distinct (name, year). ``lookup`` (an expression) gives the text to resolve when it differs from
    the kept name (ISO3 codes turned into names, trimmed spellings); the original column is kept
    as is. Values in ``missing`` (the files' ``-9``) are the source's "not known": codes null,
    ``resolution = "non-state"`` (an unknown party, as ``resolve_names`` treats "unknown
    supplier"). Names that fail are kept with null codes and ``resolution = "unresolved"``.

    Example:
        >>> df = pl.DataFrame({"country": ["Japan", "-9", "Narnia"], "year": [2000, 2000, 2000]})
        >>> resolve_column(df, "country", year="year", source="test").select(
        ...     "ccode", "resolution").rows()
        [(740, 'resolved'), (None, 'non-state'), (None, 'unresolved')]
    """
    from foedus.sources.instruments.countries import resolve_names

    clash = [f"{name}{suffix}" for name in _RESOLVED if f"{name}{suffix}" in df.columns]
    if clash:
        raise ValueError(f"the table already has columns {clash}: drop or rename them first")
    text = (lookup if lookup is not None else pl.col(name_column)).alias("_name")
    yr = (pl.col(year).cast(pl.Int64) if year else pl.lit(None, pl.Int64)).alias("_year")
    keyed = df.with_columns(text, yr)
    pairs = (
        keyed.select("_name", "_year")
        .unique()
        .filter(pl.col("_name").is_not_null() & ~pl.col("_name").is_in(list(missing)))
        .sort("_name", "_year", nulls_last=True)
    )
    res = resolve_names(pairs.get_column("_name"), pairs.get_column("_year"), source=source)
    table = pairs.with_columns(
        res.get_column(name).cast(dtype).alias(f"{name}{suffix}")
        for name, dtype in _RESOLVED.items()
    )
    out = keyed.join(
        table, on=["_name", "_year"], how="left", nulls_equal=True, maintain_order="left"
    )
    is_missing = pl.col("_name").is_in(list(missing)) | pl.col("_name").is_null()
    return out.with_columns(
        pl.when(is_missing)
        .then(pl.lit("non-state"))
        .otherwise(pl.col(f"resolution{suffix}").fill_null("unresolved"))
        .alias(f"resolution{suffix}")
    ).drop("_name", "_year")


def register_name_columns(table: str, specs: tuple[tuple[str, str], ...]) -> None:
    """Add a name-based table to :data:`~foedus.sources.instruments.countries.NAME_COLUMNS`.

    ``foedus data unresolved`` lists the unresolved names of every registered table.

    Example:
        >>> register_name_columns("example_table", (("country", "resolution"),))
        >>> from foedus.sources.instruments.countries import NAME_COLUMNS
        >>> NAME_COLUMNS.pop("example_table")
        (('country', 'resolution'),)
    """
    from foedus.sources.instruments.countries import NAME_COLUMNS

    NAME_COLUMNS.setdefault(table, specs)
