"""The mock's log keeps only its latest requests. Its entries are numbered, a reader asks for
the entries after the last one it read and is told when some were dropped unread, so the audit
judges with a full log and says "not judged" when the log overflowed under it."""

import hashlib
from pathlib import Path

import httpx
import pytest

from implicitflow_testing.mock import _state
from tests.audit.conftest import SIGN_IN, SIGNED_IN

HOLES_APP = Path(__file__).resolve().parent / "pages" / "holes"
#: Fewer entries than the 100 requests of the holes app's flood-mock-log, more than the mock
#: receives between two reads of the audit otherwise.
SMALL_LOG = 40


@pytest.fixture
def small_log(getresponse_mock, monkeypatch):
    """The mock with a log of SMALL_LOG entries (its size is read when the log is made)."""
    monkeypatch.setattr(_state, "REQUEST_LOG_SIZE", SMALL_LOG)
    getresponse_mock.reset()
    yield getresponse_mock
    monkeypatch.undo()
    getresponse_mock.reset()


@pytest.fixture
def http(getresponse_mock):
    with httpx.Client(base_url=getresponse_mock.url, timeout=10) as client:
        yield client


def send(http, count):
    for _ in range(count):
        http.get("/v3/accounts")


def test_entries_after_a_number_are_those_received_since(http):
    send(http, 2)
    mark = http.get("/_mock/requests").json()["newest"]
    send(http, 3)

    answer = http.get("/_mock/requests", params={"after": mark}).json()

    numbers = [entry["number"] for entry in answer["requests"]]
    assert numbers == sorted(numbers) and numbers[0] > mark
    # The reading request is logged before it is answered: it is the newest entry.
    assert [entry["path"] for entry in answer["requests"]] == ["/v3/accounts"] * 3 + ["/_mock/requests"]
    assert answer["newest"] == numbers[-1] and answer["lost"] is False


def test_a_full_log_still_answers_what_came_after_a_number(small_log, http):
    send(http, SMALL_LOG)  # full: from now on each request drops the oldest
    mark = http.get("/_mock/requests").json()["newest"]
    send(http, 2)

    answer = http.get("/_mock/requests", params={"after": mark}).json()

    assert [entry["path"] for entry in answer["requests"]] == ["/v3/accounts", "/v3/accounts",
                                                               "/_mock/requests"]
    assert answer["lost"] is False


def test_entries_dropped_before_they_were_read_are_reported_lost(small_log, http):
    mark = http.get("/_mock/requests").json()["newest"]
    send(http, SMALL_LOG + 1)

    answer = http.get("/_mock/requests", params={"after": mark}).json()

    assert answer["lost"] is True
    assert len(answer["requests"]) == SMALL_LOG


@pytest.mark.parametrize("after", ["-1", "1.5", "x", "", "٣"])
def test_an_after_that_is_not_an_entry_number_is_refused(http, after):
    response = http.get("/_mock/requests", params={"after": after})

    assert response.status_code == 400
    assert "after must be" in response.text


def test_an_entry_names_its_token_by_a_short_hash_never_by_the_token(getresponse_mock, http):
    http.get("/v3/accounts", headers={"Authorization": "Bearer secret-token-value"})

    entry = getresponse_mock.requests()[-1]

    assert entry["authorization"] == "Bearer <redacted>"
    assert entry["authorization_fingerprint"] == hashlib.sha256(b"secret-token-value").hexdigest()[:16]
    assert "secret-token-value" not in repr(entry)


@pytest.fixture(scope="module")
def holes_app(example_app):
    return example_app(HOLES_APP)


@pytest.mark.browser
@pytest.mark.parametrize("hole, check, through_http", [
    ("keep-after-401", "stops-after-1014", True),  # as `implicitflow-audit --mock URL` reads it
    ("ignore-expiry", "stops-after-expires-in", False),
])
def test_with_a_full_log_an_app_using_a_dead_token_still_fails(implicitflow_audit, holes_app,
                                                               small_log, http, hole, check,
                                                               through_http):
    send(http, SMALL_LOG)  # a long-running mock that served a test suite first

    report = implicitflow_audit(f"{holes_app}?holes={hole}", SIGN_IN, SIGNED_IN, only={check},
                                mock=small_log.url if through_http else small_log)

    assert report.failed_ids == {check}, report.table()
    assert not report[check].evidence.startswith("not judged"), report.table()


@pytest.mark.browser
def test_when_the_log_overflows_under_a_check_it_is_not_judged(implicitflow_audit, holes_app,
                                                               small_log):
    report = implicitflow_audit(f"{holes_app}?holes=keep-after-401,flood-mock-log", SIGN_IN,
                                SIGNED_IN, only={"stops-after-1014"})

    assert report["stops-after-1014"].verdict == "fail", report.table()
    assert report["stops-after-1014"].evidence.startswith("not judged: the log overflowed")
