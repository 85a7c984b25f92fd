"""Turning an API answer into data or a typed error: GetResponse's error body, and the
RFC 6750 3.1 error codes of any other provider (in `WWW-Authenticate` or the body)."""

from .errors import ApiError, InsufficientScopeError, RateLimitedError, TokenExpiredError, redact

#: GetResponse: "Problem during authentication process" (expired or unknown token).
AUTHENTICATION_PROBLEM = 1014
#: GetResponse: "Quota reached".
QUOTA_REACHED = 1015


def is_getresponse_error(body):
    return isinstance(body, dict) and "httpStatus" in body and "code" in body


def server_value(value, token):
    """What the server said in an error field, passed on as a JSON string, number or boolean
    without `token` or a "Bearer <credential>" (servers echo what they were sent). An object
    or array is dropped: Brython keeps a dict's string keys as JavaScript properties, so a
    `__proto__` key in a parsed body replaces that dict's prototype."""
    return redact(value, token) if isinstance(value, (str, int, float, bool)) else None


def bearer_challenge(header):
    """The auth-params of a `Bearer` challenge (RFC 6750 3) as a dict; {} without one.

    `Bearer realm="example", error="invalid_token", error_description="expired"`
    """
    if not isinstance(header, str):
        return {}
    text = header.strip()
    if text[:6].lower() != "bearer" or text[6:7] not in ("", " "):
        return {}
    params, index, length = {}, 6, len(text)
    while index < length:
        while index < length and text[index] in " ,":
            index += 1
        equals = text.find("=", index)
        if equals < 0:
            break
        name = text[index:equals].strip().lower()
        index = equals + 1
        if text[index:index + 1] == '"':  # quoted-string, with backslash escapes
            value, index = [], index + 1
            while index < length and text[index] != '"':
                if text[index] == "\\":
                    index += 1
                value.append(text[index:index + 1])
                index += 1
            index += 1
            params[name] = "".join(value)
        else:
            comma = text.find(",", index)
            end = length if comma < 0 else comma
            params[name] = text[index:end].strip()
            index = end
    return params


def read_api_response(status, body, rate_limit_reset=None, www_authenticate=None, token=None):
    """Return `body` for a 2xx answer, else raise the error it describes.

    `body` is the parsed JSON (or None when the answer had none or was not
    JSON); `rate_limit_reset` is the `X-RateLimit-Reset` header and
    `www_authenticate` the `WWW-Authenticate` header, if any. What the server says is
    passed on without `token` (the credential the request carried) or any "Bearer <...>".
    """
    if 200 <= status < 300:
        return body
    if is_getresponse_error(body):
        code, message, more_info = body.get("code"), body.get("message"), body.get("moreInfo")
        context = body.get("context") if isinstance(body.get("context"), dict) else {}
        error = None
    else:
        code = more_info = None
        context = {}
        challenge = bearer_challenge(www_authenticate)
        if isinstance(challenge.get("error"), str) and challenge["error"]:
            error, message = challenge["error"], challenge.get("error_description")
        elif isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"]:
            error, message = body["error"], body.get("error_description")
        else:
            error = message = None
    code, message, more_info, error, reset, header_reset = [server_value(value, token) for value in (
        code, message, more_info, error, context.get("timeToReset"), rate_limit_reset)]
    if not isinstance(message, str):
        message = None
    # GetResponse answers 401 for 1014 in every example, 403 on one docs page: accept both.
    # A 401 without GetResponse's body is how any other provider says the same.
    if ((code == AUTHENTICATION_PROBLEM and status in (401, 403)) or error == "invalid_token"
            or (status == 401 and code is None and error is None)):
        raise TokenExpiredError(
            "The API no longer accepts the token"
            + (": " + message if isinstance(message, str) else ""), error
        )
    if error == "insufficient_scope":
        raise InsufficientScopeError(status, None, message, None, error)
    if status == 429 or code == QUOTA_REACHED:
        raise RateLimitedError(status, code, message, more_info,
                               reset=reset or header_reset)
    raise ApiError(status, code, message, more_info, error)
