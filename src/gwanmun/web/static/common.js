"use strict";
// Shared by every page: DOM nodes with text (never HTML), JSON requests with the
// session cookie, and sign-out.
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// A JSON request with the session cookie: { ok, status, data } (data null if not JSON).
async function requestJSON(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  return { ok: response.ok, status: response.status, data };
}

// A file's bytes as base64, for JSON uploads (in slices: no argument-count limit).
function bytesToBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

async function postJSON(path, body) {
  return requestJSON("POST", path, body || {});
}
// The page's words (every page carries them), for messages in the user's language.
const words = JSON.parse(document.getElementById("words").textContent);

// A finding kind by its name in the page's language (the code if it has none).
function kindName(kind) {
  return words["kind_" + kind] || kind;
}

// A value the API returns as an id (outcome, action, role, state, grade) in words.
function named(group, value) {
  return words[group + "_" + value] || value;
}

// A message with {placeholders} filled in.
function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

// An API error in the page's language: a known code (or reason) has its own words,
// with the kinds that caused a block; anything else shows the server's message.
// With ``messageIndex``, only the kinds found in that message are named (a chat
// sends the whole conversation, and earlier turns are not what the user just wrote).
function errorText(result, messageIndex) {
  const error = (result.data && result.data.error) || {};
  const extra = error.gwanmun || {};
  const known = words["err_" + (extra.reason || error.code)];
  if (known) {
    let kinds = extra.kinds || [];
    if (messageIndex !== undefined && extra.findings) {
      const here = extra.findings.filter((f) => f.message_index === messageIndex).map((f) => f.kind);
      if (here.length) kinds = [...new Set(here)];
    }
    return known + (kinds.length ? " (" + kinds.map(kindName).join(", ") + ")" : ".");
  }
  return error.message || ("HTTP " + result.status);
}
// Where a knowledge-base passage sits: its pages (PDF) and section, as citations say it.
function placeOf(p) {
  const parts = [];
  if (p.page) {
    parts.push(p.page_end && p.page_end !== p.page
      ? fill(words.kb_pages, { first: p.page, last: p.page_end })
      : fill(words.kb_page, { page: p.page }));
  }
  if (p.section) parts.push(p.section);
  return parts.join(", ");
}

const logout = document.getElementById("logout");
if (logout) {
  logout.addEventListener("click", async () => {
    await postJSON("/v1/auth/logout", {});
    sessionStorage.clear(); // the conversation kept for reloads goes with the session
    window.location.href = "/login";
  });
}
