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
#: Every ASCII code point to itself or to its escape. Complete on purpose: Brython's
#: `str.translate` raises and catches a KeyError for each character a table lacks.
_ASCII_QUOTED = {code: chr(code) if chr(code) in _UNRESERVED
                 else "%" + _HEX_DIGITS[code >> 4] + _HEX_DIGITS[code & 15] for code in range(128)}

#: Longest input accepted. Real responses are a few hundred bytes (a JWT access
#: token a few kilobytes); anything larger is refused before any work is done.
MAX_LENGTH = 65536


def quote(text):
    """Percent-encode everything but RFC 3986 unreserved characters, as UTF-8."""
    # ASCII text, nearly all of it, in one native call: a loop over its characters in Python
    # costs the first sign-in of a fresh page about 20 ms under Brython.
    if text.isascii():
        return text.translate(_ASCII_QUOTED)
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


def decode_utf8(data):
    """Strict UTF-8 (RFC 3629), the same under CPython and Brython.

    Brython's `bytes.decode` accepts overlong forms (`C0 AF` for "/"), CESU-8 and
    encoded surrogates, and throws an untyped JavaScript error above U+10FFFF;
    CPython refuses all of them. The bytes are checked here first, so both decode
    only well-formed UTF-8, where they agree.
    """
    if data.isascii():  # the usual escapes (":" "/" "=" "&"), checked in one native call
        return bytes(data).decode("ascii")
    index, length = 0, len(data)
    while index < length:
        byte = data[index]
        if byte < 0x80:
            index += 1
            continue
        if 0xC2 <= byte <= 0xDF:
            count, code, lowest = 1, byte & 0x1F, 0x80
        elif 0xE0 <= byte <= 0xEF:
            count, code, lowest = 2, byte & 0x0F, 0x800
        elif 0xF0 <= byte <= 0xF4:
            count, code, lowest = 3, byte & 0x07, 0x10000
        else:  # a continuation byte without a lead, C0/C1 (always overlong), or F5-FF
            raise MalformedResponseError("Percent-escapes do not decode as UTF-8")
        if index + count >= length:  # the sequence is cut short
            raise MalformedResponseError("Percent-escapes do not decode as UTF-8")
        for offset in range(1, count + 1):
            following = data[index + offset]
            if following & 0xC0 != 0x80:
                raise MalformedResponseError("Percent-escapes do not decode as UTF-8")
            code = (code << 6) | (following & 0x3F)
        # Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
        if code < lowest or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            raise MalformedResponseError("Percent-escapes do not decode as UTF-8")
        index += count + 1
    return bytes(data).decode("utf-8")


def check_text(text):
    """Refuse lone surrogates: a JavaScript string may hold one, no URL or UTF-8 text can."""
    if text.isascii():  # nearly always, and one native call (a Python loop is slow under Brython)
        return text
    for char in text:
        if 0xD800 <= ord(char) <= 0xDFFF:
            raise MalformedResponseError("The text holds a lone surrogate, which is not Unicode text")
    return text


def unquote(text):
    """Decode `+` and percent-escapes; raise `MalformedResponseError` when they are not valid.

    Runs of escapes are decoded as UTF-8 on their own: literal characters between
    them are whole code points, so a sequence cut by one is invalid anyway.
    """
    if "+" in text:
        text = text.replace("+", " ")
    if "%" not in text:
        return check_text(text)
    pieces = text.split("%")
    out = [check_text(pieces[0])]
    escaped = bytearray()
    for piece in pieces[1:]:
        high = _HEX_VALUES.get(piece[:1])
        low = _HEX_VALUES.get(piece[1:2])
        if high is None or low is None:
            raise MalformedResponseError(
                "Bad percent-escape: '%' must be followed by two hex digits, got "
                + describe("%" + piece[:2])
            )
        escaped.append(high * 16 + low)
        if len(piece) > 2:
            out.append(decode_utf8(escaped))
            escaped = bytearray()
            out.append(check_text(piece[2:]))
    out.append(decode_utf8(escaped))
    return "".join(out)


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
