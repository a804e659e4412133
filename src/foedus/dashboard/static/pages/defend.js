/* Collective defence: /api/v1/defend?target=&year=&attacker=&location= → responders, conditions,
 * escalation tree, coalition capability. The location defaults to the target's own territory; the
 * headline counts are counted from the tables shown below them; the escalation tree expands only
 * through states bound to respond. */
"use strict";

(() => {
  const { h } = F;
  const form = document.getElementById("controls");
  const fields = ["target", "attacker", "year", "location"];
  const p = F.params();
  for (const f of fields) if (p[f]) document.getElementById(f).value = p[f];
  F.stateDatalist("states-list");

  const out = (id) => F.clear(document.getElementById(id));
  const abbOf = (s) => (s && typeof s === "object" ? s.abb || s.ccode : s);

  function verdictTag(v) { return v ? F.tag(v, "verdict") : ""; }
  function boundTag(b) { return h("span", { class: `tag ${b ? "bound-true" : "bound-false"}` }, b ? "bound" : "not bound"); }
  function statusTag(s) { return s ? F.tag(s, "status") : ""; }

  function conditionsCell(o) {
    const list = o.conditions || [];
    if (!list.length) return h("span", { class: "notes" }, "none");
    return h("ul", { class: "notes", style: "margin:0;padding-left:1rem" }, list.map((c) =>
      h("li", {}, verdictTag(c.verdict), " ", h("strong", {}, c.kind || c.variable), c.variable ? ` (${c.variable})` : "", c.reason ? ` — ${c.reason}` : "",
        c.detail ? h("details", {}, h("summary", {}, "treaty text"), c.detail) : null)));
  }

  function obligationTable(rows, name, { who = "state" } = {}) {
    return F.table([
      { key: "state", label: who === "state" ? "state" : "owed by", render: (o) => F.link.state(o.state_abb || String(o.state), o.year, `${o.state_name || o.state_abb} (${o.state_abb || o.state})`) },
      { key: "partner", label: "toward", render: (o) => o.partner_abb || o.partner },
      { key: "kind", label: "obligation", render: (o) => F.OBLIGATION_LABELS[o.kind] || o.kind },
      { key: "alliance", label: "treaty", render: (o) => F.link.alliance(String(o.alliance_id), null, `${o.alliance} (${o.alliance_id})`) },
      { key: "verdict", label: "verdict", render: (o) => verdictTag(o.verdict) },
      { key: "bound", label: "bound", render: (o) => boundTag(o.bound) },
      { key: "status", label: "status", render: (o) => h("span", {}, statusTag(o.status), " ", h("span", { class: "notes" }, o.basis || "")) },
      { key: "conditions", label: "conditions", render: conditionsCell },
    ], rows, { name, rowKey: (o) => `${o.state}-${o.alliance_id}-${o.kind}` });
  }

  /** The part of the escalation tree reached through bound states only: the target's direct
   * responders, and below a responder only if it is itself bound to respond. */
  function boundTree(doc, escalation) {
    const target = (doc.target || {}).ccode;
    const byParent = new Map();
    for (const node of escalation) {
      const parent = F.pick(node, "drawn_in_by", "parent");
      if (!byParent.has(parent)) byParent.set(parent, []);
      byParent.get(parent).push(node);
    }
    const shown = [];
    const walk = (parent) => {
      for (const node of byParent.get(parent) || []) {
        shown.push(node);
        if (node.bound) walk(node.ccode);
      }
    };
    walk(target);
    return shown;
  }

  /** Nested list of the escalation tree: parent = drawn_in_by. */
  function tree(doc, escalation) {
    const target = doc.target || {};
    const byParent = new Map();
    for (const node of escalation) {
      const parent = F.pick(node, "drawn_in_by", "parent");
      if (!byParent.has(parent)) byParent.set(parent, []);
      byParent.get(parent).push(node);
    }
    const item = (node) => {
      const kids = byParent.get(node.ccode) || [];
      return h("li", { "data-ccode": node.ccode, "data-depth": node.depth },
        h("span", { class: "node-name" }, F.link.state(node.abb || String(node.ccode), doc.year, `${node.name || node.abb} (${node.abb})`)),
        " via ", F.link.alliance(String(node.alliance_id), null, node.alliance || node.alliance_id), " ",
        verdictTag(node.verdict), " ", boundTag(node.bound),
        (node.also_owes_attacker || []).length ? h("span", { class: "notes" }, ` also owes the attacker: ${node.also_owes_attacker.join(", ")}`) : null,
        kids.length ? h("ul", {}, kids.map(item)) : null);
    };
    const roots = byParent.get(target.ccode) || [];
    return h("ul", { class: "tree", "data-tree": "escalation" },
      h("li", { "data-ccode": target.ccode, "data-depth": 0 }, h("span", { class: "node-name" }, `${F.stateLabel(target)} — attacked`), h("ul", {}, roots.map(item))));
  }

  function sunburst(doc, escalation, container) {
    const target = doc.target || {};
    const root = `${target.abb || target.ccode}`;
    const ids = [String(target.ccode)], labels = [root], parents = [""], colors = ["#1f4e79"];
    for (const n of escalation) {
      ids.push(String(n.ccode));
      labels.push(n.abb || String(n.ccode));
      parents.push(String(F.pick(n, "drawn_in_by", "parent")));
      colors.push(n.bound ? "#4caf6e" : "#f0b04a");
    }
    return Plotly.react(container, [{
      type: "sunburst", ids, labels, parents, marker: { colors }, branchvalues: "remainder",
      hovertemplate: "%{label}<extra></extra>", insidetextorientation: "radial",
    }], { margin: { l: 0, r: 0, t: 0, b: 0 }, height: 520 }, F.plotConfig);
  }

  function capabilitiesTable(rows) {
    return F.table([
      { key: "side", label: "side" }, { key: "scope", label: "scope" }, { key: "basis", label: "basis" },
      { key: "n_states", label: "states", num: true }, { key: "cinc", label: "CINC", num: true }, { key: "share", label: "share", num: true },
      { key: "milex", label: "milex", num: true }, { key: "milper", label: "milper", num: true },
      { key: "n_without_nmc", label: "without NMC", num: true },
    ], rows, { name: "capabilities", rowKey: (r) => `${r.side}-${r.scope}-${r.basis}`, scroll: false });
  }

  async function run() {
    const values = Object.fromEntries(fields.map((f) => [f, document.getElementById(f).value.trim()]));
    F.setParams(values);
    if (!values.target || !values.year) return;
    F.busy();
    document.getElementById("title").textContent = `Collective defence: ${values.target.toUpperCase()} ${values.year}`;
    const attackers = values.attacker ? values.attacker.split(",").map((s) => s.trim()).filter(Boolean) : null;
    const location = values.location || values.target; // default: an attack on the target's own territory
    let doc;
    try {
      F.loading(out("summary"));
      doc = await F.api("/defend", { target: values.target, year: values.year, attacker: attackers, location });
    } catch (error) {
      F.showError(out("error"), error);
      F.ready("error");
      return;
    }
    out("error");
    const toward = doc.toward_target || [];
    const defence = toward.filter((o) => o.kind === "defense");
    const fullTree = doc.escalation || [];
    const escalation = boundTree(doc, fullTree);
    F.setSources(doc.provenance || doc);
    const attackersText = (doc.attackers || []).map(F.stateLabel).join(", ") || "not named";
    document.getElementById("title").textContent = `Collective defence: ${F.stateLabel(doc.target)}, ${doc.year}`;
    const share = (doc.capabilities || []).find((c) => c.side === "defenders" && c.scope === "direct" && c.basis === "bound");
    const states = (rows) => new Set(rows.map((o) => o.state)).size;
    const boundStates = states(defence.filter((o) => o.bound));
    const mayStates = states(defence.filter((o) => !o.bound && o.verdict !== "unmet"));
    out("summary").appendChild(h("div", { class: "card" },
      h("dl", { class: "kv" },
        h("dt", {}, "target"), h("dd", {}, F.link.state(abbOf(doc.target), doc.year, F.stateLabel(doc.target))),
        h("dt", {}, "attacker(s)"), h("dd", {}, attackersText),
        h("dt", {}, "location"), h("dd", {}, values.location ? (doc.location || values.location) : `${doc.location || values.target} — the target's own territory (default)`),
        h("dt", {}, "provoked"), h("dd", {}, doc.provoked === null || doc.provoked === undefined ? "not stated" : String(doc.provoked))),
      h("div", { class: "metrics", style: "margin-top:0.8rem" },
        F.metric("states bound to defend it", boundStates, "bound_states"),
        F.metric("states whose pledge cannot be judged", mayStates, "undecided_states"),
        F.metric("defence obligations (table rows)", defence.length, "defense_obligations"),
        F.metric("drawn in through bound states", escalation.length, "escalation"),
        F.metric("max depth", escalation.length ? Math.max(...escalation.map((n) => n.depth)) : 0, "max_depth"),
        share ? F.metric("defenders' CINC share (direct, bound)", share.share, "share") : null),
      F.notes(doc.notes), F.sources(doc.provenance || doc.sources)));

    out("responders").appendChild(h("div", { class: "card" },
      h("h2", {}, `Defence obligations toward ${abbOf(doc.target)} (${defence.length})`),
      defence.length ? obligationTable(defence, "toward-target") : h("p", {}, "No state owes the target a defence obligation this year."),
      toward.length > defence.length ? h("details", {}, h("summary", {}, `Other obligations toward ${abbOf(doc.target)} (${toward.length - defence.length})`),
        obligationTable(toward.filter((o) => o.kind !== "defense"), "other-toward-target")) : null));

    const treeCard = h("div", { class: "card" }, h("h2", {}, `Escalation tree (${escalation.length} states)`),
      h("p", { class: "notes" }, "Each responder bound to respond is in turn attacked by the attacker(s); the states bound to defend it enter at the next level. "
        + "A state whose obligation is not binding (unmet or cannot be judged) is shown but not expanded. Each state appears once, at its shallowest level."
        + (fullTree.length > escalation.length ? ` ${fullTree.length - escalation.length} further states would be drawn in only through obligations that are not binding.` : "")),
      h("ul", { class: "legend-list", "data-legend": "tree" },
        h("li", {}, boundTag(true), " obliged to defend, every condition met or unconditional"),
        h("li", {}, boundTag(false), " not bound: a condition is unmet or cannot be judged"),
        h("li", {}, F.tag("met", "verdict"), " ", F.tag("unconditional", "verdict"), " ", F.tag("unmet", "verdict"), " ", F.tag("cannot be judged", "verdict"), " verdict on the treaty's conditions"),
        h("li", {}, h("span", { class: "swatch", style: "background:#4caf6e" }), "bound (chart) ",
          h("span", { class: "swatch", style: "background:#f0b04a" }), "not bound (chart) ",
          h("span", { class: "swatch", style: "background:#1f4e79" }), "the target")));
    out("escalation").appendChild(treeCard);
    if (escalation.length) {
      const chartBox = h("div", { class: "chart", id: "tree-chart" });
      treeCard.appendChild(h("div", { class: "halves" }, h("div", { class: "scroll", style: "max-height:520px;padding:0.4rem" }, tree(doc, escalation)), chartBox));
      await sunburst(doc, escalation, chartBox);
    } else {
      treeCard.appendChild(h("p", {}, "No state is drawn in."));
    }

    if ((doc.capabilities || []).length) {
      out("capabilities").appendChild(h("div", { class: "card" }, h("h2", {}, "Coalition capability (COW NMC)"), capabilitiesTable(doc.capabilities)));
    } else out("capabilities");

    const others = out("others");
    const sections = [
      ["attacker_pledges_to_target", "The attacker's own pledges toward the target"],
      ["pledges_to_attacker", "Pledges toward the attacker (neutrality, non-aggression …)"],
      ["offensive_allies", "The attacker's offensive allies"],
    ];
    for (const [key, title] of sections) {
      const rows = doc[key] || [];
      others.appendChild(h("div", { class: "card" }, h("details", { open: rows.length && rows.length <= 12 ? true : null },
        h("summary", {}, h("strong", {}, `${title} (${rows.length})`)), rows.length ? obligationTable(rows, key) : h("p", {}, "None."))));
    }
    F.ready(`defend:${abbOf(doc.target)}:${doc.year}`);
  }

  form.addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
  if (p.target && p.year) run();
  else F.ready("form");
})();
