"use strict";
document.getElementById("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("login-error");
  error.hidden = true;
  const result = await postJSON("/v1/auth/login", {
    username: document.getElementById("username").value,
    password: document.getElementById("password").value,
  });
  if (result.ok) {
    window.location.href = "/chat";
    return;
  }
  error.textContent = errorText(result);
  error.hidden = false;
});
