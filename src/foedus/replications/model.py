"""The types of the replication gallery: a published term, a design, and our result beside it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PublishedTerm:
    """One term of a published table: our column name, its label, and the published estimate and
    SE (``None`` when not at hand) or at least the published sign and significance.

    Example:
        >>> PublishedTerm("landcontig", "land contiguity", 1.057, 0.058).sign
        '+'
    """

    term: str
    label: str
    estimate: float | None = None
    std_error: float | None = None
    direction: str | None = None
    significant: bool | None = None

    @property
    def sign(self) -> str | None:
        """Published sign: from the estimate, else the stated direction."""
        if self.estimate is not None:
            return "+" if self.estimate > 0 else "-" if self.estimate < 0 else "0"
        return self.direction

    @property
    def published_significant(self) -> bool | None:
        """Published significance at 5 % (from estimate/SE, else the stated one)."""
        if self.estimate is not None and self.std_error:
            return abs(self.estimate / self.std_error) > 1.96
        return self.significant


@dataclass(frozen=True)
class Replication:
    """A published design as code."""

    name: str
    citation: str
    table: str
    summary: str
    sample: str
    estimator: str
    terms: tuple[PublishedTerm, ...]
    needs: tuple[str, ...]
    build: Callable[..., Any]
    variants: dict[str, str] = field(default_factory=dict)
    published_n: int | None = None
    notes: tuple[str, ...] = ()

    def describe(self) -> dict[str, Any]:
        """JSON-ready description (``foedus replicate list``)."""
        return {"name": self.name, "citation": self.citation, "table": self.table,
                "summary": self.summary, "sample": self.sample, "estimator": self.estimator,
                "variants": dict(self.variants), "needs": list(self.needs)}  # fmt: skip


@dataclass(frozen=True)
class ReplicationResult:
    """Our fit of a replication beside the published values."""

    replication: Replication
    variant: str
    model: Any
    sample_definition: str
    seconds: float
    notes: tuple[str, ...] = ()
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def table(self) -> list[dict[str, Any]]:
        """Every published term: ours, published (or "not at hand"), and the verdicts.

        Example:
            >>> run("bremer-1992").table()[0]["term"]  # doctest: +SKIP
            'landcontig'
        """
        rows = []
        for p in self.replication.terms:
            if p.term not in self.model.terms:
                rows.append({"term": p.term, "label": p.label, "estimate": None,
                             "std_error": None, "p_value": None, "published": "not in model"})
                continue
            c = self.model.coefficient(p.term)
            est, se = float(c["estimate"]), float(c["std_error"])
            sig = bool(c["p_value"] < 0.05)
            sign = "+" if est > 0 else "-" if est < 0 else "0"
            pub_sig = p.published_significant
            row: dict[str, Any] = {
                "term": p.term, "label": p.label, "estimate": est, "std_error": se,
                "p_value": float(c["p_value"]), "sign": sign, "significant": sig,
                "published_estimate": p.estimate, "published_std_error": p.std_error,
                "published": (f"{p.estimate:.3f} ({p.std_error:.3f})" if p.estimate is not None
                              and p.std_error is not None else
                              f"not at hand; published sign {p.sign or '?'}"
                              + (", significant" if p.significant else
                                 ", not significant" if p.significant is False else "")),
                "same_sign": (sign == p.sign) if p.sign in ("+", "-") else None,
                "both_significant": (sig and bool(pub_sig)) if pub_sig is not None else None,
                "within_2se": (abs(est - p.estimate) <= 2 * max(se, p.std_error or 0.0))
                if p.estimate is not None and p.std_error is not None else None,
            }  # fmt: skip
            rows.append(row)
        return rows

    def to_dict(self) -> dict[str, Any]:
        """One JSON document."""
        return {
            "replication": self.replication.name, "variant": self.variant,
            "citation": self.replication.citation, "table": self.replication.table,
            "estimator": self.replication.estimator, "sample": self.sample_definition,
            "n": self.model.n, "n_events": self.model.n_events,
            "published_n": self.replication.published_n, "terms": self.table(),
            "coefficients": self.model.coefficients.to_dicts(), "seconds": self.seconds,
            "notes": list(self.replication.notes) + list(self.notes),
            "diagnostics": self.diagnostics,
        }  # fmt: skip
