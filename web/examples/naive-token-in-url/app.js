// A hand-written implicit-flow client with two deliberate habits, kept so that implicitflow-audit
// can be seen to catch them (tests/audit): it leaves the callback's fragment, token included, in
// the address bar, history and performance timeline (RFC 9700 4.3.2), and keeps the token in
// localStorage. Its `state` handling is right: one-time, kept in sessionStorage, checked first.
"use strict";

const config = window.demoConfig;
const $ = (id) => document.getElementById(id);
const TOKEN_KEY = "naive-token";
const STATE_KEY = "naive-pending-state";

function signIn() {
  const state = crypto.randomUUID();
  sessionStorage.setItem(STATE_KEY, state);
  location.assign(config.authorizeUrl + "?" + new URLSearchParams({
    response_type: "token",
    client_id: config.clientId,
    redirect_uri: location.origin + location.pathname,
    state,
  }));
}

function finishCallback() {
  const answer = new URLSearchParams(location.hash.slice(1));
  if (!answer.has("state")) {
    return;
  }
  const expected = sessionStorage.getItem(STATE_KEY);
  sessionStorage.removeItem(STATE_KEY);
  if (!expected || answer.get("state") !== expected) {
    $("message").textContent = "That sign-in link was not started here.";
  } else if (answer.has("access_token")) {
    localStorage.setItem(TOKEN_KEY, JSON.stringify({  // the habit: shared by every tab and script
      accessToken: answer.get("access_token"),
      expiresAt: Date.now() + Number(answer.get("expires_in")) * 1000,
    }));
  } else {
    $("message").textContent = "Sign-in failed: " + answer.get("error");
  }
  // The habit: location.hash is left as it is.
}

function validToken() {
  const token = JSON.parse(localStorage.getItem(TOKEN_KEY) || "null");
  if (token && Date.now() < token.expiresAt) {
    return token;
  }
  localStorage.removeItem(TOKEN_KEY);
  return null;
}

function showSignedOut(message) {
  localStorage.removeItem(TOKEN_KEY);
  $("signed-in").hidden = true;
  $("sign-in").hidden = false;
  $("message").textContent = message;
}

async function showSignedIn(token) {
  $("signed-in").hidden = false;
  setTimeout(() => showSignedOut("Your session has expired."), token.expiresAt - Date.now());
  const answer = await fetch(config.apiBase + "/accounts", {
    headers: {Authorization: "Bearer " + token.accessToken},
  });
  if (answer.status === 401) {
    showSignedOut("Your session has expired.");
    return;
  }
  $("email").textContent = (await answer.json()).email;
}

$("sign-in").addEventListener("click", signIn);
finishCallback();
const token = validToken();
if (token) {
  showSignedIn(token);
} else {
  $("sign-in").hidden = false;
}
