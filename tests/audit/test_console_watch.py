"""token-not-in-console watches the console for the whole audit, not only the sign-in: an app
built on the toolkit whose "expiring" handler logs the token fails it, with the moment named."""

import shutil
from pathlib import Path

import pytest

from implicitflow_bundle import write_bundle
from tests.audit.conftest import SIGN_IN, SIGNED_IN

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PAGE = Path(__file__).resolve().parent / "pages" / "expiring-logger"


@pytest.fixture(scope="module")
def expiring_logger(tmp_path_factory, example_app):
    folder = tmp_path_factory.mktemp("expiring-logger")
    shutil.copytree(PAGE, folder, dirs_exist_ok=True)
    write_bundle(folder / "vendor", source=ROOT / "web" / "dist", compiler=False)
    return example_app(folder)


def test_a_token_logged_by_the_expiring_handler_fails_the_console_check(implicitflow_audit,
                                                                        expiring_logger):
    report = implicitflow_audit(expiring_logger, SIGN_IN, SIGNED_IN,
                                only={"sign-in", "token-not-in-console"})
    print(report.table())

    assert report.failed_ids == {"token-not-in-console"}, report.table()
    assert report["token-not-in-console"].evidence == (
        "the token is in the console, in the token's expiry on the browser's clock: session "
        "expiring, token <TOKEN>")
