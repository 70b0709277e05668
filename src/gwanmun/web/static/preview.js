"use strict";
// Renders a scan result over its text: marked spans with their kinds. Shared by
// the chat preview and the administrators' policy dry-run.
function markedText(text, findings, blocked) {
  const shown = el("div", "shown");
  let cursor = 0;
  for (const f of findings.slice().sort((a, b) => a.start - b.start)) {
    if (f.start < cursor) continue;
    shown.append(text.slice(cursor, f.start));
    const mark = el("mark", blocked ? "block" : "mask", text.slice(f.start, f.end));
    mark.dataset.kind = f.kind;
    mark.title = kindName(f.kind);
    mark.append(el("span", "kind", kindName(f.kind)));
    shown.append(mark);
    cursor = f.end;
  }
  shown.append(text.slice(cursor));
  return shown;
}
