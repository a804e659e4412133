"""A replication gallery: published designs written as code, run on the warehouse, our estimates
beside the published ones.

Each :class:`Replication` names its sample, variables, estimator and standard errors, builds
them from the warehouse's real data and fits the model. :func:`run` returns a
:class:`ReplicationResult` whose :meth:`~ReplicationResult.table` puts every term's estimate and
SE beside the published value (typed in from the paper, with table and page) — or "not at hand"
where the published numbers were not available to us, in which case only sign and significance
are compared — and a verdict per term: same sign, both significant (5 %), within 2 SE.
Nothing is invented: a published number appears only if it was read from the publication (or,
for Bremer 1992, from the rendered peacesciencer vignette quoted in issue 10).

Entries: :func:`names` (``foedus replicate list``); details in ``docs/replications.md``.
"""

from __future__ import annotations

import time
from typing import Any

from foedus.errors import MissingDataError, UnknownReplicationError
from foedus.replications.model import PublishedTerm, Replication, ReplicationResult

__all__ = ["PublishedTerm", "Replication", "ReplicationResult", "get", "names", "run"]


def _registry() -> dict[str, Replication]:
    from foedus.replications import designs

    return {r.name: r for r in designs.ALL}


def names() -> list[str]:
    """Names of the replications.

    Example:
        >>> "johnson-leeds-2011" in names()
        True
    """
    return list(_registry())


def get(name: str) -> Replication:
    """One replication by name; an unknown name lists the valid ones.

    Example:
        >>> get("bremer-1992").table.startswith("peacesciencer")
        True
        >>> get("nope")
        Traceback (most recent call last):
        ...
        foedus.errors.UnknownReplicationError: unknown replication 'nope'. Fix: use one of: ...
    """
    reg = _registry()
    if name not in reg:
        raise UnknownReplicationError(f"unknown replication '{name}'",
                                      fix="use one of: " + ", ".join(reg))
    return reg[name]


def run(name: str, warehouse: Any = None, *, variant: str = "main") -> ReplicationResult:
    """Run one replication on the warehouse.

    Example:
        >>> res = run("johnson-leeds-2011", "warehouse.duckdb")  # doctest: +SKIP
        >>> [r["same_sign"] for r in res.table()]  # doctest: +SKIP
    """
    from foedus.models.recipes import _open

    rep = get(name)
    if variant != "main" and variant not in rep.variants:
        raise UnknownReplicationError(
            f"unknown variant '{variant}' of {name}",
            fix="use one of: main, " + ", ".join(rep.variants) if rep.variants else "use main")
    wh = _open(warehouse)
    missing = [t for t in rep.needs if not wh.has(t)]
    if missing:
        raise MissingDataError(
            f"{name} needs the tables {missing}, which are not imported",
            where=str(wh.path),
            fix="import them: `foedus data import-all ../shared/data` (see docs/replications.md "
                "for the file behind each table)",
        )
    started = time.perf_counter()
    model, definition, notes, diagnostics = rep.build(wh, variant)
    return ReplicationResult(rep, variant, model, definition, time.perf_counter() - started,
                             tuple(notes), diagnostics)
