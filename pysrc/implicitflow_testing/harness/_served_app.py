"""A user's app against the mock, unchanged: its folder served on 127.0.0.1 with a same-origin
proxy to the mock's API at the path the app calls in production, and the browser's visits to
GetResponse's sign-in page answered by the mock's."""

from urllib.parse import urlsplit

from implicitflow.providers import GETRESPONSE_AUTHORIZE_URL
from implicitflow_server import server_app
from implicitflow_testing.serving import ServerThread


def app_server(folder, api_path, mock):
    """A started `ServerThread` serving `folder` as `implicitflow serve` does, with `api_path`/*
    proxied to the mock's API (and, for a MAX mock, its custom domain sent as `X-Domain`)."""
    x_domain = next(iter(sorted(mock.state.max_domains)), None)
    return ServerThread(server_app(folder, api_path, mock.api_base, x_domain=x_domain)).start()


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
