"""The benchmark's sign-in pages each sign in and report the time from the click to the token,
twice in one context (the first sign-in and the repeat), as `python -m
implicitflow_testing.tools.bench` measures them: the toolkit's, plain JavaScript's, the Brython
floor's and hello.js's. The figures themselves belong to the benchmark, not to a test."""

import pytest
from tests.conftest import DIST

from implicitflow_testing.tools.bench import LOGIN_PAGES, login_once, served_both_ways

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def bench_site(hellojs_script):
    """web/dist with hello.js beside the benchmark's pages, served as the benchmark serves it."""
    with served_both_ways(DIST, {"bench/hello.js": hellojs_script}) as urls:
        yield urls["precompressed"]


@pytest.mark.parametrize("kind", list(LOGIN_PAGES))
def test_each_sign_in_page_reaches_its_token_twice(browser, bench_site, getresponse_mock, kind):
    getresponse_mock.set_auto_approve(True)
    issued_before = set(getresponse_mock.state.tokens)

    first, repeat = login_once(browser, bench_site, getresponse_mock, kind)

    assert 0 < first < 15000 and 0 < repeat < 15000, (first, repeat)
    # Each sign-in went through the mock: a token of its own, not a session the page kept.
    assert len(set(getresponse_mock.state.tokens) - issued_before) == 2
