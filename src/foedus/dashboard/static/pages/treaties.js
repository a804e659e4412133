/* Arms control: /api/v1/arms-control/membership?treaty=&year= drawn as a map of status categories
 * (local Natural Earth 110m geometry), and /api/v1/arms-control/states/{state}?year= as a timeline. */
"use strict";

(() => {
  const { h } = F;
  const p = F.params();
  const slider = document.getElementById("year");
  const yearBox = document.getElementById("year-number");
  const select = document.getElementById("treaty");
  const stateBox = document.getElementById("state");
  const chart = document.getElementById("chart");
  const errorBox = document.getElementById("error");
  const world = F.world(); // the local geometry, Plotly kept from fetching its own
  const STATUSES = ["not signed", "signed", "party", "withdrawn", "ended"];
  const COLOURS = { "not signed": "#d0d5dd", signed: "#f5c04a", party: "#2f7d4f", withdrawn: "#c23b3b", ended: "#6b7280" };
  slider.max = yearBox.max = String(new Date().getFullYear());
  slider.value = yearBox.value = String(Number(p.year) || 2010);
  stateBox.value = p.state || "USA";
  F.stateDatalist("states-list");
  let seq = 0;

  const treaties = F.api("/treaties").then((doc) => {
    for (const t of F.listOf(doc, ["treaties"])) select.appendChild(h("option", { value: t.key }, `${t.key} — ${t.name}`));
    select.value = p.treaty && [...select.options].some((o) => o.value === p.treaty.toUpperCase()) ? p.treaty.toUpperCase() : "NPT";
    return doc;
  });

  function timelineChart(doc) {
    const rows = doc.timeline;
    const order = doc.treaties.map((t) => t.treaty).filter((k) => rows.some((r) => r.treaty === k));
    const symbol = { signed: "circle-open", joined: "circle", withdrew: "x", deratified: "x-open", ended: "square", suspended: "diamond-open",
      withdrawal_notified: "triangle-right-open", declared_not_party: "star-open" };
    const events = [...new Set(rows.map((r) => r.event))];
    const traces = events.map((ev) => {
      const sel = rows.filter((r) => r.event === ev);
      return { type: "scatter", mode: "markers", name: ev.replace(/_/g, " "), x: sel.map((r) => r.date), y: sel.map((r) => r.treaty),
        marker: { size: 11, symbol: symbol[ev] || "circle" }, hovertemplate: "%{y}: " + ev.replace(/_/g, " ") + " %{x}<extra></extra>" };
    });
    const layout = { margin: { l: 110, r: 10, t: 10, b: 40 }, height: Math.max(240, 26 * order.length + 80),
      yaxis: { categoryorder: "array", categoryarray: [...order].reverse(), type: "category" }, xaxis: { type: "date" }, legend: { orientation: "h" } };
    return Plotly.react(document.getElementById("timeline"), traces, layout, F.plotConfig);
  }

  async function render() {
    const year = Number(slider.value);
    await treaties.catch(() => null);
    const treaty = select.value || "NPT";
    const state = (stateBox.value || "USA").trim();
    document.getElementById("title").textContent = `${treaty} · ${year}`;
    F.setParams({ treaty, year, state });
    const mine = ++seq;
    F.busy();
    let doc, prof, geo;
    try {
      [doc, prof, geo] = await Promise.all([
        F.api("/arms-control/membership", { treaty, year }),
        F.api(`/arms-control/states/${encodeURIComponent(state)}`, { year }),
        world,
      ]);
    } catch (error) {
      if (mine !== seq) return;
      F.showError(errorBox, error);
      F.ready("error");
      return;
    }
    if (mine !== seq) return;
    F.clear(errorBox);
    const rows = doc.states;
    const drawn = new Set(geo.features.map((f) => f.properties.iso3).filter(Boolean));
    const traces = [{
      type: "choropleth", geojson: geo, featureidkey: "properties.iso3",
      locations: geo.features.map((f) => f.properties.iso3).filter(Boolean), z: geo.features.filter((f) => f.properties.iso3).map(() => 0),
      colorscale: [[0, "#f2f4f7"], [1, "#f2f4f7"]], showscale: false, hoverinfo: "skip", marker: { line: { color: "#fff", width: 0.4 } },
    }];
    for (const st of STATUSES) {
      const sel = rows.filter((r) => r.status === st && r.iso3 && drawn.has(r.iso3));
      if (!sel.length) continue;
      traces.push({ type: "choropleth", geojson: geo, featureidkey: "properties.iso3", name: st, showlegend: true,
        locations: sel.map((r) => r.iso3), z: sel.map(() => 1), colorscale: [[0, COLOURS[st]], [1, COLOURS[st]]], showscale: false,
        text: sel.map((r) => `${r.state} (${r.abb || r.ccode})`), customdata: sel.map((r) => [r.abb || String(r.ccode)]),
        hovertemplate: "%{text}<br>" + st + "<extra></extra>", marker: { line: { color: "#fff", width: 0.4 } } });
    }
    const layout = { margin: { l: 0, r: 0, t: 0, b: 0 }, height: 520, legend: { orientation: "h" },
      geo: { projection: { type: "natural earth" }, showframe: false, showcoastlines: false, showland: false, showcountries: false,
        showocean: false, showlakes: false, bgcolor: "#fff", lataxis: { range: [-58, 85] } }, uirevision: "treaties" };
    await Plotly.react(chart, traces, layout, F.plotConfig);
    if (mine !== seq) return;
    if (!chart.dataset.clickBound) {
      chart.on("plotly_click", (ev) => {
        const pt = ev.points && ev.points.find((q) => Array.isArray(q.customdata));
        if (pt) { stateBox.value = pt.customdata[0]; render(); }
      });
      chart.dataset.clickBound = "1";
    }
    F.clear(document.getElementById("metrics")).append(...STATUSES.map((st) => F.metric(st, doc.counts[st], st)));
    F.clear(document.getElementById("legend")).append(
      `${doc.name}, status on ${doc.as_of}. ` + (doc.notes || []).map((n) => n + ".").join(" "));
    document.getElementById("state-name").textContent = `${prof.state.name} (${prof.state.abb}) to ${prof.as_of}`;
    await timelineChart(prof);
    if (mine !== seq) return;
    F.clear(document.getElementById("events")).appendChild(F.table([
      { key: "date", label: "date" }, { key: "treaty", label: "treaty" },
      { key: "event", label: "event", render: (r) => r.event.replace(/_/g, " ") }, { key: "source", label: "source" },
    ], prof.timeline, { name: "treaty-events", rowKey: (r) => `${r.treaty}:${r.event}` }));
    const sorted = [...rows].sort((a, b) => STATUSES.indexOf(b.status) - STATUSES.indexOf(a.status) || String(a.state).localeCompare(String(b.state)));
    F.clear(document.getElementById("values")).appendChild(F.table([
      { key: "state", label: "state", render: (r) => (r.abb ? F.link.state(r.abb, year, `${r.state} (${r.abb})`) : r.state) },
      { key: "status", label: "status" }, { key: "signed", label: "signed" }, { key: "joined", label: "joined" },
      { key: "withdrew", label: "withdrew / ended" },
    ], sorted, { name: "treaty-status", rowKey: (r) => r.ccode }));
    F.ready(`treaties:${treaty}:${year}:${prof.state.abb}`);
  }

  document.getElementById("controls").addEventListener("submit", (ev) => { ev.preventDefault(); render(); });
  const later = F.debounce(render, 200);
  slider.addEventListener("input", () => { yearBox.value = slider.value; later(); });
  yearBox.addEventListener("change", () => { slider.value = yearBox.value; render(); });
  select.addEventListener("change", render);
  stateBox.addEventListener("change", render);
  render();
})();
