"""The audit reads a tab's history in any engine by walking back through it in the page: the same
entries Chromium's DevTools protocol lists, fragments and pushState entries included, while none
of the app's scripts runs again."""

import pytest

from implicitflow_testing.audit._runner import AuditRun, AuditTarget
from tests.audit.conftest import SIGN_IN, SIGNED_IN

pytestmark = pytest.mark.browser

#: A page that, opened with a token in its fragment, moves to a clean entry of its own
#: (pushState: the token's entry stays behind) and says each time it runs.
PAGE = """<!doctype html><title>walk</title><script>
console.log("ran at " + location.href);
if (location.hash.includes("secret")) history.pushState(null, "", location.pathname + "#clean");
</script><button id="sign-in">Sign in</button><p id="signed-in" hidden>in</p>"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory, example_app):
    folder = tmp_path_factory.mktemp("walk")
    (folder / "index.html").write_text(PAGE)
    (folder / "next.html").write_text("<!doctype html><title>next</title>")
    return example_app(folder)


@pytest.mark.parametrize("engine", ["chromium", "firefox"])
def test_the_walk_reads_every_entry_as_the_browser_kept_it(engine, engine_browser, pages,
                                                          getresponse_mock):
    browser = engine_browser(engine)
    run = AuditRun(browser, AuditTarget(pages, SIGN_IN, SIGNED_IN, getresponse_mock))
    with run.session(walk_history=True) as session:
        page = session.page
        page.goto(pages + "?first")
        page.goto(pages + "#access_token=secret&state=s")
        page.evaluate("location.hash = 'later'")
        page.evaluate("url => location.assign(url)", pages + "next.html")
        page.wait_for_url(pages + "next.html")
        listed = ([entry["url"] for entry in session.context.new_cdp_session(page).send(
            "Page.getNavigationHistory")["entries"]] if engine == "chromium" else None)
        ran = len(session.console)

        walked = session.history_entries()

        assert len(session.console) == ran  # the app's page never ran again
    expected = [pages + "?first", pages + "#access_token=secret&state=s", pages + "#clean",
                pages + "#later", pages + "next.html"]
    if engine == "chromium":
        assert walked == listed == ["about:blank", *expected]  # the tab's first, empty entry
    else:
        assert walked == expected
