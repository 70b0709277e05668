"use strict";
// Knowledge bases: the ones the user may read, their documents with grade and size,
// uploads with progress (one document at a time, each indexed by the server), a
// search to see what a question finds, and a form to create one for the department.
const list = document.getElementById("kb-list");

async function load() {
  const result = await requestJSON("GET", "/v1/knowledge_bases");
  if (!result.ok) { list.replaceChildren(el("p", "error", errorText(result))); return; }
  const bases = result.data.data || [];
  if (!bases.length) { list.replaceChildren(el("p", "muted", words.kb_none)); return; }
  list.replaceChildren(...bases.map(card));
}

function card(kb) {
  const box = el("section", "card kb");
  box.dataset.kb = kb.id;
  const title = el("h2", "", kb.name);
  title.id = "kb-" + kb.id;
  box.setAttribute("aria-labelledby", title.id);
  box.append(title);
  const readers = kb.readers.includes("*") ? words.kb_everyone : kb.readers.join(", ");
  box.append(el("p", "muted", words.kb_owner + ": " + (kb.owner || words.institution) +
    (readers ? " · " + readers : "")));
  const docs = el("div", "kb-docs");
  box.append(docs);
  box.append(uploader(kb, docs), searcher(kb));
  documents(kb, docs);
  return box;
}

async function documents(kb, holder) {
  const result = await requestJSON("GET", "/v1/knowledge_bases/" + encodeURIComponent(kb.id) + "/documents");
  if (!result.ok) { holder.replaceChildren(el("p", "error", errorText(result))); return; }
  const rows = result.data.data || [];
  if (!rows.length) { holder.replaceChildren(el("p", "muted", words.kb_no_docs)); return; }
  const table = el("table", "grid");
  const head = el("tr");
  for (const name of [words.kb_doc, words.grade, words.kb_passages, words.kb_added, ""]) {
    const th = el("th", "", name);
    th.scope = "col";
    head.append(th);
  }
  table.append(el("thead"));
  table.tHead.append(head);
  const body = el("tbody");
  for (const doc of rows) {
    const tr = el("tr");
    tr.dataset.document = doc.name;
    const remove = el("button", "link", words.kb_remove);
    remove.type = "button";
    remove.setAttribute("aria-label", fill(words.kb_remove_doc, { name: doc.name }));
    remove.addEventListener("click", async () => {
      const path = "/v1/knowledge_bases/" + encodeURIComponent(kb.id) + "/documents/" + encodeURIComponent(doc.id);
      const done = await requestJSON("DELETE", path);
      if (!done.ok) { holder.append(el("p", "error", errorText(done))); return; }
      documents(kb, holder);
    });
    const cells = [doc.name, named("grade", doc.grade), String(doc.passages),
      new Date(doc.added * 1000).toLocaleString(document.documentElement.lang)];
    for (const text of cells) tr.append(el("td", "", text));
    const last = el("td");
    last.append(remove);
    tr.append(last);
    body.append(tr);
  }
  table.append(body);
  const scroll = el("div", "scroll"); // a narrow screen scrolls the table, not the page
  scroll.setAttribute("role", "region");
  scroll.tabIndex = 0;
  scroll.setAttribute("aria-labelledby", "kb-" + kb.id);
  scroll.append(table);
  holder.replaceChildren(scroll);
}

function uploader(kb, docs) {
  const wrap = el("div", "kb-upload");
  const id = "upload-" + kb.id;
  const label = el("label", "", words.kb_upload);
  label.htmlFor = id;
  const input = el("input");
  input.type = "file";
  input.id = id;
  input.multiple = true;
  input.accept = ".txt,.md,.pdf,.docx,.hwpx,.hwp";
  const bar = el("progress");
  bar.hidden = true;
  bar.setAttribute("aria-label", words.kb_progress);
  const status = el("p", "kb-status");
  status.setAttribute("role", "status");
  const results = el("ul", "attachments");
  input.addEventListener("change", async () => {
    const files = [...input.files];
    bar.max = files.length;
    bar.value = 0;
    bar.hidden = false;
    results.replaceChildren();
    for (const [i, file] of files.entries()) {
      status.textContent = fill(words.kb_indexing, { done: i + 1, total: files.length, name: file.name });
      const bytes = new Uint8Array(await file.arrayBuffer());
      const path = "/v1/knowledge_bases/" + encodeURIComponent(kb.id) + "/documents";
      const result = await requestJSON("POST", path, { name: file.name, data_base64: bytesToBase64(bytes) });
      const item = el("li", result.ok ? "" : "error");
      if (!result.ok) item.textContent = file.name + ": " + errorText(result);
      else if (!result.data.changed) item.textContent = fill(words.kb_unchanged, { name: file.name });
      else item.textContent = fill(words.kb_indexed, {
        name: file.name, passages: result.data.passages, grade: named("grade", result.data.grade),
      });
      results.append(item);
      bar.value = i + 1;
    }
    status.textContent = "";
    bar.hidden = true;
    input.value = "";
    documents(kb, docs);
  });
  wrap.append(label, input, bar, status, results);
  return wrap;
}

function searcher(kb) {
  const form = el("form", "kb-search row");
  const id = "search-" + kb.id;
  const label = el("label", "visually-hidden", fill(words.kb_search_in, { name: kb.name }));
  label.htmlFor = id;
  const input = el("input");
  input.id = id;
  input.type = "search";
  input.placeholder = words.kb_search;
  const button = el("button", "secondary", words.kb_search_go);
  button.type = "submit";
  const hits = el("ol", "kb-hits");
  hits.setAttribute("aria-live", "polite");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!input.value.trim()) return;
    const path = "/v1/knowledge_bases/" + encodeURIComponent(kb.id) + "/search";
    const result = await requestJSON("POST", path, { query: input.value, k: 5 });
    if (!result.ok) { hits.replaceChildren(el("li", "error", errorText(result))); return; }
    const found = result.data.data || [];
    if (!found.length) { hits.replaceChildren(el("li", "muted", words.kb_no_hits)); return; }
    hits.replaceChildren(...found.map((p) => {
      const item = el("li", "kb-hit");
      const place = placeOf(p);
      item.append(el("strong", "", p.document + (place ? " — " + place : "")));
      item.append(" ", el("span", "badge", named("grade", p.grade)));
      item.append(el("p", "", p.text.length > 300 ? p.text.slice(0, 300) + "…" : p.text));
      return item;
    }));
  });
  form.append(label, input, button);
  const wrap = el("div");
  wrap.append(form, hits);
  return wrap;
}

document.getElementById("kb-new").addEventListener("submit", async (event) => {
  event.preventDefault();
  const out = document.getElementById("kb-new-result");
  const readers = document.getElementById("kb-new-readers").value.split(",").map((r) => r.trim()).filter(Boolean);
  const body = { id: document.getElementById("kb-new-id").value.trim(), readers };
  const name = document.getElementById("kb-new-name").value.trim();
  if (name) body.name = name;
  const result = await requestJSON("POST", "/v1/knowledge_bases", body);
  out.textContent = result.ok ? words.kb_created : errorText(result);
  out.className = result.ok ? "" : "error";
  if (result.ok) { event.target.reset(); load(); }
});
load();
