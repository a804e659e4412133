"""Alliance reliability: do allies join militarised disputes on their partner's side?

**Unit: an invoked obligation** — a state A that, in the year a militarised interstate dispute
(COW MID 5.0, 1816–2014) begins, holds an ATOP obligation toward a state T that is an
*originator* of the dispute (present from its first day; ``orig = 1`` in the participant file
MIDB). Member-level ATOP rows give A's obligations toward every co-member of the alliance in force
that year (entry year ≤ dispute year ≤ exit year, or in force at the end of 2018).

Which obligation is invoked, and what counts as honouring it (**unconditional coding**: ATOP's
conditions — named adversaries, locations, "only if attacked by…" — are *not* applied, so a
commitment counts as invoked in every dispute of the partner, whether or not its conditions
hold; see docs/impact.md):

==============  ============================================  ==================================
obligation       invoked when                                  honoured when
==============  ============================================  ==================================
defence          T is a target: an originator on side B        A joins on T's side
offence          T is an initiator: an originator on side A    A joins on T's side
neutrality       T is an originator (either side)              A does not take part against T
non-aggression   T is an originator (either side)              A does not take part against T
==============  ============================================  ==================================

For defence and offence, an ally that is itself an originator (on either side) is left out (it did
not choose to join: it was attacked with T, or is the attacker); for neutrality and
non-aggression an ally that is an originator against T counts as a violation. Consultation
obligations cannot be judged from participation data and are not rated. Rates come with Wilson
and Clopper–Pearson (exact) 95% intervals, which treat cases as independent; cases of one dispute
are not (a dispute-cluster bootstrap interval is given for each rate).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from foedus.errors import DegenerateSampleError, MissingDataError

__all__ = ["ERAS", "HONOUR_TYPES", "honouring_cases", "honouring_rates", "load_cases"]

#: Eras of the breakdown.
ERAS: tuple[tuple[str, int, int], ...] = (
    ("1816-1944", 1816, 1944),
    ("1945-1989", 1945, 1989),
    ("1990-2014", 1990, 2014),
)
#: Obligation types rated, and the member-level ATOP column with its "conditional" flag.
HONOUR_TYPES: dict[str, tuple[str, str | None]] = {
    "defence": ("defense", "defcon"),
    "offence": ("offense", "offcon"),
    "neutrality": ("neutral", "neucon"),
    "non-aggression": ("nonagg", None),
}


def _obligations(members: pl.DataFrame) -> pl.DataFrame:
    """(ally, partner, atopid, first, last, flags…) for every pair of co-members."""
    m = members.select(
        "atopid", "member", "yrent",
        pl.when(pl.col("yrexit") == 0).then(2018).otherwise(pl.col("yrexit")).alias("yrexit"),
        *[pl.col(c).fill_null(0) for c in ("defense", "offense", "neutral", "nonagg", "defcon",
                                            "offcon", "neucon")],
    )  # fmt: skip
    pairs = m.join(m.select("atopid", pl.col("member").alias("partner"),
                            pl.col("yrent").alias("p_ent"), pl.col("yrexit").alias("p_exit")),
                   on="atopid")  # fmt: skip
    pairs = pairs.filter(pl.col("member") != pl.col("partner")).with_columns(
        pl.max_horizontal("yrent", "p_ent").alias("first"),
        pl.min_horizontal("yrexit", "p_exit").alias("last"),
    ).filter(pl.col("first") <= pl.col("last"))
    return pairs.rename({"member": "ally"}).drop("yrent", "yrexit", "p_ent", "p_exit")


def honouring_cases(
    participants: pl.DataFrame,
    disputes: pl.DataFrame,
    members: pl.DataFrame,
    nmc: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per invoked obligation (dispute, ally, partner, type) with ``honoured`` (0/1) and
    the breakdown variables (era, conditional, hostility, war, capability).

    ``participants`` is MIDB (``dispnum, ccode, sidea, orig``), ``disputes`` MIDA (``dispnum,
    styear, hostlev``), ``members`` the ATOP member-level table, ``nmc`` NMC (``ccode, year,
    cinc``).

    Example:
        >>> parts = pl.DataFrame({"dispnum": [1, 1, 1], "ccode": [2, 200, 365],
        ...     "sidea": [0, 0, 1], "orig": [1, 0, 1]})
        >>> disp = pl.DataFrame({"dispnum": [1], "styear": [1950], "hostlev": [4]})
        >>> mem = pl.DataFrame({"atopid": [9, 9], "member": [2, 200], "yrent": [1949, 1949],
        ...     "yrexit": [0, 0], "defense": [1, 1], "offense": [0, 0], "neutral": [0, 0],
        ...     "nonagg": [0, 0], "defcon": [0, 0], "offcon": [0, 0], "neucon": [0, 0]})
        >>> honouring_cases(parts, disp, mem).select("ally", "partner", "type", "honoured").rows()
        [(200, 2, 'defence', 1)]
    """
    # one row per dispute, state and side; a state with several rows on one side (it left and
    # came back) is an originator on that side if any of its rows is
    p = participants.select(
        "dispnum", pl.col("ccode").cast(pl.Int64), pl.col("sidea").cast(pl.Int64),
        pl.col("orig").cast(pl.Int64),
    ).group_by("dispnum", "ccode", "sidea").agg(pl.col("orig").max())  # fmt: skip
    d = disputes.select("dispnum", pl.col("styear").cast(pl.Int64).alias("year"),
                        pl.col("hostlev").cast(pl.Int64))  # fmt: skip
    origs = p.filter(pl.col("orig") == 1).join(d, on="dispnum").rename(
        {"ccode": "partner", "sidea": "p_sidea"}).drop("orig")  # fmt: skip
    obl = _obligations(members)
    cases = origs.join(obl, on="partner").filter(pl.col("year").is_between("first", "last"))
    # the ally's role in the dispute (any side it took, whether it was an originator)
    role = p.rename({"ccode": "ally", "sidea": "a_sidea", "orig": "a_orig"})
    keys = ["dispnum", "ally", "partner", "p_sidea"]
    roles = (
        cases.select(keys).unique().join(role, on=["dispnum", "ally"], how="inner")
        .group_by(keys).agg(
            ((pl.col("a_sidea") == pl.col("p_sidea")) & (pl.col("a_orig") == 0)).any()
            .alias("joined_same"),
            (pl.col("a_sidea") != pl.col("p_sidea")).any().alias("opposite"),
            (pl.col("a_orig") == 1).any().alias("originator"),
        )
    )  # fmt: skip
    cases = cases.join(roles, on=keys, how="left").with_columns(
        pl.col("joined_same", "opposite", "originator").fill_null(False))
    frames = []
    for kind, (col, cond) in HONOUR_TYPES.items():
        sub = cases.filter(pl.col(col) == 1)
        if kind == "defence":
            sub = sub.filter((pl.col("p_sidea") == 0) & ~pl.col("originator"))
            honoured = pl.col("joined_same")
        elif kind == "offence":
            sub = sub.filter((pl.col("p_sidea") == 1) & ~pl.col("originator"))
            honoured = pl.col("joined_same")
        else:
            honoured = ~pl.col("opposite")
        frames.append(sub.with_columns(
            pl.lit(kind).alias("type"),
            honoured.cast(pl.Int64).alias("honoured"),
            pl.col("opposite").cast(pl.Int64).alias("against"),
            (pl.col(cond) == 1 if cond else pl.lit(False)).alias("conditional"),
        ))  # fmt: skip
    out = pl.concat(frames, how="diagonal_relaxed")
    # one case per dispute, ally, partner and type (several alliances can carry the same duty;
    # the partner may be an originator on one side only, so p_sidea is fixed per case)
    out = out.group_by("dispnum", "ally", "partner", "type").agg(
        pl.col("year").first(), pl.col("hostlev").first(), pl.col("honoured").min(),
        pl.col("against").max(), pl.col("conditional").all(),
        pl.col("atopid").min(), pl.col("p_sidea").min(),
    )  # fmt: skip
    era = pl.lit(None, dtype=pl.String)
    for name, lo, hi in reversed(ERAS):
        era = pl.when(pl.col("year").is_between(lo, hi)).then(pl.lit(name)).otherwise(era)
    out = out.with_columns(era.alias("era"), (pl.col("hostlev") == 5).alias("war"))
    if nmc is not None:
        c = nmc.select(pl.col("ccode").cast(pl.Int64), pl.col("year").cast(pl.Int64), "cinc")
        out = out.join(c.rename({"ccode": "ally", "cinc": "cinc_ally"}), on=["ally", "year"],
                       how="left").join(c.rename({"ccode": "partner", "cinc": "cinc_partner"}),
                                        on=["partner", "year"], how="left")  # fmt: skip
        out = out.with_columns(
            pl.when(pl.col("cinc_ally").is_null() | pl.col("cinc_partner").is_null()).then(None)
            .when(pl.col("cinc_ally") > pl.col("cinc_partner")).then(pl.lit("ally stronger"))
            .otherwise(pl.lit("ally weaker")).alias("capability")
        )  # fmt: skip
    return out.sort("dispnum", "type", "ally", "partner")


def _cluster_boot(sub: pl.DataFrame, draws: int, seed: int) -> tuple[float | None, float | None]:
    """Percentile interval of the rate, resampling disputes."""
    if sub.height == 0:
        return None, None
    g = sub.group_by("dispnum").agg(pl.col("honoured").sum().alias("k"), pl.len().alias("n"))
    k = g.get_column("k").to_numpy().astype(float)
    n = g.get_column("n").to_numpy().astype(float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(k), size=(draws, len(k)))
    rates = k[idx].sum(axis=1) / n[idx].sum(axis=1)
    return float(np.quantile(rates, 0.025)), float(np.quantile(rates, 0.975))


def honouring_rates(
    cases: pl.DataFrame,
    by: tuple[str, ...] = ("type",),
    *,
    draws: int = 999,
    seed: int = 20261203,
) -> list[dict[str, Any]]:
    """Honouring rates of ``cases`` (from :func:`honouring_cases`) for each group of ``by``, with
    Wilson, exact and dispute-cluster bootstrap 95% intervals.

    Example:
        >>> cases = pl.DataFrame({"dispnum": [1, 2, 3, 4], "type": ["defence"] * 4,
        ...                       "honoured": [1, 1, 0, 1]})
        >>> r = honouring_rates(cases, draws=99)[0]
        >>> r["type"], r["cases"], r["honoured"], r["rate"]
        ('defence', 4, 3, 0.75)
    """
    from foedus.impact.estimators import proportion_ci

    if cases.height == 0:
        raise DegenerateSampleError("no invoked obligation in the sample",
                                    fix="widen the years")  # fmt: skip
    rows = []
    groups = cases.group_by(list(by), maintain_order=True).agg(pl.len()).sort(list(by),
                                                                             nulls_last=True)
    for key in groups.select(list(by)).iter_rows(named=True):
        expr = pl.lit(True)
        for c, v in key.items():
            expr = expr & (pl.col(c).is_null() if v is None else pl.col(c) == v)
        sub = cases.filter(expr)
        k, n = int(sub.get_column("honoured").sum()), sub.height
        ci = proportion_ci(k, n)
        lo, hi = _cluster_boot(sub, draws, seed)
        rows.append({**key, "cases": n, "honoured": k, **ci,
                     "disputes": sub.get_column("dispnum").n_unique(),
                     "cluster_boot_low": lo, "cluster_boot_high": hi})  # fmt: skip
    return rows


def load_cases(warehouse: Any) -> pl.DataFrame:
    """:func:`honouring_cases` on the warehouse's MIDA, MIDB, ATOP members and NMC.

    Example:
        >>> load_cases("wh.duckdb").height  # doctest: +SKIP
        2310
    """
    from foedus.warehouse import Warehouse

    wh = warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse, read_only=True)
    for t, what in (("cow_mid_b", "COW MID participants (MIDB 5.0)"),
                    ("cow_mid_a", "COW MID disputes (MIDA 5.0)"),
                    ("atop_member", "ATOP member-level file")):  # fmt: skip
        if not wh.has(t):
            raise MissingDataError(f"{what} is not imported", where=t,
                                   fix="foedus data import-all ../shared/data")  # fmt: skip
    nmc = wh.table("nmc") if wh.has("nmc") else None
    return honouring_cases(wh.table("cow_mid_b"), wh.table("cow_mid_a"), wh.table("atop_member"),
                           nmc)  # fmt: skip
