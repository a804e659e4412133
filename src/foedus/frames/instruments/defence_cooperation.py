"""Defence cooperation agreements (DCAD v1.0, Kinne 2020) on dyad-years and state-years.

An agreement is **in force** from its signature year to its ``end_year_estimate``, inclusive — the
rule of DCAD's own dyad-year file (codebook p. 9). DCAs are undirected: both directions of a dyad get
the same values.

Dyad-years: ``dca_active`` (agreements in force), ``dca_active_general`` (framework agreements:
Full DCA and Industry), ``dca_active_sector`` (Procurement, TrEx, Research, Commission) and
``dca_new`` (agreements signed that year). State-years: the same for every agreement the state is
party to, plus ``dca_partners`` (distinct partners with an agreement in force). Coverage 1980–2010:
0 inside when nothing was in force or signed, null outside. ``confident_only=True`` keeps only the
agreements coded with medium or high confidence (Kinne's "V1" variables; the codebook recommends
them when DCAs are the variable of interest). Agreements whose partner is unknown (two DCAD errata)
are left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from foedus.frames.enrichers import BOTH, Enricher
from foedus.frames.instruments._merge import DYAD_KEYS, STATE_KEYS, attach, covered_years, unit_of
from foedus.frames.instruments._merge import declared as _declared

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

__all__ = ["DCA_COLUMNS", "DCA_COVERAGE", "add_dcas", "dca_dyad_years", "enrich_dcas"]

#: DCAD's years (signatures 1980–2010; end-year estimates are capped at 2010).
DCA_COVERAGE: tuple[int, int] = _declared("dcad_agreements")
#: Columns added to dyad-years; state-years also get ``dca_partners``.
DCA_COLUMNS: tuple[str, ...] = ("dca_active", "dca_active_general", "dca_active_sector", "dca_new")


def dca_dyad_years(agreements: pl.DataFrame, *, confident_only: bool = False) -> pl.DataFrame:
    """Directed dyad-year counts of DCAs in force and signed (both directions, symmetric).

    Example:
        >>> a = pl.DataFrame({"ccode1": [2], "ccode2": [290], "sign_year": [1995],
        ...     "end_year_estimate": [1996], "type": ["sector"], "category_conf": ["high"]})
        >>> dca_dyad_years(a).select("ccode1", "ccode2", "year", "dca_active", "dca_new").rows()
        [(2, 290, 1995, 1, 1), (2, 290, 1996, 1, 0), (290, 2, 1995, 1, 1), (290, 2, 1996, 1, 0)]
    """
    a = agreements.filter(pl.col("ccode1").is_not_null() & pl.col("ccode2").is_not_null())
    if confident_only:
        a = a.filter(pl.col("category_conf").is_in(["high", "med"]))
    spells = a.select(
        pl.col("ccode1").cast(pl.Int64),
        pl.col("ccode2").cast(pl.Int64),
        pl.col("sign_year").cast(pl.Int64).alias("signed"),
        pl.int_ranges("sign_year", pl.col("end_year_estimate") + 1, dtype=pl.Int64).alias("year"),
        (pl.col("type") == "general").cast(pl.Int64).alias("general"),
    ).explode("year")
    both = pl.concat(
        [
            spells,
            spells.select(
                ccode1="ccode2", ccode2="ccode1", signed="signed", year="year", general="general"
            ),
        ]  # fmt: skip
    )
    return (
        both.group_by(DYAD_KEYS)
        .agg(
            pl.len().cast(pl.Int64).alias("dca_active"),
            pl.col("general").sum().alias("dca_active_general"),
            (1 - pl.col("general")).sum().alias("dca_active_sector"),
            (pl.col("signed") == pl.col("year")).sum().cast(pl.Int64).alias("dca_new"),
        )
        .sort(DYAD_KEYS)
    )


def add_dcas(
    frame: pl.DataFrame, agreements: pl.DataFrame, *, confident_only: bool = False
) -> pl.DataFrame:
    """Add DCA counts to a dyad-year (``ccode1``, ``ccode2``, ``year``) or state-year frame.

    Args:
        frame: the frame (COW codes, Int64 keys); rows and order are kept.
        agreements: the ``dcad_agreements`` table.
        confident_only: only agreements coded with medium or high confidence.

    Example:
        >>> a = pl.DataFrame({"ccode1": [2], "ccode2": [290], "sign_year": [1995],
        ...     "end_year_estimate": [2010], "type": ["sector"], "category_conf": ["high"]})
        >>> f = pl.DataFrame({"ccode1": [290, 290, 290], "ccode2": [2, 2, 2],
        ...                   "year": [1994, 1995, 2015]})
        >>> add_dcas(f, a).select("year", "dca_active", "dca_new").rows()
        [(1994, 0, 0), (1995, 1, 1), (2015, None, None)]
    """
    ddy = dca_dyad_years(agreements, confident_only=confident_only)
    years = covered_years(*DCA_COVERAGE)
    if unit_of(frame, "DCAs") == "dyad":
        return attach(frame, ddy, DYAD_KEYS, DCA_COLUMNS, years=years, where="DCAD")
    state = (
        ddy.group_by("ccode1", "year")
        .agg(
            *[pl.col(c).sum() for c in DCA_COLUMNS],
            pl.col("ccode2")
            .filter(pl.col("dca_active") > 0)
            .n_unique()
            .cast(pl.Int64)
            .alias("dca_partners"),
        )  # fmt: skip
        .rename({"ccode1": "ccode"})
    )
    return attach(
        frame, state, STATE_KEYS, [*DCA_COLUMNS, "dca_partners"], years=years, where="DCAD"
    )


def enrich_dcas(frame: Frame, *, confident_only: bool = False) -> Frame:
    """Frame-level DCA enricher (``--with dca``): reads ``dcad_agreements``.

    Example (on the real data; tests/frames/test_enrichers.py runs every instrument enricher):
        >>> import foedus
        >>> sy = foedus.state_years("cow", years="2005-2010")  # doctest: +SKIP
        >>> "dca_active" in enrich_dcas(sy).columns  # doctest: +SKIP
        True
    """
    agreements, used = frame.read("dcad_agreements", "defence cooperation agreements")
    return frame.with_data(add_dcas(frame.df, agreements, confident_only=confident_only), used)


ENRICHERS = (
    Enricher("dca", BOTH, enrich_dcas, "defence cooperation agreements",
             tables=("dcad_agreements",), aliases=("dcas",)),
)  # fmt: skip
