// An app that shows its sign-in control at once and handles a callback's fragment only 1.5 s
// later, without checking its state: the audit must wait for it before judging (test_late_app.py).
"use strict";

const config = window.demoConfig;
const $ = (id) => document.getElementById(id);
const here = location.origin + location.pathname;
const LATE_MS = 1500;

$("sign-in").addEventListener("click", () => {
  location.assign(config.authorizeUrl + "?" + new URLSearchParams({
    response_type: "token", client_id: config.clientId, redirect_uri: here,
    state: crypto.randomUUID(),  // never compared: the hole, found only by waiting
  }));
});

async function useToken(token) {
  $("sign-in").hidden = true;
  $("signed-in").hidden = false;
  const answer = await fetch(config.apiBase + "/accounts", {headers: {Authorization: "Bearer " + token}});
  if (answer.ok) {
    $("email").textContent = (await answer.json()).email;
  }
}

const token = new URLSearchParams(location.hash.slice(1)).get("access_token");
if (token) {
  setTimeout(() => {
    history.replaceState(null, "", here);
    useToken(token);
  }, LATE_MS);
}
