"""Country resolution: names as sources write them → COW (``ccode``), G-W (``gwcode``) and ISO3 codes.

The instrument sources (SIPRI, exercises, training, peace operations…) name countries instead of
coding them, and name them as of their own time: "Soviet Union", "Yugoslavia", "East Germany (GDR)",
"Zaire", "unknown supplier(s)", "Hezbollah (Lebanon)*". Resolution takes three steps, in order:

1. **The reviewed table** ``country_names.csv`` (next to this module), rows in file order:

   * ``exact`` rows match the whole name (case, accents of the Unicode form and spacing ignored);
   * ``regex`` rows match the whole name with a regular expression (SIPRI's ``*`` non-state and
     ``**`` organisation markers, "unknown …" parties);
   * ``source`` (a regular expression on the ``source`` argument) limits a row to some sources;
   * ``start``/``end`` (inclusive, empty = open) say for which years a row holds. **The year
     decides successor states**: "Soviet Union" is 365/SUN up to 1991 and Russia (365/RUS) after;
     "Yugoslavia" is COW 345 always but G-W 345 up to 2005 and Serbia's 340 after; "East Germany
     (GDR)" is 265 up to 1990, unified Germany after; "Germany" is 255 to 1945, West Germany (260)
     1946–1989 and unified Germany (COW 255, G-W 260) from 1990; North/South Yemen become unified
     Yemen (COW 679, G-W 678) after 1990; South Vietnam becomes Vietnam (816) after 1975.
     Czechoslovakia has no single successor and stays 315 (no dyad-years after 1992).
     A name given without a year uses its first row.

2. **country_converter** (its regular expressions) turns any other name into an ISO3 code and a
   G-W code. Its G-W code is used as the COW code too (they agree for every state except those in
   the table's ``iso3`` rows, which correct it: Germany, Yemen, Serbia, Czechia, Vietnam and four
   Pacific microstates). An ISO3 code without a G-W code (Aruba, Palestine, Western Sahara) is a
   territory: ``kind = "non-state"``. The tests check every name of the SIPRI files against isard's
   COW–G-W panel.

3. Anything else is **unresolved**: codes null, ``resolution = "unresolved"``. Callers keep such
   rows (never drop them) and list them with :func:`report_unresolved`.

Convention for every name-based canonical table: keep the original name column(s); per name column
add ``ccode…``, ``gwcode…``, ``iso3…`` and ``resolution…`` (same suffix, see :func:`attach_codes`);
add ``source_line`` (Int64, the row's line in the source file).
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from foedus.errors import SourceFormatError

__all__ = [
    "KINDS",
    "NAME_COLUMNS",
    "NAME_TABLE",
    "RESOLUTIONS",
    "RESOLUTION_COLUMNS",
    "attach_codes",
    "name_table",
    "prime_cache",
    "report_unresolved",
    "resolve_state_texts",
    "resolve_names",
    "unresolved_in",
]

#: The reviewed table of historical, ambiguous and non-state names.
NAME_TABLE = Path(__file__).with_name("country_names.csv")

#: Columns (and types) of :func:`resolve_names`' result, in order.
RESOLUTION_COLUMNS: dict[str, pl.DataType] = {
    "name": pl.String(),
    "year": pl.Int64(),
    "ccode": pl.Int64(),
    "gwcode": pl.Int64(),
    "iso3": pl.String(),
    "kind": pl.String(),
    "resolution": pl.String(),
}

#: What a name denotes.
KINDS: tuple[str, ...] = ("state", "historical", "non-state", "organisation", "unknown")

#: Outcome of resolution: a state (current or historical), a known non-state entry, or a failure.
RESOLUTIONS: tuple[str, ...] = ("resolved", "non-state", "unresolved")

#: Name columns of the name-based canonical tables: table → ((name column, resolution column), …).
#: Families add their tables here so that ``foedus data unresolved`` can list every failure.
NAME_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "sipri_arms_deals": (("supplier", "resolution_supplier"), ("recipient", "resolution_recipient")),
    "sipri_milex": (("country", "resolution"),),
}

_MATCHES = ("exact", "regex", "iso3")
_TABLE_SCHEMA: dict[str, pl.DataType] = {
    "name": pl.String(),
    "match": pl.String(),
    "source": pl.String(),
    "start": pl.Int64(),
    "end": pl.Int64(),
    "ccode": pl.Int64(),
    "gwcode": pl.Int64(),
    "iso3": pl.String(),
    "kind": pl.String(),
    "note": pl.String(),
}


def _norm(name: str) -> str:
    """Comparison form of a name: Unicode NFKC, spaces collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


@functools.cache
def name_table(path: str | Path | None = None) -> pl.DataFrame:
    """The reviewed name table (``country_names.csv``), validated, with a ``rule`` row number.

    Example:
        >>> t = name_table()
        >>> t.filter(pl.col("name") == "Soviet Union").select("end", "ccode", "iso3").rows()
        [(1991, 365, 'SUN'), (None, 365, 'RUS')]
    """
    where = str(path or NAME_TABLE)
    try:
        table = pl.read_csv(where, schema=_TABLE_SCHEMA)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise SourceFormatError(
            f"the country name table cannot be read ({exc})",
            where=where,
            fix="restore country_names.csv from the foedus repository",
        ) from None
    table = table.with_row_index("rule").with_columns(pl.col("rule").cast(pl.Int64))
    for i, row in enumerate(table.iter_rows(named=True)):
        line = f"{where}, line {i + 2}"
        if row["match"] not in _MATCHES:
            raise SourceFormatError(
                f"match '{row['match']}' is not one of {', '.join(_MATCHES)}",
                where=line,
                fix="correct the row",
            )
        if row["kind"] not in KINDS:
            raise SourceFormatError(
                f"kind '{row['kind']}' is not one of {', '.join(KINDS)}",
                where=line,
                fix="correct the row",
            )
        if row["kind"] in ("state", "historical") and (row["ccode"] is None or row["gwcode"] is None):
            raise SourceFormatError(
                f"the {row['kind']} row '{row['name']}' needs ccode and gwcode",
                where=line,
                fix="fill in both codes",
            )
        if row["start"] is not None and row["end"] is not None and row["start"] > row["end"]:
            raise SourceFormatError(
                f"start {row['start']} is after end {row['end']}", where=line, fix="swap them"
            )
        for pattern in (row["name"] if row["match"] == "regex" else None, row["source"]):
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise SourceFormatError(
                        f"'{pattern}' is not a regular expression ({exc})",
                        where=line,
                        fix="correct the pattern",
                    ) from None
    return table


# --------------------------------------------------------------------------------------------------
# country_converter, once per distinct name
# --------------------------------------------------------------------------------------------------

_COCO_CACHE: dict[str, tuple[str | None, int | None]] = {}


@functools.cache
def _converter() -> Any:
    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    return coco.CountryConverter()


def _scalar_code(value: Any) -> Any:
    """One code from country_converter's answer: None when not found, ambiguous (a list) or NaN."""
    if value is None or isinstance(value, list) or value == _NOT_FOUND:
        return None
    if isinstance(value, float) and value != value:
        return None
    return value


_NOT_FOUND = "\x00not found"


def _coco(names: Sequence[str]) -> dict[str, tuple[str | None, int | None]]:
    """ISO3 and G-W code of each name by country_converter's regexes (cached per name)."""
    todo = sorted({n for n in names if n not in _COCO_CACHE})
    if todo:
        cc = _converter()
        iso = cc.convert(todo, src="regex", to="ISO3", not_found=_NOT_FOUND)
        gw = cc.convert(todo, src="regex", to="GWcode", not_found=_NOT_FOUND)
        if len(todo) == 1:
            iso, gw = [iso], [gw]
        for name, i, g in zip(todo, iso, gw, strict=True):
            code = _scalar_code(g)
            _COCO_CACHE[name] = (_scalar_code(i), int(code) if code is not None else None)
    return {n: _COCO_CACHE[n] for n in names}


def prime_cache(
    names: Sequence[str | None] | pl.Series,
    iso3: Sequence[str | None] | pl.Series,
    gwcode: Sequence[int | None] | pl.Series,
) -> int:
    """Remember country_converter's answers for names already resolved (e.g. a stored table).

    Building country_converter takes about a second and a half per process; a warehouse table
    already holds each name's ISO3 and G-W code, so re-resolving its names for other years (a
    deal's delivery years) can skip it. Names that any row of the name table matches are not
    primed (the table decides them); names already cached keep their answer. Returns how many
    names were primed.

    Example:
        >>> prime_cache(["Freedonia"], ["FRE"], [999])
        1
        >>> resolve_names(["Freedonia"], [2000], source="doc").select("ccode", "iso3").row(0)
        (999, 'FRE')
        >>> _ = _COCO_CACHE.pop("Freedonia")
    """
    table = name_table()
    exact = {_norm(n) for n in table.filter(pl.col("match") == "exact").get_column("name")}
    regexes = [re.compile(p, re.IGNORECASE)
               for p in table.filter(pl.col("match") == "regex").get_column("name").unique()]  # fmt: skip
    primed = 0
    for name, i, g in zip(list(names), list(iso3), list(gwcode), strict=True):
        if name is None or name in _COCO_CACHE or _norm(name) in exact:
            continue
        if any(p.fullmatch(name.strip()) for p in regexes):
            continue
        _COCO_CACHE[name] = (i, int(g) if g is not None else None)
        primed += 1
    return primed


# --------------------------------------------------------------------------------------------------
# Resolution
# --------------------------------------------------------------------------------------------------


def _groups(names: Sequence[str], source: str) -> tuple[dict[str, int], pl.DataFrame]:
    """Map each distinct name to a rule group; return (name → group, the groups' rules).

    A group is a set of year-ranged rows: the table rows of one exact name, one regex or one ISO3
    code, or the single country_converter answer for a name.
    """
    table = name_table()
    applies = [
        s is None or re.fullmatch(s, source) is not None for s in table.get_column("source")
    ]
    table = table.filter(pl.Series(applies, dtype=pl.Boolean))
    exact: dict[str, list[int]] = {}
    regexes: list[tuple[re.Pattern[str], str]] = []
    iso_rules: dict[str, list[int]] = {}
    for row in table.iter_rows(named=True):
        if row["match"] == "exact":
            exact.setdefault(_norm(row["name"]), []).append(row["rule"])
        elif row["match"] == "regex":
            if all(p.pattern != row["name"] for p, _ in regexes):
                regexes.append((re.compile(row["name"], re.IGNORECASE), row["name"]))
        else:
            iso_rules.setdefault(row["name"].upper(), []).append(row["rule"])
    by_rule = {r["rule"]: r for r in table.iter_rows(named=True)}

    group_of: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    keys: dict[tuple[str, str], int] = {}

    def group(key: tuple[str, str], rules: list[dict[str, Any]]) -> int:
        if key not in keys:
            keys[key] = len(keys)
            for order, r in enumerate(rules):
                rows.append({"group": keys[key], "order": order, **r})
        return keys[key]

    pending: list[str] = []
    for name in names:
        n = _norm(name)
        if n in exact:
            group_of[name] = group(("exact", n), [by_rule[i] for i in exact[n]])
            continue
        hit = next((raw for p, raw in regexes if p.fullmatch(name.strip())), None)
        if hit is not None:
            rules = [r for r in by_rule.values() if r["match"] == "regex" and r["name"] == hit]
            group_of[name] = group(("regex", hit), rules)
            continue
        pending.append(name)
    for name, (iso3, gw) in _coco(pending).items():
        if iso3 is not None and iso3 in iso_rules:
            group_of[name] = group(("iso3", iso3), [by_rule[i] for i in iso_rules[iso3]])
        elif iso3 is not None:
            kind = "state" if gw is not None else "non-state"
            note = "country_converter" + ("" if gw is not None else ": a territory, no G-W code")
            rule = {"rule": None, "name": iso3, "match": "coco", "source": None, "start": None,
                    "end": None, "ccode": gw, "gwcode": gw, "iso3": iso3, "kind": kind,
                    "note": note}  # fmt: skip
            group_of[name] = group(("coco", iso3), [rule])
    schema: dict[str, pl.DataType] = {"group": pl.Int64(), "order": pl.Int64(), **_TABLE_SCHEMA,
                                      "rule": pl.Int64()}  # fmt: skip
    return group_of, pl.DataFrame(rows, schema=schema)


def resolve_names(
    names: Sequence[str | None] | pl.Series,
    years: Sequence[int | None] | pl.Series | None = None,
    *,
    source: str,
) -> pl.DataFrame:
    """Resolve country names (as of ``years``) to COW, G-W and ISO3 codes.

    Args:
        names: the names, as the source writes them.
        years: the year each name refers to (decides successor states); ``None`` = no year.
        source: the source's name (``"sipri-arms-transfers"``…); table rows may be limited to
            some sources (SIPRI's ``*``/``**`` markers apply to ``sipri…`` only).

    Returns:
        One row per input, in input order: ``name``, ``year``, ``ccode``, ``gwcode``, ``iso3``,
        ``kind`` (state, historical, non-state, organisation, unknown) and ``resolution``
        (resolved, non-state, unresolved). Unresolved names have null codes and kind "unknown".

    Example:
        >>> r = resolve_names(["Soviet Union", "Soviet Union", "Germany", "NATO**", "Atlantis"],
        ...                   [1985, 1995, 1985, 2000, 2000], source="sipri-arms-transfers")
        >>> r.select("ccode", "gwcode", "iso3", "resolution").rows()  # doctest: +NORMALIZE_WHITESPACE
        [(365, 365, 'SUN', 'resolved'), (365, 365, 'RUS', 'resolved'), (260, 260, 'DEU', 'resolved'),
         (None, None, None, 'non-state'), (None, None, None, 'unresolved')]
    """
    name_s = pl.Series("name", names, dtype=pl.String) if not isinstance(names, pl.Series) else (
        names.cast(pl.String).alias("name"))  # fmt: skip
    if years is None:
        year_s = pl.Series("year", [None] * len(name_s), dtype=pl.Int64)
    else:
        year_s = pl.Series("year", years).cast(pl.Int64, strict=True).alias("year")
    if len(year_s) != len(name_s):
        raise ValueError(f"{len(name_s)} names but {len(year_s)} years")
    frame = pl.DataFrame([name_s, year_s]).with_row_index("_i")
    distinct = [n for n in frame.get_column("name").unique().to_list() if n is not None]
    group_of, rules = _groups(distinct, source)
    mapping = pl.DataFrame(
        {"name": list(group_of), "group": list(group_of.values())},
        schema={"name": pl.String, "group": pl.Int64},
    )
    matched = (
        frame.join(mapping, on="name", how="inner", maintain_order="left")
        .join(rules.drop("name"), on="group", how="inner", maintain_order="left")
        .filter(
            pl.when(pl.col("year").is_null())
            .then(pl.col("order") == 0)
            .otherwise(
                (pl.col("start").is_null() | (pl.col("year") >= pl.col("start")))
                & (pl.col("end").is_null() | (pl.col("year") <= pl.col("end")))
            )
        )
        .sort("_i", "order")
        .unique("_i", keep="first")
        .select("_i", "ccode", "gwcode", "iso3", "kind")
    )
    out = frame.join(matched, on="_i", how="left", maintain_order="left").sort("_i")
    return out.select(
        "name",
        "year",
        pl.col("ccode").cast(pl.Int64),
        pl.col("gwcode").cast(pl.Int64),
        pl.col("iso3").cast(pl.String),
        pl.col("kind").fill_null("unknown").cast(pl.String),
        pl.when(pl.col("kind").is_null())
        .then(pl.lit("unresolved"))
        .when(pl.col("kind").is_in(["state", "historical"]))
        .then(pl.lit("resolved"))
        .otherwise(pl.lit("non-state"))
        .alias("resolution"),
    )


def attach_codes(
    df: pl.DataFrame,
    name_column: str,
    *,
    year: str | pl.Expr | None,
    source: str,
    suffix: str = "",
) -> pl.DataFrame:
    """Add ``ccode{suffix}``, ``gwcode{suffix}``, ``iso3{suffix}``, ``resolution{suffix}`` for a name column.

    ``year`` is the column (or expression) giving the year each name refers to. Rows keep their
    order; unresolved names get null codes (they are kept).

    Example:
        >>> deals = pl.DataFrame({"supplier": ["Soviet Union", "Narnia"], "order_year": [1970, 1970]})
        >>> attach_codes(deals, "supplier", year="order_year", source="sipri", suffix="1").row(0)
        ('Soviet Union', 1970, 365, 365, 'SUN', 'resolved')
    """
    years = None
    if year is not None:
        expr = pl.col(year) if isinstance(year, str) else year
        years = df.select(expr.cast(pl.Int64).alias("year")).to_series()
    res = resolve_names(df.get_column(name_column), years, source=source)
    return df.with_columns(
        res.get_column("ccode").alias(f"ccode{suffix}"),
        res.get_column("gwcode").alias(f"gwcode{suffix}"),
        res.get_column("iso3").alias(f"iso3{suffix}"),
        res.get_column("resolution").alias(f"resolution{suffix}"),
    )


def report_unresolved(
    df: pl.DataFrame,
    *,
    name_column: str,
    resolution_column: str,
    line_column: str = "source_line",
    where: str,
) -> pl.DataFrame:
    """The unresolved names of a table as (``file``, ``line``, ``column``, ``value``) rows.

    Example:
        >>> t = pl.DataFrame({"country": ["France", "Narnia"], "resolution": ["resolved", "unresolved"],
        ...                   "source_line": [2, 3]})
        >>> report_unresolved(t, name_column="country", resolution_column="resolution",
        ...                   line_column="source_line", where="milex.csv").rows()
        [('milex.csv', 3, 'country', 'Narnia')]
    """
    line = pl.col(line_column).cast(pl.Int64) if line_column in df.columns else pl.lit(None, pl.Int64)
    return df.filter(pl.col(resolution_column) == "unresolved").select(
        pl.lit(where, pl.String).alias("file"),
        line.alias("line"),
        pl.lit(name_column, pl.String).alias("column"),
        pl.col(name_column).cast(pl.String).alias("value"),
    )


def unresolved_in(
    tables: Mapping[str, tuple[pl.DataFrame, str]],
    specs: Mapping[str, tuple[tuple[str, str], ...]] | None = None,
) -> pl.DataFrame:
    """Every unresolved name of several tables: ``table → (frame, file)``, columns from :data:`NAME_COLUMNS`.

    Returns ``table, file, line, column, value`` rows sorted by table, file and line (the listing
    of ``foedus data unresolved``).

    Example:
        >>> milex = pl.DataFrame({"country": ["Narnia"], "resolution": ["unresolved"],
        ...                       "source_line": [7]})
        >>> unresolved_in({"sipri_milex": (milex, "milex.csv")}).row(0)
        ('sipri_milex', 'milex.csv', 7, 'country', 'Narnia')
    """
    specs = NAME_COLUMNS if specs is None else specs
    parts = []
    for table, (df, where) in tables.items():
        for name_column, resolution_column in specs.get(table, ()):
            if name_column in df.columns and resolution_column in df.columns:
                rep = report_unresolved(
                    df, name_column=name_column, resolution_column=resolution_column, where=where
                )
                parts.append(rep.select(pl.lit(table, pl.String).alias("table"), pl.all()))
    schema = {"table": pl.String, "file": pl.String, "line": pl.Int64, "column": pl.String,
              "value": pl.String}  # fmt: skip
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat(parts).sort("table", "file", "line", nulls_last=True)


def resolve_state_texts(values: Sequence[str], year: int | None = None) -> list[dict[str, Any] | None]:
    """States typed by a user — names (typographic apostrophes and extra spaces folded) or ISO3
    codes — resolved as of ``year``: ``{"name", "iso3", "ccode", "gwcode"}``, or ``None`` where
    nothing matches (numbers included: a bare code cannot be checked without the state list).

    Example:
        >>> [r and r["ccode"] for r in resolve_state_texts(["KOR", "Côte d’Ivoire", "740", "Atlantis"], 2020)]
        [732, 437, None, None]
    """
    cleaned = [" ".join(str(v).replace("\u2019", "'").split()) for v in values]
    lookup = list(cleaned)
    iso = sorted({v for v in cleaned if len(v) == 3 and v.isalpha() and v.isupper()})
    if iso:
        short = _converter().convert(iso, src="ISO3", to="name_short", not_found=None)
        short = short if isinstance(short, list) else [short]
        by_iso = {code: name for code, name in zip(iso, short, strict=True) if name}
        lookup = [by_iso.get(v, v) for v in cleaned]
    text_at = [i for i, v in enumerate(cleaned) if not v.isdigit()]
    table = resolve_names([lookup[i] for i in text_at], [year] * len(text_at), source="user")
    found: list[dict[str, Any] | None] = [None] * len(cleaned)
    for i, row in zip(text_at, table.iter_rows(named=True), strict=True):
        if row["resolution"] == "resolved" and row["ccode"] is not None:
            found[i] = {"name": cleaned[i], "iso3": row["iso3"], "ccode": int(row["ccode"]),
                        "gwcode": int(row["gwcode"] if row["gwcode"] is not None else row["ccode"])}
    return found
