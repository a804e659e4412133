/* Two states over time: /api/v1/dyads/{a}/{b}?from=&to= → the library's dyad profile
 * (foedus.measures.dyad_profile, the document `foedus dyad A B --json` prints): one row per year
 * with every instrument (arms transfers, DCAs, exercises, US training/troops/visits, peace
 * operations), obligations each way, disputes, similarity and each side's capabilities; drawn as
 * an instrument timeline (one lane per instrument, a mark in each year it is present), as series
 * (capabilities, similarity, military spending) and as a year-by-year table. */
"use strict";

(() => {
  const { h } = F;
  const form = document.getElementById("controls");
  const p = F.params();
  for (const f of ["a", "b", "from", "to"]) if (p[f]) document.getElementById(f).value = p[f];
  F.stateDatalist("states-list");
  const out = (id) => F.clear(document.getElementById(id));

  const OBL = { defense: "defence pledge", offense: "offence pledge", neutral: "neutrality pledge", nonagg: "non-aggression pledge", consul: "consultation pledge" };
  /** Timeline lanes: [key, label (A/B replaced by the states), value(row) → number|null]. */
  const LANES = [
    ...Object.entries(OBL).flatMap(([o, text]) => [
      [`${o}_ab`, `${text} A→B`, (r) => (r.obligations_ab === null ? null : r.obligations_ab.includes(o) ? 1 : 0)],
      [`${o}_ba`, `${text} B→A`, (r) => (r.obligations_ba === null ? null : r.obligations_ba.includes(o) ? 1 : 0)],
    ]),
    ["arms_tiv_ab", "arms deliveries A→B (SIPRI TIV)", (r) => r.arms_tiv_ab],
    ["arms_tiv_ba", "arms deliveries B→A (SIPRI TIV)", (r) => r.arms_tiv_ba],
    ["dca_active", "defence cooperation agreements in force", (r) => r.dca_active],
    ["jme_joint", "joint exercises (JME)", (r) => r.jme_joint],
    ["mme_joint", "multinational exercises (MME)", (r) => r.mme_joint],
    ["us_training_students", "students trained by the US", (r) => r.us_training_students],
    ["us_troops", "US troops stationed", (r) => r.us_troops],
    ["us_visits", "US senior defence visits", (r) => r.us_visits],
    ["pko_codeployed", "serving in the same peace operation", (r) => r.pko_codeployed],
    ["gml_ongoing", "militarised dispute (GML)", (r) => r.gml_ongoing],
    ["cow_ongoing", "militarised dispute (COW)", (r) => r.cow_ongoing],
    ["land_contiguity", "contiguous by land", (r) => (r.conttype === null || r.conttype === undefined ? null : r.conttype === 1 ? 1 : 0)],
  ];

  const present = (v) => typeof v === "number" && v > 0;

  function timeline(rows, lanes, container, label) {
    const names = lanes.map(([, text]) => label(text));
    const traces = lanes.map(([key, text, value]) => {
      const on = rows.filter((r) => present(value(r)));
      return {
        type: "scatter", mode: "markers", name: label(text), x: on.map((r) => r.year), y: on.map(() => label(text)),
        marker: { symbol: "square", size: 7 }, customdata: on.map((r) => value(r)),
        hovertemplate: `${label(text)} %{x}: %{customdata:,}<extra></extra>`,
      };
    });
    return Plotly.react(container, traces, {
      margin: { l: 10, r: 10, t: 10, b: 35 }, height: Math.max(260, 70 + lanes.length * 24), showlegend: false,
      yaxis: { automargin: true, type: "category", categoryorder: "array", categoryarray: [...names].reverse() },
      xaxis: { title: { text: "year" }, tickformat: "d" }, hovermode: "closest",
    }, F.plotConfig);
  }

  function lines(rows, container, series, layout, empty) {
    const traces = series.filter(([k]) => rows.some((r) => typeof r[k] === "number")).map(([k, text, axis]) => ({
      type: "scatter", mode: "lines", name: text, yaxis: axis || "y", x: rows.map((r) => r.year), y: rows.map((r) => r[k]),
      line: { dash: axis === "y2" ? "dot" : "solid" }, hovertemplate: `${text} %{x}: %{y:,}<extra></extra>`,
    }));
    if (!traces.length) { Plotly.purge(container); F.clear(container).appendChild(h("p", {}, empty)); return null; }
    return Plotly.react(container, traces, Object.assign({
      margin: { l: 65, r: 55, t: 10, b: 35 }, height: 320, legend: { orientation: "h", y: 1.18 },
      xaxis: { title: { text: "year" }, tickformat: "d" }, separators: ".,",
    }, layout), F.plotConfig);
  }

  async function run() {
    const values = Object.fromEntries(["a", "b", "from", "to"].map((f) => [f, document.getElementById(f).value.trim()]));
    F.setParams(values);
    if (!values.a || !values.b) { F.ready("form"); return; }
    F.busy();
    F.loading(out("summary"));
    out("details");
    let doc;
    try {
      doc = await F.api(`/dyads/${encodeURIComponent(values.a)}/${encodeURIComponent(values.b)}`, { from: values.from, to: values.to });
    } catch (error) {
      F.showError(out("error"), error);
      F.ready("error");
      return;
    }
    out("error");
    F.setSources(doc);
    const a = doc.a.abb, b = doc.b.abb;
    const label = (text) => text.replace(/\bA\b/, a).replace(/\bB\b/, b);
    document.getElementById("title").textContent = `${doc.a.name} and ${doc.b.name}, ${doc.years[0]}–${doc.years[1]}`;
    const rows = doc.timeline || [];
    const lanes = LANES.filter(([, , value]) => rows.some((r) => present(value(r))));
    const s = doc.summary || {};
    const metrics = [
      ["years", "years", rows.length],
      ["alliance.years", "years allied", s.alliance && s.alliance.years],
      ["alliance.defense_years", "years with a defence pledge", s.alliance && s.alliance.defense_years],
      ["arms.a_to_b.tiv", `arms ${a}→${b} (TIV, total)`, s.arms && s.arms.a_to_b.tiv],
      ["arms.b_to_a.tiv", `arms ${b}→${a} (TIV, total)`, s.arms && s.arms.b_to_a.tiv],
      ["dca.years", "years with a DCA", s.dca && s.dca.years],
      ["exercises.years", "years exercising together", s.exercises && s.exercises.years],
      ["pko.years", "years in the same peace operation", s.pko && s.pko.years],
      ["disputes.gml.onsets", "MID onsets (GML)", s.disputes && s.disputes.gml.onsets],
      ["disputes.cow.onsets", "MID onsets (COW)", s.disputes && s.disputes.cow.onsets],
      ...(doc.us_pair ? [["us_troops.peak.value", "US troops, peak", s.us_troops && s.us_troops.peak.value],
        ["us_visits.visits", "US senior visits", s.us_visits && s.us_visits.visits],
        ["us_training.students", "students trained by the US", s.us_training && s.us_training.students]] : []),
    ];
    const alliances = doc.alliances || [];
    out("summary").appendChild(h("div", { class: "card" },
      h("div", { class: "metrics" }, metrics.map(([key, text, value]) => F.metric(text, value === undefined ? null : value, key))),
      alliances.length ? h("div", {}, h("h2", {}, `Shared alliances (${alliances.length})`), F.table([
        { key: "name", label: "alliance", render: (r) => F.link.alliance(String(r.alliance_id), r.first_year, r.name) },
        { key: "first_year", label: "from", num: true }, { key: "last_year", label: "to", num: true },
        { key: "obligations_a", label: `${a} pledges`, render: (r) => r.obligations_a.map((o) => OBL[o] || o).join(", ") },
        { key: "obligations_b", label: `${b} pledges`, render: (r) => r.obligations_b.map((o) => OBL[o] || o).join(", ") },
        { key: "basis", label: "basis" },
      ], alliances, { name: "shared-alliances", rowKey: (r) => `${r.alliance_id}-${r.first_year}`, scroll: false })) : null,
      h("p", {}, F.link.state(a, null, doc.a.name), " · ", F.link.state(b, null, doc.b.name), " · ",
        F.link.dyad(b, a, `${b}–${a} (the other way round)`)),
      h("p", { class: "notes", "data-note": "coverage" }, "Years with data for this pair (outside them values are empty, —, not 0): "
        + [["arms", "SIPRI arms", s.arms], ["dca", "DCAs", s.dca], ["exercises", "exercises", s.exercises], ["pko", "peace operations", s.pko],
          ["alliance", "alliances", s.alliance], ["gml", "MIDs (GML)", s.disputes && s.disputes.gml], ["cow", "MIDs (COW)", s.disputes && s.disputes.cow],
          ["training", "US training", s.us_training], ["troops", "US troops", s.us_troops], ["visits", "US visits", s.us_visits]]
          .filter(([, , part]) => part).map(([, text, part]) => `${text} ${part.covered ? part.covered.join("–") : "none"}`).join(", ") + "."),
      F.sources(doc.sources)));
    const box = document.getElementById("timeline");
    const drawn = [];
    if (lanes.length) drawn.push(timeline(rows, lanes, box, label));
    else { Plotly.purge(box); F.clear(box).appendChild(h("p", {}, "Nothing recorded for this pair in these years.")); }
    drawn.push(lines(rows, document.getElementById("series"),
      [["cinc_a", `CINC ${a}`], ["cinc_b", `CINC ${b}`], ["s_un_val_sq", "alliance-portfolio similarity S", "y2"]],
      { yaxis: { title: { text: "CINC" }, rangemode: "tozero" },
        yaxis2: { title: { text: "similarity S" }, overlaying: "y", side: "right", range: [-1, 1], tickvals: [-1, -0.5, 0, 0.5, 1], zeroline: false, showgrid: false } },
      "No capability or similarity data in these years."));
    drawn.push(lines(rows, document.getElementById("spending"),
      [["sipri_milex_a", `${a} (SIPRI)`], ["sipri_milex_b", `${b} (SIPRI)`]],
      { yaxis: { title: { text: "US$ millions, constant 2022 prices" }, rangemode: "tozero", tickformat: ",~r" } },
      "No SIPRI military-expenditure data in these years."));
    const u = doc.units || {};
    const columnsShown = [{ key: "year", label: "year", num: true },
      ...lanes.map(([k, text, value]) => ({ key: k, label: label(text), num: true, render: value })),
      { key: "cinc_a", label: `CINC ${a}`, num: true }, { key: "cinc_b", label: `CINC ${b}`, num: true },
      { key: "nmc_milex_a", label: `military expenditure ${a} (NMC, thousand current US$)`, num: true },
      { key: "nmc_milex_b", label: `military expenditure ${b} (NMC, thousand current US$)`, num: true },
      { key: "sipri_milex_a", label: `military expenditure ${a} (SIPRI, US$ m, constant 2022)`, num: true },
      { key: "sipri_milex_b", label: `military expenditure ${b} (SIPRI, US$ m, constant 2022)`, num: true },
      { key: "s_un_val_sq", label: "alliance-portfolio similarity S", num: true }];
    out("details").appendChild(h("div", { class: "card" }, h("h2", {}, `Year by year (${rows.length} years)`),
      F.table(columnsShown, rows, { name: "dyad-years", rowKey: (r) => r.year, label: `${a}–${b} year by year` }),
      h("details", { class: "notes" }, h("summary", {}, "Units"), h("ul", {}, Object.entries(u).map(([k, v]) => h("li", {}, h("code", {}, k), `: ${v}`))))));
    await Promise.all(drawn);
    F.ready(`dyad:${a}:${b}`);
  }

  form.addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
  if (p.a && p.b) run(); else F.ready("form");
})();
