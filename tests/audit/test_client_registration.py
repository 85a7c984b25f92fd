"""The app's own client id: registered with the audit's mock on request; without it, no check
whose precondition is a sign-in that reached the mock passes."""

import pytest

from tests.audit.conftest import SIGN_IN, SIGNED_IN
from tests.audit.test_each_check import HOLES_APP

pytestmark = pytest.mark.browser

NEEDS_THE_MOCK = {"sign-in", "denied-sign-in", "token-not-in-console"}


@pytest.fixture(scope="module")
def own_client_app(example_app):
    """The holes app, without holes, signing in as "audited-app", a client no mock knows."""
    return example_app(HOLES_APP) + "?client=audited-app"


def test_with_an_unknown_client_nothing_is_judged_and_nothing_passes(implicitflow_audit,
                                                                    own_client_app):
    report = implicitflow_audit(own_client_app, SIGN_IN, SIGNED_IN, only=NEEDS_THE_MOCK)
    print(report.table())

    assert report.failed_ids == NEEDS_THE_MOCK, report.table()
    assert report["denied-sign-in"].evidence.startswith("not judged: the mock did not redirect")
    for check in report.checks:
        assert "400 invalid_client (The client does not exist on this server.)" in check.evidence
        assert "--client-id" in check.evidence


def test_client_id_registers_the_apps_client(implicitflow_audit, own_client_app, getresponse_mock):
    report = implicitflow_audit(own_client_app, SIGN_IN, SIGNED_IN, only=NEEDS_THE_MOCK,
                                client_id="audited-app")
    print(report.table())

    assert report.failed_ids == set(), report.table()
    assert getresponse_mock.state.clients["audited-app"].redirect_uris == [own_client_app]
    assert f"registered client 'audited-app' with the mock at {getresponse_mock.url}" in report.notes[0]


def test_a_running_mock_learns_the_client_through_its_controls(implicitflow_audit, own_client_app,
                                                               getresponse_mock):
    report = implicitflow_audit(own_client_app, SIGN_IN, SIGNED_IN, mock=getresponse_mock.url,
                                only={"sign-in", "denied-sign-in"}, client_id="audited-app",
                                redirect_uri=[own_client_app, "https://app.example/callback"])

    assert report.failed_ids == set(), report.table()
    assert getresponse_mock.state.clients["audited-app"].redirect_uris == [
        own_client_app, "https://app.example/callback"]


def test_a_known_client_is_left_as_it_is(implicitflow_audit, own_client_app, getresponse_mock):
    getresponse_mock.register_client("audited-app", "its-secret", [own_client_app])

    report = implicitflow_audit(own_client_app, SIGN_IN, SIGNED_IN, mock=getresponse_mock.url,
                                only={"sign-in"}, client_id="audited-app")

    assert report.failed_ids == set(), report.table()
    assert "already registered" in report.notes[0]
    assert getresponse_mock.state.clients["audited-app"].client_secret == "its-secret"
