"""The mock's request log, with every credential redacted: tests read it, people print it."""

import hashlib
import itertools
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Parameters that carry a credential, compared without regard to case. `state` is not secret
#: and stays readable.
SECRET_PARAMETERS = {"code", "access_token", "refresh_token", "id_token", "client_secret", "token",
                     "password", "code_verifier", "api_key", "apikey", "api-key", "key"}
REDACTED = "<redacted>"
#: Longest value kept per field: the log holds up to REQUEST_LOG_SIZE entries, so an entry's size
#: must not follow the size of what a client sends.
MAX_LOGGED_CHARS = 512
#: Hex digits of a credential's SHA-256 kept in its entry: enough to tell which token a call
#: carried, never enough to use it.
FINGERPRINT_DIGITS = 16

#: Every entry's number, in the order received. The log drops its oldest entries when full, so a
#: reader cannot count on positions: it remembers the last number it read and asks for the
#: entries after it. Numbers are shared by the mocks of one process (each log's numbers rise,
#: with gaps) and go on rising across `reset()`.
_entry_numbers = itertools.count(1)


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


def fingerprint(credential):
    """A short SHA-256 of a token or key, to match a logged call to the token a test knows."""
    return hashlib.sha256(credential.strip().encode("utf-8")).hexdigest()[:FINGERPRINT_DIGITS]


def credential_fingerprint(value):
    """The fingerprint of the credential in 'Bearer abc' (of the whole value without a scheme)."""
    _, _, credential = value.partition(" ")
    return fingerprint(credential or value)


def start_entry(scope):
    """A log entry for an ASGI request; `status` is filled in when the response starts."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    entry = {
        "number": next(_entry_numbers),
        "method": scope["method"],
        "path": clip(scope["path"]),
        "query": clip(redact_query(scope["query_string"].decode("latin-1"))),
        "status": None,
    }
    for header in ("authorization", "x-auth-token"):
        if header in headers:
            key = header.replace("-", "_")
            entry[key] = clip(redact_credential(headers[header]))
            entry[key + "_fingerprint"] = credential_fingerprint(headers[header])
    if "x-domain" in headers:
        entry["x_domain"] = clip(headers["x-domain"])
    if "referer" in headers:
        entry["referer"] = clip(redact_url(headers["referer"]))
    return entry


def entry_number(text):
    """The `after` of `GET /_mock/requests?after=N`: a whole number >= 0 (ValueError if not)."""
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"not an entry number: {text[:20]!r}")
    return int(text)


def entries_after(log, number):
    """What the log holds after entry `number` (0: everything), as `GET /_mock/requests?after=`
    answers: {"requests": those entries, "newest": the newest entry's number (`number` when the
    log is empty), "lost": whether entries after `number` were dropped before they were read}.

    Entries were dropped only if the log is full and its oldest entry is not the one right after
    `number`; with several mocks in one process that gap may be another mock's entries, so a full
    log can report a loss that did not happen, never the other way round."""
    entries = [entry for entry in log if entry["number"] > number]
    lost = len(log) == log.maxlen and log[0]["number"] > number + 1
    return {"requests": entries, "newest": log[-1]["number"] if log else number, "lost": lost}


def format_entry(entry):
    query = f"?{entry['query']}" if entry["query"] else ""
    return f"{entry['status']} {entry['method']} {entry['path']}{query}"
