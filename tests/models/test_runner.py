"""The model runner against statsmodels' own estimates, and its errors and reports."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
from scipy.special import expit
from statsmodels.discrete.discrete_model import Logit, Probit

from foedus.frames.frame import Frame
from foedus.models import (
    CollinearityError,
    ModelError,
    NoVariationError,
    SeparationError,
    UnknownColumnError,
    dyad_groups,
    fit,
    lag_columns,
)

TOL = 1e-6


@pytest.fixture(scope="module")
def sim() -> pl.DataFrame:
    """Simulated directed dyad-years (seed 20240501): 400 dyads × 12 years, dyad random effects
    so that clustering matters, a binary and a continuous covariate and a peace-year spell."""
    rng = np.random.default_rng(20240501)
    n_dyads, n_years = 400, 12
    a = rng.choice(np.arange(2, 1000), 300, replace=False)
    b = a + rng.integers(1, 300, 300)
    # 300 pairs; the first 100 also appear in the other direction (one cluster per pair)
    c1, c2 = np.concatenate([a, b[:100]]), np.concatenate([b, a[:100]])
    rows = []
    for d in range(n_dyads):
        effect = rng.normal(scale=0.8)
        spell = int(rng.integers(0, 20))
        for t in range(n_years):
            x1 = rng.normal()
            x2 = float(rng.random() < 0.3)
            eta = -2.0 + 0.7 * x1 - 0.6 * x2 - 0.04 * spell + effect
            y = float(rng.random() < expit(eta))
            rows.append((int(c1[d]), int(c2[d]), 1990 + t, y, x1, x2, float(spell)))
            spell = 0 if y else spell + 1
    return pl.DataFrame(
        rows, schema=["ccode1", "ccode2", "year", "y", "x1", "x2", "yspell"], orient="row"
    )


def _groups(df: pl.DataFrame) -> np.ndarray:
    lo = np.minimum(df["ccode1"], df["ccode2"])
    hi = np.maximum(df["ccode1"], df["ccode2"])
    pairs = np.column_stack([lo, hi])
    _, inverse = np.unique(pairs, axis=0, return_inverse=True)
    return inverse.ravel()


def _design(df: pl.DataFrame, cols: list[str], spell: str | None = None) -> np.ndarray:
    parts = [np.ones(df.height), *[df[c].to_numpy().astype(float) for c in cols]]
    if spell:
        s = df[spell].to_numpy().astype(float)
        parts += [s, s**2, s**3]
    return np.column_stack(parts)


def _table(res) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    return {c: res.coefficients[c].to_numpy() for c in res.coefficients.columns if c != "term"}


# -- equality with statsmodels ------------------------------------------------------------------
def test_logit_dyad_clustered_equals_statsmodels(sim: pl.DataFrame) -> None:
    res = fit(sim, "y", ["x1", "x2"], peace_years="cubic", spell="yspell", cluster="dyad")
    X = _design(sim, ["x1", "x2"], "yspell")
    ref = Logit(sim["y"].to_numpy(), X).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": _groups(sim)}
    )
    got = _table(res)
    np.testing.assert_allclose(got["estimate"], ref.params, rtol=0, atol=TOL)
    np.testing.assert_allclose(got["std_error"], ref.bse, rtol=0, atol=TOL)
    np.testing.assert_allclose(got["z"], ref.tvalues, rtol=1e-6)
    np.testing.assert_allclose(got["p_value"], ref.pvalues, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(got["conf_low"], ref.conf_int()[:, 0], atol=TOL)
    np.testing.assert_allclose(got["conf_high"], ref.conf_int()[:, 1], atol=TOL)
    assert res.terms == ("const", "x1", "x2", "yspell", "yspell^2", "yspell^3")
    assert res.n == sim.height and res.n_clusters == len(np.unique(_groups(sim)))
    assert res.log_likelihood == pytest.approx(ref.llf, abs=TOL)
    assert res.aic == pytest.approx(ref.aic, abs=TOL) and res.bic == pytest.approx(ref.bic, abs=TOL)
    assert res.pseudo_r2 == pytest.approx(ref.prsquared, abs=TOL)
    # clustering matters on this fixture: the clustered SEs differ from the model-based ones
    plain = Logit(sim["y"].to_numpy(), X).fit(disp=0)
    assert np.max(np.abs(ref.bse - plain.bse)) > 1e-3


def test_probit_dyad_clustered_equals_statsmodels(sim: pl.DataFrame) -> None:
    res = fit(sim, "y", ["x1", "x2"], family="probit", peace_years="cubic", spell="yspell")
    X = _design(sim, ["x1", "x2"], "yspell")
    ref = Probit(sim["y"].to_numpy(), X).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": _groups(sim)}
    )
    np.testing.assert_allclose(_table(res)["estimate"], ref.params, atol=TOL)
    np.testing.assert_allclose(_table(res)["std_error"], ref.bse, atol=TOL)


def test_other_covariances_equal_statsmodels(sim: pl.DataFrame) -> None:
    X = _design(sim, ["x1"])
    y = sim["y"].to_numpy()
    plain = fit(sim, "y", ["x1"], cluster=None)
    np.testing.assert_allclose(_table(plain)["std_error"], Logit(y, X).fit(disp=0).bse, atol=TOL)
    robust = fit(sim, "y", ["x1"], cluster="robust")
    ref = Logit(y, X).fit(disp=0, cov_type="HC0")
    np.testing.assert_allclose(_table(robust)["std_error"], ref.bse, atol=TOL)
    by_year = fit(sim, "y", ["x1"], cluster="year")
    ref = Logit(y, X).fit(disp=0, cov_type="cluster", cov_kwds={"groups": sim["year"].to_numpy()})
    np.testing.assert_allclose(_table(by_year)["std_error"], ref.bse, atol=TOL)
    assert by_year.n_clusters == 12 and by_year.cluster == "year"


def test_dyad_groups_ignore_direction() -> None:
    df = pl.DataFrame({"ccode1": [2, 20, 2, 20], "ccode2": [20, 2, 200, 200]})
    assert dyad_groups(df).tolist() == [0, 0, 1, 2]


def test_marginal_effects_equal_get_margeff(sim: pl.DataFrame) -> None:
    res = fit(sim, "y", ["x1", "x2"], peace_years="cubic", spell="yspell")
    X = _design(sim, ["x1", "x2"], "yspell")
    ref = Logit(sim["y"].to_numpy(), X).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": _groups(sim)}
    )
    me = ref.get_margeff(at="overall", method="dydx")
    got = res.marginal_effects(peace_years=True)
    assert got["term"].to_list() == ["x1", "x2", "yspell", "yspell^2", "yspell^3"]
    np.testing.assert_allclose(got["dydx"].to_numpy(), me.margeff, atol=TOL)
    np.testing.assert_allclose(got["std_error"].to_numpy(), me.margeff_se, atol=TOL)
    assert res.marginal_effects()["term"].to_list() == ["x1", "x2"]  # peace-years left out
    dummy = res.marginal_effects(dummy=True)
    ref_dummy = ref.get_margeff(dummy=True)
    np.testing.assert_allclose(dummy["dydx"].to_numpy(), ref_dummy.margeff[:2], atol=TOL)


def test_predicted_probabilities_have_intervals_in_unit_interval(sim: pl.DataFrame) -> None:
    res = fit(sim, "y", ["x1", "x2"], peace_years="cubic", spell="yspell")
    profiles = [
        {"x1": v, "x2": d, "yspell": s} for v in (-3.0, 0.0, 3.0) for d in (0, 1) for s in (0, 15)
    ]
    pred = res.predict(profiles)
    p, lo, hi = (pred[c].to_numpy() for c in ("probability", "conf_low", "conf_high"))
    assert ((0 <= lo) & (lo <= p) & (p <= hi) & (hi <= 1)).all()
    assert (hi - lo > 0).all()
    X = np.array(
        [[1, r["x1"], r["x2"], r["yspell"], r["yspell"] ** 2, r["yspell"] ** 3] for r in profiles]
    )
    np.testing.assert_allclose(p, res.results.predict(X), atol=1e-12)
    # unspecified covariates are held at their sample means
    one = res.predict({"x1": 1.0})
    full = res.predict({"x1": 1.0, "x2": sim["x2"].mean(), "yspell": sim["yspell"].mean()})
    assert one["probability"][0] == pytest.approx(full["probability"][0])
    with pytest.raises(UnknownColumnError, match="zz"):
        res.predict({"zz": 1})


def test_spline_peace_years(sim: pl.DataFrame) -> None:
    res = fit(sim, "y", ["x1"], peace_years="spline", spell="yspell", spline_df=4)
    assert res.terms[-4:] == tuple(f"yspell_bs{i}" for i in range(1, 5))
    pred = res.predict([{"yspell": 0}, {"yspell": 10}])
    assert pred["probability"].is_between(0, 1).all()


def test_spell_is_found_from_the_outcome(sim: pl.DataFrame) -> None:
    df = sim.rename({"y": "gmlmidonset", "yspell": "gmlmidspell"}).with_columns(
        cowmidspell=pl.lit(1)
    )
    res = fit(df, "gmlmidonset", ["x1"], peace_years="cubic")
    assert res.spell == "gmlmidspell"


# -- lags, samples, missing data -------------------------------------------------------------
def test_lag_within_dyad(sim: pl.DataFrame) -> None:
    lagged = lag_columns(sim, ["x1"])
    first = sim.sort("year").group_by("ccode1", "ccode2", maintain_order=True).first()
    assert lagged.filter(pl.col("year") == 1990)["x1_lag1"].null_count() == first.height
    row = sim.filter(pl.col("year") == 1995).row(0, named=True)
    before = sim.filter(
        (pl.col("ccode1") == row["ccode1"])
        & (pl.col("ccode2") == row["ccode2"])
        & (pl.col("year") == 1994)
    )["x1"][0]
    after = lagged.filter(
        (pl.col("ccode1") == row["ccode1"])
        & (pl.col("ccode2") == row["ccode2"])
        & (pl.col("year") == 1995)
    )["x1_lag1"][0]
    assert after == before
    res = fit(sim, "y", ["x1", "x2"], lag=["x1"])
    assert res.terms == ("const", "x1_lag1", "x2") and res.lagged == ("x1",)
    assert res.n_dropped == res.dropped_by_variable["x1_lag1"] == 400  # each dyad's first year
    assert "lagged one year within dyad: x1" in res.sample
    assert (
        res.predict({"x1": 0.5})["probability"][0]
        == res.predict({"x1_lag1": 0.5})["probability"][0]
    )


def test_listwise_deletion_is_reported_by_variable(sim: pl.DataFrame) -> None:
    df = sim.with_columns(
        x1=pl.when(pl.col("year") == 1990).then(None).otherwise(pl.col("x1")),
        x2=pl.when(pl.int_range(pl.len()) % 17 == 0).then(float("nan")).otherwise(pl.col("x2")),
    )
    res = fit(df, "y", ["x1", "x2"])
    complete = df.with_columns(pl.col("x2").fill_nan(None)).drop_nulls(["x1", "x2"])
    assert res.n == complete.height and res.n_dropped == df.height - complete.height
    assert res.dropped_by_variable["x1"] == 400
    assert (
        res.dropped_by_variable["x2"] == df.select((pl.int_range(pl.len()) % 17 == 0).sum()).item()
    )
    assert res.dropped_by_variable["y"] == 0
    ref = Logit(complete["y"].to_numpy(), _design(complete, ["x1", "x2"])).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": _groups(complete)}
    )
    np.testing.assert_allclose(_table(res)["estimate"], ref.params, atol=TOL)
    np.testing.assert_allclose(_table(res)["std_error"], ref.bse, atol=TOL)
    assert "x1: 400" in res.summary()


def test_samples_prd_and_years(sim: pl.DataFrame) -> None:
    df = sim.with_columns(
        conttype=pl.when(pl.col("ccode1") % 3 == 0).then(1.0).otherwise(0.0),
        cowmaj1=(pl.col("ccode1") == 2).cast(pl.Int64),
        cowmaj2=(pl.col("ccode2") == 2).cast(pl.Int64),
    )
    res = fit(df, "y", ["x1"], sample="prd", years=(1991, 2000))
    kept = df.filter(
        ((pl.col("conttype") >= 1) | (pl.col("cowmaj1") == 1) | (pl.col("cowmaj2") == 1))
        & pl.col("year").is_between(1991, 2000)
    )
    assert res.n == kept.height and res.n_sample == kept.height and res.n_input == df.height
    assert "politically relevant" in res.sample and "1991–2000" in res.sample
    expr = fit(df, "y", ["x1"], sample=pl.col("x2") == 0)
    assert expr.n == df.filter(pl.col("x2") == 0).height
    with pytest.raises(ModelError, match="add_contiguity"):
        fit(sim, "y", ["x1"], sample="prd")


def test_accepts_a_frame_and_serialises(sim: pl.DataFrame) -> None:
    frame = Frame(sim, unit="dyad-year", system="cow", directed=True)
    res = fit(frame, "y", ["x1"])
    doc = json.loads(json.dumps(res.to_dict()))
    assert doc["n"] == sim.height and doc["coefficients"][1]["term"] == "x1"
    assert res.coefficient("x1")["estimate"] == doc["coefficients"][1]["estimate"]


# -- errors ---------------------------------------------------------------------------------
def test_complete_separation_names_the_covariate(sim: pl.DataFrame) -> None:
    df = sim.with_columns(y=(pl.col("x1") > 0.5).cast(pl.Float64))
    with pytest.raises(SeparationError) as info:
        fit(df, "y", ["x1", "x2"])
    assert info.value.covariate == "x1" and info.value.kind == "complete"
    assert "x1" in info.value.what and "firth" in (info.value.fix or "")


def test_perfect_prediction_by_a_dummy(sim: pl.DataFrame) -> None:
    df = sim.with_columns(y=pl.when(pl.col("x2") == 1).then(1.0).otherwise(pl.col("y")))
    with pytest.raises(SeparationError) as info:
        fit(df, "y", ["x1", "x2"])
    assert info.value.covariate == "x2" and info.value.kind == "quasi-complete"
    assert "perfect prediction" in str(info.value) and "x2 = 1 has y = 1" in str(info.value)
    df0 = sim.with_columns(y=pl.when(pl.col("x2") == 1).then(0.0).otherwise(pl.col("y")))
    with pytest.raises(SeparationError, match="x2 = 1 has y = 0"):
        fit(df0, "y", ["x1", "x2"], family="probit")


def test_separation_by_a_combination_is_caught_after_the_fit(sim: pl.DataFrame) -> None:
    df = sim.with_columns(y=((pl.col("x1") + 2 * pl.col("x2")) > 0.8).cast(pl.Float64))
    with pytest.raises(SeparationError) as info:
        fit(df, "y", ["x1", "x2"])
    assert info.value.kind == "combination" and "firth" in (info.value.fix or "")


def test_firth_is_finite_under_separation_and_solves_the_modified_score(sim: pl.DataFrame) -> None:
    df = sim.with_columns(y=pl.when(pl.col("x2") == 1).then(1.0).otherwise(pl.col("y")))
    res = fit(df, "y", ["x1", "x2"], family="penalized", cluster=None)
    beta = res.coefficients["estimate"].to_numpy()
    assert np.isfinite(beta).all() and res.family == "firth" and res.converged
    X, y = _design(df, ["x1", "x2"]), df["y"].to_numpy()
    p = expit(X @ beta)
    w = p * (1 - p)
    info = X.T @ (X * w[:, None])
    h = w * np.einsum("ij,jk,ik->i", X, np.linalg.inv(info), X)
    np.testing.assert_allclose(X.T @ (y - p + h * (0.5 - p)), 0, atol=1e-6)
    # model-based covariance: inverse Fisher information at the estimate (statsmodels' Hessian)
    cov = np.linalg.inv(-Logit(y, X).hessian(beta))
    np.testing.assert_allclose(
        res.coefficients["std_error"].to_numpy(), np.sqrt(np.diag(cov)), atol=TOL
    )
    assert any("separation" in n for n in res.notes)


def test_firth_is_close_to_logit_without_separation(sim: pl.DataFrame) -> None:
    ml = fit(sim, "y", ["x1", "x2"]).coefficients["estimate"].to_numpy()
    firth = fit(sim, "y", ["x1", "x2"], family="firth")
    np.testing.assert_allclose(firth.coefficients["estimate"].to_numpy(), ml, atol=0.02)
    assert firth.cov_type == "firth-cluster"
    assert firth.predict({"x1": 0})["probability"].is_between(0, 1).all()
    assert firth.marginal_effects().height == 2


def test_no_variation_in_the_outcome(sim: pl.DataFrame) -> None:
    with pytest.raises(NoVariationError, match="no variation"):
        fit(sim.with_columns(y=pl.lit(0.0)), "y", ["x1"])
    with pytest.raises(ModelError, match="not 0/1"):
        fit(sim.with_columns(y=pl.col("y") * 2 + 1), "y", ["x1"])
    with pytest.raises(NoVariationError, match="no rows left"):
        fit(sim.with_columns(x1=pl.lit(None, dtype=pl.Float64)), "y", ["x1"])


def test_collinear_and_constant_covariates(sim: pl.DataFrame) -> None:
    df = sim.with_columns(w=2 * pl.col("x1") - pl.col("x2"), c=pl.lit(3.0))
    with pytest.raises(CollinearityError) as info:
        fit(df, "y", ["x1", "x2", "w"])
    assert "'w'" in info.value.what and "'x1'" in info.value.what and "'x2'" in info.value.what
    with pytest.raises(CollinearityError, match="'c' does not vary"):
        fit(df, "y", ["x1", "c"])


def test_unknown_columns_and_bad_options(sim: pl.DataFrame) -> None:
    with pytest.raises(UnknownColumnError, match="did you mean x1"):
        fit(sim, "y", ["x11"])
    with pytest.raises(UnknownColumnError, match="outcome"):
        fit(sim, "onset", ["x1"])
    with pytest.raises(ModelError, match="not covariates"):
        fit(sim, "y", ["x1"], lag=["x2"])
    with pytest.raises(ModelError, match="unknown family"):
        fit(sim, "y", ["x1"], family="tobit")  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="spell"):
        fit(sim.drop("yspell"), "y", ["x1"], peace_years="cubic")
    with pytest.raises(ModelError, match="dyad-year"):
        fit(sim.drop("ccode2").rename({"ccode1": "ccode"}), "y", ["x1"], cluster="dyad")
