"""Sign-ins in a popup are followed: the audit loads the provider's answer in the popup the app
opened (as the provider would), and watches the popup as it watches the app's tab: its console,
its address bar, its history and performance timeline while it stays open."""

import pytest

from tests.audit.conftest import SIGN_IN, SIGNED_IN
from tests.audit.test_each_check import HOLES_APP

pytestmark = pytest.mark.browser

#: The checks a popup's sign-in goes through: the answer, a denial and a hostile error arrive in
#: the popup; the leak checks read the popup too.
THROUGH_THE_POPUP = {"sign-in", "denied-sign-in", "error-response-runs-no-script",
                     "token-not-in-console", "token-not-in-address-bar", "token-not-in-history",
                     "token-not-in-performance-timeline"}


@pytest.fixture(scope="module")
def holes_app(example_app):
    return example_app(HOLES_APP)


def test_the_demo_signed_in_through_its_popup_passes(implicitflow_audit, demo):
    # The toolkit's own login_popup(): the popup hands the answer over and closes itself.
    report = implicitflow_audit(demo.url + "/", "#sign-in-popup", SIGNED_IN, only=THROUGH_THE_POPUP)
    print(report.table())

    assert report.failed_ids == set(), report.table()
    assert "(through the popup it opened)" in report["sign-in"].evidence


def test_what_the_popup_logs_and_keeps_fails_the_app(implicitflow_audit, holes_app):
    # The holes app signs in through a popup of its own (?holes=popup), whose callback posts the
    # answer to the app's tab. Here the popup logs it, does not close, and so keeps the token in
    # its address bar, history and timeline; the app's tab shows a hostile error as HTML.
    report = implicitflow_audit(holes_app + "?holes=popup,log-token-in-popup,popup-stays-open,html-error",
                                SIGN_IN, SIGNED_IN, only=THROUGH_THE_POPUP)
    print(report.table())

    assert report.failed_ids == THROUGH_THE_POPUP - {"sign-in", "denied-sign-in"}, report.table()
    assert "(through the popup it opened)" in report["sign-in"].evidence
    assert report["token-not-in-console"].evidence.startswith(
        "the token is in the console, in the sign-in: (a popup) the popup got #access_token=<TOKEN>")
    assert report["token-not-in-address-bar"].evidence.startswith(
        f"the token is in the address bar: (a popup) {holes_app}?holes=popup")


def test_a_denial_the_provider_is_slow_to_send_to_the_popup_is_waited_for(implicitflow_audit, holes_app,
                                                                          getresponse_mock):
    # The app's tab goes quiet at once while the popup still waits for the provider: the denial
    # must be judged when it arrives, not reported as never sent.
    getresponse_mock.set_latency(1500)

    report = implicitflow_audit(holes_app + "?holes=popup", SIGN_IN, SIGNED_IN, only={"denied-sign-in"})
    print(report.table())

    assert report.failed_ids == set(), report.table()
