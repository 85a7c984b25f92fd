"""no-open-redirect-after-sign-in: a returnTo to another origin, and the app opened at
APP//evil.example/ on a server that answers every path with the app."""

import json

import pytest
from starlette.responses import Response
from starlette.routing import Route

from implicitflow_server import server_app
from implicitflow_testing import ServerThread
from tests.audit.conftest import SIGN_IN, SIGNED_IN
from tests.audit.test_each_check import HOLES_APP

pytestmark = pytest.mark.browser

CHECK = "no-open-redirect-after-sign-in"


@pytest.fixture(scope="module")
def spa_server(getresponse_mock_session):
    """The holes app on a server whose fallback answers every path with index.html."""
    mock = getresponse_mock_session
    script = "window.demoConfig = " + json.dumps({
        "clientId": "demo-client", "authorizeUrl": mock.authorize_url,
        "apiBase": "/api/getresponse", "expiringMargin": 60}) + ";\n"

    async def config_js(request):
        return Response(script, media_type="text/javascript")

    app = server_app(HOLES_APP, "/api/getresponse", mock.api_base, fallback="index.html",
                     routes=[Route("/config.js", config_js)])
    with ServerThread(app) as server:
        yield server.url + "/"


def judged(implicitflow_audit, url):
    report = implicitflow_audit(url, SIGN_IN, SIGNED_IN, only={CHECK})
    print(report.table())
    return report[CHECK]


def test_the_old_relative_reload_leaves_the_origin_where_every_path_is_the_app(
        implicitflow_audit, spa_server):
    result = judged(implicitflow_audit, spa_server + "?holes=relative-reload")

    assert result.verdict == "fail", result.evidence
    assert "the app took the user to http://evil.example/" in result.evidence


def test_a_server_answering_404_there_passes_with_that_as_evidence(implicitflow_audit, example_app):
    result = judged(implicitflow_audit, example_app(HOLES_APP) + "?holes=relative-reload")

    assert result.verdict == "pass", result.evidence
    assert "the path //evil.example/: the server answered 404, the app never ran there" in result.evidence


def test_an_app_following_return_to_fails(implicitflow_audit, spa_server):
    result = judged(implicitflow_audit, spa_server + "?holes=follow-return-to")

    assert result.verdict == "fail", result.evidence
    assert "the app took the user to https://evil.example/" in result.evidence


def test_an_app_reloading_from_its_origin_passes_on_such_a_server(implicitflow_audit, spa_server):
    result = judged(implicitflow_audit, spa_server + "?holes=")

    assert result.verdict == "pass", result.evidence
    assert f"the path //evil.example/: it stayed on {spa_server[:-1]}" in result.evidence
