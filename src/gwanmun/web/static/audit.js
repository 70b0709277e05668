"use strict";
// The audit log for auditors: filters, records in the page's language and local
// time, and the chain check.
const lang = document.documentElement.lang;
const kindSelect = document.getElementById("kind");
const kindOptions = Object.keys(words).filter((k) => k.startsWith("kind_")).map((k) => k.slice(5))
  .sort((a, b) => kindName(a).localeCompare(kindName(b), lang));
for (const kind of kindOptions) kindSelect.append(new Option(kindName(kind), kind));

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.append(td);
}
async function search(event) {
  if (event) event.preventDefault();
  const params = new URLSearchParams({ limit: "200" });
  for (const [name, id] of [["since", "since"], ["until", "until"], ["user", "who"],
                            ["outcome", "outcome"], ["kind", "kind"]]) {
    const value = document.getElementById(id).value.trim();
    if (value) params.set(name, value);
  }
  const response = await fetch("/v1/audit/records?" + params, { credentials: "same-origin" });
  const body = document.querySelector("#records tbody");
  const rows = [];
  for (const r of (await response.json()).data || []) {
    const row = document.createElement("tr");
    row.dataset.outcome = r.outcome;
    const kinds = [...new Set([...(r.findings || []), ...(r.output_findings || [])].map((f) => kindName(f.kind)))];
    const time = new Date(r.time * 1000);
    cell(row, String(r.seq));
    cell(row, time.toLocaleString(lang, { dateStyle: "short", timeStyle: "medium" }), "nowrap");
    row.lastChild.title = time.toISOString();
    for (const value of [r.user, r.group || "", r.model]) cell(row, value);
    cell(row, named("grade", r.grade), "nowrap");
    cell(row, named("outcome", r.outcome), "nowrap");
    cell(row, kinds.join(", "));
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
  out.dataset.ok = String(data.ok);
  if (!data.ok) { out.textContent = fill(words.chain_bad, { seq: data.bad_seq }); return; }
  if (!data.head) { out.textContent = words.chain_empty; return; }
  const [seq, hash] = data.head.split(":");
  out.textContent = fill(words.chain_ok, { checked: data.checked, seq, hash: hash.slice(0, 16) + "…" });
});
search();
