"""Bilateral military-engagement index: one number per dyad-year from every instrument.

The index combines eight instruments of military diplomacy, each measured on the unordered pair
of states in a year (``docs/engagement.md`` gives the method in full, the loadings found on the
real data and the limitations):

=============  ===========================================================  ==================
instrument     intensity of the pair-year                                    covered years
=============  ===========================================================  ==================
``alliance``   0 none, 1 neutrality / non-aggression / consultation only,   ATOP 1816–2018,
               2 defence or offence obligation (either direction)           extended to 2024
``arms``       SIPRI TIV delivered, both directions added                   1950–2024
``dca``        defence cooperation agreements in force (DCAD)               1980–2010
``exercises``  joint exercises: the larger of the JME and MME counts        1980–2010
``pko``        peace operations both serve in (Geo-PKO, UN Africa)          1994–2018
``training``   foreign personnel trained by the US (FMTR), US dyads only    1999–2020 (no 2006)
``troops``     US active-duty troops in the partner, US dyads only          1950–2024
``visits``     US senior defence-leader visits, US dyads only               1992–2012
=============  ===========================================================  ==================

**Model** (``method="factor"``, default): each intensity is turned into rank-based normal scores
over the pair-years its source covers (``transform="normal-scores"``: Φ⁻¹ of the mid-rank; or
``"log1p"``), standardised, and a one-factor model ``z_j = mu_j + lambda_j f + e_j``
(``f ~ N(0, 1)``, ``e_j ~ N(0, psi_j)``) is fitted by maximum likelihood with the EM algorithm,
each pair-year contributing only the instruments covered that year (full-information ML: a year
a source does not cover is *missing*, never 0). The index is the posterior mean of ``f`` given
the covered instruments, ``E[f | z_O] = sum_j beta_j (z_j - mu_j)`` with
``beta_j = v lambda_j / psi_j`` and ``v = 1 / (1 + sum_O lambda_j^2 / psi_j)``; ``sqrt(v)`` is its
standard error and each term of the sum is the instrument's contribution. ``method="pca"`` uses
the first principal component of the pairwise-complete correlation matrix instead
(loading-weighted mean of the covered z-scores).

**Uncertainty and sensitivity.** A cluster bootstrap over dyads (``bootstrap`` replicates, fixed
``seed``) refits the model and gives a percentile interval for every value; leave-one-instrument-
out refits give the range of the value when any one instrument is dropped.

**Comparability across years.** Values are on one latent scale (the standard normal of ``f``
over all covered pair-years) whatever the coverage, but a value built from fewer instruments is
shrunk toward 0 and has a larger standard error (``engagement_se``); ``engagement_reliability``
(``1 - v``) says how much: dividing the value by it gives the conditionally unbiased (Bartlett)
score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import polars as pl

from foedus.errors import FoedusError

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

__all__ = [
    "INSTRUMENTS",
    "METHODS",
    "TRANSFORMS",
    "EngagementModel",
    "Instrument",
    "add_engagement",
    "engagement_index",
    "fit_engagement",
    "instrument_intensities",
    "reference_model",
]

Method = Literal["factor", "pca"]

#: The methods of :func:`engagement_index`.
METHODS: tuple[str, ...] = ("factor", "pca")

Transform = Literal["normal-scores", "log1p"]

#: How instrument intensities are put on a common scale before the model.
TRANSFORMS: tuple[str, ...] = ("normal-scores", "log1p")


@dataclass(frozen=True)
class Instrument:
    """One instrument of the index: its name, the frame columns it reads and what it measures.

    Example:
        >>> [i.name for i in INSTRUMENTS][:3], INSTRUMENTS[3].first_year
        (['alliance', 'arms', 'dca'], 1980)
    """

    name: str
    columns: tuple[str, ...]
    label: str
    enricher: str
    transform: Literal["log1p", "ordinal"] = "log1p"
    first_year: int | None = None


#: The instruments, in the order of the output columns.
INSTRUMENTS: tuple[Instrument, ...] = (
    Instrument("alliance", ("atop_alliance", "atop_defense", "atop_offense", "atop_neutral",
                            "atop_nonagg", "atop_consul"),
               "alliance obligation (0 none, 1 neutrality/non-aggression/consultation, "
               "2 defence/offence)", "atop-extended", "ordinal"),
    Instrument("arms", ("arms_tiv",), "SIPRI TIV delivered, both directions", "arms"),
    Instrument("dca", ("dca_active",), "defence cooperation agreements in force", "dca"),
    Instrument("exercises", ("jme_joint", "mme_joint"),
               "joint exercises (larger of JME and MME counts), from 1980", "exercises",
               first_year=1980),
    Instrument("pko", ("pko_shared_missions",), "peace operations served in together", "pko"),
    Instrument("training", ("us_training_students",), "US-trained students (US dyads)",
               "us-training"),
    Instrument("troops", ("us_troops",), "US active-duty troops in the partner (US dyads)",
               "us-troops"),
    Instrument("visits", ("us_visits",), "US senior defence-leader visits (US dyads)",
               "us-visits"),
)  # fmt: skip

_BY_NAME = {i.name: i for i in INSTRUMENTS}
_KEYS = ["_lo", "_hi", "year"]
_PSI_FLOOR = 1e-3
_MIN_ROWS = 30


# ---------------------------------------------------------------------------------------------
# pair-level intensities
# ---------------------------------------------------------------------------------------------
def _present(df: pl.DataFrame, inst: Instrument) -> bool:
    if inst.name == "alliance":
        return "atop_alliance" in df.columns
    if inst.name == "exercises":
        return any(c in df.columns for c in inst.columns)
    return inst.columns[0] in df.columns


def _row_expr(df: pl.DataFrame, inst: Instrument) -> pl.Expr:
    """The instrument's value on one frame row (before aggregation to the pair)."""
    value = _raw_expr(df, inst)
    if inst.first_year is not None:
        return pl.when(pl.col("year") < inst.first_year).then(None).otherwise(value)
    return value


def _raw_expr(df: pl.DataFrame, inst: Instrument) -> pl.Expr:
    if inst.name == "alliance":
        strong = [pl.col(c).fill_null(0) for c in ("atop_defense", "atop_offense") if c in df]
        weak = [pl.col(c).fill_null(0) for c in ("atop_neutral", "atop_nonagg", "atop_consul")
                if c in df]  # fmt: skip
        level = pl.lit(0.0)
        if weak:
            level = pl.when(pl.max_horizontal(weak) > 0).then(1.0).otherwise(level)
        else:
            level = pl.when(pl.col("atop_alliance") > 0).then(1.0).otherwise(level)
        if strong:
            level = pl.when(pl.max_horizontal(strong) > 0).then(2.0).otherwise(level)
        return pl.when(pl.col("atop_alliance").is_null()).then(None).otherwise(level)
    if inst.name == "exercises":
        cols = [pl.col(c).cast(pl.Float64) for c in inst.columns if c in df.columns]
        return pl.max_horizontal(cols)
    return pl.col(inst.columns[0]).cast(pl.Float64)


def instrument_intensities(frame_df: pl.DataFrame) -> pl.DataFrame:
    """Each instrument's intensity per unordered pair-year (before transforms); null = not covered.

    ``frame_df`` is a directed or non-directed COW dyad-year frame (``ccode1``, ``ccode2``,
    ``year``) with instrument columns (see :data:`INSTRUMENTS`). Rows of the two directions of a
    pair are combined: arms TIV is added over both directions, the other instruments take the
    larger value (US-only sources sit on the row whose ``ccode1`` is the United States).
    Instruments whose columns are absent come out null. Columns: ``ccode1`` < ``ccode2``,
    ``year`` and one column per instrument.

    Example:
        >>> import polars as pl
        >>> df = pl.DataFrame({"ccode1": [2, 740], "ccode2": [740, 2], "year": [2000, 2000],
        ...                    "arms_tiv": [400.0, 10.0], "us_troops": [40159, None]})
        >>> instrument_intensities(df).select("ccode1", "ccode2", "arms", "troops").rows()
        [(2, 740, 410.0, 40159.0)]
    """
    _check_frame(frame_df)
    lo = pl.min_horizontal("ccode1", "ccode2").alias("_lo")
    hi = pl.max_horizontal("ccode1", "ccode2").alias("_hi")
    rows = frame_df.select(
        lo, hi, pl.col("year"),
        *[(_row_expr(frame_df, i) if _present(frame_df, i) else pl.lit(None, pl.Float64))
          .cast(pl.Float64).alias(i.name) for i in INSTRUMENTS],
    )  # fmt: skip
    aggs = []
    for inst in INSTRUMENTS:
        col = pl.col(inst.name)
        if inst.name == "arms":  # both directions add up; all-null stays null
            aggs.append(pl.when(col.is_not_null().any()).then(col.sum()).otherwise(None)
                        .alias(inst.name))  # fmt: skip
        else:
            aggs.append(col.max().alias(inst.name))
    pairs = rows.group_by(_KEYS, maintain_order=True).agg(aggs)
    return pairs.rename({"_lo": "ccode1", "_hi": "ccode2"})


def _check_frame(frame_df: pl.DataFrame) -> None:
    missing = [c for c in ("ccode1", "ccode2", "year") if c not in frame_df.columns]
    if missing:
        raise FoedusError(
            f"the engagement index needs a COW dyad-year frame; missing columns {missing}",
            fix="build it with foedus.dyad_years('cow', ...) (G-W frames: add COW codes with "
            ".add_ccode_to_gw())",
        )
    if not any(_present(frame_df, i) for i in INSTRUMENTS):
        raise FoedusError(
            "the frame has no instrument columns",
            fix="add them with Frame.add_arms_transfers(), .add_dcas(), … or use "
            "add_engagement(frame), which adds every enricher it needs",
        )


def _transform(values: np.ndarray, inst: Instrument) -> np.ndarray:
    if inst.transform == "ordinal":
        return values
    return np.log1p(np.clip(values, 0.0, None))


def _normal_scores(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The normal-score map of the covered values: distinct values and Φ⁻¹ of their mid-ranks."""
    from scipy.special import ndtri

    values, counts = np.unique(x[~np.isnan(x)], return_counts=True)
    cum = np.cumsum(counts)
    mid = (cum - counts / 2.0) / cum[-1]
    return values, np.asarray(ndtri(mid), dtype=float)


# ---------------------------------------------------------------------------------------------
# sufficient statistics per missingness pattern
# ---------------------------------------------------------------------------------------------
@dataclass
class _Stats:
    """Per pattern: mask (P×K), n (P), sums (P×K), cross-products (P×K×K); zeros off-pattern."""

    mask: np.ndarray
    n: np.ndarray
    s: np.ndarray
    c: np.ndarray

    def drop(self, k: int) -> _Stats:
        mask = self.mask.copy()
        mask[:, k] = False
        s = self.s.copy()
        s[:, k] = 0.0
        c = self.c.copy()
        c[:, k, :] = 0.0
        c[:, :, k] = 0.0
        return _Stats(mask, self.n, s, c)


def _group_stats(z0: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group: [n, sums (K), cross-products (K×K flattened)]."""
    k = z0.shape[1]
    out = np.zeros((n_groups, 1 + k + k * k))
    out[:, 0] = np.bincount(group, minlength=n_groups)
    for j in range(k):
        out[:, 1 + j] = np.bincount(group, weights=z0[:, j], minlength=n_groups)
    for j in range(k):
        for m in range(j, k):
            v = np.bincount(group, weights=z0[:, j] * z0[:, m], minlength=n_groups)
            out[:, 1 + k + j * k + m] = v
            out[:, 1 + k + m * k + j] = v
    return out


def _stats_from(flat: np.ndarray, masks: np.ndarray) -> _Stats:
    k = masks.shape[1]
    return _Stats(masks, flat[:, 0], flat[:, 1 : 1 + k], flat[:, 1 + k :].reshape(-1, k, k))


# ---------------------------------------------------------------------------------------------
# the one-factor model (EM) and the PCA alternative
# ---------------------------------------------------------------------------------------------
@dataclass
class _Params:
    """Parameters on the standardised scale: factor (mu, lam, psi) or pca (w, a, b)."""

    method: str
    mu: np.ndarray
    lam: np.ndarray
    psi: np.ndarray
    loglik: float = float("nan")
    iterations: int = 0
    converged: bool = True

    def loadings(self) -> np.ndarray:
        if self.method == "pca":
            return self.lam.copy()
        return self.lam / np.sqrt(self.lam**2 + self.psi)

    def coefficients(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per pattern: per-instrument intercepts (P×K), slopes (P×K), posterior variance (P)."""
        m = mask.astype(float)
        if self.method == "pca":
            # mu = mean and psi = sd of z over covered rows; lam = weights
            w = self.lam * m
            denom = np.abs(w).sum(axis=1)
            denom = np.where(denom > 0, denom, np.nan)
            slope = w / self.psi / denom[:, None]
            icpt = -slope * self.mu
            return icpt, slope, np.full(mask.shape[0], np.nan)
        a = m * self.lam / self.psi
        v = 1.0 / (1.0 + a @ self.lam)
        slope = v[:, None] * a
        return -slope * self.mu, slope, v


def _em_factor(st: _Stats, init: _Params | None = None, *, tol: float = 1e-10,
               max_iter: int = 20_000) -> _Params:  # fmt: skip
    mask = st.mask.astype(float)
    k = mask.shape[1]
    used = mask.sum(axis=0) > 0
    n_j = st.n @ mask
    sz = st.s.sum(axis=0)
    szz = np.einsum("pjj->j", st.c)
    if init is None:
        r = _pairwise_corr(st)
        vals, vecs = np.linalg.eigh(r)
        first = vecs[:, -1] * math.sqrt(max(vals[-1], 1e-6))
        if first.sum() < 0:
            first = -first
        mean = np.divide(sz, n_j, out=np.zeros(k), where=n_j > 0)
        var = np.divide(szz, n_j, out=np.ones(k), where=n_j > 0) - mean**2
        lam = np.clip(first, -0.95, 0.95) * np.sqrt(np.maximum(var, 1e-6))
        mu, psi = mean, np.maximum(var - lam**2, _PSI_FLOOR)
    else:
        mu, lam, psi = init.mu.copy(), init.lam.copy(), init.psi.copy()
    lam = np.where(used, lam, 0.0)
    psi = np.where(used, psi, 1.0)
    if used.sum() == 1:  # one instrument: the factor is that instrument (its z-score)
        j = int(np.flatnonzero(used)[0])
        mean = sz[j] / n_j[j]
        var = max(szz[j] / n_j[j] - mean**2, 1e-12)
        mu[j], lam[j], psi[j] = mean, math.sqrt(var * (1 - _PSI_FLOOR)), var * _PSI_FLOOR
        return _Params("factor", mu, lam, psi, float("nan"), 0, True)
    mo = mask[:, :, None] * mask[:, None, :]
    kp = mask.sum(axis=1)
    log2pi = math.log(2 * math.pi)
    last = -np.inf
    converged = False
    it = 0
    ll = -np.inf
    for it in range(1, max_iter + 1):  # noqa: B007
        a = mask * lam / psi
        v = 1.0 / (1.0 + a @ lam)
        beta = v[:, None] * a
        mu_o = mask * mu
        sc = st.s - st.n[:, None] * mu_o
        cc = (st.c - st.s[:, :, None] * mu_o[:, None, :] - mu_o[:, :, None] * st.s[:, None, :]
              + st.n[:, None, None] * mu_o[:, :, None] * mu_o[:, None, :]) * mo  # fmt: skip
        m_sum = (beta * sc).sum(axis=1)
        mm_sum = np.einsum("pj,pjk,pk->p", beta, cc, beta) + st.n * v
        zm = np.einsum("pjk,pk->pj", st.c, beta) - st.s * (beta * mu_o).sum(axis=1)[:, None]
        sm = m_sum @ mask
        smm = mm_sum @ mask
        szm = zm.sum(axis=0)
        # log-likelihood at the current parameters
        trace = (np.einsum("pjj->pj", cc) * mask / psi).sum(axis=1) - v * np.einsum(
            "pj,pjk,pk->p", a, cc, a)
        logdet = (mask * np.log(psi)).sum(axis=1) - np.log(v)
        ll = float(-0.5 * (st.n * (kp * log2pi + logdet) + trace).sum())
        if abs(ll - last) <= tol * max(1.0, abs(ll)):
            converged = True
            break
        last = ll
        det = n_j * smm - sm**2
        ok = used & (det > 1e-12)
        mu = np.where(ok, (smm * sz - sm * szm) / np.where(ok, det, 1.0), mu)
        lam = np.where(ok, (n_j * szm - sm * sz) / np.where(ok, det, 1.0), lam)
        res = (szz - mu * sz - lam * szm) / np.where(n_j > 0, n_j, 1.0)
        psi = np.where(ok, np.maximum(res, _PSI_FLOOR), psi)
    if lam.sum() < 0:
        lam = -lam
    return _Params("factor", mu, lam, psi, ll, it, converged)


def _pairwise_corr(st: _Stats) -> np.ndarray:
    """Pearson correlations, each over the rows where both instruments are covered."""
    mask = st.mask.astype(float)
    n = np.einsum("p,pj,pk->jk", st.n, mask, mask)
    sj = np.einsum("pj,pk->jk", st.s, mask)  # sum of z_j where k is also covered
    qj = np.einsum("pjj,pk->jk", st.c, mask)
    pjk = st.c.sum(axis=0)
    safe = np.where(n > 1, n, 1.0)
    mj = sj / safe
    mk = sj.T / safe
    cov = pjk / safe - mj * mk
    vj = qj / safe - mj**2
    vk = qj.T / safe - mk**2
    denom = np.sqrt(np.clip(vj, 0, None) * np.clip(vk, 0, None))
    r = np.where((n > 2) & (denom > 0), cov / np.where(denom > 0, denom, 1.0), 0.0)
    np.fill_diagonal(r, 1.0)
    return np.asarray(r)


def _fit_pca(st: _Stats) -> _Params:
    mask = st.mask.astype(float)
    n_j = st.n @ mask
    safe = np.where(n_j > 0, n_j, 1.0)
    mean = st.s.sum(axis=0) / safe
    sd = np.sqrt(np.clip(np.einsum("pjj->j", st.c) / safe - mean**2, 1e-12, None))
    used = n_j > 0
    r = _pairwise_corr(st)[np.ix_(used, used)]
    vals, vecs = np.linalg.eigh(r)
    w = np.zeros(mask.shape[1])
    w[used] = vecs[:, -1] * math.sqrt(max(vals[-1], 0.0))
    if w.sum() < 0:
        w = -w
    return _Params("pca", mean, w, sd)


def _fit(st: _Stats, method: str, init: _Params | None = None) -> _Params:
    return _fit_pca(st) if method == "pca" else _em_factor(st, init)


# ---------------------------------------------------------------------------------------------
# the fitted model
# ---------------------------------------------------------------------------------------------
@dataclass
class EngagementModel:
    """A fitted engagement model: parameters, loadings, bootstrap, sensitivity and coverage.

    ``center``/``scale`` standardise each transformed instrument (mean and SD over its covered
    pair-years); ``loadings`` are standardised (the correlation of the instrument with the
    latent engagement, factor method; component loadings for PCA) with bootstrap intervals in
    ``loadings_interval``; ``sensitivity`` gives, per instrument left out, the correlation of the
    refitted index with the full one; ``coverage`` lists every coverage pattern met (instruments,
    pair-years, years, model reliability ``1 - v``).

    Example:
        >>> import polars as pl
        >>> df = pl.DataFrame({"ccode1": [2] * 40 + [20] * 40, "ccode2": list(range(100, 180)),
        ...     "year": [2000] * 80, "arms_tiv": [float(i % 7) for i in range(80)],
        ...     "us_troops": [i % 5 for i in range(40)] + [None] * 40})
        >>> model = fit_engagement(df, bootstrap=0)
        >>> model.instruments
        ('arms', 'troops')
    """

    method: str
    instruments: tuple[str, ...]
    center: np.ndarray
    scale: np.ndarray
    params: _Params
    transform: str
    seed: int
    level: float
    n_rows: int
    n_dyads: int
    n_obs: dict[str, int]
    years: dict[str, tuple[int, int]]
    maps: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    replicates: list[_Params] = field(default_factory=list)
    loo: dict[str, _Params] = field(default_factory=dict)
    sensitivity: dict[str, dict[str, float]] = field(default_factory=dict)
    coverage: list[dict[str, Any]] = field(default_factory=list)
    quantiles: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def percentile(self, values: Any) -> np.ndarray:
        """Percentile (0–100) of index values among the pair-years the model was fitted on.

        Example:
            >>> import polars as pl
            >>> df = pl.DataFrame({"ccode1": [2] * 40, "ccode2": list(range(100, 140)),
            ...     "year": [2000] * 40, "arms_tiv": [float(i) for i in range(40)]})
            >>> model = fit_engagement(df, bootstrap=0)
            >>> [round(float(p)) for p in model.percentile([-10.0, 10.0])]
            [0, 100]
        """
        x = np.asarray(values, dtype=float)
        if self.quantiles.size == 0:
            return np.full(x.shape, np.nan)
        left = np.searchsorted(self.quantiles, x, side="left")
        right = np.searchsorted(self.quantiles, x, side="right")
        ranks = 100.0 * (left + right) / 2.0 / self.quantiles.size
        return np.where(np.isnan(x), np.nan, np.clip(ranks, 0.0, 100.0))

    @property
    def loadings(self) -> dict[str, float]:
        """Standardised loadings per instrument (see the class example)."""
        return dict(zip(self.instruments, map(float, self.params.loadings()), strict=True))

    @property
    def loadings_interval(self) -> dict[str, tuple[float, float]]:
        """Bootstrap percentile interval of each loading (empty without bootstrap)."""
        if not self.replicates:
            return {}
        reps = np.array([r.loadings() for r in self.replicates])
        q = (1 - self.level) / 2
        lo, hi = np.nanquantile(reps, [q, 1 - q], axis=0)
        return {n: (float(a), float(b)) for n, a, b in zip(self.instruments, lo, hi, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (no replicate parameters).

        Example:
            >>> import polars as pl
            >>> df = pl.DataFrame({"ccode1": [2] * 40, "ccode2": list(range(100, 140)),
            ...     "year": [2000] * 40, "arms_tiv": [float(i) for i in range(40)]})
            >>> doc = fit_engagement(df, bootstrap=0).to_dict()
            >>> doc["method"], [i["instrument"] for i in doc["instruments"]]
            ('factor', ['arms'])
        """
        p = self.params
        out: dict[str, Any] = {
            "method": self.method, "transform": self.transform, "seed": self.seed, "bootstrap": len(self.replicates),
            "level": self.level, "pair_years": self.n_rows, "dyads": self.n_dyads,
            "instruments": [
                {"instrument": name, "label": _BY_NAME[name].label,
                 "pair_years": self.n_obs[name],
                 "years": list(self.years[name]), "center": float(self.center[j]),
                 "scale": float(self.scale[j]), "loading": self.loadings[name],
                 "loading_interval": list(self.loadings_interval.get(name, ())),
                 **({"mu": float(p.mu[j]), "lambda": float(p.lam[j]), "psi": float(p.psi[j])}
                    if self.method == "factor" else {"weight": float(p.lam[j])}),
                 "leave_out": self.sensitivity.get(name, {})}
                for j, name in enumerate(self.instruments)
            ],
            "loglik": None if math.isnan(p.loglik) else p.loglik,
            "iterations": p.iterations, "converged": p.converged, "coverage": self.coverage,
        }  # fmt: skip
        return out

    # -- scoring -------------------------------------------------------------------------------
    def _z(self, pairs: pl.DataFrame) -> np.ndarray:
        cols = []
        for j, name in enumerate(self.instruments):
            raw = pairs.get_column(name).cast(pl.Float64).fill_nan(None).to_numpy()
            x = _transform(np.asarray(raw, dtype=float), _BY_NAME[name])
            if self.transform == "normal-scores":
                values, scores = self.maps[j]
                x = np.where(np.isnan(x), np.nan, np.interp(x, values, scores))
            cols.append((x - self.center[j]) / self.scale[j])
        return np.column_stack(cols) if cols else np.zeros((pairs.height, 0))

    def score(self, pairs: pl.DataFrame) -> pl.DataFrame:
        """Score pair-level intensities (from :func:`instrument_intensities`) with this model.

        Returns the engagement columns (see :func:`engagement_index`) in the rows' order.

        Example:
            >>> import polars as pl
            >>> df = pl.DataFrame({"ccode1": [2] * 40, "ccode2": list(range(100, 140)),
            ...     "year": [2000] * 40, "arms_tiv": [float(i) for i in range(40)]})
            >>> model = fit_engagement(df, bootstrap=0)
            >>> out = model.score(instrument_intensities(df.head(2)))
            >>> out["engagement_instruments"].to_list(), out["engagement"][0] < out["engagement"][1]
            (['arms', 'arms'], True)
        """
        z = self._z(pairs)
        mask = ~np.isnan(z)
        z0 = np.where(mask, z, 0.0)
        k = len(self.instruments)
        code = (mask * (1 << np.arange(k))).sum(axis=1) if k else np.zeros(len(z), dtype=int)
        uniq, pat = np.unique(code, return_inverse=True)
        pmask = ((uniq[:, None] >> np.arange(k)) & 1).astype(bool)
        covered = np.asarray(pmask.any(axis=1), dtype=bool)
        icpt, slope, v = self.params.coefficients(pmask)
        contrib = np.where(mask, icpt[pat] + slope[pat] * z0, np.nan)
        value = np.where(covered[pat], np.nansum(np.where(mask, contrib, 0.0), axis=1), np.nan)
        se = np.where(covered[pat], np.sqrt(v[pat]), np.nan)
        reliability = np.where(covered[pat], 1.0 - v[pat], np.nan)
        lo = hi = np.full(len(z), np.nan)
        if self.replicates:
            lo, hi = self._interval(z0, pat, pmask)
        loo_min, loo_max = self._loo_range(z0, pat, pmask)
        n_cov = mask.sum(axis=1)
        names = np.array(self.instruments, dtype=object)
        labels = [",".join(names[row]) if row.any() else None for row in pmask]
        out = {
            "engagement": value, "engagement_se": se, "engagement_reliability": reliability,
            "engagement_lo": lo,
            "engagement_hi": hi, "engagement_loo_min": loo_min, "engagement_loo_max": loo_max,
        }  # fmt: skip
        frame = pl.DataFrame({k_: pl.Series(k_, v_, dtype=pl.Float64, nan_to_null=True)
                              for k_, v_ in out.items()})  # fmt: skip
        frame = frame.with_columns(
            pl.Series("engagement_n", n_cov, dtype=pl.Int64),
            pl.Series("engagement_instruments", [labels[p] for p in pat], dtype=pl.String),
            *[pl.Series(f"engagement_c_{i.name}",
                        contrib[:, self.instruments.index(i.name)]
                        if i.name in self.instruments else np.full(len(z), np.nan),
                        dtype=pl.Float64, nan_to_null=True) for i in INSTRUMENTS],
        )  # fmt: skip
        return frame

    def _interval(self, z0: np.ndarray, pat: np.ndarray, pmask: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        q = (1 - self.level) / 2
        lo = np.full(len(z0), np.nan)
        hi = np.full(len(z0), np.nan)
        coefs = [r.coefficients(pmask) for r in self.replicates]
        icpt = np.stack([c[0].sum(axis=1) for c in coefs], axis=1)  # P × B
        slope = np.stack([c[1] for c in coefs], axis=2)  # P × K × B
        for p in range(len(pmask)):
            rows = np.flatnonzero(pat == p)
            if rows.size == 0 or not pmask[p].any():
                continue
            cols = np.flatnonzero(pmask[p])
            uniq, inv = _unique_rows(z0[np.ix_(rows, cols)])
            vals = uniq @ slope[p][cols] + icpt[p]  # U × B
            qlo, qhi = np.quantile(vals, [q, 1 - q], axis=1)
            lo[rows] = qlo[inv]
            hi[rows] = qhi[inv]
        return lo, hi

    def _loo_scores(self, z0: np.ndarray, pat: np.ndarray, pmask: np.ndarray
                    ) -> dict[str, np.ndarray]:  # fmt: skip
        out = {}
        for name, params in self.loo.items():
            j = self.instruments.index(name)
            m = pmask.copy()
            m[:, j] = False
            icpt, slope, _ = params.coefficients(m)
            vals = icpt.sum(axis=1)[pat] + (slope[pat] * z0).sum(axis=1)
            has = np.asarray(m.any(axis=1), dtype=bool)
            out[name] = np.where(has[pat], vals, np.nan)
        return out

    def _loo_range(self, z0: np.ndarray, pat: np.ndarray, pmask: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        scores = self._loo_scores(z0, pat, pmask)
        if not scores:
            nan = np.full(len(z0), np.nan)
            return nan, nan
        stack = np.column_stack(list(scores.values()))
        return np.fmin.reduce(stack, axis=1), np.fmax.reduce(stack, axis=1)


def _unique_rows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of ``x`` and, per row, the index of its distinct row (fast: by hash)."""
    if x.shape[0] == 0:
        return x, np.zeros(0, dtype=np.int64)
    hashes = pl.DataFrame(x).hash_rows(seed=0).to_numpy()
    _, first, inv = np.unique(hashes, return_index=True, return_inverse=True)
    inv = inv.reshape(-1)
    uniq = x[first]
    if not np.array_equal(uniq[inv], x):  # a hash collision: fall back to sorting rows
        uniq, inv = np.unique(x, axis=0, return_inverse=True)
        inv = inv.reshape(-1)
    return uniq, inv


# ---------------------------------------------------------------------------------------------
# public functions
# ---------------------------------------------------------------------------------------------
def fit_engagement(
    frame_df: pl.DataFrame,
    *,
    method: Method = "factor",
    seed: int = 0,
    bootstrap: int = 100,
    level: float = 0.9,
    transform: Transform = "normal-scores",
) -> EngagementModel:
    """Fit the engagement model on a dyad-year frame with instrument columns.

    The model is fitted on the frame's unordered pair-years, each with the instruments covered
    that year (never a 0 for an uncovered year). ``bootstrap`` replicates resample dyads with
    replacement (``numpy.random.default_rng(seed)``) and refit; 0 skips the bootstrap. Every
    instrument is also left out once and the model refitted (``sensitivity``).

    Example:
        >>> import polars as pl
        >>> df = pl.DataFrame({"ccode1": [2] * 40 + [20] * 40, "ccode2": list(range(100, 180)),
        ...     "year": [2000] * 80, "arms_tiv": [float(i % 7) for i in range(80)],
        ...     "dca_active": [i % 7 // 3 for i in range(80)]})
        >>> m = fit_engagement(df, bootstrap=10, seed=1)
        >>> sorted(m.loadings), m.loadings["arms"] > 0.5
        (['arms', 'dca'], True)
    """
    pairs = instrument_intensities(frame_df)
    return _fit_pairs(pairs, method=method, seed=seed, bootstrap=bootstrap, level=level,
                      transform=transform)


def _fit_pairs(pairs: pl.DataFrame, *, method: str, seed: int, bootstrap: int,
               level: float, transform: str = "normal-scores") -> EngagementModel:  # fmt: skip
    if method not in METHODS:
        raise FoedusError(f"unknown engagement method '{method}'", fix="use factor or pca")
    if transform not in TRANSFORMS:
        raise FoedusError(f"unknown transform '{transform}'",
                          fix="use normal-scores or log1p")  # fmt: skip
    if not 0 < level < 1:
        raise FoedusError(f"level {level} is not between 0 and 1", fix="e.g. level=0.9")
    if bootstrap < 0:
        raise FoedusError("bootstrap must be 0 (none) or more", fix="e.g. bootstrap=100")
    names: list[str] = []
    centers, scales, maps = [], [], []
    n_obs: dict[str, int] = {}
    years: dict[str, tuple[int, int]] = {}
    year = pairs.get_column("year").to_numpy()
    for inst in INSTRUMENTS:
        raw = np.asarray(pairs.get_column(inst.name).fill_nan(None).to_numpy(), dtype=float)
        x = _transform(raw, inst)
        ok = ~np.isnan(x)
        if ok.sum() < 2 or float(np.nanstd(x)) == 0.0:
            continue  # absent, or no variation: no information about engagement
        values, scores = _normal_scores(x)
        if transform == "normal-scores":
            x = np.where(ok, np.interp(x, values, scores), np.nan)
        names.append(inst.name)
        maps.append((values, scores))
        centers.append(float(np.nanmean(x)))
        scales.append(float(np.nanstd(x)))
        n_obs[inst.name] = int(ok.sum())
        years[inst.name] = (int(year[ok].min()), int(year[ok].max()))
    if not names:
        raise FoedusError(
            "no instrument varies over the frame's pair-years",
            fix="use a frame with more dyads or years (e.g. all dyad-years 1950–2024)",
        )
    model = EngagementModel(
        method=method, instruments=tuple(names), center=np.array(centers),
        scale=np.array(scales), params=_Params(method, np.zeros(0), np.zeros(0), np.zeros(0)),
        transform=transform, seed=seed, level=level, n_rows=pairs.height, n_dyads=0,
        n_obs=n_obs, years=years, maps=maps,
    )  # fmt: skip
    z = model._z(pairs)
    mask = ~np.isnan(z)
    keep = mask.any(axis=1)
    if keep.sum() < _MIN_ROWS:
        raise FoedusError(
            f"only {int(keep.sum())} pair-years have an instrument: too few to fit the model",
            fix="fit on a larger frame (fit_engagement or reference_model) and pass model=",
        )
    z, mask, year = z[keep], mask[keep], year[keep]
    z0 = np.where(mask, z, 0.0)
    k = len(names)
    code = (mask * (1 << np.arange(k))).sum(axis=1)
    uniq, pat = np.unique(code, return_inverse=True)
    pmask = ((uniq[:, None] >> np.arange(k)) & 1).astype(bool)
    dyad_key = (pairs.get_column("ccode1").to_numpy()[keep].astype(np.int64) * 10_000
                + pairs.get_column("ccode2").to_numpy()[keep])  # fmt: skip
    dyads, dyad = np.unique(dyad_key, return_inverse=True)
    model.n_rows = int(keep.sum())
    model.n_dyads = len(dyads)
    stats = _stats_from(_group_stats(z0, pat, len(uniq)), pmask)
    model.params = _fit(stats, method)
    # leave-one-instrument-out refits
    if k > 1:
        for j, name in enumerate(names):
            model.loo[name] = _fit(stats.drop(j), method, None)
    # cluster bootstrap over dyads on per-(pattern, dyad) sufficient statistics
    if bootstrap:
        group = pat.astype(np.int64) * len(dyads) + dyad
        gkeys, ginv = np.unique(group, return_inverse=True)
        gstats = _group_stats(z0, ginv.reshape(-1), len(gkeys))
        g_dyad = gkeys % len(dyads)
        bounds = np.searchsorted(gkeys // len(dyads), np.arange(len(uniq) + 1))  # by pattern
        rng = np.random.default_rng(seed)
        draws = np.stack([np.bincount(rng.integers(0, len(dyads), len(dyads)),
                                      minlength=len(dyads)) for _ in range(bootstrap)])
        flat = np.stack([draws[:, g_dyad[a:b]].astype(float) @ gstats[a:b]
                         for a, b in zip(bounds[:-1], bounds[1:], strict=True)], axis=1)
        for b in range(bootstrap):
            model.replicates.append(_fit(_stats_from(flat[b], pmask), method, model.params))
    # sensitivity: correlation of the full index with each leave-one-out index
    icpt, slope, v = model.params.coefficients(pmask)
    full = icpt.sum(axis=1)[pat] + (slope[pat] * z0).sum(axis=1)
    for name, loo in model._loo_scores(z0, pat, pmask).items():
        both = ~np.isnan(loo)
        varies = both.sum() > 2 and np.std(full[both]) > 0 and np.std(loo[both]) > 0
        r = float(np.corrcoef(full[both], loo[both])[0, 1]) if varies else float("nan")
        model.sensitivity[name] = {
            "correlation": r,
            "mean_abs_change": float(np.mean(np.abs(full[both] - loo[both]))),
            "pair_years_without_value": int((~both).sum()),
        }
    # coverage patterns: where they occur and how reliable the index is under each
    for p in range(len(uniq)):
        rows = pat == p
        yrs = year[rows]
        model.coverage.append({
            "instruments": [names[j] for j in np.flatnonzero(pmask[p])],
            "pair_years": int(rows.sum()), "years": [int(yrs.min()), int(yrs.max())],
            "reliability": None if np.isnan(v[p]) else float(1 - v[p]),
            "se": None if np.isnan(v[p]) else float(math.sqrt(v[p])),
        })  # fmt: skip
    model.coverage.sort(key=lambda c: (c["years"][0], -len(c["instruments"])))
    model.quantiles = np.quantile(full, np.linspace(0, 1, 1001))
    return model


def engagement_index(
    frame_df: pl.DataFrame,
    *,
    method: Method = "factor",
    seed: int = 0,
    bootstrap: int = 100,
    level: float = 0.9,
    transform: Transform = "normal-scores",
    model: EngagementModel | None = None,
) -> pl.DataFrame:
    """The bilateral military-engagement index for every row of a dyad-year frame.

    ``frame_df`` is a COW dyad-year frame (directed or not) with instrument columns (from the
    Frame enrichers; see :data:`INSTRUMENTS`). The model is fitted on the frame itself
    (:func:`fit_engagement`) unless a fitted ``model`` is given. Rows keep their order; both
    directions of a pair get the same values. Added columns:

    * ``engagement`` — posterior mean of the latent engagement (factor) or the loading-weighted
      mean of the covered z-scores (pca); null when no instrument covers the pair-year;
    * ``engagement_se`` — posterior standard deviation (factor only);
    * ``engagement_lo``/``engagement_hi`` — bootstrap percentile interval (``level``);
    * ``engagement_loo_min``/``engagement_loo_max`` — range over leave-one-instrument-out refits;
    * ``engagement_n``, ``engagement_instruments`` — how many and which instruments cover it;
    * ``engagement_c_<instrument>`` — each instrument's contribution (they add up to the value).

    Example:
        >>> import polars as pl
        >>> df = pl.DataFrame({"ccode1": [2] * 40 + [20] * 40, "ccode2": list(range(100, 180)),
        ...     "year": [2000] * 79 + [1940], "arms_tiv": [float(i % 7) for i in range(79)] + [None],
        ...     "dca_active": [i % 7 // 3 for i in range(79)] + [None]})
        >>> out = engagement_index(df, bootstrap=0)
        >>> out["engagement"].null_count(), out["engagement_instruments"][0]
        (1, 'arms,dca')
    """
    _check_frame(frame_df)
    pairs = instrument_intensities(frame_df)
    if model is None:
        model = _fit_pairs(pairs, method=method, seed=seed, bootstrap=bootstrap, level=level,
                           transform=transform)
    scored = pl.concat([pairs.select("ccode1", "ccode2", "year").rename(
        {"ccode1": "_lo", "ccode2": "_hi"}), model.score(pairs)], how="horizontal")  # fmt: skip
    taken = [c for c in scored.columns if c in frame_df.columns and c not in _KEYS]
    if taken:
        raise FoedusError(f"the frame already has columns {taken}",
                          fix="drop them before adding the engagement index")  # fmt: skip
    keyed = frame_df.with_columns(
        pl.min_horizontal("ccode1", "ccode2").alias("_lo"),
        pl.max_horizontal("ccode1", "ccode2").alias("_hi"),
    )
    out = keyed.join(scored, on=_KEYS, how="left", maintain_order="left", nulls_equal=False)
    return out.drop("_lo", "_hi")


_NEEDS: tuple[tuple[str, str], ...] = (
    ("arms_tiv", "add_arms_transfers"),
    ("dca_active", "add_dcas"),
    ("jme_joint", "add_joint_exercises"),
    ("us_training_students", "add_us_training"),
    ("us_troops", "add_us_troops"),
    ("us_visits", "add_us_visits"),
    ("pko_shared_missions", "add_pko"),
)


def _with_instruments(frame: Frame) -> Frame:
    if frame.unit != "dyad-year":
        raise FoedusError("the engagement index applies to dyad-years",
                          fix="build the frame with foedus.dyad_years('cow', ...)")  # fmt: skip
    for column, method in _NEEDS:
        if column not in frame.df.columns:
            frame = getattr(frame, method)()
    if "atop_alliance" not in frame.df.columns:
        frame = frame.add_atop_alliance(extend=True)
    return frame


def add_engagement(
    frame: Frame,
    *,
    method: Method = "factor",
    seed: int = 0,
    bootstrap: int = 100,
    level: float = 0.9,
    transform: Transform = "normal-scores",
    model: EngagementModel | None = None,
) -> Frame:
    """Add the engagement index to a dyad-year :class:`~foedus.frames.frame.Frame`.

    Adds every instrument enricher the frame lacks (arms, DCAs, exercises, US training, troops
    and visits, peace operations, ATOP obligations extended past 2018), then
    :func:`engagement_index`. The model is fitted on the frame's own pair-years unless ``model``
    is given (e.g. :func:`reference_model`, fitted on every dyad-year 1816–2024).

    Example:
        >>> import foedus
        >>> ddy = foedus.dyad_years("cow", years="2000-2010")  # doctest: +SKIP
        >>> add_engagement(ddy).df.select("engagement").describe()  # doctest: +SKIP
    """
    full = _with_instruments(frame)
    df = engagement_index(full.df, method=method, seed=seed, bootstrap=bootstrap, level=level,
                          transform=transform, model=model)  # fmt: skip
    return full._with(df)


_REFERENCE: dict[tuple[Any, ...], EngagementModel] = {}


def reference_model(
    warehouse: Any = None,
    *,
    method: Method = "factor",
    seed: int = 0,
    bootstrap: int = 100,
    level: float = 0.9,
    transform: Transform = "normal-scores",
    years: tuple[int, int] | None = None,
) -> EngagementModel:
    """The engagement model fitted on every non-directed COW dyad-year (default 1816–2024).

    Cached for the life of the process and on disk next to the warehouse
    (``<warehouse>.cache/models/``), keyed by the checksums of the releases it reads, the options,
    the foedus version and the files it depends on (its code, the curated alliance changes, the
    country-name table): a new release or option fits it again. This is the model ``foedus dyad``
    uses, so that one pair is placed on the scale of all pairs.

    Example:
        >>> model = reference_model("warehouse.duckdb")  # doctest: +SKIP
        >>> round(model.loadings["arms"], 2)  # doctest: +SKIP
        0.6
    """
    from foedus.frames.universe import dyad_years
    from foedus.warehouse import Warehouse

    wh = warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse, read_only=True)
    tables = ("sipri_arms_deals", "dcad_agreements", "jme_exercises", "mme_participants",
              "us_training", "us_troops", "us_defense_visits", "geo_pko_tcc", "atop_member",
              "atop_ddy", "cow_system")  # fmt: skip
    records = tuple(
        (t, wh.active(t).sha256, wh.active(t).imported_at.isoformat()) for t in tables
        if wh.has(t)
    )  # fmt: skip
    span = years or (1816, 2024)
    key = (str(wh.path), records, method, seed, bootstrap, level, transform, span)
    if key not in _REFERENCE:
        options = {"method": method, "seed": seed, "bootstrap": bootstrap, "level": level,
                   "transform": transform, "years": list(span)}  # fmt: skip
        stored = _model_file(wh, records, options)
        model = _load_model(stored)
        if model is None:
            frame = dyad_years("cow", directed=False, years=span, warehouse=wh)
            full = _with_instruments(frame)
            model = fit_engagement(full.df, method=method, seed=seed, bootstrap=bootstrap,
                                   level=level, transform=transform)  # fmt: skip
            _store_model(stored, model)
        _REFERENCE[key] = model
    return _REFERENCE[key]


def _model_file(wh: Any, records: tuple[tuple[str, str, str], ...],
                options: dict[str, Any]) -> Path:  # fmt: skip
    """Where the reference model fitted on these releases (by checksum) and options is kept:
    ``<warehouse>.cache/models/engagement-<key>.pickle``."""
    import hashlib
    import json

    from foedus import __version__
    from foedus._kept import package_digest

    # Any file of the package may change the inputs (an enricher's coverage rule, a curated
    # table): the package's files are part of the key.
    doc = {"releases": sorted((t, sha) for t, sha, _ in records), "options": options,
           "package": package_digest(), "foedus": __version__}  # fmt: skip
    key = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:32]
    return Path(wh.cache_dir) / "models" / f"engagement-{key}.pickle"


def _load_model(path: Path) -> EngagementModel | None:
    import pickle

    try:
        with path.open("rb") as handle:
            model = pickle.load(handle)  # written by _store_model in the warehouse's own folder
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    return model if isinstance(model, EngagementModel) else None


def _store_model(path: Path, model: EngagementModel) -> None:
    import os
    import pickle

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
        with tmp.open("wb") as handle:
            pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only folder: the model is fitted again next time
