// The demo app in plain JavaScript, using the toolkit through window.implicitflow.
// Everything shown is set with textContent, never innerHTML.
"use strict";

const $ = (id) => document.getElementById(id);
const show = (id, visible = true) => { $(id).hidden = !visible; };

function banner(text, kind, offerSignIn) {
  $("banner-text").textContent = text;
  $("banner").className = "banner " + kind;
  show("banner");
  show("banner-action", offerSignIn);
}

function explain(error) {
  if (error.name === "AuthorizationDeniedError") {
    return "Sign-in was cancelled: GetResponse access was not granted.";
  }
  if (error.name === "PopupBlockedError") {
    return "Your browser blocked the sign-in window: allow popups for this site, or sign in here.";
  }
  if (error.name === "PopupClosedError") {
    return "The sign-in window was closed before you signed in.";
  }
  if (error.name === "StateMismatchError") {
    return "That sign-in link was not started here, was already used, or is too old. Please sign in again.";
  }
  return "Sign-in failed: " + error.message;
}

implicitflowReady.then(async (implicitflow) => {
  const config = window.demoConfig;
  const flow = implicitflow.create({
    provider: config.maxDomain ? "getresponse_max" : "getresponse",
    clientId: config.clientId,
    redirectUri: location.origin + location.pathname,
    authorizeUrl: config.authorizeUrl,
    domain: config.maxDomain,
    region: config.maxRegion,
    apiBase: config.apiBase,
    expiringMargin: config.expiringMargin,
  });

  const signedOut = () => { show("loading", false); show("signed-in", false); show("signed-out"); };
  const tick = () => {
    const token = flow.token();
    if (token) {
      const left = Math.max(0, Math.floor((token.expiresAt - Date.now()) / 1000));
      $("countdown").textContent = Math.floor(left / 60) + " min " + String(left % 60).padStart(2, "0") + " s";
    }
  };

  flow.on("expiring", () => banner("Your session expires in about a minute.", "warning", true));
  // Signed out, the card offers the sign-in: the banner does not repeat it.
  flow.on("expired", () => { banner("Your session has expired.", "error", false); signedOut(); });
  flow.on("logout", () => { show("banner", false); signedOut(); });
  $("sign-in").addEventListener("click", () => flow.login({returnTo: "/plain.html"}));
  $("banner-action").addEventListener("click", () => flow.login({returnTo: "/plain.html"}));
  $("sign-out").addEventListener("click", () => flow.logout());
  setInterval(tick, 1000);

  try {
    await flow.handleRedirect();
  } catch (error) {
    banner(explain(error), "error", false);
  }

  const signedIn = async () => {
    show("loading", false);
    show("signed-out", false);
    show("signed-in");
    tick();
    try {
      const account = await flow.fetch("/accounts");
      $("account-name").textContent = account.firstName + " " + account.lastName;
      $("account-email").textContent = account.email;
      const fields = await flow.fetch("/from-fields?perPage=10");
      $("from-fields").textContent = "";
      for (const field of fields) {
        const item = document.createElement("li");
        item.textContent = field.name + " <" + field.email + ">";
        $("from-fields").appendChild(item);
      }
    } catch (error) {
      banner("Could not load your account: " + error.message, "error", true);
    }
    window.demoReady = true;
  };
  // Sign in without leaving the page: whatever this page holds in memory stays.
  $("sign-in-popup").addEventListener("click", async () => {
    try {
      await flow.loginPopup({returnTo: "/plain.html"});
    } catch (error) {
      banner(explain(error), "error", false);
      return;
    }
    show("banner", false);
    await signedIn();
  });

  if (flow.token()) {
    await signedIn();
  } else {
    signedOut();
    window.demoReady = true;
  }
});
