"""Staggered DiD (Callaway-Sant'Anna, local projections) and the time-varying Cox model against
the libraries' own results, on simulated data with a known effect, and on bad input."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from foedus.errors import DegenerateSampleError, FoedusError
from foedus.impact.designs import check_estimator, run_design
from foedus.impact.estimators import (
    callaway_santanna,
    cox,
    cox_time_varying,
    lpdid,
    ph_interaction_test,
    ph_test,
    sun_abraham,
    sup_t_critical_value,
)


def _df_het() -> pl.DataFrame:
    """pyfixest's shipped simulated staggered panel (cohorts 2000, 2010, never; 1990-2020)."""
    import pyfixest

    path = Path(pyfixest.__file__).parent / "did" / "data" / "df_het.csv"
    return pl.read_csv(path).select(pl.col("unit").alias("dyad"), "year",
                                    pl.col("g").alias("cohort"), pl.col("dep_var").alias("y"),
                                    (pl.col("te") + pl.col("te_dynamic")).alias("true"))


def _pyfixest_2x2(df: pl.DataFrame, g: int, t: int, not_yet: bool) -> float:
    """ATT(g, t) as the pyfixest regression on the 2 x 2 sample: cohort g and the comparison
    units between g-1 and t, the units observed in both years."""
    import pyfixest as pf

    base = g - 1
    ctrl = pl.col("cohort") == 0
    if not_yet:
        ctrl = ctrl | (pl.col("cohort") > max(t, base))
    sub = df.filter(pl.col("year").is_in([base, t]) & ((pl.col("cohort") == g) | ctrl))
    sub = sub.filter(pl.col("year").n_unique().over("dyad") == 2).with_columns(
        ((pl.col("cohort") == g) & (pl.col("year") == t)).cast(pl.Float64).alias("treat"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols("y ~ treat | dyad + year", data=sub.to_pandas())
    return float(fit.coef()["treat"])


@pytest.mark.parametrize("comparison", ["not-yet", "never"])
def test_callaway_santanna_equals_pyfixest_2x2_on_df_het(comparison: str) -> None:
    df = _df_het()
    es = callaway_santanna(df, "y", comparison=comparison, bootstrap=0)
    sizes = dict(df.unique("dyad").group_by("cohort").len().iter_rows())
    mine = {r["rel"]: r["estimate"] for r in es.periods.to_dicts()}
    for rel in (-5, -3, -2, 0, 2, 5):
        cells = [(g, _pyfixest_2x2(df, g, g + rel, comparison == "not-yet")) for g in (2000, 2010)]
        ref = sum(sizes[g] * v for g, v in cells) / sum(sizes[g] for g, _ in cells)
        assert mine[rel] == pytest.approx(ref, abs=1e-8), rel
    # ATT = mean of relative years 0..5, and the true effect lies in its CI
    post = [mine[r] for r in range(6)]
    assert es.att.estimate == pytest.approx(np.mean(post), abs=1e-12)
    truth = df.filter((pl.col("cohort") > 0) & (pl.col("year") - pl.col("cohort")).is_between(0, 5))
    true_att = float(truth.group_by(pl.col("year") - pl.col("cohort")).agg(
        pl.col("true").mean()).get_column("true").mean())
    assert es.att.ci_low < true_att < es.att.ci_high
    assert es.pretrend_p > 0.01 and es.pretrend_df == 4
    assert es.n_cohorts == 2 and es.comparison == comparison


def _dynamic(seed: int, n_units: int = 400, pretrend: float = 0.0,
             never_share: int = 4) -> pl.DataFrame:
    """Staggered onsets 2004-2010 with a dynamic effect 0.5 + 0.1 e (e = years since onset),
    unit and year effects, 5% of rows missing; ``pretrend`` adds a trend to treated units
    before onset (violating parallel trends)."""
    rng = np.random.default_rng(seed)
    rows = []
    years = range(2000, 2016)
    year_fe = {t: rng.normal(0, 0.3) for t in years}
    for u in range(n_units):
        g = 0 if u % never_share == 0 else int(rng.choice([2004, 2006, 2008, 2010]))
        a = rng.normal()
        for t in years:
            if rng.random() < 0.05:
                continue
            e = t - g
            eff = 0.5 + 0.1 * e if g and e >= 0 else 0.0
            trend = pretrend * (t - 2000) if g and e < 0 else 0.0
            rows.append((u, t, g, a + year_fe[t] + eff + trend + rng.normal(0, 0.3)))
    return pl.DataFrame(rows, schema=["dyad", "year", "cohort", "y"], orient="row")


def test_known_staggered_effect_recovered_within_ci() -> None:
    df = _dynamic(21)
    truth = {e: 0.5 + 0.1 * e for e in range(6)}
    for comparison in ("never", "not-yet"):
        es = callaway_santanna(df, "y", comparison=comparison, bootstrap=499)
        assert es.att.ci_low < 0.75 < es.att.ci_high, comparison
        rows = {r["rel"]: r for r in es.periods.to_dicts()}
        for e, v in truth.items():
            assert rows[e]["band_low"] < v < rows[e]["band_high"], (comparison, e)
            assert rows[e]["band_high"] - rows[e]["band_low"] > rows[e]["ci_high"] - rows[e]["ci_low"]
        assert es.pretrend_p > 0.01
    lp = lpdid(df, "y")
    assert lp.att.ci_low < 0.75 < lp.att.ci_high
    lp_rows = {r["rel"]: r for r in lp.periods.to_dicts()}
    assert all(lp_rows[e]["ci_low"] < v < lp_rows[e]["ci_high"] for e, v in truth.items())


def test_violated_parallel_trends_detected() -> None:
    df = _dynamic(22, pretrend=0.08)
    assert callaway_santanna(df, "y", comparison="not-yet", bootstrap=0).pretrend_p < 0.01
    assert sun_abraham(df, "y").pretrend_p < 0.01


def test_sup_t_matches_the_library_multiplier_bootstrap() -> None:
    from differences.models.attgt.mboot import boot_crit_val, multiplier_bootstrap

    rng = np.random.default_rng(5)
    common = rng.normal(size=(3000, 1))
    inf = 0.6 * common + 0.8 * rng.normal(size=(3000, 8))  # correlated estimates
    ours = sup_t_critical_value(inf, 0.95, 2000, seed=1)
    mb = np.sqrt(3000) * multiplier_bootstrap(inf, 2000, 2, disable_tqdm=True)
    ref, _ = boot_crit_val(mb, alpha=0.05)
    assert ours == pytest.approx(float(ref), abs=0.08)
    assert 1.96 < ours < 3.2


def test_fast_sparse_column_equals_the_library() -> None:
    from differences.models.attgt.utility_ntl import get_sparse_array
    from scipy.sparse import lil_array

    from foedus.impact.estimators import _csr_column

    rng = np.random.default_rng(0)
    idx = np.sort(rng.choice(5000, 700, replace=False))
    vals = rng.normal(size=700)
    a = get_sparse_array(5000, vals, idx, lil_array).toarray()
    assert np.array_equal(a, _csr_column(5000, vals, idx).toarray())
    assert np.array_equal(get_sparse_array(50, 2.0, [3, 7], lil_array).toarray(),
                          _csr_column(50, 2.0, [3, 7]).toarray())


def test_speed_ups_leave_callaway_santanna_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    """The speed-ups (CSR influence columns, the closed-form intercept-only outcome regression,
    the group-time cells on numpy arrays, integer Rademacher draws) give the numbers the
    library's own functions give."""
    import differences.models.attgt.attgt_cal as cal
    import differences.models.did.did_cal as did_cal
    from differences.models.attgt.utility_ntl import get_sparse_array

    import foedus.impact.estimators as est

    rng = np.random.default_rng(11)
    u = np.repeat(np.arange(200), 12)
    t = np.tile(np.arange(1990, 2002), 200)
    g = np.where(u < 130, 1994 + u % 4, 0)
    y = (np.where((g > 0) & (t >= g), 0.5, 0.0) + 0.02 * (t - 1990) + rng.normal(0, 0.3, u.size))
    df = pl.DataFrame({"dyad": u, "year": t, "cohort": g, "y": y}).filter(
        pl.Series(rng.random(u.size) > 0.05))  # unbalanced, as the dyad panel is
    est._speed_up_differences()
    fast_cells = cal.did_single_gt
    assert hasattr(fast_cells, "__foedus_original__")
    before = len(fast_cells.fast_cells)
    new = {c: callaway_santanna(df, "y", comparison=c, bootstrap=199) for c in ("never", "not-yet")}
    assert len(fast_cells.fast_cells) - before > 30  # the cells really took the fast path
    monkeypatch.setattr(cal, "did_single_gt", fast_cells.__foedus_original__)
    # the library as shipped: LIL influence columns, statsmodels WLS, rng.choice draws
    wols = getattr(did_cal.wols_out_reg, "__foedus_original__", did_cal.wols_out_reg)
    monkeypatch.setattr(did_cal, "wols_out_reg", wols)
    monkeypatch.setattr(cal, "get_sparse_array", get_sparse_array)
    monkeypatch.setattr(est, "_speed_up_differences", lambda: None)

    def choice_draws(influence, level=0.95, draws=999, seed=20261203):  # type: ignore[no-untyped-def]
        inf = np.asarray(influence, dtype=float)
        n = inf.shape[0]
        sigma = np.sqrt(np.mean(inf**2, axis=0) / n)
        keep = sigma > 0
        inf, sigma = inf[:, keep], sigma[keep]
        xi = np.random.default_rng(seed).choice(np.array([-1.0, 1.0]), size=(draws, n))
        return float(np.quantile(np.max(np.abs((xi @ inf) / n) / sigma, axis=1), level))

    monkeypatch.setattr(est, "sup_t_critical_value", choice_draws)
    for comparison, es in new.items():
        old = callaway_santanna(df, "y", comparison=comparison, bootstrap=199)
        assert es.att.estimate == pytest.approx(old.att.estimate, rel=1e-12, abs=1e-14)
        assert es.att.se == pytest.approx(old.att.se, rel=1e-12)
        assert es.pretrend_p == pytest.approx(old.pretrend_p, rel=1e-9, abs=1e-300)
        assert es.extra["band_critical_value"] == pytest.approx(
            old.extra["band_critical_value"], rel=1e-12)
        for col in ("estimate", "se", "ci_low", "ci_high", "band_low", "band_high"):
            assert np.allclose(es.periods[col].to_numpy(), old.periods[col].to_numpy(),
                               rtol=1e-12, atol=1e-14), (comparison, col)
    # the patched outcome regression really is the library's WLS on the intercept
    x = np.ones((300, 1))
    yy, w, m = rng.normal(size=300), rng.uniform(0.5, 2, 300), rng.random(300) > 0.4
    fast = est._intercept_only_out_reg(wols)
    assert np.allclose(fast(yy, x, w, m), wols(yy, x, w, m), rtol=1e-13)
    x2 = np.column_stack([x, rng.normal(size=300)])  # with a covariate: the library's own
    assert np.array_equal(fast(yy, x2, w, m), wols(yy, x2, w, m))


def test_staggered_bad_input_refused() -> None:
    df = _dynamic(23, n_units=120)
    flat = df.with_columns(pl.lit(1.0).alias("y"))
    with pytest.raises(DegenerateSampleError, match="no variation"):
        callaway_santanna(flat, "y", bootstrap=0)
    one = df.with_columns(pl.when(pl.col("cohort") > 0).then(2006).otherwise(0).alias("cohort"))
    for fit in (lambda d: callaway_santanna(d, "y", bootstrap=0), lambda d: lpdid(d, "y")):
        with pytest.raises(DegenerateSampleError, match="1 onset cohort"):
            fit(one)
    no_never = df.filter(pl.col("cohort") > 0)
    with pytest.raises(DegenerateSampleError, match="no never-treated"):
        callaway_santanna(no_never, "y", comparison="never", bootstrap=0)
    # two cohorts, no never-treated, and the later cohort (2006) first seen in 2005: nobody is
    # left as a not-yet-treated comparison at either onset
    late = no_never.filter((pl.col("cohort") <= 2006)
                           & ((pl.col("cohort") == 2004) | (pl.col("year") >= 2005)))
    with pytest.raises(DegenerateSampleError, match="no not-yet-treated unit is left"):
        callaway_santanna(late, "y", comparison="not-yet", bootstrap=0)
    with pytest.raises(DegenerateSampleError, match="comparison group"):
        callaway_santanna(df, "y", comparison="sometimes", bootstrap=0)


def test_estimator_choice_checked() -> None:
    assert check_estimator(None, None) == ("sun-abraham", "never")
    assert check_estimator("callaway_santanna", None) == ("callaway-santanna", "never")
    assert check_estimator("lpdid", None) == ("lpdid", "not-yet")
    with pytest.raises(FoedusError, match="does not take the 'not-yet'"):
        check_estimator("sun-abraham", "not-yet")
    with pytest.raises(FoedusError, match="unknown event-study estimator"):
        check_estimator("did2s", None)
    with pytest.raises(FoedusError, match="no event study"):
        run_design("member-exit", "unused.duckdb", estimator="lpdid")


def test_time_varying_cox_and_ph_checks() -> None:
    rng = np.random.default_rng(8)
    rows, flip = [], []
    for i in range(2500):
        for t in range(25):
            x = int(t >= 4 and i % 2 == 0)
            h = 0.04 * np.exp(0.6 * x)
            e = int(rng.random() < 1 - np.exp(-h))
            # second data set: the effect of z reverses after year 10 (non-proportional)
            rows.append((i, t, t + 1, x, e))
            if e:
                break
    df = pl.DataFrame(rows, schema=["id", "a", "b", "x", "e"], orient="row")
    est, ph = cox_time_varying(df, "id", "a", "b", "e", ["x"])
    assert est[0].ci_low < 0.6 < est[0].ci_high
    assert ph["global_p"] > 0.01
    for i in range(2500):
        z = i % 2
        for t in range(25):
            h = 0.04 * np.exp((1.2 if t < 8 else -1.2) * z)
            e = int(rng.random() < 1 - np.exp(-h))
            flip.append((i, t, t + 1, z, e))
            if e:
                break
    nph = pl.DataFrame(flip, schema=["id", "a", "b", "z", "e"], orient="row")
    assert ph_interaction_test(nph, "id", "a", "b", "e", ["z"])["global_p"] < 0.001
    spells = nph.group_by("id").agg(pl.col("b").max().alias("t"), pl.col("e").max(),
                                    pl.col("z").first())
    _, fitted = cox(spells, "t", "e", ["z"])
    assert ph_test(fitted, spells, "t", "e", ["z"])["global_p"] < 0.001
    few = df.with_columns(pl.when(pl.col("id") < 3).then(pl.col("e")).otherwise(0).alias("e"))
    with pytest.raises(DegenerateSampleError, match="event"):
        cox_time_varying(few, "id", "a", "b", "e", ["x"])


def test_formation_cox_and_member_exit_ph_on_shared_data(built_warehouse: Path) -> None:
    from typer.testing import CliRunner

    from foedus.cli import app

    res = CliRunner().invoke(app, ["impact", "run", "formation-cox", "--years", "1995-2010",
                                   "--json", "--warehouse", str(built_warehouse)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    terms = {e["term"]: e for e in doc["estimates"]}
    assert set(terms) == {"exercised_lag1", "repeated_lag1"}
    assert all(e["events"] >= 10 and e["ph_p"] is not None for e in terms.values())
    assert doc["tables"]["proportional_hazards_global"][0]["global_df"] == 2
    exit_ = run_design("member-exit", built_warehouse)
    assert {r["covariate"] for r in exit_.tables["proportional_hazards"]} == {
        e["term"] for e in exit_.estimates}
    assert all(e["ph_p"] is not None for e in exit_.estimates)
