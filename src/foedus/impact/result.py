"""The result of an impact design: estimates, tables, specification, provenance; and writers."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foedus.errors import FoedusError

__all__ = ["OUTPUT_SUFFIXES", "ImpactResult", "check_output"]

#: File types ``-o`` writes.
OUTPUT_SUFFIXES: tuple[str, ...] = (".json", ".csv", ".html", ".pdf")


def check_output(path: str | Path | None) -> None:
    """Refuse an output file type before any work is done.

    Example:
        >>> check_output("x.xlsx")
        Traceback (most recent call last):
        ...
        foedus.errors.FoedusError: x.xlsx: cannot write '.xlsx' files. Fix: end the output name with .json, .csv, .html, .pdf
    """
    if path is None:
        return
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise FoedusError(f"cannot write '{suffix or 'no extension'}' files", where=str(path),
                          fix="end the output name with " + ", ".join(OUTPUT_SUFFIXES))  # fmt: skip


@dataclass
class ImpactResult:
    """What a design estimated: one row per estimate, tables, the fixed specification and notes.

    Example:
        >>> r = ImpactResult("demo", "Demo", "a question", ["spec"], "sample", [])
        >>> r.to_dict()["design"]
        'demo'
    """

    name: str
    title: str
    question: str
    specification: list[str]
    sample: str
    estimates: list[dict[str, Any]]
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (one document)."""
        from foedus.provenance import bibtex_for

        bib, keys = bibtex_for(self.sources) if self.sources else ("", [])
        return {
            "design": self.name, "title": self.title, "question": self.question,
            "specification": self.specification, "sample": self.sample,
            "estimates": self.estimates, "tables": self.tables, "notes": self.notes,
            "sources": self.sources, "bibtex_keys": keys, "seconds": round(self.seconds, 2),
        }  # fmt: skip

    def write(self, path: str | Path) -> Path:
        """Write by extension: .json (everything), .csv (the estimates), .html / .pdf (report)."""
        import polars as pl

        check_output(path)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        suffix = path.suffix.lower()
        tmp = path.with_name(path.name + ".partial")
        if suffix == ".json":
            tmp.write_text(json.dumps(self.to_dict(), default=str, indent=1), encoding="utf-8")
        elif suffix == ".csv":
            rows = [{k: (json.dumps(v) if isinstance(v, (dict, list)) else v)
                     for k, v in r.items()} for r in self.estimates]  # fmt: skip
            pl.DataFrame(rows, infer_schema_length=None).write_csv(tmp)
        elif suffix == ".html":
            tmp.write_text(self.to_html(), encoding="utf-8")
        else:
            from foedus.assessment.brief import _print_pdf

            html_path = path.with_suffix(".html")
            html_path.write_text(self.to_html(), encoding="utf-8")
            _print_pdf(html_path, path)
            return path
        tmp.replace(path)
        return path

    def to_html(self) -> str:
        """A self-contained HTML report (tables; an event-study chart when there is one)."""
        e = html.escape

        def table(rows: list[dict[str, Any]], name: str) -> str:
            if not rows:
                return "<p>none</p>"
            cols = list(rows[0].keys())
            head = "".join(f"<th>{e(str(c))}</th>" for c in cols)
            body = "".join(
                "<tr>" + "".join(f"<td>{e(_fmt(r.get(c)))}</td>" for c in cols) + "</tr>"
                for r in rows
            )
            return f'<table data-table="{e(name)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

        spec = "".join(f"<li>{e(s)}</li>" for s in self.specification)
        notes = "".join(f"<li>{e(s)}</li>" for s in self.notes) or "<li>None.</li>"
        tables = "".join(f"<h2>{e(k)}</h2>{table(v, k)}" for k, v in self.tables.items())
        chart = _event_svg(self.tables.get("event_study") or [])
        from foedus.provenance import bibtex_for

        bib = bibtex_for(self.sources)[0] if self.sources else ""
        return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{e(self.title)}</title><style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}}
table{{border-collapse:collapse;font-size:13px}}td,th{{border:1px solid #ccc;padding:2px 6px}}</style>
</head><body data-design="{e(self.name)}"><h1>{e(self.title)}</h1><p>{e(self.question)}</p>
<h2>Specification (fixed in code)</h2><ul>{spec}</ul><p><b>Sample:</b> {e(self.sample)}</p>
<h2>Estimates</h2>{table(self.estimates, "estimates")}{chart}{tables}
<h2>Notes</h2><ul>{notes}</ul><h2>Sources</h2><pre>{e(bib)}</pre></body></html>
"""


def _event_svg(rows: list[dict[str, Any]]) -> str:
    """An inline SVG of an event study: estimate and 95% CI per relative year (no script).

    Example:
        >>> "<svg" in _event_svg([{"rel": -1, "estimate": 0.0, "ci_low": 0.0, "ci_high": 0.0},
        ...                       {"rel": 0, "estimate": 1.0, "ci_low": 0.5, "ci_high": 1.5}])
        True
    """
    if not rows:
        return ""
    lo = min(min(r["ci_low"] for r in rows), 0.0)
    hi = max(max(r["ci_high"] for r in rows), 0.0)
    span = (hi - lo) or 1.0
    rels = [r["rel"] for r in rows]
    r0, r1 = min(rels), max(rels)
    w, h, pad = 640, 300, 50

    def x(rel: float) -> float:
        return pad + (rel - r0) / ((r1 - r0) or 1) * (w - 2 * pad)

    def y(v: float) -> float:
        return h - pad - (v - lo) / span * (h - 2 * pad)

    parts = [f'<line x1="{pad}" x2="{w - pad}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#999"/>']
    for r in rows:
        cx = x(r["rel"])
        parts.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{y(r["ci_low"]):.1f}" '
                     f'y2="{y(r["ci_high"]):.1f}" stroke="#1f77b4"/>'
                     f'<circle cx="{cx:.1f}" cy="{y(r["estimate"]):.1f}" r="4" fill="#1f77b4">'
                     f'<title>{r["rel"]}: {r["estimate"]:.4g} [{r["ci_low"]:.4g}, '
                     f'{r["ci_high"]:.4g}]</title></circle>'
                     f'<text x="{cx:.1f}" y="{h - pad + 18}" font-size="11" '
                     f'text-anchor="middle">{r["rel"]}</text>')  # fmt: skip
    parts.append(f'<text x="{pad}" y="{pad - 15}" font-size="12">estimate and 95% CI by year '
                 f"relative to onset (reference -1); range {lo:.3g} to {hi:.3g}</text>")
    return (f'<h2>Event study</h2><svg data-chart="event_study" width="{w}" height="{h}" '
            f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>')


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (dict, list)):
        return json.dumps(v, default=str)
    return str(v)
