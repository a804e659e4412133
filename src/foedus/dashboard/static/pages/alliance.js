/* One alliance: /api/v1/alliances/{name_or_id}?year= → names, phases with provisions, members. */
"use strict";

(() => {
  const { h } = F;
  const form = document.getElementById("controls");
  const p = F.params();
  if (p.id) document.getElementById("id").value = p.id;
  if (p.year) document.getElementById("year").value = p.year;
  const out = (id) => F.clear(document.getElementById(id));

  function phaseCard(ph) {
    return h("div", { class: "card", "data-phase": ph.phase },
      h("h3", {}, `Phase ${ph.phase}: ${ph.begin || "?"} – ${ph.end || "in force"}`),
      h("div", { class: "metrics" }, F.metric("milinst", ph.milinst, `milinst-${ph.phase}`), F.metric("formal", ph.formal, `formal-${ph.phase}`)),
      (ph.threats || []).length ? h("p", {}, "Threats named: ", (ph.threats || []).map((t) => F.tag(typeof t === "object" ? t.abb || t.ccode : t))) : null,
      (ph.provisions || []).length ? F.table([
        { key: "title", label: "provision" }, { key: "variable", label: "variable" },
        { key: "code", label: "code", num: true }, { key: "meaning", label: "meaning" },
      ], ph.provisions, { name: `provisions-${ph.phase}`, scroll: false, rowKey: (v) => v.variable }) : h("p", { class: "notes" }, "No provisions recorded."));
  }

  function membersTable(members, year) {
    return F.table([
      { key: "state", label: "member", render: (m) => F.link.state(m.abb || String(m.ccode), year, `${m.name} (${m.abb})`) },
      { key: "phase", label: "phase", num: true },
      { key: "entered", label: "entered" }, { key: "left", label: "left", render: (m) => m.left || "" },
      { key: "obligations", label: "obligations", render: (m) => (m.obligations || []).map((o) => F.tag(F.OBLIGATION_LABELS[o] || o)) },
      { key: "conditions", label: "conditions", render: (m) => (m.conditions || []).map((c) => h("span", { class: "tag", title: c.meaning || "" }, c.variable || c)) },
      { key: "source", label: "source" },
      { key: "status", label: "status", render: (m) => [m.suspended ? F.tag(`suspended ${m.suspended}`, "status") : null, m.termination ? h("span", { class: "notes" }, m.termination) : null] },
    ], members, { name: "members", rowKey: (m) => `${m.ccode}-${m.phase}-${m.entered}` });
  }

  function membershipChart(members, container) {
    // One bar per member spell: entered → left (or the end of the data).
    const end = new Date().getFullYear() + 1;
    const rows = [...members].sort((a, b) => String(a.entered).localeCompare(String(b.entered)));
    const yearOf = (d) => (d ? Number(String(d).slice(0, 4)) + (Number(String(d).slice(5, 7) || 1) - 1) / 12 : end);
    Plotly.react(container, [{
      type: "bar", orientation: "h", base: rows.map((m) => yearOf(m.entered)), x: rows.map((m) => yearOf(m.left) - yearOf(m.entered)),
      y: rows.map((m) => `${m.abb} ${m.phase}`), marker: { color: rows.map((m) => ((m.obligations || []).includes("defense") ? "#1f4e79" : "#8fb3d9")) },
      hovertext: rows.map((m) => `${m.name}: ${m.entered} – ${m.left || "in force"}<br>${(m.obligations || []).join(", ")}`), hoverinfo: "text",
    }], {
      margin: { l: 70, r: 10, t: 10, b: 30 }, height: Math.min(900, 120 + rows.length * 14),
      yaxis: { automargin: true, tickfont: { size: 9 } }, xaxis: { title: { text: "year" } }, bargap: 0.25,
    }, F.plotConfig);
  }

  async function run() {
    const id = document.getElementById("id").value.trim();
    const year = document.getElementById("year").value.trim();
    F.setParams({ id, year });
    if (!id) { F.ready("form"); return; }
    F.busy();
    F.loading(out("summary"));
    out("phases"); out("members");
    let doc;
    try {
      doc = await F.api(`/alliances/${encodeURIComponent(id)}`, { year });
    } catch (error) {
      out("summary");
      F.showError(out("error"), error);
      F.ready("error");
      return;
    }
    out("error");
    F.setSources(doc);
    const a = doc.alliance || doc;
    const members = a.members || [];
    document.getElementById("title").textContent = `${a.name} (${a.alliance_id})${a.year ? `, ${a.year}` : ""}`;
    out("summary").appendChild(h("div", { class: "card" },
      h("dl", { class: "kv" },
        h("dt", {}, "ATOPID / key"), h("dd", {}, String(a.alliance_id)),
        h("dt", {}, "also known as"), h("dd", {}, (a.aliases || []).join("; ") || "—"),
        h("dt", {}, "in force"), h("dd", {}, `${a.begin || "?"} – ${a.end || "end of the data"}`),
        h("dt", {}, "source"), h("dd", {}, a.source || ""),
        a.treaty_text ? h("dt", {}, "treaty text") : null, a.treaty_text ? h("dd", {}, a.treaty_text) : null,
        a.note ? h("dt", {}, "note") : null, a.note ? h("dd", {}, a.note) : null),
      h("div", { class: "metrics", style: "margin-top:0.8rem" },
        F.metric("members", new Set(members.map((m) => m.ccode)).size, "members"),
        F.metric("member spells", members.length, "spells"),
        F.metric("phases", (a.phases || []).length, "phases"),
        F.metric("with a defence obligation", new Set(members.filter((m) => (m.obligations || []).includes("defense")).map((m) => m.ccode)).size, "defense_members")),
      F.notes(doc.notes), F.sources(doc.provenance || doc.sources)));
    out("phases").append(h("h2", {}, "Phases and provisions"), ...(a.phases || []).map(phaseCard));
    const chartBox = h("div", { class: "chart" });
    out("members").appendChild(h("div", { class: "card" }, h("h2", {}, `Members (${members.length} spells)`), chartBox, membersTable(members, a.year || year)));
    if (members.length) membershipChart(members, chartBox);
    F.ready(`alliance:${a.alliance_id}`);
  }

  form.addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
  if (p.id) run(); else F.ready("form");
})();
