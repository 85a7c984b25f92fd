"""The callback snippet on a server that answers every path with the app (nginx's `try_files ...
/index.html`, Netlify's and Vercel's rewrites): a path such as "//elsewhere/" must not take the
user to another site when the snippet loads the page again without its fragment."""

from urllib.parse import urlsplit

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from implicitflow_server import server_app
from implicitflow_testing import ServerThread

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def spa_site(site_root):
    """web/dist, whose index.html (the demo) starts with the documented callback snippet, with
    every path that names no file answered by index.html."""
    with ServerThread(server_app(site_root, api_path=None, fallback="index.html")) as server:
        yield server


@pytest.fixture(scope="module")
def elsewhere():
    """Another site (another host name for the loopback address), recording its visitors."""
    visits = []

    def visit(request):
        visits.append(request.url.path)
        return PlainTextResponse("elsewhere")

    with ServerThread(Starlette(routes=[Route("/{path:path}", visit)])) as server:
        server.visits = visits
        server.host_name = f"localhost:{server.port}"
        yield server


@pytest.mark.parametrize("separator", ["//", "/\\"])
def test_a_callback_at_a_protocol_relative_path_stays_on_the_site(page, spa_site, elsewhere,
                                                                 separator, security_report):
    elsewhere.visits.clear()
    # "/\host/" is "//host/" to the URL parser, and both are a protocol-relative URL.
    callback = f"{spa_site.url}{separator}{elsewhere.host_name}/#state=1&access_token=t"

    page.goto(callback)
    page.wait_for_url(lambda url: "#" not in url)
    page.wait_for_load_state()

    assert urlsplit(page.url).netloc == urlsplit(spa_site.url).netloc, page.url
    assert elsewhere.visits == []
    assert page.evaluate("sessionStorage.getItem('implicitflow.callback')") == "#state=1&access_token=t"
    security_report["callback snippet at //host/ and /\\host/ paths on an SPA-fallback server"] = (
        "stayed on the site: yes")
