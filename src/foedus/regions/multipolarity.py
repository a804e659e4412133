"""Multipolarity: the distribution of capabilities, the bloc structure of the alliance network,
rising and declining powers, and how emerging powers align with the established poles.

Per year (``foedus system multipolarity``):

* capability concentration among the COW major powers and among all states — CON, HHI and the
  effective number of poles (:func:`foedus.measures.structure.capability_concentration`; NMC
  v7.0, 1816–2022);
* bloc structure of the alliance network — blocs, modularity, polarisation by states and by
  CINC (:func:`foedus.measures.networks.network_years`; ATOP 5.1, 1816–2018);
* rising and declining powers — the largest gains and losses of share of world CINC and of
  world military spending (SIPRI, 1949–2023) over ``window`` years, in percentage points;
* alignment of emerging powers with the poles USA, China and Russia — UN ideal-point distance
  (all votes; 1946–2024), each pole's share of the state's arms imports (TIV) over the
  ``window`` years to ``t`` (SIPRI, 1950–2024) and exercises with each pole (MME, 1980–2010).

The emerging powers default to the BRICS members of each year other than China and Russia
(Brazil, India, South Africa; Egypt, Ethiopia, Iran and the UAE from 2024; Indonesia from 2025).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from foedus.regions.profile import _Data, _span, _years

__all__ = ["POLES", "multipolarity"]

#: The established poles: COW code → label.
POLES: dict[int, str] = {2: "USA", 710: "CHN", 365: "RUS"}


def _movers(shares: pl.DataFrame, year: int, window: int, top: int) -> dict[str, Any] | None:
    now = shares.filter(pl.col("year") == year).select("ccode", pl.col("share").alias("now"))
    before = shares.filter(pl.col("year") == year - window).select(
        "ccode", pl.col("share").alias("before"))
    if now.height == 0 or before.height == 0:
        return None
    change = now.join(before, on="ccode", maintain_order="left").with_columns(
        ((pl.col("now") - pl.col("before")) * 100).alias("change_pp"))
    rising = change.sort(["change_pp", "ccode"], descending=[True, False]).head(top)
    falling = change.sort(["change_pp", "ccode"], descending=[False, False]).head(top)

    def rows(df: pl.DataFrame) -> list[dict[str, Any]]:
        return [{"ccode": int(r["ccode"]), "share": r["now"], "share_start": r["before"],
                 "change_pp": r["change_pp"]} for r in df.iter_rows(named=True)]  # fmt: skip

    return {"rising": rows(rising), "declining": rows(falling)}


def _shares(table: pl.DataFrame | None, column: str) -> pl.DataFrame | None:
    if table is None:
        return None
    return table.drop_nulls(column).with_columns(
        (pl.col(column) / pl.col(column).sum().over("year")).alias("share")
    ).select("ccode", "year", "share")


def multipolarity(
    start: int,
    end: int,
    *,
    warehouse: Any = None,
    window: int = 10,
    top: int = 5,
    emerging: Sequence[int] | None = None,
) -> dict[str, Any]:
    """The multipolarity report for ``start``–``end`` (JSON-ready dict).

    ``years``: one dict per year with ``con_majors``, ``effective_poles_majors``,
    ``effective_poles_all``, ``leader``, the alliance network's ``blocs``, ``modularity``,
    ``polarisation``, ``polarisation_cinc``, and ``cinc_movers`` / ``milex_movers`` (rising and
    declining over ``window`` years, percentage points). ``alignment``: one row per emerging
    power and year with the UN distance to each pole, the poles' shares of its arms imports and
    its exercises with each pole. Null outside each source's years.

    Example:
        >>> out = multipolarity(2010, 2012, warehouse=wh)  # doctest: +SKIP
        >>> round(out["years"][0]["effective_poles_majors"], 2)  # doctest: +SKIP
        3.9
    """
    from foedus.measures.networks import network_years
    from foedus.measures.structure import capability_concentration
    from foedus.regions.groupings import grouping_members

    years = _years(start, end)
    if window < 1:
        from foedus.errors import FoedusError

        raise FoedusError(f"window {window} is not a positive number of years",
                          fix="pass e.g. --window 10")  # fmt: skip
    data = _Data(warehouse)
    rows: dict[int, dict[str, Any]] = {y: {"year": y} for y in years}
    nmc = data.nmc
    majors = data.table("cow_majors", "COW major powers (concentration among majors)")
    if nmc is not None:
        span = _span(nmc)
        assert span is not None
        inside = [y for y in years if span[0] <= y <= span[1]]
        if inside and majors is not None:
            con = capability_concentration(nmc, group="majors", majors=majors,
                                           years=(inside[0], inside[-1]))  # fmt: skip
            for r in con.iter_rows(named=True):
                rows[int(r["year"])].update({
                    "con_majors": r["con"], "hhi_majors": r["hhi"],
                    "effective_poles_majors": r["effective_poles"], "n_majors": r["n"],
                    "leader": r["leader"], "leader_share_majors": r["leader_share"]})  # fmt: skip
        if inside:
            con = capability_concentration(nmc, group="all", years=(inside[0], inside[-1]))
            for r in con.iter_rows(named=True):
                rows[int(r["year"])].update({"con_all": r["con"],
                                             "effective_poles_all": r["effective_poles"]})  # fmt: skip
    atop = data.atop
    span = _span(atop)
    if atop is not None and span is not None and nmc is not None:
        inside = [y for y in years if span[0] <= y <= span[1]]
        if inside:
            states = nmc.select("ccode", "year").filter(pl.col("year").is_in(inside))
            net = network_years(atop.filter(pl.col("year").is_in(inside)),
                                (inside[0], inside[-1]), states=states, capabilities=nmc)  # fmt: skip
            for r in net.iter_rows(named=True):
                rows[int(r["year"])].update({
                    "alliance_blocs": r["blocs"], "largest_bloc": r["largest_bloc"],
                    "modularity": r["modularity"], "polarisation": r["polarisation"],
                    "polarisation_cinc": r["polarisation_cinc"]})  # fmt: skip
    cinc_shares = _shares(nmc, "cinc")
    milex_shares = _shares(data.milex, "sipri_milex")
    for y in years:
        rows[y]["cinc_movers"] = _movers(cinc_shares, y, window, top) if cinc_shares is not None else None
        rows[y]["milex_movers"] = (_movers(milex_shares, y, window, top)
                                   if milex_shares is not None else None)  # fmt: skip
    alignment = _alignment(data, years, window, emerging, grouping_members)
    from foedus.regions.profile import _coverage

    coverage = _coverage(data)
    return {
        "from": start, "to": end, "window": window,
        "poles": {str(k): v for k, v in POLES.items()},
        "emerging": ("BRICS members of each year other than China and Russia"
                     if emerging is None else sorted(int(c) for c in emerging)),
        "years": [rows[y] for y in years],
        "alignment": alignment,
        "coverage": coverage, "sources": list(data.used.values()),
        "notes": [f"{k}: {v[0]}–{v[1]}; null outside" for k, v in coverage.items() if v],
    }  # fmt: skip


def _alignment(data: _Data, years: list[int], window: int, emerging: Sequence[int] | None,
               grouping_members: Any) -> list[dict[str, Any]]:  # fmt: skip
    ideal = data.ideal
    ideal_span = _span(ideal)
    deliveries = data.deliveries
    arms_span = data.arms_years
    mme = data.mme
    mme_span = _span(mme)
    out = []
    for y in years:
        states = (sorted(int(c) for c in emerging) if emerging is not None else sorted(
            m["ccode"] for m in grouping_members("BRICS", y) if m["ccode"] not in (710, 365)))  # fmt: skip
        if not states:
            continue
        points = {}
        if ideal is not None and ideal_span and ideal_span[0] <= y <= ideal_span[1]:
            points = dict(ideal.filter(pl.col("year") == y).select("ccode", "idealpoint").iter_rows())
        imports = None
        if deliveries is not None and arms_span and arms_span[0] <= y <= arms_span[1]:
            lo = max(y - window + 1, arms_span[0])
            imports = deliveries.filter(pl.col("year").is_between(lo, y)
                                        & pl.col("ccode2").is_in(states))  # fmt: skip
        per_ex = None
        if mme is not None and mme_span and mme_span[0] <= y <= mme_span[1]:
            per_ex = mme.filter(pl.col("year") == y).group_by("mme_uid").agg(pl.col("ccode").unique())
        for state in states:
            row: dict[str, Any] = {"year": y, "ccode": state}
            for pole, label in POLES.items():
                row[f"un_distance_{label}"] = (abs(points[state] - points[pole])
                                               if state in points and pole in points else None)  # fmt: skip
            dists = {label: row[f"un_distance_{label}"] for label in POLES.values()
                     if row[f"un_distance_{label}"] is not None}  # fmt: skip
            row["closest_pole_un"] = min(dists, key=dists.get) if dists else None  # type: ignore[arg-type]
            if imports is not None:
                mine = imports.filter(pl.col("ccode2") == state)
                total = float(mine["tiv"].sum())
                row["arms_imports_tiv"] = total
                for pole, label in POLES.items():
                    part = float(mine.filter(pl.col("ccode1") == pole)["tiv"].sum())
                    row[f"arms_share_{label}"] = part / total if total > 0 else None
            else:
                row["arms_imports_tiv"] = None
                row.update({f"arms_share_{label}": None for label in POLES.values()})
            for pole, label in POLES.items():
                row[f"exercises_{label}"] = (
                    sum(1 for codes in per_ex["ccode"] if state in codes and pole in codes)
                    if per_ex is not None else None)  # fmt: skip
            out.append(row)
    return out
