/* One state in a year: /api/v1/states/{state}?year= → capabilities, major-power status, UN ideal
 * point, alliance-network position and the state's alliances with their obligations. */
"use strict";

(() => {
  const { h } = F;
  const form = document.getElementById("controls");
  const p = F.params();
  if (p.state) document.getElementById("state").value = p.state;
  if (p.year) document.getElementById("year").value = p.year;
  F.stateDatalist("states-list");
  const out = (id) => F.clear(document.getElementById(id));

  const CAPABILITIES = [["cinc", "CINC (share of world capability)"], ["milex", "military expenditure (NMC, thousand current US$)"],
    ["sipri_milex", "military expenditure (SIPRI, US$ m, constant 2022)"], ["sipri_milex_gdp", "military expenditure, share of GDP (SIPRI)"],
    ["milper", "military personnel (thousands)"], ["irst", "iron and steel (thousand tons)"], ["pec", "primary energy (thousand coal-ton eq.)"],
    ["tpop", "total population (thousands)"], ["upop", "urban population (thousands)"]];
  const NETWORK = [["degree", "defence partners"], ["weighted_degree", "weighted degree"], ["betweenness", "betweenness"],
    ["eigenvector", "eigenvector"], ["clustering", "clustering"], ["bloc", "bloc"]];

  function group(title, obj, keys, prefix) {
    if (!obj) return h("div", { class: "card" }, h("h2", {}, title), h("p", { class: "notes" }, "Not available for this state and year."));
    return h("div", { class: "card" }, h("h2", {}, title),
      h("div", { class: "metrics" }, keys.map(([k, label]) => F.metric(label, obj[k], `${prefix}.${k}`))));
  }

  function alliancesTable(rows, year) {
    return F.table([
      { key: "alliance", label: "alliance", render: (a) => F.link.alliance(String(a.alliance_id), year, `${a.name} (${a.alliance_id})`) },
      { key: "phase", label: "phase", num: true },
      { key: "entered", label: "entered" },
      { key: "obligations", label: "own obligations", render: (a) => F.OBLIGATIONS.filter((o) => a[o] === true).map((o) => F.tag(F.OBLIGATION_LABELS[o])) },
      { key: "conditions", label: "conditions", render: (a) => (a.conditions || []).map((c) => F.tag(typeof c === "string" ? c : c.variable || c.kind)) },
      { key: "partners", label: "partners", render: (a) => h("span", {}, ...(a.partners || []).flatMap((s, i) => [i ? " " : "", F.link.state(String(s), year)])) },
      { key: "n_partners", label: "n", num: true, render: (a) => (a.partners || []).length },
      { key: "status", label: "status", render: (a) => F.tag(a.status, "status") },
      { key: "basis", label: "basis" },
    ], rows, { name: "alliances", rowKey: (a) => a.alliance_id });
  }

  async function run() {
    const state = document.getElementById("state").value.trim();
    const year = document.getElementById("year").value.trim();
    F.setParams({ state, year });
    if (!state || !year) { F.ready("form"); return; }
    F.busy();
    F.loading(out("profile"));
    out("alliances");
    let doc;
    try {
      doc = await F.api(`/states/${encodeURIComponent(state)}`, { year });
    } catch (error) {
        F.showError(out("error"), error);
      F.ready("error");
      return;
    }
    out("error");
    F.setSources(doc);
    const s = doc.state;
    const abb = F.abbOf(s);
    document.getElementById("title").textContent = `${F.stateLabel(s)}, ${doc.year}`;
    const alliances = doc.alliances || [];
    const defencePartners = new Set(alliances.filter((a) => a.defense).flatMap((a) => a.partners || []));
    out("profile").append(
      h("div", { class: "card" },
        h("dl", { class: "kv" },
          h("dt", {}, "COW code"), h("dd", {}, F.num(s.ccode, { "data-key": "ccode" })),
          h("dt", {}, "ISO3 (present-day country)"), h("dd", {}, s.iso3 || "—"),
          h("dt", {}, "in the COW system"), h("dd", { "data-key": "in_system" }, doc.in_system ? "yes" : "no"),
          h("dt", {}, "major power (COW)"), h("dd", { "data-key": "major_power" }, doc.major_power === null || doc.major_power === undefined ? "—" : doc.major_power ? "yes" : "no"),
          h("dt", {}, "UN ideal point"), h("dd", {}, F.num(doc.idealpoint, { "data-key": "idealpoint" }))),
        h("div", { class: "metrics", style: "margin-top:0.8rem" },
          F.metric("alliances", alliances.length, "n_alliances"),
          F.metric("with a defence pledge", alliances.filter((a) => a.defense).length, "n_defense"),
          F.metric("states it pledges to defend", defencePartners.size, "n_defense_partners")),
        h("p", {}, F.link.defend(abb, doc.year, `Who would defend ${abb} in ${doc.year}?`), " · ",
          h("a", { href: `${F.DASH}/network?year=${doc.year}` }, `alliance network ${doc.year}`), " · ",
          h("a", { href: `${F.DASH}/map?year=${doc.year}` }, `world map ${doc.year}`)),
        F.notes(doc.notes), F.sources(doc.provenance)),
      h("div", { class: "grid" },
        group("Capabilities (COW NMC) and military spending (SIPRI)", doc.capabilities, CAPABILITIES, "capabilities"),
        group("Position in the alliance network (defence obligations)", doc.network, NETWORK, "network")));
    out("alliances").appendChild(h("div", { class: "card" }, h("h2", {}, `Alliances in ${doc.year} (${alliances.length})`),
      alliances.length ? alliancesTable(alliances, doc.year) : h("p", {}, "No alliance this year.")));
    F.ready(`state:${abb}:${doc.year}`);
  }

  form.addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
  if (p.state) run(); else F.ready("form");
})();
