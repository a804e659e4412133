"""Assessments (alliance, dyad, portfolio, peace operation) and impact briefs.

Example:
    >>> from foedus.assessment import Provenance, SourceUse
    >>> use = SourceUse("capability", "nmc", "7.0", "nmc", "cow_nmc.parquet", "pooled capability")
    >>> Provenance((use,)).labels("capability"), Provenance((use,)).bibtex()[1]
    (['nmc 7.0 (nmc)'], ['singer1972nmc', 'singer1987nmc', 'foedus'])
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
