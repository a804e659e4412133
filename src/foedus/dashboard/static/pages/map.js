/* World map: /api/v1/map?measure=&year= (one value per state, with iso3), drawn on the local
 * Natural Earth 110m geometry (static/world-110m.geojson) with Plotly's `geojson` + featureidkey. */
"use strict";

(() => {
  const { h } = F;
  const p = F.params();
  const slider = document.getElementById("year");
  const yearBox = document.getElementById("year-number");
  const select = document.getElementById("measure");
  const chart = document.getElementById("chart");
  const errorBox = document.getElementById("error");
  const world = F.world(); // the local geometry, Plotly kept from fetching its own
  // Years: 1816 to this year (NMC ends in 2022: later years show the network and UN measures).
  slider.max = yearBox.max = String(new Date().getFullYear());
  slider.value = yearBox.value = String(Number(p.year) || 2010);
  if (p.measure && [...select.options].some((o) => o.value === p.measure)) select.value = p.measure;
  const logBox = document.getElementById("log");
  logBox.checked = p.scale === "log";
  let seq = 0;

  async function render() {
    const year = Number(slider.value);
    const measure = select.value || "cinc";
    const chosenLabel = select.selectedOptions.length ? select.selectedOptions[0].textContent : measure;
    document.getElementById("title").textContent = `${chosenLabel} · ${year}`;
    const log = logBox.checked;
    F.setParams({ measure, year, scale: log ? "log" : null });
    const mine = ++seq;
    F.busy();
    let doc, geo;
    try {
      [doc, geo] = await Promise.all([F.api("/map", { measure, year }), world]);
    } catch (error) {
      if (mine !== seq) return;
      F.showError(errorBox, error);
      F.ready("error");
      return;
    }
    if (mine !== seq) return;
    F.clear(errorBox);
    F.setSources(doc);
    document.getElementById("title").textContent = `${doc.label} · ${year}`;
    const notice = F.clear(document.getElementById("coverage"));
    if (doc.note) notice.appendChild(h("p", { class: "notice", role: "note", "data-note": "coverage" }, doc.note));
    const rows = F.listOf(doc, ["values"]);
    const value = (r) => r.value;
    const drawn = new Set(geo.features.map((f) => f.properties.iso3).filter(Boolean));
    // On a log scale values that are not positive have no colour (they are listed in the table).
    const onMap = rows.filter((r) => r.iso3 && drawn.has(r.iso3) && typeof value(r) === "number" && (!log || value(r) > 0));
    const zs = onMap.map((r) => (log ? Math.log10(value(r)) : value(r)));
    const logTicks = log && zs.length ? Array.from({ length: Math.floor(Math.max(...zs)) - Math.ceil(Math.min(...zs)) + 1 }, (_, i) => Math.ceil(Math.min(...zs)) + i) : null;
    const traces = [
      { // every country in grey underneath: no data for this measure and year
        type: "choropleth", geojson: geo, featureidkey: "properties.iso3",
        locations: geo.features.map((f) => f.properties.iso3).filter(Boolean), z: geo.features.filter((f) => f.properties.iso3).map(() => 0),
        colorscale: [[0, "#e4e7ec"], [1, "#e4e7ec"]], showscale: false, hoverinfo: "skip", marker: { line: { color: "#fff", width: 0.4 } },
      },
      {
        type: "choropleth", geojson: geo, featureidkey: "properties.iso3", name: measure,
        locations: onMap.map((r) => r.iso3), z: zs,
        text: onMap.map((r) => `${r.name} (${F.abbOf(r)})`),
        hovertemplate: "%{text}<br>" + doc.label + ": %{customdata[1]:,}<extra></extra>",
        colorscale: "YlGnBu", reversescale: true, marker: { line: { color: "#fff", width: 0.4 } },
        zmin: log ? undefined : doc.min ?? undefined, zmax: log ? undefined : doc.max ?? undefined,
        colorbar: logTicks ? { title: { text: `${doc.label} (log)` }, thickness: 14, tickvals: logTicks, ticktext: logTicks.map((k) => `1e${k}`) }
          : { title: { text: doc.label }, thickness: 14, tickformat: ",~r" },
        customdata: onMap.map((r) => [F.abbOf(r), value(r)]),
      },
    ];
    const layout = {
      margin: { l: 0, r: 0, t: 0, b: 0 }, height: Math.min(560, Math.max(280, chart.clientWidth * 0.62)), separators: ".,",
      geo: {
        projection: { type: "natural earth" }, showframe: false, showcoastlines: false, showland: false, showcountries: false,
        showocean: false, showlakes: false, showrivers: false, showsubunits: false, bgcolor: "#fff",
        lataxis: { range: [-58, 85] },
      },
      uirevision: "map",
    };
    await Plotly.react(chart, traces, layout, F.plotConfig);
    if (mine !== seq) return;
    if (!chart.dataset.clickBound) {
      chart.on("plotly_click", (ev) => {
        const pt = ev.points && ev.points.find((q) => Array.isArray(q.customdata));
        if (pt) window.location.href = `${F.DASH}/state?state=${encodeURIComponent(pt.customdata[0])}&year=${slider.value}`;
      });
      chart.dataset.clickBound = "1";
    }
    const missing = rows.filter((r) => typeof value(r) === "number" && !(r.iso3 && drawn.has(r.iso3)));
    const legend = [`${doc.label}: ${doc.description}${doc.coverage ? `; data ${doc.coverage[0]}–${doc.coverage[1]}` : ""}. Grey: no value for this state and year.`,
      missing.length ? `Not drawn (no shape of their own in the 110m geometry): ${missing.map((r) => F.abbOf(r)).join(", ")}.` : null].filter(Boolean).join(" ");
    F.clear(document.getElementById("legend")).append(...[legend, F.sources(doc.provenance)].filter(Boolean));
    F.clear(document.getElementById("metrics")).append(
      F.metric("states", doc.count, "count"), F.metric("without a value", doc.missing, "missing"),
      F.metric("minimum", doc.min, "min"), F.metric("maximum", doc.max, "max"), F.metric("drawn", onMap.length, "drawn"));
    const sorted = [...rows].sort((a, b) => (value(b) ?? -Infinity) - (value(a) ?? -Infinity));
    F.clear(document.getElementById("values")).appendChild(F.table([
      { key: "state", label: "state", render: (r) => F.link.state(F.abbOf(r), year, `${r.name} (${F.abbOf(r)})`) },
      { key: "ccode", label: "COW", num: true },
      { key: "iso3", label: "ISO3" },
      { key: "value", label: doc.label, num: true, render: (r) => value(r) },
    ], sorted, { name: "map-values", rowKey: (r) => r.ccode }));
    F.ready(`map:${measure}:${year}${log ? ":log" : ""}`);
  }

  document.getElementById("controls").addEventListener("submit", (ev) => ev.preventDefault());
  const later = F.debounce(render, 200);
  slider.addEventListener("input", () => { yearBox.value = slider.value; later(); });
  yearBox.addEventListener("change", () => { slider.value = yearBox.value; render(); });
  select.addEventListener("change", render);
  logBox.addEventListener("change", render);
  render();
})();
