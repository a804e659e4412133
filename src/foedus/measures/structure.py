"""System structure from COW National Material Capabilities: concentration, poles, transitions.

Every function takes NMC as a frame with ``ccode, year, cinc`` (peacesciencer's ``cow_nmc``, keys
cast with :func:`foedus.sources.normalize.cast_keys`, or
:func:`foedus.frames.capabilities.nmc_from_official_csv`) and returns a Polars year frame,
state-year frame or list of events. NMC v7 covers 1816–2022; nothing is extrapolated beyond the
table given. A missing CINC (null) is never read as 0: the state-year is left out of every sum
and counted in ``n_missing``.

* :func:`cinc_shares` — each state's share of a group's summed CINC (all states, the major
  powers or a given set).
* :func:`capability_concentration` — CON (Singer, Bremer & Stuckey 1972; Ray & Singer 1973),
  the Herfindahl index, the effective number of poles (Laakso & Taagepera 1979) and the leader.
* :func:`effective_poles` — the effective number of poles alone.
* :func:`power_transitions` — the years in which one state's CINC overtakes another's, with
  the Organski–Kugler parity window around each.
* :func:`emerging_powers` — the states whose share of system capabilities grew fastest.

Definitions, formulas and citations are in ``docs/networks-structure.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import polars as pl

from foedus.errors import FoedusError, SourceFormatError
from foedus.frames.universe import YearsArg, parse_years
from foedus.sources.normalize import cast_keys

__all__ = [
    "capability_concentration",
    "cinc_shares",
    "effective_poles",
    "emerging_powers",
    "power_transitions",
]

#: A group of states: ``"all"`` (every state NMC lists that year), ``"majors"`` (COW major
#: powers; needs ``majors``), a collection of COW codes (those listed by NMC in the year), or a
#: state-year frame (``ccode, year``) naming the members year by year.
Group = Literal["all", "majors"] | Iterable[int] | pl.DataFrame
Growth = Literal["absolute", "log"]


def _nmc(nmc: pl.DataFrame, where: str) -> pl.DataFrame:
    """``ccode, year, cinc`` (Int64, Int64, Float64) with one row per state-year."""
    renamed = nmc.rename({c: c.lower() for c in nmc.columns if c != c.lower()})
    missing = [c for c in ("ccode", "year", "cinc") if c not in renamed.columns]
    if missing:
        raise SourceFormatError(
            f"the capabilities table lacks column(s) {', '.join(missing)}",
            where=where,
            fix="pass NMC with ccode, year and cinc (peacesciencer's cow_nmc)",
        )
    table = cast_keys(renamed.select("ccode", "year", "cinc")).with_columns(
        pl.col("cinc").cast(pl.Float64)
    )
    if table.select(pl.struct("ccode", "year").is_duplicated().any()).item():
        raise SourceFormatError(
            "the capabilities table repeats a (ccode, year)",
            where=where,
            fix="keep one row per state-year",
        )
    return table


def _span_filter(df: pl.DataFrame, years: YearsArg) -> pl.DataFrame:
    span = parse_years(years)
    return df if span is None else df.filter(pl.col("year").is_between(*span))


def _major_state_years(majors: pl.DataFrame, last_year: int, where: str) -> pl.DataFrame:
    """``ccode, year`` of every major-power state-year, the data's last list carried forward.

    A state is a major power in every year touched by one of its spells, start and end year
    included, as :func:`foedus.frames.capabilities.add_cow_majors` codes it; after the table's
    last year (2016 for ``majors2016``) the majors of that year stay majors up to ``last_year``
    (peacesciencer's ``mry = TRUE``).
    """
    renamed = majors.rename({c: c.lower() for c in majors.columns if c != c.lower()})
    missing = [c for c in ("ccode", "styear", "endyear") if c not in renamed.columns]
    if missing:
        raise SourceFormatError(
            f"the major-powers table lacks column(s) {', '.join(missing)}",
            where=where,
            fix="pass peacesciencer's cow_majors or COW's majors2016.csv",
        )
    spells = cast_keys(renamed.select("ccode", "styear", "endyear")).drop_nulls()
    end = int(spells["endyear"].max())  # type: ignore[arg-type]
    spells = spells.with_columns(
        pl.when(pl.col("endyear") == end)
        .then(pl.lit(max(end, last_year), dtype=pl.Int64))
        .otherwise(pl.col("endyear"))
        .alias("endyear")
    )
    return (
        spells.select("ccode", year=pl.int_ranges("styear", pl.col("endyear") + 1, dtype=pl.Int64))
        .explode("year")
        .unique()
    )


def _members(
    table: pl.DataFrame, group: Group, majors: pl.DataFrame | None, where: str
) -> pl.DataFrame:
    """``ccode, year, cinc`` for every member state-year of the group within NMC's years.

    For ``"majors"`` and a state-year frame a member without an NMC row in a year that NMC covers
    gets a null CINC (it is missing, not absent); for ``"all"`` and a set of codes the members
    are NMC's rows.
    """
    if isinstance(group, str):
        if group == "all":
            return table
        if group != "majors":
            raise FoedusError(
                f"unknown group '{group}'",
                where=where,
                fix="use 'all', 'majors', a collection of COW codes or a (ccode, year) frame",
            )
        if majors is None:
            raise FoedusError(
                "group='majors' needs the COW major-powers table",
                where=where,
                fix="pass majors=cow_majors (peacesciencer) or group='all'",
            )
        if table.height == 0:
            return table
        listed = _major_state_years(majors, int(table["year"].max()), where)  # type: ignore[arg-type]
    elif isinstance(group, pl.DataFrame):
        if not {"ccode", "year"} <= set(group.columns):
            raise FoedusError(
                "the group frame lacks ccode or year",
                where=where,
                fix="pass a state-year frame (ccode, year) of the members",
            )
        listed = cast_keys(group.select("ccode", "year")).unique()
    else:
        codes = sorted({int(c) for c in group})
        return table.filter(pl.col("ccode").is_in(codes))
    if table.height == 0:
        return table
    return (
        listed.join(table.select("year").unique(), on="year", how="semi")
        .join(table, on=["ccode", "year"], how="left", maintain_order="left")
        .select("ccode", "year", "cinc")
    )


def cinc_shares(
    nmc: pl.DataFrame,
    *,
    group: Group = "all",
    majors: pl.DataFrame | None = None,
    years: YearsArg = None,
) -> pl.DataFrame:
    """Each member's share of its group's summed CINC, year by year.

    ``share = cinc / Σ cinc`` over the group's members with a CINC that year; a member with a
    missing CINC has a null share and is not in the sum. With ``group="all"`` the shares re-scale
    NMC's CINC, whose yearly sum is not exactly 1 (1.05 in 1816, 1.007 in 2022 in NMC v7).

    Returns ``ccode, year, cinc, share``, sorted by year and code.

    Example:
        >>> import polars as pl
        >>> nmc = pl.DataFrame({"ccode": [2, 200, 365], "year": [1900] * 3,
        ...                     "cinc": [0.375, 0.125, None]})
        >>> cinc_shares(nmc)["share"].to_list()
        [0.75, 0.25, None]
    """
    table = _span_filter(_nmc(nmc, "cinc_shares"), years)
    members = _members(table, group, majors, "cinc_shares")
    return (
        members.with_columns(share=pl.col("cinc") / pl.col("cinc").sum().over("year"))
        .with_columns(
            share=pl.when(pl.col("share").is_finite()).then(pl.col("share")).otherwise(None)
        )
        .sort("year", "ccode")
    )


def capability_concentration(
    nmc: pl.DataFrame,
    *,
    group: Group = "majors",
    majors: pl.DataFrame | None = None,
    years: YearsArg = None,
) -> pl.DataFrame:
    """Concentration of capabilities in a group, one row per year.

    With ``S_i`` the members' shares of the group's CINC (:func:`cinc_shares`) and ``N`` the
    members with a CINC:

    * ``hhi = Σ S_i²`` (Herfindahl–Hirschman).
    * ``con = sqrt((Σ S_i² − 1/N) / (1 − 1/N))`` — CON of Singer, Bremer & Stuckey (1972),
      analysed by Ray & Singer (1973): 0 when capabilities are equal, 1 when one state holds
      them all; null when ``N < 2``.
    * ``effective_poles = 1 / Σ S_i²`` — Laakso & Taagepera's (1979) effective number,
      ``N`` for ``N`` equal shares.
    * ``leader``, ``leader_share``: the state with the largest share (ties: smallest code).
    * ``n`` members with a CINC, ``n_missing`` members without (never counted as 0),
      ``total_cinc`` the members' summed CINC.

    ``group`` defaults to the COW major powers, as Singer, Bremer & Stuckey (1972) computed CON,
    and then needs ``majors`` (peacesciencer's ``cow_majors``; the 2016 list carries forward to
    NMC's last year). ``group="all"`` uses every state NMC lists.

    Example:
        >>> import polars as pl
        >>> nmc = pl.DataFrame({"ccode": [2, 200, 2, 200, 365],
        ...     "year": [1900, 1900, 1901, 1901, 1901], "cinc": [0.2, 0.2, 0.3, 0.0, None]})
        >>> out = capability_concentration(nmc, group="all")
        >>> out.select("year", "n", "n_missing", "con", "effective_poles", "leader").rows()
        [(1900, 2, 0, 0.0, 2.0, 2), (1901, 2, 1, 1.0, 1.0, 2)]
    """
    shares = cinc_shares(nmc, group=group, majors=majors, years=years)
    valid = pl.col("share").is_not_null()
    # Largest share first (ties: smallest code), so the first valid row of a year is its leader.
    ordered = shares.sort(
        ["year", "share", "ccode"], descending=[False, True, False], nulls_last=True
    )
    out = (
        ordered.group_by("year")
        .agg(
            n=valid.sum().cast(pl.Int64),
            n_missing=pl.col("cinc").is_null().sum().cast(pl.Int64),
            total_cinc=pl.when(valid.any()).then(pl.col("cinc").sum()).otherwise(None),
            hhi=pl.when(valid.any()).then((pl.col("share") ** 2).sum()).otherwise(None),
            leader=pl.col("ccode").filter(valid).first(),
            leader_share=pl.col("share").max(),
        )
        .with_columns(
            con=pl.when(pl.col("n") >= 2)
            .then(
                ((pl.col("hhi") - 1.0 / pl.col("n")) / (1.0 - 1.0 / pl.col("n")))
                .clip(lower_bound=0.0)
                .sqrt()
            )
            .otherwise(None),
            effective_poles=1.0 / pl.col("hhi"),
        )
        .sort("year")
    )
    return out.select(
        "year", "n", "n_missing", "total_cinc", "hhi", "con", "effective_poles", "leader",
        "leader_share",
    )  # fmt: skip


def effective_poles(
    nmc: pl.DataFrame,
    *,
    group: Group = "majors",
    majors: pl.DataFrame | None = None,
    years: YearsArg = None,
) -> pl.DataFrame:
    """Effective number of poles ``1 / Σ S_i²`` (Laakso & Taagepera 1979), one row per year.

    ``S_i`` are the group's CINC shares; ``group`` and ``majors`` as in
    :func:`capability_concentration`, of which this is the ``year, n, n_missing,
    effective_poles`` part.

    Example:
        >>> import polars as pl
        >>> nmc = pl.DataFrame({"ccode": [2, 200, 220, 365], "year": [1900] * 4,
        ...                     "cinc": [0.1] * 4})
        >>> effective_poles(nmc, group="all")["effective_poles"].to_list()
        [4.0]
    """
    return capability_concentration(nmc, group=group, majors=majors, years=years).select(
        "year", "n", "n_missing", "effective_poles"
    )


def _pair_list(pairs: Iterable[tuple[int, int]]) -> pl.DataFrame:
    rows = []
    for pair in pairs:
        a, b = (int(x) for x in pair)
        if a != b:
            rows.extend([(a, b), (b, a)])
    if not rows:
        raise FoedusError(
            "no pair of distinct states given",
            where="power_transitions",
            fix="pass pairs such as [(2, 710)]",
        )
    return pl.DataFrame(
        rows, schema={"ccode1": pl.Int64, "ccode2": pl.Int64}, orient="row"
    ).unique()


def power_transitions(
    nmc: pl.DataFrame,
    pairs: Iterable[tuple[int, int]] | None = None,
    *,
    majors: pl.DataFrame | None = None,
    years: YearsArg = None,
    parity: float | None = 0.8,
) -> pl.DataFrame:
    """Power transitions: the years in which one state's CINC overtakes another's.

    ``ccode1`` overtakes ``ccode2`` in year ``t`` when ``cinc1 > cinc2`` in ``t`` and
    ``cinc1 <= cinc2`` in ``t − 1``; both states need a CINC in both years (a crossing across a
    gap in the data is not dated). With ``pairs`` (``[(a, b), …]``, order irrelevant) those
    dyads are followed; without, every pair of COW major powers (``majors`` needed), counting a
    transition when both are major powers in year ``t``.

    ``parity``: Organski & Kugler's (1980) parity threshold — a dyad is at parity when the weaker
    state has at least this fraction of the stronger's CINC (0.8: "within 80%"). Each transition
    gets the years of the run of consecutive parity years that contains ``t`` (or else ``t − 1``)
    as ``parity_start`` / ``parity_end`` (null when neither year is at parity). ``parity=None``
    leaves the columns out.

    Returns ``ccode1`` (the overtaker), ``ccode2``, ``year``, ``cinc1``, ``cinc2``,
    ``cinc1_prev``, ``cinc2_prev``, ``ratio`` (``cinc2 / cinc1`` in ``t``) and the parity
    window, sorted by year.

    Example:
        >>> import polars as pl
        >>> nmc = pl.DataFrame({"ccode": [2] * 4 + [710] * 4, "year": [2000, 2001, 2002, 2003] * 2,
        ...     "cinc": [0.30, 0.20, 0.19, 0.18, 0.10, 0.17, 0.21, 0.25]})
        >>> power_transitions(nmc, [(2, 710)]).select(
        ...     "ccode1", "ccode2", "year", "parity_start", "parity_end").rows()
        [(710, 2, 2002, 2001, 2002)]
    """
    where = "power_transitions"
    table = _nmc(nmc, where).drop_nulls("cinc")
    if pairs is not None:
        dyads = _pair_list(pairs)
        eligible = None
    else:
        if majors is None:
            raise FoedusError(
                "without pairs the transitions are among major powers, which needs their list",
                where=where,
                fix="pass majors=cow_majors (peacesciencer) or pairs=[(a, b), ...]",
            )
        major_years = _major_state_years(majors, int(table["year"].max()), where)  # type: ignore[arg-type]
        eligible = (
            major_years.join(major_years, on="year", suffix="2", maintain_order="left")
            .rename({"ccode": "ccode1"})
            .filter(pl.col("ccode1") != pl.col("ccode2"))
        )
        dyads = eligible.select("ccode1", "ccode2").unique()
    side1 = table.rename({"ccode": "ccode1", "cinc": "cinc1"})
    side2 = table.rename({"ccode": "ccode2", "cinc": "cinc2"})
    panel = dyads.join(side1, on="ccode1", maintain_order="left").join(side2, on=["ccode2", "year"], maintain_order="left")
    previous = panel.select(
        "ccode1",
        "ccode2",
        (pl.col("year") + 1).alias("year"),
        cinc1_prev="cinc1",
        cinc2_prev="cinc2",
    )
    events = (
        panel.join(previous, on=["ccode1", "ccode2", "year"], maintain_order="left")
        .filter(
            (pl.col("cinc1") > pl.col("cinc2")) & (pl.col("cinc1_prev") <= pl.col("cinc2_prev"))
        )
        .with_columns(ratio=pl.col("cinc2") / pl.col("cinc1"))
    )
    if eligible is not None:
        events = events.join(eligible, on=["ccode1", "ccode2", "year"], how="semi")
    events = _span_filter(events, years)
    columns = ["ccode1", "ccode2", "year", "cinc1", "cinc2", "cinc1_prev", "cinc2_prev", "ratio"]
    if parity is None:
        return events.select(columns).sort("year", "ccode1", "ccode2")
    if not 0.0 < parity <= 1.0:
        raise FoedusError(
            f"parity threshold {parity} is not a fraction",
            where=where,
            fix="pass a number in (0, 1], e.g. 0.8",
        )
    runs = (
        panel.sort("ccode1", "ccode2", "year")
        .with_columns(
            at_parity=pl.min_horizontal("cinc1", "cinc2") / pl.max_horizontal("cinc1", "cinc2")
            >= parity
        )
        .with_columns(
            run=(
                (pl.col("at_parity") != pl.col("at_parity").shift(1))
                | (pl.col("year") != pl.col("year").shift(1) + 1)
            )
            .fill_null(True)
            .cum_sum()
            .over("ccode1", "ccode2")
        )
        .filter("at_parity")
        .with_columns(
            parity_start=pl.col("year").min().over("ccode1", "ccode2", "run"),
            parity_end=pl.col("year").max().over("ccode1", "ccode2", "run"),
        )
        .select("ccode1", "ccode2", "year", "parity_start", "parity_end")
    )
    same = events.join(runs, on=["ccode1", "ccode2", "year"], how="left", maintain_order="left")
    before = events.select("ccode1", "ccode2", "year", lookup=pl.col("year") - 1).join(
        runs.rename({"year": "lookup", "parity_start": "start0", "parity_end": "end0"}),
        on=["ccode1", "ccode2", "lookup"],
        how="left", maintain_order="left",
    )
    return (
        same.join(before.drop("lookup"), on=["ccode1", "ccode2", "year"], how="left", maintain_order="left")
        .with_columns(
            parity_start=pl.coalesce("parity_start", "start0"),
            parity_end=pl.coalesce("parity_end", "end0"),
        )
        .select(*columns, "parity_start", "parity_end")
        .sort("year", "ccode1", "ccode2")
    )


def emerging_powers(
    nmc: pl.DataFrame,
    window: int = 10,
    *,
    top: int | None = 10,
    years: YearsArg = None,
    growth: Growth = "absolute",
    min_share: float = 0.0,
) -> pl.DataFrame:
    """The states whose share of system capabilities grew fastest over ``window`` years.

    A state's share in a year is its CINC over the summed CINC of every state with a CINC that
    year (:func:`cinc_shares`, ``group="all"``). For each year ``t`` and state with a share in
    both ``t − window`` and ``t``, ``growth`` is

    * ``"absolute"`` (default): ``share_t − share_{t−window}``, the gain in share of the system's
      capabilities (a fraction; ×100 for percentage points);
    * ``"log"``: ``ln(share_t / share_{t−window})``, proportional growth (dominated by small
      states unless ``min_share`` excludes them).

    States with a share below ``min_share`` in ``t`` are left out. A state new to the system (no
    CINC in ``t − window``) is not ranked: a missing CINC is not a share of 0. ``years`` selects
    the end years ``t``.

    Returns ``year, rank, ccode, share, share_start, growth`` — the ``top`` states per year by
    growth (``rank`` 1 = fastest; ties by smaller code), or all when ``top=None``.

    Example:
        >>> import polars as pl
        >>> nmc = pl.DataFrame({"ccode": [2, 2, 710, 710, 365, 365], "year": [1990, 2000] * 3,
        ...                     "cinc": [0.5, 0.4, 0.2, 0.4, 0.3, 0.2]})
        >>> emerging_powers(nmc, 10, top=1).select("year", "rank", "ccode").rows()
        [(2000, 1, 710)]
    """
    if window < 1:
        raise FoedusError(
            f"window {window} is not a positive number of years",
            where="emerging_powers",
            fix="pass e.g. window=10",
        )
    if growth not in ("absolute", "log"):
        raise FoedusError(
            f"unknown growth '{growth}'", where="emerging_powers", fix="use 'absolute' or 'log'"
        )
    shares = cinc_shares(nmc).drop_nulls("share").select("ccode", "year", "share")
    start = shares.select("ccode", (pl.col("year") + window).alias("year"), share_start="share")
    change = (
        pl.col("share") - pl.col("share_start")
        if growth == "absolute"
        else (pl.col("share") / pl.col("share_start")).log()
    )
    out = (
        _span_filter(shares.join(start, on=["ccode", "year"], maintain_order="left"), years)
        .filter(pl.col("share") >= min_share)
        .with_columns(growth=change)
        .filter(pl.col("growth").is_finite())
        .sort(["year", "growth", "ccode"], descending=[False, True, False])
        .with_columns(rank=pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("year"))
    )
    if top is not None:
        out = out.filter(pl.col("rank") <= top)
    return out.select("year", "rank", "ccode", "share", "share_start", "growth")
