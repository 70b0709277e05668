"use strict";
// The user's own past requests, newest first, from the audit log (masked text only).
(async () => {
  const response = await fetch("/v1/history?limit=100", { credentials: "same-origin" });
  const items = [];
  for (const r of (await response.json()).data || []) {
    const box = el("article", "msg history-item");
    box.dataset.outcome = r.outcome;
    const when = new Date(r.time * 1000).toLocaleString(document.documentElement.lang);
    box.append(el("p", "meta", when + " · " + r.model + " · " + named("outcome", r.outcome) +
      " · " + words.grade + " " + named("grade", r.grade)));
    for (const m of r.prompt || []) {
      if (m.role === "user") box.append(el("p", "text", m.content));
    }
    if (r.answer) box.append(el("p", "text answer", r.answer));
    if (!r.prompt) {
      const why = r.outcome === "blocked" ? words.history_blocked : words.history_no_text;
      // Why, from the record's error code and the kinds it found (never the English reasons).
      const cause = words["err_" + r.error_code];
      const kinds = [...new Set((r.findings || []).map((f) => kindName(f.kind)))].join(", ");
      const detail = [cause, kinds].filter(Boolean).join(": ");
      box.append(el("p", "muted", why + (detail ? " (" + detail + ")" : "")));
    }
    items.push(box);
  }
  document.getElementById("history").replaceChildren(...items);
})();
