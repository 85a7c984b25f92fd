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
        if char == "\\" or ord(char) < 0x20 or ord(char) == 0x7F:
            raise UnsafeReturnToError(
                "return_to may not contain backslashes or control characters, got "
                + describe(path)
            )
    return path
