"""Assessments (alliance, dyad, portfolio, peace operation) and impact briefs.

Example:
    >>> from foedus.assessment import assess_alliance, write_brief
    >>> callable(assess_alliance) and callable(write_brief)
    True
"""

from foedus.assessment.alliance import (
    AllianceAssessment,
    DyadAssessment,
    MissionAssessment,
    PortfolioAssessment,
    Provenance,
    SourceUse,
    assess_alliance,
    assess_dyad,
    assess_mission,
    assess_portfolio,
    ols_trend,
)
from foedus.assessment.brief import write_brief

__all__ = [
    "AllianceAssessment",
    "DyadAssessment",
    "MissionAssessment",
    "PortfolioAssessment",
    "Provenance",
    "SourceUse",
    "assess_alliance",
    "assess_dyad",
    "assess_mission",
    "assess_portfolio",
    "ols_trend",
    "write_brief",
]
