"""Sign in with GetResponse, then show the account's email, read from the API."""

from browser import aio, document, window

from implicitflow import AuthorizationDeniedError, ImplicitFlow, ImplicitFlowError, getresponse

CLIENT_ID = "example-app"  # your application's client id, from GetResponse's app settings

flow = ImplicitFlow(
    getresponse(CLIENT_ID, redirect_uri=window.location.origin + window.location.pathname),
    # The GetResponse API sends no CORS headers: your server forwards /api/getresponse/* to
    # https://api.getresponse.com/v3/* (in tests, `serve_app` does it to the mock's API).
    api_base="/api/getresponse",
)


def say(text):
    document["status"].textContent = text  # text, never HTML


def show_buttons(signed_in):
    document["sign-in"].hidden = signed_in
    document["sign-out"].hidden = not signed_in


async def show_account():
    try:
        account = await flow.fetch("/accounts")
    except ImplicitFlowError as error:
        say("Could not read your account: " + str(error))
        show_buttons(flow.token is not None)  # an expired token is dropped: offer to sign in
        return
    say("Signed in as " + account["email"])


def sign_out(event):
    flow.logout()
    say("Signed out.")
    show_buttons(False)


document["sign-in"].bind("click", lambda event: flow.login(return_to="/"))
document["sign-out"].bind("click", sign_out)
try:
    flow.handle_redirect()  # on every load: finishes a sign-in when GetResponse sends the user back
    say("You are not signed in.")
except AuthorizationDeniedError:
    say("You chose not to sign in with GetResponse.")
except ImplicitFlowError as error:
    say("Sign-in failed: " + str(error))
show_buttons(flow.token is not None)
if flow.token is not None:
    aio.run(show_account())
