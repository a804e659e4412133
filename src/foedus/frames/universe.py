"""Entry points: the state-year and dyad-year universes of a state system, as Frames."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from foedus.errors import FoedusError, InvalidYearsError
from foedus.frames.frame import Frame, System, Used, in_memory_engine
from foedus.warehouse import Warehouse

if TYPE_CHECKING:
    import polars as pl

YearsArg = tuple[int, int] | str | int | range | None

_SYSTEM_TABLE = {"cow": "cow_system", "gw": "gw_system"}
FIRST_YEAR = 1816


def parse_years(years: YearsArg) -> tuple[int, int] | None:
    """Normalise a years argument: ``"1816-2024"``, ``1990``, ``(1990, 2000)``, ``range(…)``.

    Example:
        >>> parse_years("1816-2024")
        (1816, 2024)
        >>> parse_years(1990)
        (1990, 1990)
    """
    if years is None:
        return None
    if isinstance(years, range):
        if len(years) == 0:
            raise InvalidYearsError("the year range is empty", fix="give e.g. 1816-2024")
        span = (years[0], years[-1])
    elif isinstance(years, int):
        span = (years, years)
    elif isinstance(years, str):
        match = re.fullmatch(r"\s*(\d{3,4})\s*(?:[-–:]|\.\.)\s*(\d{3,4})\s*|\s*(\d{3,4})\s*", years)
        if not match:
            raise InvalidYearsError(
                f"cannot read years '{years}'", fix="write a year (1990) or a range (1816-2024)"
            )
        if match.group(3):
            span = (int(match.group(3)), int(match.group(3)))
        else:
            span = (int(match.group(1)), int(match.group(2)))
    else:
        span = (int(years[0]), int(years[1]))
    start, end = span
    last_possible = date.today().year + 1
    if start > end:
        raise InvalidYearsError(
            f"the range {start}-{end} ends before it starts", fix=f"write {end}-{start}"
        )
    if start < FIRST_YEAR or end > last_possible:
        raise InvalidYearsError(
            f"years {start}-{end} are impossible for the modern state system",
            fix=f"choose years between {FIRST_YEAR} and {last_possible}",
        )
    return span


def _warehouse(warehouse: Warehouse | str | Path | None) -> Warehouse:
    if isinstance(warehouse, Warehouse):
        return warehouse
    return Warehouse(warehouse, read_only=True)


def _system(system: str) -> System:
    key = system.lower()
    if key in ("cow", "cw", "correlates-of-war"):
        return "cow"
    if key in ("gw", "gleditsch-ward"):
        return "gw"
    raise FoedusError(f"unknown state system '{system}'", fix="use 'cow' or 'gw'")


@in_memory_engine
def state_years(
    system: str = "cow",
    years: YearsArg = None,
    *,
    warehouse: Warehouse | str | Path | None = None,
    reuse: bool = True,
) -> Frame:
    """Every state-year of a state system (COW ``ccode`` or G-W ``gwcode``).

    ``years`` defaults to the system list's own coverage; years past its last year carry forward
    the states alive at its end (as peacesciencer's ``mry``). With ``reuse=False`` the universe
    and every column later added by :meth:`Frame.enrich` are computed from the releases, neither
    read from nor kept beside the warehouse (see :func:`standard_dyad_years`).

    Example:
        >>> sy = state_years("cow", years="2000-2001")   # doctest: +SKIP
        >>> sy.df.columns                                 # doctest: +SKIP
        ['ccode', 'cw_name', 'year']
    """
    from foedus.frames.systems import create_state_years

    sysname = _system(system)
    wh = _warehouse(warehouse)
    base = Frame(
        df=wh.table(_SYSTEM_TABLE[sysname]).head(0), unit="state-year", system=sysname, warehouse=wh
    )
    table, used = base._table(_SYSTEM_TABLE[sysname], "state-system membership")
    span = parse_years(years)
    universe = ("state-years", sysname, list(span) if span else None)
    build = lambda: create_state_years(table, system=sysname, years=span)  # noqa: E731
    if not reuse:
        return Frame(df=build(), unit="state-year", system=sysname, used=(used,), warehouse=wh)
    df, file = _kept_universe(wh, _SYSTEM_TABLE[sysname], universe, build)
    frame = Frame(df=df, unit="state-year", system=sysname, used=(used,), warehouse=wh)
    return frame._mark(universe, files=file)


@in_memory_engine
def dyad_years(
    system: str = "cow",
    directed: bool = True,
    years: YearsArg = None,
    *,
    warehouse: Warehouse | str | Path | None = None,
    reuse: bool = True,
) -> Frame:
    """Every dyad-year of a state system: both states in the system that year.

    Directed dyads hold (A, B) and (B, A); non-directed hold each pair once with code1 < code2.
    ``reuse=False``: computed from the releases, nothing read from or kept beside the warehouse,
    for the universe or the columns :meth:`Frame.enrich` adds later.

    Example:
        >>> ddy = dyad_years("cow", directed=True, years="1816-2024")   # doctest: +SKIP
        >>> ddy.height                                                 # doctest: +SKIP
        2214930
    """
    from foedus.frames.systems import create_dyad_years

    sysname = _system(system)
    wh = _warehouse(warehouse)
    base = Frame(
        df=wh.table(_SYSTEM_TABLE[sysname]).head(0), unit="dyad-year", system=sysname, warehouse=wh
    )
    table, used = base._table(_SYSTEM_TABLE[sysname], "state-system membership")
    span = parse_years(years)
    universe = ("dyad-years", sysname, bool(directed), list(span) if span else None)
    build = lambda: create_dyad_years(table, system=sysname, directed=directed, years=span)  # noqa: E731
    if not reuse:
        return Frame(df=build(), unit="dyad-year", system=sysname, directed=directed,
                     used=(used,), warehouse=wh)  # fmt: skip
    df, file = _kept_universe(wh, _SYSTEM_TABLE[sysname], universe, build)
    frame = Frame(
        df=df, unit="dyad-year", system=sysname, directed=directed, used=(used,), warehouse=wh
    )
    return frame._mark(universe, files=file)


#: The enrichments of the standard COW directed dyad-year file (``foedus build``; peacesciencer's
#: usual pipeline: ATOP, NMC, majors, contiguity, GML MIDs and peace-years).
STANDARD_DYAD_ENRICHMENTS = ("atop", "nmc", "majors", "contiguity", "gml-mids", "peace-years")
#: Its years.
STANDARD_YEARS = "1816-2024"


def standard_dyad_years(
    years: YearsArg = STANDARD_YEARS, *, warehouse: Warehouse | str | Path | None = None
) -> Frame:
    """The standard COW directed dyad-year frame: every directed dyad-year with
    :data:`STANDARD_DYAD_ENRICHMENTS` (what ``foedus build`` writes; the same as
    ``dyad_years("cow", directed=True, years=years).enrich(STANDARD_DYAD_ENRICHMENTS)``).

    Example:
        >>> ddy = standard_dyad_years(warehouse="warehouse.duckdb")   # doctest: +SKIP
        >>> ddy.df.shape                                              # doctest: +SKIP
        (2214930, 35)
    """
    frame = dyad_years("cow", directed=True, years=years, warehouse=warehouse)
    return frame.enrich(list(STANDARD_DYAD_ENRICHMENTS))


def _kept_universe(
    wh: Warehouse, table: str, universe: tuple[Any, ...], build: Callable[[], pl.DataFrame]
) -> tuple[pl.DataFrame, tuple[Path, ...]]:
    """The universe's rows, built once per release of the system list and kept beside the
    warehouse (a 2.2-million-row directed dyad-year universe is read back in a few milliseconds),
    and the Parquet file that keeps them (none when the warehouse does not exist)."""
    if not wh.path.exists():
        return build(), ()
    from foedus.frames.frame import _trim_kept

    options, depends = {"universe": list(universe)}, ("frames/systems.py", "frames/universe.py")
    found = wh.find_derived("universe", [table], options, depends=depends, parquet=True)
    if found is None:
        found = build()
        wh.keep_derived("universe", [table], options, found, depends=depends, parquet=True)
        _trim_kept(wh.cache_dir / "derived")  # (a universe alone also counts in the budget)
    path = wh.derived_path("universe", [table], options, depends=depends, parquet=True)
    return found, (path,)


__all__ = [
    "STANDARD_DYAD_ENRICHMENTS",
    "STANDARD_YEARS",
    "Used",
    "dyad_years",
    "parse_years",
    "standard_dyad_years",
    "state_years",
]
