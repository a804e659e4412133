"""Scenario and recommendation reports: one self-contained HTML file (no network), or PDF.

Built like the impact briefs (:mod:`foedus.assessment.brief`): every key figure is an element with
``data-figure``/``data-value``, every table a ``<table data-table=...>`` with ``data-col``/
``data-value`` cells, and the parameter table and sources are printed at the end. PDF is printed
from the HTML by a local headless Chromium (:func:`foedus.assessment.brief._print_pdf`).

Example:
    >>> page = render_result_html({"scenario": {"name": "demo", "description": ""}, "year": 2000,
    ...     "basis": "atop", "changes": [], "simulation": {}, "deltas": {}, "notes": [],
    ...     "parameters": {"rows": []}, "sources": {}, "references": []})
    >>> 'data-kind="scenario"' in page
    True
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from foedus.errors import FoedusError

__all__ = ["check_output", "render_result_html", "write_report"]

_CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#1a1a1a;line-height:1.45}h2{border-bottom:1px solid #ccc;margin-top:1.8em}
.figures{display:flex;flex-wrap:wrap;gap:.6em}.figures div{border:1px solid #ddd;border-radius:6px;
padding:.4em .8em}.figures dt{font-size:.8em;color:#555}.figures dd{margin:0;font-size:1.2em;
font-weight:600}table{border-collapse:collapse;font-size:.82em;width:100%;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.2em .4em;text-align:left}th{background:#f3f3f3}
.note{font-size:.85em;color:#444}pre{white-space:pre-wrap;font-size:.75em;background:#f7f7f7}"""

EXTENSIONS = (".json", ".html", ".pdf")


def check_output(path: Path | None) -> None:
    """Refuse an unknown report extension before any work.

    Example:
        >>> check_output(Path("r.docx"))
        Traceback (most recent call last):
        ...
        foedus.errors.FoedusError: r.docx: unknown report format '.docx'. Fix: use .json, .html or .pdf
    """
    if path is not None and path.suffix.lower() not in EXTENSIONS:
        raise FoedusError(f"unknown report format '{path.suffix}'", where=str(path),
                          fix="use .json, .html or .pdf")


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x))


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.4g}"
    if isinstance(x, list):
        return ", ".join(_fmt(v) for v in x)
    if isinstance(x, dict):
        return json.dumps(x, default=str)[:200]
    return "" if x is None else str(x)


def _table(name: str, rows: list[dict[str, Any]], cols: list[str]) -> str:
    if not rows:
        return '<p class="note">None.</p>'
    head = "".join(f"<th>{_e(c)}</th>" for c in cols)
    body = "".join(
        f'<tr data-row="{i}">' + "".join(
            f'<td data-col="{_e(c)}" data-value="{_e(json.dumps(r.get(c), default=str))}">'
            f"{_e(_fmt(r.get(c)))}</td>" for c in cols) + "</tr>"
        for i, r in enumerate(rows))
    return f'<table data-table="{_e(name)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _figures(items: list[tuple[str, str, Any]]) -> str:
    return '<dl class="figures">' + "".join(
        f'<div><dt>{_e(label)}</dt><dd data-figure="{_e(key)}" data-value="{_e(repr(v))}">'
        f"{_e(_fmt(v))}</dd></div>" for key, label, v in items) + "</dl>"


def _simulation(sim: dict[str, Any], name: str) -> str:
    parts = []
    cinc = sim["capabilities"].get("cinc", {})
    parts.append(_figures([
        (f"{name}.p_at_least_1", "P(at least one ally responds)",
         sim["coalition"]["p_at_least"].get("1", 0.0)),
        (f"{name}.expected_responders", "expected responders", sim["coalition"]["mean"]),
        (f"{name}.median_cinc_share", "median defenders' CINC share",
         cinc.get("defender_share", {}).get("q50")),
        (f"{name}.p_defenders_stronger", "P(defenders' CINC > attackers')",
         cinc.get("p_defenders_stronger")),
        (f"{name}.mean_depth", "mean escalation depth", sim["escalation_depth"]["mean"]),
    ]))
    parts.append(_table(f"{name}-responders", sim["responders"][:60],
                        ["state", "depth", "drawn_in_by", "alliance_id", "p_honour", "p_basis",
                         "p_responds", "mc_se"]))
    caps = [{"measure": m, "side": side, **v[side]} for m, v in sim["capabilities"].items()
            for side in ("defenders", "attackers", "defender_share")]
    parts.append(_table(f"{name}-capabilities", caps,
                        ["measure", "side", "mean", "q05", "q25", "q50", "q75", "q95"]))
    return "".join(parts)


def render_result_html(result: dict[str, Any]) -> str:
    """A scenario result (``ScenarioResult.to_dict()``) as one HTML document."""
    sc = result["scenario"]
    body = [f"<header><h1>{_e(sc['name'])}</h1><p>{_e(sc.get('description'))}</p>"
            f"<p class=note>Base year {_e(result['year'])}; alliance data basis "
            f"<b>{_e(result['basis'])}</b>.</p></header>"]
    body.append("<section data-section=changes><h2>Changes to the alliance system</h2>"
                + _table("changes", result.get("changes", []), ["kind", "alliance_id", "text"])
                + "</section>")
    sim = result.get("simulation") or {}
    if sim:
        att = result.get("attack") or {}
        body.append(f"<section data-section=attack><h2>Attack: {_e(', '.join(att.get('attackers', [])))}"
                    f" on {_e(att.get('target'))}</h2>"
                    f"<p>Bound for certain: {_e(', '.join(att.get('bound_certain', [])) or 'none')}."
                    f" May be bound: {_e(', '.join(att.get('bound_possible', [])) or 'none')}.</p>"
                    + _table("obligations", att.get("obligations", []),
                             ["state", "alliance", "kind", "verdict", "status", "basis"])
                    + "</section>")
        for name in ("scenario", "base"):
            if name in sim:
                body.append(f"<section data-section=simulation-{name}><h2>Simulation "
                            f"({name}, {sim[name]['draws']:,} draws, seed {sim[name]['seed']}, "
                            f"correlation {sim[name]['correlation']})</h2>"
                            + _simulation(sim[name], name) + "</section>")
    deltas = result.get("deltas") or {}
    if deltas:
        bound = deltas.get("bound") or {}
        body.append("<section data-section=deltas><h2>What changes against the base</h2>"
                    "<h3>Defence obligations gained</h3>"
                    + _table("bound-gained", bound.get("gained", []), ["defender", "defended"])
                    + "<h3>Defence obligations lost</h3>"
                    + _table("bound-lost", bound.get("lost", []), ["defender", "defended"])
                    + "<h3>Expected capability balance against rivals</h3>"
                    + _table("balances", [{"state": b["state"], "rival": b["rival"],
                                           "base_share": b["base"]["expected_share"],
                                           "scenario_share": b["scenario"]["expected_share"],
                                           "change": b["change_in_share"]}
                                          for b in deltas.get("balances", [])],
                             ["state", "rival", "base_share", "scenario_share", "change"]))
        net = deltas.get("network")
        if net and net.get("base"):
            body.append("<h3>Network</h3>" + _table(
                "network", [{"system": k, **net[k]} for k in ("base", "scenario")],
                ["system", "edges", "blocs", "modularity", "polarisation", "polarisation_cinc"]))
        sim_d = deltas.get("similarity")
        if sim_d:
            body.append(f"<h3>Alliance-portfolio similarity ({_e(sim_d['measure'])})</h3>"
                        + _table("similarity", sim_d["pairs"], ["a", "b", "base", "scenario",
                                                                 "change"]))
        risk = deltas.get("dispute_risk")
        if risk:
            body.append(f"<h3>Predicted dispute risk</h3><p class=note>{_e(risk['model'])}; "
                        f"{_e(risk['profile_rule'])}</p>" + _table(
                            "dispute-risk",
                            [{"a": r["a"], "b": r["b"],
                              "base": (r.get("base") or {}).get("probability"),
                              "scenario": (r.get("scenario") or {}).get("probability"),
                              "scenario_ci": [(r.get("scenario") or {}).get("conf_low"),
                                              (r.get("scenario") or {}).get("conf_high")],
                              "change": r.get("change")} for r in risk["dyads"]],
                            ["a", "b", "base", "scenario", "scenario_ci", "change"]))
        ent = deltas.get("entrapment")
        if ent and ent.get("exposure"):
            body.append("<h3>Entrapment exposure</h3>" + _table(
                "entrapment",
                [{"state": r["state"], "new_partner": r["new_partner"],
                  "armed_conflicts": [", ".join(c["opponents"]) for c in
                                      r["partner_armed_conflicts"]],
                  "dispute_opponents": [f"{d['opponent']} ({d['disputes']})" for d in
                                        r["partner_dispute_opponents"]]}
                 for r in ent["exposure"]],
                ["state", "new_partner", "armed_conflicts", "dispute_opponents"]))
        body.append("</section>")
    body.append("<section data-section=notes><h2>Notes</h2><ul>"
                + "".join(f"<li>{_e(n)}</li>" for n in result.get("notes", [])) + "</ul></section>")
    body.append("<section data-section=parameters><h2>Honouring parameters</h2>"
                + f"<p data-figure=parameter_table>Table: {_e(result['parameters'].get('table', ''))}"
                f" (version {_e(result['parameters'].get('version', ''))})</p>"
                + _table("parameters", result["parameters"].get("rows", []),
                         ["key", "value", "low", "high", "interval", "source", "note"])
                + "</section>")
    body.append("<section data-section=sources><h2>Sources</h2>" + _table(
        "sources", [{"table": k, "release": v} for k, v in result.get("sources", {}).items()],
        ["table", "release"]) + "<pre>" + _e("\n\n".join(result.get("references", [])))
        + "</pre></section>")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>'
            f'{_e(sc["name"])}</title><style>{_CSS}</style></head><body data-kind="scenario">'
            + "".join(body) + "</body></html>")


def write_report(document: dict[str, Any], path: Path, *, html_page: str | None = None) -> Path:
    """Write a result as ``.json``, ``.html`` or ``.pdf`` (all or nothing: a temporary file is
    renamed into place)."""
    check_output(path)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    try:
        if suffix == ".json":
            tmp.write_text(json.dumps(document, default=str, ensure_ascii=False, indent=1),
                           encoding="utf-8")
            tmp.replace(path)
        elif suffix == ".html":
            tmp.write_text(html_page or render_result_html(document), encoding="utf-8")
            tmp.replace(path)
        else:
            from foedus.assessment.brief import _print_pdf

            page = path.with_suffix(".html")
            page.write_text(html_page or render_result_html(document), encoding="utf-8")
            _print_pdf(page, tmp)
            tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def render_recommendation_html(doc: dict[str, Any]) -> str:
    """A recommendation (:func:`foedus.scenarios.recommend.recommend`) as one HTML document.

    Example:
        >>> page = render_recommendation_html({"state": "JPN", "objective": "capability",
        ...     "year": 2026, "options": [], "sensitivity": [], "parameters": {"rows": []},
        ...     "method": "m", "context": {}})
        >>> 'data-kind="recommendation"' in page
        True
    """
    rows = [{"rank": o["rank"], "partner": o["partner"], "instrument": o["instrument"],
             "score": o["score"], "interval": o["interval"], **o["factors"],
             "support_probability": o["inputs"]["support_probability"]}
            for o in doc["options"]]
    body = (f"<h1>Options for {_e(doc['state'])}: {_e(doc['objective'])}, {_e(doc['year'])}</h1>"
            f"<p class=note>{_e(doc['method'])}</p>"
            + _table("options", rows, ["rank", "partner", "instrument", "score", "interval",
                                       "gain", "political_distance", "entrapment", "regime",
                                       "support_probability"])
            + "<h2>Sensitivity</h2>"
            + _table("sensitivity", doc["sensitivity"], ["parameter", "at", "value",
                                                         "same_top_set", "top1"])
            + "<h2>Parameters</h2>"
            + _table("parameters", doc["parameters"].get("rows", []),
                     ["key", "value", "low", "high", "interval", "source", "note"]))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>foedus '
            f'recommendation</title><style>{_CSS}</style></head>'
            f'<body data-kind="recommendation">{body}</body></html>')
