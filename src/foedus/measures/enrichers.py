"""Frame enrichers computed by the alliance and UN measures: ``--with similarity``, ``network``,
``idealpoints`` and ``idealpoint-distance``.

Declared here (a light module: the measures themselves are imported when an enricher runs) and
registered through :data:`foedus.frames.enrichers.ENRICHER_MODULES`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from foedus.frames.enrichers import BOTH, DYADS, STATES, Enricher

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

__all__ = [
    "ENRICHERS",
    "enrich_ideal_point_distance",
    "enrich_ideal_points",
    "enrich_network",
    "enrich_similarity",
]

#: ATOP's years as the measures use them (the COW system from 1816; ATOP ends in 2018).
_ATOP_YEARS = (1816, 2018)


def enrich_similarity(frame: Frame, *, measures: Sequence[str] | None = None) -> Frame:
    """Alliance-portfolio similarity (Signorino–Ritter S variants, tau-b, kappa, pi) for each
    dyad-year in ATOP's years over the global COW system; null outside. Reads ATOP, the COW
    system and (for the weighted measures) NMC.

    Example:
        >>> foedus.dyad_years("cow", years=1914).enrich(["similarity"])  # doctest: +SKIP
    """
    from foedus.frames.atop import atop_obligations
    from foedus.frames.systems import create_state_years
    from foedus.measures import similarity

    frame.require_dyads("add_alliance_similarity")
    frame.require_cow("ATOP")
    chosen = tuple(measures) if measures else similarity.ALL_MEASURES
    span = frame.years()
    first, last = _ATOP_YEARS
    if span is None or span[1] < first or span[0] > last:
        df = frame.df.with_columns(pl.lit(None, dtype=pl.Float64).alias(m) for m in chosen)
        return frame.with_data(df)
    years = (max(first, span[0]), min(last, span[1]))
    ddy, used_atop = atop_obligations(frame)
    system, used_sys = frame.read("cow_system", "system of states compared")
    capabilities, used_nmc = None, None
    weighted = any(m in similarity.WEIGHTED_MEASURES for m in chosen)
    if weighted:
        capabilities, used_nmc = frame.read("nmc", "capability weights (CINC)")

    def compute(lo: int, hi: int) -> pl.DataFrame:
        members = create_state_years(system, system="cow", years=(lo, hi)).select("ccode", "year")
        return similarity.similarity_dyad_years(
            ddy, members, capabilities=capabilities, measures=chosen, years=(lo, hi)
        )

    # Each year's similarities are kept next to the warehouse (keyed by the releases' checksums),
    # so `foedus dyad A B` and later frames read what an earlier command computed.
    tables = [used_atop.table, "cow_system", *(["nmc"] if weighted else [])]
    sims = frame.require_warehouse().derived_years(
        "similarity", tables, {"measures": list(chosen)}, years, compute,
        depends=("measures/similarity.py", "measures/enrichers.py"),
    )  # fmt: skip
    if frame.df.height * 20 < sims.height:  # a few dyads (a dyad profile): theirs only
        codes = pl.concat([frame.df["ccode1"], frame.df["ccode2"]]).unique()
        sims = sims.filter(pl.col("ccode1").is_in(codes.implode()) & pl.col("ccode2").is_in(codes.implode()))
    keys = ["ccode1", "ccode2", "year"]
    df = frame.df.join(sims, on=keys, how="left", maintain_order="left")
    used = [u for u in (used_atop, used_sys, used_nmc) if u is not None]
    return frame.with_data(df, *used)


def enrich_network(frame: Frame, *, obligations: Sequence[str] | None = None) -> Frame:
    """Each state's position in that year's alliance network (degree, weighted degree,
    betweenness, eigenvector centrality, clustering, bloc) over the COW system in ATOP's years;
    null outside them.

    Example:
        >>> foedus.state_years("cow", years=1985).enrich(["network"])  # doctest: +SKIP
    """
    from foedus.frames.atop import atop_obligations
    from foedus.frames.systems import create_state_years
    from foedus.measures import networks

    frame.require_states("add_alliance_network")
    frame.require_cow("ATOP")
    span = frame.years()
    ddy, used_atop = atop_obligations(frame)
    system, used_sys = frame.read("cow_system", "system of states in the network")
    first, last = _ATOP_YEARS
    if span is None or span[1] < first or span[0] > last:
        return frame.with_data(frame.df)
    years = (max(first, span[0]), min(last, span[1]))
    states = create_state_years(system, system="cow", years=years).select("ccode", "year")
    options: dict[str, Any] = {"states": states}
    if obligations:
        options["obligations"] = list(obligations)
    net = networks.network_state_years(ddy, years, **options)
    df = frame.df.join(net, on=["ccode", "year"], how="left", maintain_order="left")
    return frame.with_data(df, used_atop, used_sys)


def enrich_ideal_points(
    frame: Frame, *, estimate: Literal["all", "fp", "legacy"] = "all"
) -> Frame:
    """UN General Assembly ideal points (reads ``unga_ideal_points``); null outside coverage.

    Example:
        >>> foedus.state_years("cow", years=2000).enrich(["idealpoints"])  # doctest: +SKIP
    """
    from foedus.measures import un_similarity

    frame.require_cow("UN ideal points")
    table, used = frame.read("unga_ideal_points", "UN General Assembly ideal points")
    df = un_similarity.add_ideal_points(frame.df, table, estimate=estimate)
    return frame.with_data(df, used)


def enrich_ideal_point_distance(
    frame: Frame, *, estimate: Literal["all", "fp", "legacy"] = "all"
) -> Frame:
    """Absolute distance between the two states' UN ideal points (``idealpointdist``).

    Example:
        >>> foedus.dyad_years("cow", years=2000).enrich(["idealpoint-distance"])  # doctest: +SKIP
    """
    from foedus.measures import un_similarity

    frame.require_dyads("add_ideal_point_distance")
    frame.require_cow("UN ideal points")
    table, used = frame.read("unga_ideal_points", "UN General Assembly ideal points")
    df = un_similarity.add_ideal_point_distance(frame.df, table, estimate=estimate)
    return frame.with_data(df, used)


ENRICHERS = (
    Enricher("similarity", DYADS, enrich_similarity,
             "alliance-portfolio similarity (11 measures)",
             tables=("atop_ddy", "atop_member", "cow_system", "nmc"), aliases=("fp-similarity",),
             coverage_from=("atop_ddy", "atop_member")),
    Enricher("network", STATES, enrich_network, "position in the alliance network",
             tables=("atop_ddy", "atop_member", "cow_system"), aliases=("alliance-network",),
             coverage_from=("atop_ddy", "atop_member")),
    Enricher("idealpoints", BOTH, enrich_ideal_points, "UN General Assembly ideal points",
             tables=("unga_ideal_points",), aliases=("ideal-points",)),
    Enricher("idealpoint-distance", DYADS, enrich_ideal_point_distance,
             "distance between UN ideal points", tables=("unga_ideal_points",),
             aliases=("un-similarity",)),
)  # fmt: skip
