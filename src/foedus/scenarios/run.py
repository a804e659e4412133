"""Run a scenario: apply its changes, simulate the attack, compute the deltas against the base.

:func:`run_scenario` returns a :class:`ScenarioResult` (JSON-ready via ``to_dict``). The base is
the same year's alliance system without the scenario's alliance changes and participation
overrides; both are simulated with the same seed, so differences are not Monte Carlo noise in
the shared parts. After 2018 the alliance data are ATOP 5.1 carried forward plus the curated
facts (``atop-extended`` basis), and the result says so.

Example:
    >>> from foedus.scenarios import load_scenario
    >>> res = run_scenario(load_scenario("examples/baltic-2026.toml"), warehouse=wh)  # doctest: +SKIP
    >>> res.to_dict()["simulation"]["scenario"]["coalition"]["p_at_least"]["1"] > 0.9  # doctest: +SKIP
    True
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from foedus.alliances.data import ATOP_LAST_YEAR, AllianceData, coverage_text, get_data
from foedus.errors import FoedusError, ScenarioFileError
from foedus.scenarios.params import BIBTEX, ParameterTable, load_table
from foedus.scenarios.simulate import Node, simulate
from foedus.scenarios.spec import Scenario

__all__ = ["ScenarioResult", "build_nodes", "diff_results", "expected_balance", "run_scenario"]

MEASURES = ("cinc", "milex", "milper")


@dataclass
class ScenarioResult:
    """Everything a scenario run produced."""

    scenario: Scenario
    basis: str
    changes: list[dict[str, Any]]
    parameters: ParameterTable
    attack: dict[str, Any] | None
    simulation: dict[str, Any]
    deltas: dict[str, Any]
    capability_data: dict[str, Any]
    notes: list[str]
    sources: dict[str, str]
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """One JSON-ready document (deterministic for a given seed, apart from ``seconds``)."""
        return {
            "scenario": self.scenario.to_dict(),
            "year": self.scenario.year,
            "basis": self.basis,
            "changes": self.changes,
            "attack": self.attack,
            "simulation": self.simulation,
            "deltas": self.deltas,
            "capability_data": self.capability_data,
            "parameters": {"table": self.parameters.path, "version": self.parameters.version,
                           "rows": self.parameters.to_dicts()},
            "notes": self.notes,
            "sources": self.sources,
            "references": [BIBTEX[k] for k in self.parameters.sources()],
            "seconds": round(self.seconds, 3),
        }


def _params(scenario: Scenario, table: ParameterTable | None) -> ParameterTable:
    t = table if table is not None else load_table(scenario.parameters.get("table"))
    for key, row in (("correlation", "correlation"), ("cannot_be_judged", "factor:cannot_be_judged"),
                     ("signed_only", "factor:signed")):
        if key in scenario.parameters:
            t = t.with_value(row, float(scenario.parameters[key]))
    return t


def build_nodes(analysis: Any, table: ParameterTable, year: int,
                overrides: dict[int, float]) -> tuple[list[Node], list[Node]]:
    """Defender nodes (the escalation tree, breadth-first) and the attacker's offensive allies."""
    index: dict[int, int] = {}
    defenders: list[Node] = []
    for n in analysis.escalation:
        if n.ccode in overrides:
            p, basis = overrides[n.ccode], "scenario [participation]"
        else:
            p = table.probability("defense", year, n.verdict, n.status)
            basis = f"defense, {table.era(year)}, {n.verdict}, {n.status}"
        parent = -1 if n.depth == 1 else index[n.drawn_in_by]
        index[n.ccode] = len(defenders)
        defenders.append(Node(n.ccode, n.abb, n.depth, parent, n.alliance_id, p, basis))
    allies: dict[int, Node] = {}
    for o in analysis.offensive_allies:
        if not o.possible:
            continue
        if o.state in overrides:
            p, basis = overrides[o.state], "scenario [participation]"
        else:
            p = table.probability("offense", year, o.verdict, o.status)
            basis = f"offense, {table.era(year)}, {o.verdict}, {o.status}"
        kept = allies.get(o.state)
        if kept is None or p > kept.p:
            allies[o.state] = Node(o.state, o.state_abb, 1, -1, o.alliance_id, p, basis)
    return defenders, [allies[k] for k in sorted(allies)]


def expected_balance(data: AllianceData, year: int, state: int, rival: int,
                     table: ParameterTable, cinc: dict[int, float | None]) -> dict[str, Any]:
    """Expected coalition CINC of ``state`` against ``rival`` and of ``rival`` against ``state``:
    own CINC + Σ honouring probability × CINC over the direct defence obligations toward each
    (attack on its own territory), and the state's expected share of the two."""
    from foedus.alliances.defence import _responders

    out: dict[str, Any] = {}
    for side, target, attacker in (("state", state, rival), ("rival", rival, state)):
        a = _responders(data, target, year, [attacker], target, None, 1)
        best: dict[int, float] = {}
        for o in a.defence:
            if o.possible:
                best[o.state] = max(best.get(o.state, 0.0),
                                    table.probability("defense", year, o.verdict, o.status))
        own = cinc.get(target)
        allies = sum(p * (cinc.get(c) or 0.0) for c, p in best.items())
        out[side] = {"own_cinc": own, "expected_allied_cinc": allies,
                     "expected_total": None if own is None else own + allies,
                     "allies": len(best)}
    s, r = out["state"]["expected_total"], out["rival"]["expected_total"]
    out["expected_share"] = None if s is None or r is None or s + r == 0 else s / (s + r)
    return out


def _resolve(data: AllianceData, value: str, year: int, where: str) -> int:
    from foedus.scenarios.overlay import resolve_state

    return resolve_state(data, value, year, where).ccode


def run_scenario(
    scenario: Scenario,
    *,
    warehouse: Any = None,
    table: ParameterTable | None = None,
    deltas: bool = True,
) -> ScenarioResult:
    """Run ``scenario`` against the warehouse (see the module docstring)."""
    from foedus.alliances.defence import _responders
    from foedus.scenarios import deltas as d
    from foedus.scenarios.overlay import apply
    from foedus.scenarios.system import capabilities, obligation_dyads, system_members

    started = time.perf_counter()
    base = get_data(warehouse)
    year = scenario.year
    src = scenario.source
    params = _params(scenario, table)
    scen, changes = apply(scenario, base)
    labels = {c: s.abb for c, s in base.states.by_code.items()}
    notes: list[str] = []
    basis = "atop" if year <= ATOP_LAST_YEAR else "atop-extended"
    if year > ATOP_LAST_YEAR:
        notes.append("atop-extended basis: " + coverage_text())
    overrides = {_resolve(base, k, year, f"{src}: participation.{k}"): v
                 for k, v in scenario.participation.items()}
    rivals = [_resolve(base, r, year, f"{src}: rivals[{i}]") for i, r in enumerate(scenario.rivals)]
    caps = capabilities(base, year, warehouse)
    cinc = {c: v.get("cinc") for c, v in caps.values.items()}
    if caps.nmc_year is not None and caps.nmc_year < year:
        notes.append(f"CINC and military personnel are NMC {caps.nmc_year} values (the latest "
                     f"NMC year), used for {year}")
    if caps.sipri_year is not None and caps.sipri_year < year:
        notes.append(f"military expenditure is SIPRI {caps.sipri_year} (latest year in the "
                     f"data), used for {year}")
    attack_doc = None
    simulation: dict[str, Any] = {}
    rho = params.value("correlation")
    if scenario.attack is not None:
        at = scenario.attack
        target = _resolve(base, at.target, year, f"{src}: attack.target")
        attackers = [_resolve(base, a, year, f"{src}: attack.attackers[{i}]")
                     for i, a in enumerate(at.attackers)]
        location = at.location if at.location is not None else None
        try:
            analyses = {name: _responders(dd, target, year, attackers, location, at.provoked, None)
                        for name, dd in (("base", base), ("scenario", scen))}
        except ScenarioFileError:
            raise
        except FoedusError as exc:
            raise ScenarioFileError(exc.what, where=f"{src}: attack", fix=exc.fix) from None
        for name, analysis in analyses.items():
            ov = overrides if name == "scenario" else {}
            defenders, allies = build_nodes(analysis, params, year, ov)
            simulation[name] = simulate(
                defenders, allies, target=target, attackers=attackers,
                capabilities=caps.values, measures=MEASURES, draws=scenario.draws,
                seed=scenario.seed, rho=rho, labels=labels)
        a = analyses["scenario"]
        # an obligation is the scenario's when the scenario changed either party's membership
        changed = {(ch["alliance_id"], abb) for ch in changes for abb in ch["states"]}
        attack_doc = {
            "target": labels[target], "attackers": [labels[c] for c in attackers],
            "location": a.location, "provoked": at.provoked,
            "bound_certain": [labels[c] for c in a.responder_codes(certain=True)],
            "bound_possible": [labels[c] for c in a.responder_codes()],
            "obligations": [
                {"state": o.state_abb, "alliance_id": o.alliance_id, "alliance": o.alliance,
                 "kind": o.kind, "verdict": o.verdict, "status": o.status,
                 "basis": "scenario" if (o.alliance_id, o.state_abb) in changed
                 or (o.alliance_id, o.partner_abb) in changed else o.basis,
                 "conditions": [{"kind": c.kind, "verdict": c.verdict, "reason": c.reason}
                                for c in o.conditions]}
                for o in a.defence],
            "pledges_to_attacker": [
                {"state": o.state_abb, "kind": o.kind, "alliance": o.alliance,
                 "verdict": o.verdict} for o in a.pledges_to_attacker],
            "engine_notes": list(a.notes),
        }
        sb, ss = simulation["base"], simulation["scenario"]
        simulation["change"] = {
            "p_at_least_1": ss["coalition"]["p_at_least"].get("1", 0.0)
            - sb["coalition"]["p_at_least"].get("1", 0.0),
            "expected_responders": (ss["coalition"]["mean"] or 0.0) - (sb["coalition"]["mean"]
                                                                       or 0.0),
            **{f"mean_defender_{m}": _sub(ss["capabilities"][m]["defenders"]["mean"],
                                          sb["capabilities"][m]["defenders"]["mean"])
               for m in MEASURES},
            "median_defender_share_cinc": _sub(
                ss["capabilities"]["cinc"]["defender_share"]["q50"],
                sb["capabilities"]["cinc"]["defender_share"]["q50"]),
        }
    delta_doc: dict[str, Any] = {}
    if deltas:
        members = system_members(base, year)
        ddy_b, ddy_s = obligation_dyads(base, year), obligation_dyads(scen, year)
        delta_doc["bound"] = d.bound_changes(ddy_b, ddy_s, labels)
        focus: list[int] = []
        new_partners: dict[int, list[int]] = {}
        for ch in changes:
            for abb in ch["states"]:
                code = base.states.resolve(abb).ccode
                if code not in focus:
                    focus.append(code)
        for row in delta_doc["bound"]["gained"]:
            a_, b_ = base.states.resolve(row["defender"]).ccode, base.states.resolve(
                row["defended"]).ccode
            new_partners.setdefault(b_, [])
            if a_ not in new_partners[b_]:
                new_partners[b_].append(a_)
        if scenario.attack is not None:
            for code in (target, *attackers):
                if code not in focus:
                    focus.append(code)
        focus_bal = [c for c in focus if c not in rivals][:8]
        delta_doc["balances"] = [
            {"state": labels[s], "rival": labels[r],
             "base": expected_balance(base, year, s, r, params, cinc),
             "scenario": expected_balance(scen, year, s, r, params, cinc)}
            for s in focus_bal for r in rivals if s != r
        ]
        for row in delta_doc["balances"]:
            b_, s_ = row["base"]["expected_share"], row["scenario"]["expected_share"]
            row["change_in_share"] = None if b_ is None or s_ is None else s_ - b_
        if scenario.changes_alliances:
            delta_doc["network"] = d.network_delta(ddy_b, ddy_s, year, members, cinc,
                                                   focus[:8], labels)
            pair_states = list(dict.fromkeys([*focus[:8], *rivals]))
            pairs = [(a_, b_) for i, a_ in enumerate(pair_states) for b_ in pair_states[i + 1:]]
            delta_doc["similarity"] = {
                "measure": "s_un_val_sq (Signorino & Ritter S, valued ATOP ties, squared "
                           "distance, unweighted)",
                "pairs": [r for r in d.similarity_delta(ddy_b, ddy_s, year, members, pairs, labels)
                          if r["change"] is None or abs(r["change"]) > 1e-12 or len(pairs) <= 6]}
            delta_doc["entrapment"] = d.entrapment(new_partners, year, warehouse, labels) \
                if new_partners else {"exposure": [], "notes": ["no new defence partners"]}
            delta_doc["dispute_risk"] = _dispute_risk(delta_doc["bound"], base, year, warehouse,
                                                      notes)
        else:
            delta_doc["network"] = None
            delta_doc["similarity"] = None
            delta_doc["entrapment"] = None
            delta_doc["dispute_risk"] = None
            notes.append("the scenario does not change the alliance system: network, "
                          "similarity, entrapment and dispute-risk deltas are zero by construction")
    if scenario.instruments:
        notes.append("instrument changes are recorded; their effect on honouring is not modelled "
                     "(no verified estimate in the parameter table; the impact estimates will "
                     "supply one)")
    sources = dict(base.sources) | caps.sources
    return ScenarioResult(
        scenario=scenario, basis=basis, changes=changes, parameters=params, attack=attack_doc,
        simulation=simulation, deltas=delta_doc, capability_data=caps.describe(), notes=notes,
        sources=sources, seconds=time.perf_counter() - started,
        extra={"instruments": [{"kind": i.kind, "states": list(i.states), "count": i.count}
                               for i in scenario.instruments]},
    )


def _sub(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def _dispute_risk(bound: dict[str, Any], data: AllianceData, year: int, warehouse: Any,
                  notes: list[str]) -> dict[str, Any] | None:
    """Predicted MID-onset probability for dyads whose defence tie changes, from the fitted
    dangerous-dyads model (see :mod:`foedus.scenarios.risk`)."""
    from foedus.scenarios.risk import dyad_risk

    pairs: dict[tuple[int, int], int] = {}
    for row, value in [(r, 1) for r in bound["gained"]] + [(r, 0) for r in bound["lost"]]:
        a = data.states.resolve(row["defender"]).ccode
        b = data.states.resolve(row["defended"]).ccode
        pairs[(min(a, b), max(a, b))] = value
    if not pairs:
        return None
    try:
        return dyad_risk(sorted(pairs.items())[:20], data, year, warehouse)
    except FoedusError as exc:
        notes.append(f"dispute risk not computed: {exc}")
        return None


def diff_results(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Key numbers of two scenario results side by side (``b - a``).

    Example:
        >>> x = {"scenario": {"name": "A"}, "simulation": {"scenario": {"coalition":
        ...      {"mean": 2.0, "p_at_least": {"1": 0.9}}, "responders": [],
        ...      "capabilities": {}}}}
        >>> y = {"scenario": {"name": "B"}, "simulation": {"scenario": {"coalition":
        ...      {"mean": 1.0, "p_at_least": {"1": 0.6}}, "responders": [],
        ...      "capabilities": {}}}}
        >>> round(diff_results(x, y)["coalition"]["p_at_least_1"]["change"], 3)
        -0.3
    """
    def sim(r: dict[str, Any]) -> dict[str, Any]:
        return (r.get("simulation") or {}).get("scenario") or {}

    sa, sb = sim(a), sim(b)
    out: dict[str, Any] = {"a": a["scenario"]["name"], "b": b["scenario"]["name"]}
    if sa and sb:
        pa = sa["coalition"]["p_at_least"].get("1", 0.0)
        pb = sb["coalition"]["p_at_least"].get("1", 0.0)
        out["coalition"] = {
            "p_at_least_1": {"a": pa, "b": pb, "change": pb - pa},
            "expected_responders": {"a": sa["coalition"]["mean"], "b": sb["coalition"]["mean"],
                                    "change": _sub(sb["coalition"]["mean"],
                                                   sa["coalition"]["mean"])},
        }
        ra = {r["state"]: r["p_responds"] for r in sa["responders"]}
        rb = {r["state"]: r["p_responds"] for r in sb["responders"]}
        out["responders"] = sorted(
            ({"state": s, "a": ra.get(s), "b": rb.get(s),
              "change": (rb.get(s) or 0.0) - (ra.get(s) or 0.0)} for s in set(ra) | set(rb)),
            key=lambda r: (-abs(r["change"]), r["state"]))
        out["capabilities"] = {
            m: {"a": sa["capabilities"][m]["defender_share"]["q50"],
                "b": sb["capabilities"][m]["defender_share"]["q50"],
                "change": _sub(sb["capabilities"][m]["defender_share"]["q50"],
                               sa["capabilities"][m]["defender_share"]["q50"])}
            for m in sa.get("capabilities", {}) if m in sb.get("capabilities", {})}
    ca = {c["text"] for c in a.get("changes", [])}
    cb = {c["text"] for c in b.get("changes", [])}
    out["changes_only_in_a"] = sorted(ca - cb)
    out["changes_only_in_b"] = sorted(cb - ca)
    return out
