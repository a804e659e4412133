"""Impact briefs: a self-contained HTML (or PDF) report of an assessment.

:func:`write_brief` turns an :class:`~foedus.assessment.alliance.AllianceAssessment`,
:class:`~foedus.assessment.alliance.DyadAssessment`,
:class:`~foedus.assessment.alliance.PortfolioAssessment` or
:class:`~foedus.assessment.alliance.MissionAssessment` into one HTML file that needs no network:
plotly.js is inlined once (from the installed Plotly package), no script, stylesheet, image or
font is loaded from elsewhere.

**Traceability.** Every key figure is an element with ``data-figure`` (its name) and
``data-value`` (the exact number, ``repr`` of the float); every table is a ``<table
data-table=NAME data-sources=...>`` whose cells carry ``data-col`` and ``data-value`` and whose rows
carry ``data-year`` (or ``data-row``); every chart is a ``<figure data-chart=NAME
data-sources=...>`` drawn from the same frame as the table next to it; every section ends with
the source releases (``source version (table)``) it used. The references section lists every
source's citation, formatted from its BibTeX (:func:`foedus.bibtex_for`), and the BibTeX itself.
The text is generated from the numbers only (no claims beyond them).

**PDF** is printed from the HTML by a local headless Chromium (``chromium --headless
--print-to-pdf``) when one is installed; otherwise a :class:`~foedus.errors.FoedusError` says how
to get one.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import math
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import polars as pl

from foedus.errors import FoedusError

__all__ = ["chromium_path", "format_value", "parse_bibtex", "write_brief"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#1a1a1a;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
.sub{color:#555}.figures{display:flex;flex-wrap:wrap;gap:.6em;margin:1em 0}
.figures div{border:1px solid #ddd;border-radius:6px;padding:.5em .8em;min-width:10em}
.figures dt{font-size:.8em;color:#555}.figures dd{margin:0;font-size:1.25em;font-weight:600}
table{border-collapse:collapse;font-size:.82em;margin:.6em 0;width:100%}
th,td{border:1px solid #ddd;padding:.2em .4em;text-align:right}th{background:#f3f3f3}
td.t,th.t{text-align:left}.sources{font-size:.8em;color:#555}.note{font-size:.85em;color:#444}
details{margin:.5em 0}pre{white-space:pre-wrap;font-size:.75em;background:#f7f7f7;padding:.6em}
figure{margin:.8em 0}figcaption{font-size:.8em;color:#555}
.chart{height:340px}ol.refs li{margin-bottom:.4em}
@media print{.chart{height:300px}section{page-break-inside:auto}}
"""


# ---------------------------------------------------------------------------------------------
# formatting helpers
# ---------------------------------------------------------------------------------------------
def format_value(value: Any) -> str:
    """How a value is printed in a brief's tables (the exact value goes to ``data-value``).

    Example:
        >>> format_value(0.304598123), format_value(1234567.0), format_value(None), format_value(["A", "B"])
        ('0.3046', '1,234,567', '–', 'A, B')
    """
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return "–"
        if value == 0:
            return "0"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10000 else str(value)
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value) if value else "–"
    return str(value)


def _data_value(value: Any) -> str:
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple):
        return json.dumps([None if v is None else v for v in value], default=str)
    return str(value)


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def parse_bibtex(text: str) -> list[dict[str, str]]:
    """Entries of a BibTeX text as dicts (``type``, ``key`` and the fields, braces removed).

    Example:
        >>> parse_bibtex("@Article{k1, author = {Leeds, Brett}, year = {2002}, title = {{ATOP}}}")
        [{'type': 'article', 'key': 'k1', 'author': 'Leeds, Brett', 'year': '2002', 'title': 'ATOP'}]
    """
    entries: list[dict[str, str]] = []
    for m in re.finditer(r"@(\w+)\s*\{\s*([^,\s]+)\s*,", text):
        entry = {"type": m.group(1).lower(), "key": m.group(2)}
        i, depth, start = m.end(), 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        body = text[start : i - 1]
        j = 0
        while j < len(body):
            fm = re.compile(r"\s*,?\s*(\w+)\s*=\s*").match(body, j)
            if not fm:
                break
            name, j = fm.group(1).lower(), fm.end()
            if j < len(body) and body[j] == "{":
                depth, k = 1, j + 1
                while k < len(body) and depth:
                    depth += {"{": 1, "}": -1}.get(body[k], 0)
                    k += 1
                value, j = body[j + 1 : k - 1], k
            elif j < len(body) and body[j] == '"':
                k = body.index('"', j + 1)
                value, j = body[j + 1 : k], k + 1
            else:
                vm = re.compile(r"[^,]+").match(body, j)
                value = vm.group(0).strip() if vm else ""
                j = vm.end() if vm else len(body)
            entry[name] = re.sub(r"\s+", " ", value.replace("{", "").replace("}", "")).strip()
        entries.append(entry)
    return entries


def _citation(entry: dict[str, str]) -> str:
    parts = [entry.get("author") or entry.get("editor") or entry.get("organization") or "",
             f"({entry['year']})" if entry.get("year") else "",
             entry.get("title", "") + "."]  # fmt: skip
    venue = (entry.get("journal") or entry.get("booktitle") or entry.get("publisher")
             or entry.get("institution") or entry.get("howpublished") or "")  # fmt: skip
    if venue:
        vol = entry.get("volume", "")
        num = f"({entry['number']})" if entry.get("number") else ""
        pages = f": {entry['pages']}" if entry.get("pages") else ""
        parts.append(f"{venue} {vol}{num}{pages}".strip() + ".")
    if entry.get("note"):
        parts.append(entry["note"].rstrip(".") + ".")
    if entry.get("doi"):
        parts.append(f"doi:{entry['doi']}")
    if entry.get("url"):
        parts.append(entry["url"])
    return " ".join(p for p in parts if p and p != ".")


# ---------------------------------------------------------------------------------------------
# the document model
# ---------------------------------------------------------------------------------------------
class _Doc:
    def __init__(self, provenance: Any) -> None:
        self.parts: list[str] = []
        self.provenance = provenance
        self.charts = 0

    def add(self, text: str) -> None:
        self.parts.append(text)

    def para(self, text: str, cls: str = "") -> None:
        if text:
            self.add(f"<p{f' class={chr(34)}{cls}{chr(34)}' if cls else ''}>{_e(text)}</p>")

    def figures(self, figures: list[tuple[str, str, Any]]) -> None:
        items = "".join(
            f'<div data-figure="{_e(key)}" data-value="{_e(_data_value(value))}"><dt>{_e(label)}'
            f"</dt><dd>{_e(format_value(value))}</dd></div>"
            for key, label, value in figures
        )
        self.add(f'<dl class="figures">{items}</dl>')

    def sources(self, section: str) -> str:
        return "; ".join(self.provenance.labels(section))

    def table(
        self,
        name: str,
        df: pl.DataFrame,
        columns: Sequence[str],
        section: str,
        *,
        caption: str = "",
        key: str = "year",
        collapsed: bool = False,
    ) -> None:
        cols = [c for c in columns if c in df.columns]
        srcs = self.sources(section)
        head = "".join(f'<th class="{"t" if df.schema[c] in (pl.String,) or isinstance(df.schema[c], pl.List) else ""}">{_e(c)}</th>'  # noqa: E501
                       for c in cols)  # fmt: skip
        rows = []
        for row in df.select(cols).iter_rows(named=True):
            attr = f' data-{"year" if key == "year" else "row"}="{_e(_data_value(row.get(key)))}"' \
                if key in row else ""  # fmt: skip
            cells = "".join(
                f'<td data-col="{_e(c)}" data-value="{_e(_data_value(row[c]))}"'
                f"{' class=' + chr(34) + 't' + chr(34) if isinstance(row[c], str | list) else ''}>"
                f"{_e(format_value(row[c]))}</td>"
                for c in cols
            )
            rows.append(f"<tr{attr}>{cells}</tr>")
        cap = f"<caption>{_e(caption)}</caption>" if caption else ""
        table = (f'<table data-table="{_e(name)}" data-sources="{_e(srcs)}">{cap}<thead><tr>'
                 f'{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
                 f'<p class="sources">Table {_e(name)} — sources: {_e(srcs or "computed")}</p>')  # fmt: skip
        if collapsed:
            table = f"<details><summary>Table: {_e(caption or name)}</summary>{table}</details>"
        self.add(table)

    def chart(
        self,
        name: str,
        title: str,
        df: pl.DataFrame,
        x: str,
        series: Sequence[tuple[str, str]],
        section: str,
        *,
        kind: str = "line",
        y_title: str = "",
    ) -> None:
        import plotly.graph_objects as go

        series = [(c, label) for c, label in series if c in df.columns]
        if not series or df.height == 0:
            return
        fig = go.Figure()
        for col, label in series:
            xs = df[x].to_list()
            ys = [None if v is None or (isinstance(v, float) and math.isnan(v)) else v
                  for v in df[col].to_list()]  # fmt: skip
            if kind == "bar":
                fig.add_trace(go.Bar(x=xs, y=ys, name=label))
            else:
                fig.add_trace(go.Scatter(x=xs, y=ys, name=label, mode="lines+markers"))
        fig.update_layout(title=title, margin={"l": 50, "r": 20, "t": 40, "b": 40},
                          yaxis_title=y_title, template="simple_white",
                          legend={"orientation": "h"})  # fmt: skip
        self.charts += 1
        div = fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{name}",
                          config={"displaylogo": False, "responsive": True})  # fmt: skip
        srcs = self.sources(section)
        cols = ",".join(c for c, _ in series)
        self.add(f'<figure data-chart="{_e(name)}" data-columns="{_e(cols)}" '
                 f'data-sources="{_e(srcs)}"><div class="chart">{div}</div><figcaption>'
                 f"Figure: {_e(title)} — columns {_e(cols)}; sources: {_e(srcs or 'computed')}"
                 "</figcaption></figure>")  # fmt: skip

    def section(self, key: str, title: str) -> None:
        self.add(f'<section id="{_e(key)}" data-section="{_e(key)}"><h2>{_e(title)}</h2>')

    def end(self) -> None:
        self.add("</section>")


def _num(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{100 * value:.1f} %"


def _trend_text(row: dict[str, Any], label: str) -> str:
    if row.get("slope") is None:
        return f"{label}: too few years for a trend."
    p = row["p_value"]
    return (
        f"{label}: OLS slope {row['slope']:.3g} per year (SE {row['se']:.2g}, p = "
        f"{p:.2g}, {row['n']} years {row['first_year']}–{row['last_year']})."
    )


def _rows_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()


def _impact(doc: _Doc, assessment: Any) -> None:
    """The impact section (alliance: honouring record and exit hazard; dyad: instruments used
    and the designs' estimates), from the profile attached by
    :func:`foedus.impact.profile.attach_impact`; nothing when none is attached."""
    imp = getattr(assessment, "impact", None)
    if not imp:
        return
    t = imp.get("tables", {})
    doc.section("impact", "Impact: what the designs estimate (docs/impact.md)")
    if assessment.kind == "alliance":
        s = imp.get("summary", {})
        doc.figures([
            ("memberships", "ATOP memberships", s.get("memberships")),
            ("broken_early", "broken early (termmode 3)", s.get("broken_early")),
            ("war_cases", "promises invoked in COW wars", s.get("war_cases")),
        ])  # fmt: skip
        wars = t.get("honouring_wars") or []
        if wars:
            doc.para("Honouring in wars (alliance-war-member coding, ATOP conditions applied): " + "; ".join(
                f"{r['type']} {r['honoured']} of {r['cases']} ({_pct(r['rate'])}, Wilson 95% "
                f"{_pct(r['wilson_low'])}–{_pct(r['wilson_high'])})" for r in wars) + ".")
        else:
            doc.para("No COW war invoked an applicable promise of this alliance's members.")
        for name, cols, caption in (
            ("honouring_wars", ["type", "cases", "honoured", "rate", "wilson_low", "wilson_high",
                                "exact_low", "exact_high", "disputes"],
             "Honouring rates in COW wars (alliance-war-member coding; disputes = wars)"),
            ("relevance_wars", ["type", "invoked", "applies", "does_not_apply",
                                "cannot_be_judged", "cbj_honoured", "cbj_main_reason"],
             "Invoked promises in wars by verdict; 'cannot be judged' left out of the rates"),
            ("honouring_all_mids", ["type", "cases", "honoured", "rate", "wilson_low",
                                    "wilson_high", "disputes"],
             "Honouring rates in all COW MIDs (alliance-dispute-member coding)"),
            ("relevance_mids", ["type", "invoked", "applies", "does_not_apply",
                                "cannot_be_judged", "cbj_main_reason"],
             "Invoked promises in MIDs by verdict"),
            ("exit_hazard", ["feature", "this_alliance", "log_hr", "ci_low", "ci_high", "p", "n"],
             "Hazard of early exit: member-exit Cox model over all ATOP memberships (log HR, "
             "95% CI)"),
            ("members", ["member", "entered", "left", "how"], "Members and how they left"),
        ):  # fmt: skip
            frame = _rows_frame(t.get(name) or [])
            if frame.height:
                doc.table(name, frame, cols, "impact", caption=caption,
                          key="type" if "type" in frame.columns else "row",
                          collapsed=name == "members")  # fmt: skip
    else:
        inst = _rows_frame(t.get("instruments") or [])
        eff = _rows_frame(t.get("estimated_effects") or [])
        used = [r for r in t.get("instruments") or [] if r.get("first_year") is not None]
        doc.para("Instruments used: " + ("; ".join(f"{r['label']} {r['years_used']}"
                                                   for r in used) or "none in their coverage")
                 + ".")  # fmt: skip
        if inst.height:
            doc.table("impact_instruments", inst, ["treatment", "label", "coverage",
                                                   "years_used", "first_year", "covered_years"],
                      "impact", caption="Instruments between the pair, years used (null outside "
                      "each source's coverage)", key="treatment")  # fmt: skip
        if eff.height:
            doc.table("impact_effects", eff, ["treatment", "design", "part", "outcome", "term",
                                              "estimate", "ci_low", "ci_high", "n",
                                              "pretrend_p"], "impact",
                      caption="Average effects of the instruments this pair used, estimated "
                      "over all pairs (95% CI)", key="treatment")  # fmt: skip
        else:
            doc.para("No design estimates an instrument this pair used.")
    for note in imp.get("notes", []):
        doc.para(note, "note")
    doc.end()


# ---------------------------------------------------------------------------------------------
# sections per assessment
# ---------------------------------------------------------------------------------------------
def _alliance(doc: _Doc, a: Any) -> tuple[str, str]:
    k = a.key_figures()
    m = a.membership
    title = f"{a.name} ({a.alliance_id}), {a.start}–{a.end}"
    doc.figures([
        ("members_start", f"members {a.start}", k["members_start"]),
        ("members_end", f"members {a.end}", k["members_end"]),
        ("accessions", "accessions in period", k["accessions"]),
        ("cinc", f"pooled CINC {k['cinc_year']}", k["cinc"]),
        ("cinc_world_share", f"world share of CINC {k['cinc_year']}", k["cinc_world_share"]),
        ("idealpoint_sd_slope", "trend of ideal-point SD (per year)", k["idealpoint_sd_slope"]),
        ("alliance_milex_gdp", f"alliance milex/GDP {k['burden_year']}", k["alliance_milex_gdp"]),
        ("engagement_mean", f"mean engagement {k['engagement_year']}", k["engagement_mean"]),
    ])  # fmt: skip
    entered = [(r["year"], r["entered"]) for r in m.iter_rows(named=True) if r["entered"]]
    left = [(r["year"], r["left"]) for r in m.iter_rows(named=True) if r["left"]]
    doc.section("membership", "Membership and obligations")
    text = (f"The alliance had {k['members_start']} members in {a.start} and "
            f"{k['members_end']} in {a.end}.")  # fmt: skip
    if entered:
        text += " Entries: " + "; ".join(f"{y}: {', '.join(s)}" for y, s in entered) + "."
    if left:
        text += " Exits: " + "; ".join(f"{y}: {', '.join(s)}" for y, s in left) + "."
    doc.para(text)
    doc.para("Members and years come from ATOP 5.1 (entry dated by signature of the treaty or "
             "accession protocol), carried forward and changed by the curated facts after 2018. "
             "The with_* columns count members holding each obligation.", "note")  # fmt: skip
    doc.chart("membership", "Members per year", m, "year", [("members", "members")], "membership")
    doc.table("membership", m, ["year", "members", "entered", "left", "acceding", "with_defense",
                                "with_offense", "with_neutral", "with_nonagg", "with_consul",
                                "basis"], "membership")  # fmt: skip
    doc.end()

    legal = getattr(a, "legal_basis", None)
    if legal is not None:
        doc.section("legal", "Legal basis")
        doc.para("What the treaty says about its legal basis, secrecy, dispute settlement, "
                 "renunciation and duration, as ATOP codes it (ATOP Codebook v5.1; missing = ATOP "
                 "has not located the agreement).", "note")  # fmt: skip
        rows = pl.DataFrame([{"provision": c["title"], "code": c["code"],
                              "meaning": c["meaning"], "codebook": c["codebook"]}
                             for c in legal["codes"]],
                            schema={"provision": pl.String, "code": pl.Int64,
                                    "meaning": pl.String, "codebook": pl.String})  # fmt: skip
        doc.table("legal", rows, ["provision", "code", "meaning", "codebook"], "legal",
                  key="provision")
        doc.end()

    c = a.capability
    doc.section("capability", "Pooled capability")
    cap = c.filter(pl.col("cinc").is_not_null())
    if cap.height:
        f, lst = cap.row(0, named=True), cap.row(-1, named=True)
        doc.para(f"Members' combined CINC was {_num(f['cinc'])} in {f['year']} "
                 f"({_pct(f['cinc_share'])} of the world total) and {_num(lst['cinc'])} in "
                 f"{lst['year']} ({_pct(lst['cinc_share'])}).")  # fmt: skip
    if cap.height < c.height:
        doc.para(f"NMC has no capability data for {c.height - cap.height} of the years.", "note")
    doc.para("CINC and its components (NMC) summed over the year's members; world share = sum "
             "over members / sum over every state in NMC that year.", "note")  # fmt: skip
    doc.chart("capability", "Members' share of world CINC", c, "year",
              [("cinc_share", "share of world CINC")], "capability")  # fmt: skip
    doc.table("capability", c, ["year", "states", "states_with_cinc", "cinc", "world_cinc",
                                "cinc_share", "milex", "milex_share", "milper", "irst", "pec",
                                "tpop", "upop"], "capability")  # fmt: skip
    doc.end()

    doc.section("cohesion", "Cohesion")
    tr = {r["measure"]: r for r in a.cohesion_trend.to_dicts()}
    doc.para(" ".join([
        _trend_text(tr["idealpoint_sd"], "Standard deviation of members' UN ideal points"),
        _trend_text(tr["idealpoint_distance_mean"], "Mean pairwise ideal-point distance"),
        _trend_text(tr["similarity_sd"], "Standard deviation of pairwise alliance-portfolio "
                                         "similarity"),
        _trend_text(tr["similarity_distance_mean"], "Mean pairwise portfolio distance (1 − S)"),
    ]))  # fmt: skip
    doc.para("Lower spread means more cohesion. Similarity is Signorino–Ritter S "
             "(s_un_val_sq) of ATOP portfolios over the COW system (1816–2018 only); ideal points "
             "from Bailey, Strezhnev and Voeten. Members share the alliance itself, so portfolio "
             "similarity among them is high by construction.", "note")  # fmt: skip
    doc.chart("cohesion", "Spread of members' positions", a.cohesion, "year",
              [("idealpoint_sd", "SD of UN ideal points"),
               ("idealpoint_distance_mean", "mean pairwise ideal-point distance"),
               ("similarity_sd", "SD of pairwise portfolio similarity")], "cohesion")  # fmt: skip
    doc.table("cohesion", a.cohesion, ["year", "pairs", "pairs_with_similarity",
                                       "similarity_mean", "similarity_sd",
                                       "similarity_distance_mean", "members_with_idealpoint",
                                       "idealpoint_mean", "idealpoint_sd",
                                       "idealpoint_distance_mean"], "cohesion")  # fmt: skip
    doc.table("cohesion_trend", a.cohesion_trend, ["measure", "n", "first_year", "last_year",
                                                   "slope", "se", "p_value", "ci_low",
                                                   "ci_high"], "cohesion",
              caption="OLS trend (statsmodels) of each series on year", key="measure")  # fmt: skip
    doc.end()

    doc.section("burden", "Burden sharing")
    if a.burden is None:
        doc.para("; ".join(a.notes) or "Burden sharing not computed.")
    else:
        b = a.burden.years
        bl = b.filter(pl.col("total_milex").is_not_null())
        if bl.height:
            r = bl.row(-1, named=True)
            doc.para(f"In {r['year']}, members spent {_num(r['total_milex'], 6)} million constant "
                     f"2022 US$ (SIPRI), {_pct(r['alliance_milex_gdp'])} of their combined GDP; "
                     f"{r['meeting_2pct']} of {r['members']} members spent at least 2 % of GDP; "
                     f"the largest spender ({r['largest']}) accounted for "
                     f"{_pct(r['largest_share_milex'])} of the total.")  # fmt: skip
        doc.chart("burden", "Alliance military spending as a share of GDP", b, "year",
                  [("alliance_milex_gdp", "milex / GDP")], "burden")  # fmt: skip
        doc.table("burden", b, ["year", "members", "members_with_data", "total_milex",
                                "total_gdp", "alliance_milex_gdp", "meeting_2pct", "largest",
                                "largest_share_milex", "rho", "p_value"], "burden")  # fmt: skip
    doc.end()

    doc.section("engagement", "Engagement among members")
    e = a.engagement.filter(pl.col("engagement_mean").is_not_null())
    if e.height:
        doc.para(
            f"Mean engagement index over member pairs: {_num(e['engagement_mean'][0])} in "
            f"{e['year'][0]}, {_num(e['engagement_mean'][-1])} in {e['year'][-1]}."
        )
    doc.para("Engagement index (docs/engagement.md) on the reference model fitted on every "
             "dyad-year, without bootstrap. Values built from fewer instruments (DCAs and "
             "exercises end in 2010) are shrunk toward 0: compare years with like coverage.",
             "note")  # fmt: skip
    doc.chart("engagement", "Mean engagement among member pairs", a.engagement, "year",
              [("engagement_mean", "mean engagement")], "engagement")  # fmt: skip
    doc.table("engagement", a.engagement, ["year", "pairs", "pairs_covered", "engagement_mean",
                                           "engagement_sd"], "engagement")  # fmt: skip
    doc.end()

    doc.section("event_study", "Disputes with outsiders around accession")
    info = a.event_info
    cov = info["coverage"]
    studied = a.accessions.filter(pl.col("in_system_before"))
    doc.para(
        f"{studied.height} accessions by states already in the COW system the year before "
        f"are studied (window {info['window'][0]}…+{info['window'][1]} years). Mean MID "
        f"onsets with non-members per accession-year: GML {_num(info['gml']['pre_mean'])} "
        f"before (n = {info['gml']['pre_n']}) and {_num(info['gml']['post_mean'])} after "
        f"(n = {info['gml']['post_n']}); COW {_num(info['cow']['pre_mean'])} before "
        f"(n = {info['cow']['pre_n']}) and {_num(info['cow']['post_mean'])} after "
        f"(n = {info['cow']['post_n']}). A descriptive comparison, not a causal estimate."
    )
    doc.para(f"Coverage: GML MIDs {cov['gml']}, COW MIDs {cov['cow']}; years outside coverage, "
             "or before the state entered the system, are null and left out of the means. The "
             "accession year is ATOP's entry date (signature of the accession protocol).",
             "note")  # fmt: skip
    doc.chart("event_study", "Mean MID onsets with non-members by year relative to accession",
              a.event_summary, "rel", [("gml_mean", "GML MIDs"), ("cow_mean", "COW MIDs")],
              "event_study", kind="bar")  # fmt: skip
    doc.table("accessions", a.accessions, ["ccode", "abb", "year", "in_system_before",
                                           "rejoined"], "membership", key="abb")  # fmt: skip
    doc.table("event_summary", a.event_summary, ["rel", "accessions", "gml_covered",
                                                 "gml_total", "gml_mean", "cow_covered",
                                                 "cow_total", "cow_mean"], "event_study",
              key="rel")  # fmt: skip
    doc.table("event_study", a.event_study, ["abb", "accession", "rel", "year", "in_system",
                                             "outsiders", "gml_onsets", "cow_onsets"],
              "event_study", key="year", collapsed=True,
              caption="Every accession-year of the window")  # fmt: skip
    doc.end()
    _impact(doc, a)
    return title, f"Alliance assessment: {a.name}"


def _dyad(doc: _Doc, d: Any) -> tuple[str, str]:
    k = d.key_figures()
    t = d.timeline
    title = f"{d.a['name']} – {d.b['name']}, {d.start}–{d.end}"
    doc.figures([
        ("alliance_years", "years in a shared alliance", k["alliance_years"]),
        ("defense_years", "years with a defence pledge", k["defense_years"]),
        ("gml_onsets", "GML MID onsets", k["gml_onsets"]),
        ("arms_tiv_a_to_b", f"arms TIV {d.a['abb']}→{d.b['abb']}", k["arms_tiv_a_to_b"]),
        ("cinc_ratio", f"CINC ratio {d.a['abb']}/{d.b['abb']} {k['cinc_year']}", k["cinc_ratio"]),
        ("engagement", f"engagement {k['engagement_year']}", k["engagement"]),
    ])  # fmt: skip
    doc.section("alliances", "Shared alliances")
    if d.alliances.height:
        doc.para("; ".join(f"{r['name']} ({r['first_year']}–{r['last_year']}): "
                           f"{d.a['abb']} {', '.join(r['obligations_a']) or 'none'}, "
                           f"{d.b['abb']} {', '.join(r['obligations_b']) or 'none'}"
                           for r in d.alliances.iter_rows(named=True)) + ".")  # fmt: skip
    else:
        doc.para("The two states share no alliance in these years.")
    doc.table("alliances", d.alliances, ["alliance_id", "name", "first_year", "last_year",
                                         "obligations_a", "obligations_b", "basis"],
              "alliances", key="alliance_id")  # fmt: skip
    doc.end()
    doc.section("timeline", "Relationship year by year")
    s = d.summary
    doc.para(f"GML MID onsets: {_num(s['disputes']['gml']['onsets'])} (coverage "
             f"{s['disputes']['gml']['covered']}); COW MID onsets: "
             f"{_num(s['disputes']['cow']['onsets'])} (coverage {s['disputes']['cow']['covered']}); "
             f"arms transfers {d.a['abb']}→{d.b['abb']} {_num(s['arms']['a_to_b']['tiv'])} TIV, "
             f"{d.b['abb']}→{d.a['abb']} {_num(s['arms']['b_to_a']['tiv'])} TIV.")  # fmt: skip
    doc.chart(
        "engagement", "Engagement index", t, "year", [("engagement", "engagement")], "timeline"
    )
    doc.chart("capability", "Capabilities (CINC)", t, "year",
              [("cinc_a", d.a["abb"]), ("cinc_b", d.b["abb"])], "capability")  # fmt: skip
    doc.chart("alignment", "Alignment", t, "year",
              [("s_un_val_sq", "portfolio similarity S"),
               ("idealpointdist", "UN ideal-point distance")], "timeline")  # fmt: skip
    doc.table("timeline", t, ["year", "alliances", "obligations_ab", "obligations_ba",
                              "arms_tiv_ab", "arms_tiv_ba", "dca_active", "jme_joint",
                              "mme_joint", "us_troops", "us_training_students", "us_visits",
                              "pko_codeployed", "gml_onset", "cow_onset", "s_un_val_sq",
                              "idealpointdist", "engagement", "cinc_a", "cinc_b", "cinc_pooled",
                              "cinc_ratio"], "timeline")  # fmt: skip
    doc.end()
    _arms_control_dyad(doc, d)
    _impact(doc, d)
    return title, f"Dyad assessment: {d.name}"


def _arms_control_dyad(doc: _Doc, d: Any) -> None:
    """The dyad brief's arms-control section (skipped when the treaty data are not imported)."""
    t = getattr(d, "arms_control", None)
    if t is None or t.height == 0:
        return
    a, b = d.a["abb"], d.b["abb"]
    last = t.row(-1, named=True)
    doc.section("arms_control", "Arms control")
    doc.para(f"In {last['year']}: {a} NPT {last['npt_a'] or 'n/a'}, CTBT {last['ctbt_a'] or 'n/a'}, "
             f"TPNW {last['tpnw_a'] or 'n/a'}; {b} NPT {last['npt_b'] or 'n/a'}, CTBT "
             f"{last['ctbt_b'] or 'n/a'}, TPNW {last['tpnw_b'] or 'n/a'}. Both were party to "
             f"{_num(last['joint_party'])} of the global arms-control treaties whose status is known "
             "that year; "
             f"similarity of their treaty portfolios S = {_num(last['s_treaties'])} "
             "(status on 31 December; rules in docs/arms-control.md).")  # fmt: skip
    doc.chart("arms_control", "Treaty-portfolio similarity and joint membership", t, "year",
              [("s_treaties", "portfolio similarity S"), ("joint_party", "treaties both party to")],
              "arms_control")  # fmt: skip
    doc.table("arms_control", t, t.columns, "arms_control", collapsed=True,
              caption="Treaty status of both states per year")
    doc.end()


def _arms_control_state(doc: _Doc, p: Any) -> None:
    """The state brief's arms-control section (skipped when the treaty data are not imported)."""
    t = getattr(p, "arms_control", None)
    if t is None or t.height == 0:
        return
    last = t.row(-1, named=True)
    doc.section("arms_control", "Arms control and nuclear status")
    statuses = ", ".join(f"{k.upper()} {last[k] or 'n/a'}" for k in
                         ("npt", "ctbt", "bwc", "cwc", "ottawa", "att", "tpnw"))  # fmt: skip
    doc.para(f"In {last['year']}: {statuses}; party to {_num(last['regimes_party'])} of "
             f"{_num(last['regimes_known'])} global arms-control treaties with known status"
             + (f"; nuclear weapons status {last['nuclear_status']} (0 none … 3 possessing)"
                if last.get("nuclear_status") is not None else "") + ".")  # fmt: skip
    doc.chart("regimes", "Arms-control treaties joined", t, "year",
              [("regimes_party", "party"), ("regimes_signed", "signatory only")], "arms_control")
    doc.table("arms_control", t, t.columns, "arms_control", collapsed=True,
              caption="Treaty status and nuclear status per year")
    doc.end()


def _portfolio(doc: _Doc, p: Any) -> tuple[str, str]:
    k = p.key_figures()
    title = f"{p.state['name']} ({p.state['abb']}): alliance portfolio, {p.start}–{p.end}"
    doc.figures([
        ("alliances_end", f"alliances {p.end}", k["alliances_end"]),
        ("partners_end", f"partners {p.end}", k["partners_end"]),
        ("defenders_end", f"defenders {p.end}", k["defenders_end"]),
        ("defenders_cinc", f"defenders' CINC {k['cinc_year']}", k["defenders_cinc"]),
        ("engagement_mean", f"mean engagement {k['engagement_year']}", k["engagement_mean"]),
    ])  # fmt: skip
    doc.section("portfolio", "Alliances, partners and defenders")
    doc.para(
        f"{p.state['name']} had {k['alliances_start']} alliances and {k['partners_start']} "
        f"partners in {p.start}, {k['alliances_end']} and {k['partners_end']} in {p.end}; "
        f"{k['defenders_end']} partners were pledged to defend it in {p.end}."
    )
    doc.chart("portfolio", "Partners and defenders", p.years, "year",
              [("partners", "partners"), ("defenders", "defenders")], "alliances")  # fmt: skip
    doc.table("portfolio", p.years, ["year", "alliances", "partners", "defenders",
                                     "with_defense", "with_offense", "with_neutral",
                                     "with_nonagg", "with_consul", "defenders_cinc",
                                     "defenders_cinc_share", "own_cinc"], "alliances")  # fmt: skip
    doc.para(
        "Pooled CINC of defenders: sum over partners with a defence obligation toward the "
        f"state (NMC; sources: {doc.sources('capability')}).",
        "note",
    )
    doc.table("alliances", p.alliances, ["year", "alliance_id", "name", "status", "basis",
                                         "obligations", "partners"], "alliances",
              collapsed=True, caption="Alliance-years")  # fmt: skip
    doc.end()
    doc.section("engagement", "Engagement with partners")
    doc.chart("engagement", "Mean engagement with partners", p.engagement, "year",
              [("engagement_mean", "mean engagement")], "engagement")  # fmt: skip
    doc.table("engagement", p.engagement, ["year", "pairs", "pairs_covered", "engagement_mean",
                                           "engagement_sd"], "engagement")  # fmt: skip
    doc.end()
    _arms_control_state(doc, p)
    return title, f"Portfolio assessment: {p.state['abb']}"


def _mission(doc: _Doc, m: Any) -> tuple[str, str]:
    k = m.key_figures()
    title = f"{m.mission} ({m.organisation}) in {m.host}, {m.start}–{m.end}"
    doc.figures([
        ("years_observed", "years observed", k["years_observed"]),
        ("peak_troops", f"peak monthly troops ({k['peak_year']})", k["peak_troops"]),
        ("troops_mean_last", f"mean monthly troops {k['last_year']}", k["troops_mean_last"]),
    ])  # fmt: skip
    doc.section("personnel", "Personnel per year")
    doc.para(
        f"{m.mission} is recorded in {m.host} for {k['years_observed']} years; troops "
        f"peaked at {_num(k['peak_troops'], 6)} in a month of {k['peak_year']}."
    )
    for note in m.notes:
        doc.para(note, "note")
    doc.chart("personnel", "Mean monthly personnel", m.years, "year",
              [("troops_mean", "troops"), ("police_mean", "police"),
               ("observers_mean", "observers")], "personnel")  # fmt: skip
    doc.table("personnel", m.years, ["year", "months", "troops_mean", "troops_max",
                                     "police_mean", "observers_mean", "totals_mean",
                                     "totals_max"], "personnel")  # fmt: skip
    doc.end()
    if m.contributors is not None:
        doc.section("contributors", "Contributors")
        doc.table("contributors", m.contributors, list(m.contributors.columns), "contributors")
        doc.end()
    return title, f"Peace-operation brief: {m.mission}"


_BUILDERS: dict[str, Callable[[_Doc, Any], tuple[str, str]]] = {
    "alliance": _alliance, "dyad": _dyad, "portfolio": _portfolio, "mission": _mission,
}  # fmt: skip


def render_html(assessment: Any) -> str:
    """The brief of ``assessment`` as one self-contained HTML document (a string).

    Example:
        >>> from foedus.assessment import assess_alliance
        >>> page = render_html(assess_alliance("NATO", 1990, 2018, warehouse="wh.duckdb"))  # doctest: +SKIP
        >>> 'data-table="membership"' in page  # doctest: +SKIP
        True
    """
    import plotly.offline

    from foedus import __version__

    kind = getattr(assessment, "kind", None)
    if kind not in _BUILDERS:
        raise FoedusError(f"cannot write a brief for {type(assessment).__name__}",
                          fix="pass the result of assess_alliance, assess_dyad, assess_portfolio "
                              "or assess_mission")  # fmt: skip
    doc = _Doc(assessment.provenance)
    title, heading = _BUILDERS[kind](doc, assessment)
    body = "\n".join(doc.parts)
    notes = "".join(f"<li>{_e(n)}</li>" for n in getattr(assessment, "notes", ()))
    bib, keys = assessment.provenance.bibtex()
    entries = parse_bibtex(bib)
    refs = "".join(f'<li data-key="{_e(e["key"])}">{_e(_citation(e))}</li>' for e in entries)
    prov = assessment.provenance.frame()
    prov_rows = "".join(
        "<tr>" + "".join(f'<td class="t">{_e(v)}</td>' for v in r) + "</tr>"
        for r in prov.iter_rows()
    )
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    plotly_js = plotly.offline.get_plotlyjs() if doc.charts else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="generator" content="foedus {_e(__version__)}">
<title>{_e(heading)}</title><style>{_CSS}</style>
{f'<script type="text/javascript">{plotly_js}</script>' if plotly_js else ""}
</head><body data-kind="{_e(kind)}">
<header><h1>{_e(heading)}</h1><p class="sub">{_e(title)}. Generated by foedus
{_e(__version__)} on {_e(now)} from the local warehouse; every number below is traced to
its source tables (listed under each table and chart, and in full at the end).</p></header>
{body}
<section id="notes" data-section="notes"><h2>Notes and caveats</h2>
<ul>{notes or "<li>None.</li>"}</ul></section>
<section id="provenance" data-section="provenance"><h2>Sources used</h2>
<table data-table="provenance"><thead><tr><th class="t">section</th><th class="t">source</th>
<th class="t">version</th><th class="t">table</th><th class="t">file</th><th class="t">purpose</th>
</tr></thead><tbody>{prov_rows}</tbody></table></section>
<section id="references" data-section="references"><h2>References</h2>
<ol class="refs">{refs}</ol>
<details><summary>BibTeX</summary><pre>{_e(bib)}</pre></details></section>
</body></html>
"""


def chromium_path() -> str | None:
    """The local Chromium/Chrome executable used for PDF, or None.

    Example:
        >>> chromium_path() is None or isinstance(chromium_path(), str)
        True
    """
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _print_pdf(html_path: Path, pdf_path: Path) -> None:
    exe = chromium_path()
    if exe is None:
        raise FoedusError(
            "no PDF route is available: PDF briefs are printed by a local headless Chromium",
            fix="install Chromium (Debian/Ubuntu: apt-get install chromium), or write the HTML "
            "brief (-o brief.html) and print it to PDF from a browser",
        )
    with tempfile.TemporaryDirectory() as profile:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-pdf-header-footer", f"--user-data-dir={profile}",
               "--run-all-compositor-stages-before-draw", "--virtual-time-budget=20000",
               f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]  # fmt: skip
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise FoedusError(
                f"Chromium could not print the PDF: {exc}",
                fix="write the HTML brief and print it from a browser",
            ) from exc
    if done.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise FoedusError(
            f"Chromium could not print the PDF (exit {done.returncode})",
            where=exe,
            fix="write the HTML brief and print it from a browser; stderr: "
            + done.stderr.strip()[-300:],
        )


def write_brief(
    assessment: Any,
    path: str | Path,
    *,
    fmt: Literal["html", "pdf"] | None = None,
) -> Path:
    """Write the brief of an assessment to ``path`` (HTML, or PDF via headless Chromium).

    ``fmt`` defaults to the file's extension (``.pdf`` → PDF, anything else → HTML). A PDF is
    printed from the HTML (written next to it as ``NAME.html``) by a local Chromium; without one a
    :class:`~foedus.errors.FoedusError` says how to get PDF.

    Example:
        >>> from foedus.assessment import assess_dyad
        >>> d = assess_dyad("USA", "JPN", 1990, 2018, warehouse="wh.duckdb")  # doctest: +SKIP
        >>> write_brief(d, "/tmp/usa-jpn.html").name  # doctest: +SKIP
        'usa-jpn.html'
    """
    path = Path(path)
    if fmt is None:
        fmt = brief_format(path)
    if fmt not in ("html", "pdf"):
        raise FoedusError(f"unknown brief format '{fmt}'", fix="use html or pdf")
    page = render_html(assessment)
    if path.is_dir():
        raise FoedusError("the output path is a folder", where=str(path),
                          fix="give a file name inside it")  # fmt: skip
    tmp = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "html":
            tmp.write_text(page, encoding="utf-8")
            tmp.replace(path)
            return path
        html_path = path.with_suffix(".html")
        html_path.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise FoedusError(f"cannot write the brief ({exc.strerror or exc})", where=str(path),
                          fix="choose a path you can write to") from None  # fmt: skip
    finally:
        tmp.unlink(missing_ok=True)
    _print_pdf(html_path, path)
    return path


def print_pdf(html_path: Path, pdf_path: Path) -> None:
    """Print a self-contained HTML file to PDF with the local headless Chromium.

    Example:
        >>> print_pdf(Path("brief.html"), Path("brief.pdf"))  # doctest: +SKIP
    """
    _print_pdf(html_path, pdf_path)
def brief_format(path: str | Path) -> Literal["html", "pdf"]:
    """The brief format a file name asks for: ``.html``/``.htm`` → HTML, ``.pdf`` → PDF; any other
    extension is refused (a brief is never written under a name that promises another format).

    Example:
        >>> brief_format("nato.pdf"), brief_format("nato.HTML")
        ('pdf', 'html')
        >>> brief_format("nato.docx")
        Traceback (most recent call last):
        ...
        foedus.errors.FoedusError: nato.docx: cannot write '.docx' briefs. Fix: end the output name with .html or .pdf
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".pdf":
        return "pdf"
    if suffix in (".html", ".htm"):
        return "html"
    raise FoedusError(f"cannot write '{suffix or 'no extension'}' briefs", where=str(path),
                      fix="end the output name with .html or .pdf")  # fmt: skip
