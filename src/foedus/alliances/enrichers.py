"""The ``--with atop-extended`` enricher: ATOP obligations carried past ATOP's last year (2018).

Declared here, not in :mod:`foedus.frames.atop`, because it reads the alliance registry (curated
changes after 2018), which sits above the frames layer. Registered through
:data:`foedus.frames.enrichers.ENRICHER_MODULES`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from foedus.frames.enrichers import DYADS, Enricher
from foedus.provenance import Used

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

__all__ = ["ENRICHERS", "enrich_atop_extended"]


def enrich_atop_extended(frame: Frame, *, source: str = "auto") -> Frame:
    """ATOP obligations (as ``--with atop``) and, after 2018, alliances in force at the end of
    2018 carried forward and changed by the curated facts, with ``atop_basis`` saying where each
    row's values come from (``atop``, ``atop-carried-forward``, ``curated``).

    Example:
        >>> ddy = foedus.dyad_years("cow", years="2017-2020").enrich(["atop-extended"])  # doctest: +SKIP
        >>> sorted(ddy.df["atop_basis"].unique())  # doctest: +SKIP
        ['atop', 'atop-carried-forward', 'curated']
    """
    from foedus.alliances.dyads import dyad_years_after_atop
    from foedus.frames import atop

    frame = atop.enrich_atop(frame, source=source)
    df = frame.df
    before = [c for c in df.columns if c not in ("atop_alliance", *atop.ATOP_COLUMNS)]
    added = ["atop_alliance", *atop.ATOP_COLUMNS]
    span = frame.years()
    basis = pl.when(pl.col("year") <= atop.ATOP_LAST_YEAR).then(pl.lit("atop"))
    if span is None or span[1] <= atop.ATOP_LAST_YEAR:
        return frame.with_data(df.with_columns(basis.alias("atop_basis")))
    wh = frame.require_warehouse()
    carried = wh.derived(
        "atop-after-2018",
        ("atop_member", "cow_system", "atop_phase", "atop_inst", "nmc", "cow_majors"),
        {"first": atop.ATOP_LAST_YEAR + 1, "last": span[1]},
        lambda: dyad_years_after_atop(atop.ATOP_LAST_YEAR + 1, span[1], warehouse=wh),
        depends=("alliances/dyads.py", "alliances/data.py", "alliances/curated.py",
                 "alliances/curated.csv"),
    )  # fmt: skip
    after = carried.select(
        "ccode1",
        "ccode2",
        "year",
        pl.lit(1.0).alias("_alliance"),
        *[pl.col(c).alias(f"_{c}") for c in atop.ATOP_COLUMNS],
        pl.col("atop_basis"),
    )
    if not frame.directed:  # either direction's obligations, as for ATOP's own years
        lo = pl.min_horizontal("ccode1", "ccode2")
        hi = pl.max_horizontal("ccode1", "ccode2")
        after = (
            after.with_columns(ccode1=lo, ccode2=hi)
            .group_by("ccode1", "ccode2", "year")
            .agg(pl.exclude("atop_basis").max(), pl.col("atop_basis").sort().last())
        )
    later = pl.col("year") > atop.ATOP_LAST_YEAR
    df = df.join(after, on=["ccode1", "ccode2", "year"], how="left", maintain_order="left")
    df = df.with_columns(
        pl.when(later)
        .then(pl.col("_alliance").fill_null(0.0))
        .otherwise(pl.col("atop_alliance"))
        .alias("atop_alliance"),
        *[
            pl.when(later).then(pl.col(f"_{c}").fill_null(0.0)).otherwise(pl.col(c)).alias(c)
            for c in atop.ATOP_COLUMNS
        ],
        basis.when(later & pl.col("atop_basis").is_null())
        .then(pl.lit("atop-carried-forward"))
        .otherwise(pl.col("atop_basis"))
        .alias("atop_basis"),
    ).select(*before, *added, "atop_basis")
    curated = Used(
        "alliances-curated",
        "foedus",
        "curated",
        "curated.csv",
        None,
        "alliance changes after ATOP's last year",
    )
    return frame.with_data(df, curated)


ENRICHERS = (
    Enricher(
        "atop-extended",
        DYADS,
        enrich_atop_extended,
        "ATOP obligations, carried past 2018 with the curated alliance changes",
        tables=("atop_ddy", "atop_member"),
    ),
)
