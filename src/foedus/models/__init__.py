"""Models of conflict: a runner for logit/probit/Firth models on foedus frames, and one-call
recipes for the field's canonical designs (``docs/models.md``, ``docs/cli-assess.md``).

Example:
    >>> from foedus.models import fit, FAMILIES
    >>> sorted(set(FAMILIES.values()))
    ['firth', 'logit', 'probit']
"""

from foedus.models.recipes import (
    RECIPES,
    RecipeResult,
    alliance_deterrence,
    dangerous_dyads,
    engagement_conflict,
    third_party_commitments,
)
from foedus.models.runner import (
    FAMILIES,
    CollinearityError,
    ConvergenceError,
    ModelError,
    ModelResult,
    NoVariationError,
    SeparationError,
    UnknownColumnError,
    dyad_groups,
    fit,
    lag_columns,
    unit_keys,
)

__all__ = [
    "FAMILIES",
    "RECIPES",
    "RecipeResult",
    "alliance_deterrence",
    "dangerous_dyads",
    "engagement_conflict",
    "third_party_commitments",
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
