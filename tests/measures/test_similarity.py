"""Alliance-portfolio similarity: hand-computed cases, published values, and an independent
loop-based implementation on real years (ATOP 5.1 directed dyad-years as bundled by
peacesciencer, COW system membership from isard, COW NMC capabilities)."""

from __future__ import annotations

import random
from collections import Counter
from fractions import Fraction
from math import sqrt

import numpy as np
import polars as pl
import pytest
from scipy.stats import kendalltau

from foedus.errors import FoedusError, InvalidYearsError, SourceFormatError
from foedus.measures.similarity import (
    ALL_MEASURES,
    DEFAULT_SCALE,
    UNWEIGHTED_MEASURES,
    WEIGHTED_MEASURES,
    alliance_portfolios,
    portfolio_similarity,
    similarity_dyad_years,
    similarity_matrix,
)
from foedus.sources.normalize import cast_keys
from tests.conftest import ps_table, shared_file

OBLIGATION_COLUMNS = list(DEFAULT_SCALE)


def ddy_frame(rows: list[tuple[int, int, int, str]]) -> pl.DataFrame:
    """Directed dyad-years from (ccode1, ccode2, year, obligation) tuples, one obligation each."""
    data: dict[str, list] = {"ccode1": [], "ccode2": [], "year": []}
    data.update({c: [] for c in OBLIGATION_COLUMNS})
    for c1, c2, year, obligation in rows:
        data["ccode1"].append(c1)
        data["ccode2"].append(c2)
        data["year"].append(year)
        for c in OBLIGATION_COLUMNS:
            data[c].append(1.0 if c == f"atop_{obligation}" else 0.0)
    return pl.DataFrame(data, schema_overrides={c: pl.Float64 for c in OBLIGATION_COLUMNS})


def both_ways(c1: int, c2: int, year: int, obligation: str) -> list[tuple[int, int, int, str]]:
    return [(c1, c2, year, obligation), (c2, c1, year, obligation)]


def members(codes: list[int], year: int) -> pl.DataFrame:
    return pl.DataFrame({"ccode": codes, "year": [year] * len(codes)})


def pair(out: pl.DataFrame, c1: int, c2: int) -> dict[str, float | None]:
    row = out.filter((pl.col("ccode1") == c1) & (pl.col("ccode2") == c2))
    assert row.height == 1
    return row.to_dicts()[0]


# --------------------------------------------------------------------------------------------
# A four-state system computed by hand.
#
# States A=2, B=20, C=200, D=220 in 2000; A-B defence pact (3), B-C consultation (1),
# C-D non-aggression pact (2); self-ties 3. Portfolios over (A, B, C, D):
#   A = (3, 3, 0, 0)   B = (3, 3, 1, 0)   C = (0, 1, 3, 2)   D = (0, 0, 2, 3)
# Binary: A = (1, 1, 0, 0), B = (1, 1, 1, 0), C = (0, 1, 1, 1). Weights (CINC) .4 .3 .2 .1.
#
# A vs B: |d| = (0, 0, 1, 0), d^2 = (0, 0, 1, 0), binary differs on C only.
#   S_un_val_abs = 1 - 2*1/(4*3) = 5/6          S_un_val_sq = 1 - 2*1/(4*9) = 17/18
#   S_un_bin     = 1 - 2*1/4 = 1/2
#   S_wt_val_abs = 1 - 2*(.2*1)/(1*3) = 13/15   S_wt_val_sq = 1 - 2*(.2*1)/(1*9) = 43/45
#   S_wt_bin     = 1 - 2*.2/1 = 3/5
#   tau-b: pairs of dimensions (AB) tied in both, (CD) tied in x only, the other 4 concordant:
#          n_c - n_d = 4, n_0 = 6, n_1 = 2, n_2 = 1 -> 4 / sqrt(4*5) = 2/sqrt(5)
#   kappa (squared): D_o = 1/4; x: mean 3/2 var 9/4; y: mean 7/4 var 27/16;
#          D_e = 9/4 + 27/16 + (1/4)^2 = 4 -> 1 - (1/4)/4 = 15/16
#   pi (squared): D_e = 9/4 + 27/16 + (1/4)^2/2 = 127/32 -> 1 - 8/127 = 119/127
#   kappa (absolute): D_e = E|X - Y| = 3/2 -> 1 - (1/4)/(3/2) = 5/6
#   binary kappa: p_o = 3/4, p_e = 1/2*1/4 + 1/2*3/4 = 1/2 -> 1/2;
#   binary pi: pooled P(tie) = 5/8, p_e = 25/64 + 9/64 = 17/32 -> (3/4 - 17/32)/(15/32) = 7/15
# A vs C: |d| = (3, 2, 3, 2), d^2 = (9, 4, 9, 4), binary differs on A, C, D.
#   S_un_val_abs = 1 - 2*10/12 = -2/3           S_un_val_sq = 1 - 2*26/36 = -4/9
#   S_un_bin     = 1 - 2*3/4 = -1/2
#   S_wt_val_abs = 1 - 2*(1.2+.6+.6+.2)/3 = -11/15
#   S_wt_val_sq  = 1 - 2*(3.6+1.2+1.8+.4)/9 = -5/9
#   S_wt_bin     = 1 - 2*(.4+.2+.1) = -2/5
#   tau-b: (AB) tied in x, (CD) tied in x, the other 4 discordant: -4 / sqrt(4*6)
#   kappa (squared): D_o = 26/4; x var 9/4, y = (0,1,3,2) mean 3/2 var 5/4 -> D_e = 7/2
#          -> 1 - 13/7 = -6/7; pi: same means, so D_e = 7/2 as well -> -6/7
# --------------------------------------------------------------------------------------------

A, B, C, D = 2, 20, 200, 220
HAND_DDY = ddy_frame(
    both_ways(A, B, 2000, "defense")
    + both_ways(B, C, 2000, "consul")
    + both_ways(C, D, 2000, "nonagg")
)
HAND_SY = members([A, B, C, D], 2000)
HAND_CAPS = pl.DataFrame({"ccode": [A, B, C, D], "year": [2000] * 4, "cinc": [0.4, 0.3, 0.2, 0.1]})

HAND_AB = {
    "s_un_val_abs": Fraction(5, 6),
    "s_un_val_sq": Fraction(17, 18),
    "s_un_bin_abs": Fraction(1, 2),
    "s_un_bin_sq": Fraction(1, 2),
    "s_wt_val_abs": Fraction(13, 15),
    "s_wt_val_sq": Fraction(43, 45),
    "s_wt_bin_abs": Fraction(3, 5),
    "s_wt_bin_sq": Fraction(3, 5),
    "tau_b": 2 / sqrt(5),
    "kappa": Fraction(15, 16),
    "pi": Fraction(119, 127),
}
HAND_AC = {
    "s_un_val_abs": Fraction(-2, 3),
    "s_un_val_sq": Fraction(-4, 9),
    "s_un_bin_abs": Fraction(-1, 2),
    "s_un_bin_sq": Fraction(-1, 2),
    "s_wt_val_abs": Fraction(-11, 15),
    "s_wt_val_sq": Fraction(-5, 9),
    "s_wt_bin_abs": Fraction(-2, 5),
    "s_wt_bin_sq": Fraction(-2, 5),
    "tau_b": -4 / sqrt(24),
    "kappa": Fraction(-6, 7),
    "pi": Fraction(-6, 7),
}


def test_hand_portfolios() -> None:
    codes, ties = alliance_portfolios(HAND_DDY, HAND_SY)
    assert codes.tolist() == [A, B, C, D]
    assert ties.tolist() == [[3, 3, 0, 0], [3, 3, 1, 0], [0, 1, 3, 2], [0, 0, 2, 3]]


@pytest.mark.parametrize(("other", "expected"), [(B, HAND_AB), (C, HAND_AC)])
def test_hand_computed_values(other: int, expected: dict) -> None:
    out = similarity_dyad_years(HAND_DDY, HAND_SY, capabilities=HAND_CAPS)
    assert out.columns == ["ccode1", "ccode2", "year", *ALL_MEASURES]
    got = pair(out, A, other)
    for measure, value in expected.items():
        assert got[measure] == pytest.approx(float(value), abs=1e-12), measure
    # every measure is symmetric: (A, other) and (other, A) agree
    back = pair(out, other, A)
    assert all(back[m] == pytest.approx(got[m], abs=1e-12) for m in ALL_MEASURES)


def test_hand_computed_options() -> None:
    absolute = similarity_dyad_years(
        HAND_DDY, HAND_SY, measures=["kappa"], association_distance="absolute"
    )
    assert pair(absolute, A, B)["kappa"] == pytest.approx(5 / 6, abs=1e-12)
    binary = similarity_dyad_years(
        HAND_DDY, HAND_SY, measures=["kappa", "pi"], association_coding="binary"
    )
    assert pair(binary, A, B)["kappa"] == pytest.approx(1 / 2, abs=1e-12)
    assert pair(binary, A, B)["pi"] == pytest.approx(7 / 15, abs=1e-12)


def test_identical_portfolios_score_one() -> None:
    # 2 and 20 are allied with each other only: portfolios (3, 3, 0) and (3, 3, 0)
    ddy = ddy_frame(both_ways(2, 20, 1990, "defense"))
    sy = members([2, 20, 70], 1990)
    caps = pl.DataFrame({"ccode": [2, 20, 70], "year": [1990] * 3, "cinc": [0.5, 0.2, 0.3]})
    got = pair(similarity_dyad_years(ddy, sy, capabilities=caps), 2, 20)
    assert all(got[m] == 1.0 for m in ALL_MEASURES), got  # exactly 1, not approximately


def test_disjoint_portfolios_score_minus_one() -> None:
    # two unallied states: portfolios (3, 0) and (0, 3) differ maximally on every dimension,
    # the documented minimum -1 for every measure
    ddy = ddy_frame(both_ways(2, 20, 1990, "consul"))  # a year with some alliance elsewhere
    sy = members([200, 220], 1990)
    caps = pl.DataFrame({"ccode": [200, 220], "year": [1990, 1990], "cinc": [0.7, 0.1]})
    got = pair(similarity_dyad_years(ddy, sy, capabilities=caps), 200, 220)
    assert all(got[m] == pytest.approx(-1.0, abs=1e-15) for m in ALL_MEASURES), got


def test_undefined_values_are_null() -> None:
    # without self-ties two unallied states have constant (all-zero) portfolios: S = 1, but
    # tau-b (no variance), kappa and pi (no chance disagreement) are undefined
    ddy = ddy_frame(both_ways(2, 20, 1990, "defense"))
    out = similarity_dyad_years(
        ddy, members([2, 20, 200, 220], 1990), measures=UNWEIGHTED_MEASURES, self_ties=False
    )
    got = pair(out, 200, 220)
    assert got["s_un_val_abs"] == 1.0
    assert got["tau_b"] is None and got["kappa"] is None and got["pi"] is None
    # one constant portfolio against a varying one: tau-b undefined, kappa/pi defined
    got = pair(out, 2, 200)
    assert got["tau_b"] is None and got["kappa"] is not None and got["pi"] is not None
    # weighted S with no capability anywhere is undefined
    caps = pl.DataFrame({"ccode": [2, 20, 200, 220], "year": [1990] * 4, "cinc": [0.0] * 4})
    out = similarity_dyad_years(
        ddy, members([2, 20, 200, 220], 1990), capabilities=caps, measures=WEIGHTED_MEASURES
    )
    assert out["s_wt_val_abs"].null_count() == out.height


# Signorino & Ritter (1999), Table 5: pairs of valued portfolios (ties 0-3, absolute
# distance, unweighted) and the S values printed there.
SR_TABLE_5 = [
    ([(0, 3), (1, 2), (2, 1), (3, 0)], Fraction(-1, 3)),
    ([(1, 3), (2, 2), (2, 2), (3, 1)], Fraction(1, 3)),
    ([(2, 3), (2, 3), (3, 2), (3, 2)], Fraction(1, 3)),
    ([(3, 3)] * 4, Fraction(1)),
    ([(0, 0)] * 10 + [(0, 3), (3, 0)], Fraction(2, 3)),
    ([(0, 3)] + [(1, 1)] * 10 + [(3, 0)], Fraction(2, 3)),
    ([(0, 3)] + [(2, 2)] * 10 + [(3, 0)], Fraction(2, 3)),
    ([(0, 3), (3, 0)] + [(3, 3)] * 10, Fraction(2, 3)),
]


@pytest.mark.parametrize(("dims", "expected"), SR_TABLE_5)
def test_signorino_ritter_table_5(dims: list[tuple[int, int]], expected: Fraction) -> None:
    x = np.array(dims, dtype=float).T  # 2 x C: the two portfolios
    out = portfolio_similarity(x, max_distance=3, measures=["s_un_val_abs"])["s_un_val_abs"]
    assert out[0, 1] == pytest.approx(float(expected), abs=1e-12)
    assert out[1, 0] == out[0, 1]
    # weights that are all equal change nothing
    wt = portfolio_similarity(
        x, max_distance=3, measures=["s_wt_val_abs"], weights=np.full(x.shape[1], 0.25)
    )["s_wt_val_abs"]
    assert wt[0, 1] == pytest.approx(float(expected), abs=1e-12)


def test_binary_absolute_equals_squared() -> None:
    out = similarity_dyad_years(HAND_DDY, HAND_SY, capabilities=HAND_CAPS)
    assert out["s_un_bin_abs"].equals(out["s_un_bin_sq"])
    assert (out["s_wt_bin_abs"] - out["s_wt_bin_sq"]).abs().max() < 1e-15


# --------------------------------------------------------------------------------------------
# coding options


def test_scale_strongest_obligation_and_offense() -> None:
    # 2 -> 20: consultation and offence in the same row: offence (3) wins
    ddy = ddy_frame([(2, 20, 1900, "consul")]).with_columns(
        pl.when(pl.col("ccode2") == 20).then(1.0).otherwise(0.0).alias("atop_offense")
    )
    _, ties = alliance_portfolios(ddy, members([2, 20], 1900))
    assert ties.tolist() == [[3, 3], [0, 3]]


def test_direction_and_outside_states() -> None:
    # asymmetric: 200 promises to defend 380; 380 only consults 200; 999 is not in the system
    ddy = ddy_frame(
        [(200, 380, 1855, "defense"), (380, 200, 1855, "consul"), (200, 999, 1855, "defense")]
    )
    sy = members([200, 380], 1855)
    _, out = alliance_portfolios(ddy, sy)
    assert out.tolist() == [[3, 3], [1, 3]]
    _, inc = alliance_portfolios(ddy, sy, direction="incoming")
    assert inc.tolist() == [[3, 1], [3, 3]]
    _, either = alliance_portfolios(ddy, sy, direction="either")
    assert either.tolist() == [[3, 3], [3, 3]]
    _, noself = alliance_portfolios(ddy, sy, self_ties=False)
    assert noself.tolist() == [[0, 3], [1, 0]]
    custom = {"atop_defense": 1.0, "atop_consul": 1.0}
    _, binary = alliance_portfolios(ddy, sy, scale=custom)
    assert binary.tolist() == [[1, 1], [1, 1]]


def test_regional_subset_is_the_system() -> None:
    full = similarity_matrix(HAND_DDY, HAND_SY, 2000, measure="s_un_val_abs")
    sub_codes, sub = similarity_matrix(
        HAND_DDY, HAND_SY.filter(pl.col("ccode") != D), 2000, measure="s_un_val_abs"
    )
    assert sub_codes.tolist() == [A, B, C]
    # A = (3,3,0), C = (0,1,3) over {A, B, C}: |d| sum 8 -> 1 - 16/9
    assert sub[0, 2] == pytest.approx(1 - 16 / 9)
    assert full[1][0, 2] == pytest.approx(-2 / 3)


def test_errors() -> None:
    with pytest.raises(FoedusError, match="unknown measure"):
        similarity_dyad_years(HAND_DDY, HAND_SY, measures=["s_score"])
    with pytest.raises(FoedusError, match="need capabilities"):
        similarity_dyad_years(HAND_DDY, HAND_SY)
    with pytest.raises(InvalidYearsError, match="beyond"):
        similarity_dyad_years(HAND_DDY, HAND_SY, measures=["tau_b"], years=(1999, 2000))
    with pytest.raises(FoedusError, match="positive"):
        alliance_portfolios(HAND_DDY, HAND_SY, scale={"atop_defense": 0})
    with pytest.raises(FoedusError, match="direction"):
        alliance_portfolios(HAND_DDY, HAND_SY, direction="both")  # type: ignore[arg-type]
    with pytest.raises(SourceFormatError, match="atop_consul"):
        similarity_dyad_years(HAND_DDY.drop("atop_consul"), HAND_SY, measures=["tau_b"])
    with pytest.raises(FoedusError, match="max_distance"):
        portfolio_similarity(np.array([[0, 3], [3, 0]]), max_distance=2)
    with pytest.raises(InvalidYearsError, match="say which"):
        alliance_portfolios(HAND_DDY, pl.concat([HAND_SY, members([A], 2001)]))


# --------------------------------------------------------------------------------------------
# real data against an independent, loop-based implementation


@pytest.fixture(scope="module")
def atop() -> pl.DataFrame:
    return ps_table("atop_alliance")


@pytest.fixture(scope="module")
def system() -> pl.DataFrame:
    return cast_keys(pl.read_parquet(shared_file("isard/cw_system.parquet")))


@pytest.fixture(scope="module")
def nmc() -> pl.DataFrame:
    return ps_table("cow_nmc")


def slow_members(system: pl.DataFrame, year: int) -> list[int]:
    """COW members in ``year``: some spell with start.year <= year <= end.year."""
    codes = set()
    for code, start, end in system.select("ccode", "start", "end").iter_rows():
        if start.year <= year <= end.year:
            codes.add(code)
    return sorted(codes)


def slow_ties(atop: pl.DataFrame, year: int, states: list[int]) -> dict[int, list[float]]:
    """Each member's portfolio: the strongest obligation (3 defence/offence, 2 neutrality or
    non-aggression, 1 consultation) towards every member, 3 towards itself."""
    rank = {
        "atop_defense": 3,
        "atop_offense": 3,
        "atop_neutral": 2,
        "atop_nonagg": 2,
        "atop_consul": 1,
    }
    position = {code: k for k, code in enumerate(states)}
    rows = {code: [0.0] * len(states) for code in states}
    for code in states:
        rows[code][position[code]] = 3.0
    for rec in atop.filter(pl.col("year") == year).iter_rows(named=True):
        c1, c2 = rec["ccode1"], rec["ccode2"]
        if c1 in position and c2 in position and c1 != c2:
            value = max([v for name, v in rank.items() if rec[name] == 1] or [0])
            rows[c1][position[c2]] = max(rows[c1][position[c2]], float(value))
    return rows


def slow_s(x: list[float], y: list[float], w: list[float], dmax: float, power: int) -> float:
    num = sum(wk * abs(a - b) ** power for a, b, wk in zip(x, y, w, strict=True))
    return 1 - 2 * num / (dmax**power * sum(w))


def slow_tau_b(x: list[float], y: list[float]) -> float | None:
    conc = disc = tx = ty = 0
    n = len(x)
    for k in range(n):
        for m in range(k + 1, n):
            dx, dy = x[k] - x[m], y[k] - y[m]
            if dx == 0 and dy == 0:
                tx += 1
                ty += 1
            elif dx == 0:
                tx += 1
            elif dy == 0:
                ty += 1
            elif dx * dy > 0:
                conc += 1
            else:
                disc += 1
    n0 = n * (n - 1) / 2
    if n0 == tx or n0 == ty:
        return None
    return (conc - disc) / sqrt((n0 - tx) * (n0 - ty))


def slow_chance(x: list[float], y: list[float], pooled: bool) -> float | None:
    n = len(x)
    observed = sum((a - b) ** 2 for a, b in zip(x, y, strict=True)) / n
    px, py = Counter(x), Counter(y)
    if pooled:
        px = py = px + py
        total = 2 * n
    else:
        total = n
    expected = sum(
        (ca / total) * (cb / total) * (a - b) ** 2 for a, ca in px.items() for b, cb in py.items()
    )
    return None if expected == 0 else 1 - observed / expected


@pytest.mark.parametrize("year", [1914, 1960, 2000])
def test_matches_loop_implementation_on_real_years(
    year: int, atop: pl.DataFrame, system: pl.DataFrame, nmc: pl.DataFrame
) -> None:
    states = slow_members(system, year)
    ties = slow_ties(atop, year, states)
    cinc = dict(nmc.filter(pl.col("year") == year).select("ccode", "cinc").iter_rows())
    weights = [cinc.get(code, 0.0) for code in states]
    unit = [1.0] * len(states)
    binary = {code: [1.0 if v > 0 else 0.0 for v in row] for code, row in ties.items()}

    sy = pl.DataFrame({"ccode": states, "year": [year] * len(states)})
    out = similarity_dyad_years(atop, sy, capabilities=nmc, years=(year, year))
    assert out.height == len(states) * (len(states) - 1)

    pairs = [(a, b) for a in states for b in states if a != b]
    if len(pairs) > 400:
        pairs = random.Random(year).sample(pairs, 400)
    lookup = {(r["ccode1"], r["ccode2"]): r for r in out.iter_rows(named=True)}
    for a, b in pairs:
        x, y, bx, by = ties[a], ties[b], binary[a], binary[b]
        expected = {
            "s_un_val_abs": slow_s(x, y, unit, 3, 1),
            "s_un_val_sq": slow_s(x, y, unit, 3, 2),
            "s_un_bin_abs": slow_s(bx, by, unit, 1, 1),
            "s_un_bin_sq": slow_s(bx, by, unit, 1, 2),
            "s_wt_val_abs": slow_s(x, y, weights, 3, 1),
            "s_wt_val_sq": slow_s(x, y, weights, 3, 2),
            "s_wt_bin_abs": slow_s(bx, by, weights, 1, 1),
            "s_wt_bin_sq": slow_s(bx, by, weights, 1, 2),
            "tau_b": slow_tau_b(x, y),
            "kappa": slow_chance(x, y, pooled=False),
            "pi": slow_chance(x, y, pooled=True),
        }
        got = lookup[(a, b)]
        for measure, value in expected.items():
            if value is None:
                assert got[measure] is None, (a, b, measure)
            else:
                assert got[measure] == pytest.approx(value, rel=1e-10, abs=1e-12), (a, b, measure)
        # and scipy's tau-b agrees with the loop
        assert kendalltau(x, y, variant="b").statistic == pytest.approx(expected["tau_b"])


def test_real_year_matrix_symmetric(
    atop: pl.DataFrame, system: pl.DataFrame, nmc: pl.DataFrame
) -> None:
    sy = pl.DataFrame({"ccode": slow_members(system, 1960)}).with_columns(year=pl.lit(1960))
    for measure in ALL_MEASURES:
        codes, m = similarity_matrix(atop, sy, 1960, measure=measure, capabilities=nmc)
        assert m.shape == (codes.size, codes.size)
        np.testing.assert_allclose(m, m.T, rtol=0, atol=1e-12)
        assert np.nanmax(m) <= 1 + 1e-12 and np.nanmin(m) >= -1 - 1e-12
        if measure.startswith("s_"):
            assert (np.diag(m) == 1).all()  # a state is identical to itself


def test_full_range_shape(atop: pl.DataFrame, system: pl.DataFrame, nmc: pl.DataFrame) -> None:
    from foedus.frames.systems import create_state_years

    sy = create_state_years(system, system="cow", years=(1816, 2018))
    out = similarity_dyad_years(atop, sy, capabilities=nmc)
    per_year = sy.group_by("year").len()
    assert out.height == int((per_year["len"] * (per_year["len"] - 1)).sum())  # 1,988,010
    assert out.select(pl.struct("ccode1", "ccode2", "year").is_duplicated().any()).item() is False
    assert out["year"].min() == 1816 and out["year"].max() == 2018
    assert out.select("ccode1", "ccode2", "year").equals(
        out.select("ccode1", "ccode2", "year").sort("ccode1", "ccode2", "year")
    )
    assert out.schema["year"] == pl.Int64 and out.schema["tau_b"] == pl.Float64
    for measure in ALL_MEASURES:
        assert out[measure].min() >= -1 - 1e-12 and out[measure].max() <= 1 + 1e-12
    # with self-ties and at least three members no measure is ever undefined in COW/ATOP
    assert out.null_count().row(0) == (0,) * out.width
