"""A model runner for binary outcomes on foedus frames, built on statsmodels.

:func:`fit` estimates logit, probit or Firth-penalised logit models of a 0/1 outcome (dispute
onset, initiation) on a dyad-year (or state-year) frame, with the field's usual design choices as
options: peace-years as a cubic polynomial (Carter & Signorino 2010) or B-splines (Beck, Katz &
Tucker 1998), dyad-clustered robust standard errors, covariates lagged one year within the dyad,
sample filters (politically relevant dyads, years) and listwise deletion that is reported by
variable. Estimation, clustered covariances, marginal effects and linear-predictor standard errors
are statsmodels' own (``Logit``, ``Probit``, ``GLM``, ``cov_cluster``, ``get_margeff``,
``get_prediction``); ``docs/models.md`` documents every option and error.

Problems that make the estimates meaningless are errors with a fix, raised before or right after
the fit: an outcome without variation, unknown columns, covariates that do not vary or are
collinear, and (quasi-)complete separation, i.e. a covariate value that predicts the outcome
perfectly (the fix: ``family="firth"``).
"""

from __future__ import annotations

import difflib
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl
from scipy import stats
from scipy.special import expit

from foedus.errors import (
    CollinearityError,
    ConvergenceError,
    ModelError,
    NoVariationError,
    SeparationError,
    UnknownColumnError,
)

Family = Literal["logit", "probit", "firth", "penalized", "penalised"]
PeaceYears = Literal["cubic", "spline"]

#: Accepted family names and the estimator each one means.
FAMILIES: dict[str, str] = {
    "logit": "logit",
    "probit": "probit",
    "firth": "firth",
    "penalized": "firth",
    "penalised": "firth",
}

_DYAD_KEYS: tuple[tuple[str, str], ...] = (("ccode1", "ccode2"), ("gwcode1", "gwcode2"))
_STATE_KEYS: tuple[str, ...] = ("ccode", "gwcode")


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------
# The error classes live in foedus.errors (one family); imported here for callers.


_FIRTH_FIX = (
    "use family='firth' (Firth-penalised logit, finite under separation), or drop/recode the "
    "covariate, or widen the sample"
)


# ---------------------------------------------------------------------------------------------
# data preparation
# ---------------------------------------------------------------------------------------------
def _unknown(df: pl.DataFrame, names: Sequence[str], role: str) -> None:
    missing = [n for n in names if n not in df.columns]
    if not missing:
        return
    hints = []
    for name in missing:
        close = difflib.get_close_matches(name, df.columns, n=3)
        hints.append(f"'{name}'" + (f" (did you mean {', '.join(close)}?)" if close else ""))
    raise UnknownColumnError(
        f"{role} {', '.join(hints)} not in the frame",
        fix="add the enrichment that provides it (e.g. .add_nmc(), .add_gml_mids()), or use one "
        f"of the frame's columns: {', '.join(df.columns[:30])}" + (" …" if df.width > 30 else ""),
    )


def unit_keys(df: pl.DataFrame) -> list[str]:
    """The columns identifying a frame's unit: the two state codes of a dyad, or a state's code.

    Example:
        >>> unit_keys(pl.DataFrame({"ccode1": [2], "ccode2": [20], "year": [1990]}))
        ['ccode1', 'ccode2']
    """
    for pair in _DYAD_KEYS:
        if all(c in df.columns for c in pair):
            return list(pair)
    for key in _STATE_KEYS:
        if key in df.columns:
            return [key]
    raise ModelError(
        "the frame has no unit columns (ccode1/ccode2, gwcode1/gwcode2, ccode or gwcode)",
        fix="build it with foedus.dyad_years() or foedus.state_years()",
    )


def lag_columns(df: pl.DataFrame, columns: Sequence[str], *, suffix: str = "_lag1") -> pl.DataFrame:
    """Add each column's value one year earlier for the same unit (directed dyad or state).

    ``<column><suffix>`` is the value of the same ``ccode1``–``ccode2`` (or ``ccode``) in
    ``year - 1``, null when that year is not in the frame (the unit's first year, or a gap).
    Rows and their order are kept.

    Example:
        >>> df = pl.DataFrame({"ccode1": [2, 2, 2], "ccode2": [20, 20, 20],
        ...                    "year": [1990, 1991, 1993], "x": [1.0, 2.0, 3.0]})
        >>> lag_columns(df, ["x"])["x_lag1"].to_list()
        [None, 1.0, None]
    """
    _unknown(df, [*columns, "year"], "lagged column(s)")
    keys = unit_keys(df)
    if df.select([*keys, "year"]).is_duplicated().any():
        raise ModelError(
            "the frame has several rows for one unit-year, so a one-year lag is ambiguous",
            fix="lag on a frame with one row per dyad-year (or state-year)",
        )
    taken = [f"{c}{suffix}" for c in columns if f"{c}{suffix}" in df.columns]
    if taken:
        raise ModelError(f"the frame already has {taken}", fix="drop them or use another suffix")
    previous = df.select(
        *keys,
        (pl.col("year") + 1).alias("year"),
        *[pl.col(c).alias(f"{c}{suffix}") for c in columns],
    )
    return df.join(previous, on=[*keys, "year"], how="left", maintain_order="left")


def dyad_groups(df: pl.DataFrame) -> np.ndarray:
    """Integer id of each row's non-directed dyad (A–B and B–A share one id): the clusters of
    dyad-clustered standard errors.

    Example:
        >>> df = pl.DataFrame({"ccode1": [2, 20, 2], "ccode2": [20, 2, 200]})
        >>> dyad_groups(df).tolist()
        [0, 0, 1]
    """
    keys = unit_keys(df)
    if len(keys) != 2:
        raise ModelError(
            "cluster='dyad' needs a dyad-year frame (ccode1/ccode2)",
            fix="use cluster=None, cluster='robust', or cluster='<column>' on state-years",
        )
    a, b = keys
    pair = df.select(
        pl.min_horizontal(a, b).alias("lo"), pl.max_horizontal(a, b).alias("hi")
    ).select(pl.struct("lo", "hi").rank("dense").cast(pl.Int64) - 1)
    return pair.to_series().to_numpy()


def _sample_filter(df: pl.DataFrame, sample: str | pl.Expr | None) -> tuple[pl.DataFrame, str]:
    if sample is None or (isinstance(sample, str) and sample.lower() in ("all", "none", "")):
        return df, "all rows of the frame"
    if isinstance(sample, pl.Expr):
        return df.filter(sample), f"rows where {sample}"
    name = sample.lower().replace("_", "-")
    if name in ("prd", "politically-relevant"):
        from foedus.frames.geography import prd_expr

        need = ["conttype", "cowmaj1", "cowmaj2"]
        if any(c not in df.columns for c in need):
            raise ModelError(
                "sample='prd' needs conttype, cowmaj1 and cowmaj2",
                fix="add .add_contiguity() and .add_cow_majors() to the frame first",
            )
        kept = df.filter(prd_expr() == 1.0)
        return kept.drop("prd", strict=False), (
            "politically relevant dyad-years (directly contiguous, or one side a COW major power)"
        )
    raise ModelError(f"unknown sample '{sample}'", fix="use 'prd', 'all' or a Polars expression")


def _spell_column(df: pl.DataFrame, outcome: str, spell: str | None) -> str:
    if spell is not None:
        _unknown(df, [spell], "spell column")
        return spell
    if outcome.endswith("onset") and f"{outcome[: -len('onset')]}spell" in df.columns:
        return f"{outcome[: -len('onset')]}spell"
    spells = [c for c in df.columns if c.endswith("spell")]
    if len(spells) == 1:
        return spells[0]
    raise ModelError(
        "peace_years needs a spell column and "
        + ("none was found" if not spells else f"several are present: {spells}"),
        fix="add .add_peace_years() to the frame, or name it with spell='gmlmidspell'",
    )


def _numeric(df: pl.DataFrame, names: Sequence[str]) -> None:
    bad = [n for n in names if not (df.schema[n].is_numeric() or df.schema[n] == pl.Boolean)]
    if bad:
        raise ModelError(
            f"column(s) {bad} are not numeric",
            fix="recode them as numbers (e.g. 0/1 dummies) before fitting",
        )


# ---------------------------------------------------------------------------------------------
# checks on the design
# ---------------------------------------------------------------------------------------------
def _check_outcome(y: np.ndarray, outcome: str) -> None:
    values = np.unique(y)
    if not np.isin(values, (0.0, 1.0)).all():
        shown = ", ".join(f"{v:g}" for v in values[:6])
        raise ModelError(
            f"outcome '{outcome}' is not 0/1 (values: {shown}{' …' if len(values) > 6 else ''})",
            fix="use a binary outcome, e.g. (pl.col('hostlev') >= 4).cast(pl.Float64)",
        )
    if len(values) < 2:
        raise NoVariationError(
            f"outcome '{outcome}' has no variation in the estimation sample: every one of the "
            f"{len(y):,} rows is {values[0]:g}",
            fix="widen the sample (years, dyads) or check the outcome's coverage",
        )


def _check_rank(X: np.ndarray, names: Sequence[str]) -> None:
    # Constant covariates first (the most common case), then exact linear dependence via QR on
    # standardised columns: |R_jj| / sqrt(n) = sqrt(1 - R²) of column j on the columns before it.
    sd = X[:, 1:].std(axis=0)
    for j, s in enumerate(sd, start=1):
        if s == 0.0:
            raise CollinearityError(
                f"covariate '{names[j]}' does not vary in the estimation sample (every row is "
                f"{X[0, j]:g}), so it is collinear with the intercept",
                fix=f"drop '{names[j]}' or widen the sample",
            )
    Z = X.copy()
    Z[:, 1:] = (X[:, 1:] - X[:, 1:].mean(axis=0)) / sd
    r = np.linalg.qr(Z, mode="r")
    resid = np.abs(np.diag(r)) / math.sqrt(X.shape[0])
    kept: list[int] = []
    for j in range(X.shape[1]):
        if resid[j] > 1e-7:
            kept.append(j)
            continue
        coef, *_ = np.linalg.lstsq(Z[:, kept], Z[:, j], rcond=None)
        partners = [names[i] for i, c in zip(kept, coef, strict=True) if abs(c) > 1e-6 and i > 0]
        raise CollinearityError(
            f"covariate '{names[j]}' is an exact linear combination of "
            + (", ".join(f"'{p}'" for p in partners) if partners else "the intercept")
            + " (collinear covariates)",
            fix=f"drop '{names[j]}' or one of {partners}",
        )


def _check_separation(X: np.ndarray, y: np.ndarray, names: Sequence[str], outcome: str) -> None:
    """One covariate separates the outcome when its values among y = 0 and y = 1 do not overlap
    (complete separation) or touch at one value only (quasi-complete: a value range predicts the
    outcome perfectly). Either makes the maximum-likelihood estimate infinite."""
    ones = y == 1.0
    lo1, hi1 = X[ones].min(axis=0), X[ones].max(axis=0)
    lo0, hi0 = X[~ones].min(axis=0), X[~ones].max(axis=0)
    for j in range(1, X.shape[1]):
        for upper, lower, high_y in ((lo1[j], hi0[j], 1), (lo0[j], hi1[j], 0)):
            # rows with x >= upper all have outcome high_y; rows with x <= lower the other value
            if lower > upper:
                continue
            x = X[:, j]
            binary = bool(np.isin(np.unique(x), (0.0, 1.0)).all())
            if lower < upper:
                kind = "complete"
                what = (
                    f"covariate '{names[j]}' separates '{outcome}' completely: every row with "
                    f"{names[j]} ≥ {upper:g} has {outcome} = {high_y} and every row with "
                    f"{names[j]} ≤ {lower:g} has {outcome} = {1 - high_y}"
                )
            else:
                kind = "quasi-complete"
                parts = []
                for rows, sign, value in ((x > upper, ">", high_y), (x < upper, "<", 1 - high_y)):
                    if rows.any():
                        shown = f"= {1 - upper:g}" if binary else f"{sign} {upper:g}"
                        parts.append(
                            f"every one of the {int(rows.sum()):,} rows with {names[j]} {shown} "
                            f"has {outcome} = {value}"
                        )
                what = (
                    "perfect prediction: "
                    + " and ".join(parts)
                    + f" (quasi-complete separation by '{names[j]}')"
                )
            raise SeparationError(what, covariate=names[j], kind=kind, fix=_FIRTH_FIX)


# ---------------------------------------------------------------------------------------------
# the result
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelResult:
    """A fitted model: tidy coefficients, fit statistics, the sample and what was dropped.

    ``coefficients`` has one row per term: ``term``, ``estimate``, ``std_error``, ``z``,
    ``p_value``, ``conf_low``, ``conf_high``. ``dropped_by_variable`` counts, for each variable,
    the rows of the sample where it is missing (a row may miss several); ``n_dropped`` rows were
    removed by listwise deletion. ``results`` is statsmodels' own results object.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> x = rng.normal(size=400)
        >>> df = pl.DataFrame({"y": (rng.random(400) < expit(x)).astype(float), "x": x})
        >>> res = fit(df, "y", ["x"], cluster=None)
        >>> res.coefficients["term"].to_list(), res.n
        (['const', 'x'], 400)
    """

    family: str
    outcome: str
    covariates: tuple[str, ...]
    terms: tuple[str, ...]
    coefficients: pl.DataFrame
    n: int
    n_events: int
    n_input: int
    n_sample: int
    n_dropped: int
    dropped_by_variable: dict[str, int]
    sample: str
    cluster: str | None
    n_clusters: int | None
    cov_type: str
    log_likelihood: float
    ll_null: float
    aic: float
    bic: float
    pseudo_r2: float
    converged: bool
    iterations: int
    level: float
    peace_years: str | None
    spell: str | None
    lagged: tuple[str, ...]
    notes: tuple[str, ...] = ()
    results: Any = field(default=None, repr=False, compare=False)
    _means: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    _spline: Any = field(default=None, repr=False, compare=False)
    _design: tuple[str, ...] = field(default=(), repr=False, compare=False)

    # -- views ------------------------------------------------------------------------------
    def coefficient(self, term: str) -> dict[str, Any]:
        """One row of the coefficient table as a dict.

        Example:
            >>> import numpy as np
            >>> rng = np.random.default_rng(0)
            >>> x = rng.normal(size=400)
            >>> df = pl.DataFrame({"y": (rng.random(400) < expit(x)).astype(float), "x": x})
            >>> fit(df, "y", ["x"], cluster=None).coefficient("x")["estimate"] > 0
            True
        """
        rows = self.coefficients.filter(pl.col("term") == term)
        if rows.height == 0:
            raise ModelError(f"no term '{term}'", fix=f"use one of {list(self.terms)}")
        return rows.row(0, named=True)

    def summary(self) -> str:
        """A plain-text report: sample, N, fit statistics and the coefficient table.

        Example:
            >>> import numpy as np
            >>> rng = np.random.default_rng(0)
            >>> x = rng.normal(size=400)
            >>> df = pl.DataFrame({"y": (rng.random(400) < expit(x)).astype(float), "x": x})
            >>> "N = 400" in fit(df, "y", ["x"], cluster=None).summary()
            True
        """
        lines = [
            f"{self.family} of {self.outcome}; sample: {self.sample}",
            f"N = {self.n:,} ({self.n_events:,} events)"
            + (f", {self.n_clusters:,} clusters ({self.cluster})" if self.n_clusters else "")
            + f"; dropped {self.n_dropped:,} rows with missing values"
            + (
                " ("
                + ", ".join(f"{k}: {v:,}" for k, v in self.dropped_by_variable.items() if v)
                + ")"
                if self.n_dropped
                else ""
            ),
            f"log-likelihood {self.log_likelihood:.3f}, AIC {self.aic:.1f}, BIC {self.bic:.1f}, "
            f"pseudo-R² {self.pseudo_r2:.4f}; SEs: {self.cov_type}",
            f"{'term':<28}{'estimate':>12}{'std.error':>12}{'z':>9}{'p':>10}",
        ]
        for row in self.coefficients.iter_rows(named=True):
            lines.append(
                f"{row['term']:<28}{row['estimate']:>12.4f}{row['std_error']:>12.4f}"
                f"{row['z']:>9.2f}{row['p_value']:>10.4f}"
            )
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description of the model (used by ``--json``).

        Example:
            >>> import numpy as np
            >>> rng = np.random.default_rng(0)
            >>> x = rng.normal(size=400)
            >>> df = pl.DataFrame({"y": (rng.random(400) < expit(x)).astype(float), "x": x})
            >>> sorted(fit(df, "y", ["x"], cluster=None).to_dict())[:3]
            ['aic', 'bic', 'cluster']
        """
        return {
            "family": self.family,
            "outcome": self.outcome,
            "covariates": list(self.covariates),
            "n": self.n,
            "n_events": self.n_events,
            "n_input": self.n_input,
            "n_sample": self.n_sample,
            "n_dropped": self.n_dropped,
            "dropped_by_variable": self.dropped_by_variable,
            "sample": self.sample,
            "cluster": self.cluster,
            "n_clusters": self.n_clusters,
            "cov_type": self.cov_type,
            "log_likelihood": self.log_likelihood,
            "aic": self.aic,
            "bic": self.bic,
            "pseudo_r2": self.pseudo_r2,
            "converged": self.converged,
            "level": self.level,
            "peace_years": self.peace_years,
            "spell": self.spell,
            "lagged": list(self.lagged),
            "coefficients": self.coefficients.to_dicts(),
            "notes": list(self.notes),
        }

    # -- post-estimation ----------------------------------------------------------------------
    def marginal_effects(
        self, *, at: str = "overall", dummy: bool = False, peace_years: bool = False
    ) -> pl.DataFrame:
        """Average marginal effects (``at="overall"``; or ``"mean"``, ``"median"``) with
        delta-method standard errors from the model's covariance (dyad-clustered when the model
        is): statsmodels' ``get_margeff``. ``dummy=True`` gives 0/1 covariates the discrete
        change instead of the derivative. Peace-year terms are left out unless ``peace_years``
        (their separate effects are not meaningful).

        Example:
            >>> import numpy as np
            >>> rng = np.random.default_rng(0)
            >>> x = rng.normal(size=400)
            >>> df = pl.DataFrame({"y": (rng.random(400) < expit(x)).astype(float), "x": x})
            >>> me = fit(df, "y", ["x"], cluster=None).marginal_effects()
            >>> me.columns
            ['term', 'dydx', 'std_error', 'z', 'p_value', 'conf_low', 'conf_high']
        """
        margeff = self.results.get_margeff(at=at, method="dydx", dummy=dummy)
        frame = margeff.summary_frame(alpha=1 - self.level)
        table = pl.DataFrame(
            {
                "term": [str(t) for t in frame.index],
                "dydx": frame.iloc[:, 0].to_numpy(dtype=float),
                "std_error": frame.iloc[:, 1].to_numpy(dtype=float),
                "z": frame.iloc[:, 2].to_numpy(dtype=float),
                "p_value": frame.iloc[:, 3].to_numpy(dtype=float),
                "conf_low": frame.iloc[:, 4].to_numpy(dtype=float),
                "conf_high": frame.iloc[:, 5].to_numpy(dtype=float),
            }
        )
        if not peace_years:
            table = table.filter(~pl.col("term").is_in(list(self._peace_terms())))
        return table

    def _peace_terms(self) -> tuple[str, ...]:
        return tuple(t for t in self.terms if t not in ("const", *self._design))

    def _term_values(self, row: Mapping[str, Any]) -> list[float]:
        values = [1.0]
        for term in self._design:
            base = term[: -len("_lag1")] if term.endswith("_lag1") else term
            if term in row:
                values.append(float(row[term]))
            elif base in row:
                values.append(float(row[base]))
            else:
                values.append(self._means[term])
        if self.peace_years is not None and self.spell is not None:
            s = float(row[self.spell]) if self.spell in row else self._means[self.spell]
            if self.peace_years == "cubic":
                values.extend([s, s**2, s**3])
            else:
                import patsy

                (basis,) = patsy.build_design_matrices([self._spline], {"x": np.array([s])})
                values.extend(np.asarray(basis)[0].tolist())
        return values

    def predict(
        self,
        profiles: Mapping[str, Any] | Sequence[Mapping[str, Any]] | pl.DataFrame,
        *,
        level: float | None = None,
    ) -> pl.DataFrame:
        """Predicted probabilities with intervals for covariate profiles.

        Each profile sets some covariates (by name, lagged ones by their own or their lagged
        name) and, with peace-years, the spell; the others are held at their means in the
        estimation sample. The interval is computed on the linear predictor (its standard error
        from statsmodels' ``get_prediction``, with the model's covariance) and mapped through the
        link, so it always lies in [0, 1]. Columns: the profile's columns, ``linear_predictor``,
        ``se_linear``, ``probability``, ``conf_low``, ``conf_high``.

        Example:
            >>> import numpy as np
            >>> rng = np.random.default_rng(0)
            >>> x = rng.normal(size=400)
            >>> df = pl.DataFrame({"y": (rng.random(400) < expit(x)).astype(float), "x": x})
            >>> p = fit(df, "y", ["x"], cluster=None).predict([{"x": -1.0}, {"x": 1.0}])
            >>> bool(p["probability"][0] < p["probability"][1])
            True
        """
        if isinstance(profiles, pl.DataFrame):
            rows = profiles.to_dicts()
        elif isinstance(profiles, Mapping):
            rows = [dict(profiles)]
        else:
            rows = [dict(r) for r in profiles]
        lagged = (t[: -len("_lag1")] for t in self._design if t.endswith("_lag1"))
        allowed = {*self._design, *lagged, self.spell}
        unknown = sorted({k for r in rows for k in r if k not in allowed})
        if unknown:
            raise UnknownColumnError(
                f"profile names {unknown}, which are not covariates of the model",
                fix=f"use some of {sorted(k for k in allowed if k)}",
            )
        exog = np.array([self._term_values(r) for r in rows], dtype=float)
        pred = self.results.get_prediction(exog, which="linear")
        eta = np.asarray(pred.predicted, dtype=float)
        se = np.sqrt(np.asarray(pred.var_pred, dtype=float))
        q = stats.norm.ppf(0.5 + (level if level is not None else self.level) / 2)
        cdf = stats.norm.cdf if self.family == "probit" else expit
        if any(rows):
            shown = pl.DataFrame(rows)
        else:
            shown = pl.DataFrame({"profile": list(range(len(rows)))})
        return shown.with_columns(
            pl.Series("linear_predictor", eta),
            pl.Series("se_linear", se),
            pl.Series("probability", cdf(eta)),
            pl.Series("conf_low", cdf(eta - q * se)),
            pl.Series("conf_high", cdf(eta + q * se)),
        )


# ---------------------------------------------------------------------------------------------
# estimation
# ---------------------------------------------------------------------------------------------
def _cov_options(cluster_kind: str | None, groups: np.ndarray | None) -> dict[str, Any]:
    if cluster_kind is None:
        return {"cov_type": "nonrobust"}
    if cluster_kind == "robust":
        return {"cov_type": "HC0"}
    return {"cov_type": "cluster", "cov_kwds": {"groups": groups}}


def _fit_ml(
    family: str, y: np.ndarray, X: np.ndarray, names: Sequence[str], cov: dict[str, Any],
    maxiter: int, outcome: str, n_covariates: int,
) -> Any:  # fmt: skip
    from statsmodels.discrete.discrete_model import Logit, Probit
    from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning

    model_cls = Logit if family == "logit" else Probit
    model = model_cls(y, X)
    model.data.xnames = list(names)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = model.fit(method="newton", maxiter=maxiter, disp=0, **cov)
        except (PerfectSeparationError, np.linalg.LinAlgError) as exc:
            raise SeparationError(
                f"the {family} of '{outcome}' cannot be estimated ({exc}); a combination of "
                "covariates separates the outcome",
                covariate=None,
                kind="combination",
                fix=_FIRTH_FIX,
            ) from None
    separated = any(issubclass(w.category, PerfectSeparationWarning) for w in caught)
    with np.errstate(over="ignore", under="ignore"):
        p = np.asarray(res.predict(), dtype=float)
    extreme = (p < 1e-9) | (p > 1 - 1e-9)
    # Runaway estimates: a one-SD change of a covariate moving the linear predictor by more than
    # 15 (logit) or 8 (probit) units. Peace-year terms are left out: their polynomial terms are
    # large and offset each other by design.
    sd = X[:, 1 : 1 + n_covariates].std(axis=0)
    scaled = np.abs(np.asarray(res.params)[1 : 1 + n_covariates]) * sd
    converged = bool(res.mle_retvals.get("converged", True))
    limit = 15.0 if family == "logit" else 8.0
    if separated or (extreme.any() and (not converged or (scaled > limit).any())):
        worst = [names[1 + i] for i in np.argsort(-scaled)[:3] if scaled[i] > limit / 3]
        raise SeparationError(
            f"a combination of covariates separates '{outcome}': {int(extreme.sum()):,} rows are "
            "predicted perfectly (fitted probabilities of 0 or 1)"
            + (f"; the terms with runaway estimates: {', '.join(worst)}" if worst else ""),
            covariate=worst[0] if worst else None,
            kind="combination",
            fix=_FIRTH_FIX,
        )
    if not converged:
        raise ConvergenceError(
            f"the {family} did not converge in {maxiter} iterations",
            fix="raise maxiter, rescale large covariates (e.g. log them), or use family='firth'",
        )
    return res


def _fit_firth(
    y: np.ndarray, X: np.ndarray, names: Sequence[str], cluster_kind: str | None,
    groups: np.ndarray | None, maxiter: int,
) -> tuple[Any, int, bool]:  # fmt: skip
    """Firth's (1993) penalised logit on statsmodels' machinery.

    statsmodels has no Firth estimator (statsmodels issue #3561), so the estimate is found as the
    fixed point of the pseudo-data representation of Firth's modified score: at the current
    estimate, with hat values h_i of the weighted design, a binomial GLM (statsmodels ``GLM``)
    is fitted to the adjusted proportions (y_i + h_i/2)/(1 + h_i) with weights 1 + h_i; its
    estimating equation sum_i (y_i - p_i + h_i(1/2 - p_i)) x_i = 0 is Firth's. The covariance is
    the inverse Fisher information at the estimate (as R's logistf); clustered covariances use
    statsmodels' ``cov_cluster`` with the modified score contributions.
    """
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.stats.sandwich_covariance import cov_cluster

    def hat(beta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        p = expit(X @ beta)
        w = p * (1 - p)
        info_inv = np.linalg.inv(X.T @ (X * w[:, None]))
        h = w * np.einsum("ij,jk,ik->i", X, info_inv, X, optimize=True)
        return p, h, info_inv

    beta = np.zeros(X.shape[1])
    converged, iterations = False, 0
    for iterations in range(1, maxiter + 1):  # noqa: B007
        _, h, _ = hat(beta)
        glm = GLM((y + h / 2) / (1 + h), X, family=Binomial(), var_weights=1 + h)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            new = np.asarray(glm.fit(start_params=beta, tol=1e-12, maxiter=100).params)
        step = float(np.max(np.abs(new - beta)))
        beta = new
        if step < 1e-9:
            converged = True
            break
    if not converged:
        raise ConvergenceError(
            f"the Firth logit did not converge in {maxiter} iterations",
            fix="raise maxiter or rescale large covariates",
        )
    p, h, info_inv = hat(beta)
    if cluster_kind is None:
        cov = info_inv
    else:
        scores = (y - p + h * (0.5 - p))[:, None] * X
        if cluster_kind == "robust":
            cov = info_inv @ (scores.T @ scores) @ info_inv
        else:
            cov = cov_cluster((scores, info_inv), np.asarray(groups))
    model = Logit(y, X)
    model.data.xnames = list(names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(start_params=beta, method="newton", maxiter=0, disp=0,
                        warn_convergence=False)  # fmt: skip
    res._results.cov_params_default = cov
    res._results.cov_type = "firth-" + (
        "nonrobust" if cluster_kind is None else "HC0" if cluster_kind == "robust" else "cluster"
    )
    return res, iterations, converged


def fit(
    data: Any,
    outcome: str,
    covariates: Sequence[str],
    *,
    family: Family = "logit",
    peace_years: PeaceYears | None = None,
    spell: str | None = None,
    spline_df: int = 4,
    cluster: str | None = "dyad",
    lag: Sequence[str] = (),
    sample: str | pl.Expr | None = None,
    years: tuple[int, int] | None = None,
    level: float = 0.95,
    maxiter: int = 100,
) -> ModelResult:
    """Fit a binary-outcome model on a foedus frame (or a Polars DataFrame).

    * ``family``: ``"logit"``, ``"probit"`` (statsmodels ``Logit``/``Probit``, Newton), or
      ``"firth"`` (alias ``"penalized"``): Firth's penalised logit, finite under separation
      and less biased with rare events (see :func:`_fit_firth` and ``docs/models.md``).
    * ``peace_years``: ``"cubic"`` adds the spell, its square and cube (Carter & Signorino
      2010); ``"spline"`` a cubic B-spline basis of the spell with ``spline_df`` columns (patsy
      ``bs``, as Beck, Katz & Tucker 1998); ``spell`` names the column (default: the outcome's
      family, e.g. ``gmlmidonset`` → ``gmlmidspell``, or the frame's only ``…spell`` column).
    * ``cluster``: ``"dyad"`` (default) clusters on the non-directed dyad (A–B and B–A
      together); ``"robust"`` heteroskedasticity-robust (HC0); a column name clusters on it;
      ``None`` gives the model-based covariance.
    * ``lag``: covariates replaced by their value one year earlier in the same dyad (term
      ``<name>_lag1``), computed on the whole frame before the sample is filtered.
    * ``sample``: ``"prd"`` (politically relevant dyads), ``"all"``/``None``, or a Polars
      expression; ``years``: an inclusive (first, last) range.
    * Missing values (nulls and NaN) in the outcome, a covariate, the spell or the cluster are
      removed listwise; :class:`ModelResult` reports how many rows and which variables.

    Raises :class:`UnknownColumnError`, :class:`NoVariationError`, :class:`CollinearityError`,
    :class:`SeparationError` (naming the covariate and suggesting ``family="firth"``) and
    :class:`ConvergenceError`, each with a fix.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(1)
        >>> n = 2000
        >>> df = pl.DataFrame({"ccode1": rng.integers(1, 40, n), "ccode2": rng.integers(40, 80, n),
        ...                    "year": np.arange(n), "x": rng.normal(size=n)})
        >>> df = df.with_columns(y=(pl.Series(rng.random(n)) < 1 / (1 + (-pl.col("x") + 1).exp()))
        ...                      .cast(pl.Float64))
        >>> res = fit(df, "y", ["x"], cluster="dyad")
        >>> res.coefficients["term"].to_list(), res.cov_type
        (['const', 'x'], 'cluster')
    """
    from foedus.frames.frame import Frame

    fam = FAMILIES.get(str(family).lower())
    if fam is None:
        raise ModelError(f"unknown family '{family}'", fix="use logit, probit or firth")
    if peace_years not in (None, "cubic", "spline"):
        raise ModelError(
            f"unknown peace_years '{peace_years}'", fix="use 'cubic', 'spline' or None"
        )
    if not 0 < level < 1:
        raise ModelError(f"level {level} is not between 0 and 1", fix="use e.g. 0.95")
    df = data.df if isinstance(data, Frame) else data
    if not isinstance(df, pl.DataFrame):
        raise ModelError(
            f"cannot fit on a {type(data).__name__}",
            fix="pass a foedus Frame or a Polars DataFrame (pl.from_pandas(...) for pandas)",
        )
    covariates = list(covariates)
    if not covariates:
        raise ModelError("no covariates given", fix="name at least one covariate")
    if len(set(covariates)) != len(covariates) or outcome in covariates:
        raise ModelError(
            "the outcome or a covariate is named twice",
            fix="give each covariate once, and not the outcome",
        )
    _unknown(df, [outcome], "outcome")
    _unknown(df, covariates, "covariate(s)")
    lag = list(lag)
    stray = [c for c in lag if c not in covariates]
    if stray:
        raise ModelError(f"lag names {stray}, which are not covariates", fix="lag covariates only")
    n_input = df.height

    # 1. lags on the whole frame, then the sample
    if lag:
        df = lag_columns(df, lag)
    design = [f"{c}_lag1" if c in lag else c for c in covariates]
    df, sample_text = _sample_filter(df, sample)
    if years is not None:
        _unknown(df, ["year"], "year column")
        df = df.filter(pl.col("year").is_between(years[0], years[1]))
        sample_text += f", {years[0]}–{years[1]}"
    if lag:
        sample_text += f"; lagged one year within dyad: {', '.join(lag)}"
    n_sample = df.height

    # 2. the columns the model needs, listwise deletion
    spell_col = _spell_column(df, outcome, spell) if peace_years else None
    cluster_kind: str | None
    if cluster is None:
        cluster_kind = None
    elif cluster in ("dyad", "robust"):
        cluster_kind = cluster
    else:
        _unknown(df, [cluster], "cluster column")
        cluster_kind = "column"
    needed = [outcome, *design, *([spell_col] if spell_col else [])]
    extra = (
        unit_keys(df)
        if cluster_kind == "dyad"
        else [str(cluster)]
        if cluster_kind == "column"
        else []
    )
    _numeric(df, [outcome, *design, *([spell_col] if spell_col else [])])
    check = [*needed, *[c for c in extra if c not in needed]]
    work = df.select(check).with_columns(pl.col(c).cast(pl.Float64).fill_nan(None) for c in needed)
    dropped = {c: int(n) for c, n in zip(check, work.null_count().row(0), strict=True)}
    work = work.drop_nulls()
    n_dropped = n_sample - work.height
    if work.height == 0:
        raise NoVariationError(
            "no rows left after listwise deletion"
            + (" (" + ", ".join(f"{k}: {v:,} missing" for k, v in dropped.items() if v) + ")"),
            fix="check the covariates' coverage years against the sample's years",
        )

    # 3. design matrix
    y = work[outcome].to_numpy().astype(float)
    _check_outcome(y, outcome)
    columns = [np.ones(work.height), *[work[c].to_numpy().astype(float) for c in design]]
    names = ["const", *design]
    spline_info = None
    if spell_col is not None:
        s = work[spell_col].to_numpy().astype(float)
        if peace_years == "cubic":
            columns += [s, s**2, s**3]
            names += [spell_col, f"{spell_col}^2", f"{spell_col}^3"]
        else:
            import patsy

            basis = patsy.dmatrix(f"bs(x, df={int(spline_df)}) - 1", {"x": s})
            spline_info = basis.design_info
            mat = np.asarray(basis)
            columns += [mat[:, i] for i in range(mat.shape[1])]
            names += [f"{spell_col}_bs{i + 1}" for i in range(mat.shape[1])]
    X = np.column_stack(columns)
    _check_rank(X, names)
    if fam != "firth":
        _check_separation(X, y, names, outcome)

    groups: np.ndarray | None = None
    if cluster_kind == "dyad":
        groups = dyad_groups(work)
    elif cluster_kind == "column":
        groups = (
            work.select(pl.col(str(cluster)).rank("dense").cast(pl.Int64) - 1)
            .to_series()
            .to_numpy()
        )
    n_clusters = int(np.unique(groups).size) if groups is not None else None
    if n_clusters is not None and n_clusters < 2:
        raise ModelError(
            f"clustering on {cluster} needs at least two clusters, the sample has {n_clusters}",
            fix="use cluster=None or widen the sample",
        )

    # 4. estimate
    notes: list[str] = []
    if fam == "firth":
        res, iterations, converged = _fit_firth(y, X, names, cluster_kind, groups, maxiter)
        notes.append(
            "Firth-penalised logit: log-likelihood, AIC and BIC are the unpenalised likelihood "
            "at the penalised estimate"
        )
        try:
            _check_separation(X, y, names, outcome)
        except SeparationError as exc:
            notes.append(
                f"{exc.what}; the Firth estimate of '{exc.covariate}' is finite, but its Wald "
                "interval is unreliable under separation"
                + (
                    " and a sandwich (robust/clustered) SE understates it: use cluster=None for "
                    "the model-based SE"
                    if cluster_kind
                    else ""
                )  # fmt: skip
            )
    else:
        cov = _cov_options(cluster_kind, groups)
        res = _fit_ml(fam, y, X, names, cov, maxiter, outcome, len(design))
        iterations = int(res.mle_retvals.get("iterations", 0))
        converged = bool(res.mle_retvals.get("converged", True))
    est = np.asarray(res.params, dtype=float)
    se = np.asarray(res.bse, dtype=float)
    z = est / se
    q = stats.norm.ppf(0.5 + level / 2)
    table = pl.DataFrame(
        {
            "term": names,
            "estimate": est,
            "std_error": se,
            "z": z,
            "p_value": 2 * stats.norm.sf(np.abs(z)),
            "conf_low": est - q * se,
            "conf_high": est + q * se,
        }
    )
    means = {c: float(np.mean(work[c].to_numpy())) for c in design}
    if spell_col is not None:
        means[spell_col] = float(np.mean(work[spell_col].to_numpy()))
    cov_type = str(getattr(res, "cov_type", "nonrobust"))
    if cluster_kind == "dyad":
        cluster_name: str | None = "non-directed dyad"
    elif cluster_kind == "column":
        cluster_name = str(cluster)
    else:
        cluster_name = None
    return ModelResult(
        family=fam,
        outcome=outcome,
        covariates=tuple(covariates),
        terms=tuple(names),
        coefficients=table,
        n=int(work.height),
        n_events=int(y.sum()),
        n_input=n_input,
        n_sample=n_sample,
        n_dropped=n_dropped,
        dropped_by_variable={k: v for k, v in dropped.items()},
        sample=sample_text,
        cluster=cluster_name,
        n_clusters=n_clusters,
        cov_type=cov_type,
        log_likelihood=float(res.llf),
        ll_null=float(res.llnull),
        aic=float(res.aic),
        bic=float(res.bic),
        pseudo_r2=float(res.prsquared),
        converged=converged,
        iterations=iterations,
        level=level,
        peace_years=peace_years,
        spell=spell_col,
        lagged=tuple(lag),
        notes=tuple(notes),
        results=res,
        _means=means,
        _spline=spline_info,
        _design=tuple(design),
    )


__all__ = [
    "FAMILIES",
    "CollinearityError",
    "ConvergenceError",
    "ModelError",
    "ModelResult",
    "NoVariationError",
    "SeparationError",
    "UnknownColumnError",
    "dyad_groups",
    "fit",
    "lag_columns",
    "unit_keys",
]
