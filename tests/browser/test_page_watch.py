"""`PageWatch.wait_for_flag` waits for the flag of the document the page ends on: a page that
navigates while it is waited for (a sign-in's redirect back, the callback snippet's fresh
document) is waited out, not reported as a failure."""

import pytest

from implicitflow_testing.harness._page_watch import PageWatch

pytestmark = pytest.mark.browser

#: A page that loads itself again, at once, 30 times before it sets its flag: a wait started on
#: its first document spans 30 navigations.
RELOADING = """<!doctype html><title>app</title>
<script>
const loads = Number(sessionStorage.getItem("loads") || 0) + 1;
sessionStorage.setItem("loads", loads);
if (loads < 30) location.replace(location.pathname + "?load=" + loads);
else window.ready = loads;
</script>"""


@pytest.mark.engines("chromium", "firefox")
def test_waiting_for_a_flag_spans_the_pages_navigations(page, serve_app, tmp_path):
    (tmp_path / "index.html").write_text(RELOADING)
    url = serve_app(tmp_path)
    watch = PageWatch(page)
    page.goto(url + "/index.html", wait_until="commit")

    assert watch.wait_for_flag("ready") == 30
