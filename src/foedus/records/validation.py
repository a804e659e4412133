"""Validation of engagement input — one function for the REST API, the CLI and file imports, so a
problem is reported the same way everywhere: the column (or key), the value and the reason.

Example:
    >>> clean, problems = validate_engagement({"title": "Staff talks", "instrument": "visit",
    ...     "partners": ["Japan"], "start_date": "2024-03-01", "marking": "internal"})
    >>> problems, clean["instrument"], clean["partners"][0]["ccode"]
    ([], 'visits', 740)
    >>> validate_engagement({"title": "", "instrument": "x", "partners": [],
    ...     "start_date": "2024-02-30", "marking": "secret"})[1][0]["column"]
    'title'
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from foedus.records.vocabulary import (
    CURRENCIES,
    MARKINGS,
    RATINGS,
    STATUSES,
    canonical_instrument,
)

__all__ = ["ENGAGEMENT_FIELDS", "resolve_partners", "validate_engagement", "validate_child"]

#: Fields of an engagement a user may set (``partners`` is a list of names or codes).
ENGAGEMENT_FIELDS: tuple[str, ...] = (
    "title", "instrument", "status", "partners", "start_date", "end_date", "objectives",
    "budget", "currency", "participants", "location", "notes", "marking",
)  # fmt: skip
_REQUIRED = ("title", "instrument", "partners", "start_date", "marking")


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def resolve_partners(names: list[str], year: int | None) -> tuple[list[dict[str, Any]], list[str]]:
    """Resolve partner names, ISO3 codes or COW codes (as of ``year``) to COW / G-W codes.

    Returns the resolved partners and the names that resolve to no state.

    Example:
        >>> resolve_partners(["KOR", "Côte d’Ivoire", "Atlantis"], 2020)[1]
        ['Atlantis']
    """
    from foedus.sources.instruments.countries import resolve_state_texts

    partners: list[dict[str, Any]] = []
    unknown: list[str] = []
    for given, found in zip(names, resolve_state_texts(names, year), strict=True):
        if found is None:
            unknown.append(" ".join(str(given).replace("\u2019", "'").split()))
        else:
            partners.append(found)
    return partners, unknown


def validate_engagement(
    data: Mapping[str, Any], *, partial: bool = False
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Check and normalise engagement input.

    Args:
        data: field → value (strings as typed in a file are accepted).
        partial: an edit: only the given fields are checked, none is required.

    Returns:
        The cleaned fields and a list of problems (``column``, ``value``, ``reason``); the input is
        valid when the list is empty.
    """
    problems: list[dict[str, Any]] = []
    clean: dict[str, Any] = {}

    def bad(column: str, value: Any, reason: str) -> None:
        problems.append({"column": column, "value": None if value is None else str(value)[:200],
                         "reason": reason})

    for key in data:
        if key not in ENGAGEMENT_FIELDS and key not in ("id", "version"):
            bad(key, data[key], "unknown field; fields are: " + ", ".join(ENGAGEMENT_FIELDS))
    present = {k: v for k, v in data.items() if k in ENGAGEMENT_FIELDS}
    blank = {k for k, v in present.items() if v is None or (isinstance(v, str) and not v.strip())}
    if not partial:
        for key in _REQUIRED:
            if key not in present or key in blank:
                bad(key, present.get(key), "required")
    for key, value in present.items():
        if key in blank:
            if key in _REQUIRED and partial:
                bad(key, value, "cannot be emptied")
            else:
                clean[key] = None
            continue
        try:
            if key == "title":
                text = str(value).strip()
                if len(text) > 200:
                    raise ValueError("longer than 200 characters")
                clean[key] = text
            elif key == "instrument":
                clean[key] = canonical_instrument(str(value))
            elif key == "status":
                if value not in STATUSES:
                    raise ValueError("use one of: " + ", ".join(STATUSES))
                clean[key] = value
            elif key == "marking":
                text = str(value).strip().lower()
                if text not in MARKINGS:
                    raise ValueError("use one of: " + ", ".join(MARKINGS))
                clean[key] = text
            elif key in ("start_date", "end_date"):
                clean[key] = _date(value)
            elif key == "budget":
                amount = Decimal(str(value).replace(",", "").strip())
                if not amount.is_finite() or amount < 0 or amount >= Decimal("1e16"):
                    raise ValueError("must be an amount from 0 to 9,999,999,999,999,999.99")
                clean[key] = amount.quantize(Decimal("0.01"))
            elif key == "currency":
                code = str(value).strip().upper()
                if code not in CURRENCIES:
                    raise ValueError("not an ISO 4217 currency code (e.g. USD, EUR, GBP)")
                clean[key] = code
            elif key == "participants":
                number = int(str(value).strip())
                if not 0 <= number <= 100_000_000:
                    raise ValueError("must be a whole number from 0 to 100,000,000")
                clean[key] = number
            elif key == "partners":
                names = ([p for p in str(value).split(";")] if isinstance(value, str)
                         else [str(p) for p in value])
                names = [n.strip() for n in names if n.strip()]
                if not names:
                    raise ValueError("name at least one partner state")
                clean[key] = names
            else:
                clean[key] = str(value)
        except (ValueError, InvalidOperation, TypeError) as exc:
            reason = str(exc) or "invalid value"
            if key in ("start_date", "end_date"):
                reason = "not a valid date (use YYYY-MM-DD)"
            elif key == "budget" and isinstance(exc, InvalidOperation):
                reason = "not a number"
            elif key == "participants" and "invalid literal" in reason:
                reason = "not a whole number"
            bad(key, value, reason)
    start, end = clean.get("start_date"), clean.get("end_date")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        bad("end_date", end.isoformat(), f"before the start date {start.isoformat()}")
    if clean.get("budget") is not None and not present.get("currency") and not partial:
        bad("currency", None, "required when a budget is given")
    if "partners" in clean and clean["partners"]:
        year = start.year if isinstance(start, date) else None
        resolved, unknown = resolve_partners(clean["partners"], year)
        for name in unknown:
            bad("partners", name, "not a state foedus can resolve (use a name such as 'Japan' "
                "or an ISO3 code such as JPN)")
        clean["partners"] = resolved
    return clean, problems


def validate_child(kind: str, data: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Check an indicator, assessment or evidence item.

    Example:
        >>> validate_child("indicator", {"objective": "Interoperability", "indicator": "NATO STANAGs",
        ...     "baseline": 2, "target": 10})[1]
        []
    """
    spec = {
        "indicator": {"objective": str, "indicator": str, "baseline": Decimal, "target": Decimal,
                      "observed": Decimal, "observed_on": date},
        "assessment": {"assessed_on": date, "rating": str, "summary": str},
        "evidence": {"title": str, "kind": str, "reference": str, "dated": date},
    }[kind]
    optional = {"observed", "observed_on", "dated"}
    problems: list[dict[str, Any]] = []
    clean: dict[str, Any] = {}
    for key in data:
        if key not in spec:
            problems.append({"column": key, "value": str(data[key])[:200],
                             "reason": "unknown field; fields are: " + ", ".join(spec)})
    for key, typ in spec.items():
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if key not in optional:
                problems.append({"column": key, "value": None, "reason": "required"})
            continue
        try:
            if typ is date:
                clean[key] = _date(value)
            elif typ is Decimal:
                number = Decimal(str(value))
                if not number.is_finite() or abs(number) >= Decimal("1e14"):
                    raise ValueError
                clean[key] = number
            else:
                clean[key] = str(value).strip()
        except (ValueError, InvalidOperation):
            problems.append({"column": key, "value": str(value)[:200],
                             "reason": "not a valid date (use YYYY-MM-DD)" if typ is date
                             else "not a number"})
    if kind == "assessment" and clean.get("rating") and clean["rating"] not in RATINGS:
        problems.append({"column": "rating", "value": clean["rating"],
                         "reason": "use one of: " + ", ".join(RATINGS)})
    if kind == "indicator" and "baseline" in clean and clean.get("target") == clean["baseline"]:
        problems.append({"column": "target", "value": str(clean["target"]),
                         "reason": "equals the baseline: progress cannot be measured"})
    return clean, problems
