"""return_to: same-origin paths only, so a login can never become an open redirect."""

import pytest

from implicitflow.errors import UnsafeReturnToError
from implicitflow.return_to import safe_return_to


@pytest.mark.parametrize("path", ["/", "/inbox", "/a/b?x=1#top", "/search?q=//x"])
def test_same_origin_paths_are_kept(path):
    assert safe_return_to(path) == path


@pytest.mark.parametrize("path", [
    "https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "evil.example", "/\t/evil.example", "/\n/evil.example", "",
    " /inbox", "/" + "a" * 3000, 42, "/\ud800",
])
def test_anything_that_could_leave_the_site_is_refused(path):
    with pytest.raises(UnsafeReturnToError):
        safe_return_to(path)
