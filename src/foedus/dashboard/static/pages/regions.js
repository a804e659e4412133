/* Region page: /api/v1/regions (the choices) and /api/v1/regions/{name}/profile?from=&to=
 * (every number shown). Members are drawn on the local Natural Earth 110m geometry. */
"use strict";

(() => {
  const { h } = F;
  const p = F.params();
  const select = document.getElementById("region");
  const fromBox = document.getElementById("from");
  const toBox = document.getElementById("to");
  const errorBox = document.getElementById("error");
  const world = F.world(); // the local geometry, Plotly kept from fetching its own
  fromBox.value = String(Number(p.from) || 2000);
  toBox.value = String(Number(p.to) || 2023);
  let seq = 0;

  const pct = (v) => (typeof v === "number" ? 100 * v : null);

  async function fillRegions() {
    const doc = await F.api("/regions");
    const chosen = p.region || "asia-pacific";
    for (const r of doc.regions) {
      select.appendChild(h("option", { value: r.name, title: r.definition }, `${r.name} — ${r.label}`));
    }
    if (![...select.options].some((o) => o.value === chosen)) {
      select.appendChild(h("option", { value: chosen }, chosen));
    }
    select.value = chosen;
  }

  async function render() {
    const region = select.value || "asia-pacific";
    const from = Number(fromBox.value);
    const to = Number(toBox.value);
    document.getElementById("title").textContent = `${region} · ${from}–${to}`;
    F.setParams({ region, from, to });
    const mine = ++seq;
    F.busy();
    let doc, geo;
    try {
      [doc, geo] = await Promise.all([F.api(`/regions/${encodeURIComponent(region)}/profile`, { from, to }), world]);
    } catch (error) {
      if (mine !== seq) return;
      F.showError(errorBox, error);
      F.ready("error");
      return;
    }
    if (mine !== seq) return;
    F.clear(errorBox);
    const info = doc.region;
    F.clear(document.getElementById("definition")).append(
      `${info.label || info.name}: ${info.definition || "grouping"}${info.source ? ` — ${info.source}` : ""}`);
    const s = doc.summary;
    F.clear(document.getElementById("metrics")).append(
      F.metric(`CINC share ${s.cinc_share_first_year ?? ""}`, s.cinc_share_first, "cinc_first"),
      F.metric(`CINC share ${s.cinc_share_last_year ?? ""}`, s.cinc_share_last, "cinc_last"),
      F.metric(`milex share ${s.milex_share_first_year ?? ""}`, s.milex_share_first, "milex_first"),
      F.metric(`milex share ${s.milex_share_last_year ?? ""}`, s.milex_share_last, "milex_last"),
      F.metric("arms TIV within", s.arms_within_total, "arms_within"),
      F.metric("arms TIV into", s.arms_into_total, "arms_into"),
      F.metric("arms TIV out", s.arms_out_total, "arms_out"),
      F.metric("members", info.members_last_year.length, "members"));
    // members on the map
    const iso = Object.values(info.members_iso3 || {}).filter(Boolean);
    const shapes = geo.features.map((f) => f.properties.iso3).filter(Boolean);
    const inside = new Set(iso);
    await Plotly.react(document.getElementById("map"), [{
      type: "choropleth", geojson: geo, featureidkey: "properties.iso3", locations: shapes,
      z: shapes.map((c) => (inside.has(c) ? 1 : 0)), zmin: 0, zmax: 1, showscale: false,
      colorscale: [[0, "#e4e7ec"], [1, "#2b6cb0"]], hovertemplate: "%{location}<extra></extra>",
      marker: { line: { color: "#fff", width: 0.4 } },
    }], { margin: { l: 0, r: 0, t: 0, b: 0 }, height: 380,
      geo: { projection: { type: "natural earth" }, showframe: false, showcoastlines: false, showland: false,
        showcountries: false, showocean: false, bgcolor: "#fff", lataxis: { range: [-58, 85] } } }, F.plotConfig);
    const years = doc.series.map((r) => r.year);
    await Plotly.react(document.getElementById("trends"), [
      { type: "scatter", mode: "lines+markers", name: "share of world CINC (%)", x: years, y: doc.series.map((r) => pct(r.cinc_share)) },
      { type: "scatter", mode: "lines+markers", name: "share of world military spending (%)", x: years, y: doc.series.map((r) => pct(r.milex_share)) },
    ], { margin: { l: 50, r: 10, t: 10, b: 40 }, height: 320, yaxis: { title: { text: "%" }, rangemode: "tozero" }, legend: { orientation: "h" } }, F.plotConfig);
    await Plotly.react(document.getElementById("arms"), [
      { type: "bar", name: "within", x: years, y: doc.series.map((r) => r.arms_within) },
      { type: "bar", name: "into", x: years, y: doc.series.map((r) => r.arms_into) },
      { type: "bar", name: "out of", x: years, y: doc.series.map((r) => r.arms_out) },
    ], { barmode: "group", margin: { l: 60, r: 10, t: 10, b: 40 }, height: 320, legend: { orientation: "h" } }, F.plotConfig);
    F.clear(document.getElementById("series")).appendChild(F.table([
      { key: "year", label: "year" },
      { key: "cinc_share", label: "CINC share", num: true },
      { key: "milex_share", label: "milex share", num: true },
      { key: "arms_within", label: "arms within", num: true },
      { key: "arms_into", label: "arms into", num: true },
      { key: "arms_out", label: "arms out", num: true },
      { key: "un_distance_within", label: "UN distance", num: true },
      { key: "alliance_density", label: "alliance density", num: true },
      { key: "alliance_blocs", label: "blocs", num: true },
      { key: "state_based_conflicts", label: "state-based conflicts", num: true },
      { key: "nonstate_conflicts", label: "non-state conflicts", num: true },
    ], doc.series, { name: "region-series", rowKey: (r) => r.year }));
    F.clear(document.getElementById("notes")).append(...[F.notes(doc.notes), F.sources({ sources: doc.sources })].filter(Boolean));
    F.ready(`regions:${region}:${from}:${to}`);
  }

  document.getElementById("controls").addEventListener("submit", (ev) => { ev.preventDefault(); render(); });
  select.addEventListener("change", render);
  fillRegions().then(render, (error) => { F.showError(errorBox, error); F.ready("error"); });
})();
