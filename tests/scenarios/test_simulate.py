"""The Monte Carlo engine against analytic results (no warehouse needed)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import multivariate_normal, norm

from foedus.scenarios.simulate import Node, binomial_at_least, draw_responses, simulate


def _nodes(ps: list[float], group: str = "a") -> list[Node]:
    return [Node(i + 1, f"S{i}", 1, -1, group, p, "test") for i, p in enumerate(ps)]


def test_independent_responders_match_exact_poisson_binomial() -> None:
    ps = [0.1, 0.25, 0.4, 0.55, 0.7, 0.9]
    draws = 200_000
    r = draw_responses(_nodes(ps), draws, seed=11, rho=0.0)
    counts = r.sum(axis=1)
    for k in range(1, len(ps) + 1):
        exact = binomial_at_least(ps, k)
        se = np.sqrt(exact * (1 - exact) / draws)
        assert abs((counts >= k).mean() - exact) < 4 * se + 1e-12, k
    # identical probabilities: the plain binomial
    r = draw_responses(_nodes([0.3] * 5), draws, seed=2, rho=0.0)
    from scipy.stats import binom

    assert abs((r.sum(axis=1) >= 2).mean() - binom.sf(1, 5, 0.3)) < 4 * np.sqrt(0.25 / draws)


def test_poisson_binomial_exact_small_case() -> None:
    # P(at least 1 of two with 0.5, 0.2) = 1 - 0.5 * 0.8
    assert binomial_at_least([0.5, 0.2], 1) == pytest.approx(0.6)
    assert binomial_at_least([0.5, 0.2], 2) == pytest.approx(0.1)


def test_correlation_keeps_marginals_and_matches_bivariate_normal() -> None:
    draws = 200_000
    p, rho = 0.3, 0.6
    r = draw_responses(_nodes([p, p]), draws, seed=5, rho=rho)
    assert abs(r.mean(axis=0) - p).max() < 4 * np.sqrt(p * (1 - p) / draws)
    t = norm.ppf(p)
    both = multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf([t, t])
    assert abs((r[:, 0] & r[:, 1]).mean() - both) < 4 * np.sqrt(both * (1 - both) / draws)
    assert both > p * p  # positive dependence


def test_correlation_widens_the_coalition_distribution() -> None:
    ps = [0.2] * 10
    ind = draw_responses(_nodes(ps), 50_000, seed=1, rho=0.0).sum(axis=1)
    cor = draw_responses(_nodes(ps), 50_000, seed=1, rho=0.8).sum(axis=1)
    assert cor.var() > 2 * ind.var()
    assert (cor == 0).mean() > (ind == 0).mean()
    assert abs(cor.mean() - ind.mean()) < 0.05
    # separate alliances are independent whatever rho
    sep = draw_responses([Node(i, str(i), 1, -1, f"g{i}", 0.2, "t") for i in range(10)],
                         50_000, seed=1, rho=0.8).sum(axis=1)
    assert abs(sep.var() - ind.var()) < 0.1 * ind.var()


def test_children_respond_only_with_their_parent() -> None:
    nodes = [Node(1, "A", 1, -1, "a", 0.5, "t"), Node(2, "B", 2, 0, "b", 0.5, "t")]
    r = draw_responses(nodes, 100_000, seed=3, rho=0.0)
    assert not (r[:, 1] & ~r[:, 0]).any()
    assert r[:, 1].mean() == pytest.approx(0.25, abs=0.01)


def test_same_seed_identical_and_other_seed_within_error() -> None:
    kw = dict(target=100, attackers=[200], capabilities={1: {"cinc": 0.1}, 2: {"cinc": 0.2},
              100: {"cinc": 0.05}, 200: {"cinc": 0.3}}, measures=["cinc"], draws=10_000,
              rho=0.5, labels={1: "A", 2: "B", 100: "T", 200: "X"})
    nodes = [Node(1, "A", 1, -1, "a", 0.4, "t"), Node(2, "B", 1, -1, "a", 0.6, "t")]
    a = simulate(nodes, [], seed=7, **kw)
    b = simulate(nodes, [], seed=7, **kw)
    c = simulate(nodes, [], seed=8, **kw)
    assert a == b
    pa, pc = a["coalition"]["p_at_least"]["1"], c["coalition"]["p_at_least"]["1"]
    assert pa != pc
    assert abs(pa - pc) < 4 * np.sqrt(2 * pa * (1 - pa) / 10_000)
    # capability: target alone 0.05, with both 0.35, against 0.3
    q = a["capabilities"]["cinc"]["defenders"]
    assert 0.05 - 1e-12 <= q["q05"] <= q["q95"] <= 0.35 + 1e-12


def test_probability_zero_and_one() -> None:
    r = draw_responses(_nodes([0.0, 1.0]), 1000, seed=0, rho=0.5)
    assert not r[:, 0].any() and r[:, 1].all()


def test_missing_capability_of_a_fixed_side_is_null_not_zero() -> None:
    out = simulate([Node(1, "A", 1, -1, "a", 0.5, "t")], [], target=100, attackers=[200],
                   capabilities={1: {"cinc": 0.1}, 100: {"cinc": 0.05}}, measures=["cinc"],
                   draws=100, seed=1, rho=0.5, labels={1: "A", 100: "T", 200: "X"})
    c = out["capabilities"]["cinc"]
    assert c["defender_share"]["q50"] is None and c["p_defenders_stronger"] is None
    assert "X" in c["note"]
