/* Alliance network of a year: /api/v1/network?year=&obligation= (nodes, edges with the alliances
 * making them, metrics, bloc legend). Default ties: defence obligations; a second year can be
 * compared (metrics side by side, ties gained and lost). */
"use strict";

(() => {
  const { h } = F;
  const p = F.params();
  const slider = document.getElementById("year");
  const yearBox = document.getElementById("year-number");
  const box = document.getElementById("obligations");
  const chart = document.getElementById("chart");
  const errorBox = document.getElementById("error");

  const DEFAULT = ["defense"];
  const chosen = new Set((p.obligation || p.obligations || DEFAULT.join(",")).split(",").filter((o) => F.OBLIGATIONS.includes(o)));
  const compareBox = document.getElementById("compare-year");
  if (p.compare) compareBox.value = p.compare;
  const isDefault = (list) => list.length === DEFAULT.length && list.every((o) => DEFAULT.includes(o));
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
  const allianceNames = (e) => (e.alliances || []).map((a) => a.name).join("; ") || "alliance not named";

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
    const compare = compareBox.value.trim();
    F.setParams({ year, obligation: isDefault(obligations) ? null : obligations, compare });
    const mine = ++seq;
    F.busy();
    if (!obligations.length) {
      F.showError(errorBox, new F.ApiError(422, { detail: "Choose at least one obligation that makes a tie." }, ""));
      F.ready("error");
      return;
    }
    let doc;
    try {
      doc = await F.api("/network", { year, obligation: obligations });
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
    const ex = [], ey = [], mx = [], my = [], mtext = [];
    const byPair = new Map(edges.map((e) => [endpoints(e).join("-"), e]));
    const idOf = [...index.keys()];
    for (const [a, b] of links) {
      ex.push(x[a], x[b], null); ey.push(y[a], y[b], null);
      const [s, t2] = [idOf[a], idOf[b]].sort((u, v) => u - v);
      const e = byPair.get(`${s}-${t2}`);
      const na = nodes.find((n) => nodeId(n) === s), nb = nodes.find((n) => nodeId(n) === t2);
      mx.push((x[a] + x[b]) / 2); my.push((y[a] + y[b]) / 2);
      mtext.push(`${nodeLabel(na)}–${nodeLabel(nb)}: ${e ? allianceNames(e) : ""}`);
    }
    const blocs = [...new Set(nodes.map((n) => n.bloc).filter((b) => b !== null && b !== undefined))].sort((a, b) => a - b);
    const color = (n) => (n.bloc === null || n.bloc === undefined ? "#bbbbbb" : PALETTE[blocs.indexOf(n.bloc) % PALETTE.length]);
    const legendOf = new Map((doc.blocs || []).map((b) => [b.bloc, b]));
    const blocName = (bloc) => (bloc === null || bloc === undefined ? "none (no tie)" : `${bloc}: ${legendOf.has(bloc) ? legendOf.get(bloc).label : ""}`);
    const degree = (n) => F.pick(n, "degree", "ties") || 0;
    const maxDeg = Math.max(1, ...nodes.map(degree));
    const traces = [
      { type: "scatter", mode: "lines", x: ex, y: ey, hoverinfo: "skip", line: { width: 0.6, color: "rgba(90,100,120,0.35)" }, name: "ties" },
      {
        type: "scatter", mode: "markers+text", name: "states",
        x: nodes.map((n) => x[index.get(nodeId(n))]), y: nodes.map((n) => y[index.get(nodeId(n))]),
        text: nodes.map((n) => (degree(n) > 0 ? nodeLabel(n) : "")), textposition: "top center", textfont: { size: 11, color: "#1d2330" },
        hovertext: nodes.map((n) => `${n.name || nodeLabel(n)} (${nodeLabel(n)})<br>ties: ${degree(n)}<br>bloc: ${blocName(n.bloc)}`),
        hoverinfo: "text",
        customdata: nodes.map(nodeId),
        marker: { size: nodes.map((n) => 6 + 16 * Math.sqrt(degree(n) / maxDeg)), color: nodes.map(color), line: { width: 0.6, color: "#fff" } },
      },
      { type: "scatter", mode: "markers", x: mx, y: my, name: "alliances", hovertext: mtext, hoverinfo: "text", marker: { size: 5, color: "rgba(0,0,0,0)" } },
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
    F.setSources(doc);
    F.clear(document.getElementById("legend")).append(
      h("h2", {}, "Blocs"),
      h("ul", { class: "legend-list", "data-legend": "blocs" }, (doc.blocs || []).map((b) => h("li", { "data-bloc": b.bloc },
        h("span", { class: "swatch", style: `background:${PALETTE[blocs.indexOf(b.bloc) % PALETTE.length]}` }),
        `${b.label} (${b.size} states)`)),
        h("li", {}, h("span", { class: "swatch", style: "background:#bbbbbb" }), "no tie")),
      h("p", { class: "notes" }, "Blocs are Louvain communities of the tie graph; a bloc is named after its two states "
        + "with the highest CINC. Hover over the middle of a tie to see the alliances that make it."));
    F.clear(document.getElementById("notes")).append(...[F.notes(doc.notes), F.sources(doc.provenance || doc.sources)].filter(Boolean));
    await compareWith(doc, obligations, compare, mine);
    if (mine !== seq) return;
    F.ready(`network:${year}${isDefault(obligations) ? "" : ":" + obligations.join(",")}${compare ? ":vs" + compare : ""}`);
  }

  /** A second year: metrics side by side, ties gained and lost (with the alliances making them). */
  async function compareWith(doc, obligations, compare, mine) {
    const box = F.clear(document.getElementById("compare"));
    if (!compare) return;
    let other;
    try {
      other = await F.api("/network", { year: compare, obligation: obligations });
    } catch (error) {
      box.appendChild(h("div", { class: "error", role: "alert" }, `Comparison year ${compare}: ${error.message}`));
      return;
    }
    if (mine !== seq) return;
    const keys = [["nodes", "states"], ["edges", "ties"], ["density", "density"], ["components", "components"], ["blocs", "blocs"],
      ["largest_bloc", "largest bloc"], ["modularity", "modularity"], ["polarisation", "polarisation"]];
    const m1 = doc.metrics || {}, m2 = other.metrics || {};
    const label = new Map([...doc.nodes, ...other.nodes].map((n) => [n.ccode, n.abbreviation]));
    const pairs = (d) => new Map(d.edges.map((e) => [`${e.source}-${e.target}`, e]));
    const p1 = pairs(doc), p2 = pairs(other);
    const gained = [...p2.keys()].filter((k) => !p1.has(k)).map((k) => p2.get(k));
    const lost = [...p1.keys()].filter((k) => !p2.has(k)).map((k) => p1.get(k));
    const tieRows = [...gained.map((e) => ({ ...e, change: `new in ${other.year}` })), ...lost.map((e) => ({ ...e, change: `gone in ${other.year}` }))];
    box.appendChild(h("div", { class: "card" }, h("h2", {}, `${doc.year} compared with ${other.year}`),
      F.table([{ key: "metric", label: "metric" }, { key: "a", label: String(doc.year), num: true }, { key: "b", label: String(other.year), num: true }],
        keys.map(([k, text]) => ({ metric: text, key: k, a: m1[k] ?? null, b: m2[k] ?? null })), { name: "compare-metrics", rowKey: (r) => r.key, scroll: false }),
      h("h3", {}, `Ties gained (${gained.length}) and lost (${lost.length})`),
      F.table([{ key: "change", label: "change" }, { key: "pair", label: "states", render: (e) => `${label.get(e.source)}–${label.get(e.target)}` },
        { key: "alliances", label: "alliances", render: allianceNames }], tieRows, { name: "compare-ties", rowKey: (e) => `${e.source}-${e.target}` })));
  }

  document.getElementById("controls").addEventListener("submit", (ev) => ev.preventDefault());
  compareBox.addEventListener("change", render);
  const later = F.debounce(render, 200);
  slider.addEventListener("input", () => { yearBox.value = slider.value; document.getElementById("title-year").textContent = slider.value; later(); });
  yearBox.addEventListener("change", () => { slider.value = yearBox.value; render(); });
  box.addEventListener("change", render);
  render();
})();
