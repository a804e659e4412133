/* Two states over time: /api/v1/dyads/{a}/{b}?from=&to= → one row per year (directed a→b, with
 * b→a obligations as *_ba), drawn as an instrument timeline (one lane per instrument, a mark in
 * each year it is present) and as series (capabilities, similarity). */
"use strict";

(() => {
  const { h } = F;
  const form = document.getElementById("controls");
  const p = F.params();
  for (const f of ["a", "b", "from", "to"]) if (p[f]) document.getElementById(f).value = p[f];
  F.stateDatalist("states-list");
  const out = (id) => F.clear(document.getElementById(id));

  /** Known timeline lanes: column → label (A = first state, B = second). */
  const LANES = [
    ["atop_defense", "defence pledge A→B"], ["atop_defense_ba", "defence pledge B→A"],
    ["atop_offense", "offence pledge A→B"], ["atop_offense_ba", "offence pledge B→A"],
    ["atop_neutral", "neutrality A→B"], ["atop_neutral_ba", "neutrality B→A"],
    ["atop_nonagg", "non-aggression A→B"], ["atop_nonagg_ba", "non-aggression B→A"],
    ["atop_consul", "consultation A→B"], ["atop_consul_ba", "consultation B→A"],
    ["conttype", "contiguity (COW type 1–5)"],
    ["gmlmidonset", "MID onset (GML)"], ["gmlmidongoing", "MID ongoing (GML)"],
    ["cowmidonset", "MID onset (COW)"], ["cowmidongoing", "MID ongoing (COW)"],
    ["cowmaj1", "A is a major power"], ["cowmaj2", "B is a major power"],
  ];
  /** Columns that are keys, series or details, never lanes. */
  const NOT_LANES = new Set(["ccode1", "ccode2", "year", "atop_alliance", "atop_alliance_ba", "atop_basis",
    "milex1", "milper1", "irst1", "pec1", "tpop1", "upop1", "cinc1", "milex2", "milper2", "irst2", "pec2", "tpop2", "upop2", "cinc2",
    "init1", "init2", "sidea1", "sidea2", "orig1", "orig2", "idealpoint1", "idealpoint2", "idealpointdist",
    "cowmidspell", "gmlmidspell", "s_un_val_sq", "s_wt_val_sq", "capability_ratio", "capability_share"]);
  const SERIES = [["cinc1", "CINC A", "y"], ["cinc2", "CINC B", "y"], ["s_un_val_sq", "similarity S (unweighted)", "y2"], ["s_wt_val_sq", "similarity S (weighted)", "y2"]];

  const present = (v) => v === true || (typeof v === "number" && v !== 0);

  /** Lanes in this answer: the known ones, then any other count/indicator column (instruments). */
  function lanesOf(rows, columns) {
    const known = LANES.filter(([k]) => columns.includes(k));
    const knownKeys = new Set(LANES.map(([k]) => k));
    const others = columns.filter((k) => !knownKeys.has(k) && !NOT_LANES.has(k) && rows.some((r) => typeof r[k] === "number" || typeof r[k] === "boolean")
      && rows.every((r) => r[k] === null || typeof r[k] === "boolean" || (typeof r[k] === "number" && Number.isInteger(r[k]) && r[k] >= 0)));
    return [...known, ...others.map((k) => [k, k.replace(/_/g, " ")])].filter(([k]) => rows.some((r) => present(r[k])));
  }

  function timeline(rows, lanes, container, a, b) {
    const label = (text) => text.replace(/\bA\b/, a).replace(/\bB\b/, b);
    const names = lanes.map(([, l]) => label(l));
    const traces = lanes.map(([key, text]) => {
      const on = rows.filter((r) => present(r[key]));
      return {
        type: "scatter", mode: "markers", name: label(text), x: on.map((r) => r.year), y: on.map(() => label(text)),
        marker: { symbol: "square", size: 7 }, customdata: on.map((r) => (typeof r[key] === "boolean" ? 1 : r[key])),
        hovertemplate: `${label(text)} %{x}: %{customdata}<extra></extra>`,
      };
    });
    return Plotly.react(container, traces, {
      margin: { l: 10, r: 10, t: 10, b: 35 }, height: Math.max(260, 70 + lanes.length * 24), showlegend: false,
      yaxis: { automargin: true, type: "category", categoryorder: "array", categoryarray: [...names].reverse() },
      xaxis: { title: { text: "year" } }, hovermode: "closest",
    }, F.plotConfig);
  }

  function series(rows, container, a, b) {
    const traces = SERIES.filter(([k]) => rows.some((r) => typeof r[k] === "number")).map(([k, text, axis]) => ({
      type: "scatter", mode: "lines", name: text.replace(/\bA\b/, a).replace(/\bB\b/, b), yaxis: axis,
      x: rows.map((r) => r.year), y: rows.map((r) => r[k]), line: { dash: axis === "y2" ? "dot" : "solid" },
    }));
    if (!traces.length) { Plotly.purge(container); F.clear(container).appendChild(h("p", {}, "No capability or similarity data in these years.")); return null; }
    return Plotly.react(container, traces, {
      margin: { l: 55, r: 55, t: 10, b: 35 }, height: 320, legend: { orientation: "h", y: 1.15 },
      yaxis: { title: { text: "CINC" }, rangemode: "tozero" }, yaxis2: { title: { text: "similarity S" }, overlaying: "y", side: "right", range: [-1, 1], tickvals: [-1, -0.5, 0, 0.5, 1], zeroline: false, showgrid: false },
      xaxis: { title: { text: "year" } },
    }, F.plotConfig);
  }

  const SUMMARY = [["years", "years"], ["first_year", "first year"], ["last_year", "last year"], ["years_allied", "years allied"],
    ["years_defence_pact", "years with a defence pledge A→B"], ["gml_mid_onsets", "MID onsets (GML)"], ["cow_mid_onsets", "MID onsets (COW)"],
    ["years_contiguous_by_land", "years contiguous by land"]];

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
      out("summary");
      Plotly.purge(document.getElementById("timeline"));
      Plotly.purge(document.getElementById("series"));
      F.showError(out("error"), error);
      F.ready("error");
      return;
    }
    out("error");
    const a = F.abbOf(doc.a), b = F.abbOf(doc.b);
    document.getElementById("title").textContent = `${F.stateLabel(doc.a)} – ${F.stateLabel(doc.b)}, ${doc.from}–${doc.to}`;
    const rows = F.listOf(doc, ["timeline"]);
    const columns = doc.columns || (rows[0] ? Object.keys(rows[0]) : []);
    const lanes = lanesOf(rows, columns);
    const summary = doc.summary || {};
    const extra = Object.keys(summary).filter((k) => !SUMMARY.some(([s]) => s === k)).map((k) => [k, k.replace(/_/g, " ")]);
    out("summary").appendChild(h("div", { class: "card" },
      h("div", { class: "metrics" }, [...SUMMARY, ...extra].filter(([k]) => k in summary).map(([k, label]) => F.metric(label, summary[k], k))),
      h("p", {}, F.link.state(a, null, F.stateLabel(doc.a)), " · ", F.link.state(b, null, F.stateLabel(doc.b)), " · ",
        F.link.dyad(b, a, `${b}–${a} (reverse direction)`)),
      F.notes(doc.notes), F.sources(doc.provenance)));
    const box = document.getElementById("timeline");
    const drawn = [];
    if (lanes.length) drawn.push(timeline(rows, lanes, box, a, b));
    else { Plotly.purge(box); F.clear(box).appendChild(h("p", {}, "Nothing recorded for this pair in these years.")); }
    drawn.push(series(rows, document.getElementById("series"), a, b));
    const columnsShown = [{ key: "year", label: "year", num: true },
      ...lanes.map(([k]) => ({ key: k, label: k, num: true, render: (r) => (typeof r[k] === "boolean" ? (r[k] ? 1 : 0) : r[k]) })),
      ...SERIES.filter(([k]) => columns.includes(k)).map(([k]) => ({ key: k, label: k, num: true }))];
    out("details").appendChild(h("div", { class: "card" }, h("h2", {}, `Year by year (${rows.length} years)`),
      F.table(columnsShown, rows, { name: "dyad-years", rowKey: (r) => r.year })));
    await Promise.all(drawn);
    F.ready(`dyad:${a}:${b}`);
  }

  form.addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
  if (p.a && p.b) run(); else F.ready("form");
})();
