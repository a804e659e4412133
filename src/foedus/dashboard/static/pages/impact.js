/* Impact designs: /api/v1/impact (designs) and /api/v1/impact/designs/{name} → estimates table,
 * event-study plot with 95% CIs; honouring-rates (wars by type and era, Wilson CIs) and member-exit
 * (Kaplan–Meier curves with CIs) are drawn on every view. */
"use strict";

(() => {
  const { h } = F;
  const form = document.getElementById("controls");
  const select = document.getElementById("design");
  const p = F.params();
  const out = (id) => F.clear(document.getElementById(id));

  function eventStudy(rows, box) {
    if (!rows || !rows.length) {
      Plotly.purge(box);
      F.clear(box).appendChild(h("p", {}, "This design has no event study."));
      return Promise.resolve();
    }
    const x = rows.map((r) => r.rel);
    const y = rows.map((r) => r.estimate);
    return Plotly.react(box, [{
      type: "scatter", mode: "markers+lines", name: "estimate", x, y,
      error_y: { type: "data", symmetric: false, array: rows.map((r) => r.ci_high - r.estimate),
        arrayminus: rows.map((r) => r.estimate - r.ci_low) },
      hovertemplate: "relative year %{x}: %{y:.4g}<extra></extra>",
    }], {
      margin: { l: 60, r: 10, t: 10, b: 40 }, height: 340, showlegend: false,
      xaxis: { title: { text: "years since onset" }, zeroline: false },
      yaxis: { title: { text: "effect on the outcome" } },
      shapes: [{ type: "line", x0: -0.5, x1: -0.5, yref: "paper", y0: 0, y1: 1, line: { dash: "dot", width: 1 } },
        { type: "line", xref: "paper", x0: 0, x1: 1, y0: 0, y1: 0, line: { width: 1 } }],
    }, F.plotConfig);
  }

  function honouring(rows, box) {
    const types = [...new Set(rows.map((r) => r.type))];
    const traces = types.map((t) => {
      const sub = rows.filter((r) => r.type === t);
      return { type: "bar", name: t, x: sub.map((r) => r.era), y: sub.map((r) => r.rate),
        customdata: sub.map((r) => r.cases),
        error_y: { type: "data", symmetric: false, array: sub.map((r) => r.wilson_high - r.rate),
          arrayminus: sub.map((r) => r.rate - r.wilson_low) },
        hovertemplate: `${t} %{x}: %{y:.1%} of %{customdata} cases<extra></extra>` };
    });
    return Plotly.react(box, traces, { barmode: "group", height: 340, margin: { l: 60, r: 10, t: 10, b: 40 },
      yaxis: { title: { text: "share honoured" }, tickformat: ".0%", range: [0, 1.05] } }, F.plotConfig);
  }

  function survival(rows, box) {
    const kinds = [...new Set(rows.map((r) => r.obligation))];
    const traces = kinds.map((k) => {
      const sub = rows.filter((r) => r.obligation === k);
      return { type: "scatter", mode: "lines", line: { shape: "hv" }, name: k, x: sub.map((r) => r.years),
        y: sub.map((r) => r.survival), hovertemplate: `${k}, %{x} years: %{y:.3f}<extra></extra>` };
    });
    return Plotly.react(box, traces, { height: 340, margin: { l: 60, r: 10, t: 10, b: 40 },
      xaxis: { title: { text: "years since entry" } }, yaxis: { title: { text: "not broken early" }, range: [0, 1.02] } },
    F.plotConfig);
  }

  const ESTIMATE_COLUMNS = ["part", "treatment", "outcome", "term", "estimate", "ci_low", "ci_high", "p", "n", "pretrend_p", "placebo_p"];

  async function run() {
    const design = select.value;
    F.setParams({ design });
    F.busy();
    F.loading(out("summary"));
    out("details");
    let doc, rates, exit;
    try {
      [doc, rates, exit] = await Promise.all([
        F.api(`/impact/designs/${encodeURIComponent(design)}`),
        F.api("/impact/designs/honouring-rates"),
        F.api("/impact/designs/member-exit"),
      ]);
    } catch (error) {
      out("summary");
      F.showError(out("error"), error);
      F.ready("error");
      return;
    }
    out("error");
    document.getElementById("title").textContent = doc.title;
    out("summary").appendChild(h("div", { class: "card" }, h("p", {}, doc.question), h("p", {}, doc.sample),
      h("ul", {}, doc.specification.map((s) => h("li", {}, s))), F.notes(doc.notes)));
    const cols = ESTIMATE_COLUMNS.map((k) => ({ key: k, label: k.replace(/_/g, " "),
      num: !["part", "treatment", "outcome", "term"].includes(k) }));
    out("details").appendChild(h("div", { class: "card" }, h("h2", {}, "Estimates (95% CI)"),
      F.table(cols, doc.estimates, { name: "estimates", rowKey: (r) => `${r.part}:${r.outcome}:${r.term}` })));
    await Promise.all([
      eventStudy((doc.tables || {}).event_study, document.getElementById("eventstudy")),
      honouring(rates.tables.by_type_era_war, document.getElementById("honouring")),
      survival(exit.tables.kaplan_meier_curves, document.getElementById("survival")),
    ]);
    F.ready(`impact:${design}`);
  }

  F.api("/impact").then((index) => {
    for (const d of index.designs) select.appendChild(h("option", { value: d.name }, d.name));
    select.value = p.design || "dca-alignment";
    form.addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
    if (p.design) run(); else F.ready("form");
  }).catch((error) => { F.showError(out("error"), error); F.ready("error"); });
})();
