"use strict";
// The user's own past requests, newest first, from the audit log (masked text only).
(async () => {
  const response = await fetch("/v1/history?limit=100", { credentials: "same-origin" });
  const items = [];
  for (const r of (await response.json()).data || []) {
    const box = el("article", "msg history-item");
    const when = new Date(r.time * 1000).toLocaleString();
    box.append(el("p", "meta", when + " · " + r.model + " · " + r.outcome + " · " + words.grade + " " + r.grade));
    for (const m of r.prompt || []) {
      if (m.role === "user") box.append(el("p", "text", m.content));
    }
    if (r.answer) box.append(el("p", "text answer", r.answer));
    if (!r.prompt) {
      const why = r.outcome === "blocked" ? words.history_blocked : words.history_no_text;
      box.append(el("p", "muted", why + (r.reasons && r.reasons.length ? " (" + r.reasons.join("; ") + ")" : "")));
    }
    items.push(box);
  }
  document.getElementById("history").replaceChildren(...items);
})();
