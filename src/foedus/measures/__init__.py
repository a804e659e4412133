"""Measures computed from foedus frames: alliance-portfolio similarity, networks and blocs, system
structure, UN ideal points, arms-trade shares, the engagement index, dyad profiles, burden sharing.

Example:
    >>> from foedus.measures import ALL_MEASURES
    >>> len(ALL_MEASURES)
    11
"""

from __future__ import annotations

from foedus._lazy import exports as _exports

_NAMES = {
    "ALL_MEASURES": "foedus.measures.similarity",
    "EngagementModel": "foedus.measures.engagement",
    "add_engagement": "foedus.measures.engagement",
    "alliance_graph": "foedus.measures.networks",
    "arms_shares": "foedus.measures.arms_trade",
    "burden_sharing": "foedus.measures.burden",
    "capability_concentration": "foedus.measures.structure",
    "dyad_profile": "foedus.measures.dyad_profile",
    "effective_poles": "foedus.measures.structure",
    "engagement_index": "foedus.measures.engagement",
    "export_graph": "foedus.measures.networks",
    "fit_engagement": "foedus.measures.engagement",
    "ideal_point_matrix": "foedus.measures.un_similarity",
    "network_state_years": "foedus.measures.networks",
    "network_years": "foedus.measures.networks",
    "portfolio_similarity": "foedus.measures.similarity",
    "prepare_dyad_profiles": "foedus.measures.dyad_profile",
    "reference_model": "foedus.measures.engagement",
    "similarity_dyad_years": "foedus.measures.similarity",
    "similarity_matrix": "foedus.measures.similarity",
    "supplier_concentration": "foedus.measures.arms_trade",
}

__all__ = [
    "ALL_MEASURES",
    "EngagementModel",
    "add_engagement",
    "alliance_graph",
    "arms_shares",
    "burden_sharing",
    "capability_concentration",
    "dyad_profile",
    "effective_poles",
    "engagement_index",
    "export_graph",
    "fit_engagement",
    "ideal_point_matrix",
    "network_state_years",
    "network_years",
    "portfolio_similarity",
    "prepare_dyad_profiles",
    "reference_model",
    "similarity_dyad_years",
    "similarity_matrix",
    "supplier_concentration",
]

__getattr__, __dir__ = _exports(__name__, _NAMES)
