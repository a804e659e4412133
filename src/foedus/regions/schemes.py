"""Regions: standard schemes (COW code blocks, UN M49 regions and sub-regions, UCDP regions), named
regions (``asia-pacific``) and custom regions from a CSV file, with filtering and aggregation of
any state-year or dyad-year frame by region.

Schemes (``docs/regions.md`` gives every definition and its source):

* ``cow`` — the Correlates of War numbering convention: state codes were assigned in regional
  blocks, 2–165 the Americas, 200–395 Europe, 402–626 Africa, 630–698 the Middle East and
  700–990 Asia and Oceania (COW State System Membership codebook; the same blocks as COW's war
  data regions). Region names ``cow:americas`` … ``cow:asia-oceania``; the bare names
  ``americas``, ``europe``, ``africa``, ``middle-east``, ``asia-oceania`` mean the COW ones.
* ``un`` / ``un-sub`` — UN M49 regions (Africa, Americas, Asia, Europe, Oceania) and
  sub-regions (``un:eastern-asia``…), from country_converter's ISO3 → M49 table (offline).
  A COW code goes to ISO3 through country_converter's G-W column, with the documented
  corrections of :data:`COW_TO_ISO3` (historical states placed by their territory's successor:
  the GDR and the German states in Western Europe, the USSR with Russia in Eastern Europe…).
* ``ucdp`` — UCDP's own five regions by G-W code (UCDP codebooks: Europe 200–399, Middle East
  630–699, Asia 700–999, Africa 400–626, Americas 2–199), so that counts by region reproduce the
  ``region`` column of UCDP files.
* named: ``asia-pacific`` — SIPRI's "Asia and Oceania" region (SIPRI Military Expenditure
  Database): UN M49 Central, Eastern, South-eastern and Southern Asia without Iran (which SIPRI
  and COW put in the Middle East) plus Oceania.
* custom — a CSV with columns ``region, ccode, start, end, source`` (years inclusive; empty
  start/end = open): dated membership, e.g. a region as of a treaty's date.

Membership by code is timeless for the standard schemes (a region is a territory); which
states exist in a year is the frame's business. Custom regions may date membership.
"""

from __future__ import annotations

import csv
import functools
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import polars as pl

from foedus.errors import RegionFileError, UnknownRegionError

__all__ = [
    "COW_BLOCKS",
    "COW_TO_ISO3",
    "Region",
    "aggregate_by_region",
    "filter_region",
    "get_region",
    "iso3_of",
    "list_regions",
    "load_custom_regions",
    "m49_of",
    "region_codes",
    "region_of",
]

Scheme = Literal["cow", "un", "un-sub", "ucdp"]
SCHEMES: tuple[str, ...] = ("cow", "un", "un-sub", "ucdp")

#: COW code blocks (inclusive), in code order.
COW_BLOCKS: dict[str, tuple[int, int]] = {
    "americas": (2, 165),
    "europe": (200, 395),
    "africa": (402, 626),
    "middle-east": (630, 698),
    "asia-oceania": (700, 990),
}
_COW_LABELS = {
    "americas": "Americas",
    "europe": "Europe",
    "africa": "Africa",
    "middle-east": "Middle East",
    "asia-oceania": "Asia and Oceania",
}

#: UCDP regions by G-W code (UCDP Non-State / ACD codebooks, variable ``region``).
UCDP_BLOCKS: dict[int, tuple[str, int, int]] = {
    1: ("europe", 200, 399),
    2: ("middle-east", 630, 699),
    3: ("asia", 700, 999),
    4: ("africa", 400, 626),
    5: ("americas", 2, 199),
}

#: COW codes whose ISO3 code is not country_converter's state with the same G-W code:
#: COW/G-W differences and historical states (placed by their territory's successor).
COW_TO_ISO3: dict[int, str] = {
    89: "GTM",  # United Provinces of Central America (1823–1839): Central America
    99: "COL",  # Great Colombia (1821–1830): South America
    240: "DEU", 245: "DEU", 255: "DEU", 260: "DEU", 265: "DEU", 267: "DEU", 269: "DEU",
    271: "DEU", 273: "DEU", 275: "DEU", 280: "DEU",  # German states, Germany, FRG, GDR
    300: "AUT",  # Austria-Hungary
    315: "CZE", 316: "CZE",  # Czechoslovakia, Czechia (country_converter gives CZE G-W 315)
    327: "ITA", 329: "ITA", 332: "ITA", 335: "ITA", 337: "ITA",  # Italian states
    345: "SRB",  # Yugoslavia / Serbia (COW keeps 345; G-W 340)
    347: "XKX",  # Kosovo
    365: "RUS",  # Russia / USSR
    511: "TZA",  # Zanzibar (1963–1964)
    563: "ZAF", 564: "ZAF",  # Transvaal, Orange Free State
    678: "YEM", 679: "YEM", 680: "YEM",  # North, unified and South Yemen
    711: "CHN",  # Tibet (1913–1950)
    730: "KOR",  # Korea (1887–1905)
    816: "VNM", 817: "VNM",  # Vietnam, Republic of Vietnam (country_converter gives VNM G-W 817)
    946: "KIR", 947: "TUV", 955: "TON", 970: "NRU",  # COW's Pacific codes differ from G-W's
}  # fmt: skip

#: Corrections to country_converter's M49 sub-region (checked against the UN M49 list).
_SUBREGION_FIX: dict[str, str] = {"NRU": "Micronesia"}

_ASIA_PACIFIC_SUBREGIONS = (
    "Central Asia", "Eastern Asia", "South-eastern Asia", "Southern Asia",
    "Australia and New Zealand", "Melanesia", "Micronesia", "Polynesia",
)  # fmt: skip


def _slug(text: str) -> str:
    """``"South-eastern Asia"`` → ``"south-eastern-asia"``.

    Example:
        >>> _slug("Australia and New Zealand")
        'australia-and-new-zealand'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@functools.lru_cache(maxsize=1)
def _coco_table() -> dict[str, Any]:
    """ISO3 → (M49 region, M49 sub-region) and G-W → ISO3, from country_converter's table."""
    import country_converter as coco

    data = coco.CountryConverter().data
    by_iso: dict[str, tuple[str, str]] = {}
    by_gw: dict[int, str] = {}
    for iso, continent, sub, gw in data[["ISO3", "continent", "UNregion", "GWcode"]].itertuples(
        index=False
    ):
        if not isinstance(iso, str):
            continue
        region = "Americas" if continent == "America" else str(continent)
        by_iso[iso] = (region, _SUBREGION_FIX.get(iso, str(sub)))
        if gw == gw and gw is not None:  # not NaN
            by_gw.setdefault(int(gw), iso)
    return {"iso": by_iso, "gw": by_gw}


def iso3_of(ccode: int) -> str | None:
    """ISO3 code of the territory of COW state ``ccode`` (None if unknown).

    Example:
        >>> iso3_of(2), iso3_of(265), iso3_of(970), iso3_of(12345)
        ('USA', 'DEU', 'NRU', None)
    """
    code = int(ccode)
    if code in COW_TO_ISO3:
        return COW_TO_ISO3[code]
    return _coco_table()["gw"].get(code)


def m49_of(ccode: int) -> tuple[str, str] | None:
    """UN M49 (region, sub-region) of COW state ``ccode`` (None if unknown).

    Example:
        >>> m49_of(710), m49_of(365)
        (('Asia', 'Eastern Asia'), ('Europe', 'Eastern Europe'))
    """
    iso = iso3_of(ccode)
    return None if iso is None else _coco_table()["iso"].get(iso)


@dataclass(frozen=True)
class Region:
    """A named region: its scheme, a definition in words, its source and its membership.

    ``codes`` are the member COW codes of a code-set region; ``blocks`` the inclusive code
    ranges of a code-block region (COW, UCDP); ``spells`` the (ccode, start, end) rows of a
    custom region with dated membership (``None`` = open).

    Example:
        >>> r = get_region("cow:europe")
        >>> r.contains(255, 2000), r.contains(2, 2000)
        (True, False)
    """

    name: str
    scheme: str
    label: str
    definition: str
    source: str
    codes: frozenset[int] = frozenset()
    blocks: tuple[tuple[int, int], ...] = ()
    spells: tuple[tuple[int, int | None, int | None], ...] = ()
    code_system: Literal["cow", "gw"] = "cow"
    aliases: tuple[str, ...] = field(default=())

    def contains(self, ccode: int, year: int | None = None) -> bool:
        """Whether state ``ccode`` belongs to the region (in ``year`` for dated regions)."""
        if self.blocks:
            return any(lo <= int(ccode) <= hi for lo, hi in self.blocks)
        if self.spells:
            return any(
                c == int(ccode)
                and (year is None or ((s is None or s <= year) and (e is None or year <= e)))
                for c, s, e in self.spells
            )
        return int(ccode) in self.codes

    def expr(self, code: str | pl.Expr = "ccode", year: str | pl.Expr = "year") -> pl.Expr:
        """A Polars boolean expression: does the row's state (in its year) belong to the region?

        Example:
            >>> df = pl.DataFrame({"ccode": [2, 710, 740], "year": [2000] * 3})
            >>> df.filter(get_region("asia-pacific").expr())["ccode"].to_list()
            [710, 740]
        """
        c = pl.col(code) if isinstance(code, str) else code
        y = pl.col(year) if isinstance(year, str) else year
        if self.blocks:
            return pl.any_horizontal([c.is_between(lo, hi) for lo, hi in self.blocks])
        if self.spells:
            terms = []
            for cc, s, e in self.spells:
                term = c == cc
                if s is not None:
                    term = term & (y >= s)
                if e is not None:
                    term = term & (y <= e)
                terms.append(term)
            return pl.any_horizontal(terms).fill_null(False)
        return c.is_in(sorted(self.codes)).fill_null(False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (members listed for code-set regions)."""
        return {
            "name": self.name,
            "scheme": self.scheme,
            "label": self.label,
            "definition": self.definition,
            "source": self.source,
            "code_system": self.code_system,
            "aliases": list(self.aliases),
            "codes": sorted(self.codes) if self.codes else None,
            "blocks": [list(b) for b in self.blocks] or None,
            "spells": [list(s) for s in self.spells] or None,
        }


_COCO_SOURCE = (
    "UN M49 standard area codes via country_converter 1.3 (Stadler 2017, "
    "https://github.com/IndEcol/country_converter), COW→ISO3 corrections in "
    "foedus.regions.schemes.COW_TO_ISO3"
)
_COW_SOURCE = (
    "Correlates of War state numbering convention (regional code blocks; COW State System "
    "Membership v2016 codebook, https://correlatesofwar.org/data-sets/state-system-membership/)"
)


def _universe_codes() -> list[int]:
    """Every COW code foedus can place: country_converter's G-W codes and the corrections."""
    table = _coco_table()
    return sorted(set(table["gw"]) | set(COW_TO_ISO3))


@functools.lru_cache(maxsize=1)
def _builtin() -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for slug, (lo, hi) in COW_BLOCKS.items():
        regions[f"cow:{slug}"] = Region(
            f"cow:{slug}", "cow", _COW_LABELS[slug],
            f"COW state codes {lo}–{hi}", _COW_SOURCE, blocks=((lo, hi),), aliases=(slug,),
        )  # fmt: skip
    for number, (slug, lo, hi) in UCDP_BLOCKS.items():
        regions[f"ucdp:{slug}"] = Region(
            f"ucdp:{slug}", "ucdp", slug.replace("-", " ").title(),
            f"UCDP region {number}: G-W codes {lo}–{hi}",
            "UCDP codebooks (Non-State Conflict Dataset v23.1, variable region)",
            blocks=((lo, hi),), code_system="gw",
        )  # fmt: skip
    by_region: dict[str, set[int]] = {}
    by_sub: dict[str, set[int]] = {}
    for code in _universe_codes():
        placed = m49_of(code)
        if placed is None:
            continue
        by_region.setdefault(placed[0], set()).add(code)
        by_sub.setdefault(placed[1], set()).add(code)
    for label, codes in sorted(by_region.items()):
        if label == "Antarctica":
            continue
        regions[f"un:{_slug(label)}"] = Region(
            f"un:{_slug(label)}", "un", label, f"UN M49 region {label}", _COCO_SOURCE,
            codes=frozenset(codes),
        )  # fmt: skip
    for label, codes in sorted(by_sub.items()):
        if label == "Antarctica":
            continue
        regions[f"un:{_slug(label)}"] = Region(
            f"un:{_slug(label)}", "un-sub", label, f"UN M49 sub-region {label}", _COCO_SOURCE,
            codes=frozenset(codes),
        )  # fmt: skip
    asia_pacific = {
        c for label in _ASIA_PACIFIC_SUBREGIONS for c in by_sub.get(label, set())
    } - {630}
    regions["asia-pacific"] = Region(
        "asia-pacific", "named", "Asia-Pacific",
        "SIPRI's 'Asia and Oceania': UN M49 Central, Eastern, South-eastern and Southern Asia "
        "(without Iran, COW 630, which SIPRI puts in the Middle East) and Oceania",
        "SIPRI Military Expenditure Database regional classification "
        "(https://www.sipri.org/databases/milex); members from UN M49 via country_converter",
        codes=frozenset(asia_pacific), aliases=("asia-and-oceania", "apac"),
    )  # fmt: skip
    return regions


def load_custom_regions(path: str | Path) -> dict[str, Region]:
    """Custom regions from a CSV with columns ``region, ccode, start, end, source``.

    ``start``/``end`` are inclusive years (empty = open); ``source`` says where the membership
    comes from (required on every row). Region names are lower-case slugs and may not reuse a
    built-in name.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "my.csv"
        >>> _ = f.write_text("region,ccode,start,end,source\\nbaltic,366,1991,,treaty\\n"
        ...                  "baltic,367,1991,,treaty\\n")
        >>> r = load_custom_regions(f)["baltic"]
        >>> r.contains(366, 1990), r.contains(366, 1995)
        (False, True)
    """
    path = Path(path)
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegionFileError(f"cannot read the regions file ({exc})", where=where,
                              fix="give a UTF-8 CSV file") from None  # fmt: skip
    rows = list(csv.DictReader(text.splitlines()))
    needed = ["region", "ccode", "start", "end", "source"]
    header = list(rows[0].keys()) if rows else next(csv.reader(text.splitlines()), [])
    missing = [c for c in needed if c not in header]
    if missing:
        raise RegionFileError(f"column(s) {', '.join(missing)} missing", where=where,
                              fix="the header must be: region,ccode,start,end,source")  # fmt: skip
    spells: dict[str, list[tuple[int, int | None, int | None]]] = {}
    sources: dict[str, set[str]] = {}
    builtin = _builtin()
    for line, row in enumerate(rows, start=2):
        at = f"{where}, line {line}"
        name = (row["region"] or "").strip().lower()
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
            raise RegionFileError(f"region name {row['region']!r} is not a slug", where=at,
                                  fix="use lower-case letters, digits and dashes")  # fmt: skip
        if name in builtin or any(name in r.aliases for r in builtin.values()):
            raise RegionFileError(f"region name {name!r} is a built-in region", where=at,
                                  fix="choose another name")  # fmt: skip
        try:
            code = int((row["ccode"] or "").strip())
            start = int(row["start"]) if (row["start"] or "").strip() else None
            end = int(row["end"]) if (row["end"] or "").strip() else None
        except ValueError:
            raise RegionFileError("ccode, start and end must be whole numbers", where=at,
                                  fix="write e.g. 366,1991, (empty end = open)") from None  # fmt: skip
        if start is not None and end is not None and end < start:
            raise RegionFileError(f"end {end} is before start {start}", where=at,
                                  fix="swap the years")  # fmt: skip
        if not (row["source"] or "").strip():
            raise RegionFileError("the row has no source", where=at,
                                  fix="say where the membership comes from")  # fmt: skip
        spells.setdefault(name, []).append((code, start, end))
        sources.setdefault(name, set()).add(row["source"].strip())
    return {
        name: Region(name, "custom", name, f"custom region from {path.name}",
                     "; ".join(sorted(sources[name])), spells=tuple(items))
        for name, items in spells.items()
    }  # fmt: skip


def _custom(path: str | Path | None) -> dict[str, Region]:
    chosen = path or os.environ.get("FOEDUS_REGIONS")
    return load_custom_regions(chosen) if chosen else {}


def list_regions(custom: str | Path | None = None) -> list[Region]:
    """Every region: built-in (COW, UN M49, UCDP, named) and custom (``custom`` or the
    ``FOEDUS_REGIONS`` file).

    Example:
        >>> names = [r.name for r in list_regions()]
        >>> "asia-pacific" in names and "cow:europe" in names and "un:eastern-asia" in names
        True
    """
    return [*_builtin().values(), *_custom(custom).values()]


def get_region(name: str | Region, custom: str | Path | None = None) -> Region:
    """The region called ``name`` (full name, or a bare COW name / alias); unknown names raise
    :class:`~foedus.errors.UnknownRegionError` listing the valid ones.

    Example:
        >>> get_region("europe").name
        'cow:europe'
        >>> get_region("Atlantis")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        foedus.errors.UnknownRegionError: unknown region 'Atlantis'. Fix: use one of: ...
    """
    if isinstance(name, Region):
        return name
    key = name.strip().lower()
    regions = {r.name: r for r in list_regions(custom)}
    if key in regions:
        return regions[key]
    for region in regions.values():
        if key in region.aliases:
            return region
    raise UnknownRegionError(
        f"unknown region '{name}'",
        fix="use one of: " + ", ".join(sorted(regions)) + " (bare COW names: "
        + ", ".join(COW_BLOCKS) + "; `foedus region list`)",
    )


def region_codes(name: str | Region, codes: Iterable[int], year: int | None = None) -> list[int]:
    """The codes among ``codes`` that belong to the region (in ``year``).

    Example:
        >>> region_codes("asia-pacific", [2, 630, 710, 750, 900])
        [710, 750, 900]
    """
    region = get_region(name)
    return sorted({int(c) for c in codes if region.contains(int(c), year)})


def region_of(codes: pl.Expr | str, scheme: Scheme = "cow") -> pl.Expr:
    """A Polars expression giving each code's region name in ``scheme`` (null when unplaced).

    Example:
        >>> df = pl.DataFrame({"ccode": [2, 255, 651, 740]})
        >>> df.select(region_of("ccode", "cow"))["region"].to_list()
        ['cow:americas', 'cow:europe', 'cow:middle-east', 'cow:asia-oceania']
        >>> df.select(region_of("ccode", "un"))["region"].to_list()
        ['un:americas', 'un:europe', 'un:africa', 'un:asia']
    """
    c = pl.col(codes) if isinstance(codes, str) else codes
    if scheme not in SCHEMES:
        raise UnknownRegionError(f"unknown region scheme '{scheme}'",
                                 fix="use one of: " + ", ".join(SCHEMES))  # fmt: skip
    if scheme in ("cow", "ucdp"):
        blocks = (
            [(f"cow:{s}", lo, hi) for s, (lo, hi) in COW_BLOCKS.items()]
            if scheme == "cow"
            else [(f"ucdp:{s}", lo, hi) for s, lo, hi in UCDP_BLOCKS.values()]
        )
        out = pl.lit(None, dtype=pl.String)
        for label, lo, hi in reversed(blocks):
            out = pl.when(c.is_between(lo, hi)).then(pl.lit(label)).otherwise(out)
        return out.alias("region")
    index = 0 if scheme == "un" else 1
    mapping = {}
    for code in _universe_codes():
        placed = m49_of(code)
        if placed is not None and placed[index] != "Antarctica":
            mapping[code] = f"un:{_slug(placed[index])}"
    return c.cast(pl.Int64).replace_strict(mapping, default=None, return_dtype=pl.String).alias(
        "region"
    )


def _frame_parts(frame: Any) -> tuple[pl.DataFrame, str]:
    df = frame.df if hasattr(frame, "df") and hasattr(frame, "unit") else frame
    if not isinstance(df, pl.DataFrame):
        raise UnknownRegionError("filter_region takes a foedus Frame or a Polars DataFrame",
                                 fix="pass foedus.state_years(...) or a DataFrame")  # fmt: skip
    if "ccode1" in df.columns and "ccode2" in df.columns:
        return df, "dyad"
    if "ccode" in df.columns:
        return df, "state"
    raise UnknownRegionError(
        "the frame has no COW code column (ccode, or ccode1/ccode2)",
        fix="build a COW frame, or add COW codes with --with ccode",
    )


def filter_region(
    frame: Any,
    region: str | Region,
    *,
    side: Literal["both", "either", "1", "2"] = "both",
    custom: str | Path | None = None,
) -> Any:
    """Keep the rows of a state-year or dyad-year frame whose state(s) belong to ``region``.

    On dyad-years ``side`` says which states must belong: ``"both"`` (default, dyads inside the
    region), ``"either"``, ``"1"`` or ``"2"``. A foedus ``Frame`` comes back as a Frame (its
    provenance kept), a DataFrame as a DataFrame.

    Example:
        >>> sy = pl.DataFrame({"ccode": [2, 710, 740], "year": [2000] * 3})
        >>> filter_region(sy, "asia-pacific")["ccode"].to_list()
        [710, 740]
        >>> dy = pl.DataFrame({"ccode1": [2, 710], "ccode2": [710, 740], "year": [2000, 2000]})
        >>> filter_region(dy, "asia-pacific", side="either").height
        2
    """
    chosen = get_region(region, custom)
    df, kind = _frame_parts(frame)
    if kind == "state":
        mask = chosen.expr("ccode", "year")
    else:
        one, two = chosen.expr("ccode1", "year"), chosen.expr("ccode2", "year")
        masks = {"both": one & two, "either": one | two, "1": one, "2": two}
        if side not in masks:
            raise UnknownRegionError(f"unknown side '{side}'",
                                     fix="use both, either, 1 or 2")  # fmt: skip
        mask = masks[side]
    out = df.filter(mask)
    if out is df or not hasattr(frame, "df") or not hasattr(frame, "unit"):
        return out
    return replace(frame, df=out)


def aggregate_by_region(
    frame: Any,
    scheme: Scheme | Sequence[str] = "cow",
    columns: Sequence[str] | None = None,
    *,
    how: Literal["sum", "mean"] = "sum",
    custom: str | Path | None = None,
) -> pl.DataFrame:
    """Aggregate a frame's numeric columns to region-years.

    ``scheme``: ``"cow"``, ``"un"``, ``"un-sub"``, ``"ucdp"`` (every state placed in one region of
    the scheme), or a list of region names (a state may count in several, e.g.
    ``["asia-pacific", "cow:europe"]``). On dyad-years the key is the pair ``region1, region2``.
    ``columns`` default to every numeric column except codes and year. A region-year whose values
    are all missing stays missing (null), never 0. ``n`` counts the rows aggregated.

    Example:
        >>> sy = pl.DataFrame({"ccode": [2, 20, 255, 260], "year": [1950] * 4,
        ...                    "milex": [10.0, 2.0, None, 3.0]})
        >>> aggregate_by_region(sy, "cow").rows()
        [('cow:americas', 1950, 2, 12.0), ('cow:europe', 1950, 2, 3.0)]
    """
    df, kind = _frame_parts(frame)
    keys = ["ccode"] if kind == "state" else ["ccode1", "ccode2"]
    skip = set(keys) | {"year", "gwcode", "gwcode1", "gwcode2", "stateabb"}
    numeric = [c for c, t in df.schema.items() if t.is_numeric() and c not in skip]
    chosen = list(columns) if columns is not None else numeric
    missing = [c for c in chosen if c not in df.columns]
    if missing:
        raise UnknownRegionError(f"column(s) {', '.join(missing)} not in the frame",
                                 fix="pick columns the frame has")  # fmt: skip
    if how not in ("sum", "mean"):
        raise UnknownRegionError(f"unknown aggregation '{how}'", fix="use sum or mean")

    def label(code: str) -> pl.Expr:
        if isinstance(scheme, str):
            return region_of(code, scheme)  # type: ignore[arg-type]
        regions = [get_region(n, custom) for n in scheme]
        if not regions:
            raise UnknownRegionError("no region given",
                                     fix="name a scheme (cow, un, un-sub, ucdp) or regions")  # fmt: skip
        return pl.concat_list(
            [pl.when(r.expr(code, "year")).then(pl.lit(r.name)) for r in regions]
        ).list.drop_nulls()

    suffixes = [""] if kind == "state" else ["1", "2"]
    work = df.with_columns(
        [label(k).alias(f"region{s}") for k, s in zip(keys, suffixes, strict=True)]
    )
    group = [f"region{s}" for s in suffixes]
    if not isinstance(scheme, str):
        for g in group:
            work = work.explode(g)
    work = work.drop_nulls(group)
    agg = [pl.len().cast(pl.Int64).alias("n")]
    for c in chosen:
        value = pl.col(c).sum() if how == "sum" else pl.col(c).mean()
        agg.append(pl.when(pl.col(c).is_not_null().any()).then(value).otherwise(None).alias(c))
    return work.group_by([*group, "year"]).agg(agg).sort([*group, "year"])
