"""The checks: a stable id, what a passing app does, where the rule comes from, and the judge.

Each judge drives fresh browser contexts (`AuditRun.session()`) and decides from what the browser
saw and what the mock knows: which token it issued into which callback, and every API call it
received, with its answer. A verdict is PASS, FAIL, or WARN (allowed, but worth knowing).
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from implicitflow_testing.audit._browser_session import (
    StepFailed,
    fragment_fields,
    origin_of,
    page_error_summary,
)
from implicitflow_testing.audit._report import FAIL, PASS, WARN


@dataclass(frozen=True)
class Check:
    id: str
    reason: str  # one line: what a passing app does
    reference: str
    judge: Callable  # (AuditRun) -> (verdict, evidence)


CHECKS = []


def check(check_id, reason, reference):
    def register(judge):
        CHECKS.append(Check(check_id, reason, reference, judge))
        return judge
    return register


def with_fragment(url, fields):
    return url.split("#")[0] + "#" + urlencode(fields)


def describe_calls(entries):
    """"3 (200, 200, 401)" for mock log entries."""
    return f"{len(entries)} ({', '.join(str(entry['status']) for entry in entries)})" if entries else "0"


def describe_requests(requests, token):
    shown = [f"{r.method} {redact(r.url.split('?')[0], token)} ({r.carries(token)})"
             for r in requests[:3]]
    more = f" and {len(requests) - 3} more" if len(requests) > 3 else ""
    return ", ".join(shown) + more


# -- signing in --------------------------------------------------------------------------

@check("sign-in", "The happy path signs in: after consent the app shows its signed-in state.",
       "RFC 6749 4.2")
def sign_in(run):
    seen = run.observed_sign_in()
    if seen.failure:
        return FAIL, seen.failure
    calls = (f"the mock then received {describe_calls(seen.api_calls)} API calls with the token "
             "it issued" if not seen.log_overflow else
             f"the API calls the mock then received are not known: {seen.log_overflow}")
    popup = " (through the popup it opened)" if seen.through_popup else ""
    return PASS, (f"{run.target.signed_in!r} appeared {seen.seconds:.1f} s after clicking "
                  f"{run.target.sign_in!r}{popup}; {calls}")


@check("denied-sign-in", "A denied consent leaves the app signed out, without an uncaught error.",
       "RFC 6749 4.2.2.1")
def denied_sign_in(run):
    with run.session() as session:
        session.open_app()
        replies = len(session.callbacks) + len(session.provider_pages_shown)
        session.start_sign_in("pass", "deny")
        session.wait_for_provider_reply(replies)
        session.settle()
        # Judged only once the mock has answered the denial: an app the mock never redirected
        # back to has not been tested at all.
        denied = [url for url in session.callbacks
                  if fragment_fields(url).get("error") == "access_denied"
                  or "error=access_denied" in urlsplit(url).query]
        if not denied:
            return FAIL, "not judged: " + session.no_redirect().replace(
                "did not redirect back", "did not redirect the denial back", 1)
        problems = []
        if session.is_signed_in():
            problems.append(f"it shows {run.target.signed_in!r}")
        if session.errors:
            problems.append("page errors: " + "; ".join(map(page_error_summary, session.errors[:3])))
    if problems:
        return FAIL, "after the mock answered error=access_denied " + ", and ".join(problems)
    return PASS, "after the mock answered error=access_denied the app is signed out, no page error"


# -- forged and replayed callbacks --------------------------------------------------------

def judge_injected_callback(run, session, url, token, whose):
    """Open `url` in `session` and wait until the app is quiet; FAIL if it then shows itself
    signed in, or `token` was used: sent by the browser, or received by the mock (from wherever
    the app passed it on)."""
    browser_mark, mock_mark = len(session.requests), run.mock_mark()
    session.visit(url)
    sent = [r for r in session.requests_since(browser_mark) if r.carries(token)]
    used = run.api_calls_since(mock_mark, token)
    signed_in = session.is_signed_in()
    if not (signed_in or sent or used):
        return PASS, (f"the app stayed signed out and never sent {whose}; the mock received no "
                      "API call made with it")
    facts = []
    if signed_in:
        facts.append(f"it shows {run.target.signed_in!r}")
    if sent:
        facts.append(f"it sent {whose} in {describe_requests(sent, token)}")
    facts.append(f"the mock answered {describe_calls(used)} API calls made with it")
    return FAIL, "the app accepted it: " + "; ".join(facts)


@check("forged-state-rejected",
       "A callback with a state the app never issued and an attacker's token is not accepted.",
       "RFC 6749 10.12; RFC 6819 4.4.1.8; RFC 9700 4.7")
def forged_state_rejected(run):
    attacker_callback = run.attacker_callback()
    fields = fragment_fields(attacker_callback)
    forged = with_fragment(attacker_callback, dict(fields, state=secrets.token_hex(16)))
    with run.session() as victim:
        victim.stop_at_provider()  # the victim has a sign-in of its own pending
        return judge_injected_callback(run, victim, forged, fields["access_token"],
                                       "the attacker's token")


@check("login-csrf-rejected",
       "The attacker's own complete callback URL, opened in the victim's browser, is not accepted.",
       "RFC 6749 10.12; RFC 6819 4.4.2.5; RFC 9700 4.7.1")
def login_csrf_rejected(run):
    attacker_callback = run.attacker_callback()
    token = fragment_fields(attacker_callback)["access_token"]
    with run.session() as victim:
        return judge_injected_callback(run, victim, attacker_callback, token, "the attacker's token")


@check("callback-replay-rejected",
       "A callback URL already used to sign in is not accepted again once the session ended.",
       "RFC 9700 4.7.1 (one-time state); RFC 6819 4.4.2.2")
def callback_replay_rejected(run):
    with run.session() as session:
        # The session ends as a user's does: the provider expires the token, the app meets 1014.
        callback, token, _ = sign_in_and_meet_1014(run, session)
        if session.is_signed_in():
            return WARN, ("not judged: the app still shows itself signed in after the mock expired "
                          "its token and the page reloaded (see stops-after-1014)")
        return judge_injected_callback(run, session, callback, token, "the replayed token")


# -- hostile input -----------------------------------------------------------------------

def hostile(probe, field):
    call = f"{probe}('{field}')"
    return (f'"><img src=x onerror="{call};alert(\'{field}\')">'
            f"<svg onload=\"{call}\"></svg><script>{call}</script>")


@check("error-response-runs-no-script",
       "Hostile error / error_description values in a callback run no script and open no dialog.",
       "RFC 6749 10.14; RFC 6819 4.4.2.4")
def error_response_runs_no_script(run):
    with run.session() as session:
        request = session.stop_at_provider()
        callback = with_fragment(request.get("redirect_uri") or run.target.app_url, {
            "error": hostile(run.probe, "error"),
            "error_description": hostile(run.probe, "error_description"),
            "state": request.get("state", "")})
        session.visit(callback, where=session.callback_page())  # where the provider sends it
        ran, dialogs = sorted(set(session.probe_calls)), list(session.dialogs)
    if ran or dialogs:
        return FAIL, (f"script from the callback ran (probe called from: {', '.join(ran) or 'none'}; "
                      f"dialogs: {'; '.join(dialogs) or 'none'})")
    return PASS, "script tags and event handlers in error and error_description never ran; no dialog"


#: The marker hostile API text carries on each element it would create.
PROBE_ATTRIBUTE = "data-implicitflow-probe"


def hostile_markup(probe, field):
    """Markup that, if it becomes elements, leaves a marked element in the DOM and, if it runs,
    calls the probe (naming `field`)."""
    call = f"{probe}('{field}')"
    return (f'<img {PROBE_ATTRIBUTE} src=x onerror="{call}">'
            f'<svg {PROBE_ATTRIBUTE} onload="{call}"></svg><b {PROBE_ATTRIBUTE}>{field}</b>')


@check("api-data-rendered-as-text",
       "API data (account name, email, company, from-fields) is shown as text, never as markup.",
       "RFC 6749 10.14; OWASP XSS Prevention Cheat Sheet (rules 1, 6: safe sinks); CWE-79")
def api_data_rendered_as_text(run):
    from implicitflow_testing.mock._getresponse_api import API_TEXT_FIELDS

    texts = {kind: {name: hostile_markup(run.probe, f"{kind}.{name}") for name in names}
             for kind, names in API_TEXT_FIELDS.items()}
    run.mock.set_api_text(**texts)
    try:
        with run.session() as session:
            session.scene = "the sign-in with hostile API data"
            mark = run.mock_mark()
            token = fragment_fields(session.sign_in())["access_token"]
            session.settle()
            session.wait_quiet()
            calls = run.api_calls_since(mark, token)
            marked = sum(frame.locator(f"[{PROBE_ATTRIBUTE}]").count()
                         for frame in session.page.frames)
            ran, dialogs = sorted(set(session.probe_calls)), list(session.dialogs)
    finally:
        run.mock.set_api_text()
    answered = [call for call in calls if call["status"] == 200]
    if ran or dialogs or marked:
        return FAIL, (f"API data became markup: {marked} elements from it in the page; script from "
                      f"it ran (probe called from: {', '.join(ran) or 'none'}; dialogs: "
                      f"{'; '.join(dialogs) or 'none'})")
    if not answered:
        return PASS, ("the app made no API call that the mock answered with data, so showed none "
                      f"({describe_calls(calls)} calls)")
    return PASS, (f"the mock answered {describe_calls(answered)} API calls with markup in "
                  f"{sum(map(len, API_TEXT_FIELDS.values()))} text fields; none of it became an "
                  "element or ran")


# -- where the user ends up -------------------------------------------------------------

EVIL_HOST = "evil.example"
#: Query parameters apps (and libraries) read for where to go after sign-in.
RETURN_PARAMETERS = ("returnTo", "return_to", "returnUrl", "redirect", "redirect_to", "next",
                     "continue", "page_uri", "url")


def sign_in_from(session, url, must_start=True):
    """Open the app at `url`, sign in from there, and let it settle: (None, or why nothing could
    happen there; the navigations to the evil origin). `must_start`: the app must start there.
    The evil origin's pages are answered by the audit (never the network) and counted."""
    left = []

    def at_evil(route):
        if route.request.is_navigation_request():
            left.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>evil</title>")

    session.context.route(lambda target: urlsplit(target).hostname == EVIL_HOST, at_evil)
    answer = session.page.goto(url)
    if answer is not None and answer.status >= 400:
        return f"the server answered {answer.status}, the app never ran there", left
    try:
        session.open_app_here()
    except StepFailed:
        if must_start:
            raise
        return "the app did not start there (no sign-in control)", left
    session.start_sign_in("capture", "allow")
    if not session.callbacks:
        raise StepFailed(session.no_redirect())
    session.load_callback(session.callbacks[-1])
    session.settle()
    session.wait_quiet()
    return None, left


@check("no-open-redirect-after-sign-in",
       "After sign-in the app stays on its origin, whatever returnTo / page_uri or //host path it "
       "was opened with.",
       "RFC 9700 4.11.1; OWASP Unvalidated Redirects and Forwards Cheat Sheet; CWE-601")
def no_open_redirect_after_sign_in(run):
    app = urlsplit(run.target.app_url)
    origin = f"{app.scheme}://{app.netloc}"
    evil = f"https://{EVIL_HOST}/"
    query = "&".join(filter(None, [app.query, urlencode({name: evil for name in RETURN_PARAMETERS})]))
    with_return = urlunsplit((app.scheme, app.netloc, app.path or "/", query, ""))
    # "//evil.example/" as the path: an app that reloads itself with a relative
    # location.pathname goes to the protocol-relative URL //evil.example/.
    double_slash = urlunsplit((app.scheme, app.netloc, f"//{EVIL_HOST}/", app.query, ""))
    verdicts = []
    for name, url, must_start in ((f"returnTo / page_uri parameters naming {evil}", with_return, True),
                                  (f"the path //{EVIL_HOST}/", double_slash, False)):
        with run.session() as session:
            session.scene = f"a sign-in from {url}"
            nothing, left = sign_in_from(session, url, must_start)
            where = session.page.url
        if left or origin_of(where) != origin:
            opened = (f"opened with {name} ({', '.join(RETURN_PARAMETERS)})" if must_start
                      else f"opened at {url}")
            return FAIL, (f"{opened} and signed in, the app took the user to "
                          f"{left[0] if left else where}")
        verdicts.append(f"{name}: {nothing or 'it stayed on ' + origin}")
    return PASS, "; ".join(verdicts)


# -- expired tokens ----------------------------------------------------------------------

def sign_in_and_meet_1014(run, session):
    """Sign in, have the mock expire the token, reload: an app that uses its token on load meets
    1014. (callback URL, token, the API calls the mock received after the expiry)."""
    session.scene = SCENE_1014
    callback = session.sign_in()
    token = fragment_fields(callback)["access_token"]
    session.settle()
    run.mock.expire_tokens(token)
    mark = run.mock_mark()
    session.page.reload()
    session.settle()
    return callback, token, run.api_calls_since(mark, token)


SCENE_1014 = "the API's 1014 for an expired token"
SCENE_EXPIRY = "the token's expiry on the browser's clock"


#: How far the browser's clock jumps at a time on its way to the token's expiry: each jump fires
#: the timers that fell due in it once, at its end.
CLOCK_HOP_SECONDS = 10
#: How long before expires_in the hops stop, for the seconds the sign-in itself took.
CLOCK_HOPS_STOP_SECONDS = 10


def sign_in_and_outlive_the_token(run, session):
    """Sign in in a session with the browser's clock installed, then move that clock past
    expires_in: in hops up to shortly before it (so an "expiring" timer fires while the token is
    still valid, as in a real browser, and a handler that reads the token then gets it), then,
    once the mock has expired the token too, past it (the "expired" timers fire); reload.
    (the callback's fields, the API calls the mock received with the token after its expiry)."""
    session.scene = SCENE_EXPIRY
    fields = fragment_fields(session.sign_in())
    session.settle()
    expires_in = int(fields.get("expires_in") or 3600)
    clock, moved = session.page.clock, 0
    while moved + CLOCK_HOP_SECONDS <= expires_in - CLOCK_HOPS_STOP_SECONDS:
        clock.fast_forward(CLOCK_HOP_SECONDS * 1000)
        moved += CLOCK_HOP_SECONDS
    run.mock.expire_tokens(fields["access_token"])  # its lifetime is over at the mock too
    mark = run.mock_mark()
    clock.fast_forward((expires_in + 60 - moved) * 1000)
    session.settle()
    session.page.reload()
    session.settle()
    return fields, run.api_calls_since(mark, fields["access_token"])


@check("stops-after-1014",
       "Once the API answers 1014 (token expired), the app stops sending that token.",
       "RFC 6819 5.1.5.3; RFC 6749 10.3")
def stops_after_1014(run):
    with run.session() as session:
        _, token, told = sign_in_and_meet_1014(run, session)
        mark = run.mock_mark()
        session.page.reload()
        session.settle()
        after = run.api_calls_since(mark, token)
    if not told:
        return PASS, "after the mock expired the token the app made no API call with it"
    if after:
        return FAIL, (f"the mock answered {describe_calls(told)} calls with the expired token, then "
                      f"the app, reloaded, made {describe_calls(after)} more with it")
    return PASS, (f"the mock answered {describe_calls(told)} calls with the expired token; after "
                  "that, 0 calls with it")


@check("stops-after-expires-in",
       "Once expires_in has passed on the browser's clock, the app stops sending the token.",
       "RFC 6749 4.2.2 (expires_in); RFC 6819 5.1.5.3")
def stops_after_expires_in(run):
    with run.session(install_clock=True) as session:
        fields, dead = sign_in_and_outlive_the_token(run, session)
        expires_in = int(fields.get("expires_in") or 3600)
    if dead:
        return FAIL, (f"{expires_in + 60} s after sign-in (expires_in {expires_in}) on the browser's "
                      f"clock the app still made {describe_calls(dead)} API calls with the token")
    return PASS, (f"{expires_in + 60} s after sign-in (expires_in {expires_in}) on the browser's "
                  "clock, and after a reload, the app made no API call with the token")


# -- where the token goes ----------------------------------------------------------------

def leak_check(check_id, reason, reference, place, verdict_if_found=FAIL, from_mock_log=False):
    """A check that the observed sign-in's token is absent from one place (`from_mock_log`: a
    place read partly from the mock's log, which may have overflowed)."""

    def judge(run):
        seen = run.observed_sign_in()
        if seen.failure:
            return FAIL, "not judged: " + seen.failure
        texts = seen.places[place]
        found = [text for text in texts if seen.token in text]
        if found:
            return verdict_if_found, f"the token is in {place}: {redact(found[0], seen.token)}"
        if place in seen.unreadable:
            return FAIL, f"not judged {seen.unreadable[place]}"
        if from_mock_log and seen.log_overflow:
            return FAIL, "not judged: " + seen.log_overflow
        return PASS, f"not in {place} ({len(texts)} looked at)"

    check(check_id, reason, reference)(judge)


def redact(text, token):
    """`text` for a report, which is printed and kept: the token itself never appears in it."""
    text = text.replace(token, "<TOKEN>")
    return text if len(text) < 160 else text[:157] + "..."


leak_check("token-not-in-address-bar", "After sign-in the token is not in the address bar.",
           "RFC 9700 4.3.2; RFC 6819 4.4.2.2", "the address bar")
leak_check("token-not-in-history", "After sign-in no history entry holds the token.",
           "RFC 9700 4.3.2; RFC 6819 4.4.2.2", "the history entries")
leak_check("token-not-in-referrer", "The next page's document.referrer does not hold the token.",
           "RFC 9700 4.2.1; RFC 6819 4.6.7", "the next page's document.referrer")
leak_check("token-not-in-referer-header", "No Referer header of any request holds the token.",
           "RFC 9700 4.2.1; RFC 6819 4.6.7", "the Referer headers", from_mock_log=True)
leak_check("token-not-in-performance-timeline",
           "The performance timeline (resource and navigation entries) does not hold the token.",
           "RFC 9700 4.3 (the timeline keeps the URLs a document loaded)",
           "the performance timeline")
@check("token-not-in-console",
       "Nothing the app logs to the console holds the token: at sign-in, at expiry, after 1014.",
       "RFC 6749 10.3; RFC 6819 5.1.6")
def token_not_in_console(run):
    seen = run.observed_sign_in()
    if seen.failure:
        return FAIL, "not judged: " + seen.failure
    # The whole audit is watched: the sessions other checks drove, and the token's expiry and the
    # API's 1014 (when no check this audit ran went through them).
    scenes = {session.scene for session in run.sessions}
    if SCENE_EXPIRY not in scenes:
        with run.session(install_clock=True) as session:
            sign_in_and_outlive_the_token(run, session)
    if SCENE_1014 not in scenes:
        with run.session() as session:
            sign_in_and_meet_1014(run, session)
    looked_at = 0
    for session in run.sessions:
        tokens = [token for token in session.tokens if token]
        for message in session.console:
            looked_at += 1
            if any(token in message for token in tokens):
                for token in tokens:
                    message = message.replace(token, "<TOKEN>")
                return FAIL, (f"the token is in the console, in {session.scene}: "
                              f"{redact(message, '<TOKEN>')}")
    watched = sorted({session.scene for session in run.sessions if session.tokens})
    return PASS, (f"not in the console ({looked_at} messages looked at, of {len(run.sessions)} "
                  f"sessions: {', '.join(watched)})")
leak_check("token-not-in-local-storage",
           "The token is kept out of localStorage (allowed, but shared by every tab and script "
           "of the origin, and kept after the browser closes): a warning.",
           "RFC 6749 10.3; RFC 6819 5.1.6", "localStorage", verdict_if_found=WARN)


@check("token-only-to-api", "The token is sent to no host but the API's and the app's own (its proxy).",
       "RFC 6819 4.6.4; RFC 9700 4.9")
def token_only_to_api(run):
    seen = run.observed_sign_in()
    if seen.failure:
        return FAIL, "not judged: " + seen.failure
    allowed = run.token_origins()
    carrying = [r for r in seen.requests if r.carries(seen.token)]
    foreign = [r for r in carrying if r.origin not in allowed]
    if foreign:
        return FAIL, (f"the token went to {', '.join(sorted({r.origin for r in foreign}))}: "
                      f"{describe_requests(foreign, seen.token)}")
    hosts = sorted({urlsplit(r.url).netloc for r in carrying})
    return PASS, f"{len(carrying)} requests carried the token, all to {', '.join(hosts) or 'no host'}"
