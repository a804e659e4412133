"""Predicted dispute risk for dyads whose defence tie a scenario changes.

Model: the dangerous-dyads recipe (:func:`foedus.models.recipes.dangerous_dyads`, Bremer 1992 as
in peacesciencer's vignette): logit of GML MID onset on politically relevant non-directed
dyad-years 1816–2010 with land contiguity, a major power in the dyad, an ATOP defence pact,
log capability preponderance, weak-link militarisation and cubic peace-years, dyad-clustered
SEs. It is fitted once per process and warehouse (about ten seconds).

For each dyad the profile uses its own covariates at the latest year the data cover (COW direct
contiguity ≤ 2016, NMC ≤ 2016, COW major powers ≤ 2016) and the peace-years term at its sample
mean (the scenario says nothing about the dyad's dispute history); the prediction is made with
the defence pact as in the base and as in the scenario, with 95% intervals from the model's
covariance (:meth:`foedus.models.runner.ModelResult.predict`). The difference is the model's
association, not a causal effect (the model has no democracy or development controls; see
docs/models.md).

Example:
    >>> out = dyad_risk([((365, 366), 1)], data, 2026, wh)  # doctest: +SKIP
    >>> out["dyads"][0]["scenario"]["probability"] < out["dyads"][0]["base"]["probability"]  # doctest: +SKIP
    True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import polars as pl

from foedus.alliances.data import AllianceData

__all__ = ["dyad_risk", "fitted_model"]

_MODELS: dict[str, Any] = {}


def fitted_model(warehouse: Any) -> Any:
    """The dangerous-dyads recipe result for ``warehouse`` (cached per process)."""
    from foedus.alliances.data import _open
    from foedus.models.recipes import dangerous_dyads

    wh = _open(warehouse)
    try:
        key = str(wh.path) + "|" + "|".join(
            wh.active(t).sha256 or "" for t in ("gml_mid_ddydisps", "atop_ddy", "nmc")
            if wh.has(t))
        if key not in _MODELS:
            _MODELS[key] = dangerous_dyads(wh)
        return _MODELS[key]
    finally:
        if wh is not warehouse:
            wh.close()


def _profile(a: int, b: int, data: AllianceData, year: int, contig: set[tuple[int, int]],
             majors: frozenset[int], nmc_year: int) -> dict[str, float] | None:
    values = data.nmc_year(nmc_year) or {}
    va, vb = values.get(a), values.get(b)
    if va is None or vb is None:
        return None
    ca, cb, pa, pb, na, nb = va[0], vb[0], va[2], vb[2], va[5], vb[5]
    if ca is None or cb is None or pa is None or pb is None or not na or not nb:
        return None
    if ca + cb <= 0:
        return None
    return {
        "landcontig": float((a, b) in contig or (b, a) in contig),
        "cowmajdyad": float(a in majors or b in majors),
        "caprat": math.log(max(ca, cb) / (ca + cb)),
        "minmilit": min(pa / na * 1000, pb / nb * 1000),
    }


def dyad_risk(pairs: Sequence[tuple[tuple[int, int], int]], data: AllianceData, year: int,
              warehouse: Any) -> dict[str, Any]:
    """Base and scenario MID-onset probabilities for ``((a, b), defence_in_scenario)`` pairs."""
    from foedus.alliances.data import _open

    res = fitted_model(warehouse)
    model = res.model
    span = data.nmc_span()
    nmc_year = min(year, span[1]) if span else year
    wh = _open(warehouse)
    try:
        contig_df = wh.table("cow_contdir").filter(pl.col("conttype") == 1)
        last = contig_df["enddate"].max()
        contig = {(int(x), int(y)) for x, y, e in contig_df.select(
            "ccode1", "ccode2", "enddate").iter_rows() if e == last}
    finally:
        if wh is not warehouse:
            wh.close()
    majors = data.majors_in(min(year, 2016)) or frozenset()
    rows = []
    for (a, b), scen_value in pairs:
        profile = _profile(a, b, data, year, contig, majors, nmc_year)
        entry: dict[str, Any] = {"a": data.states.abb(a), "b": data.states.abb(b),
                                 "defence_pact": {"base": 1 - scen_value, "scenario": scen_value}}
        if profile is None:
            entry["note"] = "no NMC values for one of the states: not predicted"
            rows.append(entry)
            continue
        pred = model.predict([profile | {"atop_defense": float(1 - scen_value)},
                              profile | {"atop_defense": float(scen_value)}])
        for name, i in (("base", 0), ("scenario", 1)):
            entry[name] = {"probability": float(pred["probability"][i]),
                           "conf_low": float(pred["conf_low"][i]),
                           "conf_high": float(pred["conf_high"][i])}
        entry["profile"] = profile
        entry["change"] = entry["scenario"]["probability"] - entry["base"]["probability"]
        rows.append(entry)
    coef = model.coefficient("atop_defense")
    return {
        "model": "dangerous-dyads (Bremer 1992 design, peacesciencer vignette): logit of GML MID "
                 "onset, politically relevant dyad-years 1816–2010, dyad-clustered SEs",
        "n": res.n,
        "atop_defense": {k: coef.get(k) for k in ("estimate", "std_error", "p_value",
                                                  "conf_low", "conf_high") if k in coef},
        "profile_rule": f"covariates at {nmc_year} (NMC), COW contiguity and majors at their last "
                        "year; peace-years at the sample mean; 95% intervals",
        "dyads": rows,
    }
