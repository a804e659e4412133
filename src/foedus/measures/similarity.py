"""Foreign-policy similarity of alliance portfolios, for every directed dyad-year.

A state's *alliance portfolio* in a year is its row of a valued tie matrix over the states of
the system: ``ties[i, k]`` is the strongest alliance obligation of state *i* towards state *k*
(ATOP directed dyad-year data), and ``ties[i, i]`` is the maximum value (every state is taken
to be maximally allied with itself). Two portfolios are compared dimension by dimension, one
dimension per system member.

Measures (column names; see ``docs/similarity.md`` for formulas and the measured benchmark):

=================  ==========================================================================
``s_un_val_abs``   Signorino & Ritter (1999) S, unweighted, valued ties, absolute distance
``s_un_val_sq``    S, unweighted, valued ties, squared distance
``s_un_bin_abs``   S, unweighted, binary ties (any obligation = 1), absolute distance
``s_un_bin_sq``    S, unweighted, binary ties, squared distance (equal to ``s_un_bin_abs``:
                   for 0/1 ties ``|x - y| = (x - y)^2`` and ``d_max = 1``)
``s_wt_val_abs``   S weighted by capabilities (COW CINC), valued, absolute
``s_wt_val_sq``    S weighted, valued, squared
``s_wt_bin_abs``   S weighted, binary, absolute
``s_wt_bin_sq``    S weighted, binary, squared (equal to ``s_wt_bin_abs``)
``tau_b``          Kendall's (1938) tau-b of the two portfolios (Bueno de Mesquita 1975)
``kappa``          Cohen's (1960) kappa, distance-weighted (Cohen 1968), as in Häge (2011)
``pi``             Scott's (1955) pi, distance-weighted, as in Häge (2011)
=================  ==========================================================================

Definitions, for portfolios ``x`` and ``y`` over dimensions ``k`` with weights ``w_k`` (1 when
unweighted), distance ``d`` (``|x - y|`` or ``(x - y)^2``) and ``d_max`` the largest possible
distance on a dimension (``3`` or ``9`` on the default valued scale, ``1`` for binary ties):

* S (Signorino & Ritter 1999, weighted form with the maximum distance per dimension):
  ``S = 1 - 2 * sum_k w_k d(x_k, y_k) / (d_max * sum_k w_k)``; 1 = identical, -1 = every
  dimension maximally apart.
* tau-b: ``(n_c - n_d) / sqrt((n_0 - n_1)(n_0 - n_2))`` over the ``n_0 = N(N-1)/2`` pairs of
  dimensions, ``n_1``/``n_2`` the pairs tied in ``x``/``y``.
* kappa and pi (Häge 2011): ``1 - D_o / D_e`` with observed disagreement
  ``D_o = mean_k d(x_k, y_k)`` and chance disagreement ``D_e = sum_ab p(a) q(b) d(a, b)``:
  for kappa ``p``/``q`` are the two states' own distributions of tie values, for pi both are
  their pooled distribution ``(p_x + p_y) / 2``. With the squared distance kappa is Cohen's
  (1968) weighted kappa with quadratic weights.

Null (missing) values: tau-b when a portfolio has no variation (``n_0 = n_1``); kappa and pi
when the chance disagreement is 0 (both portfolios constant and equal); weighted S when the
weights of all dimensions sum to 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import polars as pl

from foedus.errors import FoedusError, InvalidYearsError, SourceFormatError
from foedus.sources.normalize import cast_keys

__all__ = [
    "ALL_MEASURES",
    "CODINGS",
    "DEFAULT_SCALE",
    "FPSIM_SCALE",
    "UNWEIGHTED_MEASURES",
    "WEIGHTED_MEASURES",
    "alliance_portfolios",
    "portfolio_similarity",
    "similarity_dyad_years",
    "similarity_matrix",
]

Direction = Literal["outgoing", "incoming", "either"]
Coding = Literal["valued", "binary"]
TieCoding = Literal["cow-types", "fpsim"]
Distance = Literal["squared", "absolute"]

#: Every measure, in output column order.
ALL_MEASURES: tuple[str, ...] = (
    "s_un_val_abs",
    "s_un_val_sq",
    "s_un_bin_abs",
    "s_un_bin_sq",
    "s_wt_val_abs",
    "s_wt_val_sq",
    "s_wt_bin_abs",
    "s_wt_bin_sq",
    "tau_b",
    "kappa",
    "pi",
)
#: The capability-weighted S variants (they need ``capabilities``).
WEIGHTED_MEASURES: tuple[str, ...] = tuple(m for m in ALL_MEASURES if m.startswith("s_wt_"))
#: The measures that need no weights.
UNWEIGHTED_MEASURES: tuple[str, ...] = tuple(m for m in ALL_MEASURES if m not in WEIGHTED_MEASURES)

#: Default valued tie scale (coding ``"cow-types"``) from ATOP obligations (the strongest
#: obligation counts): 3 = defence or offence pact, 2 = neutrality or non-aggression pact,
#: 1 = consultation, 0 = none. It transposes the EUGene ranking of the COW alliance types (3
#: defence pact, 2 neutrality or non-aggression pact, 1 entente) behind the S scores of the
#: conflict literature; ATOP consultation pacts are the analogue of COW ententes, and an offence
#: pact (a promise of active military support) is coded like a defence pact. See
#: ``docs/similarity.md``.
DEFAULT_SCALE: Mapping[str, float] = {
    "atop_defense": 3.0,
    "atop_offense": 3.0,
    "atop_neutral": 2.0,
    "atop_nonagg": 2.0,
    "atop_consul": 1.0,
}

#: The ``"fpsim"`` coding: the ranking of ATOP obligations in FPSIM's ATOP computation (isard's
#: ``data-raw/cw_fpsim.R``, S. V. Miller): 3 = defence and/or offence, 2 = neutrality and/or
#: consultation without defence or offence, 1 = non-aggression only, 0 = none.
FPSIM_SCALE: Mapping[str, float] = {
    "atop_defense": 3.0,
    "atop_offense": 3.0,
    "atop_neutral": 2.0,
    "atop_consul": 2.0,
    "atop_nonagg": 1.0,
}

#: The named codings: ``"cow-types"`` (default) and ``"fpsim"``. Under ``"fpsim"`` the S measures
#: (and kappa, pi) compare each state's own commitment row, and tau-b is Kendall's tau-b of the
#: *columns* of the tie matrix (others' commitments towards each state), as R's
#: ``cor(wide, method = "kendall")`` computes it in that script.
CODINGS: Mapping[str, Mapping[str, float]] = {"cow-types": DEFAULT_SCALE, "fpsim": FPSIM_SCALE}

#: Default years: the first year of the state system to the last year of ATOP 5.1.
DEFAULT_YEARS: tuple[int, int] = (1816, 2018)

_KEYS = ("ccode1", "ccode2", "year")
_DIRECTIONS = ("outgoing", "incoming", "either")


# --------------------------------------------------------------------------------------------
# validation helpers


def _check_columns(df: pl.DataFrame, needed: Sequence[str], *, where: str, fix: str) -> None:
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise SourceFormatError(
            f"missing column(s) {', '.join(missing)} (has {', '.join(df.columns)})",
            where=where,
            fix=fix,
        )


def _check_scale(scale: Mapping[str, float]) -> dict[str, float]:
    if not scale:
        raise FoedusError(
            "the tie scale is empty", where="scale", fix="pass e.g. foedus DEFAULT_SCALE"
        )
    out: dict[str, float] = {}
    for name, value in scale.items():
        v = float(value)
        if not np.isfinite(v) or v <= 0:
            raise FoedusError(
                f"scale value for {name!r} is {value!r}; values must be positive numbers "
                "(0 is reserved for 'no obligation')",
                where="scale",
                fix="give every obligation a value > 0",
            )
        out[name] = v
    return out


def _check_direction(direction: str) -> None:
    if direction not in _DIRECTIONS:
        raise FoedusError(
            f"unknown direction {direction!r}",
            where="direction",
            fix='use "outgoing" (default), "incoming" or "either"',
        )


def _check_options(association_coding: str, association_distance: str) -> None:
    if association_coding not in ("valued", "binary"):
        raise FoedusError(
            f"unknown association_coding {association_coding!r}",
            where="association_coding",
            fix='use "valued" (default) or "binary"',
        )
    if association_distance not in ("squared", "absolute"):
        raise FoedusError(
            f"unknown association_distance {association_distance!r}",
            where="association_distance",
            fix='use "squared" (default) or "absolute"',
        )


def _check_measures(measures: Sequence[str] | str) -> tuple[str, ...]:
    if isinstance(measures, str):
        measures = (measures,)
    unknown = [m for m in measures if m not in ALL_MEASURES]
    if unknown:
        raise FoedusError(
            f"unknown measure(s) {', '.join(map(repr, unknown))}",
            where="measures",
            fix=f"choose among {', '.join(ALL_MEASURES)}",
        )
    if not measures:
        raise FoedusError("no measure asked for", where="measures", fix="pass ALL_MEASURES")
    # keep the canonical order, drop repeats
    return tuple(m for m in ALL_MEASURES if m in set(measures))


def _resolve_coding(
    coding: str, scale: Mapping[str, float] | None, direction: str
) -> tuple[Mapping[str, float], bool]:
    """``(scale, tau_b_over_columns)`` for a named coding; a clear error for a bad combination."""
    if coding not in CODINGS:
        raise FoedusError(
            f"unknown coding {coding!r}",
            where="coding",
            fix=f"use one of: {', '.join(CODINGS)}",
        )
    if coding == "fpsim":
        if scale is not None and dict(scale) != dict(FPSIM_SCALE):
            raise FoedusError(
                "coding='fpsim' fixes the tie scale; a different scale= was given",
                where="scale",
                fix="drop scale= (or use coding='cow-types' with your own scale)",
            )
        if direction != "outgoing":
            raise FoedusError(
                f"coding='fpsim' compares each state's own commitments (rows) and tau-b over the "
                f"columns; direction={direction!r} does not apply",
                where="direction",
                fix="drop direction= with coding='fpsim'",
            )
        return FPSIM_SCALE, True
    return (CODINGS[coding] if scale is None else scale), False


def _year_measures(
    ties: np.ndarray,
    weights: np.ndarray | None,
    chosen: tuple[str, ...],
    max_value: float,
    association_coding: str,
    association_distance: str,
    tau_over_columns: bool,
) -> dict[str, np.ndarray]:
    """Every chosen measure for one year's tie matrix; tau-b over its columns when asked."""
    if not (tau_over_columns and "tau_b" in chosen):
        return _similarity_core(
            ties, weights, chosen, max_value, association_coding, association_distance
        )
    rest = tuple(m for m in chosen if m != "tau_b")
    out = (
        _similarity_core(ties, weights, rest, max_value, association_coding, association_distance)
        if rest
        else {}
    )
    out |= _similarity_core(
        np.ascontiguousarray(ties.T),
        None,
        ("tau_b",),
        max_value,
        association_coding,
        association_distance,
    )
    return out


# --------------------------------------------------------------------------------------------
# the core: every measure for every pair of rows of one portfolio matrix


def _similarity_core(
    values: np.ndarray,
    weights: np.ndarray | None,
    measures: tuple[str, ...],
    max_distance: float,
    association_coding: str,
    association_distance: str,
) -> dict[str, np.ndarray]:
    """All pairs of rows of ``values`` (R x C) at once; returns R x R matrices (NaN = undefined).

    Every measure is a function of the joint table of the two rows' values. With one-hot
    indicators ``I[a, i, k] = [values[i, k] == level_a]`` the (weighted) joint counts
    ``J[(a, b), (i, j)] = sum_k w_k I[a, i, k] I[b, j, k]`` come from one matrix product; every
    distance sum is then ``d . J`` for a K*K vector ``d``, tau-b's ``2 (n_c - n_d)`` is the
    quadratic form ``J' (sign (x) sign) J``, and the marginals are row sums of ``I``. Counts are
    whole numbers held exactly in float64, so identical portfolios score exactly 1.
    """
    rows, cols = values.shape
    levels, inverse = np.unique(values, return_inverse=True)
    inverse = inverse.reshape(rows, cols)
    k = levels.size
    onehot = (inverse[None, :, :] == np.arange(k)[:, None, None]).astype(np.float64)
    flat = onehot.reshape(k * rows, cols)
    out: dict[str, np.ndarray] = {}

    diff = levels[:, None] - levels[None, :]
    nonzero = (levels != 0).astype(np.float64)
    bin_diff = np.abs(nonzero[:, None] - nonzero[None, :])
    # per S variant: (K x K distance between levels, maximum distance on a dimension)
    dist = {
        "val_abs": (np.abs(diff), max_distance),
        "val_sq": (diff**2, max_distance**2),
        "bin_abs": (bin_diff, 1.0),
        "bin_sq": (bin_diff, 1.0),
    }

    def joint_table(w: np.ndarray | None) -> np.ndarray:
        left = flat if w is None else flat * w[None, :]
        g = (left @ flat.T).reshape(k, rows, k, rows)
        return g.transpose(0, 2, 1, 3).reshape(k * k, rows * rows)  # [(a, b), (i, j)]

    def as_matrix(v: np.ndarray) -> np.ndarray:
        return v.reshape(rows, rows)

    unweighted = [m for m in measures if m not in WEIGHTED_MEASURES]
    weighted = [m for m in measures if m in WEIGHTED_MEASURES]
    chance = [m for m in ("kappa", "pi") if m in unweighted]

    if unweighted:
        joint = joint_table(None)
        s_un = [m for m in unweighted if m.startswith("s_un_")]
        code = levels if association_coding == "valued" else nonzero
        cdiff = code[:, None] - code[None, :]
        dd = np.abs(cdiff) if association_distance == "absolute" else cdiff**2
        vectors = [dist[m[5:]][0].ravel() for m in s_un] + ([dd.ravel()] if chance else [])
        sums = np.stack(vectors) @ joint if vectors else np.empty((0, rows * rows))
        for n, m in enumerate(s_un):
            out[m] = as_matrix(1.0 - 2.0 * sums[n] / (cols * dist[m[5:]][1]))
        counts = onehot.sum(axis=2)  # (K, R): how many dimensions at each level
        if "tau_b" in unweighted:
            sign = np.sign(cdiff)
            twice = np.einsum("pq,pq->q", joint, np.kron(sign, sign) @ joint)  # 2 (n_c - n_d)
            # pairs of dimensions tied within a portfolio, counted on the coded values
            _, code_idx = np.unique(code, return_inverse=True)
            tied = np.zeros((code_idx.max() + 1, rows))
            np.add.at(tied, code_idx, counts)
            free = cols * (cols - 1) / 2.0 - (tied * (tied - 1) / 2.0).sum(axis=0)
            denom = np.sqrt(np.outer(free, free))  # sqrt((n_0 - n_1)(n_0 - n_2))
            with np.errstate(divide="ignore", invalid="ignore"):
                out["tau_b"] = np.where(denom > 0, as_matrix(twice) / 2.0 / denom, np.nan)
        if chance:
            observed = as_matrix(sums[-1]) / cols
            share = counts / cols
            expected = share.T @ dd @ share  # kappa: each state's own distribution
            with np.errstate(divide="ignore", invalid="ignore"):
                if "kappa" in chance:
                    out["kappa"] = np.where(expected > 0, 1.0 - observed / expected, np.nan)
                if "pi" in chance:  # pooled distribution: (p_i + p_j) / 2
                    own = np.diag(expected)
                    pooled = (own[:, None] + own[None, :] + 2.0 * expected) / 4.0
                    out["pi"] = np.where(pooled > 0, 1.0 - observed / pooled, np.nan)

    if weighted:
        if weights is None:
            raise FoedusError(
                f"weighted measure(s) {', '.join(weighted)} need weights",
                where="capabilities",
                fix="pass capabilities (e.g. peacesciencer cow_nmc) or drop the s_wt_* measures",
            )
        total = float(weights.sum())
        if total > 0:
            sums = np.stack([dist[m[5:]][0].ravel() for m in weighted]) @ joint_table(weights)
        for n, m in enumerate(weighted):
            if total > 0:
                out[m] = as_matrix(1.0 - 2.0 * sums[n] / (total * dist[m[5:]][1]))
            else:
                out[m] = np.full((rows, rows), np.nan)
    return out


def portfolio_similarity(
    portfolios: np.ndarray,
    *,
    max_distance: float,
    measures: Sequence[str] | str = UNWEIGHTED_MEASURES,
    weights: np.ndarray | None = None,
    association_coding: Coding = "valued",
    association_distance: Distance = "squared",
) -> dict[str, np.ndarray]:
    """Every measure for every pair of rows of a portfolio matrix (rows = actors, columns = states).

    The building block of :func:`similarity_dyad_years`, usable with any valued ties (alliance
    portfolios, UN votes…). Binary coding treats every non-zero value as a tie.

    Args:
        portfolios: R x C array of tie values; row *i* is actor *i*'s portfolio.
        max_distance: the largest *possible* absolute difference on a dimension (Signorino and
            Ritter's ``d_max``; 3 on the default alliance scale). Squared S uses its square.
        measures: names from :data:`ALL_MEASURES`.
        weights: length-C non-negative dimension weights (needed by the ``s_wt_*`` measures).
        association_coding: ``"valued"`` or ``"binary"`` ties for tau-b, kappa and pi.
        association_distance: ``"squared"`` or ``"absolute"`` distance for kappa and pi.

    Returns:
        ``{measure: R x R float array}``, NaN where a measure is undefined.

    Example:
        >>> import numpy as np
        >>> x = np.array([[3, 3, 0, 0], [3, 3, 1, 0]])  # two portfolios over 4 states
        >>> out = portfolio_similarity(x, max_distance=3, measures=["s_un_val_abs", "kappa"])
        >>> round(float(out["s_un_val_abs"][0, 1]), 4), float(out["kappa"][0, 1])
        (0.8333, 0.9375)
    """
    values = np.asarray(portfolios, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] < 1:
        raise FoedusError(
            f"portfolios must be a 2-D array with at least one column, got shape {values.shape}",
            where="portfolios",
            fix="pass an R x C array, one row per actor",
        )
    if not np.isfinite(values).all():
        raise FoedusError(
            "portfolios hold missing or infinite values",
            where="portfolios",
            fix="code absent ties as 0",
        )
    if not (np.isfinite(max_distance) and max_distance > 0):
        raise FoedusError(
            f"max_distance must be a positive number, got {max_distance!r}",
            where="max_distance",
            fix="pass the scale's range, e.g. 3 for ties coded 0-3",
        )
    observed = float(values.max() - values.min())
    if observed > max_distance:
        raise FoedusError(
            f"values span {observed:g}, more than max_distance={max_distance:g}",
            where="max_distance",
            fix="pass the full range of the tie scale",
        )
    chosen = _check_measures(measures)
    _check_options(association_coding, association_distance)
    w = None
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (values.shape[1],) or not np.isfinite(w).all() or (w < 0).any():
            raise FoedusError(
                f"weights must be {values.shape[1]} non-negative numbers",
                where="weights",
                fix="pass one weight per column (dimension)",
            )
    return _similarity_core(
        values, w, chosen, float(max_distance), association_coding, association_distance
    )


# --------------------------------------------------------------------------------------------
# from ATOP directed dyad-years to yearly tie matrices


def _tie_table(
    ddy_obligations: pl.DataFrame, scale: dict[str, float], direction: str
) -> pl.DataFrame:
    """``ccode1, ccode2, year, tie`` for dyad-years with a tie > 0 (portfolio owner first)."""
    where = "ddy_obligations"
    _check_columns(
        ddy_obligations,
        [*_KEYS, *scale],
        where=where,
        fix="pass ATOP directed dyad-years (peacesciencer atop_alliance or "
        "derive_atop_dyad_years()), or a scale whose keys are its obligation columns",
    )
    df = cast_keys(ddy_obligations.select(*_KEYS, *scale))
    for c in _KEYS:
        if df[c].dtype != pl.Int64:
            raise SourceFormatError(
                f"column {c} is {df[c].dtype}, not whole numbers", where=where, fix="cast to Int64"
            )
    tie = pl.max_horizontal(
        [
            pl.when(pl.col(name) > 0).then(pl.lit(v)).otherwise(pl.lit(0.0))
            for name, v in scale.items()
        ]
    )
    ties = (
        df.select(*_KEYS, tie=tie)
        .filter((pl.col("tie") > 0) & (pl.col("ccode1") != pl.col("ccode2")))
        .drop_nulls(list(_KEYS))
    )
    swapped = ties.select(
        pl.col("ccode2").alias("ccode1"), pl.col("ccode1").alias("ccode2"), "year", "tie"
    )
    if direction == "incoming":
        ties = swapped
    elif direction == "either":
        ties = pl.concat([ties, swapped])
    # duplicates (or both directions) keep the strongest tie
    return ties.group_by(list(_KEYS)).agg(pl.col("tie").max()).sort("year", "ccode1", "ccode2")


def _members(state_years: pl.DataFrame) -> pl.DataFrame:
    _check_columns(
        state_years,
        ["ccode", "year"],
        where="state_years",
        fix="pass create_state_years(cast_keys(cw_system), system='cow', years=...)",
    )
    df = cast_keys(state_years.select("ccode", "year")).drop_nulls()
    return df.unique().sort("year", "ccode")


def _weights_table(capabilities: pl.DataFrame, column: str) -> pl.DataFrame:
    _check_columns(
        capabilities,
        ["ccode", "year", column],
        where="capabilities",
        fix="pass COW NMC (peacesciencer cow_nmc) with ccode, year, cinc",
    )
    caps = cast_keys(capabilities.select("ccode", "year", pl.col(column).cast(pl.Float64)))
    bad = caps.filter(pl.col(column) < 0).height
    if bad:
        raise SourceFormatError(
            f"{bad} negative {column} value(s)", where="capabilities", fix="weights must be >= 0"
        )
    dup = caps.select(pl.struct("ccode", "year").is_duplicated().any()).item()
    if dup:
        raise SourceFormatError(
            "more than one row for some state-year", where="capabilities", fix="deduplicate"
        )
    return caps.rename({column: "_w"})


def _resolve_years(
    years: tuple[int, int] | int | None, obligations: pl.DataFrame
) -> tuple[int, int]:
    covered = obligations["year"].drop_nulls()
    if covered.len() == 0:
        raise SourceFormatError(
            "the obligations table is empty", where="ddy_obligations", fix="pass ATOP dyad-years"
        )
    lo_cov, hi_cov = int(covered.min()), int(covered.max())  # type: ignore[arg-type]
    if years is None:
        lo, hi = max(DEFAULT_YEARS[0], lo_cov), min(DEFAULT_YEARS[1], hi_cov)
        if lo > hi:
            raise InvalidYearsError(
                f"the obligations cover {lo_cov}-{hi_cov}, outside {DEFAULT_YEARS}",
                where="years",
                fix="pass years=(first, last) explicitly",
            )
        return lo, hi
    if isinstance(years, int) and not isinstance(years, bool):
        years = (years, years)
    try:
        lo, hi = (int(y) for y in years)  # type: ignore[union-attr]
    except (TypeError, ValueError) as exc:
        raise InvalidYearsError(
            f"years must be a (first, last) pair or one year, got {years!r}",
            where="years",
            fix="pass e.g. years=(1816, 2018)",
        ) from exc
    if lo > hi:
        raise InvalidYearsError(
            f"the first year {lo} is after the last year {hi}",
            where="years",
            fix=f"swap them: years=({hi}, {lo})",
        )
    if lo < lo_cov or hi > hi_cov:
        raise InvalidYearsError(
            f"years {lo}-{hi} reach beyond the obligations table ({lo_cov}-{hi_cov}); "
            "states would look unallied there",
            where="years",
            fix=f"stay within {lo_cov}-{hi_cov}",
        )
    return lo, hi


class _Prepared:
    """Inputs sorted by year as NumPy arrays, sliced per year with binary search."""

    def __init__(
        self,
        ddy_obligations: pl.DataFrame,
        state_years: pl.DataFrame,
        *,
        capabilities: pl.DataFrame | None,
        weight_column: str,
        scale: Mapping[str, float],
        self_ties: bool,
        direction: str,
        years: tuple[int, int] | int | None,
    ) -> None:
        _check_direction(direction)
        self.scale = _check_scale(scale)
        self.max_value = max(self.scale.values())
        self.self_ties = self_ties
        ties = _tie_table(ddy_obligations, self.scale, direction)
        self.lo, self.hi = _resolve_years(years, cast_keys(ddy_obligations.select("year")))
        members = _members(state_years).filter(pl.col("year").is_between(self.lo, self.hi))
        if capabilities is not None:
            caps = _weights_table(capabilities, weight_column)
            members = members.join(caps, on=["ccode", "year"], how="left", maintain_order="left").with_columns(
                pl.col("_w").fill_null(0.0)
            )
        ties = ties.filter(pl.col("year").is_between(self.lo, self.hi))
        self.t_year = ties["year"].to_numpy()
        self.t_c1 = ties["ccode1"].to_numpy()
        self.t_c2 = ties["ccode2"].to_numpy()
        self.t_val = ties["tie"].to_numpy()
        self.m_year = members["year"].to_numpy()
        self.m_code = members["ccode"].to_numpy()
        self.m_w = members["_w"].to_numpy() if capabilities is not None else None
        self.years = [int(y) for y in np.unique(self.m_year)]

    def year(self, year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(sorted codes, N x N tie values, weights or None) for one year."""
        a, b = np.searchsorted(self.m_year, [year, year + 1])
        codes = self.m_code[a:b]
        weights = None if self.m_w is None else self.m_w[a:b]
        n = codes.size
        ties = np.zeros((n, n), dtype=np.float64)
        a, b = np.searchsorted(self.t_year, [year, year + 1])
        if n and b > a:
            c1, c2, v = self.t_c1[a:b], self.t_c2[a:b], self.t_val[a:b]
            i = np.minimum(np.searchsorted(codes, c1), n - 1)
            j = np.minimum(np.searchsorted(codes, c2), n - 1)
            keep = (codes[i] == c1) & (codes[j] == c2)
            np.maximum.at(ties, (i[keep], j[keep]), v[keep])
        if self.self_ties and n:
            np.fill_diagonal(ties, self.max_value)
        return codes, ties, weights


def alliance_portfolios(
    ddy_obligations: pl.DataFrame,
    members_by_year: pl.DataFrame,
    *,
    year: int | None = None,
    scale: Mapping[str, float] | None = None,
    coding: TieCoding = "cow-types",
    self_ties: bool = True,
    direction: Direction = "outgoing",
) -> tuple[np.ndarray, np.ndarray]:
    """One year's valued alliance-tie matrix over the states of the system.

    ``ties[i, k]`` is the highest ``scale`` value among the obligations state ``codes[i]``
    holds towards ``codes[k]`` that year (0 = none); the diagonal is the maximum of the scale
    when ``self_ties`` (each state maximally allied with itself, as Bueno de Mesquita 1975 and
    Signorino & Ritter 1999 code it). Ties with states outside the system that year are dropped.

    Args:
        ddy_obligations: ATOP directed dyad-years, ``ccode1, ccode2, year`` and the obligation
            columns named in ``scale`` (0/1); codes may be floats (they are cast).
        members_by_year: state-years (``ccode, year``), e.g. ``create_state_years(...)``.
        year: the year; may be omitted when ``members_by_year`` holds a single year.
        scale: obligation column -> tie value (> 0); the strongest obligation counts. Default:
            the scale of ``coding``.
        coding: ``"cow-types"`` (default, :data:`DEFAULT_SCALE`) or ``"fpsim"``
            (:data:`FPSIM_SCALE`; it fixes the scale and the outgoing direction).
        self_ties: code a state's tie with itself as the scale's maximum (default) or 0.
        direction: ``"outgoing"`` (default: row *i* = obligations of *i* towards others, ATOP's
            ``ccode1 -> ccode2``), ``"incoming"`` (obligations of others towards *i*) or
            ``"either"`` (the stronger of the two; a symmetric matrix).

    Returns:
        ``(codes, ties)``: sorted Int64 COW codes and an N x N float64 matrix.

    Example:
        >>> import polars as pl
        >>> ddy = pl.DataFrame({"ccode1": [2, 20], "ccode2": [20, 2], "year": [2000, 2000],
        ...     "atop_defense": [1.0, 0.0], "atop_offense": [0.0, 0.0], "atop_neutral": [0.0, 0.0],
        ...     "atop_nonagg": [0.0, 0.0], "atop_consul": [1.0, 1.0]})
        >>> sy = pl.DataFrame({"ccode": [2, 20, 70], "year": [2000, 2000, 2000]})
        >>> codes, ties = alliance_portfolios(ddy, sy)
        >>> codes.tolist(), ties.tolist()
        ([2, 20, 70], [[3.0, 3.0, 0.0], [1.0, 3.0, 0.0], [0.0, 0.0, 3.0]])
    """
    if year is None:
        present = cast_keys(members_by_year.select("year")) if "year" in members_by_year else None
        distinct = [] if present is None else present["year"].unique().to_list()
        if len(distinct) != 1:
            raise InvalidYearsError(
                f"members_by_year holds {len(distinct)} years; say which one",
                where="year",
                fix="pass year=...",
            )
        year = int(distinct[0])
    tie_scale, _ = _resolve_coding(coding, scale, direction)
    prepared = _Prepared(
        ddy_obligations,
        members_by_year,
        capabilities=None,
        weight_column="cinc",
        scale=tie_scale,
        self_ties=self_ties,
        direction=direction,
        years=(year, year),
    )
    codes, ties, _ = prepared.year(year)
    return codes.astype(np.int64), ties


def similarity_dyad_years(
    ddy_obligations: pl.DataFrame,
    state_years: pl.DataFrame,
    *,
    capabilities: pl.DataFrame | None = None,
    measures: Sequence[str] | str = ALL_MEASURES,
    years: tuple[int, int] | int | None = None,
    scale: Mapping[str, float] | None = None,
    coding: TieCoding = "cow-types",
    self_ties: bool = True,
    direction: Direction = "outgoing",
    association_coding: Coding = "valued",
    association_distance: Distance = "squared",
    weight_column: str = "cinc",
) -> pl.DataFrame:
    """Alliance-portfolio similarity for every directed dyad-year of the system.

    For each year the portfolios of all system members (:func:`alliance_portfolios`) are
    compared pairwise with matrix operations; every ordered pair of distinct members is one row.
    The "system" is whatever ``state_years`` holds: pass all COW members (the default global
    system) or a filtered table (a region) to compare portfolios over that subset only.

    Args:
        ddy_obligations: ATOP directed dyad-years (``ccode1, ccode2, year`` + obligations).
        state_years: ``ccode, year`` rows of system membership.
        capabilities: ``ccode, year, cinc`` (COW NMC) for the ``s_wt_*`` measures; a member
            without a value weighs 0.
        measures: names from :data:`ALL_MEASURES` (the default: all 11).
        years: ``(first, last)`` inclusive or one year; default 1816-2018 (ATOP 5.1), clipped
            to the years of ``ddy_obligations``. Years beyond that table are refused.
        scale: obligation column -> tie value (default: the scale of ``coding``).
        coding: ``"cow-types"`` (default, :data:`DEFAULT_SCALE`) or ``"fpsim"``: FPSIM's ATOP
            computation (:data:`FPSIM_SCALE`; S over each state's own row, tau-b over the columns
            of the tie matrix, as R's ``cor(method = "kendall")``); see ``docs/similarity.md``.
        self_ties: a state's tie with itself is the scale's maximum (default) or 0.
        direction: which obligations make a state's portfolio (see :func:`alliance_portfolios`).
        association_coding: ``"valued"`` (default) or ``"binary"`` ties for tau_b, kappa, pi.
        association_distance: ``"squared"`` (default) or ``"absolute"`` for kappa and pi.
        weight_column: the capability column used as weights.

    Returns:
        ``ccode1, ccode2, year`` (Int64) and one Float64 column per measure, sorted by
        ccode1, ccode2, year; null where undefined (see the module docstring).

    Example:
        >>> import polars as pl
        >>> ddy = pl.DataFrame({"ccode1": [2, 20], "ccode2": [20, 2], "year": [2000, 2000],
        ...     "atop_defense": [1.0, 1.0], "atop_offense": [0.0, 0.0], "atop_neutral": [0.0, 0.0],
        ...     "atop_nonagg": [0.0, 0.0], "atop_consul": [0.0, 0.0]})
        >>> sy = pl.DataFrame({"ccode": [2, 20, 70], "year": [2000, 2000, 2000]})
        >>> out = similarity_dyad_years(ddy, sy, measures=["s_un_val_abs", "tau_b"])
        >>> out.filter(pl.col("ccode1") == 2).rows()
        [(2, 20, 2000, 1.0, 1.0), (2, 70, 2000, -1.0, -1.0)]
        >>> fp = similarity_dyad_years(ddy.with_columns(atop_defense=pl.lit(0.0),
        ...     atop_nonagg=pl.lit(1.0)), sy, measures=["s_un_val_sq"], coding="fpsim")
        >>> round(fp.filter(pl.col("ccode1") == 2)["s_un_val_sq"][0], 4)  # non-aggression: 1 (cow-types: 2)
        0.4074
    """
    chosen = _check_measures(measures)
    _check_options(association_coding, association_distance)
    if capabilities is None and set(chosen) & set(WEIGHTED_MEASURES):
        raise FoedusError(
            "the capability-weighted S measures need capabilities",
            where="capabilities",
            fix="pass capabilities=cow_nmc (ccode, year, cinc) or measures=UNWEIGHTED_MEASURES",
        )
    tie_scale, tau_over_columns = _resolve_coding(coding, scale, direction)
    prepared = _Prepared(
        ddy_obligations,
        state_years,
        capabilities=capabilities if set(chosen) & set(WEIGHTED_MEASURES) else None,
        weight_column=weight_column,
        scale=tie_scale,
        self_ties=self_ties,
        direction=direction,
        years=years,
    )
    # one row per ordered pair of distinct members, years in turn: preallocate the output
    sizes = {
        y: int(n) for y, n in zip(*np.unique(prepared.m_year, return_counts=True), strict=True)
    }
    total = sum(n * (n - 1) for n in sizes.values())
    ccode1 = np.empty(total, dtype=np.int64)
    ccode2 = np.empty(total, dtype=np.int64)
    year_col = np.empty(total, dtype=np.int64)
    values = {m: np.empty(total, dtype=np.float64) for m in chosen}
    at = 0
    for year in prepared.years:
        codes, ties, weights = prepared.year(year)
        n = codes.size
        if n < 2:
            continue
        result = _year_measures(
            ties,
            weights,
            chosen,
            prepared.max_value,
            association_coding,
            association_distance,
            tau_over_columns,
        )
        off = ~np.eye(n, dtype=bool)
        i, j = np.nonzero(off)
        stop = at + i.size
        ccode1[at:stop] = codes[i]
        ccode2[at:stop] = codes[j]
        year_col[at:stop] = year
        for m in chosen:
            values[m][at:stop] = result[m][off]
        at = stop

    # rows are (year, ccode1, ccode2)-ordered; a stable sort on the (ccode1, ccode2) rank gives
    # (ccode1, ccode2, year) order
    universe = np.unique(prepared.m_code)
    key = np.searchsorted(universe, ccode1) * universe.size + np.searchsorted(universe, ccode2)
    order = np.argsort(key, kind="stable")
    del key
    columns = [
        pl.Series("ccode1", ccode1[order], dtype=pl.Int64),
        pl.Series("ccode2", ccode2[order], dtype=pl.Int64),
        pl.Series("year", year_col[order], dtype=pl.Int64),
    ]
    del ccode1, ccode2, year_col
    for m in chosen:
        columns.append(pl.Series(m, values.pop(m)[order], dtype=pl.Float64, nan_to_null=True))
    return pl.DataFrame(columns)


def similarity_matrix(
    ddy_obligations: pl.DataFrame,
    state_years: pl.DataFrame,
    year: int,
    *,
    measure: str,
    capabilities: pl.DataFrame | None = None,
    scale: Mapping[str, float] | None = None,
    coding: TieCoding = "cow-types",
    self_ties: bool = True,
    direction: Direction = "outgoing",
    association_coding: Coding = "valued",
    association_distance: Distance = "squared",
    weight_column: str = "cinc",
) -> tuple[np.ndarray, np.ndarray]:
    """One measure for one year as an N x N matrix over the system members (diagonal included).

    Same definitions and options as :func:`similarity_dyad_years` (``coding="fpsim"`` included);
    entry ``[i, j]`` is the similarity of ``codes[i]`` and ``codes[j]`` (every measure is
    symmetric), NaN if undefined.

    Example:
        >>> import polars as pl
        >>> ddy = pl.DataFrame({"ccode1": [2, 20], "ccode2": [20, 2], "year": [2000, 2000],
        ...     "atop_defense": [1.0, 1.0], "atop_offense": [0.0, 0.0], "atop_neutral": [0.0, 0.0],
        ...     "atop_nonagg": [0.0, 0.0], "atop_consul": [0.0, 0.0]})
        >>> sy = pl.DataFrame({"ccode": [2, 20, 70], "year": [2000, 2000, 2000]})
        >>> codes, m = similarity_matrix(ddy, sy, 2000, measure="s_un_bin_abs")
        >>> codes.tolist(), m.round(4).tolist()
        ([2, 20, 70], [[1.0, 1.0, -1.0], [1.0, 1.0, -1.0], [-1.0, -1.0, 1.0]])
    """
    (chosen,) = _check_measures(measure)
    _check_options(association_coding, association_distance)
    weighted = chosen in WEIGHTED_MEASURES
    if weighted and capabilities is None:
        raise FoedusError(
            f"{chosen} needs capabilities",
            where="capabilities",
            fix="pass capabilities=cow_nmc (ccode, year, cinc)",
        )
    tie_scale, tau_over_columns = _resolve_coding(coding, scale, direction)
    prepared = _Prepared(
        ddy_obligations,
        state_years,
        capabilities=capabilities if weighted else None,
        weight_column=weight_column,
        scale=tie_scale,
        self_ties=self_ties,
        direction=direction,
        years=(year, year),
    )
    codes, ties, weights = prepared.year(year)
    if codes.size == 0:
        raise InvalidYearsError(
            f"no system member in {year}", where="state_years", fix="check the year"
        )
    result = _year_measures(
        ties,
        weights,
        (chosen,),
        prepared.max_value,
        association_coding,
        association_distance,
        tau_over_columns,
    )
    return codes.astype(np.int64), result[chosen]
