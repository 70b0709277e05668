"use strict";
const words = JSON.parse(document.getElementById("words").textContent);
document.getElementById("dry-run").addEventListener("click", async () => {
  const text = document.getElementById("dry-text").value;
  const out = document.getElementById("dry-result");
  const result = await postJSON("/v1/admin/policy/dry-run", {
    text, backend_grade: document.getElementById("dry-grade").value,
  });
  if (!result.ok) { out.replaceChildren(el("p", "error", errorText(result))); return; }
  const d = result.data;
  const decision = el("p", "status " + (d.action === "block" ? "block" : "mask"),
    words.decision + ": " + d.action + " · " + words.grade + " " + d.grade);
  decision.dataset.action = d.action;
  const list = el("ul", "findings");
  for (const f of d.findings) {
    const rule = d.rules[f.kind] || {};
    list.append(el("li", "", f.kind + " " + f.start + "-" + f.end + " (" + f.detector + ", " +
      f.score.toFixed(2) + ") → " + rule.action + " / " + rule.grade));
  }
  const reasons = el("p", "muted", (d.reasons || []).join("; "));
  out.replaceChildren(decision, markedText(text, d.findings, d.action === "block"), list, reasons);
});
(async () => {
  const response = await fetch("/v1/admin/users", { credentials: "same-origin" });
  const body = document.querySelector("#users tbody");
  for (const u of (await response.json()).data || []) {
    const row = el("tr");
    const state = u.disabled ? "disabled" : u.locked ? "locked" : "active";
    for (const value of [u.name, u.group || "", u.role, state]) row.append(el("td", "", value));
    body.append(row);
  }
})();
