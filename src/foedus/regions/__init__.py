"""Regions, groupings beyond alliances, the multipolar system, non-state conflict and the legal
basis of alliances (``docs/regions.md``).

Light to import: the heavy libraries are imported inside the functions.
"""

from foedus.regions.schemes import (
    aggregate_by_region,
    filter_region,
    get_region,
    list_regions,
    region_of,
)

__all__ = ["aggregate_by_region", "filter_region", "get_region", "list_regions", "region_of"]
