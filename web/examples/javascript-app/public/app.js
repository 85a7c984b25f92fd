// Sign in with GetResponse, then show the account's email, read from the API.
"use strict";

const CLIENT_ID = "example-app"; // your application's client id, from GetResponse's app settings

const say = (text) => { document.getElementById("status").textContent = text; }; // never HTML
const showButtons = (signedIn) => {
  document.getElementById("sign-in").hidden = signedIn;
  document.getElementById("sign-out").hidden = !signedIn;
};

implicitflowReady.then(async (implicitflow) => {
  const flow = implicitflow.create({
    provider: "getresponse",
    clientId: CLIENT_ID,
    // GetResponse sends the user back to callback.html, which hands the answer to this page.
    redirectUri: location.origin + location.pathname.replace(/[^/]*$/, "callback.html"),
    // The GetResponse API sends no CORS headers: your server forwards /api/getresponse/* to
    // https://api.getresponse.com/v3/* (in tests, `serve_app` does it to the mock's API).
    apiBase: "/api/getresponse",
  });
  document.getElementById("sign-in").onclick = () => flow.login({returnTo: "/"});
  document.getElementById("sign-out").onclick = () => {
    flow.logout();
    say("Signed out.");
    showButtons(false);
  };

  try {
    await flow.handleRedirect(); // on every load: finishes a sign-in when GetResponse sends the user back
    say("You are not signed in.");
  } catch (error) {
    say(error.name === "AuthorizationDeniedError"
      ? "You chose not to sign in with GetResponse."
      : "Sign-in failed: " + error.message);
  }
  showButtons(flow.token() !== null);
  if (flow.token() !== null) {
    try {
      const account = await flow.fetch("/accounts");
      say("Signed in as " + account.email);
    } catch (error) {
      say("Could not read your account: " + error.message);
      showButtons(flow.token() !== null); // an expired token is dropped: offer to sign in
    }
  }
});
