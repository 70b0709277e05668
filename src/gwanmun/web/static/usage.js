"use strict";
(async () => {
  const response = await fetch("/v1/usage", { credentials: "same-origin" });
  const data = await response.json();
  document.getElementById("hours").textContent = words.hours_saved + ": " + data.hours_saved;
  const body = document.querySelector("#groups tbody");
  for (const [group, g] of Object.entries(data.groups)) {
    const row = document.createElement("tr");
    for (const value of [group, g.requests, g.blocked, g.tokens, g.answers_rated, g.hours_saved]) {
      const td = document.createElement("td"); td.textContent = String(value); row.append(td);
    }
    body.append(row);
  }
  for (const [kind, n] of Object.entries(data.blocks_by_kind)) {
    const li = document.createElement("li"); li.textContent = kind + ": " + n;
    document.getElementById("blocks").append(li);
  }
  for (const t of data.top_templates) {
    const li = document.createElement("li"); li.textContent = t.title + " (" + t.uses + ")";
    document.getElementById("top").append(li);
  }
})();
