"""The demo single-page app in Python: sign in with GetResponse, show the account, watch expiry.

Everything shown is set with textContent: nothing from the provider or the API
is ever parsed as HTML.
"""

from browser import aio, document, window

from implicitflow import (
    AuthorizationDeniedError,
    ImplicitFlow,
    ImplicitFlowError,
    PopupBlockedError,
    PopupClosedError,
    StateMismatchError,
    getresponse,
    getresponse_max,
)

config = window.demoConfig
redirect_uri = window.location.origin + window.location.pathname
if config.maxDomain:
    provider = getresponse_max(config.clientId, redirect_uri, domain=config.maxDomain,
                               region=config.maxRegion, authorize_url=config.authorizeUrl)
else:
    provider = getresponse(config.clientId, redirect_uri, authorize_url=config.authorizeUrl)
flow = ImplicitFlow(provider, api_base=config.apiBase, expiring_margin=config.expiringMargin)


def element(id_):
    return document.getElementById(id_)


def show(id_, visible=True):
    element(id_).hidden = not visible


def set_text(id_, text):
    element(id_).textContent = text


def banner(text, kind="info", offer_sign_in=False):
    set_text("banner-text", text)
    element("banner").className = "banner " + kind
    show("banner")
    show("banner-action", offer_sign_in)


def explain(error):
    """A sentence a person can act on, for each way sign-in can fail."""
    if isinstance(error, AuthorizationDeniedError):
        return "Sign-in was cancelled: GetResponse access was not granted."
    if isinstance(error, PopupBlockedError):
        return "Your browser blocked the sign-in window: allow popups for this site, or sign in here."
    if isinstance(error, PopupClosedError):
        return "The sign-in window was closed before you signed in."
    if isinstance(error, StateMismatchError):
        return ("That sign-in link was not started here, was already used, or is too old. "
                "Please sign in again.")
    return "Sign-in failed: " + str(error)


def format_duration(seconds):
    seconds = int(seconds)
    minutes, seconds = divmod(seconds, 60)
    return str(minutes) + " min " + ("0" if seconds < 10 else "") + str(seconds) + " s"


def tick():
    token = flow.token
    if token is not None:
        set_text("countdown", format_duration(token.expires_in(window.Date.now() / 1000)))


def render_signed_out():
    show("loading", False)
    show("signed-in", False)
    show("signed-out")


async def load_account():
    try:
        account = await flow.fetch("/accounts")
        set_text("account-name", account["firstName"] + " " + account["lastName"])
        set_text("account-email", account["email"])
        fields = await flow.fetch("/from-fields", params={"perPage": 10})
        listing = element("from-fields")
        listing.textContent = ""
        for field in fields:
            item = document.createElement("li")
            item.textContent = field["name"] + " <" + field["email"] + ">"
            listing.appendChild(item)
        window.demoReady = True
    except ImplicitFlowError as error:
        banner("Could not load your account: " + str(error), "error", True)
        window.demoReady = True


def render_signed_in():
    show("loading", False)
    show("signed-out", False)
    show("signed-in")
    tick()
    aio.run(load_account())


def on_expiring(token):
    banner("Your session expires in about a minute.", "warning", True)


def on_expired(value):
    banner("Your session has expired.", "error")  # the signed-out card offers the sign-in
    render_signed_out()


def on_logout(value):
    show("banner", False)
    render_signed_out()


flow.on("expiring", on_expiring)
flow.on("expired", on_expired)
flow.on("logout", on_logout)
element("sign-in").addEventListener("click", lambda event: flow.login(return_to="/"))
element("banner-action").addEventListener("click", lambda event: flow.login(return_to="/"))


async def sign_in_in_popup():
    """Sign in without leaving the page: whatever this page holds in memory stays."""
    try:
        await flow.login_popup(return_to="/")
    except ImplicitFlowError as error:
        banner(explain(error), "error")
        return
    show("banner", False)
    render_signed_in()


element("sign-in-popup").addEventListener("click", lambda event: aio.run(sign_in_in_popup()))
element("sign-out").addEventListener("click", lambda event: flow.logout())
window.setInterval(tick, 1000)

try:
    flow.handle_redirect()
except ImplicitFlowError as error:
    banner(explain(error), "error")  # signed out: the card below offers the sign-in

if flow.token is None:
    render_signed_out()
    window.demoReady = True
else:
    render_signed_in()
