"""application/x-www-form-urlencoded, strictly, without the standard library.

`urllib.parse` would pull re, ipaddress, collections and more into every page
(over a second of load time under Brython), so the two halves needed here are
written out. Decoding is strict: a bad percent-escape or bytes that are not
UTF-8 raise `MalformedResponseError` instead of being guessed at.
"""

from .errors import MalformedResponseError, describe

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_HEX_DIGITS = "0123456789ABCDEF"
_HEX_VALUES = {c: i for i, c in enumerate("0123456789abcdef")}
_HEX_VALUES.update({c: i for i, c in enumerate("ABCDEF", 10)})

#: Longest input accepted. Real responses are a few hundred bytes (a JWT access
#: token a few kilobytes); anything larger is refused before any work is done.
MAX_LENGTH = 65536


def quote(text):
    """Percent-encode everything but RFC 3986 unreserved characters, as UTF-8."""
    if all(c in _UNRESERVED for c in text):
        return text
    out = []
    for char in text:
        if char in _UNRESERVED:
            out.append(char)
        else:
            for byte in char.encode("utf-8"):
                out.append("%" + _HEX_DIGITS[byte >> 4] + _HEX_DIGITS[byte & 15])
    return "".join(out)


def encode(pairs):
    """`[("a", "1"), ("b", "x y")]` -> `"a=1&b=x%20y"`."""
    return "&".join(quote(key) + "=" + quote(value) for key, value in pairs)


def unquote(text):
    """Decode `+` and percent-escapes; raise `MalformedResponseError` when they are not valid."""
    if "+" in text:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    pieces = text.split("%")
    data = bytearray(pieces[0].encode("utf-8"))
    for piece in pieces[1:]:
        high = _HEX_VALUES.get(piece[:1])
        low = _HEX_VALUES.get(piece[1:2])
        if high is None or low is None:
            raise MalformedResponseError(
                "Bad percent-escape: '%' must be followed by two hex digits, got "
                + describe("%" + piece[:2])
            )
        data.append(high * 16 + low)
        data.extend(piece[2:].encode("utf-8"))
    try:
        return bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedResponseError("Percent-escapes do not decode as UTF-8") from None


def decode(text):
    """`"a=1&b=x%20y"` -> `[("a", "1"), ("b", "x y")]`, in order, empty pieces skipped.

    A key without `=` has the empty value, as in the WHATWG URL standard.
    """
    if len(text) > MAX_LENGTH:
        raise MalformedResponseError(
            "Response is " + str(len(text)) + " characters long; at most "
            + str(MAX_LENGTH) + " are accepted"
        )
    pairs = []
    for piece in text.split("&"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        pairs.append((unquote(key), unquote(value)))
    return pairs


def decode_unique(text):
    """Decode into a dict, refusing a repeated key (RFC 6749 3.1: parameters MUST NOT repeat)."""
    params = {}
    for key, value in decode(text):
        if key in params:
            raise MalformedResponseError("Parameter " + describe(key) + " appears more than once")
        params[key] = value
    return params
