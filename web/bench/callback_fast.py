"""The callback of bench/callback.html, compiled ahead of time (bench/callback_fast.html)."""

from browser import window

from implicitflow import ImplicitFlow, getresponse

flow = ImplicitFlow(getresponse("demo-client", window.location.origin + window.location.pathname))
result = flow.handle_redirect()
ready = window.performance.timeOrigin + window.performance.now() - window.benchStart
window.appReady = window.performance.now()
window.tokenReady = ready if result is not None and flow.token else -1
