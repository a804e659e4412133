/* Engagement records: log in (session cookie + CSRF token), list what the user may see, record a
 * new engagement. Every request goes to /api/v1/records on this server. */
"use strict";

(() => {
  const { h } = F;
  const API = document.querySelector('meta[name="foedus-api"]').content.replace(/\/$/, "") + "/records";
  const $ = (id) => document.getElementById(id);
  let csrf = (document.cookie.match(/(?:^|; )foedus_csrf=([^;]*)/) || [])[1] || null;

  async function call(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (csrf && method !== "GET") headers["X-CSRF-Token"] = decodeURIComponent(csrf);
    const r = await fetch(API + path, { method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body) });
    const doc = r.status === 204 ? null : await r.json().catch(() => null);
    if (!r.ok) {
      const error = new Error(explain(r.status, doc));
      error.status = r.status;
      throw error;
    }
    return doc;
  }

  function explain(status, doc) {
    if (status === 401 && doc && doc.error === "AuthenticationError" && /wrong user/.test(doc.detail || "")) return "Wrong user name or password.";
    if (status === 401) return "Please log in.";
    if (status === 403) return "Your role does not allow this.";
    if (status === 429) return "Too many failed log-ins. Wait a few minutes and try again.";
    let text = (doc && (doc.detail || doc.title)) || `The server answered ${status}.`;
    if (doc && Array.isArray(doc.problems) && doc.problems.length) {
      text += " " + doc.problems.map((p) => `${p.column || "file"}: ${p.reason}${p.value ? ` (“${p.value}”)` : ""}`).join("; ") + ".";
    }
    return text;
  }

  function showError(error) {
    F.clear($("error")).appendChild(h("div", { class: "error", role: "alert", "data-error": error.status || "client" }, error.message));
  }

  function render(rows, me) {
    $("list-card").hidden = false;
    F.clear($("list")).appendChild(rows.length ? F.table([
      { key: "id", label: "id", num: true },
      { key: "start_date", label: "start" },
      { key: "instrument", label: "instrument" },
      { key: "partners", label: "partners", render: (e) => e.partners.map((p) => p.name).join(", ") },
      { key: "status", label: "status", render: (e) => F.tag(e.status, "status") },
      { key: "marking", label: "marking", render: (e) => F.tag(e.marking, "marking") },
      { key: "title", label: "title" },
    ], rows, { name: "engagements", rowKey: (e) => e.id }) : h("p", { class: "notes" }, "No engagement you may see yet."));
    $("whoami").textContent = `Logged in as ${me.username} (${me.role}; sees markings up to “${me.clearance}”).`;
  }

  async function refresh() {
    F.busy();
    try {
      const me = await call("GET", "/me");
      $("login-card").hidden = true;
      $("session-card").hidden = false;
      $("new-card").hidden = !me.can_write;
      const doc = await call("GET", "/engagements?limit=500");
      render(doc.engagements, me);
      F.ready(`records:${me.username}:${doc.count}`);
    } catch (error) {
      $("login-card").hidden = false;
      $("session-card").hidden = true;
      $("new-card").hidden = true;
      $("list-card").hidden = true;
      if (error.status !== 401) showError(error);
      F.ready(error.status === 401 ? "login" : "error");
    }
  }

  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    F.busy();
    F.clear($("error"));
    try {
      const doc = await call("POST", "/login", { username: $("username").value, password: $("password").value });
      csrf = doc.csrf_token;
      $("password").value = "";
      await refresh();
    } catch (error) {
      showError(error);
      F.ready("error");
    }
  });

  $("logout").addEventListener("click", async () => {
    F.busy();
    await call("POST", "/logout").catch(() => null);
    csrf = null;
    F.clear($("error"));
    await refresh();
  });

  $("new-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    F.busy();
    F.clear($("error"));
    const body = {
      title: $("e-title").value, instrument: $("e-instrument").value,
      partners: $("e-partners").value.split(";").map((s) => s.trim()).filter(Boolean),
      start_date: $("e-start").value, marking: $("e-marking").value,
    };
    if ($("e-end").value) body.end_date = $("e-end").value;
    try {
      await call("POST", "/engagements", body);
      $("new-form").reset();
      await refresh();
    } catch (error) {
      showError(error);
      F.ready("error");
    }
  });

  refresh();
})();
