"""Turning an API answer into data or a typed error, with GetResponse's error body understood."""

from .errors import ApiError, RateLimitedError, TokenExpiredError

#: GetResponse: "Problem during authentication process" (expired or unknown token).
AUTHENTICATION_PROBLEM = 1014
#: GetResponse: "Quota reached".
QUOTA_REACHED = 1015


def is_getresponse_error(body):
    return isinstance(body, dict) and "httpStatus" in body and "code" in body


def read_api_response(status, body, rate_limit_reset=None):
    """Return `body` for a 2xx answer, else raise the error it describes.

    `body` is the parsed JSON (or None when the answer had none or was not
    JSON); `rate_limit_reset` is the `X-RateLimit-Reset` header, if any.
    """
    if 200 <= status < 300:
        return body
    if is_getresponse_error(body):
        code, message, more_info = body.get("code"), body.get("message"), body.get("moreInfo")
        context = body.get("context") if isinstance(body.get("context"), dict) else {}
    else:
        code = message = more_info = None
        context = {}
    # GetResponse answers 401 for 1014 in every example, 403 on one docs page: accept both.
    # A 401 without GetResponse's body is how any other provider says the same.
    if (code == AUTHENTICATION_PROBLEM and status in (401, 403)) or (status == 401 and code is None):
        raise TokenExpiredError(
            "The API no longer accepts the token"
            + (": " + message if isinstance(message, str) else "")
        )
    if status == 429 or code == QUOTA_REACHED:
        raise RateLimitedError(status, code, message, more_info,
                               reset=context.get("timeToReset") or rate_limit_reset)
    raise ApiError(status, code, message, more_info)
