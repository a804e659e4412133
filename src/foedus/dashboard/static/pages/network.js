/* Alliance network of a year: /api/v1/network?year=&obligation= (nodes, edges, metrics). */
"use strict";

(() => {
  const { h } = F;
  const p = F.params();
  const slider = document.getElementById("year");
  const yearBox = document.getElementById("year-number");
  const box = document.getElementById("obligations");
  const chart = document.getElementById("chart");
  const errorBox = document.getElementById("error");

  const chosen = new Set((p.obligation || p.obligations || F.OBLIGATIONS.join(",")).split(",").filter((o) => F.OBLIGATIONS.includes(o)));
  for (const o of F.OBLIGATIONS) {
    box.appendChild(h("label", {}, h("input", { type: "checkbox", name: "obligation", value: o, checked: chosen.has(o) }), F.OBLIGATION_LABELS[o]));
  }
  const initialYear = Number(p.year) || 1985;
  // Years: 1816 (ATOP in the COW system) to this year (after 2018: ATOP carried forward + curated changes).
  slider.max = yearBox.max = String(new Date().getFullYear());
  slider.value = yearBox.value = String(initialYear);

  const positions = new Map(); // ccode -> [x, y], kept across years so the network moves, not jumps
  let seq = 0;

  const nodeId = (n) => F.pick(n, "ccode", "id", "node");
  const endpoints = (e) => Array.isArray(e) ? [e[0], e[1]] : [F.pick(e, "source", "ccode1", "a", "from"), F.pick(e, "target", "ccode2", "b", "to")];
  const nodeLabel = (n) => F.abbOf(n) || String(nodeId(n));

  function hash(x) {
    let s = Math.imul(Number(x) + 1013, 2654435761) >>> 0;
    s ^= s >>> 15;
    return (s % 10000) / 10000;
  }

  /** Fruchterman–Reingold with gravity, warm-started from the previous year's positions. */
  function layout(nodes, edges) {
    const ids = nodes.map(nodeId);
    const index = new Map(ids.map((id, i) => [id, i]));
    const n = ids.length;
    const x = new Float64Array(n), y = new Float64Array(n);
    let warm = 0;
    ids.forEach((id, i) => {
      const old = positions.get(id);
      if (old) { x[i] = old[0]; y[i] = old[1]; warm += 1; }
      else { x[i] = hash(id) * 2 - 1; y[i] = hash(id * 7 + 3) * 2 - 1; }
    });
    const links = [];
    for (const e of edges) {
      const [a, b] = endpoints(e);
      if (index.has(a) && index.has(b) && a !== b) links.push([index.get(a), index.get(b)]);
    }
    const k = Math.sqrt(4 / Math.max(n, 1));
    const iterations = warm > n / 2 ? 60 : 220;
    let t = warm > n / 2 ? 0.05 : 0.2;
    const dx = new Float64Array(n), dy = new Float64Array(n);
    for (let it = 0; it < iterations; it++) {
      dx.fill(0); dy.fill(0);
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          let ddx = x[i] - x[j], ddy = y[i] - y[j];
          let d2 = ddx * ddx + ddy * ddy;
          if (d2 < 1e-9) { ddx = 1e-3 * (i - j); ddy = 1e-3; d2 = ddx * ddx + ddy * ddy; }
          const f = (k * k) / d2;
          dx[i] += ddx * f; dy[i] += ddy * f; dx[j] -= ddx * f; dy[j] -= ddy * f;
        }
      }
      for (const [a, b] of links) {
        const ddx = x[a] - x[b], ddy = y[a] - y[b];
        const d = Math.sqrt(ddx * ddx + ddy * ddy) || 1e-6;
        const f = d / k;
        dx[a] -= ddx * f; dy[a] -= ddy * f; dx[b] += ddx * f; dy[b] += ddy * f;
      }
      for (let i = 0; i < n; i++) {
        dx[i] -= x[i] * 0.6 / k; dy[i] -= y[i] * 0.6 / k; // gravity keeps isolates in view
        const d = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]) || 1e-9;
        const step = Math.min(d, t);
        x[i] += (dx[i] / d) * step; y[i] += (dy[i] / d) * step;
      }
      t *= 0.97;
    }
    ids.forEach((id, i) => positions.set(id, [x[i], y[i]]));
    return { x, y, index, links };
  }

  const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
    "#393b79", "#ad494a", "#637939", "#e7ba52", "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363"];

  function metricsOf(doc) {
    const m = doc.metrics || {};
    const keys = [["nodes", "states"], ["edges", "ties"], ["density", "density"], ["components", "components"], ["blocs", "blocs"],
      ["largest_bloc", "largest bloc"], ["modularity", "modularity"], ["polarisation", "polarisation"], ["polarisation_cinc", "polarisation (CINC)"]];
    return keys.filter(([key]) => typeof m[key] === "number" || m[key] === null).map(([key, label]) => F.metric(label, typeof m[key] === "number" || m[key] === null ? m[key] : m[key], key));
  }

  async function render() {
    const year = Number(slider.value);
    const obligations = [...box.querySelectorAll("input:checked")].map((i) => i.value);
    document.getElementById("title-year").textContent = String(year);
    F.setParams({ year, obligation: obligations.length === F.OBLIGATIONS.length ? null : obligations });
    const mine = ++seq;
    F.busy();
    if (!obligations.length) {
      F.clear(errorBox).appendChild(F.h("div", { class: "error", role: "alert" }, "Choose at least one obligation."));
      F.ready("error");
      return;
    }
    let doc;
    try {
      doc = await F.api("/network", { year, obligation: obligations.length === F.OBLIGATIONS.length ? null : obligations });
    } catch (error) {
      if (mine !== seq) return;
      F.showError(errorBox, error);
      F.ready("error");
      return;
    }
    if (mine !== seq) return; // a later year was asked for meanwhile
    F.clear(errorBox);
    const nodes = F.listOf(doc, ["nodes"]);
    const edges = F.listOf(doc, ["edges", "ties", "links"]);
    const { x, y, index, links } = layout(nodes, edges);
    const ex = [], ey = [];
    for (const [a, b] of links) { ex.push(x[a], x[b], null); ey.push(y[a], y[b], null); }
    const blocs = [...new Set(nodes.map((n) => n.bloc).filter((b) => b !== null && b !== undefined))].sort((a, b) => a - b);
    const color = (n) => (n.bloc === null || n.bloc === undefined ? "#bbbbbb" : PALETTE[blocs.indexOf(n.bloc) % PALETTE.length]);
    const degree = (n) => F.pick(n, "degree", "ties") || 0;
    const maxDeg = Math.max(1, ...nodes.map(degree));
    const traces = [
      { type: "scatter", mode: "lines", x: ex, y: ey, hoverinfo: "skip", line: { width: 0.5, color: "rgba(90,100,120,0.28)" }, name: "ties" },
      {
        type: "scatter", mode: "markers+text", name: "states",
        x: nodes.map((n) => x[index.get(nodeId(n))]), y: nodes.map((n) => y[index.get(nodeId(n))]),
        text: nodes.map((n) => (degree(n) >= maxDeg * 0.35 ? nodeLabel(n) : "")), textposition: "top center", textfont: { size: 9, color: "#333" },
        hovertext: nodes.map((n) => `${n.name || nodeLabel(n)} (${nodeId(n)})<br>ties: ${degree(n)}<br>bloc: ${n.bloc ?? "none"}`),
        hoverinfo: "text",
        customdata: nodes.map(nodeId),
        marker: { size: nodes.map((n) => 6 + 16 * Math.sqrt(degree(n) / maxDeg)), color: nodes.map(color), line: { width: 0.6, color: "#fff" } },
      },
    ];
    const plotLayout = {
      margin: { l: 5, r: 5, t: 5, b: 5 }, height: 640, showlegend: false, hovermode: "closest",
      xaxis: { visible: false, zeroline: false }, yaxis: { visible: false, zeroline: false, scaleanchor: "x" },
      plot_bgcolor: "#fff", paper_bgcolor: "#fff", uirevision: "network",
    };
    await Plotly.react(chart, traces, plotLayout, F.plotConfig);
    if (mine !== seq) return;
    if (!chart.dataset.clickBound) {
      chart.on("plotly_click", (ev) => {
        const pt = ev.points && ev.points[0];
        if (pt && pt.customdata !== undefined) window.location.href = `${F.DASH}/state?state=${pt.customdata}&year=${slider.value}`;
      });
      chart.dataset.clickBound = "1";
    }
    F.clear(document.getElementById("metrics")).append(...metricsOf(doc),
      F.metric("basis", doc.basis || "", "basis"));
    const top = [...nodes].sort((a, b) => degree(b) - degree(a) || nodeId(a) - nodeId(b)).slice(0, 15);
    F.clear(document.getElementById("nodes")).appendChild(F.table([
      { key: "state", label: "state", render: (n) => F.link.state(nodeLabel(n), year, `${nodeLabel(n)}`) },
      { key: "degree", label: "ties", num: true, render: (n) => degree(n) },
      { key: "bloc", label: "bloc", num: true },
    ], top, { name: "top-nodes", rowKey: nodeId }));
    F.clear(document.getElementById("notes")).append(...[F.notes(doc.notes), F.sources(doc.provenance || doc.sources)].filter(Boolean));
    F.ready(`network:${year}${obligations.length === F.OBLIGATIONS.length ? "" : ":" + obligations.join(",")}`);
  }

  document.getElementById("controls").addEventListener("submit", (ev) => ev.preventDefault());
  const later = F.debounce(render, 200);
  slider.addEventListener("input", () => { yearBox.value = slider.value; document.getElementById("title-year").textContent = slider.value; later(); });
  yearBox.addEventListener("change", () => { slider.value = yearBox.value; render(); });
  box.addEventListener("change", render);
  render();
})();
