"""The mock's request log, with every credential redacted: tests read it, people print it."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Parameters that carry a credential, compared without regard to case. `state` is not secret
#: and stays readable.
SECRET_PARAMETERS = {"code", "access_token", "refresh_token", "id_token", "client_secret", "token",
                     "password", "code_verifier", "api_key", "apikey", "api-key", "key"}
REDACTED = "<redacted>"
#: Longest value kept per field: the log holds up to REQUEST_LOG_SIZE entries, so an entry's size
#: must not follow the size of what a client sends.
MAX_LOGGED_CHARS = 512


def clip(value):
    return value if len(value) <= MAX_LOGGED_CHARS else value[:MAX_LOGGED_CHARS] + "...(clipped)"


def redact_query(query):
    if not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, REDACTED if k.lower() in SECRET_PARAMETERS else v) for k, v in pairs])


def redact_url(url):
    """A URL from a header (Referer, Location): secret parameters redacted, fragment dropped."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    return urlunsplit(parts._replace(query=redact_query(parts.query), fragment=""))


def redact_credential(value):
    """'Bearer abc' -> 'Bearer <redacted>', 'api-key abc' -> 'api-key <redacted>'."""
    scheme, _, credential = value.partition(" ")
    return f"{scheme} {REDACTED}" if credential else (REDACTED if value else "")


def start_entry(scope):
    """A log entry for an ASGI request; `status` is filled in when the response starts."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    entry = {
        "method": scope["method"],
        "path": clip(scope["path"]),
        "query": clip(redact_query(scope["query_string"].decode("latin-1"))),
        "status": None,
    }
    for header in ("authorization", "x-auth-token"):
        if header in headers:
            entry[header.replace("-", "_")] = clip(redact_credential(headers[header]))
    if "x-domain" in headers:
        entry["x_domain"] = clip(headers["x-domain"])
    if "referer" in headers:
        entry["referer"] = clip(redact_url(headers["referer"]))
    return entry


def format_entry(entry):
    query = f"?{entry['query']}" if entry["query"] else ""
    return f"{entry['status']} {entry['method']} {entry['path']}{query}"
