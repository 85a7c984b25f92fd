"""Fixtures shared by the project's own tests: the built site, served once per session."""

import shutil
from pathlib import Path

import pytest

from implicitflow_testing import ServerThread
from implicitflow_testing.api_proxy import api_proxy_route
from implicitflow_testing.static_site import static_app

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "web" / "dist"
TEST_PAGES = Path(__file__).resolve().parent / "browser" / "pages"


@pytest.fixture(scope="session")
def site_root(tmp_path_factory):
    """web/dist plus the test pages of tests/browser/pages, in one folder."""
    if not (DIST / "implicitflow.brython.js").exists():
        pytest.fail("web/dist is not built: run `python build.py` first", pytrace=False)
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(DIST, root, dirs_exist_ok=True)
    shutil.copytree(TEST_PAGES, root / "test", dirs_exist_ok=True)
    return root


@pytest.fixture(scope="session")
def site(site_root, _getresponse_mock_session, _getresponse_max_mock_session):
    """The site on 127.0.0.1 (random port): `site.url + "/test/smoke.html"`, with same-origin
    API proxies `/api/getresponse` and `/api/getresponse-max` to the two mock servers."""
    routes = [
        api_proxy_route("/api/getresponse", _getresponse_mock_session.api_base),
        api_proxy_route("/api/getresponse-max", _getresponse_max_mock_session.api_base),
    ]
    with ServerThread(static_app(site_root, routes)) as server:
        yield server
