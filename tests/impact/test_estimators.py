"""The impact estimators against the libraries they wrap, and on data with a known effect."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
import pytest

from foedus.errors import DegenerateSampleError, OutsideCoverageError
from foedus.impact.estimators import placebo, proportion_ci, sun_abraham, twfe
from foedus.impact.panel import TREATMENTS, add_formation, add_treatment, coverage_window


def _staggered(seed: int, effect: float, n_units: int = 300, years: range = range(2000, 2014),
               unbalanced: bool = True) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(n_units):
        cohort = 0 if u % 3 == 0 else int(rng.choice([2003, 2005, 2007, 2009]))
        alpha = rng.normal()
        for t in years:
            if unbalanced and rng.random() < 0.05:
                continue
            d = 1.0 if cohort and t >= cohort else 0.0
            rows.append({"dyad": u, "year": t, "cohort": cohort, "D": d,
                         "y": alpha + 0.1 * (t - 2000) + effect * d + rng.normal(0, 0.5)})
    return pl.DataFrame(rows)


def test_twfe_equals_pyfixest_and_linearmodels() -> None:
    import pyfixest as pf
    from linearmodels.panel import PanelOLS

    df = _staggered(11, 0.7)
    ours = twfe(df, "y", "D")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pf.feols("y ~ D | dyad + year", data=df.to_pandas(), vcov={"CRV1": "dyad"})
    assert ours.estimate == pytest.approx(float(ref.coef()["D"]), abs=1e-8)
    assert ours.se == pytest.approx(float(ref.se()["D"]), abs=1e-8)
    assert ours.n == df.height
    panel = df.to_pandas().set_index(["dyad", "year"])
    lm = PanelOLS(panel["y"], panel[["D"]], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True)
    assert ours.estimate == pytest.approx(float(lm.params["D"]), abs=1e-8)


def test_sun_abraham_equals_pyfixest_saturated_event_study() -> None:
    import pyfixest as pf

    df = _staggered(12, 0.5, n_units=150, unbalanced=False)
    ours = sun_abraham(df, "y", window=(-9, 10))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = pf.event_study(df.to_pandas(), yname="y", idname="dyad", tname="year",
                                gname="cohort", cluster="dyad", estimator="saturated")
        ref = fitted.aggregate()
    mine = {r["rel"]: r for r in ours.periods.to_dicts()}
    compared = 0
    for period, row in ref.iterrows():
        rel = int(float(period))
        if rel == -1 or rel not in mine:
            continue
        assert mine[rel]["estimate"] == pytest.approx(float(row["Estimate"]), abs=1e-8)
        assert mine[rel]["se"] == pytest.approx(float(row["Std. Error"]), abs=1e-8)
        compared += 1
    assert compared >= 15


def test_known_effect_recovered_within_ci() -> None:
    df = _staggered(13, 0.8)
    main = twfe(df, "y", "D")
    assert main.ci_low < 0.8 < main.ci_high
    es = sun_abraham(df, "y")
    assert es.att.ci_low < 0.8 < es.att.ci_high
    assert es.pretrend_p > 0.01  # parallel trends hold by construction
    assert es.pretrend_df == 4
    pla = placebo(df, "y", main.estimate, draws=19)
    assert pla["p"] == pytest.approx(0.05)  # no permutation reaches the true effect


def test_null_effect_not_significant() -> None:
    df = _staggered(14, 0.0)
    es = sun_abraham(df, "y")
    assert es.att.ci_low < 0 < es.att.ci_high


def test_degenerate_samples_refused() -> None:
    df = _staggered(15, 0.5).with_columns(pl.lit(1.0).alias("flat"))
    with pytest.raises(DegenerateSampleError, match="no variation"):
        twfe(df, "flat", "D")
    few = df.with_columns(pl.when(pl.col("dyad") < 4).then(pl.col("D")).otherwise(0.0).alias("D"))
    with pytest.raises(DegenerateSampleError, match="ever treated"):
        twfe(few, "y", "D")
    few_es = df.with_columns(pl.when(pl.col("dyad") < 4).then(pl.col("cohort")).otherwise(0)
                             .alias("cohort"))
    with pytest.raises(DegenerateSampleError, match="onset"):
        sun_abraham(few_es, "y")
    with pytest.raises(OutsideCoverageError, match="outside dca"):
        coverage_window((2015, 2020), ("dca", (1980, 2010)), ("s", (1816, 2018)))


def test_treatment_coverage_is_null_outside() -> None:
    df = pl.DataFrame({"dyad": [1] * 4 + [2] * 4, "year": [1979, 1980, 1981, 2011] * 2,
                       "dca_active": [None, 0, 1, None, None, 1, 1, None]})
    out = add_treatment(df, TREATMENTS["dca"])
    assert out["D"].to_list() == [None, 0, 1, None, None, 1, 1, None]
    assert out["cohort"].to_list() == [1981] * 4 + [None] * 4  # dyad 2: onset unknown


def test_formation_onset() -> None:
    cols = {c: [0.0, 0.0, 1.0, 1.0, 0.0] for c in
            ("atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul",
             "atop_alliance")}
    df = pl.DataFrame({"dyad": [1] * 5, "year": [2000, 2001, 2002, 2003, 2004], **cols})
    assert add_formation(df)["form_defense"].to_list() == [None, 0, 1, None, None]


def test_proportion_interval_known_values() -> None:
    ci = proportion_ci(0, 15)
    assert ci["rate"] == 0
    assert ci["exact_high"] == pytest.approx(1 - 0.025 ** (1 / 15), abs=1e-9)
