/* Groupings page: /api/v1/groupings (the choices) and /api/v1/groupings/compare?a=&b=&year=
 * (every number shown). */
"use strict";

(() => {
  const { h } = F;
  const p = F.params();
  const selA = document.getElementById("a");
  const selB = document.getElementById("b");
  const yearBox = document.getElementById("year");
  const errorBox = document.getElementById("error");
  const world = F.world(); // the local geometry, Plotly kept from fetching its own
  yearBox.value = String(Number(p.year) || 2023);
  let seq = 0;

  async function fill() {
    const doc = await F.api("/groupings");
    for (const g of doc.groupings) {
      selA.appendChild(h("option", { value: g.name, title: g.title }, g.name));
      selB.appendChild(h("option", { value: g.name, title: g.title }, g.name));
    }
    selA.value = p.a || "BRICS";
    selB.value = p.b || "G7";
  }

  const share = (block, name) => (block && block[name] ? block[name].share : null);

  async function render() {
    const a = selA.value;
    const b = selB.value;
    const year = Number(yearBox.value);
    document.getElementById("title").textContent = `${a} vs ${b} · ${year}`;
    F.setParams({ a, b, year });
    const mine = ++seq;
    F.busy();
    let doc, geo;
    try {
      [doc, geo] = await Promise.all([F.api("/groupings/compare", { a, b, year }), world]);
    } catch (error) {
      if (mine !== seq) return;
      F.showError(errorBox, error);
      F.ready("error");
      return;
    }
    if (mine !== seq) return;
    F.clear(errorBox);
    const un = doc.un_alignment || {};
    F.clear(document.getElementById("metrics")).append(
      F.metric(`${a}: CINC share (${doc.cinc.year_used ?? "—"})`, share(doc.cinc, a), "cinc_a"),
      F.metric(`${b}: CINC share (${doc.cinc.year_used ?? "—"})`, share(doc.cinc, b), "cinc_b"),
      F.metric(`${a}: milex share (${doc.milex.year_used ?? "—"})`, share(doc.milex, a), "milex_a"),
      F.metric(`${b}: milex share (${doc.milex.year_used ?? "—"})`, share(doc.milex, b), "milex_b"),
      F.metric(`UN distance within ${a}`, (un[`within_${a}`] || {}).within ?? null, "un_a"),
      F.metric(`UN distance within ${b}`, (un[`within_${b}`] || {}).within ?? null, "un_b"),
      F.metric("UN distance between", (un.between || {}).distance ?? null, "un_between"));
    const pct = (v) => (typeof v === "number" ? 100 * v : null);
    await Plotly.react(document.getElementById("shares"), [
      { type: "bar", name: a, x: ["world CINC", "world military spending"], y: [pct(share(doc.cinc, a)), pct(share(doc.milex, a))] },
      { type: "bar", name: b, x: ["world CINC", "world military spending"], y: [pct(share(doc.cinc, b)), pct(share(doc.milex, b))] },
    ], { barmode: "group", margin: { l: 50, r: 10, t: 10, b: 40 }, height: 300, yaxis: { title: { text: "% of world" } } }, F.plotConfig);
    const isoA = new Set(Object.values(doc.a.members_iso3 || {}).filter(Boolean));
    const isoB = new Set(Object.values(doc.b.members_iso3 || {}).filter(Boolean));
    const shapes = geo.features.map((f) => f.properties.iso3).filter(Boolean);
    await Plotly.react(document.getElementById("map"), [{
      type: "choropleth", geojson: geo, featureidkey: "properties.iso3", locations: shapes,
      z: shapes.map((c) => (isoA.has(c) && isoB.has(c) ? 3 : isoA.has(c) ? 1 : isoB.has(c) ? 2 : 0)), zmin: 0, zmax: 3,
      colorscale: [[0, "#e4e7ec"], [0.33, "#e4e7ec"], [0.34, "#c53030"], [0.66, "#c53030"], [0.67, "#2b6cb0"], [0.99, "#2b6cb0"], [1, "#6b46c1"]],
      showscale: false, hovertemplate: "%{location}<extra></extra>", marker: { line: { color: "#fff", width: 0.4 } },
    }], { margin: { l: 0, r: 0, t: 0, b: 0 }, height: 380,
      geo: { projection: { type: "natural earth" }, showframe: false, showcoastlines: false, showland: false,
        showcountries: false, showocean: false, bgcolor: "#fff", lataxis: { range: [-58, 85] } } }, F.plotConfig);
    F.clear(document.getElementById("members")).append(
      h("p", { class: "notes" }, `${a} (red): ${doc.a.members.length} members; ${b} (blue): ${doc.b.members.length} members (COW codes ${doc.a.members.join(", ")} | ${doc.b.members.join(", ")}).`));
    const tiv = doc.arms.tiv || {};
    const rows = Object.entries(doc.arms.labels).map(([key, label]) => ({ key, label, value: tiv[key] ?? null }));
    rows.push({ key: "arms_world", label: "world", value: tiv.arms_world ?? null });
    const ex = doc.exercises || {};
    const dca = doc.dcas || {};
    rows.push({ key: "exercises_between", label: "joint exercises between", value: doc.exercises ? ex.between : null });
    rows.push({ key: "dcas_between", label: "DCAs signed between", value: doc.dcas ? dca.between : null });
    F.clear(document.getElementById("flows")).appendChild(F.table([
      { key: "label", label: `${year}` },
      { key: "value", label: "value", num: true },
    ], rows, { name: "grouping-flows", rowKey: (r) => r.key }));
    F.clear(document.getElementById("notes")).append(...[F.notes(doc.notes), F.sources({ sources: doc.sources })].filter(Boolean));
    F.ready(`groupings:${a}:${b}:${year}`);
  }

  document.getElementById("controls").addEventListener("submit", (ev) => { ev.preventDefault(); render(); });
  selA.addEventListener("change", render);
  selB.addEventListener("change", render);
  fill().then(render, (error) => { F.showError(errorBox, error); F.ready("error"); });
})();
