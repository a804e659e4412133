"""Self-contained HTML briefs of a region profile and of a grouping comparison.

One HTML file, no script and nothing loaded from elsewhere: the key figures, the year-by-year
table (every number also in a ``data-value`` attribute, exactly as computed), the notes on each
source's years, the sources used and their BibTeX. Written by ``foedus region profile … -o
brief.html`` and ``foedus grouping compare … -o brief.html``.
"""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["compare_html", "profile_html"]

_STYLE = (
    "body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;"
    "color:#1a202c}table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:12px}"
    "th,td{border-bottom:1px solid #e2e8f0;padding:.2rem .5rem;text-align:right}"
    "th.t,td.t{text-align:left}.fig{display:inline-block;margin:0 1.5rem .8rem 0}"
    ".fig b{display:block;font-size:20px}.note{color:#4a5568;font-size:12px}"
    "pre{white-space:pre-wrap;font-size:11px;background:#f7fafc;padding:.5rem}"
)


def _fmt(value: Any, pct: bool = False) -> str:
    if value is None:
        return "—"
    if pct and isinstance(value, int | float):
        return f"{100 * value:.1f} %"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return escape(str(value))


def _cell(value: Any, pct: bool = False) -> str:
    raw = "" if value is None else escape(str(value))
    return f'<td data-value="{raw}">{_fmt(value, pct)}</td>'


def _sources(sources: list[dict[str, Any]]) -> str:
    from foedus.provenance import bibtex_for

    rows = "".join(
        f'<tr><td class="t">{escape(str(s.get("table", "")))}</td><td class="t">'
        f'{escape(str(s.get("source", "")))} {escape(str(s.get("version", "")))}</td>'
        f'<td class="t">{escape(str(s.get("file", "")))}</td>'
        f'<td class="t">{escape(str(s.get("purpose", "") or ""))}</td></tr>'
        for s in sources
    )
    names = sorted({str(s["source"]) for s in sources if s.get("source")})
    bib, _ = bibtex_for(names) if names else ("", [])
    return (
        '<h2>Sources used</h2><table data-table="sources"><thead><tr><th class="t">table</th>'
        '<th class="t">source</th><th class="t">file</th><th class="t">purpose</th></tr></thead>'
        f"<tbody>{rows}</tbody></table><h2>References</h2><pre>{escape(bib)}</pre>"
    )


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>{body}"
        '<p class="note">foedus brief — every figure is recomputed from the releases listed; '
        "values outside a source's years are missing (—), never 0.</p></body></html>\n"
    )


def profile_html(profile: dict[str, Any]) -> str:
    """A region profile (:func:`foedus.regions.profile.region_profile`) as one HTML page.

    Example:
        >>> doc = {"region": {"name": "x", "label": "X", "definition": "d", "source": "s",
        ...        "members_last_year": [2]}, "from": 2000, "to": 2000, "summary": {},
        ...        "series": [{"year": 2000, "cinc_share": 0.5}], "notes": [], "sources": []}
        >>> 'data-value="0.5"' in profile_html(doc)
        True
    """
    info = profile["region"]
    s = profile["summary"]
    figures = [
        (f"CINC share {s.get('cinc_share_first_year')}", s.get("cinc_share_first"), True),
        (f"CINC share {s.get('cinc_share_last_year')}", s.get("cinc_share_last"), True),
        (f"milex share {s.get('milex_share_first_year')}", s.get("milex_share_first"), True),
        (f"milex share {s.get('milex_share_last_year')}", s.get("milex_share_last"), True),
        ("arms TIV within", s.get("arms_within_total"), False),
        ("arms TIV into", s.get("arms_into_total"), False),
        ("arms TIV out", s.get("arms_out_total"), False),
    ]
    figs = "".join(f'<span class="fig">{escape(label)}<b data-value="{escape(str(v))}">'
                   f"{_fmt(v, pct)}</b></span>" for label, v, pct in figures)  # fmt: skip
    columns = [("cinc_share", True), ("milex_share", True), ("arms_within", False),
               ("arms_into", False), ("arms_out", False), ("un_distance_within", False),
               ("alliance_density", False), ("alliance_blocs", False),
               ("state_based_conflicts", False), ("nonstate_conflicts", False),
               ("nonstate_fatalities_best", False)]  # fmt: skip
    head = "<th>year</th>" + "".join(f"<th>{escape(c)}</th>" for c, _ in columns)
    rows = "".join(
        f'<tr data-year="{r["year"]}"><td>{r["year"]}</td>'
        + "".join(_cell(r.get(c), pct) for c, pct in columns) + "</tr>"
        for r in profile["series"]
    )
    notes = "".join(f"<li>{escape(n)}</li>" for n in profile["notes"]) or "<li>None.</li>"
    body = (
        f'<p>{escape(str(info.get("definition", "")))} — {escape(str(info.get("source", "")))}</p>'
        f'<p class="note">Members ({len(info.get("members_last_year", []))}, COW codes): '
        f'{escape(", ".join(str(c) for c in info.get("members_last_year", [])))}</p>'
        f"<div>{figs}</div><h2>Year by year</h2>"
        f'<table data-table="series"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        f"<h2>Notes</h2><ul>{notes}</ul>{_sources(profile['sources'])}"
    )
    title = f"{info.get('label', info['name'])} ({info['name']}), {profile['from']}–{profile['to']}"
    return _page(title, body)


def compare_html(result: dict[str, Any]) -> str:
    """A grouping comparison (:func:`foedus.regions.profile.compare_groupings`) as one HTML page.

    Example:
        >>> doc = {"year": 2023, "a": {"name": "A", "members": [2]}, "b": {"name": "B",
        ...        "members": [20]}, "cinc": {"year_used": 2022, "A": {"share": 0.2}, "B": None},
        ...        "milex": {"year_used": None}, "arms": {"tiv": {}, "labels": {}},
        ...        "un_alignment": None, "exercises": None, "dcas": None, "notes": [],
        ...        "sources": []}
        >>> 'data-value="0.2"' in compare_html(doc)
        True
    """
    a, b = result["a"]["name"], result["b"]["name"]
    rows = []
    for key, label in (("cinc", "share of world CINC"), ("milex", "share of world military "
                                                          "spending")):  # fmt: skip
        block = result[key]
        rows.append((f"{label} ({block.get('year_used') or '—'})",
                     (block.get(a) or {}).get("share"), (block.get(b) or {}).get("share"), None,
                     True))  # fmt: skip
    tiv = result["arms"]["tiv"]
    rows.append(("arms TIV within", tiv.get("arms_within_a"), tiv.get("arms_within_b"),
                 tiv.get("arms_world"), False))  # fmt: skip
    rows.append((f"arms TIV {a} → {b} / {b} → {a}", tiv.get("arms_a_to_b"), tiv.get("arms_b_to_a"),
                 None, False))  # fmt: skip
    un = result.get("un_alignment") or {}
    rows.append(("UN ideal-point distance (within / between)",
                 (un.get(f"within_{a}") or {}).get("within"),
                 (un.get(f"within_{b}") or {}).get("within"),
                 (un.get("between") or {}).get("distance"), False))  # fmt: skip
    for key in ("exercises", "dcas"):
        block = result.get(key) or {}
        rows.append((f"{key} (within / between)", block.get("within_a"), block.get("within_b"),
                     block.get("between"), False))  # fmt: skip
    body_rows = "".join(f'<tr><td class="t">{escape(label)}</td>{_cell(x, p)}{_cell(y, p)}'
                        f"{_cell(z, p)}</tr>" for label, x, y, z, p in rows)  # fmt: skip
    notes = "".join(f"<li>{escape(n)}</li>" for n in result["notes"]) or "<li>None.</li>"
    body = (
        f'<p class="note">{escape(a)}: {escape(", ".join(map(str, result["a"]["members"])))}; '
        f'{escape(b)}: {escape(", ".join(map(str, result["b"]["members"])))} (COW codes, members '
        f"on 31 December {result['year']})</p>"
        f'<table data-table="compare"><thead><tr><th class="t">measure</th><th>{escape(a)}</th>'
        f"<th>{escape(b)}</th><th>between / world</th></tr></thead><tbody>{body_rows}</tbody>"
        f"</table><h2>Notes</h2><ul>{notes}</ul>{_sources(result['sources'])}"
    )
    return _page(f"{a} and {b} in {result['year']}", body)
