// A hand-written implicit-flow client with ONE deliberate hole, kept so that implicitflow-audit
// can be seen to fail it (tests/audit): it sends a `state` but never compares the one that comes
// back (RFC 6749 10.12), so any callback carrying a token signs the user in. The rest is done
// right: the callback ends in a fresh document, the token sits in sessionStorage with its
// expiry, and a 401 from the API drops it.
"use strict";

const config = window.demoConfig;
const $ = (id) => document.getElementById(id);
const TOKEN_KEY = "naive-token";

function signIn() {
  location.assign(config.authorizeUrl + "?" + new URLSearchParams({
    response_type: "token",
    client_id: config.clientId,
    redirect_uri: location.origin + location.pathname,
    state: crypto.randomUUID(),  // sent, never checked: the hole
  }));
}

// Returns true when this load is a callback (the page is then replaced by a fresh one).
function finishCallback() {
  const answer = new URLSearchParams(location.hash.slice(1));
  if (answer.has("access_token")) {
    sessionStorage.setItem(TOKEN_KEY, JSON.stringify({
      accessToken: answer.get("access_token"),
      expiresAt: Date.now() + Number(answer.get("expires_in")) * 1000,
    }));
  } else if (answer.has("error")) {
    sessionStorage.setItem("naive-message", "Sign-in failed: " + answer.get("error"));
  } else {
    return false;
  }
  location.replace(location.origin + location.pathname);  // a new document: the fragment leaves history and timeline
  return true;
}

function validToken() {
  const token = JSON.parse(sessionStorage.getItem(TOKEN_KEY) || "null");
  if (token && Date.now() < token.expiresAt) {
    return token;
  }
  sessionStorage.removeItem(TOKEN_KEY);
  return null;
}

function showSignedOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  $("signed-in").hidden = true;
  $("sign-in").hidden = false;
  $("message").textContent = message || "";
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
if (!finishCallback()) {
  const token = validToken();
  $("message").textContent = sessionStorage.getItem("naive-message") || "";
  sessionStorage.removeItem("naive-message");
  if (token) {
    showSignedIn(token);
  } else {
    $("sign-in").hidden = false;
  }
}
