"""Monte Carlo collective defence: who responds to an attack, how strong the coalitions are.

The structure comes from the collective-defence engine (:func:`foedus.alliances.responders`):
the escalation tree of states bound to come to the target's aid (depth 1: obligations toward
the target; depth d: toward a state drawn in at depth d-1) and the attacker's offensive allies.
Each node gets an honouring probability from the parameter table
(:mod:`foedus.scenarios.params`) by obligation type, condition verdict, treaty status and era,
or from the scenario's ``[participation]`` overrides.

**Correlation.** Decisions within one alliance are correlated through a one-factor Gaussian
copula: node *i* of alliance *a* honours in draw *n* iff
``sqrt(rho) Z[n, a] + sqrt(1 - rho) e[n, i] < Phi^-1(p_i)`` with ``Z`` and ``e`` independent
standard normals. Each node keeps its marginal probability ``p_i`` exactly; ``rho`` (default from
the table, 0.5) is the latent correlation between two members of the same alliance; ``rho = 0``
gives independent draws. A node responds only if it honours and the state that drew it in
responded (the target always fights).

Everything is vectorised over draws with NumPy; the same seed gives identical output.

Example:
    >>> import numpy as np
    >>> nodes = [Node(2, "USA", 1, -1, "a", 0.5, "x"), Node(20, "CAN", 1, -1, "a", 0.5, "x")]
    >>> r = draw_responses(nodes, 20_000, seed=1, rho=0.0)
    >>> bool(abs(r.mean(axis=0) - 0.5).max() < 0.02)
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Node", "binomial_at_least", "draw_responses", "simulate", "summarise_counts"]

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class Node:
    """One state that may join: its parent (index into the node list, -1 = the target or the
    attacker), its alliance (correlation group), honouring probability and where it comes from."""

    ccode: int
    abb: str
    depth: int
    parent: int
    alliance_id: str
    p: float
    basis: str


def draw_responses(nodes: Sequence[Node], draws: int, *, seed: int, rho: float) -> np.ndarray:
    """A (draws × nodes) boolean matrix: whether each node responds in each draw.

    Nodes must come in an order where a parent precedes its children (the engine's breadth-first
    order does).

    Example:
        >>> nodes = [Node(2, "USA", 1, -1, "a", 1.0, "x"), Node(740, "JPN", 2, 0, "b", 0.0, "x")]
        >>> draw_responses(nodes, 3, seed=0, rho=0.5).tolist()
        [[True, False], [True, False], [True, False]]
    """
    from scipy.special import ndtri

    n = len(nodes)
    rng = np.random.default_rng(seed)
    if n == 0:
        return np.zeros((draws, 0), dtype=bool)
    groups = sorted({node.alliance_id for node in nodes})
    gindex = np.array([groups.index(node.alliance_id) for node in nodes])
    shared = rng.standard_normal((draws, len(groups)))
    own = rng.standard_normal((draws, n))
    latent = np.sqrt(rho) * shared[:, gindex] + np.sqrt(1.0 - rho) * own
    p = np.array([node.p for node in nodes], dtype=float)
    with np.errstate(divide="ignore"):
        threshold = ndtri(np.clip(p, 0.0, 1.0))  # -inf for 0, +inf for 1
    honours = latent < threshold[None, :]
    out = np.empty_like(honours)
    for i, node in enumerate(nodes):
        out[:, i] = honours[:, i] if node.parent < 0 else honours[:, i] & out[:, node.parent]
    return out


def binomial_at_least(p: Sequence[float], k: int) -> float:
    """Exact P(at least k of independent events with probabilities ``p``) (Poisson binomial).

    Example:
        >>> round(binomial_at_least([0.5, 0.5, 0.5], 2), 4)
        0.5
    """
    dist = np.zeros(len(p) + 1)
    dist[0] = 1.0
    for q in p:
        dist[1:] = dist[1:] * (1 - q) + dist[:-1] * q
        dist[0] *= 1 - q
    return float(dist[k:].sum())


def summarise_counts(counts: np.ndarray, maximum: int) -> dict[str, Any]:
    """Mean, quantiles and P(≥k) for k = 1..maximum of a vector of per-draw counts (k stops
    after the first k that no draw reaches; ``max_observed`` is the largest count drawn).

    Example:
        >>> summarise_counts(np.array([0, 1, 2, 2]), 2)["p_at_least"]
        {'1': 0.75, '2': 0.5}
    """
    n = counts.size
    return {
        "mean": float(counts.mean()) if n else None,
        "quantiles": {f"q{int(q * 100):02d}": float(np.quantile(counts, q)) for q in QUANTILES},
        "max_possible": maximum,
        "max_observed": int(counts.max()) if n else 0,
        "p_at_least": {str(k): float((counts >= k).mean())
                       for k in range(1, min(maximum, int(counts.max(initial=0)) + 1) + 1)},
    }


def _mc_se(p: float, n: int) -> float:
    return float(np.sqrt(max(p * (1 - p), 0.0) / n))


def _capability(values: Mapping[int, Mapping[str, float | None]], codes: Sequence[int],
                mask: np.ndarray, measure: str, fixed: Sequence[int]) -> dict[str, Any]:
    """Per-draw sum of ``measure`` over fixed states + responding states; a responder without a
    value adds nothing and is listed in ``missing`` (the output's ``*_without_data``)."""
    v = np.array([values.get(c, {}).get(measure) or 0.0 for c in codes], dtype=float)
    base = sum(values.get(c, {}).get(measure) or 0.0 for c in fixed)
    totals = base + (mask @ v if len(codes) else np.zeros(mask.shape[0]))
    missing = [c for c in [*fixed, *codes] if values.get(c, {}).get(measure) is None]
    return {"totals": totals, "missing": missing}


def simulate(
    defenders: Sequence[Node],
    attackers_allies: Sequence[Node],
    *,
    target: int,
    attackers: Sequence[int],
    capabilities: Mapping[int, Mapping[str, float | None]],
    measures: Sequence[str],
    draws: int,
    seed: int,
    rho: float,
    labels: Mapping[int, str],
) -> dict[str, Any]:
    """Run the draws and summarise: responders, coalition sizes, capabilities, depth.

    Example:
        >>> out = simulate([Node(2, "USA", 1, -1, "a", 0.5, "x")], [], target=740, attackers=[710],
        ...                capabilities={2: {"cinc": 0.14}, 740: {"cinc": 0.04}, 710: {"cinc": 0.2}},
        ...                measures=["cinc"], draws=1000, seed=3, rho=0.5,
        ...                labels={2: "USA", 740: "JPN", 710: "CHN"})
        >>> out["coalition"]["p_at_least"]["1"] == out["responders"][0]["p_responds"]
        True
    """
    d_resp = draw_responses(defenders, draws, seed=seed, rho=rho)
    # the attacker side uses its own stream (seed + 1) so adding a defender leaves it unchanged
    a_resp = draw_responses(attackers_allies, draws, seed=seed + 1, rho=rho)
    rows = []
    for i, node in enumerate(defenders):
        pr = float(d_resp[:, i].mean())
        rows.append({"state": node.abb, "ccode": node.ccode, "depth": node.depth,
                     "drawn_in_by": labels.get(target) if node.parent < 0
                     else defenders[node.parent].abb,
                     "alliance_id": node.alliance_id, "p_honour": node.p, "p_basis": node.basis,
                     "p_responds": pr, "mc_se": _mc_se(pr, draws)})
    arows = []
    for i, node in enumerate(attackers_allies):
        pr = float(a_resp[:, i].mean())
        arows.append({"state": node.abb, "ccode": node.ccode, "depth": node.depth,
                      "alliance_id": node.alliance_id, "p_honour": node.p,
                      "p_basis": node.basis, "p_responds": pr, "mc_se": _mc_se(pr, draws)})
    direct = np.array([n.depth == 1 for n in defenders], dtype=bool)
    count_all = d_resp.sum(axis=1)
    count_direct = d_resp[:, direct].sum(axis=1) if direct.any() else np.zeros(draws, dtype=int)
    depth = np.array([n.depth for n in defenders], dtype=int)
    max_depth = (d_resp * depth[None, :]).max(axis=1) if len(defenders) else np.zeros(draws)
    d_codes = [n.ccode for n in defenders]
    a_codes = [n.ccode for n in attackers_allies]
    caps: dict[str, Any] = {}
    for m in measures:
        d = _capability(capabilities, d_codes, d_resp.astype(float), m, [target])
        a = _capability(capabilities, a_codes, a_resp.astype(float), m, list(attackers))
        fixed_missing = [c for c in [target, *attackers] if capabilities.get(c, {}).get(m) is None]
        if fixed_missing:
            # without the target's or an attacker's own value the balance is unknown, not 0
            caps[m] = {"defenders": _dist(np.array([np.nan])), "attackers": _dist(np.array([np.nan])),
                       "defender_share": _dist(np.array([np.nan])), "p_defenders_stronger": None,
                       "defenders_without_data": [labels.get(c, str(c)) for c in d["missing"]],
                       "attackers_without_data": [labels.get(c, str(c)) for c in a["missing"]],
                       "note": "no value for " + ", ".join(labels.get(c, str(c))
                                                           for c in fixed_missing)}
            continue
        total = d["totals"] + a["totals"]
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(total > 0, d["totals"] / total, np.nan)
        caps[m] = {
            "defenders": _dist(d["totals"]), "attackers": _dist(a["totals"]),
            "defender_share": _dist(share),
            "p_defenders_stronger": float((d["totals"] > a["totals"]).mean()),
            "defenders_without_data": [labels.get(c, str(c)) for c in d["missing"]],
            "attackers_without_data": [labels.get(c, str(c)) for c in a["missing"]],
        }
    depth_counts = np.bincount(max_depth.astype(int), minlength=int(depth.max(initial=0)) + 1)
    return {
        "draws": draws, "seed": seed, "correlation": rho,
        "responders": sorted(rows, key=lambda r: (r["depth"], -r["p_honour"], r["state"])),
        "attacker_allies": arows,
        "coalition": summarise_counts(count_all, len(defenders)),
        "coalition_direct": summarise_counts(count_direct, int(direct.sum())),
        "p_no_ally": float((count_all == 0).mean()),
        "escalation_depth": {
            "max_possible": int(depth.max(initial=0)),
            "distribution": {str(k): float(v / draws) for k, v in enumerate(depth_counts)},
            "mean": float(max_depth.mean()) if draws else None,
        },
        "capabilities": caps,
    }


def _dist(x: np.ndarray) -> dict[str, Any]:
    x = x[~np.isnan(x)]
    if x.size == 0:
        return {"mean": None, **{f"q{int(q * 100):02d}": None for q in QUANTILES}}
    return {"mean": float(x.mean()),
            **{f"q{int(q * 100):02d}": float(np.quantile(x, q)) for q in QUANTILES}}
