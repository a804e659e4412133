"""Estimators of the impact designs: thin, checked wrappers around kept libraries.

* :func:`twfe` — linear panel model with unit and year fixed effects and unit-clustered standard
  errors (pyfixest ``feols``, CRV1);
* :func:`sun_abraham` — the Sun & Abraham (2021) interaction-weighted event study: a pyfixest
  regression of the outcome on cohort × relative-year indicators (never-treated units the
  comparison group, relative year −1 the reference) with unit and year fixed effects, aggregated
  to one estimate per relative year with cohort-share weights; a Wald pre-trend test;
* :func:`callaway_santanna` — the Callaway & Sant'Anna (2021) group-time ATTs (library
  ``differences``), never-treated or not-yet-treated comparison units, aggregated to relative
  years and to one post-onset ATT, with a Wald pre-trend test and pointwise and simultaneous
  (multiplier-bootstrap) bands;
* :func:`lpdid` — the local-projections DiD of Dube, Girardi, Jordà & Taylor (2023) (pyfixest
  ``lpdid``: clean controls = units not yet treated at the horizon);
* :func:`placebo` — randomisation inference: the TWFE estimate with onset cohorts permuted across
  units, many times (one pyfixest multiple-estimation call);
* :func:`cox` — Cox proportional hazards (lifelines), :func:`cox_time_varying` — with
  time-varying covariates on counting-process spells; :func:`ph_test` and
  :func:`ph_interaction_test` — their proportional-hazards checks;
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
    "MIN_COHORTS",
    "adjust_pvalues",
    "callaway_santanna",
    "cox",
    "cox_time_varying",
    "lpdid",
    "ph_interaction_test",
    "ph_test",
    "sup_t_critical_value",
    "placebo",
    "proportion_ci",
    "sun_abraham",
    "twfe",
]

#: Fewest treated units (or events) a design accepts.
MIN_TREATED = 10
#: Fewest onset cohorts a staggered design accepts (one cohort is a plain 2-group DiD: use TWFE).
MIN_COHORTS = 2


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
    estimator: str = "sun-abraham"
    comparison: str = "never"
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        return {"estimator": self.estimator, "comparison": self.comparison, **self.extra,
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

_COMPARISONS = ("never", "not-yet")


def _staggered_sample(
    df: pl.DataFrame, outcome: str, unit: str, time: str, cohort: str, comparison: str,
    window: tuple[int, int], where: str,
) -> tuple[pl.DataFrame, list[int], list[int], int, int]:
    """The shared checks of the staggered estimators. Returns the clean rows, the usable onset
    cohorts, the cohorts dropped for want of comparison units, the treated and never-treated
    unit counts."""
    lo, hi = window
    if comparison not in _COMPARISONS:
        raise DegenerateSampleError(f"unknown comparison group '{comparison}'", where=where,
                                    fix="use 'never' or 'not-yet'")  # fmt: skip
    if not lo <= -2 < 0 <= hi:
        raise DegenerateSampleError(f"event window {window} must include -2 … 0",
                                    where=where, fix="use e.g. (-5, 5)")  # fmt: skip
    data = df.select(outcome, unit, time, cohort).drop_nulls().fill_nan(None).drop_nulls()
    _check_sample(data, outcome, unit, where)
    # a unit's onset must fall after its first and no later than its last observed year: an
    # onset at or before the first observation has no pre-onset year (onset unknown), one after
    # the last is never seen treated (neither treated nor truly never treated): both left out
    seen_from = pl.col(time).min().over(unit)
    seen_to = pl.col(time).max().over(unit)
    data = data.filter((pl.col(cohort) == 0)
                       | ((pl.col(cohort) > seen_from) & (pl.col(cohort) <= seen_to)))
    units = data.select(unit, cohort).unique(unit)
    treated_units = units.filter(pl.col(cohort) > 0)
    n_treated = treated_units.height
    n_never = units.height - n_treated
    if n_treated < MIN_TREATED:
        raise DegenerateSampleError(
            f"only {n_treated} unit(s) have an observed onset (after the first year) in the "
            f"sample; at least {MIN_TREATED} are needed", where=where,
            fix="widen the years or choose a treatment with more onsets",
        )  # fmt: skip
    cohorts = sorted(int(g) for g in treated_units.get_column(cohort).unique())
    if len(cohorts) < MIN_COHORTS:
        raise DegenerateSampleError(
            f"only {len(cohorts)} onset cohort(s) ({', '.join(map(str, cohorts))}); a staggered "
            f"design needs at least {MIN_COHORTS}", where=where,
            fix="widen the years, or read the TWFE row (a single cohort is a plain DiD)",
        )  # fmt: skip
    if comparison == "never" and n_never == 0:
        raise DegenerateSampleError("no never-treated unit is left as a comparison group",
                                    where=where, fix="use --comparison not-yet or widen the "
                                    "sample")  # fmt: skip
    # a cohort needs comparison units observed in its onset year and the year before
    seen = data.select(unit, time, cohort)
    usable: list[int] = []
    dropped: list[int] = []
    for g in cohorts:
        ctrl = pl.col(cohort) == 0
        if comparison == "not-yet":
            ctrl = ctrl | (pl.col(cohort) > g)
        both = (seen.filter(ctrl & pl.col(time).is_in([g - 1, g])).group_by(unit).len()
                .filter(pl.col("len") == 2).height)  # fmt: skip
        (usable if both > 0 else dropped).append(g)
    if not usable:
        label = "never-treated" if comparison == "never" else "not-yet-treated"
        raise DegenerateSampleError(
            f"no {label} unit is left as a comparison group at any onset (cohorts "
            f"{cohorts[0]}-{cohorts[-1]})", where=where,
            fix="widen the years or use the other comparison group",
        )  # fmt: skip
    if len(usable) < MIN_COHORTS:
        raise DegenerateSampleError(
            f"only {len(usable)} onset cohort(s) have comparison units; a staggered design "
            f"needs at least {MIN_COHORTS}", where=where, fix="widen the years",
        )  # fmt: skip
    return data, usable, dropped, n_treated, n_never


def _treated_rows(data: pl.DataFrame, unit: str, time: str, cohort: str,
                  cohorts: list[int]) -> dict[int, int]:
    rel = data.filter(pl.col(cohort).is_in(cohorts)).with_columns(
        (pl.col(time) - pl.col(cohort)).alias("_rel"))
    return {int(r): int(n) for r, n in rel.group_by("_rel").len().iter_rows()}



def sup_t_critical_value(influence: Any, level: float = 0.95, draws: int = 999,
                         seed: int = 20261203) -> float:
    """Critical value of a simultaneous (uniform) confidence band over k estimates from their
    influence functions (an n × k array, one row per cluster): the ``level`` quantile of
    max_j |ξ' ψ_j| / (n σ_j) over ``draws`` vectors ξ of Rademacher weights, σ_j the analytic
    standard error (the multiplier bootstrap of Callaway & Sant'Anna 2021, section 4). It is at
    least the pointwise normal value when the estimates are perfectly correlated, and grows
    with their number when they are independent.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> c1 = sup_t_critical_value(rng.normal(size=(2000, 1)))
        >>> c10 = sup_t_critical_value(rng.normal(size=(2000, 10)))
        >>> 1.85 < c1 < 2.1, 2.6 < c10 < 3.0
        (True, True)
    """
    inf = np.asarray(influence, dtype=float)
    n = inf.shape[0]
    sigma = np.sqrt(np.mean(inf**2, axis=0) / n)
    keep = sigma > 0
    inf, sigma = inf[:, keep], sigma[keep]
    rng = np.random.default_rng(seed)
    # the draws of rng.choice([-1, 1], size) (which draws these same integers and indexes the
    # two values), 20x faster on tens of thousands of clusters
    xi = rng.integers(0, 2, size=(draws, n)) * 2.0 - 1.0
    boot = (xi @ inf) / n
    stat = np.max(np.abs(boot) / sigma, axis=1)
    return float(np.quantile(stat, level))


def _csr_column(nrows: int, ary: Any, fill_idx: Any, sparse_func: Any = None) -> Any:
    """A one-column sparse array with ``ary`` at rows ``fill_idx`` (CSR), the same array the
    library's ``get_sparse_array`` builds through a row-by-row LIL matrix, ~100× faster on
    panels of tens of thousands of units."""
    from scipy.sparse import csr_array

    idx = np.asarray(fill_idx, dtype=np.int64).ravel()
    vals = np.asarray(ary, dtype=float).ravel()
    if vals.size == 1 and idx.size != 1:
        vals = np.full(idx.size, float(vals[0]))
    return csr_array((vals, (idx, np.zeros_like(idx))), shape=(nrows, 1))


def _intercept_only_out_reg(original: Any) -> Any:
    """The library's outcome regression of the control group (``wols_out_reg``, a statsmodels
    WLS fit per group-time cell) with its intercept-only case — the only one without covariates
    — in closed form: the WLS fit of y on a constant is the weighted mean of y. The same number
    (to rounding) without a least-squares solve on tens of thousands of rows 300 times; any
    other case goes to the library's own function."""

    def wols_out_reg(endog: Any, exog: Any, weights: Any, mask: Any,
                     pscore_fit: Any = None) -> Any:
        if (pscore_fit is None and exog.ndim == 2 and exog.shape[1] == 1
                and bool(np.all(exog == 1.0))):  # fmt: skip
            w = np.asarray(weights, dtype=float)[mask]
            beta = float(np.sum(w * np.asarray(endog, dtype=float)[mask]) / np.sum(w))
            return np.full(exog.shape[0], beta)
        return original(endog, exog, weights, mask, pscore_fit)

    wols_out_reg.__foedus_original__ = original  # type: ignore[attr-defined]
    return wols_out_reg


class _PanelArrays:
    """The columns of the library's panel as numpy arrays, computed once per fit (the library
    passes the same DataFrame to every group-time cell)."""

    def __init__(self, data: Any, entities: Any, y: str, cohort: str, weights: str,
                 x: str) -> None:
        codes = np.asarray(entities.get_indexer(data.index.get_level_values(0)), dtype=np.int64)
        times = np.asarray(data.index.get_level_values(1))
        same = codes[1:] == codes[:-1]
        # the cell arithmetic below relies on rows sorted by entity, then time, one per pair
        self.ok = bool(codes.size and np.all(codes >= 0) and np.all(np.diff(codes) >= 0)
                       and np.all(np.diff(times)[same] > 0))  # fmt: skip
        self.codes, self.times = codes, times
        self.coh = np.asarray(data[cohort].to_numpy(), dtype=float)
        self.y = data[y].to_numpy()
        self.w = data[weights].to_numpy()
        self.x = data[x].to_numpy()
        self.ok = self.ok and bool(np.all(self.x == 1))


def _fast_group_time(original: Any) -> Any:
    """The library's group-time cell (``did_single_gt``) for the only case foedus uses — an
    unbalanced panel clustered by unit, no covariates (an intercept), no strata, nothing written
    to disk — on numpy arrays computed once, instead of pandas masks and takes over the whole
    panel in each of the ≈ 300 cells. Same steps in the same order (treated and comparison rows,
    the units of the cohort, the 2 × 2 balanced sub-panel, ΔY, the library's own ``att_gt_func``
    and influence-function scaling), so the same numbers; every other case, and the reference
    cells, go to the library's function."""
    cache: dict[int, _PanelArrays] = {}
    fast_cells: list[int] = []  # cells computed here (the tests read it)

    def did_single_gt(**kw: Any) -> Any:
        import differences.models.attgt.attgt_cal as cal
        from scipy.sparse import csr_array

        cohort, base, time = kw["cohort"], kw["base_period"], kw["time"]
        xs = kw["x_covariates"]
        if (base == time or kw.get("stratum") is not None or kw["strata_column"] is not None
                or not kw["is_panel"] or kw["is_balanced_panel"] or not kw["cluster_by_entity"]
                or kw["x_delta"] or kw["files_path"] is not None or len(xs) != 1
                or kw["weights_column"] is None):  # fmt: skip
            return original(**kw)
        data = kw["data"]
        key = id(data)
        arr = cache.get(key)
        if arr is None or arr.codes.size != len(data):
            cache.clear()
            arr = cache[key] = _PanelArrays(data, kw["entities"], kw["y_column"],
                                            kw["cohort_column"], kw["weights_column"], xs[0])
        if not arr.ok:
            return original(**kw)
        fast_cells.append(1)
        n_total = kw["n_total"]
        treated = arr.coh == cohort
        control = np.isnan(arr.coh)
        if kw["control_group"] == "not_yet_treated":
            control = control | (~treated & (arr.coh > max(time, base) + kw["anticipation"]))
        in_cohort = np.zeros(n_total, dtype=bool)
        in_cohort[arr.codes[treated]] = True
        cohort_dummy = csr_array(in_cohort.astype(int)[:, None])
        rows = np.flatnonzero((treated | control) & ((arr.times == base) | (arr.times == time)))
        c = arr.codes[rows]
        pair = np.zeros(c.size, dtype=bool)
        same = c[1:] == c[:-1]
        pair[1:] |= same
        pair[:-1] |= same
        rows = rows[pair]  # the 2 x 2 balanced sub-panel: units observed in both years
        present = np.zeros(n_total, dtype=bool)
        present[arr.codes[rows]] = True
        sample_idx = np.argwhere(present).flatten()
        n_sample = np.sum(present)
        at_t = arr.times[rows] == time
        y_delta = arr.y[rows][at_t] - arr.y[rows][~at_t]
        kept = rows[at_t] if time < base else rows[~at_t]  # the earlier year's row
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", category=RuntimeWarning)
                res = kw["att_gt_func"](endog=y_delta, exog=arr.x[kept][:, None],
                                        treated=treated[kept].astype(int),
                                        weights=arr.w[kept], post=None)  # fmt: skip
        except Exception as ex:  # the library's own handling: a missing cell, not a crash
            return cal.ATTgtElements(
                cohort=cohort, base_period=base, time=time, stratum=None,
                anticipation=kw["anticipation"], control_group=kw["control_group"],
                n_sample=n_sample, n_total=n_total, cohort_dummy=None,
                cohort_stratum_dummy=None, stratum_dummy=None, exception=ex, ATT=np.nan,
                influence_func=None)  # fmt: skip
        inf = res["influence_func"].flatten()
        inf *= n_total / n_sample
        return cal.ATTgtElements(
            cohort=cohort, base_period=base, time=time, stratum=None,
            anticipation=kw["anticipation"], control_group=kw["control_group"],
            n_sample=n_sample, n_total=n_total, cohort_dummy=cohort_dummy,
            cohort_stratum_dummy=None, stratum_dummy=None, exception=None, ATT=res["att"],
            influence_func=cal.get_sparse_array(nrows=n_total, ary=inf, fill_idx=sample_idx))

    did_single_gt.__foedus_original__ = original  # type: ignore[attr-defined]
    did_single_gt.fast_cells = fast_cells  # type: ignore[attr-defined]
    return did_single_gt


def _speed_up_differences() -> None:
    """Swap the library's LIL-based influence-function builder for :func:`_csr_column` and its
    intercept-only outcome regression for a weighted mean (:func:`_intercept_only_out_reg`);
    identical results, checked against the library's own functions in ``tests/impact``."""
    import differences.models.attgt.attgt_cal as cal
    import differences.models.did.did_cal as did_cal

    if getattr(cal.get_sparse_array, "__name__", "") != "_csr_column":
        cal.get_sparse_array = _csr_column
    if not hasattr(did_cal.wols_out_reg, "__foedus_original__"):
        did_cal.wols_out_reg = _intercept_only_out_reg(did_cal.wols_out_reg)
    if not hasattr(cal.did_single_gt, "__foedus_original__"):
        cal.did_single_gt = _fast_group_time(cal.did_single_gt)


def callaway_santanna(
    df: pl.DataFrame,
    outcome: str,
    *,
    unit: str = "dyad",
    time: str = "year",
    cohort: str = "cohort",
    comparison: str = "not-yet",
    window: tuple[int, int] = (-5, 5),
    level: float = 0.95,
    bootstrap: int = 999,
    seed: int = 20261203,
    where: str = "event study",
) -> EventStudy:
    """Callaway & Sant'Anna (2021) staggered difference-in-differences.

    ``cohort`` is each unit's onset year (0 = never treated). For every onset cohort g and year
    t with t − g in ``window`` the group-time ATT(g, t) is the 2 × 2 DiD of the cohort against
    the comparison units between g − 1 (a *universal* base period, so the pre-onset estimates
    are, like Sun–Abraham's, relative to the year before onset) and t, using the units observed
    in both years (library ``differences``, outcome-regression form without covariates = the
    unconditional DiD; its panel estimator, unbalanced panels allowed). Comparison units:
    ``"never"`` (never treated) or ``"not-yet"`` (never treated, or first treated after
    max(t, g − 1)). Relative-year estimates aggregate the ATT(g, t) with cohort-size weights;
    the post-onset ATT is their simple average over 0 … window end (Callaway & Sant'Anna's
    dynamic summary restricted to the window); standard errors come from the influence
    functions, clustered by unit. The pre-trend test is the Wald χ² that every pre-onset
    relative-year estimate (window start … −2) is 0 (covariance from the influence functions).
    Pointwise CIs and, with ``bootstrap`` > 0, simultaneous bands over the window's relative
    years (multiplier bootstrap with ``seed``; the critical value is never below the pointwise
    one). Cohorts without any comparison unit at their onset are left out and named in
    ``extra["dropped_cohorts"]``; units whose onset is not inside their own observed years are
    left out.

    Example:
        >>> rng = np.random.default_rng(3)
        >>> u = np.repeat(np.arange(200), 12); t = np.tile(np.arange(2000, 2012), 200)
        >>> g = np.where(u < 150, 2003 + u % 5, 0)
        >>> y = np.where((g > 0) & (t >= g), 1.0, 0.0) + rng.normal(0, 0.2, u.size)
        >>> es = callaway_santanna(pl.DataFrame({"dyad": u, "year": t, "cohort": g, "y": y}),
        ...                        "y", bootstrap=0)
        >>> round(es.att.estimate, 1), es.pretrend_p > 0.01, es.comparison
        (1.0, True, 'not-yet')
    """
    from differences import ATTgt
    from scipy import stats

    _speed_up_differences()
    lo, hi = window
    data, cohorts, dropped, n_treated, n_never = _staggered_sample(
        df, outcome, unit, time, cohort, comparison, window, where)
    pdf = data.with_columns(
        pl.when(pl.col(cohort) > 0).then(pl.col(cohort).cast(pl.Float64)).otherwise(None)
        .alias("onset_year")).select(unit, time, "onset_year", outcome).to_pandas()  # fmt: skip
    pdf = pdf.set_index([unit, time])
    att_gt = ATTgt(data=pdf, cohort_column="onset_year", base_period="universal")
    att_gt.filter_gt(base_period="universal", relative_period_start=lo, relative_period_end=hi,
                     cohort=cohorts)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        att_gt.fit(outcome, est_method="reg",
                   control_group="never_treated" if comparison == "never" else "not_yet_treated",
                   as_repeated_cross_section=False, alpha=1 - level, progress_bar=False)
        att_gt.aggregate("event", alpha=1 - level)
    agg = att_gt._result_dict["full_sample"]["aggregate_inst"]
    events = {int(e.relative_period): e for e in agg.event}
    z = float(stats.norm.ppf(0.5 + level / 2))
    rows_at = _treated_rows(data, unit, time, cohort, cohorts)
    rows, pre_if, pre_est, post_if, post_est, ifs = [], [], [], [], [], []
    n_if = 0
    for rel in range(lo, hi + 1):
        e = events.get(rel)
        if e is None:
            continue
        est = float(e.ATT)
        if rel == -1:
            rows.append({"rel": -1, "estimate": 0.0, "se": 0.0, "ci_low": 0.0, "ci_high": 0.0,
                         "p": None, "band_low": 0.0, "band_high": 0.0,
                         "n_treated_rows": rows_at.get(-1, 0)})  # fmt: skip
            continue
        inf = np.asarray(e.influence_func.toarray() if hasattr(e.influence_func, "toarray")
                         else e.influence_func, dtype=float).ravel()  # fmt: skip
        n_if = inf.size
        se = float(np.sqrt(np.mean(inf**2) / inf.size))
        p = float(2 * stats.norm.sf(abs(est / se))) if se > 0 else float("nan")
        rows.append({"rel": rel, "estimate": est, "se": se, "ci_low": est - z * se,
                     "ci_high": est + z * se, "p": p, "n_treated_rows": rows_at.get(rel, 0)})
        ifs.append(inf)
        if rel <= -2:
            pre_if.append(inf)
            pre_est.append(est)
        elif rel >= 0:
            post_if.append(inf)
            post_est.append(est)
    if not post_est:
        raise DegenerateSampleError("no post-onset group-time effect could be estimated",
                                    where=where, fix="widen the years")  # fmt: skip
    raw_crit = sup_t_critical_value(np.vstack(ifs).T, level, bootstrap, seed) if bootstrap else None
    # with few treated units a handful of influence values dominate, the Rademacher draws take
    # few distinct values and their quantile can fall below the pointwise one: never narrower
    crit = None if raw_crit is None else max(raw_crit, z)
    for r in rows:
        if crit is None:
            r["band_low"] = r["band_high"] = None
        else:
            est_r, se_r = float(r["estimate"] or 0.0), float(r["se"] or 0.0)
            r["band_low"] = est_r - crit * se_r
            r["band_high"] = est_r + crit * se_r
    post = np.vstack(post_if).mean(axis=0)
    att = float(np.mean(post_est))
    att_se = float(np.sqrt(np.mean(post**2) / post.size))
    if pre_est:
        inf_pre = np.vstack(pre_if).T
        vcv = inf_pre.T @ inf_pre / n_if
        b = np.asarray(pre_est)
        stat = float(n_if * b @ np.linalg.pinv(vcv) @ b)
        dof = len(pre_est)
        pre_p = float(stats.chi2.sf(stat, dof))
    else:
        stat, dof, pre_p = float("nan"), 0, float("nan")
    label = "never-treated" if comparison == "never" else "not-yet-treated"
    return EventStudy(
        periods=pl.DataFrame(rows).sort("rel"),
        att=Estimate(
            term="ATT (post-onset average)", estimate=att, se=att_se,
            ci_low=att - z * att_se, ci_high=att + z * att_se,
            p=float(2 * stats.norm.sf(abs(att / att_se))) if att_se > 0 else float("nan"),
            n=data.height, n_clusters=int(data.get_column(unit).n_unique()),
            n_treated=int(n_treated),
            estimator=f"Callaway-Sant'Anna group-time ATTs (differences), {label} comparison, "
            "universal base period, cohort-size weights, influence-function SEs clustered by "
            "unit",
        ),  # fmt: skip
        pretrend_stat=stat, pretrend_df=dof, pretrend_p=pre_p, n=data.height,
        n_treated=int(n_treated), n_never=int(n_never), n_cohorts=len(cohorts), window=window,
        estimator="callaway-santanna", comparison=comparison,
        extra={"dropped_cohorts": dropped, "bootstrap": bootstrap, "seed": seed,
               "band_critical_value": crit, "band_critical_value_bootstrap": raw_crit,
               "band_floored_at_pointwise": raw_crit is not None and raw_crit < z,
               "band": "simultaneous over the window's relative years: sup-t critical value "
               f"from {bootstrap} Rademacher multiplier-bootstrap draws of the influence "
               "functions" if crit is not None else "none (pointwise CIs only)"},
    )  # fmt: skip


def lpdid(
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
    """Local-projections difference-in-differences (Dube, Girardi, Jordà & Taylor 2023) by
    pyfixest ``lpdid``: for each horizon h the long difference y(t+h) − y(t−1) regressed on the
    onset indicator with year fixed effects, among onset rows and *clean controls* (units not
    yet treated at t+h, never-treated included), unit-clustered SEs; the ATT is the pooled
    regression of the mean of y(t) … y(t+window end) minus y(t−1). Units' gaps in years are
    filled with empty rows first, so the library's row shifts are year shifts. The horizons are
    separate regressions with no joint covariance: the pre-trend test is a Bonferroni test of
    the pre-onset horizons (min p × their number, capped at 1).

    Example:
        >>> rng = np.random.default_rng(3)
        >>> u = np.repeat(np.arange(200), 12); t = np.tile(np.arange(2000, 2012), 200)
        >>> g = np.where(u < 150, 2003 + u % 5, 0)
        >>> y = np.where((g > 0) & (t >= g), 1.0, 0.0) + rng.normal(0, 0.2, u.size)
        >>> es = lpdid(pl.DataFrame({"dyad": u, "year": t, "cohort": g, "y": y}), "y")
        >>> round(es.att.estimate, 1), es.comparison
        (1.0, 'not-yet')
    """
    import pyfixest as pf
    from scipy import stats

    lo, hi = window
    data, cohorts, dropped, n_treated, n_never = _staggered_sample(
        df, outcome, unit, time, cohort, "not-yet", window, where)
    spans = data.group_by(unit).agg(pl.col(time).min().alias("a"), pl.col(time).max().alias("b"),
                                    pl.col(cohort).first())  # fmt: skip
    grid = spans.with_columns(pl.int_ranges("a", pl.col("b") + 1).alias(time)).explode(time)
    full = grid.select(unit, time, cohort).join(data.select(unit, time, outcome),
                                                on=[unit, time], how="left", maintain_order="left")  # fmt: skip
    pdf = full.with_columns(pl.col(time).cast(pl.Int64), pl.col(cohort).cast(pl.Int64)).sort(
        unit, time).to_pandas()  # fmt: skip
    z = float(stats.norm.ppf(0.5 + level / 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dyn = pf.lpdid(pdf, yname=outcome, idname=unit, tname=time, gname=cohort,
                       vcov={"CRV1": unit}, pre_window=lo, post_window=hi, never_treated=0,
                       att=False).tidy()  # fmt: skip
        pooled = pf.lpdid(pdf, yname=outcome, idname=unit, tname=time, gname=cohort,
                          vcov={"CRV1": unit}, pre_window=lo, post_window=hi, never_treated=0,
                          att=True).tidy()  # fmt: skip
    rows_at = _treated_rows(data, unit, time, cohort, cohorts)
    rows = [{"rel": -1, "estimate": 0.0, "se": 0.0, "ci_low": 0.0, "ci_high": 0.0, "p": None,
             "n_treated_rows": rows_at.get(-1, 0), "n": None}]  # fmt: skip
    pre_p = []
    for name, r in dyn.iterrows():
        rel = int(str(name).split("::")[-1])
        est, se = float(r["Estimate"]), float(r["Std. Error"])
        p = float(r["Pr(>|t|)"])
        rows.append({"rel": rel, "estimate": est, "se": se, "ci_low": est - z * se,
                     "ci_high": est + z * se, "p": p, "n_treated_rows": rows_at.get(rel, 0),
                     "n": int(r["N"])})  # fmt: skip
        if rel <= -2:
            pre_p.append(p)
    r = pooled.iloc[0]
    est, se = float(r["Estimate"]), float(r["Std. Error"])
    bonf = min(1.0, min(pre_p) * len(pre_p)) if pre_p else float("nan")
    return EventStudy(
        periods=pl.DataFrame(rows).sort("rel"),
        att=Estimate(
            term="ATT (pooled post-onset)", estimate=est, se=se, ci_low=est - z * se,
            ci_high=est + z * se, p=float(r["Pr(>|t|)"]), n=int(r["N"]),
            n_clusters=int(data.get_column(unit).n_unique()), n_treated=int(n_treated),
            estimator="local-projections DiD (pyfixest lpdid), clean not-yet-treated controls, "
            "year fixed effects, unit-clustered SEs",
        ),  # fmt: skip
        pretrend_stat=float("nan"), pretrend_df=len(pre_p), pretrend_p=bonf, n=data.height,
        n_treated=int(n_treated), n_never=int(n_never), n_cohorts=len(cohorts), window=window,
        estimator="lpdid", comparison="not-yet",
        extra={"dropped_cohorts": dropped, "pretrend_test": "Bonferroni over the separate "
               "pre-onset horizons (no joint covariance)"},
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
    joined = data.join(perm, on=unit, how="left", maintain_order="left")
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

#: Newton-Raphson options of the time-varying Cox fits: lifelines' default step (0.95)
#: overshoots and diverges on the dyad spells (hundreds of thousands of tied annual rows); half
#: steps converge to the same optimum as 0.1 steps.
_CTV_OPTIONS = {"step_size": 0.5, "max_steps": 100}


def cox_time_varying(
    data: pl.DataFrame,
    id_col: str,
    start: str,
    stop: str,
    event: str,
    covariates: list[str],
    *,
    where: str = "Cox model",
    level: float = 0.95,
) -> tuple[list[Estimate], dict[str, Any]]:
    """Cox proportional hazards with time-varying covariates on counting-process rows
    ``(start, stop]`` (lifelines ``CoxTimeVaryingFitter``, Efron ties), one spell per
    ``id_col`` ending at its first event or censoring (model-based SEs: lifelines offers no
    cluster-robust variance for this fitter, and one spell per unit needs none; Newton steps
    of 0.5). A fit that does not converge or gives no standard error is refused. Returns one
    :class:`Estimate` per covariate (log hazard ratios) and the proportional-hazards check of
    :func:`ph_interaction_test`.

    Example:
        >>> rng = np.random.default_rng(6)
        >>> rows = []
        >>> for i in range(1500):
        ...     for t in range(20):
        ...         x = int(t >= 5 and i % 2 == 0)
        ...         e = int(rng.random() < 1 - np.exp(-0.05 * np.exp(0.7 * x)))
        ...         rows.append((i, t, t + 1, x, e))
        ...         if e:
        ...             break
        >>> df = pl.DataFrame(rows, schema=["id", "a", "b", "x", "e"], orient="row")
        >>> est, ph = cox_time_varying(df, "id", "a", "b", "e", ["x"])
        >>> est[0].ci_low < 0.7 < est[0].ci_high, ph["global_p"] > 0.01
        (True, True)
    """
    from lifelines import CoxTimeVaryingFitter

    cols = [id_col, start, stop, event, *covariates]
    df = data.select(cols).drop_nulls()
    events = int(df.get_column(event).sum()) if df.height else 0
    if events < MIN_TREATED:
        raise DegenerateSampleError(f"only {events} event(s) in the sample; at least "
                                    f"{MIN_TREATED} are needed", where=where,
                                    fix="widen the years or choose another outcome")  # fmt: skip
    for c in covariates:
        if df.get_column(c).n_unique() < 2:
            raise DegenerateSampleError(f"covariate '{c}' has no variation", where=where,
                                        fix="widen the sample or choose another treatment")
    fitter = CoxTimeVaryingFitter(alpha=1 - level)
    pdf = df.with_columns(pl.col(c).cast(pl.Float64) for c in covariates).to_pandas()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitter.fit(pdf, event_col=event, start_col=start, stop_col=stop, id_col=id_col,
                   fit_options=_CTV_OPTIONS)
    s = fitter.summary
    if not np.all(np.isfinite(s["se(coef)"].to_numpy())):
        raise DegenerateSampleError("the Cox model did not converge (no finite standard "
                                    "errors): a covariate separates the events", where=where,
                                    fix="widen the sample or drop a covariate")  # fmt: skip
    lo_col = [c for c in s.columns if c.startswith("coef lower")][0]
    hi_col = [c for c in s.columns if c.startswith("coef upper")][0]
    out = [
        Estimate(term=c, estimate=float(s.loc[c, "coef"]), se=float(s.loc[c, "se(coef)"]),
                 ci_low=float(s.loc[c, lo_col]), ci_high=float(s.loc[c, hi_col]),
                 p=float(s.loc[c, "p"]), n=df.height,
                 n_clusters=int(df.get_column(id_col).n_unique()),
                 estimator="Cox proportional hazards, time-varying covariates (lifelines "
                 "CoxTimeVaryingFitter, Efron ties), log hazard ratio, model-based SEs",
                 extra={"events": events, "hazard_ratio": float(np.exp(s.loc[c, "coef"]))})
        for c in covariates
    ]  # fmt: skip
    return out, ph_interaction_test(df, id_col, start, stop, event, covariates)


def ph_interaction_test(
    data: pl.DataFrame, id_col: str, start: str, stop: str, event: str, covariates: list[str],
) -> dict[str, Any]:
    """Proportional-hazards check for a time-varying Cox model: refit with every covariate
    also interacted with log(stop) and Wald-test the interactions (Cox 1972's time-interaction
    test); a small p says the hazard ratio changes with time. Per covariate and global.

    Example:
        >>> ph_interaction_test.__name__
        'ph_interaction_test'
    """
    from lifelines import CoxTimeVaryingFitter
    from scipy import stats

    inter = [f"{c}_x_logt" for c in covariates]
    df = data.select(id_col, start, stop, event, *covariates).with_columns(
        pl.col(c).cast(pl.Float64) for c in covariates).with_columns(
        (pl.col(c) * pl.col(stop).cast(pl.Float64).log()).alias(f"{c}_x_logt")
        for c in covariates)  # fmt: skip
    fitter = CoxTimeVaryingFitter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitter.fit(df.to_pandas(), event_col=event, start_col=start, stop_col=stop,
                   id_col=id_col, fit_options=_CTV_OPTIONS)  # fmt: skip
    names = list(fitter.params_.index)
    pos = [names.index(i) for i in inter]
    beta = fitter.params_.to_numpy()[pos]
    cov = np.asarray(fitter.variance_matrix_, dtype=float)[np.ix_(pos, pos)]
    stat = float(beta @ np.linalg.pinv(cov) @ beta)
    rows = [{"covariate": c, "interaction": float(b),
             "p": float(fitter.summary.loc[i, "p"])} for c, i, b in zip(covariates, inter, beta,
                                                                       strict=True)]  # fmt: skip
    return {"test": "Wald test of covariate x log(time) interactions", "global_chi2": stat,
            "global_df": len(inter), "global_p": float(stats.chi2.sf(stat, len(inter))),
            "by_covariate": rows}  # fmt: skip


def ph_test(fitter: Any, data: pl.DataFrame, duration: str, event: str,
            covariates: list[str]) -> dict[str, Any]:
    """Proportional-hazards check of a fitted lifelines ``CoxPHFitter``: the Grambsch–Therneau
    test on scaled Schoenfeld residuals against rank-transformed time (lifelines
    ``proportional_hazard_test``), per covariate, with a Holm-adjusted minimum as the global
    verdict.

    Example:
        >>> rng = np.random.default_rng(5)
        >>> x = rng.integers(0, 2, 2000)
        >>> t = rng.exponential(1 / np.exp(0.7 * x))
        >>> df = pl.DataFrame({"t": t, "e": np.ones(2000, dtype=int), "x": x})
        >>> _, fitted = cox(df, "t", "e", ["x"])
        >>> ph_test(fitted, df, "t", "e", ["x"])["global_p"] > 0.01
        True
    """
    from lifelines.statistics import proportional_hazard_test

    cluster = getattr(fitter, "cluster_col", None)
    pdf = data.select(duration, event, *covariates, *([cluster] if cluster else [])).drop_nulls(
    ).with_columns(pl.col(c).cast(pl.Float64) for c in covariates).to_pandas()  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = proportional_hazard_test(fitter, pdf, time_transform="rank")
    summ = res.summary
    rows = [{"covariate": str(c), "chi2": float(summ.loc[c, "test_statistic"]),
             "p": float(summ.loc[c, "p"])} for c in summ.index]  # fmt: skip
    ps = [float(summ.loc[c, "p"]) for c in summ.index]
    holm = adjust_pvalues(ps)["holm"]
    return {"test": "Grambsch-Therneau (scaled Schoenfeld residuals vs rank of time, lifelines)",
            "global_p": float(min(h for h in holm if h is not None)) if rows else float("nan"),
            "global_rule": "Holm-adjusted minimum over covariates",
            "by_covariate": rows}  # fmt: skip



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
