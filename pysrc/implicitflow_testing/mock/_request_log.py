"""The mock's request log, with every credential redacted: tests read it, people print it."""

from urllib.parse import parse_qsl, urlencode

#: Query parameters that carry a credential. `state` is not secret and stays readable.
SECRET_PARAMETERS = {"code", "access_token", "refresh_token", "client_secret", "token", "password"}
REDACTED = "<redacted>"


def redact_query(query):
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, REDACTED if k in SECRET_PARAMETERS else v) for k, v in pairs])


def redact_authorization(value):
    scheme, _, credential = value.partition(" ")
    return f"{scheme} {REDACTED}" if credential else (REDACTED if value else "")


def start_entry(scope):
    """A log entry for an ASGI request; `status` is filled in when the response starts."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    entry = {
        "method": scope["method"],
        "path": scope["path"],
        "query": redact_query(scope["query_string"].decode("latin-1")),
        "status": None,
    }
    if "authorization" in headers:
        entry["authorization"] = redact_authorization(headers["authorization"])
    if "x-domain" in headers:
        entry["x_domain"] = headers["x-domain"]
    if "referer" in headers:
        entry["referer"] = headers["referer"].split("#")[0]
    return entry


def format_entry(entry):
    query = f"?{entry['query']}" if entry["query"] else ""
    return f"{entry['status']} {entry['method']} {entry['path']}{query}"
