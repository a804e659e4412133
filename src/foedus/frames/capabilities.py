"""Capability enrichers: COW National Material Capabilities and COW major-power status.

Both work on a state-year frame (``ccode, year``) or a dyad-year frame (``ccode1, ccode2, year``),
directed or not, and keep its rows and their order. Both sources are Correlates-of-War coded: a
frame that only has Gleditsch–Ward codes must be bridged to COW codes first.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import polars as pl

from foedus.errors import FoedusError, SourceFormatError
from foedus.frames._lookup import state_year_rows
from foedus.frames.enrichers import BOTH, Enricher
from foedus.sources.normalize import cast_keys

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

__all__ = ["NMC_COLUMNS", "add_cow_majors", "add_nmc", "nmc_from_official_csv"]

#: The capability measures of NMC, in the order the peer adds them.
NMC_COLUMNS: tuple[str, ...] = ("milex", "milper", "irst", "pec", "tpop", "upop", "cinc")

#: The missing-value code of the raw COW NMC release files.
NMC_MISSING = -9

Kind = Literal["state_year", "dyad_year"]


def cow_frame_kind(frame: pl.DataFrame, caller: str) -> Kind:
    """Whether ``frame`` is a COW state-year or dyad-year frame; a clear error otherwise.

    Shared by every enricher whose source is coded in Correlates of War codes.

    Example:
        >>> cow_frame_kind(pl.DataFrame({"ccode": [2], "year": [1816]}), "add_nmc")
        'state_year'
    """
    cols = set(frame.columns)
    if "year" not in cols:
        raise FoedusError(
            "the frame has no 'year' column",
            where=caller,
            fix="pass a state-year or dyad-year frame (create_state_years / create_dyad_years)",
        )
    if {"ccode1", "ccode2"} <= cols:
        return "dyad_year"
    if "ccode" in cols:
        return "state_year"
    if cols & {"gwcode", "gwcode1", "gwcode2"}:
        raise FoedusError(
            "the frame is Gleditsch-Ward coded (gwcode) but the source is Correlates-of-War coded",
            where=caller,
            fix="bridge the codes first (add COW ccode to the G-W frame with the isard "
            "gw_cw_panel crosswalk), or build the frame with system='cow'",
        )
    raise FoedusError(
        "the frame has neither 'ccode' (state-year) nor 'ccode1'/'ccode2' (dyad-year)",
        where=caller,
        fix="pass a COW state-year or dyad-year frame (create_state_years / create_dyad_years)",
    )


def _refuse_overwrite(frame: pl.DataFrame, new: list[str], caller: str) -> None:
    clash = [c for c in new if c in frame.columns]
    if clash:
        raise FoedusError(
            f"the frame already has column(s) {', '.join(clash)}",
            where=caller,
            fix=f"drop them first (frame.drop({clash!r})) or do not apply {caller} twice",
        )


def _canonical_nmc(nmc: pl.DataFrame) -> pl.DataFrame:
    """``ccode, year, milex … cinc``: names lower-cased, keys Int64, measures Float64, -9 → null."""
    nmc = nmc.rename({c: c.lower() for c in nmc.columns if c != c.lower()})
    missing = [c for c in ("ccode", "year", *NMC_COLUMNS) if c not in nmc.columns]
    if missing:
        raise SourceFormatError(
            f"the NMC table lacks column(s) {', '.join(missing)}",
            where="NMC",
            fix="pass peacesciencer's cow_nmc or COW's NMC abridged CSV (nmc_from_official_csv)",
        )
    try:
        nmc = cast_keys(nmc.select("ccode", "year", *NMC_COLUMNS)).with_columns(
            [pl.col(c).cast(pl.Float64, strict=True) for c in NMC_COLUMNS]
        )
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError) as exc:
        raise SourceFormatError(
            f"NMC codes or measures are not numeric ({exc})",
            where="NMC",
            fix="codes and years must be whole numbers, measures numbers",
        ) from exc
    nmc = nmc.with_columns(
        [
            pl.when(pl.col(c) == NMC_MISSING).then(None).otherwise(pl.col(c)).alias(c)
            for c in NMC_COLUMNS
        ]
    )
    dup = nmc.filter(pl.struct("ccode", "year").is_duplicated())
    if dup.height:
        raise SourceFormatError(
            f"{dup.height} NMC rows repeat a (ccode, year) (first: {dup.row(0, named=True)})",
            where="NMC",
            fix="keep one row per state-year",
        )
    return nmc


def nmc_from_official_csv(path: str | Path) -> pl.DataFrame:
    """Read a raw COW NMC abridged CSV (e.g. ``NMC-60-abridged.csv``) into the canonical shape.

    The raw file has ``stateabb, ccode, year, milex, milper, irst, pec, tpop, upop, cinc,
    version`` and codes missing values as ``-9``. The result has ``ccode, year`` (Int64) and the
    seven measures (Float64) with every ``-9`` turned into null, as in peacesciencer's
    ``cow_nmc``; ``stateabb`` and ``version`` are dropped.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "nmc.csv"
        >>> _ = path.write_text(
        ...     "stateabb,ccode,year,milex,milper,irst,pec,tpop,upop,cinc,version\\n"
        ...     "USA,2,1816,3823,17,80,254,8659,101,.039697491,2021\\n"
        ...     "CAN,20,1920,-9,10,1000,500,8500,-9,.005,2021\\n"
        ... )
        >>> nmc = nmc_from_official_csv(path)
        >>> nmc.columns
        ['ccode', 'year', 'milex', 'milper', 'irst', 'pec', 'tpop', 'upop', 'cinc']
        >>> nmc.row(1)
        (20, 1920, None, 10.0, 1000.0, 500.0, 8500.0, None, 0.005)
    """
    path = Path(path)
    if not path.exists():
        raise SourceFormatError(
            "file not found", where=str(path), fix="give the path of the NMC abridged CSV"
        )
    try:
        raw = pl.read_csv(path, infer_schema_length=None)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, UnicodeDecodeError) as exc:
        raise SourceFormatError(
            f"cannot parse the CSV ({exc})",
            where=str(path),
            fix="use the comma-separated NMC abridged file as released by COW",
        ) from exc
    try:
        return _canonical_nmc(raw)
    except SourceFormatError as exc:
        raise SourceFormatError(exc.what, where=str(path), fix=exc.fix) from exc


# State-year key: code * _KEY_BASE + year, exact for years 0..9999.
_KEY_BASE = 10_000


def _state_year_key(code: str | pl.Expr, year: str | pl.Expr = "year") -> pl.Expr:
    """One Int64 per (COW code, year), null for a year outside 0..9999 (it can match nothing)."""
    code_expr = pl.col(code) if isinstance(code, str) else code
    year_expr = (pl.col(year) if isinstance(year, str) else year).cast(pl.Int64)
    return (
        pl.when(year_expr.is_between(0, _KEY_BASE - 1))
        .then(code_expr.cast(pl.Int64) * _KEY_BASE + year_expr)
        .otherwise(None)
    )


def add_nmc(frame: pl.DataFrame, nmc: pl.DataFrame) -> pl.DataFrame:
    """Add COW National Material Capabilities to a state-year or dyad-year frame.

    State-years get ``milex, milper, irst, pec, tpop, upop, cinc``; dyad-years get the seven
    for ``ccode1`` (``milex1 … cinc1``) then for ``ccode2`` (``milex2 … cinc2``). Matched on code
    and year like a left join: rows and order are kept, and state-years that NMC does not cover
    (for v7 any year after 2022, for v6 after 2016) are null, never 0.

    ``nmc`` is peacesciencer's ``cow_nmc`` (NMC v7, keys cast to Int64) or a raw COW release such
    as ``NMC-60-abridged.csv`` (v6): column names are lower-cased, ``stateabb``/``version`` are
    ignored and the raw files' missing-value code ``-9`` becomes null (no measure can be -9).
    :func:`nmc_from_official_csv` reads such a file.

    Raises:
        FoedusError: the frame has no COW codes (a G-W frame must be bridged first), or already
            has the columns.
        SourceFormatError: ``nmc`` lacks a column or repeats a state-year.

    Example:
        >>> import polars as pl
        >>> nmc = pl.DataFrame({"ccode": [2, 20], "year": [1920, 1920], "milex": [1e6, -9.0],
        ...     "milper": [343.0, 4.0], "irst": [4e4, 1e3], "pec": [6e5, 4e4],
        ...     "tpop": [1e5, 8e3], "upop": [3e4, 1e3], "cinc": [0.2, 0.01]})
        >>> ddy = pl.DataFrame({"ccode1": [2, 20], "ccode2": [20, 2], "year": [1920, 2030]})
        >>> out = add_nmc(ddy, nmc)
        >>> out.select("ccode1", "year", "milex1", "cinc1", "milex2").rows()
        [(2, 1920, 1000000.0, 0.2, None), (20, 2030, None, None, None)]
    """
    kind = cow_frame_kind(frame, "add_nmc")
    table = _canonical_nmc(nmc)
    sides = [("ccode", "")] if kind == "state_year" else [("ccode1", "1"), ("ccode2", "2")]
    _refuse_overwrite(frame, [f"{c}{s}" for _, s in sides for c in NMC_COLUMNS], "add_nmc")
    # A vectorised lookup instead of a join: the row of NMC for each row of the frame (null if
    # NMC has no such state-year), then a gather. Keeps the frame's rows and order by design.
    rows = {code: state_year_rows(frame[code], frame["year"], table)[0] for code, _ in sides}
    added = [
        table.select(pl.col(c).gather(rows[code]).alias(f"{c}{suffix}") for c in NMC_COLUMNS)
        for code, suffix in sides
    ]
    return frame.hstack([col for part in added for col in part.get_columns()])


def _major_years(majors: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """``ccode, year`` of every year touched by a major-power spell, and the data's last year."""
    majors = majors.rename({c: c.lower() for c in majors.columns if c != c.lower()})
    missing = [c for c in ("ccode", "styear", "endyear") if c not in majors.columns]
    if missing:
        raise SourceFormatError(
            f"the major-powers table lacks column(s) {', '.join(missing)}",
            where="COW major powers",
            fix="pass peacesciencer's cow_majors or COW's majors2016.csv",
        )
    try:
        spells = cast_keys(majors.select("ccode", "styear", "endyear"))
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError) as exc:
        raise SourceFormatError(
            f"codes/years are not whole numbers ({exc})",
            where="COW major powers",
            fix="pass peacesciencer's cow_majors or COW's majors2016.csv",
        ) from exc
    if spells.height == 0 or spells.null_count().sum_horizontal().item():
        raise SourceFormatError(
            "the major-powers table is empty or has missing codes/years",
            where="COW major powers",
            fix="pass peacesciencer's cow_majors or COW's majors2016.csv",
        )
    last_year = int(spells["endyear"].max())  # type: ignore[arg-type]
    years = (
        spells.select("ccode", year=pl.int_ranges("styear", pl.col("endyear") + 1, dtype=pl.Int64))
        .explode("year")
        .unique()
    )
    return years, last_year


def add_cow_majors(frame: pl.DataFrame, majors: pl.DataFrame) -> pl.DataFrame:
    """Add COW major-power status (1 = major power, 0 = not) to a state-year or dyad-year frame.

    State-years get ``cowmaj``; dyad-years ``cowmaj1`` and ``cowmaj2`` (Int64, never null). A
    state is a major power in every year touched by one of its major-power spells, the start and
    end year included (France 1940 and 1945 are both 1). Years after the data's last year (2016
    for ``majors2016``) carry forward the majors of that last year, as peacesciencer does
    (``mry = TRUE``): the USA is a major power in 2020 and 2024.

    ``majors`` is peacesciencer's ``cow_majors`` or COW's ``majors2016.csv`` (``ccode, styear,
    … endyear …``; other columns are ignored), keys Int64.

    Raises:
        FoedusError: the frame has no COW codes (a G-W frame must be bridged first), or already
            has the columns.
        SourceFormatError: ``majors`` lacks ``ccode``, ``styear`` or ``endyear``.

    Example:
        >>> import polars as pl
        >>> majors = pl.DataFrame({"ccode": [2, 220, 220], "styear": [1898, 1816, 1945],
        ...                        "endyear": [2016, 1940, 2016]})
        >>> sy = pl.DataFrame({"ccode": [2, 2, 220, 220], "year": [1897, 2020, 1942, 1945]})
        >>> add_cow_majors(sy, majors)["cowmaj"].to_list()
        [0, 1, 0, 1]
    """
    kind = cow_frame_kind(frame, "add_cow_majors")
    table, last_year = _major_years(majors)
    sides = (
        [("ccode", "cowmaj")]
        if kind == "state_year"
        else [
            ("ccode1", "cowmaj1"),
            ("ccode2", "cowmaj2"),
        ]
    )
    _refuse_overwrite(frame, [new for _, new in sides], "add_cow_majors")
    major_keys = table.select(_state_year_key("ccode").alias("k"))["k"]
    # Years after the data's end look up the data's last year (carry forward).
    year = pl.col("year").cast(pl.Int64)
    lookup_year = pl.when(year > last_year).then(pl.lit(last_year, dtype=pl.Int64)).otherwise(year)
    return frame.with_columns(
        [
            _state_year_key(code, lookup_year)
            .is_in(major_keys.implode())
            .fill_null(False)
            .cast(pl.Int64)
            .alias(new)
            for code, new in sides
        ]
    )


# ---------------------------------------------------------------------------------------------
# frame-level enrichers (``--with nmc``, ``--with majors``)
# ---------------------------------------------------------------------------------------------
def enrich_nmc(frame: Frame) -> Frame:
    """National Material Capabilities on a COW frame (reads ``nmc``)."""
    frame.require_cow("NMC")
    nmc, used = frame.read("nmc", "material capabilities")
    return frame.with_data(add_nmc(frame.df, nmc), used)


def enrich_majors(frame: Frame) -> Frame:
    """COW major-power status on a COW frame (reads ``cow_majors``)."""
    frame.require_cow("COW major-power status")
    majors, used = frame.read("cow_majors", "major-power status")
    return frame.with_data(add_cow_majors(frame.df, majors), used)


ENRICHERS = (
    Enricher("nmc", BOTH, enrich_nmc, "NMC material capabilities", tables=("nmc",),
             aliases=("capabilities", "cinc"), keys_only=True, reusable=True),
    Enricher("majors", BOTH, enrich_majors, "COW major powers", tables=("cow_majors",),
             aliases=("major-powers", "cow-majors"), keys_only=True, reusable=True),
)  # fmt: skip
