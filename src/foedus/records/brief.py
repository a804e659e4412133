"""Assessment, monitoring and evaluation (AM&E) brief of an organisation's engagements with one
partner: what was done, when, with which instrument, the indicators' progress toward their targets
and the assessments — one self-contained HTML document (or PDF printed from it by the local
Chromium). The brief contains only records at or below the chosen marking, and says so at the top.

Example:
    >>> from foedus.records import RecordStore
    >>> store = RecordStore("sqlite://")
    >>> admin = store.system_principal()
    >>> _ = store.create_engagement(admin, {"title": "Maritime training", "instrument": "training",
    ...     "partners": ["Ghana"], "start_date": "2023-05-02", "marking": "public"})
    >>> doc = partner_summary(store, admin, "Ghana")
    >>> doc["partner"]["ccode"], doc["engagements"], doc["by_year"]
    (452, 1, [{'year': 2023, 'instrument': 'training', 'engagements': 1}])
    >>> "Maritime training" in render_brief(doc)
    True
"""

from __future__ import annotations

import datetime as _dt
import html
from collections import Counter
from pathlib import Path
from typing import Any

from foedus.errors import RecordsError
from foedus.records.store import Principal, RecordStore
from foedus.records.vocabulary import MARKINGS, visible_markings

__all__ = ["partner_summary", "render_brief", "write_brief"]


def partner_summary(store: RecordStore, actor: Principal, partner: str, *,
                    marking: str | None = None, start: int | None = None,
                    end: int | None = None, home: str | None = None,
                    warehouse: Any = None) -> dict[str, Any]:
    """Everything the AM&E brief shows for ``partner``, as a JSON-ready document.

    Args:
        partner: the partner state (name, ISO3 or COW code).
        marking: the highest marking to include (default: the actor's clearance).
        start, end: years (inclusive) of the engagements' start dates.
        home: the organisation's own state; with it the summary's ``public`` part holds the
            public instruments and alignment of the same dyad, year by year
            (:func:`foedus.records.analysis.public_instruments`, from ``warehouse``).
    """
    from foedus.records.validation import resolve_partners

    ceiling = marking or actor.clearance
    if ceiling not in MARKINGS:
        raise RecordsError(f"unknown marking '{ceiling}'", fix="use one of: " + ", ".join(MARKINGS))
    if ceiling not in visible_markings(actor.clearance):
        raise RecordsError(f"the marking '{ceiling}' is above your clearance ({actor.clearance})")
    if partner.strip().isdigit():
        code = int(partner)
        label = partner
    else:
        found, unknown = resolve_partners([partner], None)
        if unknown:
            raise RecordsError(f"unknown partner '{partner}'",
                               fix="use a state name (Ghana), ISO3 (GHA) or COW code (452)")
        code, label = int(found[0]["ccode"]), found[0]["name"]
    rows = [e for e in store.list_engagements(actor, partner=code, limit=100_000)
            if e["marking"] in visible_markings(ceiling)
            and (start is None or int(e["start_date"][:4]) >= start)
            and (end is None or int(e["start_date"][:4]) <= end)]
    rows.sort(key=lambda e: (e["start_date"], e["id"]))
    by_year = Counter((int(e["start_date"][:4]), e["instrument"]) for e in rows)
    indicators = [dict(i, engagement=e["id"], title=e["title"]) for e in rows for i in e["indicators"]]
    ratings = Counter(a["rating"] for e in rows for a in e["assessments"])
    budgets: Counter[str] = Counter()
    for e in rows:
        if e["budget"] is not None and e["currency"]:
            budgets[e["currency"]] += e["budget"]
    highest = max((MARKINGS.index(e["marking"]) for e in rows), default=0)
    return {
        "partner": {"given": partner, "name": label, "ccode": code},
        "marking_ceiling": ceiling,
        "highest_marking_included": MARKINGS[highest] if rows else None,
        "years": [start, end],
        "engagements": len(rows),
        "by_year": [{"year": y, "instrument": i, "engagements": n}
                    for (y, i), n in sorted(by_year.items())],
        "by_status": dict(sorted(Counter(e["status"] for e in rows).items())),
        "budget_by_currency": {k: round(v, 2) for k, v in sorted(budgets.items())},
        "indicators": indicators,
        "mean_progress": (round(sum(i["progress"] for i in indicators if i["progress"] is not None)
                                / n, 4) if (n := sum(1 for i in indicators
                                                     if i["progress"] is not None)) else None),
        "ratings": dict(sorted(ratings.items())),
        "records": [{k: e[k] for k in ("id", "start_date", "end_date", "instrument", "status",
                                       "title", "participants", "budget", "currency", "marking")}
                    for e in rows],
        "generated_by": actor.username,
        "public": None if home is None else _public(home, code, rows, start, end, warehouse),
    }


def _public(home: str, code: int, rows: list[dict[str, Any]], start: int | None,
            end: int | None, warehouse: Any) -> dict[str, Any]:
    """The dyad's public instruments and alignment over the records' years (± 3)."""
    from foedus.records.analysis import public_instruments

    years = [int(e["start_date"][:4]) for e in rows]
    first = start if start is not None else (min(years) - 3 if years else 2000)
    last = end if end is not None else (max(years) + 3 if years else 2018)
    doc = public_instruments(home, str(code), warehouse, years=(max(1816, first), min(2024, last)))
    held = Counter(int(e["start_date"][:4]) for e in rows)
    for r in doc["timeline"]:
        r["records"] = held.get(r["year"], 0)
    return doc


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _table(name: str, rows: list[dict[str, Any]], columns: list[str]) -> str:
    if not rows:
        return '<p class="none">None recorded.</p>'
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f'<td data-col="{_e(c)}">{_e(r.get(c))}</td>' for c in columns)
                   + "</tr>" for r in rows)
    return f'<table data-table="{_e(name)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def render_brief(summary: dict[str, Any]) -> str:
    """The AM&E brief as one self-contained HTML document."""
    from foedus import __version__

    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    ceiling = summary["marking_ceiling"].upper()
    partner = summary["partner"]
    progress = summary["mean_progress"]
    figures = [("engagements", summary["engagements"]),
               ("mean indicator progress", "n/a" if progress is None else f"{100 * progress:.0f} %"),
               *[(f"budget ({k})", f"{v:,.2f}") for k, v in summary["budget_by_currency"].items()]]
    fig_html = "".join(f'<div><dt>{_e(k)}</dt><dd data-figure="{_e(k)}">{_e(v)}</dd></div>'
                       for k, v in figures)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="generator" content="foedus {_e(__version__)}">
<title>AM&amp;E brief: {_e(partner['name'])}</title>
<style>body{{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}}
.marking{{background:#1b1b1b;color:#fff;text-align:center;font-weight:700;padding:.3rem;letter-spacing:.1em}}
table{{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}}th,td{{border-bottom:1px solid #ccc;padding:.25rem .4rem;text-align:left}}
dl{{display:flex;flex-wrap:wrap;gap:1.5rem}}dt{{color:#555;font-size:.85em}}dd{{margin:0;font-size:1.4em;font-weight:600}}</style>
</head><body data-kind="records-brief">
<div class="marking" data-marking="{_e(summary['marking_ceiling'])}">{_e(ceiling)} — contains records marked up to {_e(summary['marking_ceiling'])}</div>
<h1>Security cooperation with {_e(partner['name'])}: assessment, monitoring and evaluation</h1>
<p>COW code {_e(partner['ccode'])}. Generated by foedus {_e(__version__)} on {_e(now)} for
{_e(summary['generated_by'])} from the organisation's engagement records (not public data).</p>
<dl class="figures">{fig_html}</dl>
<h2>Engagements by year and instrument</h2>{_table("by_year", summary["by_year"], ["year", "instrument", "engagements"])}
<h2>Engagements</h2>{_table("records", summary["records"], ["id", "start_date", "end_date", "instrument", "status", "title", "participants", "budget", "currency", "marking"])}
<h2>Indicators</h2>{_table("indicators", summary["indicators"], ["engagement", "objective", "indicator", "baseline", "target", "observed", "observed_on", "progress"])}
<p>Progress = (observed − baseline) / (target − baseline): 1 means the target is reached.</p>
<h2>Assessments</h2>{_table("ratings", [{"rating": k, "count": v} for k, v in summary["ratings"].items()], ["rating", "count"])}
{_public_html(summary.get("public"))}
<div class="marking">{_e(ceiling)}</div>
</body></html>
"""


def _fmt(value: Any, digits: int = 3) -> Any:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return value


def _public_html(public: dict[str, Any] | None) -> str:
    """The public-data section: the same dyad's instruments and alignment, year by year."""
    if not public:
        return ""
    home, partner = public["home"], public["partner"]
    instruments = [{"instrument": i["treatment"], "source": i["label"],
                    "years used": ", ".join(str(y) for y in i["years_used"]) or
                    ("not available: " + i["reason"] if not i["available"] else "none"),
                    "covered years": i["covered_years"]} for i in public["instruments"]]
    timeline = [{"year": r["year"], "records": r["records"],
                 "public instruments": ", ".join(r["public_instruments"]) or "–",
                 "S": _fmt(r["s"]), "UN ideal-point distance": _fmt(r["idealpointdist"]),
                 "ATOP defence": _fmt(r["atop_defense"], 0),
                 "ATOP any": _fmt(r["atop_any"], 0)} for r in public["timeline"]]
    notes = "".join(f"<li>{_e(n)}</li>" for n in public["notes"])
    return (f'<h2>The same dyad in the public data: {_e(home["name"])} – {_e(partner["name"])}</h2>'
            "<p>Public instruments of military diplomacy between the two states and their "
            "alignment, beside the organisation's records (column <em>records</em>: engagements "
            "starting that year). Sources: " + _e(", ".join(public["sources"])) + ".</p>"
            + _table("public_instruments", instruments,
                     ["instrument", "source", "years used", "covered years"])
            + _table("public_timeline", timeline,
                     ["year", "records", "public instruments", "S", "UN ideal-point distance",
                      "ATOP defence", "ATOP any"])
            + f"<ul>{notes}</ul>")


def write_brief(summary: dict[str, Any], path: str | Path) -> Path:
    """Write the brief to ``.html`` or ``.pdf`` (printed by the local Chromium), whole or not at all."""
    from foedus.records.files import write_atomic

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".html", ".pdf"):
        raise RecordsError(f"cannot write a brief as '{suffix or path.name}'", where=str(path),
                           fix="use a .html or .pdf file name")
    page = render_brief(summary).encode("utf-8")
    if suffix == ".html":
        return write_atomic(path, page)
    import tempfile

    from foedus.assessment.brief import print_pdf

    with tempfile.TemporaryDirectory() as folder:
        html_path = Path(folder) / "brief.html"
        html_path.write_bytes(page)
        pdf_tmp = Path(folder) / "brief.pdf"
        print_pdf(html_path, pdf_tmp)
        return write_atomic(path, pdf_tmp.read_bytes())
