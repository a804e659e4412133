"""Honouring parameters: how likely a bound state is to honour its obligation, and the formula.

The packaged table ``honouring.csv`` (next to this module) holds published honouring rates
(Berkemeier & Fuhrmann 2018; Leeds, Long & Mitchell 2000 for comparison) and the foedus modelling
assumptions (multipliers for conditions that cannot be judged, for signed-but-not-in-force
treaties, and the within-alliance correlation), each with a range for sensitivity checks. A user
replaces it with a file of the same columns; :func:`estimated_table` replaces the era and type
rates with foedus's own estimates (``honouring-rates``, COW wars, alliance-war-member coding), labelled.

The probability that state *i* honours an obligation of kind *k* in year *y*:

``p = min(cap, rate(era(y)) * rate(type k) / rate(overall)) * f_cbj^[verdict = cannot be judged]
* f_signed^[status = signed]``; 0 when the obligation's conditions are unmet or the state has
suspended it. The era-by-type product assumes the type differences of the whole period apply
within each era in proportion (the published abstracts give the margins, not the cross-table).

Example:
    >>> t = load_table()
    >>> round(t.probability("defense", 2026, "unconditional", "in force"), 4)
    0.1804
    >>> round(t.probability("defense", 1914, "cannot be judged", "in force"), 4)
    0.2706
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from foedus.errors import ScenarioFileError

__all__ = [
    "BIBTEX", "DEFAULT_TABLE", "ESTIMATED", "Parameter", "ParameterTable", "estimated_table",
    "load_table",
]  # fmt: skip

DEFAULT_TABLE = Path(__file__).with_name("honouring.csv")
_COLUMNS = ("key", "value", "low", "high", "interval", "source", "note")
_REQUIRED_KEYS = ("era:pre1945", "era:post1945", "overall", "type:defense", "type:offense",
                  "type:neutral", "type:nonagg", "factor:cannot_be_judged", "factor:signed",
                  "correlation", "cap")

#: References behind the packaged table (BibTeX).
BIBTEX: dict[str, str] = {
    "berkemeier2018": """@Article{berkemeier2018,
  author  = {Berkemeier, Molly and Fuhrmann, Matthew},
  title   = {Reassessing the fulfillment of alliance commitments in war},
  journal = {Research \\& Politics},
  year    = {2018},
  volume  = {5},
  number  = {2},
  doi     = {10.1177/2053168018779697}
}""",
    "leeds2000": """@Article{leeds2000,
  author  = {Leeds, Brett Ashley and Long, Andrew G. and Mitchell, Sara McLaughlin},
  title   = {Reevaluating Alliance Reliability: Specific Threats, Specific Promises},
  journal = {Journal of Conflict Resolution},
  year    = {2000},
  volume  = {44},
  number  = {5},
  pages   = {686--699},
  doi     = {10.1177/0022002700044005006}
}""",
}


@dataclass(frozen=True)
class Parameter:
    """One row of the table."""

    key: str
    value: float
    low: float
    high: float
    interval: str
    source: str
    note: str


@dataclass(frozen=True)
class ParameterTable:
    """The honouring parameters in use (with where they come from)."""

    rows: dict[str, Parameter]
    path: str
    version: str

    def value(self, key: str) -> float:
        """The point value of ``key``."""
        return self.rows[key].value

    def era(self, year: int) -> str:
        """``pre1945`` or ``post1945``.

        Example:
            >>> load_table().era(1944), load_table().era(1945)
            ('pre1945', 'post1945')
        """
        return "pre1945" if year < 1945 else "post1945"

    def base_rate(self, kind: str, year: int) -> float:
        """``min(cap, rate(era) * rate(type) / rate(overall))`` before condition factors."""
        v = self.value
        rate = v(f"era:{self.era(year)}") * v(f"type:{kind}") / v("overall")
        return min(v("cap"), rate)

    def probability(self, kind: str, year: int, verdict: str, status: str) -> float:
        """Honouring probability of one obligation (see the module docstring)."""
        if kind not in ("defense", "offense", "neutral", "nonagg"):
            return 0.0
        if verdict == "unmet" or status == "suspended":
            return 0.0
        p = self.base_rate(kind, year)
        if verdict == "cannot be judged":
            p *= self.value("factor:cannot_be_judged")
        if status == "signed":
            p *= self.value("factor:signed")
        return p

    def with_value(self, key: str, value: float) -> ParameterTable:
        """A copy with one value changed (for sensitivity checks)."""
        rows = dict(self.rows)
        rows[key] = replace(rows[key], value=float(value))
        return ParameterTable(rows, self.path, self.version + f"+{key}={value:g}")

    def sources(self) -> list[str]:
        """BibTeX keys of the published rows used."""
        return sorted({r.source for r in self.rows.values() if r.source in BIBTEX})

    def to_dicts(self) -> list[dict[str, Any]]:
        """Rows as JSON-ready dicts."""
        return [r.__dict__.copy() for r in self.rows.values()]


#: The label of the estimated table (``ParameterTable.path``).
ESTIMATED = "estimated: foedus honouring-rates"
#: Which rate of the honouring-rates design fills each key, and the table it is read from.
_ESTIMATED_KEYS: dict[str, tuple[str, str, str]] = {
    "era:pre1945": ("by_period_war", "period", "1816-1944"),
    "era:post1945": ("by_period_war", "period", "1945-2003"),
    "overall": ("overall_war", "obligations", "all rated obligations"),
    "type:defense": ("by_type_war", "type", "defence"),
    "type:offense": ("by_type_war", "type", "offence"),
    "type:neutral": ("by_type_war", "type", "neutrality"),
    "type:nonagg": ("by_type_war", "type", "non-aggression"),
}


def estimated_table(warehouse: Any = None, *, coding: str = "alliance-war-member",
                    base: ParameterTable | None = None) -> ParameterTable:
    """The parameter table with its era and type rates replaced by foedus's own estimates: the
    honouring rates in COW inter-state wars (:func:`foedus.impact.reliability.war_cases`, coding
    ``alliance-war-member`` by default, the default of ``honouring-rates``), value = the rate, low/high = its Wilson 95% interval. The
    assumption rows (condition factors, correlation, cap) and the LLM reference row stay those of
    ``base`` (default: the packaged table). The table's ``path`` says where it comes from and
    every replaced row's ``source``, ``interval`` and ``note`` say how many cases it rests on.

    Example:
        >>> t = estimated_table("wh.duckdb")  # doctest: +SKIP
        >>> t.path, t.rows["type:defense"].source  # doctest: +SKIP
        ('estimated: foedus honouring-rates (alliance-war-member coding, COW wars)', 'foedus-honouring-rates')
    """
    from foedus.impact.reliability import honouring_rates, load_war_cases, with_periods

    base = base if base is not None else load_table()
    cases = with_periods(load_war_cases(warehouse, coding=coding))
    tables = {name: honouring_rates(cases, (col,)) for name, col in
              (("by_period_war", "period"), ("overall_war", "obligations"),
               ("by_type_war", "type"))}  # fmt: skip
    rows = dict(base.rows)
    for key, (table, col, value) in _ESTIMATED_KEYS.items():
        hit = [r for r in tables[table] if r[col] == value]
        if not hit or not hit[0]["cases"]:
            raise ScenarioFileError(f"no rated war case for {key} ({value})",
                                    where=f"honouring-rates, {coding} coding",
                                    fix="use the packaged table (leave out --estimated-honouring)")
        r = hit[0]
        if r["rate"] == 0 and key == "overall":
            raise ScenarioFileError("the estimated overall rate is 0", where="honouring-rates",
                                    fix="use the packaged table")  # fmt: skip
        rows[key] = Parameter(
            key, float(r["rate"]), float(r["wilson_low"]), float(r["wilson_high"]),
            "Wilson 95% CI", "foedus-honouring-rates",
            f"foedus estimate ({coding} coding): {r['honoured']} of {r['cases']} invoked "
            f"obligations honoured in {r['disputes']} COW inter-state wars ({value}); "
            "docs/impact.md")  # fmt: skip
    return ParameterTable(rows, f"{ESTIMATED} ({coding} coding, COW wars)",
                          f"{base.version}+estimated-{coding}")


def _float(text: str, where: str, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ScenarioFileError(f"{column} '{text}' is not a number", where=where,
                                fix="write a number from 0 to 1") from None
    if not 0.0 <= value <= 1.0:
        raise ScenarioFileError(f"{column} {value} is outside 0–1", where=where,
                                fix="write a probability or share from 0 to 1")
    return value


def load_table(path: str | Path | None = None) -> ParameterTable:
    """Load a parameter table (default: the packaged ``honouring.csv``), validated.

    Example:
        >>> t = load_table()
        >>> t.rows["type:defense"].value, t.rows["type:defense"].source
        (0.41, 'berkemeier2018')
    """
    p = Path(path) if path is not None else DEFAULT_TABLE
    try:
        text = p.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        raise ScenarioFileError("parameter table not found", where=str(p),
                                fix="give a CSV with columns " + ",".join(_COLUMNS)) from None
    version = "unversioned"
    kept: list[tuple[int, str]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if s.startswith("#"):
            k, _, v = s.lstrip("#").partition(":")
            if k.strip().lower() == "version":
                version = v.strip()
            continue
        if s:
            kept.append((n, line))
    records = list(csv.reader(io.StringIO("\n".join(line for _, line in kept))))
    if not records or tuple(h.strip() for h in records[0]) != _COLUMNS:
        raise ScenarioFileError("the parameter table's header is wrong", where=str(p),
                                fix="use the header: " + ",".join(_COLUMNS))
    rows: dict[str, Parameter] = {}
    for (n, _), rec in zip(kept[1:], records[1:], strict=True):
        where = f"{p.name}, line {n}"
        if len(rec) != len(_COLUMNS):
            raise ScenarioFileError(f"row has {len(rec)} fields, not {len(_COLUMNS)}", where=where,
                                    fix="quote fields containing commas")
        row = dict(zip(_COLUMNS, (c.strip() for c in rec), strict=True))
        value, low, high = (_float(row[c], where, c) for c in ("value", "low", "high"))
        if not low <= value <= high:
            raise ScenarioFileError(f"value {value} is not within low {low} – high {high}",
                                    where=where, fix="low ≤ value ≤ high")
        if row["key"] in rows:
            raise ScenarioFileError(f"key '{row['key']}' appears twice", where=where,
                                    fix="one row per key")
        rows[row["key"]] = Parameter(row["key"], value, low, high, row["interval"],
                                     row["source"], row["note"])
    missing = [k for k in _REQUIRED_KEYS if k not in rows]
    if missing:
        raise ScenarioFileError(f"the parameter table lacks keys {missing}", where=str(p),
                                fix="copy the packaged honouring.csv and edit the values")
    if rows["overall"].value == 0:
        raise ScenarioFileError("'overall' must be above 0", where=str(p),
                                fix="it divides the type rate")
    label = "honouring.csv" if p == DEFAULT_TABLE else str(p)
    return ParameterTable(rows, label, version)
