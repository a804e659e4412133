"""Event data (GDELT, ICEWS): CAMEO families of military cooperation and conflict, one aggregation
pipeline on DuckDB or Spark, and the monitor (monthly indices, anomalies). ``docs/events.md``.

Example:
    >>> from foedus.events import FAMILIES
    >>> len(FAMILIES)
    11
"""

from __future__ import annotations

from foedus.events.families import FAMILIES, EventFamily, family_of
from foedus.events.monitor import dyad_monthly, top_dyads
from foedus.events.pipeline import AggregateResult, aggregate_events

__all__ = ["FAMILIES", "AggregateResult", "EventFamily", "aggregate_events", "dyad_monthly",
           "family_of", "top_dyads"]
