"""Estimators of the impact designs: thin, checked wrappers around kept libraries.

* :func:`twfe` — linear panel model with unit and year fixed effects and unit-clustered standard
  errors (pyfixest ``feols``, CRV1);
* :func:`sun_abraham` — the Sun & Abraham (2021) interaction-weighted event study: a pyfixest
  regression of the outcome on cohort × relative-year indicators (never-treated units the
  comparison group, relative year −1 the reference) with unit and year fixed effects, aggregated
  to one estimate per relative year with cohort-share weights; a Wald pre-trend test;
* :func:`placebo` — randomisation inference: the TWFE estimate with onset cohorts permuted across
  units, many times (one pyfixest multiple-estimation call);
* :func:`cox` — Cox proportional hazards (lifelines);
* :func:`proportion_ci` — Wilson and Clopper–Pearson intervals for a proportion;
* :func:`adjust_pvalues` — Holm and Benjamini–Hochberg adjustments (statsmodels).

Every wrapper refuses a degenerate sample (:class:`~foedus.errors.DegenerateSampleError`):
an outcome without variation, too few treated units, no comparison units.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import polars as pl

from foedus.errors import DegenerateSampleError

__all__ = [
    "MIN_TREATED",
    "Estimate",
    "EventStudy",
    "adjust_pvalues",
    "cox",
    "placebo",
    "proportion_ci",
    "sun_abraham",
    "twfe",
]

#: Fewest treated units (or events) a design accepts.
MIN_TREATED = 10


@dataclass
class Estimate:
    """One estimated quantity with its uncertainty and sample.

    Example:
        >>> Estimate("D", 0.1, 0.05, 0.0, 0.2, 0.04, 100).to_dict()["estimate"]
        0.1
    """

    term: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p: float
    n: int
    n_clusters: int | None = None
    n_treated: int | None = None
    estimator: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        d = asdict(self)
        d.update(d.pop("extra"))
        return d


def _pandas(df: pl.DataFrame, columns: list[str]) -> Any:
    return df.select(columns).to_pandas()


def _check_sample(df: pl.DataFrame, outcome: str, unit: str, where: str) -> None:
    if df.height == 0:
        raise DegenerateSampleError("the estimation sample is empty", where=where,
                                    fix="choose years and units the sources cover")  # fmt: skip
    if df.get_column(outcome).n_unique() < 2:
        raise DegenerateSampleError(
            f"the outcome '{outcome}' has no variation in the estimation sample "
            f"({df.height:,} rows, all {df.get_column(outcome)[0]})",
            where=where, fix="choose another outcome or other years; nothing was fitted",
        )  # fmt: skip


def twfe(
    df: pl.DataFrame,
    outcome: str,
    treatment: str,
    *,
    unit: str = "dyad",
    time: str = "year",
    controls: tuple[str, ...] = (),
    where: str = "twfe",
    level: float = 0.95,
) -> Estimate:
    """``outcome ~ treatment + controls | unit + time``, standard errors clustered on ``unit``.

    Rows with a missing value are dropped; the treatment must vary within units (a unit-constant
    treatment is absorbed) and at least :data:`MIN_TREATED` units must ever be treated.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> n_u, n_t = 60, 10
        >>> u = np.repeat(np.arange(n_u), n_t); t = np.tile(np.arange(n_t), n_u)
        >>> d = ((u < 30) & (t >= 5)).astype(float)
        >>> y = 0.5 * d + 0.1 * u / n_u + 0.05 * t + rng.normal(0, 0.1, u.size)
        >>> est = twfe(pl.DataFrame({"dyad": u, "year": t, "y": y, "D": d}), "y", "D")
        >>> round(est.estimate, 1), est.n, est.n_clusters
        (0.5, 600, 60)
    """
    import pyfixest as pf

    cols = [outcome, treatment, unit, time, *controls]
    data = df.select(cols).drop_nulls().fill_nan(None).drop_nulls()
    _check_sample(data, outcome, unit, where)
    treated_units = data.filter(pl.col(treatment) != 0).get_column(unit).n_unique()
    if treated_units < MIN_TREATED:
        raise DegenerateSampleError(
            f"only {treated_units} unit(s) are ever treated ('{treatment}' ≠ 0) in the sample; "
            f"at least {MIN_TREATED} are needed",
            where=where, fix="widen the years or choose a treatment with more treated pairs",
        )  # fmt: skip
    varies = data.group_by(unit).agg(pl.col(treatment).n_unique() > 1).get_column(treatment)
    if not varies.any():
        raise DegenerateSampleError(
            f"'{treatment}' never changes within a {unit}: the {unit} fixed effects absorb it",
            where=where, fix="choose years in which the treatment starts or stops",
        )  # fmt: skip
    rhs = " + ".join([treatment, *controls])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = pf.feols(f"{outcome} ~ {rhs} | {unit} + {time}", data=_pandas(data, cols),
                         vcov={"CRV1": unit})  # fmt: skip
    tidy = model.tidy(alpha=1 - level)
    row = tidy.loc[treatment]
    return Estimate(
        term=treatment,
        estimate=float(row["Estimate"]),
        se=float(row["Std. Error"]),
        ci_low=float(row[tidy.columns[-2]]),
        ci_high=float(row[tidy.columns[-1]]),
        p=float(row["Pr(>|t|)"]),
        n=int(model._N),
        n_clusters=int(data.get_column(unit).n_unique()),
        n_treated=int(treated_units),
        estimator=f"OLS, {unit} and {time} fixed effects, {unit}-clustered SEs (pyfixest CRV1)",
    )


@dataclass
class EventStudy:
    """A Sun–Abraham event study: per relative year estimates, the post-period ATT and the
    pre-trend test.

    Example:
        >>> EventStudy.__name__
        'EventStudy'
    """

    periods: pl.DataFrame
    att: Estimate
    pretrend_stat: float
    pretrend_df: int
    pretrend_p: float
    n: int
    n_treated: int
    n_never: int
    n_cohorts: int
    window: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        return {
            "att": self.att.to_dict(),
            "periods": self.periods.to_dicts(),
            "pretrend": {"chi2": self.pretrend_stat, "df": self.pretrend_df,
                         "p": self.pretrend_p},  # fmt: skip
            "n": self.n, "n_treated": self.n_treated, "n_never_treated": self.n_never,
            "n_cohorts": self.n_cohorts, "window": list(self.window),
        }  # fmt: skip


_COEF = re.compile(r".+::(?P<rel>-?\d+(?:\.0)?):.+::(?P<cohort>\d+(?:\.0)?)$")


def sun_abraham(
    df: pl.DataFrame,
    outcome: str,
    *,
    unit: str = "dyad",
    time: str = "year",
    cohort: str = "cohort",
    window: tuple[int, int] = (-5, 5),
    level: float = 0.95,
    where: str = "event study",
) -> EventStudy:
    """Sun & Abraham (2021) interaction-weighted event study.

    ``cohort`` is each unit's onset year (0 = never treated in the panel). Treated units' rows
    outside ``window`` (relative years) are dropped, so every cohort × relative year inside it
    has its own coefficient; never-treated units are the comparison group; relative year −1 is
    the reference. The regression ``outcome ~ i(rel, cohort, ref=-1, ref2=0) | unit + time`` is
    fitted by pyfixest with unit-clustered SEs (the same regression as pyfixest's
    ``SaturatedEventStudy``), then each relative year's estimate is the average of its cohort
    coefficients weighted by the cohorts' shares of treated rows at that relative year (Sun &
    Abraham's weights). The ATT averages the post-onset cells (0 … window end) weighted by their
    rows; the pre-trend test is the Wald χ² that every pre-onset estimate (window start … −2) is 0.

    Example:
        >>> rng = np.random.default_rng(3)
        >>> u = np.repeat(np.arange(200), 12); t = np.tile(np.arange(2000, 2012), 200)
        >>> g = np.where(np.repeat(np.arange(200), 12) < 100, 2003 + u % 5, 0)
        >>> y = np.where((g > 0) & (t >= g), 1.0, 0.0) + rng.normal(0, 0.2, u.size)
        >>> es = sun_abraham(pl.DataFrame({"dyad": u, "year": t, "cohort": g, "y": y}), "y")
        >>> round(es.att.estimate, 1), es.pretrend_p > 0.01
        (1.0, True)
    """
    import pyfixest as pf
    from scipy import stats

    lo, hi = window
    if not lo <= -2 < 0 <= hi:
        raise DegenerateSampleError(f"event window {window} must include -2 … 0",
                                    where=where, fix="use e.g. (-5, 5)")  # fmt: skip
    data = df.select(outcome, unit, time, cohort).drop_nulls().fill_nan(None).drop_nulls()
    data = data.with_columns(
        pl.when(pl.col(cohort) > 0).then(pl.col(time) - pl.col(cohort)).otherwise(-1)
        .cast(pl.Int64).alias("rel")
    ).filter((pl.col(cohort) == 0) | pl.col("rel").is_between(lo, hi))  # fmt: skip
    _check_sample(data, outcome, unit, where)
    treated = data.filter(pl.col(cohort) > 0)
    n_treated = treated.get_column(unit).n_unique()
    n_never = data.filter(pl.col(cohort) == 0).get_column(unit).n_unique()
    if n_treated < MIN_TREATED:
        raise DegenerateSampleError(
            f"only {n_treated} unit(s) have an observed onset in the sample; at least "
            f"{MIN_TREATED} are needed", where=where,
            fix="widen the years or choose a treatment with more onsets",
        )  # fmt: skip
    if n_never == 0:
        raise DegenerateSampleError("no never-treated unit is left as a comparison group",
                                    where=where, fix="widen the sample")  # fmt: skip
    if treated.filter(pl.col("rel") == -1).height == 0 or treated.filter(pl.col("rel") >= 0).height == 0:
        raise DegenerateSampleError("no treated unit is observed both the year before and after "
                                    "its onset", where=where, fix="widen the years")  # fmt: skip
    pdf = data.select(outcome, unit, time, cohort, "rel").to_pandas()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = pf.feols(
            f"{outcome} ~ i(rel, {cohort}, ref=-1, ref2=0) | {unit} + {time}",
            data=pdf, vcov={"CRV1": unit},
        )  # fmt: skip
    names = list(model._coefnames)
    beta = np.asarray(model._beta_hat, dtype=float)
    vcov = np.asarray(model._vcov, dtype=float)
    cells = []
    for i, name in enumerate(names):
        m = _COEF.match(name)
        if m:
            cells.append((i, int(float(m["rel"])), int(float(m["cohort"]))))
    counts = {
        (r, g): n
        for r, g, n in treated.group_by("rel", cohort).len().iter_rows()
    }  # fmt: skip
    z = float(stats.norm.ppf(0.5 + level / 2))
    rows = []
    pre_vectors, pre_est = [], []
    for rel in range(lo, hi + 1):
        if rel == -1:
            rows.append({"rel": -1, "estimate": 0.0, "se": 0.0, "ci_low": 0.0, "ci_high": 0.0,
                         "p": None, "n_treated_rows": int(sum(n for (r, _), n in counts.items()
                                                              if r == -1))})  # fmt: skip
            continue
        idx = [(i, g) for i, r, g in cells if r == rel]
        if not idx:
            continue
        w = np.zeros(len(beta))
        total = sum(counts.get((rel, g), 0) for _, g in idx)
        if total == 0:
            continue
        for i, g in idx:
            w[i] = counts.get((rel, g), 0) / total
        est = float(w @ beta)
        se = float(np.sqrt(w @ vcov @ w))
        p = float(2 * stats.norm.sf(abs(est / se))) if se > 0 else float("nan")
        rows.append({"rel": rel, "estimate": est, "se": se, "ci_low": est - z * se,
                     "ci_high": est + z * se, "p": p, "n_treated_rows": int(total)})  # fmt: skip
        if rel <= -2:
            pre_vectors.append(w)
            pre_est.append(est)
    # ATT: every post-onset cell in the window, weighted by its treated rows
    w = np.zeros(len(beta))
    post = [(i, r, g) for i, r, g in cells if r >= 0]
    total = sum(counts.get((r, g), 0) for _, r, g in post)
    for i, r, g in post:
        w[i] = counts.get((r, g), 0) / total
    att = float(w @ beta)
    att_se = float(np.sqrt(w @ vcov @ w))
    if pre_vectors:
        R = np.vstack(pre_vectors)
        b = np.asarray(pre_est)
        cov = R @ vcov @ R.T
        stat = float(b @ np.linalg.pinv(cov) @ b)
        dof = len(pre_est)
        pre_p = float(stats.chi2.sf(stat, dof))
    else:
        stat, dof, pre_p = float("nan"), 0, float("nan")
    periods = pl.DataFrame(rows).sort("rel")
    return EventStudy(
        periods=periods,
        att=Estimate(
            term="ATT (post-onset average)", estimate=att, se=att_se,
            ci_low=att - z * att_se, ci_high=att + z * att_se,
            p=float(2 * stats.norm.sf(abs(att / att_se))) if att_se > 0 else float("nan"),
            n=int(model._N), n_clusters=int(data.get_column(unit).n_unique()),
            n_treated=int(n_treated),
            estimator="Sun-Abraham interaction-weighted event study (pyfixest feols, cohort x "
            "relative-year indicators, never-treated comparison, unit-clustered SEs)",
        ),  # fmt: skip
        pretrend_stat=stat, pretrend_df=dof, pretrend_p=pre_p, n=int(model._N),
        n_treated=int(n_treated), n_never=int(n_never),
        n_cohorts=int(treated.get_column(cohort).n_unique()), window=window,
    )  # fmt: skip


def placebo(
    df: pl.DataFrame,
    outcome: str,
    actual: float,
    *,
    unit: str = "dyad",
    time: str = "year",
    cohort: str = "cohort",
    draws: int = 50,
    seed: int = 20261203,
    where: str = "placebo",
) -> dict[str, Any]:
    """Randomisation inference for the TWFE estimate of an onset: the units' onset cohorts
    (including "never", 0) are permuted across units ``draws`` times; each permutation gives a
    placebo treatment ``year >= cohort`` and a TWFE estimate (one pyfixest call with ``sw()``).
    Returns the placebo estimates' mean and SD and the two-sided permutation p-value
    ``(1 + #{|placebo| >= |actual|}) / (draws + 1)``.

    Example:
        >>> rng = np.random.default_rng(4)
        >>> u = np.repeat(np.arange(120), 10); t = np.tile(np.arange(10), 120)
        >>> g = np.where(u < 60, 3 + u % 4, 0)
        >>> y = np.where((g > 0) & (t >= g), 1.0, 0.0) + rng.normal(0, 0.3, u.size)
        >>> out = placebo(pl.DataFrame({"dyad": u, "year": t, "cohort": g, "y": y}), "y", 1.0,
        ...               draws=20)
        >>> out["p"] < 0.1
        True
    """
    import pyfixest as pf

    data = df.select(outcome, unit, time, cohort).drop_nulls().fill_nan(None).drop_nulls()
    _check_sample(data, outcome, unit, where)
    units = data.select(unit, cohort).unique(unit).sort(unit)
    rng = np.random.default_rng(seed)
    cols = {}
    base = units.get_column(cohort).to_numpy()
    for k in range(draws):
        cols[f"p{k}"] = rng.permutation(base)
    perm = pl.DataFrame({unit: units.get_column(unit), **cols})
    joined = data.join(perm, on=unit, how="left")
    joined = joined.with_columns(
        ((pl.col(f"p{k}") > 0) & (pl.col(time) >= pl.col(f"p{k}"))).cast(pl.Float64).alias(f"p{k}")
        for k in range(draws)
    )  # fmt: skip
    names = [f"p{k}" for k in range(draws)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fits = pf.feols(f"{outcome} ~ sw({', '.join(names)}) | {unit} + {time}",
                        data=joined.to_pandas(), vcov={"CRV1": unit})  # fmt: skip
    values = []
    for fitted in fits.all_fitted_models.values():
        coef = fitted.coef()
        values.append(float(coef.iloc[0]))
    arr = np.asarray(values)
    p = float((1 + np.sum(np.abs(arr) >= abs(actual))) / (len(arr) + 1))
    return {"draws": len(arr), "seed": seed, "mean": float(arr.mean()), "sd": float(arr.std()),
            "p": p}  # fmt: skip


def cox(
    data: Any,
    duration: str,
    event: str,
    covariates: list[str],
    *,
    cluster: str | None = None,
    where: str = "Cox model",
    level: float = 0.95,
) -> tuple[list[Estimate], Any]:
    """Cox proportional-hazards model (lifelines ``CoxPHFitter``, Efron ties; robust SEs
    clustered on ``cluster`` when given). Returns one :class:`Estimate` per covariate (log hazard
    ratios) and the fitted model.

    Example:
        >>> rng = np.random.default_rng(5)
        >>> x = rng.integers(0, 2, 4000)
        >>> t = rng.exponential(1 / np.exp(0.7 * x))
        >>> df = pl.DataFrame({"t": t, "e": np.ones(4000, dtype=int), "x": x})
        >>> est, _ = cox(df, "t", "e", ["x"])
        >>> est[0].ci_low < 0.7 < est[0].ci_high
        True
    """
    from lifelines import CoxPHFitter

    df = data if isinstance(data, pl.DataFrame) else pl.from_pandas(data)
    cols = [duration, event, *covariates, *([cluster] if cluster else [])]
    df = df.select(cols).drop_nulls()
    events = int(df.get_column(event).sum())
    if events < MIN_TREATED:
        raise DegenerateSampleError(f"only {events} event(s) in the sample; at least "
                                    f"{MIN_TREATED} are needed", where=where,
                                    fix="widen the sample")  # fmt: skip
    for c in covariates:
        if df.get_column(c).n_unique() < 2:
            raise DegenerateSampleError(f"covariate '{c}' has no variation", where=where,
                                        fix="drop it or widen the sample")  # fmt: skip
    fitter = CoxPHFitter(alpha=1 - level)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitter.fit(df.to_pandas(), duration_col=duration, event_col=event,
                   cluster_col=cluster, robust=cluster is not None)  # fmt: skip
    s = fitter.summary
    lo_col = [c for c in s.columns if c.startswith("coef lower")][0]
    hi_col = [c for c in s.columns if c.startswith("coef upper")][0]
    out = [
        Estimate(term=c, estimate=float(s.loc[c, "coef"]), se=float(s.loc[c, "se(coef)"]),
                 ci_low=float(s.loc[c, lo_col]), ci_high=float(s.loc[c, hi_col]),
                 p=float(s.loc[c, "p"]), n=df.height,
                 n_clusters=df.get_column(cluster).n_unique() if cluster else None,
                 estimator="Cox proportional hazards (lifelines), log hazard ratio",
                 extra={"events": events, "hazard_ratio": float(np.exp(s.loc[c, "coef"]))})
        for c in covariates
    ]  # fmt: skip
    return out, fitter


def proportion_ci(k: int, n: int, level: float = 0.95) -> dict[str, float | None]:
    """A proportion ``k / n`` with Wilson and Clopper–Pearson (exact) intervals.

    Example:
        >>> ci = proportion_ci(30, 40)
        >>> ci["rate"], round(ci["wilson_low"], 3), round(ci["exact_low"], 3)
        (0.75, 0.598, 0.588)
    """
    from statsmodels.stats.proportion import proportion_confint

    if n == 0:
        return {"rate": None, "wilson_low": None, "wilson_high": None, "exact_low": None,
                "exact_high": None}  # fmt: skip
    wl, wh = proportion_confint(k, n, alpha=1 - level, method="wilson")
    el, eh = proportion_confint(k, n, alpha=1 - level, method="beta")
    return {"rate": k / n, "wilson_low": float(wl), "wilson_high": float(wh),
            "exact_low": float(el), "exact_high": float(eh)}  # fmt: skip


def adjust_pvalues(pvalues: list[float]) -> dict[str, list[float | None]]:
    """Holm (family-wise error) and Benjamini–Hochberg (false discovery rate) adjusted p-values;
    missing p-values stay missing.

    Example:
        >>> adjust_pvalues([0.01, 0.04, 0.5])["holm"]
        [0.03, 0.08, 0.5]
    """
    from statsmodels.stats.multitest import multipletests

    idx = [i for i, p in enumerate(pvalues) if p is not None and not np.isnan(p)]
    holm: list[float | None] = [None] * len(pvalues)
    bh: list[float | None] = [None] * len(pvalues)
    if idx:
        vals = [pvalues[i] for i in idx]
        h = multipletests(vals, method="holm")[1]
        b = multipletests(vals, method="fdr_bh")[1]
        for j, i in enumerate(idx):
            holm[i] = round(float(h[j]), 12)
            bh[i] = round(float(b[j]), 12)
    return {"holm": holm, "bh": bh}
