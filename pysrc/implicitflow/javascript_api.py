"""`window.implicitflow`: the same flow for apps written in plain JavaScript.

    const flow = implicitflow.create({provider: "getresponse", clientId, redirectUri});
    const result = await flow.handleRedirect();   // {accessToken, tokenType, expiresAt, returnTo} or null
    const signedIn = await flow.loginPopup();     // the same data, signed in without leaving the page

Synchronous failures are thrown as JavaScript `Error`s with `name`, `kind` and
`message`; Promises reject with the same fields as a plain object.
"""

from . import javascript_bridge as js
from .errors import ConfigurationError, ImplicitFlowError, error_to_data
from .flow import ImplicitFlow
from .providers import Provider, getresponse, getresponse_max


def token_to_data(token):
    if token is None:
        return None
    return {"accessToken": token.access_token, **event_data(token)}


def event_data(token):
    """What a "login" or "expiring" handler gets: the token's type, expiry (ms) and scope, not
    the token itself. A handler that logs its argument must not log the token, as Python's
    `Token` repr keeps it out of a log; `flow.token()` gives it to whoever asks."""
    return {"tokenType": token.token_type, "expiresAt": token.expires_at * 1000,
            "scope": token.scope}


def login_result_to_data(result):
    if result is None:
        return None
    data = token_to_data(result.token)
    data["returnTo"] = result.return_to
    return data


def provider_from_options(options):
    provider = js.option(options, "provider", "getresponse")
    client_id = js.option(options, "clientId")
    redirect_uri = js.option(options, "redirectUri")
    if provider == "getresponse":
        urls = {}
        if js.option(options, "authorizeUrl"):
            urls["authorize_url"] = js.option(options, "authorizeUrl")
        return getresponse(client_id, redirect_uri, **urls)
    if provider == "getresponse_max":
        return getresponse_max(client_id, redirect_uri, js.option(options, "domain"),
                               js.option(options, "region", "us"),
                               authorize_url=js.option(options, "authorizeUrl"))
    if isinstance(provider, str):
        raise ConfigurationError(
            "provider must be 'getresponse', 'getresponse_max' or {authorizeUrl, apiBase}"
        )
    headers = js.option(provider, "headers")
    scope = js.option(provider, "scope")
    return Provider(js.option(provider, "authorizeUrl"), js.option(provider, "apiBase"),
                    client_id, redirect_uri,
                    headers=None if headers is None else js.from_javascript(headers),
                    scope=scope if scope is None or isinstance(scope, str)
                    else js.from_javascript(scope),
                    default_expires_in=js.option(provider, "defaultExpiresIn", 3600),
                    issuer=js.option(provider, "issuer"))


def create(options=None):
    """`implicitflow.create({...})` -> an object with the flow's methods, in JavaScript style."""
    flow = ImplicitFlow(
        provider_from_options(options),
        storage=js.option(options, "storage", "session"),
        expiring_margin=js.option(options, "expiringMargin", 60),
        api_base=js.option(options, "apiBase"),
    )

    async def handle_redirect():
        return login_result_to_data(flow.handle_redirect())

    def login_popup(init=None):
        timeout = js.option(init, "timeout")

        async def call():
            return login_result_to_data(await flow.login_popup(
                js.option(init, "returnTo"), **({} if timeout is None else {"timeout": timeout})))

        return js.promise(call, error_to_data)

    def fetch(path, init=None):
        body = js.option(init, "body")
        headers = js.option(init, "headers")
        # An async def, not a lambda returning the coroutine: Brython warns "never awaited"
        # about a coroutine created in one frame and awaited in another.
        async def call():
            return await flow.fetch_text(
                path, method=js.option(init, "method", "GET"),
                json=None if body is None else js.from_javascript(body),
                headers=None if headers is None else js.from_javascript(headers))

        return js.json_promise(call, error_to_data)

    def on(name, callback):
        def forward(value):
            if isinstance(value, ImplicitFlowError):
                callback(js.json_data(error_to_data(value)))
            else:
                callback(js.to_javascript(None if value is None else event_data(value)))

        return flow.on(name, forward)

    api = {
        "handleRedirect": lambda: js.promise(handle_redirect, error_to_data),
        "token": lambda: token_to_data(flow.token),
        "login": lambda init=None: flow.login(js.option(init, "returnTo")),
        "loginPopup": login_popup,
        "logout": flow.logout,
        "on": on,
        "fetch": fetch,
    }
    return js.to_javascript({name: js.throwing(method, error_to_data)
                             for name, method in api.items()})
