/* foedus dashboard — shared helpers (vanilla JS, no framework, nothing loaded from elsewhere).
 *
 * Every number a page shows comes from a JSON response of the REST API on this server
 * (`<meta name="foedus-api">`, normally /api/v1). Numbers are written with `F.num()`, which keeps
 * the API's exact value in `data-value` and shows it rounded to 4 significant digits.
 */
"use strict";

const F = (() => {
  const API = document.querySelector('meta[name="foedus-api"]').content.replace(/\/$/, "");
  const DASH = document.querySelector('meta[name="foedus-dashboard"]').content.replace(/\/$/, "");

  /** Element builder: h("a", {href: "/x", class: "y"}, "text", child, [children]). Text is never parsed as HTML. */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    const add = (child) => {
      if (child === undefined || child === null || child === false) return;
      if (Array.isArray(child)) child.forEach(add);
      else if (child instanceof Node) node.appendChild(child);
      else node.appendChild(document.createTextNode(String(child)));
    };
    children.forEach(add);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  /** The API's URL for a path and query parameters (empty values left out; arrays repeated). */
  function apiUrl(path, params) {
    const url = new URL(API + path, window.location.origin);
    for (const [key, value] of Object.entries(params || {})) {
      if (value === undefined || value === null || value === "") continue;
      if (Array.isArray(value)) value.forEach((v) => url.searchParams.append(key, v));
      else url.searchParams.set(key, value);
    }
    return url.pathname + url.search;
  }

  class ApiError extends Error {
    constructor(status, body, url) {
      const detail = body && (body.detail || body.title || body.error);
      let text = typeof detail === "string" ? detail : JSON.stringify(detail || body || status);
      if (body && typeof body.fix === "string" && !text.includes(body.fix)) text += `\n${body.fix}`;
      super(text);
      this.status = status;
      this.body = body;
      this.url = url;
    }
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /**
   * GET a JSON document from the API; errors (application/problem+json) become ApiError with
   * their detail. A 503 with Retry-After (an answer still being computed past the API's time
   * limit) is retried a few times: the API caches the answer when it is ready.
   */
  async function api(path, params, { retries = 6 } = {}) {
    const url = apiUrl(path, params);
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      let body = null;
      try {
        body = await response.json();
      } catch (e) {
        body = null;
      }
      if (response.ok) return body;
      const retryAfter = Number(response.headers.get("Retry-After"));
      if (response.status === 503 && retryAfter > 0 && attempt < retries) {
        await sleep(Math.min(retryAfter, 10) * 1000);
        continue;
      }
      throw new ApiError(response.status, body, url);
    }
  }

  const _cache = new Map();
  /** api() memoised for the page's life (static look-ups: states, status). */
  function cached(path, params) {
    const key = apiUrl(path, params);
    if (!_cache.has(key)) _cache.set(key, api(path, params).catch((e) => { _cache.delete(key); throw e; }));
    return _cache.get(key);
  }

  /** A number as shown: integers in full, other numbers to 4 significant digits, both with
   * thousands separators (1,234,567); `plain` (years, codes) without separators. */
  function fmt(value, digits = 4, plain = false) {
    if (value === null || value === undefined || value === "") return "—";
    if (typeof value !== "number") return String(value);
    if (!Number.isFinite(value)) return String(value);
    if (plain) return String(value);
    if (Number.isInteger(value)) return value.toLocaleString("en-US");
    if (value !== 0 && Math.abs(value) < 1e-4) return value.toExponential(digits - 1);
    return Number(value.toPrecision(digits)).toLocaleString("en-US", { maximumFractionDigits: 20 });
  }

  /** Keys whose numbers are years or codes: shown without thousands separators. */
  const PLAIN = /(^|_)(year|years_?range|ccode|code|atopid|bloc|depth|phase)s?($|_)|^(first|last|from|to)$/;

  /** A number element: the exact API value in data-value, the rounded one as text. */
  function num(value, attrs, plain = false) {
    return h("span", Object.assign({ class: "num", "data-value": value === null || value === undefined ? "" : value }, attrs || {}), fmt(value, 4, plain));
  }

  function metric(label, value, key) {
    return h("div", { class: "metric", "data-metric": key || label },
      h("div", { class: "label" }, label),
      h("div", { class: "value" }, typeof value === "number" || value === null || value === undefined ? num(value, null, PLAIN.test(String(key || label))) : value));
  }

  /**
   * A table: columns [{key, label, num, plain, render(row) -> node|text, csv(row) -> value}], rows
   * [objects]. Each row gets data-key from opts.rowKey(row) when given. Every table comes with
   * a CSV download of its rows and a "cite this" block (BibTeX of the page's sources).
   */
  function table(columns, rows, opts = {}) {
    const head = h("tr", {}, columns.map((c) => h("th", { class: c.num ? "num" : null, scope: "col" }, c.label || c.key)));
    const body = rows.map((row) => h("tr", { "data-key": opts.rowKey ? opts.rowKey(row) : null },
      columns.map((c) => {
        const value = c.render ? c.render(row) : row[c.key];
        const plain = c.plain || PLAIN.test(c.key);
        const cell = c.num && (typeof value === "number" || value === null || value === undefined) ? num(value, null, plain) : value;
        return h("td", { class: c.num ? "num" : null, "data-col": c.key }, cell === null || cell === undefined ? "" : cell);
      })));
    const t = h("table", { class: "data", "data-table": opts.name || null }, h("thead", {}, head), h("tbody", {}, body));
    const shown = opts.scroll === false ? t : h("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": opts.label || `table ${opts.name || ""}`.trim() }, t);
    const csvColumns = columns.map((c) => ({ key: c.key, label: c.key, value: c.csv || ((r) => {
      const v = c.render && !c.num ? textOf(c.render(r)) : (c.render ? c.render(r) : r[c.key]);
      return v instanceof Node ? textOf(v) : v;
    }) }));
    return h("div", { class: "table-box" }, shown, tools(opts.name || "table", () => csv(csvColumns, rows)));
  }

  function textOf(value) {
    if (value === null || value === undefined) return "";
    if (value instanceof Node) return value.textContent.trim();
    if (Array.isArray(value)) return value.map(textOf).join("; ");
    return value;
  }

  /** CSV text (RFC 4180) of rows for columns [{label, value(row)}]; numbers exact, not rounded. */
  function csv(columns, rows) {
    const cell = (v) => {
      if (v === null || v === undefined) return "";
      if (Array.isArray(v)) v = v.join(";");
      else if (typeof v === "object") v = JSON.stringify(v);
      const s = String(v);
      return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    const lines = [columns.map((c) => cell(c.label)).join(",")];
    for (const r of rows) lines.push(columns.map((c) => cell(c.value(r))).join(","));
    return lines.join("\r\n") + "\r\n";
  }

  /** The sources the page's numbers come from (set by each page with setSources(doc)). */
  let pageSources = [];
  function setSources(doc) {
    const names = new Set();
    const add = (x) => {
      if (!x) return;
      if (typeof x === "string") { const n = x.split(" ")[0]; if (n) names.add(n); return; }
      if (x.source) names.add(String(x.source));
    };
    const prov = doc && (doc.provenance || doc);
    const list = prov && Array.isArray(prov.sources) ? prov.sources : (doc && Array.isArray(doc.sources) ? doc.sources : []);
    list.forEach(add);
    pageSources = [...names];
    return pageSources;
  }

  function download(filename, text, type) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = h("a", { href: url, download: filename, hidden: true });
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 0);
  }

  /** "Download CSV" and "Cite this" (BibTeX from /api/v1/cite) for a table or a chart. */
  function tools(name, makeCsv) {
    const pre = h("pre", { class: "bibtex", "data-bibtex": name }, "");
    const cite = h("details", { class: "cite" }, h("summary", {}, "Cite this"), pre);
    cite.addEventListener("toggle", async () => {
      if (!cite.open || pre.dataset.loaded) return;
      pre.textContent = "Loading…";
      try {
        const doc = await cached("/cite", { source: pageSources });
        pre.textContent = doc.bibtex;
        pre.dataset.loaded = "1";
      } catch (error) {
        pre.textContent = `The citation could not be loaded: ${error.message}`;
      }
    });
    const button = h("button", { type: "button", class: "secondary small", "data-csv": name,
      onclick: () => download(`foedus-${name}.csv`, makeCsv(), "text/csv;charset=utf-8") }, "Download CSV");
    return h("div", { class: "tools" }, button, cite);
  }

  /** The data of a drawn Plotly chart as CSV: one row per point (trace, x, y, z, location, label …). */
  function chartCsv(el) {
    const keys = ["x", "y", "z", "locations", "labels", "ids", "parents", "text", "customdata"];
    const rows = [];
    for (const trace of el.data || []) {
      const n = Math.max(0, ...keys.map((k) => (Array.isArray(trace[k]) ? trace[k].length : 0)));
      for (let i = 0; i < n; i++) {
        const row = { trace: trace.name || trace.type || "" };
        for (const k of keys) if (Array.isArray(trace[k])) row[k] = trace[k][i];
        if (row.x === null && row.y === null) continue; // line breaks between edges
        rows.push(row);
      }
    }
    const used = keys.filter((k) => rows.some((r) => r[k] !== undefined));
    return csv([{ label: "trace", value: (r) => r.trace }, ...used.map((k) => ({ label: k, value: (r) => r[k] }))], rows);
  }

  /** Give every drawn chart an accessible name and its CSV/cite tools (called by ready()). */
  function decorateCharts() {
    for (const el of document.querySelectorAll(".chart")) {
      if (!el.data) continue;
      if (!el.getAttribute("role")) el.setAttribute("role", "img");
      if (!el.getAttribute("aria-label")) {
        const card = el.closest(".card");
        const heading = card && card.querySelector("h2, h3");
        const title = heading ? heading.textContent : document.title.replace(/ · foedus$/, "");
        el.setAttribute("aria-label", `Chart: ${title}. The data are in the table on this page and in its CSV download.`);
      }
      if (!el.nextElementSibling || !el.nextElementSibling.classList.contains("tools")) {
        const name = (el.id || "chart").replace(/[^a-z0-9-]/gi, "-");
        el.insertAdjacentElement("afterend", tools(name, () => chartCsv(el)));
      }
    }
  }

  function tag(text, kind) {
    const cls = kind ? `tag ${kind}-${String(text).replace(/\s+/g, "-")}` : "tag";
    return h("span", { class: cls }, text);
  }

  /** Query-string parameters of this page. */
  function params() {
    return Object.fromEntries(new URLSearchParams(window.location.search).entries());
  }

  /** Put the view's parameters in the address bar (bookmarkable), without reloading. */
  function setParams(values) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined || value === null || value === "") continue;
      if (Array.isArray(value)) { if (value.length) search.set(key, value.join(",")); }
      else search.set(key, value);
    }
    const query = search.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  }

  /** Names the API suggests for an unknown state ("did you mean JPN = Japan (740), …?"). */
  function suggestionsOf(error) {
    const fix = error && error.body && typeof error.body.fix === "string" ? error.body.fix : "";
    const m = fix.match(/did you mean (.+?)\?/);
    if (!m) return [];
    return [...new Set(m[1].split(/,\s*/).map((s) => s.split(" = ")[0].trim()).filter(Boolean))].slice(0, 6);
  }

  /** Show an error in plain language, with clickable suggestions, and clear the previous result
   * (every chart and every [data-result] container of the page). */
  function showError(container, error) {
    for (const el of document.querySelectorAll("main .chart")) {
      if (window.Plotly && el.data) Plotly.purge(el);
      clear(el);
    }
    for (const el of document.querySelectorAll("main [data-result]")) clear(el);
    const message = error instanceof ApiError ? `${error.message}`
      : "The page could not show this answer (the server did not answer as expected). Reload the page or try again.";
    const box = h("div", { class: "error", role: "alert", "data-error": error && error.status ? error.status : "client" }, message);
    const names = suggestionsOf(error);
    const bad = error && error.body && typeof error.body.detail === "string" ? (error.body.detail.match(/'([^']+)'/) || [])[1] : null;
    const input = bad ? [...document.querySelectorAll("main form input[type=text]")].find((i) => i.value.trim().toLowerCase() === bad.toLowerCase()
      || i.value.split(",").map((s) => s.trim().toLowerCase()).includes(bad.toLowerCase())) : null;
    if (names.length && input) {
      box.appendChild(h("div", { class: "suggestions" }, "Did you mean: ", names.map((name) => h("button", {
        type: "button", class: "secondary small", "data-suggestion": name,
        onclick: () => {
          const parts = input.value.split(",").map((s) => s.trim());
          input.value = parts.length > 1 ? parts.map((s) => (s.toLowerCase() === bad.toLowerCase() ? name : s)).join(", ") : name;
          const form = input.closest("form");
          if (form) form.requestSubmit();
        },
      }, name))));
    }
    clear(container).appendChild(box);
    if (!(error instanceof ApiError)) console.warn(error);
  }

  function loading(container, text) {
    clear(container).appendChild(h("p", { class: "loading" }, text || "Loading…"));
  }

  /** Links between pages. */
  const link = {
    state: (state, year, label) => h("a", { href: `${DASH}/state?` + new URLSearchParams(year ? { state, year } : { state }), "data-state": state }, label || state),
    alliance: (id, year, label) => h("a", { href: `${DASH}/alliance?` + new URLSearchParams(year ? { id, year } : { id }), "data-alliance": id }, label || id),
    dyad: (a, b, label) => h("a", { href: `${DASH}/dyad?` + new URLSearchParams({ a, b }) }, label || `${a}–${b}`),
    defend: (target, year, label) => h("a", { href: `${DASH}/defend?` + new URLSearchParams({ target, year }) }, label || `defend ${target}`),
  };

  /** Fill a <datalist> with the states from /states (code, abbreviation, name). */
  async function stateDatalist(id) {
    let list = document.getElementById(id);
    if (!list) {
      list = h("datalist", { id });
      document.body.appendChild(list);
    }
    try {
      const doc = await cached("/states");
      const seen = new Set();
      for (const s of listOf(doc, ["states", "items", "rows", "data"])) {
        const value = abbOf(s);
        if (seen.has(value)) continue;
        seen.add(value);
        list.appendChild(h("option", { value }, `${s.name || ""} (${codeOf(s)})`));
      }
    } catch (e) {
      /* the datalist is a convenience; the page works without it */
    }
    return list;
  }

  /** The array in a response: the document itself, or the first of `keys` that holds an array. */
  function listOf(doc, keys) {
    if (Array.isArray(doc)) return doc;
    for (const key of keys || ["items", "rows", "data"]) {
      if (doc && Array.isArray(doc[key])) return doc[key];
    }
    return [];
  }

  /** First defined value among keys. */
  function pick(obj, ...keys) {
    for (const key of keys) {
      if (obj && obj[key] !== undefined && obj[key] !== null) return obj[key];
    }
    return undefined;
  }

  /** A state's COW abbreviation and code, whichever spelling the document uses. */
  function abbOf(s) {
    if (s === null || s === undefined || typeof s !== "object") return s === null || s === undefined ? "" : String(s);
    return String(pick(s, "abbreviation", "abb", "stateabb", "state_abb", "ccode", "code") ?? "");
  }
  function codeOf(s) {
    return s && typeof s === "object" ? pick(s, "ccode", "code", "state") : s;
  }

  /** A state object or code as "ABB" / "Name (ABB)". */
  function stateLabel(s) {
    if (s === null || s === undefined) return "";
    if (typeof s !== "object") return String(s);
    return s.name ? `${s.name} (${abbOf(s)})` : abbOf(s);
  }

  function notes(list) {
    const items = (list || []).filter(Boolean);
    if (!items.length) return null;
    return h("ul", { class: "notes" }, items.map((n) => h("li", {}, typeof n === "string" ? n : JSON.stringify(n))));
  }

  /** Where the numbers come from: a document's `provenance.sources` (or `sources`). */
  function sources(obj) {
    if (obj && obj.sources !== undefined && !Array.isArray(obj) && (obj.foedus_version !== undefined || Array.isArray(obj.sources))) {
      const list = obj.sources || [];
      if (!list.length) return null;
      return h("details", { class: "notes", "data-provenance": "1" }, h("summary", {}, `Sources (foedus ${obj.foedus_version || ""}${obj.curated_version ? `, curated facts ${obj.curated_version}` : ""})`),
        h("ul", {}, list.map((x) => h("li", {}, typeof x === "string" ? x
          : `${x.table ? x.table + ": " : ""}${x.source || ""} ${x.version || ""}${x.file ? ` (${x.file}${x.via ? ` via ${x.via}` : ""})` : ""}${x.purpose ? ` — ${x.purpose}` : ""}`))));
    }
    if (!obj) return null;
    const entries = Array.isArray(obj) ? obj.map((v, i) => [i, v]) : Object.entries(obj);
    if (!entries.length) return null;
    return h("details", { class: "notes" }, h("summary", {}, "Sources"),
      h("ul", {}, entries.map(([k, v]) => h("li", {}, Array.isArray(obj) ? (typeof v === "string" ? v : JSON.stringify(v)) : `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`))));
  }

  /** Plotly defaults for every chart: local only, no logo link, responsive. */
  const plotConfig = {
    displaylogo: false, responsive: true, topojsonURL: `${DASH}/static/`,
    showSendToCloud: false, showEditInChartStudio: false, showLink: false, plotlyServerURL: "",
    modeBarButtonsToRemove: ["sendDataToCloud", "editInChartStudio"],
  };

  /** Mark the page as rendered for a view (the browser tests wait on this). */
  function ready(view) {
    decorateCharts();
    document.body.removeAttribute("aria-busy");
    const bar = document.getElementById("busy");
    if (bar) bar.hidden = true;
    document.body.dataset.ready = view || "1";
    document.body.dataset.renders = String(Number(document.body.dataset.renders || 0) + 1);
  }

  function busy() {
    delete document.body.dataset.ready;
    document.body.setAttribute("aria-busy", "true");
    const bar = document.getElementById("busy");
    if (bar) bar.hidden = false;
  }

  function debounce(fn, ms) {
    let timer = null;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
  }

  const OBLIGATIONS = ["defense", "offense", "neutral", "nonagg", "consul"];
  const OBLIGATION_LABELS = { defense: "defence", offense: "offence", neutral: "neutrality", nonagg: "non-aggression", consul: "consultation" };

  // World geometry for maps: the local Natural Earth 110m GeoJSON, fetched once per page. Plotly
  // asks for its own base-map topology whenever a trace has a `locationmode`, which a choropleth
  // always has; the maps draw only this GeoJSON, so an empty topology is registered under the
  // name Plotly looks for and nothing is fetched (from the CDN or elsewhere).
  let worldPromise = null;
  function world() {
    if (!worldPromise) {
      window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
      window.PlotlyGeoAssets.topojson = window.PlotlyGeoAssets.topojson || {};
      window.PlotlyGeoAssets.topojson.world_110m = { type: "Topology", objects: {}, arcs: [] };
      worldPromise = fetch(`${DASH}/static/world-110m.geojson`).then((r) => r.json());
    }
    return worldPromise;
  }

  return {
    API, DASH, h, clear, api, apiUrl, cached, ApiError, fmt, num, metric, table, tag, params, setParams,
    showError, loading, link, csv, tools, setSources, download, stateDatalist, listOf, pick, abbOf, codeOf, stateLabel, notes, sources, plotConfig, ready, busy,
    debounce, OBLIGATIONS, OBLIGATION_LABELS, world,
  };
})();
