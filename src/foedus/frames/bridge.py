"""Year-specific bridges between COW (``ccode``) and Gleditsch–Ward (``gwcode``) state codes.

Both use isard's state-year crosswalks, as peacesciencer 1.2 does: ``cw_gw_panel`` (COW system as
the population, one row per ``ccode``-year) for :func:`add_gwcode_to_cow`, and ``gw_cw_panel``
(G-W system as the population, one row per ``gwcode``-year) for :func:`add_ccode_to_gw`. A code is
matched on code *and year*, so the answer can change over time (Germany 255 ↔ 260 after 1990,
Yemen, Serbia/Yugoslavia). The rows of the frame and their order never change; a state-year with
no counterpart gets a null code. The added code is Float64, as in the peer's output.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import polars as pl

from foedus.errors import FoedusError
from foedus.frames.enrichers import BOTH, Enricher

if TYPE_CHECKING:
    from foedus.frames.frame import Frame


def _require(df: pl.DataFrame, columns: Iterable[str], *, where: str, fix: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise FoedusError(f"missing column(s) {', '.join(missing)}", where=where, fix=fix)


def crosswalk(panel: pl.DataFrame, source: str, target: str, *, where: str) -> pl.DataFrame:
    """The (``source``, ``year``) → ``target`` lookup of an isard panel, checked to be unique.

    Rows whose ``source`` code is null are dropped (they cannot be matched); the remaining rows
    must be unique on (``source``, ``year``), otherwise joining would duplicate frame rows.

    Example:
        >>> panel = pl.DataFrame({"ccode": [255.0, 255.0, None], "gwcode": [260.0, 260.0, 265.0],
        ...                       "year": [1990.0, 1991.0, 1990.0]})
        >>> crosswalk(panel, "ccode", "gwcode", where="doc").rows()
        [(255, 1990, 260.0), (255, 1991, 260.0)]
    """
    _require(
        panel,
        [source, target, "year"],
        where=where,
        fix="pass isard's cw_gw_panel (for gwcodes) or gw_cw_panel (for ccodes)",
    )
    table = panel.select(
        pl.col(source).cast(pl.Int64, strict=True),
        pl.col("year").cast(pl.Int64, strict=True),
        pl.col(target).cast(pl.Float64),
    ).filter(pl.col(source).is_not_null())
    dup = table.filter(pl.len().over(source, "year") > 1)
    if dup.height:
        first = dup.row(0, named=True)
        raise FoedusError(
            f"{dup.height} crosswalk rows share a ({source}, year), e.g. "
            f"{source}={first[source]}, year={first['year']}",
            where=where,
            fix=f"use the panel whose population is the {source} system "
            "(cw_gw_panel for COW → G-W, gw_cw_panel for G-W → COW)",
        )
    return table


def _bridge(
    frame: pl.DataFrame, panel: pl.DataFrame, source: str, target: str, where: str
) -> pl.DataFrame:
    existing = [c for c in (target, f"{target}1", f"{target}2") if c in frame.columns]
    if existing:
        raise FoedusError(
            f"the frame already has {', '.join(existing)}", where=where, fix="drop them first"
        )
    if f"{source}1" in frame.columns or f"{source}2" in frame.columns:
        pairs = [(f"{source}1", f"{target}1"), (f"{source}2", f"{target}2")]
    else:
        pairs = [(source, target)]
    needed = [s for s, _ in pairs] + ["year"]
    _require(
        frame,
        needed,
        where=where,
        fix=f"pass a state-year frame ({source}, year) or a dyad-year frame "
        f"({source}1, {source}2, year)",
    )
    table = crosswalk(panel, source, target, where=where)
    out = frame
    for src, tgt in pairs:
        side = table.select(
            pl.col(source).cast(frame.schema[src]).alias(src),
            pl.col("year").cast(frame.schema["year"]),
            pl.col(target).alias(tgt),
        )
        out = out.join(side, on=[src, "year"], how="left", maintain_order="left")
    return out


def add_gwcode_to_cow(frame: pl.DataFrame, panel: pl.DataFrame) -> pl.DataFrame:
    """Add Gleditsch–Ward codes to COW state-years (``gwcode``) or dyad-years (``gwcode1/2``).

    ``panel`` is isard's ``cw_gw_panel`` (``ccode``, ``gwcode``, ``year``); matching is on the COW
    code and the year, as peacesciencer's ``add_gwcode_to_cow()``.

    Example:
        >>> panel = pl.DataFrame({"ccode": [255, 255], "gwcode": [260.0, 260.0],
        ...                       "year": [1989, 1991]})
        >>> sy = pl.DataFrame({"ccode": [255, 255], "year": [1991, 1900]})
        >>> add_gwcode_to_cow(sy, panel)["gwcode"].to_list()
        [260.0, None]
    """
    return _bridge(frame, panel, "ccode", "gwcode", "add_gwcode_to_cow")


def add_ccode_to_gw(frame: pl.DataFrame, panel: pl.DataFrame) -> pl.DataFrame:
    """Add COW codes to G-W state-years (``ccode``) or dyad-years (``ccode1``, ``ccode2``).

    ``panel`` is isard's ``gw_cw_panel`` (``gwcode``, ``ccode``, ``year``); matching is on the G-W
    code and the year, as peacesciencer's ``add_ccode_to_gw()``.

    Example:
        >>> panel = pl.DataFrame({"gwcode": [260, 260], "ccode": [260.0, 255.0],
        ...                       "year": [1989, 1991]})
        >>> dy = pl.DataFrame({"gwcode1": [260, 260], "gwcode2": [2, 2], "year": [1989, 1991]})
        >>> add_ccode_to_gw(dy, panel).select("ccode1", "ccode2").rows()
        [(260.0, None), (255.0, None)]
    """
    return _bridge(frame, panel, "gwcode", "ccode", "add_ccode_to_gw")


# ---------------------------------------------------------------------------------------------
# frame-level enrichers (``--with gwcode``, ``--with ccode``)
# ---------------------------------------------------------------------------------------------
def enrich_gwcode(frame: Frame) -> Frame:
    """Add Gleditsch–Ward codes to a COW frame (reads ``cow_gw_panel``)."""
    panel, used = frame.read("cow_gw_panel", "COW→G-W crosswalk")
    return frame.with_data(add_gwcode_to_cow(frame.df, panel), used)


def enrich_ccode(frame: Frame) -> Frame:
    """Add COW codes to a G-W frame (reads ``gw_cow_panel``)."""
    panel, used = frame.read("gw_cow_panel", "G-W→COW crosswalk")
    return frame.with_data(add_ccode_to_gw(frame.df, panel), used)


ENRICHERS = (
    Enricher("gwcode", BOTH, enrich_gwcode, "G-W codes for a COW frame", tables=("cow_gw_panel",)),
    Enricher("ccode", BOTH, enrich_ccode, "COW codes for a G-W frame", tables=("gw_cow_panel",)),
)
