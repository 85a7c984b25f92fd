"""A user's app against the mock, unchanged: its folder served on 127.0.0.1 with a same-origin
proxy to the mock's API at the path the app calls in production, and the browser's visits to
GetResponse's sign-in page answered by the mock's."""

from pathlib import Path
from urllib.parse import urlsplit

from implicitflow.providers import GETRESPONSE_AUTHORIZE_URL
from implicitflow_testing.harness._api_proxy import api_proxy_route
from implicitflow_testing.harness._server_thread import ServerThread
from implicitflow_testing.harness._static_site import static_app


def app_server(folder, api_path, api_base):
    """A started `ServerThread` serving `folder`, with `api_path`/* proxied to `api_base`/*."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"the app folder {str(folder)!r} is not a folder")
    if not api_path.startswith("/") or api_path.rstrip("/") == "":
        raise ValueError(f"api_path must be a path below the site's root such as "
                         f"'/api/getresponse', not {api_path!r}")
    return ServerThread(static_app(folder, [api_proxy_route(api_path, api_base)])).start()


def sign_in_pages(mock):
    """The real sign-in pages the mock stands for: GetResponse's, or a MAX custom domain's."""
    return [GETRESPONSE_AUTHORIZE_URL] + [f"https://{domain}/oauth2_authorize.html"
                                          for domain in mock.state.max_domains]


def send_sign_in_to_mock(context, mock):
    """In a Playwright browser context, answer each visit to a real sign-in page with a
    redirect to the mock's, query string kept: the app needs no test-only authorize URL."""

    def redirect(route):
        query = urlsplit(route.request.url).query
        route.fulfill(status=302, headers={"Location": mock.authorize_url + "?" + query})

    pages = tuple(url + "?" for url in sign_in_pages(mock))
    context.route(lambda url: url.startswith(pages), redirect)
