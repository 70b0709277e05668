"use strict";
function cell(row, text) { const td = document.createElement("td"); td.textContent = text; row.append(td); }
async function search(event) {
  if (event) event.preventDefault();
  const params = new URLSearchParams({ limit: "200" });
  const since = document.getElementById("since").value;
  const who = document.getElementById("who").value.trim();
  if (since) params.set("since", since);
  if (who) params.set("user", who);
  const response = await fetch("/v1/audit/records?" + params, { credentials: "same-origin" });
  const body = document.querySelector("#records tbody");
  const rows = [];
  for (const r of (await response.json()).data || []) {
    const row = document.createElement("tr");
    const kinds = [...new Set((r.findings || []).map((f) => f.kind))].join(" ");
    for (const value of [r.seq, new Date(r.time * 1000).toISOString().slice(0, 19).replace("T", " "),
                         r.user, r.group || "", r.model, r.grade, r.outcome, kinds]) cell(row, String(value));
    rows.push(row);
  }
  body.replaceChildren(...rows);
}
document.getElementById("audit-form").addEventListener("submit", search);
document.getElementById("verify").addEventListener("click", async () => {
  const response = await fetch("/v1/audit/verify", { credentials: "same-origin" });
  const data = await response.json();
  const out = document.getElementById("verify-result");
  out.className = data.ok ? "ok" : "error";
  out.textContent = data.message;
});
search();
