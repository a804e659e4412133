"""The ``fpsim`` coding against an independent, straightforward computation that follows FPSIM's
ATOP script (isard ``data-raw/cw_fpsim.R``) step by step on real years:

* ``ordatop`` from each directed dyad-year's obligations: 3 defence or offence, 2 neutrality or
  consultation without defence/offence, 1 non-aggression only, 0 otherwise; a state's tie with
  itself is 3;
* the wide matrix: one row per state (its own commitments), one column per state;
* S over rows: ``1 - 2 * sum((x - y)^2) / (n * 3^2)`` and ``1 - 2 * sum(|x - y|) / (n * 3)``;
* tau-b as R's ``cor(wide, method = "kendall")``: over the *columns* of the wide matrix.

isard publishes no FPSIM values (``../shared/data/isard`` has none), so the check is against this
independent loop, plus scipy's tau-b.
"""

from __future__ import annotations

import datetime as dt
import random
from math import sqrt

import numpy as np
import polars as pl
import pytest
from scipy.stats import kendalltau

from foedus.errors import FoedusError
from foedus.measures.similarity import (
    FPSIM_SCALE,
    similarity_dyad_years,
    similarity_matrix,
)
from tests.conftest import ps_table, shared_file

YEARS = [1920, 1962, 2000]


@pytest.fixture(scope="module")
def atop() -> pl.DataFrame:
    return ps_table("atop_alliance")


@pytest.fixture(scope="module")
def spells() -> list[tuple[int, dt.date, dt.date]]:
    cw = pl.read_parquet(shared_file("isard/cw_system.parquet"))
    return [(int(c), s, e) for c, s, e in cw.select("ccode", "start", "end").iter_rows()]


def members(spells: list[tuple[int, dt.date, dt.date]], year: int) -> list[int]:
    return sorted({c for c, s, e in spells if s.year <= year <= e.year})


def ordatop(defense: float, offense: float, neutral: float, nonagg: float, consul: float) -> int:
    """The script's case_when, written out."""
    if defense == 1 or offense == 1:
        return 3
    if neutral == 1 or consul == 1:
        return 2
    if nonagg == 1:
        return 1
    return 0


def wide(atop: pl.DataFrame, year: int, states: list[int]) -> dict[int, dict[int, int]]:
    """``A[i][j]``: state i's commitment towards j (self = 3), every member a row and a column."""
    a = {i: {j: (3 if i == j else 0) for j in states} for i in states}
    rows = atop.filter(pl.col("year") == year).iter_rows(named=True)
    for r in rows:
        i, j = r["ccode1"], r["ccode2"]
        if i in a and j in a and i != j:
            a[i][j] = ordatop(
                r["atop_defense"], r["atop_offense"], r["atop_neutral"], r["atop_nonagg"],
                r["atop_consul"],
            )  # fmt: skip
    return a


def s_sq(x: list[int], y: list[int]) -> float:
    return 1 - 2 * sum((a - b) ** 2 for a, b in zip(x, y, strict=True)) / (len(x) * 3**2)


def s_abs(x: list[int], y: list[int]) -> float:
    return 1 - 2 * sum(abs(a - b) for a, b in zip(x, y, strict=True)) / (len(x) * 3)


def tau_b(x: list[int], y: list[int]) -> float:
    conc = disc = tx = ty = 0
    n = len(x)
    for p in range(n):
        for q in range(p + 1, n):
            dx, dy = x[p] - x[q], y[p] - y[q]
            if dx == 0:
                tx += 1
            if dy == 0:
                ty += 1
            if dx * dy > 0:
                conc += 1
            elif dx * dy < 0:
                disc += 1
    n0 = n * (n - 1) // 2
    return (conc - disc) / sqrt((n0 - tx) * (n0 - ty))


@pytest.mark.parametrize("year", YEARS)
def test_fpsim_equals_the_scripts_computation(
    year: int, atop: pl.DataFrame, spells: list[tuple[int, dt.date, dt.date]]
) -> None:
    states = members(spells, year)
    a = wide(atop, year, states)
    row = {i: [a[i][k] for k in states] for i in states}
    col = {j: [a[i][j] for i in states] for j in states}
    sy = pl.DataFrame({"ccode": states, "year": [year] * len(states)})
    out = similarity_dyad_years(
        atop, sy, measures=["s_un_val_abs", "s_un_val_sq", "tau_b"], years=year, coding="fpsim"
    )
    got = {(r[0], r[1]): r[3:] for r in out.iter_rows()}
    assert len(got) == len(states) * (len(states) - 1)
    # pairs: a random sample, plus every pair among states with a one-sided commitment (where
    # rows and columns differ, so that using the wrong one would show)
    one_sided = sorted({i for i in states for j in states if a[i][j] != a[j][i]})
    pairs = [(i, j) for i in one_sided for j in one_sided if i != j][:60]
    everything = [(i, j) for i in states for j in states if i != j]
    pairs += random.Random(year).sample(everything, 300)
    for i, j in pairs:
        s_abs_got, s_sq_got, tau_got = got[(i, j)]
        assert s_sq_got == pytest.approx(s_sq(row[i], row[j]), abs=1e-12), (i, j)
        assert s_abs_got == pytest.approx(s_abs(row[i], row[j]), abs=1e-12), (i, j)
        assert tau_got == pytest.approx(kendalltau(col[i], col[j]).statistic, abs=1e-12), (i, j)
    for i, j in pairs[:40]:  # the written-out tau-b loop (slow) on a subset
        assert got[(i, j)][2] == pytest.approx(tau_b(col[i], col[j]), abs=1e-12), (i, j)


def test_fpsim_differs_from_the_default_coding(
    atop: pl.DataFrame, spells: list[tuple[int, dt.date, dt.date]]
) -> None:
    """Consultation and non-aggression swap ranks between the codings; in 2000 S moves > 0.1."""
    states = members(spells, 2000)
    sy = pl.DataFrame({"ccode": states, "year": [2000] * len(states)})
    codes, fp = similarity_matrix(atop, sy, 2000, measure="s_un_val_sq", coding="fpsim")
    _, cow = similarity_matrix(atop, sy, 2000, measure="s_un_val_sq")
    assert float(np.abs(fp - cow).max()) > 0.1
    assert (np.diag(fp) == 1).all()


def test_fpsim_options_are_checked(atop: pl.DataFrame) -> None:
    sy = pl.DataFrame({"ccode": [2, 20], "year": [2000, 2000]})
    with pytest.raises(FoedusError, match="unknown coding"):
        similarity_dyad_years(
            atop,
            sy,
            years=2000,
            coding="eugene",
            measures="tau_b",  # type: ignore[arg-type]
        )
    with pytest.raises(FoedusError, match="fixes the tie scale"):
        similarity_dyad_years(
            atop, sy, years=2000, coding="fpsim", scale={"atop_defense": 1.0}, measures="tau_b"
        )
    with pytest.raises(FoedusError, match="direction"):
        similarity_dyad_years(
            atop, sy, years=2000, coding="fpsim", direction="either", measures="tau_b"
        )
    # the named scale itself is accepted
    out = similarity_dyad_years(
        atop, sy, years=2000, coding="fpsim", scale=FPSIM_SCALE, measures="s_un_val_sq"
    )
    assert out.height == 2
