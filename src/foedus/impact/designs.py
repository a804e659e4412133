"""The named impact designs, each with a specification fixed in code (docs/impact.md lists them).

=======================  ====================================================================
design                   question
=======================  ====================================================================
``dca-alignment``        does a DCA bring the pair's alliance portfolios (S) and UN votes closer?
``arms-alignment``       do arms deliveries bring the pair's UN votes and portfolios closer?
``exercises-formation``  are joint exercises followed by new ATOP obligations between the pair?
``formation-cox``        the same as a Cox model of the time to a first new obligation
``troops-burden``        does US troop presence change the host's military spending?
``panel``                any treatment × outcome, TWFE + event study (``--treatment --outcome``)
``honouring-rates``      do allies keep their promises in war (alliance-war-member coding; relevance; unconditional)?
``member-exit``          how long do members stay before breaking an alliance early?
=======================  ====================================================================
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from foedus.errors import DegenerateSampleError, FoedusError
from foedus.impact.estimators import (
    Estimate,
    EventStudy,
    adjust_pvalues,
    callaway_santanna,
    cox,
    lpdid,
    ph_test,
    placebo,
    sun_abraham,
    twfe,
)
from foedus.impact.panel import (
    OBLIGATIONS,
    add_formation,
    add_treatment,
    coverage_window,
    get_outcome,
    get_treatment,
    impact_panel,
    require_variation,
)
from foedus.impact.result import ImpactResult

__all__ = ["COMPARISONS", "DESIGNS", "ESTIMATORS", "Design", "get_design", "run_design"]

#: Default years of the instrument designs: the years DCAD, JME and MME all cover.
INSTRUMENT_YEARS: tuple[int, int] = (1980, 2010)
#: Never-treated comparison dyads kept in the Sun-Abraham regression (seeded sample).
NEVER_TREATED_SAMPLE = 1000
SEED = 20261203
PLACEBO_DRAWS = 20
WINDOW = (-5, 5)
#: Multiplier-bootstrap draws for the Callaway-Sant'Anna simultaneous bands.
BOOTSTRAP_DRAWS = 999

#: The event-study estimators (``--estimator``), each with the comparison groups it takes (the
#: first is its default).
ESTIMATORS: dict[str, tuple[str, ...]] = {
    "sun-abraham": ("never",),
    "callaway-santanna": ("never", "not-yet"),
    "lpdid": ("not-yet",),
}
#: The comparison groups (``--comparison``).
COMPARISONS: tuple[str, ...] = ("never", "not-yet")


def check_estimator(estimator: str | None, comparison: str | None) -> tuple[str, str]:
    """The event-study estimator and comparison group asked, checked (clear error otherwise).

    Example:
        >>> check_estimator(None, None)
        ('sun-abraham', 'never')
        >>> check_estimator("callaway-santanna", "not-yet")
        ('callaway-santanna', 'not-yet')
        >>> check_estimator("lpdid", "never")
        Traceback (most recent call last):
        ...
        foedus.errors.FoedusError: the 'lpdid' estimator does not take the 'never' comparison group. Fix: use --comparison not-yet (or leave it out)
    """
    est = (estimator or "sun-abraham").strip().lower().replace("_", "-")
    if est not in ESTIMATORS:
        raise FoedusError(f"unknown event-study estimator '{estimator}'",
                          fix="use one of: " + ", ".join(ESTIMATORS))  # fmt: skip
    comp = (comparison or ESTIMATORS[est][0]).strip().lower().replace("_", "-")
    comp = {"never-treated": "never", "not-yet-treated": "not-yet", "notyet": "not-yet"}.get(
        comp, comp)
    if comp not in COMPARISONS:
        raise FoedusError(f"unknown comparison group '{comparison}'",
                          fix="use one of: " + ", ".join(COMPARISONS))  # fmt: skip
    if comp not in ESTIMATORS[est]:
        raise FoedusError(f"the '{est}' estimator does not take the '{comp}' comparison group",
                          fix="use --comparison " + " or ".join(ESTIMATORS[est]) +
                          " (or leave it out)")  # fmt: skip
    return est, comp


def _event_study(df: pl.DataFrame, outcome: str, estimator: str, comparison: str,
                 where: str) -> EventStudy:
    if estimator == "callaway-santanna":
        return callaway_santanna(df, outcome, comparison=comparison, window=WINDOW,
                                 bootstrap=BOOTSTRAP_DRAWS, seed=SEED, where=where)
    if estimator == "lpdid":
        return lpdid(df, outcome, window=WINDOW, where=where)
    return sun_abraham(df, outcome, window=WINDOW, where=where)


@dataclass(frozen=True)
class Design:
    """A named design: its function, question, default treatment/outcome and the allowed ones."""

    name: str
    question: str
    run: Callable[..., ImpactResult]
    treatment: str | None
    outcome: str | None
    treatments: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    event_study: bool = False


def _row(part: str, treatment: str, outcome: str, est: Estimate, **more: Any) -> dict[str, Any]:
    d = {"part": part, "treatment": treatment, "outcome": outcome, "term": est.term,
         "estimate": est.estimate, "se": est.se, "ci_low": est.ci_low, "ci_high": est.ci_high,
         "p": est.p, "n": est.n, "n_clusters": est.n_clusters, "n_treated": est.n_treated,
         "estimator": est.estimator, "pretrend_p": None, "placebo_p": None}  # fmt: skip
    d.update(est.extra)
    d.update(more)
    return d


def _sources(frame: Any, extra: tuple[str, ...] = ()) -> list[str]:
    names = list(frame.sources()) if frame is not None else []
    for n in extra:
        if n not in names:
            names.append(n)
    return names


def _never_sample(df: pl.DataFrame) -> pl.DataFrame:
    never = df.filter(pl.col("cohort") == 0).get_column("dyad").unique().sort().to_numpy()
    if len(never) <= NEVER_TREATED_SAMPLE:
        return df.filter(pl.col("cohort").is_not_null())
    keep = np.random.default_rng(SEED).choice(never, NEVER_TREATED_SAMPLE, replace=False)
    return df.filter((pl.col("cohort") > 0) | pl.col("dyad").is_in(keep.tolist()))


def panel_design(
    warehouse: Any,
    *,
    treatment: str,
    outcome: str,
    years: tuple[int, int] | None = None,
    name: str = "panel",
    title: str | None = None,
    secondary: tuple[str, ...] = (),
    volume: bool = False,
    event_study: bool = True,
    estimator: str | None = None,
    comparison: str | None = None,
) -> ImpactResult:
    """TWFE + event study + placebo for one treatment and outcome (fixed spec).

    Specification: non-directed COW dyad-years in the years both the treatment and the outcome
    cover (default 1980–2010 ∩ coverage); US-only treatments on US dyads only.
    (1) ``outcome ~ D | dyad + year`` (D = in treatment that year), dyad-clustered SEs;
    (2) with ``volume``: ``outcome ~ V | dyad + year`` (V = the treatment's intensity);
    (3) event study of the first onset in the window −5…+5 (reference −1), pairs treated in
    the first covered year left out (onset unknown); pre-trend test on −5…−2. ``estimator``:
    ``sun-abraham`` (default; never-treated comparison dyads, a seeded sample of 1,000 when
    there are more), ``callaway-santanna`` (``comparison`` ``never`` — the default — or
    ``not-yet``; all dyads) or ``lpdid`` (not-yet-treated clean controls; all dyads);
    (4) placebo: 20 permutations of the onset cohorts across the same dyads, TWFE each.

    Example:
        >>> r = panel_design("wh.duckdb", treatment="dca", outcome="s")  # doctest: +SKIP
        >>> r.estimates[0]["part"]  # doctest: +SKIP
        'twfe'
    """
    start = time.perf_counter()
    est_name, comp = check_estimator(estimator, comparison)
    tr = get_treatment(treatment)
    oc = get_outcome(outcome)
    others = [get_outcome(o) for o in secondary if o != oc.name]
    default = years or (tr.coverage if tr.us_only else INSTRUMENT_YEARS)
    span, coverage = coverage_window(
        years, (tr.name, tr.coverage), (oc.name, oc.coverage),
        *[(o.name, o.coverage) for o in others],
    ) if years else coverage_window(default, (tr.name, tr.coverage), (oc.name, oc.coverage),
                                    *[(o.name, o.coverage) for o in others])  # fmt: skip
    enrichers = list(tr.enrichers)
    sims = []
    for o in [oc, *others]:
        if o.kind == "alignment" and o.column in ("s_un_val_abs", "tau_b"):
            sims.append(o.column)
        elif o.column == "idealpointdist":
            enrichers.append("add_ideal_point_distance")
        elif o.kind == "burden":
            if not tr.us_only:
                raise FoedusError(
                    f"outcome '{o.name}' is the partner's spending on US dyads; treatment "
                    f"'{tr.name}' is not US-only", fix="use a US treatment (us-troops, "
                    "us-training, us-visits) or an alignment outcome")  # fmt: skip
            enrichers.append("add_military_expenditure")
    df, frame = impact_panel(warehouse, span, list(dict.fromkeys(enrichers)),
                             us_only=tr.us_only, similarity=sims)  # fmt: skip
    if "sipri_milex2" in df.columns:
        df = df.with_columns(pl.col("sipri_milex2").log().alias("log_milex2"))
    df = add_treatment(df, tr)
    where = f"{name}: {tr.name} → {oc.name}"
    require_variation(df.filter(pl.col(oc.column).is_not_null()), oc.column,
                      f"outcome '{oc.name}'", where)  # fmt: skip
    estimates = []
    if tr.continuous:
        event_study, volume = False, False
    main = twfe(df, oc.column, "V" if tr.continuous else "D", where=where)
    event: dict[str, Any] | None = None
    es = None
    row = _row("twfe", tr.name, oc.name, main)
    if event_study:
        sampled = _never_sample(df)
        es = _event_study(sampled if est_name == "sun-abraham" else
                          df.filter(pl.col("cohort").is_not_null()), oc.column, est_name, comp,
                          where)  # fmt: skip
        pla = placebo(sampled, oc.column, twfe(sampled, oc.column, "D", where=where).estimate,
                      draws=PLACEBO_DRAWS, seed=SEED, where=where)  # fmt: skip
        row["pretrend_p"] = es.pretrend_p
        row["placebo_p"] = pla["p"]
        estimates.append(row)
        estimates.append(_row("event-study", tr.name, oc.name, es.att, pretrend_p=es.pretrend_p,
                              placebo_p=pla["p"], n_never_treated=es.n_never,
                              n_cohorts=es.n_cohorts, event_estimator=es.estimator,
                              comparison=es.comparison))  # fmt: skip
        event = {"periods": es.periods.to_dicts(), "pretrend": {
            "chi2": es.pretrend_stat, "df": es.pretrend_df, "p": es.pretrend_p,
            "estimator": es.estimator, "comparison": es.comparison, **es.extra},
            "placebo": pla}  # fmt: skip
    else:
        estimates.append(row)
    if volume:
        estimates.append(_row("twfe-volume", tr.name, oc.name, twfe(df, oc.column, "V",
                                                                     where=where)))  # fmt: skip
    for o in others:
        estimates.append(_row("twfe", tr.name, o.name, twfe(
            df, o.column, "V" if tr.continuous else "D", where=where)))
    if len(estimates) > 1:
        adj = adjust_pvalues([e["p"] for e in estimates])
        for e, h, b in zip(estimates, adj["holm"], adj["bh"], strict=True):
            e["p_holm"], e["p_bh"] = h, b
    spec = [
        f"unit: non-directed COW dyad-year{' (US dyads only)' if tr.us_only else ''}; "
        f"dyad = ccode1*1000+ccode2; {coverage}",
        f"treatment D: {tr.label}; {tr.note}".rstrip("; "),
        f"outcome: {oc.label}",
        "TWFE: outcome ~ D | dyad + year, SEs clustered by dyad (pyfixest feols, CRV1)",
        *(["TWFE-volume: outcome ~ V | dyad + year, V = the treatment's intensity"] if volume
          else []),
        *([_event_spec(est_name, comp),
           f"placebo: {PLACEBO_DRAWS} permutations of onset cohorts across the dyads with a known "
           f"onset and the seeded sample of {NEVER_TREATED_SAMPLE} never-treated dyads (whatever "
           "the estimator), TWFE each; p = (1 + #|placebo| >= |actual|) / (draws + 1)"] if event_study else []),
    ]  # fmt: skip
    notes = [
        "Estimates are associations under the stated identifying assumptions (parallel trends "
        "for the event study); a failed pre-trend test means the DiD estimate should not be read "
        "causally.",
    ]
    if es is not None and es.n_treated < 50:
        notes.append(f"Only {es.n_treated} treated units with an observed onset: many cohort x "
                     "relative-year cells rest on one or two units, and cluster-robust (or "
                     "influence-function) SEs are then too small; read the event-study CI with "
                     "caution (the placebo p-value does not rely on them).")
    if es is not None and es.extra.get("band_floored_at_pointwise"):
        notes.append("The multiplier bootstrap gave a simultaneous critical value below the "
                     f"pointwise one ({es.extra['band_critical_value_bootstrap']:.2f}; few "
                     "treated units dominate the influence functions): the bands are set to the "
                     "pointwise CIs and are not simultaneous.")
    if event_study:
        notes.append(f"The placebo p-value's floor is 1/{PLACEBO_DRAWS + 1} "
                     f"= {1 / (PLACEBO_DRAWS + 1):.3f} ({PLACEBO_DRAWS} permutations).")
    if len(estimates) > 1:
        notes.append(f"Multiple testing: {len(estimates)} estimates in this table; p_holm "
                     "(family-wise) and p_bh (false discovery rate) adjust across them.")
    tables = {"event_study": event["periods"]} if event else {}
    result = ImpactResult(
        name=name, title=title or f"{tr.name} → {oc.name}",
        question=f"What follows {tr.label} for {oc.label}?", specification=spec,
        sample=f"{df.height:,} dyad-years, {span[0]}-{span[1]}", estimates=estimates,
        tables=tables, notes=notes, sources=_sources(frame, (*tr.sources, *oc.sources)),
    )  # fmt: skip
    if event:
        result.tables["pretrend"] = [event["pretrend"]]
        result.tables["placebo"] = [event["placebo"]]
    result.seconds = time.perf_counter() - start
    return result


def _event_spec(estimator: str, comparison: str) -> str:
    common = (f"cohorts = first year D = 1, window {WINDOW[0]}..+{WINDOW[1]}, reference -1; "
              "pairs already treated in the first covered year left out")
    if estimator == "callaway-santanna":
        label = "never-treated" if comparison == "never" else "not-yet-treated"
        return (f"event study: Callaway-Sant'Anna group-time ATTs (library differences), "
                f"{label} comparison dyads (all of them), universal base period (onset - 1), "
                f"{common}; relative years = cohort-size-weighted ATT(g,t); ATT = mean of "
                "relative years 0..+5; influence-function SEs clustered by dyad; pointwise 95% "
                f"CIs and simultaneous 95% bands ({BOOTSTRAP_DRAWS} multiplier-bootstrap draws, "
                f"seed {SEED}); pre-trend = Wald chi2 that relative years -5..-2 are 0")
    if estimator == "lpdid":
        return (f"event study: local-projections DiD (pyfixest lpdid), clean controls = dyads "
                f"not yet treated at t+h (all of them), {common}; ATT = pooled post-onset mean "
                "0..+5; dyad-clustered SEs, pointwise 95% CIs; pre-trend = Bonferroni test of the "
                "separate horizons -5..-2")
    return (f"event study: Sun-Abraham, {common}; never-treated comparison (seeded sample of "
            f"{NEVER_TREATED_SAMPLE} never-treated dyads when more; seed {SEED}); ATT = "
            "post-onset cells weighted by their treated rows; pointwise 95% CIs; pre-trend = "
            "Wald chi2 that relative years -5..-2 are 0")


def dca_alignment(warehouse: Any, *, treatment: str | None = None,
                  outcome: str | None = None, years: tuple[int, int] | None = None,
                  estimator: str | None = None, comparison: str | None = None) -> ImpactResult:
    """``dca-alignment``: DCAs and alliance-portfolio S (main), tau-b and UN ideal-point
    distance (secondary TWFE). See :func:`panel_design`.

    Example:
        >>> dca_alignment("wh.duckdb").estimates[1]["part"]  # doctest: +SKIP
        'event-study'
    """
    o = outcome or "s"
    return panel_design(warehouse, treatment=treatment or "dca", outcome=o, years=years,
                        name="dca-alignment", title="DCAs and alignment",
                        secondary=("tau-b", "idealpointdist") if outcome is None else (),
                        estimator=estimator, comparison=comparison)


def arms_alignment(warehouse: Any, *, treatment: str | None = None,
                   outcome: str | None = None, years: tuple[int, int] | None = None,
                   estimator: str | None = None, comparison: str | None = None) -> ImpactResult:
    """``arms-alignment``: arms deliveries (onset and log TIV volume) and UN ideal-point
    distance (main) and S (secondary). See :func:`panel_design`.

    Example:
        >>> arms_alignment("wh.duckdb").estimates[0]["treatment"]  # doctest: +SKIP
        'arms'
    """
    return panel_design(warehouse, treatment=treatment or "arms",
                        outcome=outcome or "idealpointdist", years=years, name="arms-alignment",
                        title="Arms transfers and alignment", volume=True,
                        secondary=("s",) if outcome is None else (), estimator=estimator,
                        comparison=comparison)  # fmt: skip


def troops_burden(warehouse: Any, *, treatment: str | None = None,
                  outcome: str | None = None, years: tuple[int, int] | None = None,
                  estimator: str | None = None, comparison: str | None = None) -> ImpactResult:
    """``troops-burden``: US troops (1,000+) and the host's military spending (% of GDP).

    Example:
        >>> troops_burden("wh.duckdb").estimates[0]["outcome"]  # doctest: +SKIP
        'milex-gdp'
    """
    return panel_design(warehouse, treatment=treatment or "us-troops",
                        outcome=outcome or "milex-gdp", years=years, name="troops-burden",
                        title="US troops and the host's burden", volume=True,
                        secondary=("milex",) if outcome is None else (), estimator=estimator,
                        comparison=comparison)  # fmt: skip


def generic_panel(warehouse: Any, *, treatment: str | None = None,
                  outcome: str | None = None, years: tuple[int, int] | None = None,
                  estimator: str | None = None, comparison: str | None = None) -> ImpactResult:
    """``panel``: any treatment and outcome (both required).

    Example:
        >>> generic_panel("wh.duckdb", treatment="pko", outcome="s").name  # doctest: +SKIP
        'panel'
    """
    if not treatment or not outcome:
        raise FoedusError("the 'panel' design needs --treatment and --outcome",
                          fix="e.g. foedus impact run panel --treatment pko --outcome s")
    if get_outcome(outcome).kind == "formation":
        if estimator or comparison:
            raise FoedusError("formation outcomes are estimated by hazard models, not event "
                              "studies: --estimator/--comparison do not apply",
                              fix="leave them out")  # fmt: skip
        return exercises_formation(warehouse, treatment=treatment, outcome=outcome, years=years)
    return panel_design(warehouse, treatment=treatment, outcome=outcome, years=years,
                        name="panel", estimator=estimator, comparison=comparison)


def exercises_formation(warehouse: Any, *, treatment: str | None = None,
                        outcome: str | None = None,
                        years: tuple[int, int] | None = None) -> ImpactResult:
    """``exercises-formation``: joint exercises and the onset of new ATOP obligations.

    Specification: non-directed dyad-years 1981–2010 (coverage of the treatment, lagged one year)
    at risk of forming an obligation of each type (none the year before). Discrete-time hazard:
    logit of formation on ``exercised_lag1`` (a joint exercise the year before) and
    ``repeated_lag1`` (two or more exercise years up to the year before), with a cubic in the
    years at risk (Carter & Signorino 2010) and dyad-clustered SEs (foedus.models.fit). For
    formation of any obligation also the linear probability model with dyad and year fixed
    effects (pyfixest). Holm and BH adjustments across the table.

    Example:
        >>> exercises_formation("wh.duckdb").estimates[0]["outcome"]  # doctest: +SKIP
        'formation-defense'
    """
    from foedus.models.runner import fit

    start = time.perf_counter()
    tr = get_treatment(treatment or "exercises")
    wanted = [outcome] if outcome else [f"formation-{k}" for k in OBLIGATIONS]
    ocs = [get_outcome(o) for o in wanted]
    bad = [o.name for o in ocs if o.kind != "formation"]
    if bad:
        raise FoedusError(f"exercises-formation takes formation outcomes, not {bad}",
                          fix="use formation-defense, formation-offense, formation-neutral, "
                          "formation-nonagg, formation-consul or formation-any")  # fmt: skip
    df, frame, span, coverage = _formation_panel(warehouse, tr, years)
    estimates: list[dict[str, Any]] = []
    where = f"exercises-formation: {tr.name}"
    for oc in ocs:
        sample = df.filter(pl.col(oc.column).is_not_null() & pl.col("exercised_lag1").is_not_null())
        events = int(sample.get_column(oc.column).sum())
        if events < 10:
            estimates.append({"part": "hazard-logit", "treatment": tr.name, "outcome": oc.name,
                              "term": "exercised_lag1", "estimate": None, "se": None,
                              "ci_low": None, "ci_high": None, "p": None, "n": sample.height,
                              "events": events, "estimator": "not fitted: fewer than 10 events"})
            continue
        res = fit(sample, oc.column, ["exercised_lag1", "repeated_lag1"], family="logit",
                  peace_years="cubic", spell="years_at_risk", cluster="dyad")  # fmt: skip
        for term in ("exercised_lag1", "repeated_lag1"):
            c = res.coefficient(term)
            estimates.append({"part": "hazard-logit", "treatment": tr.name, "outcome": oc.name,
                              "term": term, "estimate": c["estimate"], "se": c["std_error"],
                              "ci_low": c["conf_low"], "ci_high": c["conf_high"],
                              "p": c["p_value"], "n": res.n, "events": res.n_events,
                              "n_clusters": res.n_clusters,
                              "estimator": "discrete-time hazard logit (log-odds), cubic in "
                              "years at risk, dyad-clustered SEs"})  # fmt: skip
        if oc.name == "formation-any" or outcome:
            lpm = twfe(sample.rename({oc.column: "y"}), "y", "exercised_lag1", where=where)
            lpm.term = "exercised_lag1"
            estimates.append(_row("lpm-twfe", tr.name, oc.name, lpm, events=events))
    adj = adjust_pvalues([e["p"] for e in estimates])
    for e, h, b in zip(estimates, adj["holm"], adj["bh"], strict=True):
        e["p_holm"], e["p_bh"] = h, b
    fitted = [e for e in estimates if e["estimate"] is not None]
    if not fitted:
        raise DegenerateSampleError("no formation outcome has 10 or more events in the sample",
                                    where=where, fix="widen the years")  # fmt: skip
    spec = [
        f"unit: non-directed COW dyad-year at risk (no obligation of the type the year before); "
        f"{coverage}",
        f"treatment: {tr.label}, lagged one year (exercised_lag1; so the first estimation "
        "year is the second covered year); repeated_lag1 = 2+ treated years up to the year "
        "before",
        "outcome: onset of a new ATOP obligation of each type (either direction)",
        "hazard: logit, cubic polynomial of years at risk since the start of the panel or the "
        "dyad's entry, SEs clustered by dyad",
        "formation-any: also OLS with dyad and year fixed effects (linear probability), "
        "dyad-clustered SEs",
    ]
    notes = [
        f"Multiple testing: {len(fitted)} estimates; p_holm and p_bh adjust across them.",
        "Coefficients are log-odds (hazard logit) or probability points (LPM). Exercises are "
        "not randomly assigned: pairs that exercise are already close, so these are "
        "associations, not effects.",
        "A Cox model of the time to a first new obligation (time-varying treatment) is the "
        "design formation-cox.",
    ]
    result = ImpactResult(
        name="exercises-formation", title="Joint exercises and alliance formation",
        question="Are joint exercises followed by new alliance obligations between the pair?",
        specification=spec, sample=f"{df.height:,} dyad-years, {span[0]}-{span[1]}",
        estimates=estimates, notes=notes, sources=_sources(frame, (*tr.sources, "atop")),
    )  # fmt: skip
    result.seconds = time.perf_counter() - start
    return result


def _formation_panel(warehouse: Any, tr: Any, years: tuple[int, int] | None
                     ) -> tuple[pl.DataFrame, Any, tuple[int, int], str]:
    """Dyad-years with formation outcomes, the lagged treatment (``exercised_lag1``),
    ``repeated_lag1`` and ``years_at_risk`` (years since the dyad's first panel year)."""
    default = tr.coverage if tr.us_only else INSTRUMENT_YEARS
    span, coverage = coverage_window(years or default, (tr.name, tr.coverage),
                                     ("ATOP", (1816, 2018)))  # fmt: skip
    df, frame = impact_panel(warehouse, (span[0] - 1, span[1]),
                             [*tr.enrichers, "add_atop_alliance"], us_only=tr.us_only)
    df = add_formation(add_treatment(df, tr))
    lag = lambda c: pl.when(pl.col("year").shift(1).over("dyad", order_by="year")  # noqa: E731
                            == pl.col("year") - 1).then(pl.col(c).shift(1).over(
                                "dyad", order_by="year"))  # fmt: skip
    df = df.with_columns(
        lag("D").alias("exercised_lag1"),
        (lag("ever") >= 2).cast(pl.Int64).alias("repeated_lag1"),
        (pl.col("year") - pl.col("year").min().over("dyad")).alias("years_at_risk"),
    ).filter(pl.col("year").is_between(span[0], span[1]))
    return df, frame, span, coverage


def formation_cox(warehouse: Any, *, treatment: str | None = None,
                  outcome: str | None = None,
                  years: tuple[int, int] | None = None) -> ImpactResult:
    """``formation-cox``: time to a pair's first new obligation of a type (default: defence)
    in a Cox model with time-varying treatment, beside the discrete-time hazard of
    ``exercises-formation``.

    Specification: the dyad-years of ``exercises-formation`` (1981–2010 for exercises) at risk
    of forming the obligation (none the year before), each dyad's spell ending at its first
    formation in the window (later years dropped) or censored at its last year at risk.
    Counting-process rows (t, t + 1] on the clock of years since the dyad entered the panel
    (left truncation: a dyad enters the risk set when first observed at risk). Covariates:
    ``exercised_lag1`` and ``repeated_lag1`` (time-varying). Cox PH (lifelines
    ``CoxTimeVaryingFitter``, Efron ties, model-based SEs — one spell per dyad).
    Proportional-hazards check: Wald test of covariate × log(time) interactions.

    Example:
        >>> formation_cox("wh.duckdb").estimates[0]["term"]  # doctest: +SKIP
        'exercised_lag1'
    """
    from foedus.impact.estimators import cox_time_varying

    start = time.perf_counter()
    tr = get_treatment(treatment or "exercises")
    oc = get_outcome(outcome or "formation-defense")
    if oc.kind != "formation":
        raise FoedusError(f"formation-cox takes a formation outcome, not '{oc.name}'",
                          fix="use formation-defense, formation-offense, formation-neutral, "
                          "formation-nonagg, formation-consul or formation-any")  # fmt: skip
    df, frame, span, coverage = _formation_panel(warehouse, tr, years)
    where = f"formation-cox: {tr.name} → {oc.name}"
    at_risk = df.filter(pl.col(oc.column).is_not_null() & pl.col("exercised_lag1").is_not_null())
    require_variation(at_risk, oc.column, f"outcome '{oc.name}'", where)
    first = at_risk.filter(pl.col(oc.column) == 1).group_by("dyad").agg(
        pl.col("year").min().alias("first_event"))  # fmt: skip
    spells = at_risk.join(first, on="dyad", how="left", maintain_order="left").filter(
        pl.col("first_event").is_null() | (pl.col("year") <= pl.col("first_event"))
    ).with_columns(pl.col("years_at_risk").alias("t0"),
                   (pl.col("years_at_risk") + 1).alias("t1"))  # fmt: skip
    covs = ["exercised_lag1", "repeated_lag1"]
    est, ph = cox_time_varying(spells, "dyad", "t0", "t1", oc.column, covs, where=where)
    estimates = [_row("cox-tv", tr.name, oc.name, e, ph_p=next(
        r["p"] for r in ph["by_covariate"] if r["covariate"] == e.term)) for e in est]
    adj = adjust_pvalues([e["p"] for e in estimates])
    for e, h, b in zip(estimates, adj["holm"], adj["bh"], strict=True):
        e["p_holm"], e["p_bh"] = h, b
    events = int(spells.get_column(oc.column).sum())
    spec = [
        f"unit: non-directed COW dyad-year at risk of a new {oc.label}; {coverage}",
        f"treatment: {tr.label}, lagged one year (exercised_lag1); repeated_lag1 = 2+ treated "
        "years up to the year before; both time-varying",
        "spell: from the dyad's first year at risk to its first formation in the window (later "
        "years dropped) or its last year at risk (censored); clock = years since the dyad "
        "entered the panel; rows (t, t+1]",
        "Cox proportional hazards, time-varying covariates (lifelines CoxTimeVaryingFitter, "
        "Efron ties), model-based SEs (one spell per dyad)",
        "proportional-hazards check: Wald test of covariate x log(time) interactions (global "
        "and per covariate)",
    ]
    notes = [
        "Log hazard ratios: > 0 = earlier formation. Associations, not effects: pairs that "
        "exercise are already close.",
        f"Proportional hazards: global p = {ph['global_p']:.3g}"
        + (" — the hazard ratios change with time; read them as time-averaged." if
           ph["global_p"] < 0.05 else " (no evidence against proportionality)."),
        "Multiple testing: 2 estimates; p_holm and p_bh adjust across them.",
    ]
    result = ImpactResult(
        name="formation-cox", title="Time to a first new alliance obligation (Cox)",
        question="Do pairs that exercise together form a new obligation sooner?",
        specification=spec,
        sample=f"{spells.height:,} dyad-years at risk, {spells.get_column('dyad').n_unique():,} "
        f"dyads, {events:,} first formations, {span[0]}-{span[1]}",
        estimates=estimates, tables={"proportional_hazards": ph["by_covariate"]},
        notes=notes, sources=_sources(frame, (*tr.sources, "atop")),
    )  # fmt: skip
    result.tables["proportional_hazards_global"] = [{k: ph[k] for k in (
        "test", "global_chi2", "global_df", "global_p")}]
    result.seconds = time.perf_counter() - start
    return result


def honouring(warehouse: Any, *, treatment: str | None = None, outcome: str | None = None,
              years: tuple[int, int] | None = None, coding: str = "alliance-war-member") -> ImpactResult:
    """``honouring-rates``: when a partner goes to war, do its allies do what they promised?

    See :mod:`foedus.impact.reliability` for the two codings (``relevance``, the default, and
    ``unconditional``). Wars are the COW Inter-State War participants (1823-2003); all MIDs give
    the wider tables. Rates by type, era and period with Wilson, exact and war-cluster intervals;
    ``relevance_*`` tables count the cases each verdict (applies / does not apply / cannot be
    judged) covers.

    Example:
        >>> honouring("wh.duckdb").tables["by_type_war"][0]["type"]  # doctest: +SKIP
        'defence'
    """
    from foedus.impact.reliability import (
        honouring_rates,
        load_cases,
        load_war_cases,
        relevance_summary,
        with_periods,
    )

    if treatment or outcome:
        raise FoedusError("honouring-rates takes no --treatment or --outcome",
                          fix="leave them out (use --years to restrict, --coding to choose)")
    start = time.perf_counter()
    wars = load_war_cases(warehouse, coding=coding)
    cases = load_cases(warehouse, coding=coding)
    span, coverage = coverage_window(years, ("COW MID 5.0", (1816, 2014)),
                                     ("ATOP 5.1", (1815, 2018)))  # fmt: skip
    cases = cases.filter(pl.col("year").is_between(*span))
    wars = with_periods(wars.filter(pl.col("year").is_between(*span)))
    rated = wars.filter(pl.col("relevance") == "applies")
    if rated.height == 0:
        raise DegenerateSampleError("no war invokes an applicable obligation in these years",
                                    fix="widen --years (COW wars 1823-2003)")  # fmt: skip
    tables = {
        "by_type_war": honouring_rates(wars, ("type",)),
        "by_type_era_war": honouring_rates(wars, ("type", "era")),
        "overall_war": honouring_rates(wars, ("obligations",)),
        "by_period_war": honouring_rates(wars, ("period",)),
        "by_type_period_war": honouring_rates(wars, ("type", "period")),
        "by_type": honouring_rates(cases, ("type",)),
        "by_type_era": honouring_rates(cases, ("type", "era")),
        "by_type_conditional": honouring_rates(cases, ("type", "conditional")),
        "by_type_capability": honouring_rates(cases.filter(pl.col("capability").is_not_null()),
                                              ("type", "capability")),
        "by_type_hostility": honouring_rates(cases, ("type", "hostlev")),
    }  # fmt: skip
    if coding == "alliance-war-member":
        # the alliance level: an invoked alliance counts as honoured when at least one of the
        # allies it obliged did what it promised (Leeds, Long & Mitchell's second level)
        level = rated.filter(pl.col("type").is_in(["defence", "offence", "neutrality",
                                                   "non-aggression"])).group_by(
            "warnum", "atopid", "type", "period").agg(pl.col("honoured").max())  # fmt: skip
        tables["by_type_alliance_level_war"] = honouring_rates(level, ("type",))
        # sensitivity: honoured only when the ally came in within 180 days (Italy and the Pact
        # of Steel in June 1940, Greece for Serbia in 1917, Mongolia for the USSR in 1945 then
        # count as broken; the Gulf War coalition, 167 days, still honours Kuwait)
        late = pl.col("days_to_join").fill_null(0) > 180
        prompt = wars.with_columns(pl.when(late).then(0).otherwise(pl.col("honoured"))
                                   .alias("honoured"))
        tables["by_type_period_war_within_180_days"] = honouring_rates(prompt,
                                                                       ("type", "period"))
        tables["by_type_period_alliance_level_war"] = honouring_rates(level, ("type", "period"))
    if coding != "unconditional":
        tables["relevance_war"] = relevance_summary(wars, ("type",))
        tables["relevance_war_era"] = relevance_summary(wars, ("type", "era"))
        tables["relevance_mids"] = relevance_summary(cases, ("type",))
    label = {"alliance-war-member": "alliance-war-member coding",
             "relevance": "relevance coding, ally-partner pairs"}.get(coding,
                                                                      "UNCONDITIONAL CODING")
    estimates = []
    for scope, rows, what in (("war", tables["by_type_war"], "type"),
                              ("war", tables["overall_war"], "obligations"),
                              ("war", tables["by_period_war"], "period"),
                              ("all MIDs", tables["by_type"], "type")):  # fmt: skip
        for r in rows:
            estimates.append({"part": f"honouring rate ({scope}, {label})", "treatment": None,
                              "outcome": r[what], "term": "rate", "estimate": r["rate"],
                              "ci_low": r["wilson_low"], "ci_high": r["wilson_high"],
                              "exact_low": r["exact_low"], "exact_high": r["exact_high"],
                              "cluster_boot_low": r["cluster_boot_low"],
                              "cluster_boot_high": r["cluster_boot_high"], "n": r["cases"],
                              "honoured": r["honoured"], "disputes": r["disputes"],
                              "estimator": "proportion, Wilson 95% CI (exact and conflict-"
                              "cluster bootstrap also given)", "pretrend_p": None})  # fmt: skip
    if coding == "alliance-war-member":
        how = ("ALLIANCE-WAR-MEMBER CODING (default; the unit of Leeds, Long & Mitchell 2000 and "
               "Berkemeier & Fuhrmann 2018): one case per war, alliance, obliged ally and "
               "obligation. The casus foederis is the day the first of the alliance's members "
               "entered the war on a side as an originator or by opening a new front (a state of "
               "the other side entering the same day); the members that entered then are the "
               "partners, every other member that day an ally. Defence: partners on the "
               "defending side, honoured when the ally fought on their side while they fought "
               "(whenever it entered); offence: the same on the initiating side; neutrality: "
               "honoured when the ally did not fight against them; non-aggression: at stake "
               "when members fought each other, broken by the member on the initiating side. "
               "ATOP conditions applied as in the relevance coding")
    elif coding == "relevance":
        how = ("RELEVANCE CODING (ally-partner pairs, the earlier default): an obligation counts only where it applies to this "
               "war by foedus.alliances.relevance (ATOP 5.1 conditions: named adversary among the "
               "partner's opponents, location, non-provocation, 'if attacked'); 'does not apply' "
               "cases are left out, 'cannot be judged' cases are left out and counted in the "
               "relevance_* tables")
    else:
        how = ("UNCONDITIONAL CODING (--coding unconditional): ATOP's conditions are not "
               "applied; every war or dispute of the partner invokes the obligation")
    spec = [
        ("cases: (war or dispute, alliance, ally, obligation); see the coding below; "
         if coding == "alliance-war-member" else
         "cases: (war or dispute, ally, partner, obligation) with the partner an originator "
         "(wars: in the COW Inter-State War data from its first day; MIDs: MIDB orig = 1) and "
         "the ally holding an ATOP obligation toward it on the start date; ") + coverage,
        how,
        ("" if coding == "alliance-war-member" else
         "defence: partner on the defending side; honoured = ally fights on its side. offence: "
         "partner on the initiating side (COW Initiator / MID side A); honoured = ally fights on "
         "its side. neutrality / non-aggression: honoured = ally does not fight against the "
         "partner (relevance coding: non-aggression only when the partner is attacked). ")
        + "Consultation: not observable, never rated",
        ("allies that opened the war on the other side are left out for defence and offence "
         "(they are rated by their neutrality/non-aggression promises)"
         if coding == "alliance-war-member" else
         "allies that are themselves originators are left out for defence and offence"),
        "assumptions of the ATOP-conditions judgement (flagged per case): a partner COW codes on the "
        "defending side did not provoke the attack (DEFCONPR/NEUCONPR met); a location limit is "
        "met when the partner fought in its own home region (COW WhereFought) and cannot be "
        "judged otherwise; MIDs carry no location here, so location-limited obligations cannot "
        "be judged in MIDs",
        "secret treaties (PUBSECR/SECRART) are kept: a secret promise is still a promise",
        "95% intervals: Wilson and Clopper-Pearson (cases independent) and a war/dispute-cluster "
        "bootstrap (999 draws, seed 20261203)",
    ]
    notes = [
        "Published figures (wars; abstracts checked): Leeds, Long & Mitchell (2000, JCR 44(5)) "
        "alliances reliable 74.5% of the time, 1816-1944; Berkemeier & Fuhrmann (2018, Research "
        "& Politics) 50% overall 1816-2003, 66% before 1945, 22% in 1945-2003; defence 41%, "
        "non-aggression 37%, offence 74%, neutrality 78%. Compare overall_war and by_period_war "
        "(docs/impact.md says where the units differ).",
        ("Each case is an obliged member of an invoked alliance (ally level); "
         "by_type_alliance_level_war counts each invoked alliance once (honoured when at least "
         "one obliged ally was). After 1945 the Arab League, the Rio Pact and the OAS Charter "
         "give most defence cases, and COW records no member fighting for the attacked state "
         "except in the Gulf War." if coding == "alliance-war-member" else
         "Each case is an ally-partner pair: a multilateral treaty (Arab League, Rio Pact) gives "
         "one case per member, so large alliances weigh heavily in the pooled rates."),
        "Consultation obligations are counted in relevance_* tables but never rated: "
        "participation data cannot show consultation.",
    ]
    result = ImpactResult(
        name="honouring-rates", title=f"Alliance honouring rates ({label})",
        question="When a partner goes to war, do its allies act as promised?",
        specification=spec, sample=f"{wars.height:,} invoked obligations in "
        f"{wars.get_column('warnum').n_unique():,} COW wars ({rated.height:,} rated); "
        f"{cases.height:,} in {cases.get_column('dispnum').n_unique():,} MIDs",
        estimates=estimates, tables=tables, notes=notes,
        sources=["cow-interstate-wars", "cow-mid", "atop", "nmc"],
    )  # fmt: skip
    result.seconds = time.perf_counter() - start
    return result


def member_exit(warehouse: Any, *, treatment: str | None = None, outcome: str | None = None,
                years: tuple[int, int] | None = None) -> ImpactResult:
    """``member-exit``: time from a member's entry to its early exit (ATOP ``termmode`` 3:
    "broken before its scheduled termination date").

    Specification: ATOP member-level rows (one per alliance phase and member) entering in the
    years asked (default 1816–2018); duration = exit year − entry year + 1 (members still in at
    the end of 2018, or leaving any other way — expiry, replacement, loss of independence, end
    of the casus foederis, lost war — are censored then). Kaplan–Meier curves by obligation;
    Cox model (lifelines, SEs clustered by alliance) on defence, offence, neutrality,
    non-aggression, bilateral, military institutions (``milcon`` > 0), the member is a COW
    major power at entry, and entry after 1945.

    Example:
        >>> member_exit("wh.duckdb").estimates[0]["part"]  # doctest: +SKIP
        'cox'
    """
    from lifelines import KaplanMeierFitter

    from foedus.warehouse import Warehouse

    if treatment or outcome:
        raise FoedusError("member-exit takes no --treatment or --outcome",
                          fix="leave them out (use --years to restrict entry years)")
    start = time.perf_counter()
    wh = warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse, read_only=True)
    m = wh.table("atop_member")
    span, coverage = coverage_window(years, ("ATOP 5.1 entries", (1815, 2018)))
    majors = wh.table("cow_majors") if wh.has("cow_majors") else None
    df = m.select(
        "atopid", "member", "yrent", "yrexit", "termmode", "defense", "offense", "neutral",
        "nonagg", "consul", "bilat", "milcon",
    ).filter(pl.col("yrent").is_between(*span)).with_columns(
        pl.when(pl.col("yrexit") == 0).then(2018).otherwise(pl.col("yrexit")).alias("last"),
        (pl.col("termmode") == 3).cast(pl.Int64).alias("broken"),
        (pl.col("milcon").fill_null(0) > 0).cast(pl.Int64).alias("milinst"),
        (pl.col("yrent") >= 1945).cast(pl.Int64).alias("post1945"),
    ).with_columns((pl.col("last") - pl.col("yrent") + 1).alias("duration"))  # fmt: skip
    if majors is not None:
        mj = majors.select(pl.col("ccode").cast(pl.Int64), pl.col("styear").cast(pl.Int64),
                           pl.col("endyear").cast(pl.Int64))  # fmt: skip
        pairs = df.select("atopid", "member", "yrent").join(
            mj, left_on="member", right_on="ccode", maintain_order="left").filter(
            pl.col("yrent").is_between("styear", "endyear")).select(
            "atopid", "member", "yrent").unique().with_columns(pl.lit(1).alias("major"))
        df = df.join(pairs, on=["atopid", "member", "yrent"], how="left", maintain_order="left").with_columns(
            pl.col("major").fill_null(0))  # fmt: skip
    covs = ["defense", "offense", "neutral", "nonagg", "bilat", "milinst", "post1945",
            *(["major"] if majors is not None else [])]  # fmt: skip
    covs = [c for c in covs if df.get_column(c).n_unique() > 1]
    est, fitted = cox(df.with_columns(pl.col(c).cast(pl.Float64) for c in covs), "duration",
                      "broken", covs, cluster="atopid", where="member-exit")  # fmt: skip
    ph = ph_test(fitted, df, "duration", "broken", covs)
    ph_p = {r["covariate"]: r["p"] for r in ph["by_covariate"]}
    estimates = [_row("cox", c, "early exit (termmode 3)", e, ph_p=ph_p.get(c))
                 for c, e in zip(covs, est, strict=True)]
    adj = adjust_pvalues([e["p"] for e in estimates])
    for e, h, b in zip(estimates, adj["holm"], adj["bh"], strict=True):
        e["p_holm"], e["p_bh"] = h, b
    curves: list[dict[str, Any]] = []
    full: list[dict[str, Any]] = []
    kinds = {"defence": pl.col("defense") == 1, "offence": pl.col("offense") == 1,
             "neutrality/non-aggression only": (pl.col("defense") == 0) & (pl.col("offense") == 0)
             & ((pl.col("neutral") == 1) | (pl.col("nonagg") == 1)),
             "consultation only": (pl.col("defense") == 0) & (pl.col("offense") == 0)
             & (pl.col("neutral") == 0) & (pl.col("nonagg") == 0)}  # fmt: skip
    for label, expr in kinds.items():
        sub = df.filter(expr)
        if sub.height == 0:
            continue
        km = KaplanMeierFitter().fit(sub.get_column("duration").to_numpy(),
                                     sub.get_column("broken").to_numpy())  # fmt: skip
        sf = km.survival_function_
        ci = km.confidence_interval_
        for at in sf.index:
            full.append({"obligation": label, "years": float(at),
                         "survival": float(sf.loc[at].iloc[0]),
                         "ci_low": float(ci.loc[at].iloc[0]),
                         "ci_high": float(ci.loc[at].iloc[1])})  # fmt: skip
        for t in (1, 5, 10, 20, 30, 50):
            idx = sf.index[sf.index <= t]
            if len(idx) == 0:
                continue
            at = idx.max()
            curves.append({"obligation": label, "years": t, "members": sub.height,
                           "early_exits": int(sub.get_column("broken").sum()),
                           "survival": float(sf.loc[at].iloc[0]),
                           "ci_low": float(ci.loc[at].iloc[0]),
                           "ci_high": float(ci.loc[at].iloc[1])})  # fmt: skip
    spec = [
        f"unit: ATOP member-level row (member × alliance phase); {coverage} (entry years)",
        "event: termmode = 3 (broken before its scheduled termination); other exits and "
        "members in force at the end of 2018 are censored (competing risks treated as "
        "censoring)",
        "Cox proportional hazards (lifelines, Efron ties), robust SEs clustered by alliance; "
        "Kaplan-Meier curves by strongest obligation",
        "covariates: " + ", ".join(covs),
        "proportional-hazards check: Grambsch-Therneau test of scaled Schoenfeld residuals "
        "against the rank of time (lifelines), per covariate (ph_p); global = Holm-adjusted "
        "minimum",
    ]
    result = ImpactResult(
        name="member-exit", title="Alliance members' early exit (survival)",
        question="How long do members honour an alliance before breaking it early, and which "
        "alliances last?", specification=spec,
        sample=f"{df.height:,} member spells, {int(df.get_column('broken').sum()):,} early exits",
        estimates=estimates, tables={"kaplan_meier": curves, "kaplan_meier_curves": full,
                                     "proportional_hazards": ph["by_covariate"]},
        notes=[f"Multiple testing: {len(estimates)} hazard ratios; p_holm and p_bh adjust "
               "across them.", "Log hazard ratios: > 0 = earlier exit.",
               f"Proportional hazards: global p = {ph['global_p']:.3g} (Holm-adjusted minimum "
               "of the per-covariate Grambsch-Therneau tests)"
               + ("; covariates with ph_p < 0.05 have hazard ratios that change with duration: "
                  "read them as averages over it." if ph["global_p"] < 0.05 else "; no evidence "
                  "against proportionality.")],
        sources=["atop", "cow-majors"],
    )  # fmt: skip
    result.seconds = time.perf_counter() - start
    return result


#: The named designs.
DESIGNS: dict[str, Design] = {
    d.name: d
    for d in (
        Design("dca-alignment", "Do DCAs bring the pair's alliance portfolios and UN votes "
               "closer?", dca_alignment, "dca", "s", ("dca", "exercises", "arms", "pko",
                                                      "engagement"),
               ("s", "tau-b", "idealpointdist"), event_study=True),
        Design("exercises-formation", "Are joint exercises followed by new ATOP obligations?",
               exercises_formation, "exercises", "formation-*",
               ("exercises", "dca", "arms", "pko", "us-training", "us-troops", "us-visits"),
               tuple(f"formation-{k}" for k in OBLIGATIONS)),
        Design("arms-alignment", "Do arms deliveries bring the pair's UN votes and alliance "
               "portfolios closer?", arms_alignment, "arms", "idealpointdist",
               ("arms", "dca", "exercises", "pko"), ("idealpointdist", "s", "tau-b"),
               event_study=True),
        Design("troops-burden", "Does US troop presence change the host's military spending?",
               troops_burden, "us-troops", "milex-gdp", ("us-troops", "us-training",
                                                         "us-visits", "us-aid"),
               ("milex-gdp", "milex"), event_study=True),
        Design("formation-cox", "Do pairs that exercise together form a first new "
               "obligation sooner (Cox, time-varying)?", formation_cox, "exercises",
               "formation-defense",
               ("exercises", "dca", "arms", "pko", "us-training", "us-troops", "us-visits"),
               tuple(f"formation-{k}" for k in OBLIGATIONS)),
        Design("honouring-rates", "When a partner goes to war, do its allies do what they "
               "promised (alliance-war-member coding; --coding relevance|unconditional)?", honouring, None, None),
        Design("member-exit", "How long before members break alliances early?", member_exit,
               None, None),
        Design("panel", "Any treatment and outcome: TWFE, event study, placebo",
               generic_panel, None, None, event_study=True),
    )
}  # fmt: skip


def get_design(name: str) -> Design:
    """The design called ``name`` (clear error listing the valid ones).

    Example:
        >>> get_design("member-exit").treatment is None
        True
    """
    key = name.strip().lower().replace("_", "-")
    if key not in DESIGNS:
        raise FoedusError(f"unknown design '{name}'", fix="use one of: " + ", ".join(DESIGNS))
    return DESIGNS[key]


def run_design(
    name: str,
    warehouse: Any = None,
    *,
    treatment: str | None = None,
    outcome: str | None = None,
    years: tuple[int, int] | None = None,
    coding: str | None = None,
    estimator: str | None = None,
    comparison: str | None = None,
) -> ImpactResult:
    """Run the named design on the warehouse. ``coding`` (``relevance`` or ``unconditional``)
    applies to ``honouring-rates`` only; ``estimator`` and ``comparison`` choose the event
    study of the designs that have one (:data:`ESTIMATORS`; default Sun–Abraham, never-treated).

    Example:
        >>> run_design("nope")
        Traceback (most recent call last):
        ...
        foedus.errors.FoedusError: unknown design 'nope'. Fix: use one of: dca-alignment, exercises-formation, arms-alignment, troops-burden, formation-cox, honouring-rates, member-exit, panel
    """
    design = get_design(name)
    if design.treatments and treatment and treatment not in design.treatments:
        get_treatment(treatment)
        raise FoedusError(f"design '{design.name}' does not take treatment '{treatment}'",
                          fix="use one of: " + ", ".join(design.treatments))  # fmt: skip
    if design.outcomes and outcome and outcome not in design.outcomes:
        get_outcome(outcome)
        raise FoedusError(f"design '{design.name}' does not take outcome '{outcome}'",
                          fix="use one of: " + ", ".join(design.outcomes))  # fmt: skip
    if coding is not None:
        from foedus.impact.reliability import CODINGS

        if design.name != "honouring-rates":
            raise FoedusError(f"design '{design.name}' takes no --coding",
                              fix="use --coding with honouring-rates only")  # fmt: skip
        if coding not in CODINGS:
            raise FoedusError(f"unknown honouring coding '{coding}'",
                              fix="use " + " or ".join(CODINGS))  # fmt: skip
        if estimator or comparison:
            raise FoedusError("honouring-rates has no event study: --estimator and "
                              "--comparison do not apply", fix="leave them out")
        return honouring(warehouse, treatment=treatment, outcome=outcome, years=years,
                         coding=coding)  # fmt: skip
    if estimator or comparison:
        check_estimator(estimator, comparison)
        if not design.event_study:
            raise FoedusError(f"design '{design.name}' has no event study: --estimator and "
                              "--comparison do not apply", fix="leave them out, or use one "
                              "of: " + ", ".join(d.name for d in DESIGNS.values()
                                                 if d.event_study))  # fmt: skip
        return design.run(warehouse, treatment=treatment, outcome=outcome, years=years,
                          estimator=estimator, comparison=comparison)
    return design.run(warehouse, treatment=treatment, outcome=outcome, years=years)
