"""The sign-in of bench/login.html, compiled ahead of time (bench/login_fast.html). Its
redirect_uri is this page, or the dedicated callback page named in sessionStorage's
bench.redirect (bench/callback_only.html, which hands the answer back to this page)."""

from browser import window

from implicitflow import ImplicitFlow, getresponse

redirect_uri = (window.sessionStorage.getItem("bench.redirect")
                or window.location.origin + window.location.pathname)
flow = ImplicitFlow(getresponse("demo-client", redirect_uri,
                                authorize_url=window.sessionStorage.getItem("bench.authorize")))


def start():
    window.sessionStorage.setItem("bench.start", str(window.Date.now()))
    flow.login()


if flow.handle_redirect() is not None and flow.token is not None:
    window.loginToToken = window.Date.now() - float(window.sessionStorage.getItem("bench.start"))
window.startLogin = start
window.pythonDone = True
