"""Where to send the user after sign-in: a same-origin path, never another site."""

from .errors import UnsafeReturnToError, describe

MAX_LENGTH = 2048


def safe_return_to(path):
    """Return `path` when it can only mean a page of this origin, else raise.

    Browsers strip tabs and newlines from URLs and treat a backslash as a slash,
    so "/\\evil.example" and "/\\t/evil.example" both become "//evil.example", a
    link to another host. Only a path starting with exactly one "/" and free of
    backslashes and control characters is accepted.
    """
    if path is None:
        return None
    if not isinstance(path, str):
        raise UnsafeReturnToError("return_to must be a string path such as '/inbox'")
    if len(path) > MAX_LENGTH:
        raise UnsafeReturnToError("return_to is longer than " + str(MAX_LENGTH) + " characters")
    if not path.startswith("/") or path.startswith("//"):
        raise UnsafeReturnToError(
            "return_to must be a path on this site starting with a single '/', got "
            + describe(path)
        )
    for char in path:
        code = ord(char)
        # A lone surrogate (possible in a JavaScript string) cannot be encoded into a URL.
        if char == "\\" or code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF:
            raise UnsafeReturnToError(
                "return_to may not contain backslashes, control characters or lone surrogates, "
                "got " + describe(path)
            )
    return path
