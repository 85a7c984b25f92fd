"""Each check fails on the one hole it is about, and passes on the same app without it."""

import json
from pathlib import Path

import pytest

from tests.audit.conftest import SIGN_IN, SIGNED_IN

pytestmark = pytest.mark.browser

HOLES_APP = Path(__file__).resolve().parent / "pages" / "holes"

#: hole (see pages/holes/app.js) -> the checks it must fail
FAILS = {
    "crash-on-error": {"denied-sign-in"},
    "ignore-state": {"forged-state-rejected", "login-csrf-rejected", "callback-replay-rejected"},
    "html-error": {"error-response-runs-no-script"},
    "html-api-data": {"api-data-rendered-as-text"},
    "keep-after-401": {"stops-after-1014"},
    "ignore-expiry": {"stops-after-expires-in"},
    "log-token": {"token-not-in-console"},
    "log-token-at-expiry": {"token-not-in-console"},  # only once expires_in has passed
    "log-token-on-401": {"token-not-in-console"},  # only once the API answered 1014
    "token-to-third-party": {"token-only-to-api"},
    "token-in-history": {"token-not-in-history"},  # pushState: the callback's entry stays behind
    "token-in-query": {"token-not-in-address-bar", "token-not-in-history", "token-not-in-referrer",
                       "token-not-in-referer-header", "token-not-in-performance-timeline"},
}


@pytest.fixture(scope="module")
def holes_app(example_app):
    return example_app(HOLES_APP)


def test_without_holes_the_app_passes_these_checks(implicitflow_audit, holes_app):
    checked = set().union(*FAILS.values())

    report = implicitflow_audit(holes_app + "?holes=", SIGN_IN, SIGNED_IN, only=checked)

    assert len(report.checks) == len(checked)
    assert report.failed_ids == set(), report.table()


@pytest.mark.parametrize("hole", sorted(FAILS))
def test_a_hole_fails_its_checks(implicitflow_audit, holes_app, getresponse_mock, hole):
    report = implicitflow_audit(f"{holes_app}?holes={hole}", SIGN_IN, SIGNED_IN,
                                only=FAILS[hole] | {"sign-in"})
    print(report.table())

    assert report.failed_ids == FAILS[hole], report.table()
    issued = list(getresponse_mock.state.tokens)  # the evidence shows where, never the token
    assert issued and not any(token in json.dumps(report.to_json()) for token in issued)


def test_a_replay_is_not_judged_when_the_app_never_signs_out(implicitflow_audit, holes_app):
    report = implicitflow_audit(holes_app + "?holes=keep-after-401", SIGN_IN, SIGNED_IN,
                                only={"callback-replay-rejected"})

    assert report.warned_ids == {"callback-replay-rejected"}, report.table()
    assert report["callback-replay-rejected"].evidence.startswith("not judged")


def test_an_origin_named_as_the_apps_own_may_receive_the_token(implicitflow_audit, holes_app):
    report = implicitflow_audit(holes_app + "?holes=token-to-third-party", SIGN_IN, SIGNED_IN,
                                only={"token-only-to-api"}, token_origins=["http://localhost:2/"])

    assert report.failed_ids == set(), report.table()
