/* Recommendations: /api/v1/recommend?state=&objective=&instruments=&year=&top= → ranked options
 * with factor contributions, intervals and the sensitivity check. */
"use strict";

(() => {
  const { h } = F;
  const fields = ["state", "objective", "instruments", "year", "top"];
  const p = F.params();
  for (const f of fields) if (p[f]) document.getElementById(f).value = p[f];
  F.stateDatalist("states-list");
  const out = (id) => F.clear(document.getElementById(id));

  async function run() {
    const values = Object.fromEntries(fields.map((f) => [f, document.getElementById(f).value.trim()]));
    F.setParams(values);
    if (!values.state || !values.objective) return;
    F.busy();
    let doc;
    try {
      F.loading(out("summary"));
      doc = await F.api("/recommend", values);
    } catch (error) {
      ["summary", "options", "sensitivity"].forEach(out);
      F.showError(out("error"), error);
      F.ready("error");
      return;
    }
    out("error");
    document.getElementById("title").textContent = `Options for ${doc.state}: ${doc.objective}, ${doc.year}`;
    const ctx = doc.context || {};
    out("summary").appendChild(h("div", { class: "card" },
      h("p", {}, doc.method),
      h("div", { class: "metrics" },
        F.metric("options ranked", doc.n_options, "n_options"),
        F.metric("top option score", doc.options.length ? doc.options[0].score : null, "top_score"),
        F.metric("variations keeping the top set", doc.sensitivity.filter((s) => s.same_top_set).length, "stable_variations")),
      F.notes([ctx.entrapment_data, ctx.political_distance_data, ctx.regime_data, `basis: ${doc.basis}`].filter(Boolean))));
    out("options").appendChild(h("div", { class: "card" }, h("h2", {}, "Ranked options"), F.table([
      { key: "rank", num: true },
      { key: "partner", render: (o) => F.link.state(o.partner, doc.year, o.partner) },
      { key: "instrument" },
      { key: "score", num: true },
      { key: "low", label: "interval low", num: true, render: (o) => o.interval[0] },
      { key: "high", label: "interval high", num: true, render: (o) => o.interval[1] },
      { key: "gain", num: true, render: (o) => o.factors.gain },
      { key: "political_distance", label: "distance", num: true, render: (o) => o.factors.political_distance },
      { key: "regime", num: true, render: (o) => o.factors.regime },
      { key: "entrapment", num: true, render: (o) => o.factors.entrapment },
      { key: "q", label: "support probability", num: true, render: (o) => o.inputs.support_probability },
    ], doc.options, { name: "options", rowKey: (o) => `${o.partner}-${o.instrument}` })));
    out("sensitivity").appendChild(h("div", { class: "card" }, h("h2", {}, "Sensitivity"), F.table([
      { key: "parameter" }, { key: "at" }, { key: "value", num: true },
      { key: "same_top_set", label: "same top set", render: (s) => String(s.same_top_set) },
      { key: "top1", label: "top option" },
    ], doc.sensitivity, { name: "sensitivity", rowKey: (s) => `${s.parameter}-${s.at}` })));
    F.ready(`recommend:${doc.state}:${doc.objective}`);
  }

  document.getElementById("controls").addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
  if (p.state && p.objective) run();
  else F.ready("form");
})();
