"use strict";
document.getElementById("ack").addEventListener("click", async () => {
  const result = await postJSON("/v1/auth/notice", {});
  if (result.ok) window.location.href = "/chat";
});
