"""An app whose script answered 404 is reported at once, naming the URL, not after a timeout."""

import time

import pytest

from tests.audit.conftest import SIGN_IN, SIGNED_IN

pytestmark = pytest.mark.browser


@pytest.fixture
def app_without_its_bundle(tmp_path, example_app):
    (tmp_path / "index.html").write_text(
        '<!doctype html><title>app</title><script src="vendor/brython.js"></script>'
        '<button id="sign-in" hidden>Sign in</button>')
    return example_app(tmp_path)


def test_a_missing_bundle_is_named_at_once(implicitflow_audit, app_without_its_bundle):
    started = time.monotonic()
    report = implicitflow_audit(app_without_its_bundle, SIGN_IN, SIGNED_IN, only={"sign-in"},
                                timeout_ms=30000)

    assert time.monotonic() - started < 15
    assert report.failed_ids == {"sign-in"}
    assert (f"{app_without_its_bundle}vendor/brython.js answered 404: did you run implicitflow "
            "bundle?") in report["sign-in"].evidence, report.table()
