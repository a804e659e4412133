"""What military diplomacy does to alliances: the impact designs (docs/impact.md).

Named designs with fixed specifications (:data:`DESIGNS`, :func:`run_design`), the treatments and
outcomes they use with their coverage (:data:`TREATMENTS`, :data:`OUTCOMES`), the estimators
(:func:`twfe`, :func:`sun_abraham`, :func:`callaway_santanna`, :func:`lpdid`, :func:`placebo`,
:func:`cox`, :func:`cox_time_varying`, :func:`ph_test`, :func:`proportion_ci`), alliance
honouring cases and rates, and the pair and alliance profiles behind ``foedus impact dyad`` and
``foedus impact alliance``.

Example:
    >>> from foedus.impact import DESIGNS
    >>> "honouring-rates" in DESIGNS
    True
"""

from __future__ import annotations

from foedus.impact.designs import DESIGNS, ESTIMATORS, Design, get_design, run_design
from foedus.impact.estimators import (
    Estimate,
    EventStudy,
    adjust_pvalues,
    callaway_santanna,
    cox,
    cox_time_varying,
    lpdid,
    ph_interaction_test,
    ph_test,
    placebo,
    proportion_ci,
    sun_abraham,
    sup_t_critical_value,
    twfe,
)
from foedus.impact.panel import OUTCOMES, TREATMENTS, Outcome, Treatment, impact_panel
from foedus.impact.profile import alliance_impact, attach_impact, cached_design, dyad_impact
from foedus.impact.reliability import (
    honouring_cases,
    honouring_rates,
    relevance_summary,
    war_cases,
)
from foedus.impact.result import ImpactResult

__all__ = [
    "DESIGNS",
    "ESTIMATORS",
    "OUTCOMES",
    "TREATMENTS",
    "Design",
    "Estimate",
    "EventStudy",
    "ImpactResult",
    "Outcome",
    "Treatment",
    "adjust_pvalues",
    "alliance_impact",
    "attach_impact",
    "cached_design",
    "callaway_santanna",
    "cox",
    "cox_time_varying",
    "dyad_impact",
    "get_design",
    "honouring_cases",
    "honouring_rates",
    "impact_panel",
    "lpdid",
    "ph_interaction_test",
    "ph_test",
    "placebo",
    "proportion_ci",
    "relevance_summary",
    "run_design",
    "sun_abraham",
    "sup_t_critical_value",
    "twfe",
    "war_cases",
]
