/* What-if: POST /api/v1/scenarios with the edited TOML → the simulated attack, scenario against
 * base, and the deltas. The scenario text travels in the URL (?s=…) so a result can be shared. */
"use strict";

(() => {
  const { h } = F;
  const DEFAULT = [
    "format = 1",
    'name = "Baltic 2026: Russia attacks Estonia"',
    "year = 2026",
    "draws = 10000",
    "seed = 20260101",
    'rivals = ["RUS"]',
    "",
    "[attack]",
    'attackers = ["RUS"]',
    'target = "EST"',
    'location = "EST"',
    "provoked = false",
    "",
    "# [participation]",
    "# USA = 0.0",
    "",
  ].join("\n");
  const box = document.getElementById("scenario");
  const p = F.params();
  box.value = p.s || DEFAULT;
  const out = (id) => F.clear(document.getElementById(id));

  async function post(text) {
    const url = new URL(document.querySelector('meta[name="foedus-api"]').content.replace(/\/$/, "") + "/scenarios", window.location.origin);
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(url.pathname, { method: "POST", headers: { "Content-Type": "application/toml", Accept: "application/json" }, body: text });
      let body = null;
      try { body = await response.json(); } catch (e) { body = null; }
      if (response.ok) return body;
      const retryAfter = Number(response.headers.get("Retry-After"));
      if (response.status === 503 && retryAfter > 0 && attempt < 6) {
        await new Promise((r) => setTimeout(r, Math.min(retryAfter, 10) * 1000));
        continue;
      }
      throw new F.ApiError(response.status, body, url.pathname);
    }
  }

  const pct = (x) => (x === null || x === undefined ? null : x);

  function compare(label, key, scen, base) {
    return h("div", { class: "metric", "data-metric": key },
      h("div", { class: "label" }, label),
      h("div", { class: "value" }, F.num(scen), h("span", { class: "notes" }, " base ", F.num(base, { "data-base": "1" }))));
  }

  function respondersTable(sim, base) {
    const baseBy = new Map((base ? base.responders : []).map((r) => [r.state, r]));
    return F.table([
      { key: "state", label: "state", render: (r) => F.link.state(r.state, null, r.state) },
      { key: "depth", label: "depth", num: true },
      { key: "drawn_in_by", label: "drawn in by" },
      { key: "alliance_id", label: "alliance", render: (r) => F.link.alliance(String(r.alliance_id), null, String(r.alliance_id)) },
      { key: "p_honour", label: "P(honours)", num: true },
      { key: "p_basis", label: "from" },
      { key: "p_responds", label: "P(responds)", num: true },
      { key: "base", label: "base P(responds)", num: true, render: (r) => (baseBy.has(r.state) ? baseBy.get(r.state).p_responds : null) },
      { key: "mc_se", label: "MC s.e.", num: true },
    ], sim.responders, { name: "responders", rowKey: (r) => r.state });
  }

  function render(doc) {
    const sim = (doc.simulation || {}).scenario;
    const base = (doc.simulation || {}).base;
    const name = doc.scenario.name;
    document.getElementById("title").textContent = `What-if: ${name}`;
    const changes = doc.changes || [];
    const summary = h("div", { class: "card" },
      h("dl", { class: "kv" },
        h("dt", {}, "base year"), h("dd", {}, String(doc.year)),
        h("dt", {}, "alliance data"), h("dd", {}, doc.basis),
        h("dt", {}, "changes"), h("dd", {}, changes.length ? h("ul", { "data-list": "changes" }, changes.map((c) => h("li", {}, c.text))) : "none")));
    if (sim) {
      const att = doc.attack;
      summary.appendChild(h("p", {}, `Attack: ${att.attackers.join(", ")} on ${att.target} (${sim.draws.toLocaleString()} draws, seed ${sim.seed}, correlation ${sim.correlation}).`));
      const cinc = sim.capabilities.cinc, bcinc = base.capabilities.cinc;
      summary.appendChild(h("div", { class: "metrics" },
        compare("P(at least one ally responds)", "p_at_least_1", sim.coalition.p_at_least["1"] || 0, base.coalition.p_at_least["1"] || 0),
        compare("expected responders", "expected_responders", sim.coalition.mean, base.coalition.mean),
        compare("defenders' median CINC share", "median_cinc_share", pct(cinc.defender_share.q50), pct(bcinc.defender_share.q50)),
        compare("P(defenders' CINC > attackers')", "p_defenders_stronger", cinc.p_defenders_stronger, bcinc.p_defenders_stronger),
        compare("mean escalation depth", "mean_depth", sim.escalation_depth.mean, base.escalation_depth.mean)));
    }
    summary.appendChild(F.notes(doc.notes));
    out("summary").appendChild(summary);
    if (sim) {
      out("responders").appendChild(h("div", { class: "card" }, h("h2", {}, `Responders (${sim.responders.length})`), respondersTable(sim, base)));
    } else out("responders");
    const d = doc.deltas || {};
    const card = h("div", { class: "card" }, h("h2", {}, "Against the base year"));
    if (d.bound) {
      card.appendChild(h("p", {}, `Directed defence obligations: +${d.bound.gained.length} / −${d.bound.lost.length} (base ${d.bound.base_total}, scenario ${d.bound.scenario_total}).`));
      if (d.bound.gained.length) card.appendChild(F.table([{ key: "defender" }, { key: "defended" }], d.bound.gained, { name: "bound-gained" }));
      if (d.bound.lost.length) card.appendChild(h("details", {}, h("summary", {}, "obligations lost"), F.table([{ key: "defender" }, { key: "defended" }], d.bound.lost, { name: "bound-lost" })));
    }
    if ((d.balances || []).length) {
      card.appendChild(h("h3", {}, "Expected CINC share against rivals"));
      card.appendChild(F.table([
        { key: "state" }, { key: "rival" },
        { key: "base", label: "base", num: true, render: (r) => r.base.expected_share },
        { key: "scenario", label: "scenario", num: true, render: (r) => r.scenario.expected_share },
        { key: "change_in_share", label: "change", num: true },
      ], d.balances, { name: "balances", rowKey: (r) => `${r.state}-${r.rival}` }));
    }
    if (d.dispute_risk) {
      card.appendChild(h("h3", {}, "Predicted dispute risk"));
      card.appendChild(h("p", { class: "notes" }, `${d.dispute_risk.model}; ${d.dispute_risk.profile_rule}`));
      card.appendChild(F.table([
        { key: "a" }, { key: "b" },
        { key: "base", num: true, render: (r) => (r.base || {}).probability },
        { key: "scenario", num: true, render: (r) => (r.scenario || {}).probability },
        { key: "low", label: "95% low", num: true, render: (r) => (r.scenario || {}).conf_low },
        { key: "high", label: "95% high", num: true, render: (r) => (r.scenario || {}).conf_high },
      ], d.dispute_risk.dyads, { name: "dispute-risk" }));
    }
    out("deltas").appendChild(card);
    F.ready(`whatif:${name}`);
  }

  function shareLink(text) {
    const url = new URL(window.location.href);
    url.search = "";
    url.searchParams.set("s", text);
    document.getElementById("share").href = url.pathname + url.search;
  }

  async function run() {
    const text = box.value;
    F.setParams({ s: text });
    shareLink(text);
    F.busy();
    F.loading(out("summary"));
    let doc;
    try {
      doc = await post(text);
    } catch (error) {
      ["summary", "responders", "deltas"].forEach(out);
      F.showError(out("error"), error);
      F.ready("error");
      return;
    }
    out("error");
    render(doc);
  }

  document.getElementById("controls").addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
  shareLink(box.value);
  if (p.s) run();
  else F.ready("form");
})();
