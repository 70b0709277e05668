"use strict";
// The template library: browse by category, fill the variables, use in chat, rate;
// administrators export and import signed bundles.
const library = document.getElementById("library");
const dialog = document.getElementById("fill");
let current = null;


async function load() {
  const response = await fetch("/v1/templates", { credentials: "same-origin" });
  const data = (await response.json()).data || [];
  const byCategory = new Map();
  for (const t of data) {
    if (!byCategory.has(t.category)) byCategory.set(t.category, []);
    byCategory.get(t.category).push(t);
  }
  // Categories whose templates are in the page's language first (then by how many
  // templates are in it), each group in the order the server lists them.
  const lang = document.documentElement.lang;
  const mine = (items) => items.filter((t) => t.language === lang).length;
  const ordered = [...byCategory].map(([category, items], i) => ({ category, items, i }))
    .sort((a, b) => (mine(b.items) > 0) - (mine(a.items) > 0) || a.i - b.i);
  const sections = [];
  for (const { category, items } of ordered) {
    const section = el("section", "category");
    section.append(el("h2", "", category));
    for (const t of items) section.append(card(t));
    sections.push(section);
  }
  library.replaceChildren(...sections);
}

function card(t) {
  const box = el("article", "template card");
  box.dataset.title = t.title;
  box.append(el("h3", "", t.title));
  const meta = el("p", "meta");
  const stars = t.rating === null ? "–" : t.rating.toFixed(1) + " ★ (" + t.ratings + ")";
  meta.append(el("span", "", words.uses + " " + t.uses), el("span", "", stars),
              el("span", "", words.origin + ": " + (t.starter ? words.starter_set : t.origin)));
  box.append(meta);
  const use = el("button", "", words.use_template);
  use.type = "button";
  use.addEventListener("click", () => open(t));
  const rate = el("select", "rate");
  rate.setAttribute("aria-label", words.rate + ": " + t.title);
  rate.append(new Option(words.rate, ""));
  for (let n = 5; n >= 1; n--) rate.append(new Option("★".repeat(n), String(n)));
  rate.addEventListener("change", async () => {
    if (!rate.value) return;
    await postJSON("/v1/templates/" + t.id + "/rate", { stars: Number(rate.value) });
    load();
  });
  const row = el("div", "row");
  row.append(use, rate);
  box.append(row);
  return box;
}

function open(t) {
  current = t;
  document.getElementById("fill-title").textContent = t.title;
  const fields = [];
  for (const v of t.variables) {
    const id = "var-" + v.name;
    const label = el("label", "", v.label);
    label.htmlFor = id;
    const input = v.multiline ? el("textarea") : el("input");
    input.id = id;
    input.name = v.name;
    if (v.multiline) input.rows = 4;
    fields.push(label, input);
  }
  document.getElementById("fill-fields").replaceChildren(...fields);
  document.getElementById("fill-error").hidden = true;
  dialog.showModal();
}

document.getElementById("fill-cancel").addEventListener("click", () => dialog.close());
document.getElementById("fill-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const values = {};
  for (const input of document.querySelectorAll("#fill-fields [name]")) values[input.name] = input.value;
  const result = await postJSON("/v1/templates/" + current.id + "/use", { values });
  if (!result.ok) {
    const error = document.getElementById("fill-error");
    error.textContent = errorText(result);
    error.hidden = false;
    return;
  }
  sessionStorage.setItem("gwanmun.prompt", result.data.prompt);
  window.location.href = "/chat";
});

document.getElementById("new-template").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = document.getElementById("nt-body").value;
  // Each {{name}} in the text becomes a blank to fill in, labelled with its name.
  const names = [...new Set([...body.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]{0,40})\s*\}\}/g)].map((m) => m[1]))];
  const result = await postJSON("/v1/templates", {
    title: document.getElementById("nt-title").value.trim(),
    category: document.getElementById("nt-category").value.trim(),
    language: document.getElementById("nt-language").value,
    body,
    variables: names.map((name) => ({ name, label: name, multiline: true })),
    visibility: document.getElementById("nt-visibility").value,
  });
  const status = document.getElementById("nt-result");
  status.className = result.ok ? "ok" : "error";
  status.textContent = result.ok ? words.shared : errorText(result);
  if (result.ok) { event.target.reset(); load(); }
});

const exportButton = document.getElementById("export");
if (exportButton) {
  exportButton.addEventListener("click", async () => {
    const response = await fetch("/v1/admin/templates/export", { credentials: "same-origin" });
    const blob = new Blob([await response.text()], { type: "application/json" });
    const link = el("a");
    link.href = URL.createObjectURL(blob);
    link.download = "gwanmun-templates.json";
    document.body.append(link);
    link.click();
    link.remove();
  });
  document.getElementById("import-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    const status = document.getElementById("import-result");
    if (!file) return;
    let bundle;
    try { bundle = JSON.parse(await file.text()); }
    catch (e) { status.className = "error"; status.textContent = words.not_json; return; }
    const result = await postJSON("/v1/admin/templates/import", bundle);
    status.className = result.ok ? "ok" : "error";
    status.textContent = result.ok ? words.imported + ": " + result.data.imported : errorText(result);
    if (result.ok) load();
  });
}
load();
