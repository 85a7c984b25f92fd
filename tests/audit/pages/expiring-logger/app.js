// A careful app in every way but one: its "expiring" handler logs the token, which the toolkit
// keeps out of the handler's argument but hands to whoever asks (flow.token()). The audit's
// token-not-in-console must see it, though it is logged only once the token is about to expire
// (test_console_watch.py).
"use strict";

const $ = (id) => document.getElementById(id);

implicitflowReady.then(async (implicitflow) => {
  const config = window.demoConfig;
  const flow = implicitflow.create({
    provider: "getresponse",
    clientId: config.clientId,
    redirectUri: location.origin + location.pathname,
    authorizeUrl: config.authorizeUrl,
    apiBase: config.apiBase,
    expiringMargin: config.expiringMargin,
  });
  const signedOut = () => { $("signed-in").hidden = true; $("sign-in").hidden = false; };
  flow.on("expiring", () => console.log("session expiring, token " + flow.token().accessToken));
  flow.on("expired", signedOut);
  $("sign-in").addEventListener("click", () => flow.login());
  try {
    await flow.handleRedirect();
  } catch (error) {
    $("status").textContent = "Sign-in failed: " + error.message;
  }
  if (flow.token() === null) {
    signedOut();
    return;
  }
  $("signed-in").hidden = false;
  try {
    $("email").textContent = (await flow.fetch("/accounts")).email;
  } catch (error) {
    $("status").textContent = "Could not read the account: " + error.message;
    if (flow.token() === null) {
      signedOut();
    }
  }
});
