"""Ranked options: which partner and which instrument best serve a state's objective.

For a state S, an objective and a year, every other system member P with capability data is a
candidate partner, and every requested instrument an option. Each option is scored in points
(hundredths) of the objective's measure, with every factor shown:

* **support probability** ``q``: the chance that P fights for S after the instrument. For a new
  defence pact it is the honouring probability of an unconditional, in-force defence obligation in
  the year's era (:mod:`foedus.scenarios.params`); for another instrument it is that times the
  instrument's observed conversion rate into a defence pact within five years
  (:mod:`foedus.scenarios.conversion`). If P already owes S defence, only the increase counts.
  If P owes the rival (``deter``) a defence obligation, ``q`` is multiplied by the "cannot be
  judged" factor (P is bound to both sides).
* **gain** by objective:

  - ``deter:RIVAL`` — 100 × the change in S's expected share of the S-versus-RIVAL capability
    balance (CINC): each side's own CINC plus Σ honouring probability × CINC of the states owing it
    defence (:func:`foedus.scenarios.run.expected_balance`), with P added at ``q``;
  - ``capability`` — 100 × ``q`` × P's CINC (expected CINC added, in points of world capability);
  - ``alignment`` — 100 × ``q``-weighted change in the alliance-portfolio similarity of S and P
    (Signorino & Ritter S, valued ties, squared distance) when a defence tie is added;
  - ``burden`` — 100 × ``q`` × P's military expenditure / S's (SIPRI, constant 2022 US$): the
    expected addition to S's side as a share of S's own spending.
* **entrapment** ``e``: (share of the last ten years covered by UCDP/PRIO ACD in which P was a
  primary party to an interstate or internationalised armed conflict) × S's own honouring
  probability — for a defence pact only (other instruments carry no obligation): the annual
  probability that S is called on, and honours, P's war. It discounts the gain by
  ``w_entrapment × e`` (default weight 1 — a value judgement, varied in the sensitivity check).
* **political distance**: the support probability is scaled by ``1 − w_distance × d / d_max``,
  ``d`` the distance of S's and P's UN General Assembly ideal points (Bailey, Strezhnev & Voeten)
  and ``d_max`` the largest among the candidates: a linear assumption (states far apart in
  foreign policy are less likely to support each other), default weight 1, varied in the
  sensitivity check. States without an ideal point (not UN members) are left out and listed.
* **regime**: the support probability is scaled by ``1 + w_regime × (polyarchy − 0.5)``, with P's
  V-Dem electoral democracy index (0–1). The published evidence points both ways — Leeds (2003,
  1816–1944) finds nondemocracies more likely to violate commitments, Gartzke & Gleditsch (2004)
  find democracies less reliable — so the default weight is 0 (the factor is shown, contributing
  nothing) and the sensitivity check moves it to ±0.5.

``score = gain × (1 − w_entrapment × e)``; the factors shown (gain before the discounts, the
political-distance and regime contributions, the entrapment contribution) add up to the score. Intervals come from the low/high ends of the
honouring rates and the conversion intervals. The sensitivity check re-ranks the options with
each parameter at its low and high end and reports how the top N changes.

Example:
    >>> rec = recommend("JPN", "deter:CHN", warehouse=wh)  # doctest: +SKIP
    >>> rec["options"][0]["partner"]  # doctest: +SKIP
    'RUS'
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from foedus.errors import FoedusError
from foedus.scenarios.params import BIBTEX, ParameterTable, load_table
from foedus.scenarios.spec import INSTRUMENTS

__all__ = ["OBJECTIVES", "parse_objective", "recommend"]

OBJECTIVES = ("deter", "capability", "alignment", "burden")
US_ONLY = ("training", "visits")


def parse_objective(text: str) -> tuple[str, str | None]:
    """``deter:CHN`` → ``("deter", "CHN")``; others take no argument.

    Example:
        >>> parse_objective("deter:CHN"), parse_objective("burden")
        (('deter', 'CHN'), ('burden', None))
    """
    kind, _, arg = text.strip().partition(":")
    kind = kind.lower()
    if kind not in OBJECTIVES:
        raise FoedusError(f"unknown objective '{text}'", where="--objective",
                          fix="use deter:RIVAL, capability, alignment or burden")
    if kind == "deter" and not arg.strip():
        raise FoedusError("deter needs a rival", where="--objective", fix="e.g. deter:CHN")
    if kind != "deter" and arg:
        raise FoedusError(f"objective '{kind}' takes no argument", where="--objective",
                          fix=f"write {kind}")
    return kind, (arg.strip() or None)


def _parse_instruments(values: Sequence[str] | None) -> list[str]:
    if not values:
        return list(INSTRUMENTS)
    out = []
    for v in values:
        for part in v.split(","):
            p = part.strip().lower()
            if not p:
                continue
            if p not in INSTRUMENTS:
                raise FoedusError(f"unknown instrument '{p}'", where="--instruments",
                                  fix="use some of: " + ",".join(INSTRUMENTS))
            if p not in out:
                out.append(p)
    return out


def _entrapment_rates(warehouse: Any, year: int) -> tuple[dict[int, float], str]:
    import polars as pl

    from foedus.alliances.data import _open
    from foedus.scenarios.deltas import _codes

    wh = _open(warehouse)
    try:
        if not wh.has("ucdp_acd"):
            return {}, "no UCDP/PRIO ACD in the warehouse: entrapment not computed"
        acd = wh.table("ucdp_acd")
        last = min(year, int(acd["year"].max()))  # type: ignore[arg-type]
        first = last - 9
        rows = acd.filter(pl.col("year").is_between(first, last)
                          & pl.col("type_of_conflict").is_in(["interstate", "II"]))
        years: dict[int, set[int]] = {}
        for r in rows.iter_rows(named=True):
            for c in _codes(r["gwno_a"], r["gwno_b"]):
                years.setdefault(c, set()).add(int(r["year"]))
        label = wh.active("ucdp_acd").label()
        return ({c: len(ys) / 10.0 for c, ys in years.items()},
                f"UCDP/PRIO ACD ({label}), {first}–{last}: share of years in an interstate or "
                "internationalised armed conflict")
    finally:
        if wh is not warehouse:
            wh.close()


def _ideal_points(warehouse: Any, year: int) -> tuple[dict[int, float], str]:
    import polars as pl

    from foedus.alliances.data import _open

    wh = _open(warehouse)
    try:
        if not wh.has("unga_ideal_points"):
            return {}, "no UN ideal points in the warehouse: political distance not used"
        df = wh.table("unga_ideal_points").select("ccode", "year", "idealpoint").drop_nulls()
        y = min(year, int(df["year"].max()))  # type: ignore[arg-type]
        df = df.filter(pl.col("year") == y)
        label = wh.active("unga_ideal_points").label()
        return ({int(c): float(v) for c, v in df.select("ccode", "idealpoint").iter_rows()},
                f"UN General Assembly ideal points (Bailey, Strezhnev & Voeten; {label}), {y}")
    finally:
        if wh is not warehouse:
            wh.close()


def _polyarchy(warehouse: Any, year: int) -> tuple[dict[int, float], str]:
    import polars as pl

    from foedus.alliances.data import _open

    wh = _open(warehouse)
    try:
        if not wh.has("cow_democracy"):
            return {}, "no democracy table in the warehouse: regime factor not used"
        df = wh.table("cow_democracy").select("ccode", "year", "v2x_polyarchy").drop_nulls()
        y = min(year, int(df["year"].max()))  # type: ignore[arg-type]
        df = df.filter(pl.col("year") == y)
        label = wh.active("cow_democracy").label()
        return ({int(c): float(v) for c, v in df.select("ccode", "v2x_polyarchy").iter_rows()},
                f"V-Dem electoral democracy index v2x_polyarchy ({label}), {y}")
    finally:
        if wh is not warehouse:
            wh.close()


def _alignment_gain(data: Any, year: int, state: int, members: list[int]) -> dict[int, float]:
    """Change in S(S, P) (valued, squared, unweighted) if S and P add a defence tie."""
    from foedus.scenarios.system import obligation_dyads

    ddy = obligation_dyads(data, year)
    index = {c: i for i, c in enumerate(members)}
    k = len(members)
    ties = np.zeros((k, k))
    scale = {"atop_defense": 3, "atop_offense": 3, "atop_neutral": 2, "atop_nonagg": 2,
             "atop_consul": 1}
    for row in ddy.iter_rows(named=True):
        a, b = index.get(row["ccode1"]), index.get(row["ccode2"])
        if a is None or b is None:
            continue
        ties[a, b] = max([ties[a, b]] + [v for c, v in scale.items() if row[c]])
    np.fill_diagonal(ties, 3.0)
    s = index[state]
    x = ties[s]
    before = 1 - 2 * ((ties - x[None, :]) ** 2).sum(axis=1) / (9.0 * k)
    out = {}
    for p, i in index.items():
        if p == state:
            continue
        x2 = x.copy()
        y2 = ties[i].copy()
        x2[i] = 3.0
        y2[s] = 3.0
        after = 1 - 2 * ((y2 - x2) ** 2).sum() / (9.0 * k)
        out[p] = float(after - before[i])
    return out


def _gain(ctx: dict[str, Any], info: dict[str, Any], inst: str, q: float, conv_rate: float,
          kind: str) -> float:
    """The objective's gain (points) when P supports S with probability ``q``."""
    q_inc = max(0.0, q - info["p_existing"]) if inst == "alliance" else \
        q * (1 - info["p_existing"])
    if kind == "deter":
        s_tot, r_tot = ctx["s_total"], ctx["r_total"]
        add = q_inc * (info["cinc"] or 0.0)
        return 100 * ((s_tot + add) / (s_tot + add + r_tot) - s_tot / (s_tot + r_tot))
    if kind == "capability":
        return 100 * q_inc * (info["cinc"] or 0.0)
    if kind == "alignment":
        return 100 * info["align"] * (q / ctx["q_all"] if ctx["q_all"] else 0.0)
    own = ctx["own_milex"]
    return 100 * q_inc * (info["milex"] or 0.0) / own if own else 0.0


def _score_options(ctx: dict[str, Any], params: ParameterTable, conv: dict[str, Any],
                   w_ent: float, which: str = "value", w_dist: float = 1.0,
                   w_reg: float = 0.0) -> list[dict[str, Any]]:
    """Score every candidate × instrument with the parameters' ``which`` end."""
    def pv(key: str) -> float:
        row = params.rows[key]
        return getattr(row, which) if which in ("low", "high") else row.value

    era = params.era(ctx["year"])
    q_all = min(pv("cap"), pv(f"era:{era}") * pv("type:defense") / params.value("overall"))
    f_cbj = params.value("factor:cannot_be_judged")
    ctx["q_all"] = q_all
    out = []
    kind = ctx["kind"]
    for p in ctx["candidates"]:
        info = ctx["info"][p]
        for inst in ctx["instruments"]:
            if inst in US_ONLY and 2 not in (p, ctx["state"]):
                continue
            if inst == "alliance":
                conv_rate, conv_note = 1.0, "a defence pact itself"
            else:
                c = conv.get(inst)
                if c is None or c["rate"] is None:
                    continue
                conv_rate = c[which] if which in ("low", "high") else c["rate"]
                conv_note = f"{c['k']}/{c['n']} onsets followed by a pact within 5 years"
            q0 = q_all * conv_rate
            if info["owes_rival"]:
                q0 *= f_cbj
            discount = 1.0 - w_dist * info["distance"] / ctx["d_max"] if ctx["d_max"] else 1.0
            poly = info["polyarchy"]
            regime = 1.0 + w_reg * (poly - 0.5) if poly is not None else 1.0
            gain0, gain_d, gain = (_gain(ctx, info, inst, q, conv_rate, kind)
                                   for q in (q0, q0 * discount, q0 * discount * regime))
            q = q0 * discount * regime
            q_inc = max(0.0, q - info["p_existing"]) if inst == "alliance" else \
                q * (1 - info["p_existing"])
            ent = info["conflict_rate"] * q_all if inst == "alliance" else 0.0
            penalty = min(1.0, w_ent * ent)
            score = gain * (1.0 - penalty)
            out.append({
                "partner": info["abb"], "instrument": inst, "score": score,
                "factors": {
                    "gain": gain0,
                    "political_distance": gain_d - gain0,
                    "entrapment": -gain * penalty,
                    "regime": gain - gain_d,
                },
                "inputs": {
                    "support_probability": q, "support_increment": q_inc,
                    "honouring_rate": q_all, "conversion_rate": conv_rate,
                    "conversion_basis": conv_note,
                    "already_bound_probability": info["p_existing"],
                    "owes_rival_defence": info["owes_rival"],
                    "partner_cinc": info["cinc"], "partner_milex": info["milex"],
                    "partner_conflict_years_share": info["conflict_rate"],
                    "entrapment_probability": ent,
                    "alignment_change_if_pact": info["align"],
                    "un_ideal_point_distance": info["distance"],
                    "distance_discount": discount,
                    "partner_polyarchy": poly,
                    "regime_multiplier": regime,
                },
            })
    out.sort(key=lambda o: (-o["score"], o["partner"], o["instrument"]))
    return out


def recommend(
    state: str,
    objective: str,
    *,
    instruments: Sequence[str] | None = None,
    year: int | None = None,
    top: int = 10,
    warehouse: Any = None,
    table: ParameterTable | None = None,
    w_entrapment: float = 1.0,
    w_distance: float = 1.0,
    w_regime: float = 0.0,
) -> dict[str, Any]:
    """Ranked partner × instrument options for ``state`` and ``objective`` (module docstring)."""
    from foedus.alliances.data import check_year, get_data, last_year
    from foedus.alliances.defence import _responders
    from foedus.scenarios.conversion import conversion_rates
    from foedus.scenarios.system import capabilities, system_members

    started = time.perf_counter()
    kind, rival_name = parse_objective(objective)
    insts = _parse_instruments(instruments)
    if top < 1:
        raise FoedusError(f"--top must be at least 1, not {top}", fix="e.g. --top 10")
    y = check_year(year if year is not None else last_year())
    data = get_data(warehouse)
    params = table if table is not None else load_table()
    s = data.states.resolve(state)
    if not s.in_system(y):
        raise FoedusError(f"{s.label()} is not a state in {y}", fix="choose another year")
    rival = data.states.resolve(rival_name, what="rival") if rival_name else None
    if rival is not None and rival.ccode == s.ccode:
        raise FoedusError("the rival is the state itself", where="--objective",
                          fix="name another state")
    caps = capabilities(data, y, warehouse)
    cinc = {c: v.get("cinc") for c, v in caps.values.items()}
    members = system_members(data, y)
    conv = conversion_rates(warehouse) if any(i != "alliance" for i in insts) else {}
    conv_all = dict(conv)
    uncovered = [i for i in insts if i != "alliance" and (
        i not in conv or conv[i]["first_year"] is None or y < conv[i]["first_year"])]
    insts = [i for i in insts if i not in uncovered]
    if not insts:
        raise FoedusError(f"none of the instruments {', '.join(uncovered)} is covered by the data "
                          f"in {y}", where="--instruments",
                          fix="add alliance, or choose a year the instruments' data cover")
    conv = {k: v for k, v in conv.items() if k in insts}
    ent_rates, ent_note = _entrapment_rates(warehouse, y)
    # existing support probabilities toward S (direct defence obligations, attack on S's territory)
    adv = (rival.ccode,) if rival else ()
    a = _responders(data, s.ccode, y, list(adv), s.ccode, None, 1)
    p_existing: dict[int, float] = {}
    for o in a.defence:
        if o.possible:
            p_existing[o.state] = max(p_existing.get(o.state, 0.0), params.probability(
                "defense", y, o.verdict, o.status))
    rival_allies: dict[int, float] = {}
    ctx: dict[str, Any] = {"year": y, "kind": kind, "state": s.ccode, "instruments": insts}
    if rival is not None:
        ra = _responders(data, rival.ccode, y, [s.ccode], rival.ccode, None, 1)
        for o in ra.defence:
            if o.possible:
                rival_allies[o.state] = max(rival_allies.get(o.state, 0.0), params.probability(
                    "defense", y, o.verdict, o.status))
        own_s, own_r = cinc.get(s.ccode), cinc.get(rival.ccode)
        if own_s is None or own_r is None:
            raise FoedusError(f"no CINC for {s.abb if own_s is None else rival.abb} in the NMC "
                              f"data used ({caps.nmc_year})", fix="choose another year")
        ctx["s_total"] = own_s + sum(p * (cinc.get(c) or 0.0) for c, p in p_existing.items())
        ctx["r_total"] = own_r + sum(p * (cinc.get(c) or 0.0) for c, p in rival_allies.items())
    own_milex = caps.values.get(s.ccode, {}).get("milex")
    ctx["own_milex"] = own_milex
    if kind == "burden" and not own_milex:
        raise FoedusError(f"no SIPRI military expenditure for {s.abb}", fix="choose another state")
    align = _alignment_gain(data, y, s.ccode, members) if kind == "alignment" else {}
    ideal, ideal_note = _ideal_points(warehouse, y)
    poly, poly_note = _polyarchy(warehouse, y)
    if s.ccode not in ideal and ideal:
        raise FoedusError(f"no UN ideal point for {s.abb}", where=ideal_note,
                          fix="run with w_distance=0 (--w-distance 0)")
    candidates = [c for c in members if c != s.ccode and (rival is None or c != rival.ccode)
                  and cinc.get(c) is not None and (not ideal or c in ideal)]
    dropped = [data.states.abb(c) for c in members if c != s.ccode
               and (rival is None or c != rival.ccode) and c not in candidates]
    distance = {c: abs(ideal[c] - ideal[s.ccode]) if ideal else 0.0 for c in candidates}
    ctx["d_max"] = max(distance.values(), default=0.0)
    ctx["candidates"] = candidates
    ctx["info"] = {c: {"abb": data.states.abb(c), "cinc": cinc.get(c),
                       "milex": caps.values.get(c, {}).get("milex"),
                       "p_existing": p_existing.get(c, 0.0),
                       "owes_rival": c in rival_allies, "p_rival": rival_allies.get(c, 0.0),
                       "conflict_rate": ent_rates.get(c, 0.0), "align": align.get(c, 0.0),
                       "distance": distance[c], "polyarchy": poly.get(c)}
                   for c in candidates}
    wd, wr = w_distance, w_regime
    ranked = _score_options(ctx, params, conv, w_entrapment, w_dist=wd, w_reg=wr)
    low = {(o["partner"], o["instrument"]): o["score"]
           for o in _score_options(ctx, params, conv, w_entrapment, "low", w_dist=wd, w_reg=wr)}
    high = {(o["partner"], o["instrument"]): o["score"]
            for o in _score_options(ctx, params, conv, w_entrapment, "high", w_dist=wd,
                                    w_reg=wr)}
    for opt in ranked:
        k = (opt["partner"], opt["instrument"])
        opt["interval"] = sorted([low.get(k, opt["score"]), high.get(k, opt["score"])])
    top_keys = [(o["partner"], o["instrument"]) for o in ranked[:top]]
    sensitivity = []
    variants: list[tuple[str, str, ParameterTable, dict[str, Any], float, float, float]] = []
    for key in ("era:" + params.era(y), "type:defense", "factor:cannot_be_judged"):
        for end in ("low", "high"):
            variants.append((key, end, params.with_value(key, getattr(params.rows[key], end)),
                             conv, w_entrapment, wd, wr))
    for inst in [i for i in insts if i in conv]:
        for end in ("low", "high"):
            c2 = dict(conv)
            c2[inst] = dict(conv[inst]) | {"rate": conv[inst][end]}
            variants.append((f"conversion:{inst}", end, params, c2, w_entrapment, wd, wr))
    for w in (w_entrapment * 0.5, w_entrapment * 2.0):
        variants.append(("w_entrapment", f"{w:g}", params, conv, w, wd, wr))
    for w in (0.0, wd * 0.5):
        variants.append(("w_distance", f"{w:g}", params, conv, w_entrapment, w, wr))
    for w in (wr - 0.5, wr + 0.5):
        variants.append(("w_regime", f"{w:g}", params, conv, w_entrapment, wd, w))
    for key, end, p2, c2, w, w2, w3 in variants:
        alt = _score_options(ctx, p2, c2, w, w_dist=w2, w_reg=w3)
        alt_keys = [(o["partner"], o["instrument"]) for o in alt[:top]]
        pos = {k: i for i, k in enumerate((o["partner"], o["instrument"]) for o in alt)}
        sensitivity.append({
            "parameter": key, "at": end,
            "value": (p2.rows[key].value if key in p2.rows else
                      c2[key.split(":")[1]]["rate"] if key.startswith("conversion:") else
                      w if key == "w_entrapment" else w2 if key == "w_distance" else w3),
            "top_unchanged": alt_keys == top_keys,
            "same_top_set": set(alt_keys) == set(top_keys),
            "top1": f"{alt[0]['partner']} {alt[0]['instrument']}" if alt else None,
            "rank_changes": [{"option": f"{k[0]} {k[1]}", "rank": i + 1,
                              "new_rank": pos.get(k, -1) + 1}
                             for i, k in enumerate(top_keys) if pos.get(k) != i],
        })
    for i, opt in enumerate(ranked):
        opt["rank"] = i + 1
    return {
        "state": s.abb, "objective": objective, "kind": kind,
        "rival": rival.abb if rival else None, "year": y,
        "basis": "atop" if y <= 2018 else "atop-extended",
        "instruments": insts, "w_entrapment": w_entrapment, "w_distance": wd, "w_regime": wr,
        "n_options": len(ranked),
        "options": ranked[:top],
        "sensitivity": sensitivity,
        "stable": all(v["same_top_set"] for v in sensitivity),
        "context": {
            "state_expected_cinc": ctx.get("s_total"), "rival_expected_cinc": ctx.get("r_total"),
            "existing_defenders": {data.states.abb(c): p for c, p in sorted(p_existing.items())},
            "rival_defenders": {data.states.abb(c): p for c, p in sorted(rival_allies.items())},
            "capability_data": caps.describe(),
            "conversion_rates": conv, "entrapment_data": ent_note,
            "political_distance_data": ideal_note,
            "regime_data": poly_note,
            "excluded_no_data": dropped,
            "instruments_not_covered": {
                i: (f"the {i} data begin in {conv_all[i]['first_year']}" if i in conv_all
                    else f"no {i} data in the warehouse") for i in uncovered},
        },
        "parameters": {"table": params.path, "version": params.version,
                       "rows": params.to_dicts()},
        "method": "score = gain(discounted by political distance) × (1 − w_entrapment × "
                  "entrapment probability); factors add up to the score; see docs/scenarios.md "
                  "(Recommendations) for each factor's definition",
        "references": [BIBTEX[k] for k in params.sources()],
        "seconds": round(time.perf_counter() - started, 3),
    }
