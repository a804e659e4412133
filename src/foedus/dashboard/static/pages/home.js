/* Home: /api/v1/status (what the warehouse holds) and /api/v1/structure (a chart over time). */
"use strict";

(() => {
  const { h } = F;

  async function status() {
    const box = document.getElementById("status");
    try {
      const doc = await F.api("/status");
      const used = Array.isArray(doc.in_use) ? doc.in_use : F.listOf(doc, ["releases"]).filter((r) => r.in_use !== false);
      F.clear(box).append(
        h("div", { class: "metrics" },
          F.metric("tables in use", used.length, "tables"),
          F.metric("sources", new Set(used.map((r) => r.source)).size, "sources"),
          F.metric("rows", used.reduce((s, r) => s + (typeof r.rows === "number" ? r.rows : 0), 0), "rows"),
          F.metric("foedus", doc.foedus_version || "", "version")),
        h("details", {}, h("summary", {}, "Releases"), F.table([
          { key: "table", label: "table" }, { key: "source", label: "source" }, { key: "version", label: "version" },
          { key: "file", label: "file" }, { key: "rows", label: "rows", num: true },
        ], used, { name: "releases", rowKey: (r) => r.table })),
      );
      if (doc.ready === false || !used.length) {
        box.appendChild(h("div", { class: "error", role: "alert" }, `The warehouse (${doc.warehouse || "?"}) has no data yet. `,
          doc.fix || "Import data with `foedus data import-all DIR` (or start with `foedus serve --data DIR`)."));
      }
    } catch (error) {
      F.showError(box, error);
    }
  }

  async function structure() {
    const box = document.getElementById("structure");
    try {
      const doc = await F.api("/structure", { from: 1816, to: 2022 });
      F.setSources(doc);
      const rows = F.listOf(doc, ["rows", "years", "items"]);
      await Plotly.react(box, [
        { type: "scatter", mode: "lines", name: "effective number of poles", x: rows.map((r) => r.year), y: rows.map((r) => r.effective_poles), line: { color: "#1f4e79" } },
        { type: "scatter", mode: "lines", name: "concentration (CON)", x: rows.map((r) => r.year), y: rows.map((r) => r.con), yaxis: "y2", line: { color: "#d62728" } },
      ], {
        margin: { l: 50, r: 50, t: 10, b: 35 }, height: 320, legend: { orientation: "h", y: 1.12 },
        yaxis: { title: { text: "poles" } }, yaxis2: { title: { text: "CON" }, overlaying: "y", side: "right", rangemode: "tozero" },
      }, F.plotConfig);
    } catch (error) {
      F.showError(box, error);
    }
  }

  Promise.all([status(), structure()]).then(() => F.ready("home"));
})();
