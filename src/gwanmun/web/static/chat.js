"use strict";
// The chat page: live preview of what the input guard will do, streamed answers with
// the AI label and output-check marks. Text is only ever set with textContent.
const form = document.getElementById("chat-form");
const prompt = document.getElementById("prompt");
const preview = document.getElementById("preview");
const log = document.getElementById("log");
const model = document.getElementById("model");
const send = document.getElementById("send");
// The conversation survives a reload of this tab: kept in sessionStorage (this tab
// only, gone when it closes or the user signs out), never on the server.
const SAVED = "gwanmun.conversation";
const turns = []; // what the user saw: { role, text, meta?, error? }

// The messages for the model: every turn, except a question that was refused
// (it never reached the model) and the refusal itself.
function messages() {
  const out = [];
  for (const turn of turns) {
    if (turn.error) { out.pop(); continue; }
    out.push({ role: turn.role, content: turn.text });
  }
  return out;
}
const attachments = [];
let timer = null;
let scanned = 0;

// --- preview: which parts will be masked, or why the message would be blocked -----
async function scan() {
  const text = prompt.value;
  const ticket = ++scanned;
  if (!text.trim()) { preview.replaceChildren(); return; }
  const result = await postJSON("/v1/guard/scan", { text });
  if (ticket !== scanned) return; // a newer keystroke won
  if (!result.ok) {
    preview.replaceChildren(el("p", "status block", errorText(result)));
    return;
  }
  renderPreview(text, result.data);
}

function renderPreview(text, data) {
  searchHint(text);
  const findings = (data.findings || []).slice().sort((a, b) => a.start - b.start);
  const action = data.action;
  const status = action === "block" ? "block" : findings.length ? "mask" : "ok";
  const label = { ok: words.preview_ok, mask: words.preview_mask, block: words.preview_block }[status];
  const line = el("p", "status " + status, label);
  line.dataset.action = action;
  if (status === "block") {
    const kinds = data.blocking_kinds || [];
    line.append(" " + (kinds.length ? kinds.map(kindName).join(", ") : words.err_grade_exceeded));
  }
  const nodes = [line];
  if (findings.length) nodes.push(markedText(text, findings, action === "block"));
  preview.replaceChildren(...nodes);
}

prompt.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(scan, 250);
});

// --- source documents: text extracted by the server, sent as attachments ----------
document.getElementById("attach").addEventListener("change", async (event) => {
  const list = document.getElementById("attachments");
  for (const file of event.target.files) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const result = await postJSON("/v1/documents/extract", { name: file.name, data_base64: bytesToBase64(bytes) });
    const item = el("li", result.ok ? "" : "error");
    if (result.ok) {
      attachments.push({ name: result.data.name, text: result.data.text });
      item.textContent = result.data.name + " (" + result.data.characters + ")";
    } else {
      item.textContent = file.name + ": " + errorText(result);
    }
    list.append(item);
  }
  event.target.value = "";
});

// --- knowledge bases: the ones chosen are searched for every question -------------
async function loadBases() {
  const result = await requestJSON("GET", "/v1/knowledge_bases");
  if (!result.ok) return;
  const bases = result.data.data || [];
  const options = document.getElementById("kb-options");
  for (const kb of bases) {
    const label = el("label", "check");
    const box = el("input");
    box.type = "checkbox";
    box.value = kb.id;
    box.name = "knowledge_bases";
    label.append(box, " " + kb.name);
    options.append(label);
  }
  document.getElementById("kb-choice").hidden = bases.length === 0;
}

function chosenBases() {
  return [...document.querySelectorAll("#kb-options input:checked")].map((box) => box.value);
}

// The passages an answer was given, each a button that opens its text; those the
// groundedness check found a sentence resting on are marked.
function sources(meta) {
  const used = new Set();
  for (const s of (meta.grounding && meta.grounding.sentences) || []) {
    if (s.supported && s.citation && s.citation.passage) used.add(s.citation.passage);
  }
  const line = el("div", "sources");
  line.append(el("span", "", words.kb_sources + ":"));
  for (const p of meta.passages) {
    const place = placeOf(p);
    const button = el("button", "link cite", "[" + p.number + "] " + p.document + (place ? " — " + place : ""));
    button.type = "button";
    button.setAttribute("aria-expanded", "false");
    button.dataset.passage = p.passage_id;
    if (used.has(p.number)) {
      button.classList.add("used");
      button.append(" ", el("span", "badge", words.kb_supports));
    }
    let shown = null;
    button.addEventListener("click", async () => {
      if (shown) {
        shown.remove();
        shown = null;
        button.setAttribute("aria-expanded", "false");
        return;
      }
      const path = "/v1/knowledge_bases/" + encodeURIComponent(p.kb_id) + "/passages/" + encodeURIComponent(p.passage_id);
      const result = await requestJSON("GET", path);
      shown = result.ok ? el("blockquote", "passage", result.data.text) : el("p", "error", errorText(result));
      line.append(shown);
      button.setAttribute("aria-expanded", "true");
    });
    line.append(button);
  }
  return line;
}

// --- sending and streaming -------------------------------------------------------
function bubble(role, text) {
  const box = el("div", "msg " + role);
  box.append(el("div", "text", text));
  log.append(box);
  box.scrollIntoView({ block: "end" });
  return box;
}

function renderMeta(box, meta, text) {
  const line = el("div", "meta");
  line.append(el("span", "badge ai", words.ai_label));
  line.append(el("span", "", (meta.model || "") + " · " + words.reverify));
  for (const f of meta.output_findings || []) {
    const badge = el("span", "badge warn", words.output_marks + ": " + kindName(f.kind));
    badge.dataset.kind = f.kind;
    line.append(badge);
  }
  const copy = el("button", "link", words.copy);
  copy.type = "button";
  copy.addEventListener("click", async () => {
    const mark = "\n\n— " + words.ai_label + " (" + (meta.model || "") + ") · " + words.reverify;
    try { await navigator.clipboard.writeText(text + mark); copy.textContent = words.copied; }
    catch (e) { copy.textContent = words.error; }
  });
  line.append(copy);
  if (meta.grounding && meta.grounding.sentences) {
    const total = meta.grounding.sentences.length;
    const supported = total - meta.grounding.unsupported;
    const badge = el("span", meta.grounding.unsupported ? "badge warn" : "badge",
      words.grounded + ": " + supported + "/" + total);
    badge.dataset.check = "grounding";
    line.append(badge);
  }
  if (meta.provenance) line.append(exportButton(text, meta.provenance));
  box.append(line);
  if (meta.passages && meta.passages.length) box.append(sources(meta));
}

// The same document `gwanmun export` writes: a visible AI mark, the answer, and the
// signed provenance record, so `gwanmun verify` can check it later.
function exportButton(text, record) {
  const button = el("button", "link", words.export);
  button.type = "button";
  button.addEventListener("click", () => {
    const mark = "> AI 생성 · AI生成 · AI-generated — " + record.institution + ", " + record.model +
      ", " + record.time + ". 사용 전 사실관계를 확인하세요 · 利用前に内容を確認してください · Verify before use.";
    const json = JSON.stringify(record);
    const blob64 = btoa(String.fromCharCode(...new TextEncoder().encode(json)));
    const doc = mark + "\n\n" + text.trim() + "\n\n<!-- gwanmun-provenance: " + blob64 + " -->\n";
    const link = el("a");
    link.href = URL.createObjectURL(new Blob([doc], { type: "text/markdown" }));
    link.download = "gwanmun-" + record.request_id + ".md";
    document.body.append(link);
    link.click();
    link.remove();
  });
  return button;
}

function save() {
  try {
    sessionStorage.setItem(SAVED, JSON.stringify({ model: model.value, turns }));
  } catch (e) { /* storage full or disabled: the conversation just won't survive a reload */ }
}

function restore() {
  let saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(SAVED) || "null"); } catch (e) { saved = null; }
  if (!saved || !Array.isArray(saved.turns)) return;
  if ([...model.options].some((o) => o.value === saved.model)) model.value = saved.model;
  for (const item of saved.turns) {
    turns.push(item);
    const box = bubble(item.role, item.text);
    if (item.error) {
      box.classList.add("blocked");
      box.querySelector(".text").replaceWith(el("p", "error", item.error));
    }
    if (item.meta) renderMeta(box, item.meta, item.text);
  }
}

document.getElementById("new-chat").addEventListener("click", () => {
  turns.length = 0;
  sessionStorage.removeItem(SAVED);
  log.replaceChildren();
  prompt.focus();
});

// The request in flight, so the stop button can cancel it: the gateway sees the
// client hang up and closes the model's stream.
let inflight = null;
const stop = document.getElementById("stop");

function progress(box, key) {
  let line = box.querySelector(".progress");
  if (!line) {
    line = el("p", "progress");
    line.setAttribute("role", "status");
    box.append(line);
  }
  line.dataset.state = key;
  line.textContent = words[key];
}

async function ask(text) {
  bubble("user", text);
  turns.push({ role: "user", text });
  const sent = messages();
  const bases = chosenBases();
  const box = bubble("assistant", "");
  box.setAttribute("aria-busy", "true");
  log.setAttribute("aria-busy", "true");
  progress(box, "waiting");
  const out = box.querySelector(".text");
  let answer = "";
  let meta = null;
  let requestId = null;
  let stopped = false;
  const controller = new AbortController();
  inflight = controller;
  stop.hidden = false;
  const done = () => {
    box.removeAttribute("aria-busy");
    log.removeAttribute("aria-busy");
    const line = box.querySelector(".progress");
    if (line) line.remove();
    stop.hidden = true;
    inflight = null;
  };
  try {
    const response = await fetch("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      credentials: "same-origin",
      signal: controller.signal,
      body: JSON.stringify(Object.assign(
        { model: model.value, stream: true, messages: sent },
        attachments.length ? { attachments } : {},
        bases.length ? { knowledge_bases: bases } : {},
      )),
    });
    if (!response.ok) {
      let data = null;
      try { data = await response.json(); } catch (e) { data = null; }
      // Name only what is in the message just sent, not kinds from earlier turns.
      const message = errorText({ status: response.status, data }, sent.length - 1);
      done();
      box.classList.add("blocked");
      out.replaceWith(el("p", "error", message));
      turns.push({ role: "assistant", text: "", error: message });
      save();
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done: finished } = await reader.read();
      if (finished) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const line = buffer.slice(0, end).trim();
        buffer = buffer.slice(end + 2);
        if (!line.startsWith("data:")) continue;
        const payload = line.slice(5).trim();
        if (payload === "[DONE]") continue;
        const event = JSON.parse(payload);
        if (event.error) {
          box.append(el("p", "error", words.stopped + ": " + errorText({ data: event })));
          continue;
        }
        for (const choice of event.choices || []) {
          const piece = (choice.delta || {}).content;
          if (piece) {
            if (!answer) progress(box, "writing");
            answer += piece;
            out.textContent = answer;
          }
        }
        if (event.gwanmun) meta = event.gwanmun;
        if (event.id) requestId = event.id;
      }
    }
  } catch (e) {
    if (e.name !== "AbortError") throw e;
    stopped = true;
  } finally {
    done();
  }
  if (stopped) {
    const note = el("p", "muted stopped-by-user", words.stopped_by_you);
    box.append(note);
    turns.push({ role: "assistant", text: answer, meta: null });
    save();
    return;
  }
  turns.push({ role: "assistant", text: answer, meta });
  save();
  if (meta) renderMeta(box, meta, answer);
  if (requestId) box.append(feedback(requestId));
}

stop.addEventListener("click", () => { if (inflight) inflight.abort(); });

// "Did this save you time? how much?" — optional, one click, counted per department.
function feedback(requestId) {
  const line = el("div", "feedback");
  line.append(el("span", "", words.feedback_q));
  for (const [minutes, label] of [[0, words.fb_none], [10, words.fb_10], [30, words.fb_30], [60, words.fb_60]]) {
    const button = el("button", "secondary", label);
    button.type = "button";
    button.addEventListener("click", async () => {
      const result = await postJSON("/v1/feedback", { request_id: requestId, minutes });
      line.replaceChildren(el("span", "", result.ok ? words.fb_thanks : errorText(result)));
    });
    line.append(button);
  }
  return line;
}

// A question that needs today's facts is a web search, not a drafting task.
const SEARCH_LIKE = /(날씨|뉴스|주가|환율|오늘|최신|검색|天気|ニュース|株価|為替|今日|最新|weather|news|stock price|exchange rate|today|latest)/i;
function searchHint(text) {
  const old = document.getElementById("search-hint");
  if (old) old.remove();
  if (text.length < 80 && SEARCH_LIKE.test(text)) {
    const hint = el("p", "hint", words.search_hint);
    hint.id = "search-hint";
    preview.after(hint);
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = prompt.value.trim();
  if (!text) return;
  send.disabled = true;
  prompt.value = "";
  preview.replaceChildren();
  try { await ask(text); } finally { send.disabled = false; prompt.focus(); }
});
restore();
loadBases();
// A prompt chosen on the templates page arrives here, ready to check and send.
const fromTemplate = sessionStorage.getItem("gwanmun.prompt");
if (fromTemplate) {
  sessionStorage.removeItem("gwanmun.prompt");
  prompt.value = fromTemplate;
  scan();
}
prompt.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
});
