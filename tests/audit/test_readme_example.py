"""The README's worked example: the audit in an app's own pytest suite. The app is the
plain-JavaScript example of web/examples, served as its own tests serve it."""

import shutil
from pathlib import Path

import pytest

from implicitflow_bundle import write_bundle

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
EXAMPLE = WEB / "examples" / "javascript-app" / "public"


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    """The example's public/ folder after `implicitflow bundle public/vendor --no-compiler` (from
    this checkout's build, web/dist: an editable install has no bundled files)."""
    folder = tmp_path_factory.mktemp("javascript-app") / "public"
    shutil.copytree(EXAMPLE, folder)
    write_bundle(folder / "vendor", source=WEB / "dist", compiler=False)
    return folder


@pytest.fixture
def app_url(serve_app, getresponse_mock, public):
    url = serve_app(public, api_path="/api/getresponse")
    # Its redirect URI: its dedicated callback page, which hands the answer to the app page.
    getresponse_mock.register_client("example-app", "example-secret", [url + "/callback.html"])
    return url


def test_the_app_passes_the_implicit_flow_audit(implicitflow_audit, app_url):
    report = implicitflow_audit(app_url, sign_in='role=button[name="Sign in with GetResponse"]',
                                signed_in="text=Signed in as")
    print(report.table())  # a row per check: id, verdict, evidence; and the time it took
    report.raise_for_failures()  # fails the test, naming each failed check and why
