"use strict";
// Shared by every page: DOM nodes with text (never HTML), JSON requests with the
// session cookie, and sign-out.
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function postJSON(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body || {}),
    credentials: "same-origin",
  });
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  return { ok: response.ok, status: response.status, data };
}
function errorText(result) {
  return (result.data && result.data.error && result.data.error.message) || ("HTTP " + result.status);
}
const logout = document.getElementById("logout");
if (logout) {
  logout.addEventListener("click", async () => {
    await postJSON("/v1/auth/logout", {});
    window.location.href = "/login";
  });
}
