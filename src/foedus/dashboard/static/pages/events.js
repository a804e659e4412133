/* Events monitor: /api/v1/events/dyads/{a}/{b} → monthly cooperation/conflict with anomalies. */
"use strict";

(() => {
  const { h } = F;
  const form = document.getElementById("controls");
  const p = F.params();
  for (const key of ["a", "b", "from", "to", "source"]) if (p[key]) document.getElementById(key).value = p[key];
  const $ = (id) => document.getElementById(id);

  function chart(doc) {
    const months = doc.months.filter((m) => m.covered);
    const x = months.map((m) => m.month);
    const anomalies = months.filter((m) => m.anomaly);
    const traces = [
      { type: "bar", name: "cooperation index", x, y: months.map((m) => m.cooperation), marker: { color: "#1f6f43" } },
      { type: "bar", name: "conflict index", x, y: months.map((m) => m.conflict), marker: { color: "#8c2d19" } },
      { type: "scatter", mode: "markers", name: "anomaly (conflict z ≥ 2)", x: anomalies.map((m) => m.month),
        y: anomalies.map((m) => m.conflict), marker: { color: "#d00", size: 14, symbol: "triangle-down" },
        customdata: anomalies.map((m) => m.conflict_z), hovertemplate: "%{x}: z = %{customdata}<extra></extra>" },
    ];
    Plotly.react($("chart"), traces, {
      barmode: "group", margin: { l: 55, r: 10, t: 10, b: 40 }, height: 340, legend: { orientation: "h", y: 1.15 },
      yaxis: { title: { text: "Goldstein-weighted index" }, rangemode: "tozero" }, xaxis: { title: { text: "month" }, type: "category" },
    }, F.plotConfig);
  }

  function table(doc) {
    return F.table([
      { key: "month", label: "month" },
      { key: "cooperation_events", label: "cooperation events", num: true },
      { key: "cooperation", label: "cooperation index", num: true },
      { key: "conflict_events", label: "conflict events", num: true },
      { key: "conflict", label: "conflict index", num: true },
      { key: "conflict_z", label: "conflict z", num: true },
      { key: "anomaly", label: "anomaly", render: (m) => (m.covered ? (m.anomaly ? F.tag("anomaly", "status") : "") : "no data") },
    ], doc.months, { name: "months", rowKey: (m) => m.month });
  }

  async function run() {
    const values = Object.fromEntries(["a", "b", "from", "to", "source"].map((k) => [k, $(k).value.trim()]));
    F.setParams(values);
    if (!values.a || !values.b) { F.ready("form"); return; }
    F.busy();
    F.loading(F.clear($("table")));
    let doc;
    try {
      doc = await F.api(`/events/dyads/${encodeURIComponent(values.a)}/${encodeURIComponent(values.b)}`,
        { from: values.from, to: values.to, source: values.source });
    } catch (error) {
      F.clear($("table"));
      Plotly.purge($("chart"));
      F.showError(F.clear($("error")), error);
      F.ready("error");
      return;
    }
    F.clear($("error"));
    $("title").textContent = `Events monitor: ${doc.a.name}–${doc.b.name}`;
    chart(doc);
    const cov = doc.coverage ? `Source coverage: ${doc.coverage[0]} to ${doc.coverage[1]}; months outside it have no data (not 0).` : "";
    F.clear($("table")).appendChild(h("div", { class: "card" }, h("h2", {}, "Months"), h("p", { class: "notes" }, cov),
      table(doc), h("p", { class: "sources" }, `Source: ${doc.provenance.source} ${doc.provenance.version} (table ${doc.provenance.table}); engine ${doc.engine}.`)));
    F.ready(`events:${doc.a.name}-${doc.b.name}`);
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
  run();
})();
