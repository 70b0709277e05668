"use strict";
document.getElementById("dry-run").addEventListener("click", async () => {
  const text = document.getElementById("dry-text").value;
  const out = document.getElementById("dry-result");
  const result = await postJSON("/v1/admin/policy/dry-run", {
    text, backend_grade: document.getElementById("dry-grade").value,
  });
  if (!result.ok) { out.replaceChildren(el("p", "error", errorText(result))); return; }
  const d = result.data;
  const decision = el("p", "status " + (d.action === "block" ? "block" : "mask"),
    words.decision + ": " + named("action", d.action) + " · " + words.grade + " " + named("grade", d.grade));
  decision.dataset.action = d.action;
  const list = el("ul", "findings");
  for (const f of d.findings) {
    // The action and grade judged for this finding (a term's own rule, a marking's grade).
    const rule = d.rules[f.kind] || {};
    const item = el("li", "", kindName(f.kind) + " · " + fill(words.chars, { start: f.start + 1, end: f.end }) +
      " (" + words.detector + " " + f.detector + ", " + words.confidence + " " + f.score.toFixed(2) + ") → " +
      named("action", f.action || rule.action) + " / " + named("grade", f.grade || rule.grade));
    item.dataset.kind = f.kind;
    item.dataset.action = f.action || rule.action;
    list.append(item);
  }
  const reasons = el("p", "muted", (d.causes || []).map(reasonText).join("; "));
  out.replaceChildren(decision, markedText(text, d.findings, d.action === "block"), list, reasons);
});
// A reason in the page's language, with the kinds or grades it names.
function reasonText(c) {
  const kinds = c.kinds.map(kindName).join(", ");
  const grades = c.limit ? c.grade ? named("grade", c.grade) + " > " + named("grade", c.limit) : named("grade", c.limit) : "";
  return (words["reason_" + c.code] || c.code) + (kinds || grades ? " (" + (kinds || grades) + ")" : "");
}
async function send(method, path, body) {
  const response = await fetch(path, {
    method, credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body || {}),
  });
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  return { ok: response.ok, status: response.status, data };
}
function say(id, result, okText) {
  const out = document.getElementById(id);
  out.className = result.ok ? "ok" : "error";
  out.textContent = result.ok ? okText : errorText(result);
}
function action(label, handler) {
  const button = el("button", "link", label);
  button.type = "button";
  button.addEventListener("click", handler);
  return button;
}
async function loadUsers() {
  const response = await fetch("/v1/admin/users", { credentials: "same-origin" });
  const rows = [];
  for (const u of (await response.json()).data || []) {
    const row = el("tr");
    row.dataset.user = u.name;
    const state = u.disabled ? "disabled" : u.locked ? "locked" : "active";
    row.dataset.state = state;
    for (const value of [u.name, u.group || "", named("role", u.role), named("state", state)]) row.append(el("td", "", value));
    const actions = el("td", "row");
    actions.append(action(u.disabled ? words.enable : words.disable, async () => {
      say("users-result", await send("PATCH", "/v1/admin/users/" + encodeURIComponent(u.name),
        { disabled: !u.disabled }), u.name + ": " + named("state", u.disabled ? "active" : "disabled"));
      loadUsers();
    }));
    if (u.locked) {
      actions.append(action(words.unlock, async () => {
        say("users-result", await send("PATCH", "/v1/admin/users/" + encodeURIComponent(u.name),
          { unlock: true }), u.name + ": " + named("state", "active"));
        loadUsers();
      }));
    }
    row.append(actions);
    rows.push(row);
  }
  document.querySelector("#users tbody").replaceChildren(...rows);
}
async function loadKeys() {
  const response = await fetch("/v1/admin/keys", { credentials: "same-origin" });
  const rows = [];
  for (const k of (await response.json()).data || []) {
    const row = el("tr");
    row.dataset.state = k.revoked ? "revoked" : "active";
    for (const value of [k.key_id, k.user, named("state", row.dataset.state)]) row.append(el("td", "", value));
    const cell = el("td");
    if (!k.revoked) {
      cell.append(action(words.revoke, async () => {
        say("key-result", await send("DELETE", "/v1/admin/keys/" + k.key_id), k.key_id + ": " + named("state", "revoked"));
        loadKeys();
      }));
    }
    row.append(cell);
    rows.push(row);
  }
  document.querySelector("#keys tbody").replaceChildren(...rows);
}
document.getElementById("new-user").addEventListener("submit", async (event) => {
  event.preventDefault();
  const password = document.getElementById("nu-password").value;
  const result = await send("POST", "/v1/admin/users", {
    name: document.getElementById("nu-name").value.trim(),
    group: document.getElementById("nu-group").value.trim() || null,
    role: document.getElementById("nu-role").value,
    password: password || null,
  });
  say("users-result", result, words.added);
  if (result.ok) { event.target.reset(); loadUsers(); }
});
document.getElementById("new-key").addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = await send("POST", "/v1/admin/keys", {
    user: document.getElementById("nk-user").value.trim(),
    expires_in_days: Number(document.getElementById("nk-days").value) || null,
  });
  say("key-result", result, result.ok ? words.key_once + " " + result.data.key : "");
  if (result.ok) loadKeys();
});
loadUsers();
loadKeys();
