"""How often an instrument of military diplomacy was followed by a defence pact (descriptive).

For each instrument, the *onset* events are the first year a pair of states used it (DCAD
signature, first SIPRI arms order, first joint multilateral exercise in MME, first US training
(FMTR) year or first US defence-leader visit). Among onsets in years when the pair had no ATOP
defence obligation (either direction), the conversion rate is the share followed by one within
five years (ATOP 5.1, so onsets up to 2013), with a Wilson 95% interval. It is an association
observed in the data, not a causal effect; the impact estimates will replace it.

Example:
    >>> rates = conversion_rates(wh)  # doctest: +SKIP
    >>> rates["dca"]["n"] > 100  # doctest: +SKIP
    True
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

__all__ = ["HORIZON", "conversion_rates", "wilson"]

HORIZON = 5
_CACHE: dict[str, dict[str, Any]] = {}
_LAST_ONSET = 2018 - HORIZON


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float | None, float | None]:
    """Wilson score interval for k successes in n trials.

    Example:
        >>> [round(x, 4) for x in wilson(5, 10)]
        [0.2366, 0.7634]
    """
    if n == 0:
        return None, None
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return c - h, c + h


def _pairs(df: pl.DataFrame, a: str, b: str, year: str) -> pl.DataFrame:
    return (df.select(pl.min_horizontal(a, b).alias("a"), pl.max_horizontal(a, b).alias("b"),
                      pl.col(year).alias("year"))
            .drop_nulls().filter(pl.col("a") != pl.col("b"))
            .group_by("a", "b").agg(pl.col("year").min()))


def _events(wh: Any) -> dict[str, tuple[pl.DataFrame, str]]:
    out: dict[str, tuple[pl.DataFrame, str]] = {}
    if wh.has("dcad_agreements"):
        out["dca"] = (_pairs(wh.table("dcad_agreements"), "ccode1", "ccode2", "sign_year"),
                      "DCAD signature")
    if wh.has("sipri_arms_deals"):
        out["arms"] = (_pairs(wh.table("sipri_arms_deals"), "ccode_supplier", "ccode_recipient",
                              "order_year"), "first SIPRI arms order")
    if wh.has("mme_participants"):
        p = wh.table("mme_participants").select("mmeid", "ccode", "year").drop_nulls().unique()
        joined = p.join(p, on="mmeid", suffix="_2", maintain_order="left").filter(pl.col("ccode") < pl.col("ccode_2"))
        out["exercises"] = (_pairs(joined, "ccode", "ccode_2", "year"),
                            "first joint multilateral exercise (MME)")
    if wh.has("us_training"):
        t = wh.table("us_training").select("ccode", "fiscal_year").drop_nulls()
        t = t.with_columns(pl.lit(2, dtype=pl.Int64).alias("us"))
        out["training"] = (_pairs(t, "us", "ccode", "fiscal_year"), "first US training (FMTR)")
    if wh.has("us_defense_visits"):
        v = wh.table("us_defense_visits").select("ccode", "start_year").drop_nulls()
        v = v.with_columns(pl.lit(2, dtype=pl.Int64).alias("us"))
        out["visits"] = (_pairs(v, "us", "ccode", "start_year"),
                         "first US defence-leader visit")
    return out


def conversion_rates(warehouse: Any) -> dict[str, dict[str, Any]]:
    """Per instrument: n onsets without a pact, k followed by one within 5 years, rate, interval."""
    from foedus.alliances.data import _open

    wh = _open(warehouse)
    try:
        key = str(wh.path) + "|" + (wh.active("atop_ddy").sha256 or "" if wh.has("atop_ddy")
                                    else "")
        if key in _CACHE:
            return _CACHE[key]
        if not wh.has("atop_ddy"):
            return {}
        ddy = wh.table("atop_ddy").filter(pl.col("atop_defense") == 1)
        pact_years = (ddy.select(pl.min_horizontal("ccode1", "ccode2").cast(pl.Int64).alias("a"),
                                 pl.max_horizontal("ccode1", "ccode2").cast(pl.Int64).alias("b"),
                                 pl.col("year").cast(pl.Int64)).unique())
        out: dict[str, dict[str, Any]] = {}
        for name, (events, what) in _events(wh).items():
            ev = events.with_columns(pl.col("a", "b", "year").cast(pl.Int64)).filter(
                pl.col("year") <= _LAST_ONSET)
            first_year = int(ev["year"].min()) if ev.height else None  # type: ignore[arg-type]
            had = ev.join(pact_years, on=["a", "b", "year"], how="semi")
            at_risk = ev.join(had, on=["a", "b"], how="anti")
            later = at_risk.join(pact_years, on=["a", "b"], suffix="_p", maintain_order="left").filter(
                (pl.col("year_p") > pl.col("year"))
                & (pl.col("year_p") <= pl.col("year") + HORIZON)).select("a", "b").unique()
            n, k = at_risk.height, later.height
            low, high = wilson(k, n)
            out[name] = {"instrument": name, "onset": what, "n": n, "k": k,
                         "rate": k / n if n else None, "low": low, "high": high,
                         "onset_years": f"{first_year}–{_LAST_ONSET}",
                         "first_year": first_year,
                         "source": wh.active({"dca": "dcad_agreements", "arms": "sipri_arms_deals",
                                              "exercises": "mme_participants",
                                              "training": "us_training",
                                              "visits": "us_defense_visits"}[name]).label()}
        _CACHE[key] = out
        return out
    finally:
        if wh is not warehouse:
            wh.close()
