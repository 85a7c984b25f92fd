// A GetResponse sign-in written the way hello.js's documentation shows (a custom OAuth2 module,
// display "page", the session checked with `session.expires > now`), calling the API with
// fetch and an Authorization header. Kept so that implicitflow-audit is seen to judge an app
// built on a third-party library (tests/audit).
"use strict";

const config = window.demoConfig;
const $ = (id) => document.getElementById(id);

hello.init({
  getresponse: {
    name: "GetResponse",
    oauth: {version: 2, auth: config.authorizeUrl},
    base: config.apiBase + "/",
  },
});
hello.init({getresponse: config.clientId}, {
  redirect_uri: location.origin + location.pathname,
  display: "page",
});
const getresponse = hello("getresponse");

function currentSession() {
  const session = getresponse.getAuthResponse();
  const now = Date.now() / 1000;
  return session && session.access_token && session.expires > now ? session : null;
}

async function showSignedIn(session) {
  $("signed-in").hidden = false;
  const answer = await fetch(config.apiBase + "/accounts", {
    headers: {Authorization: "Bearer " + session.access_token},
  });
  if (answer.status === 401) {
    await getresponse.logout();
    $("signed-in").hidden = true;
    $("sign-in").hidden = false;
    $("message").textContent = "Your session has expired.";
    return;
  }
  $("email").textContent = (await answer.json()).email;
}

$("sign-in").addEventListener("click", () => getresponse.login());
const session = currentSession();
if (session) {
  showSignedIn(session);
} else {
  $("sign-in").hidden = false;
}
