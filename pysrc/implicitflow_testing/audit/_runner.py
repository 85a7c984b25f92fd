"""Running the checks against one app: `run_audit()` with a Playwright browser you have,
`audit_app()` starting its own (Chromium, Firefox, or Playwright's WebKit)."""

import contextlib
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError

from implicitflow_testing.audit._browser_session import (
    BrowserSession,
    StepFailed,
    first_line,
    fragment_fields,
    origin_of,
    sandbox_notes,
)
from implicitflow_testing.audit._checks import CHECKS
from implicitflow_testing.audit._remote_mock import MockUnreachable, RemoteMock
from implicitflow_testing.audit._report import FAIL, AuditReport, CheckResult, escape_unprintable
from implicitflow_testing.mock._request_log import fingerprint

#: A same-origin page the observed sign-in moves to last, to read what it is told of the app.
NEXT_PAGE_PATH = "/.well-known/implicitflow-audit-next-page"

ENGINES = ("chromium", "firefox", "webkit")
#: Why the audit does not run in a stock WebKit (Debian's WebKitGTK), which the browser tests
#: drive through WebKitWebDriver.
WEBKIT_NEEDS_PLAYWRIGHT = (
    "the audit runs in WebKit only as Playwright's own build (python -m playwright install "
    "--with-deps webkit). A stock WebKit is driven only through WebKitWebDriver, W3C WebDriver "
    "without BiDi (WebKitGTK 2.50 refuses a session with webSocketUrl): it cannot hold back the "
    "provider's redirect or answer a request in place of a server, does not report the requests "
    "a page sends (their headers and bodies), has no clock to move past expires_in and no "
    "function a hostile payload could call back, and those are what the checks judge by. Audit "
    "in Chromium or Firefox.")
#: What a browser (or its driver) answers when it lacks what a check needs: the check was not
#: judged because of the engine, not because of the app.
ENGINE_LIMITS = ("is only available in", "unknown command", "unsupported operation",
                 "not supported", "not implemented")


class MockLogOverflowed(StepFailed):
    """The mock dropped entries of its log before the audit read them: what they record (the
    API calls an app made, with which token) is unknown."""

    def __init__(self, mark):
        super().__init__(
            f"the log overflowed: the mock dropped requests it received after its log entry "
            f"#{mark} before the audit read them (its log keeps only the latest requests), so the "
            "calls the app made are unknown; give the audit a mock that nothing else is using")


def read_mock_log(mock, after):
    """`mock`'s log after entry number `after`: {"requests", "newest", "lost"} (see
    `entries_after`), from a `RemoteMock` through its HTTP control, from a `MockServer` directly."""
    if isinstance(mock, RemoteMock):
        return mock.requests_after(after)
    return mock.state.requests_after(after)


@dataclass(frozen=True)
class AuditTarget:
    """The app under audit and the mock it is configured to use.

    `sign_in` and `signed_in` are Playwright selectors: what to click to start a sign-in, what
    appears once signed in. `mock` is a `MockServer` or a `RemoteMock`. `token_origins` are
    origins besides the app's and the mock's that may receive the token (e.g. an API gateway).
    """

    app_url: str
    sign_in: str
    signed_in: str
    mock: object
    timeout_ms: int = 15000
    token_origins: tuple = ()


@dataclass
class ObservedSignIn:
    """One ordinary sign-in, watched: the leak checks read their places from it."""

    failure: str | None = None
    token: str = ""
    seconds: float = 0.0
    through_popup: bool = False
    api_calls: list = field(default_factory=list)
    log_overflow: str = ""  # why the mock's part of the evidence is missing, if it is
    requests: list = field(default_factory=list)
    places: dict = field(default_factory=dict)
    unreadable: dict = field(default_factory=dict)  # place -> why it could not be read


class AuditRun:
    """The shared parts of one audit: the browser, the target, and scenes several checks read."""

    def __init__(self, browser, target):
        self.browser = browser
        self.engine = browser.browser_type.name if browser is not None else "no browser"
        self.target = target
        self.mock = target.mock
        self._observed = None
        self.sessions = []  # every session of this audit, kept for what their pages logged
        self._attacker_callback = None
        self._newest_entry = 0
        # The probe's name is new for each audit: an app that looks for a known name cannot
        # tell that it is being audited and behave.
        self.probe = "_" + secrets.token_hex(8)

    def session(self, install_clock=False, walk_history=False):
        session = BrowserSession(self.browser, self.target, self.probe, install_clock, walk_history)
        self.sessions.append(session)
        return session

    def token_origins(self):
        return {origin_of(self.target.app_url), origin_of(self.mock.url), *self.target.token_origins}

    # -- the mock's log -----------------------------------------------------------------

    def mock_mark(self):
        """The number of the mock's newest log entry: what it receives next comes after it."""
        self._newest_entry = read_mock_log(self.mock, self._newest_entry)["newest"]
        return self._newest_entry

    def mock_entries_since(self, mark):
        """The mock's log entries after `mark`; MockLogOverflowed if some were dropped unread."""
        answer = read_mock_log(self.mock, mark)
        if answer["lost"]:
            raise MockLogOverflowed(mark)
        return answer["requests"]

    def api_calls(self, entries, token=None):
        """The API calls among `entries` that carried an Authorization header (`token`, if given)."""
        api_path = urlsplit(self.mock.api_base).path + "/"
        return [entry for entry in entries
                if entry["path"].startswith(api_path) and not entry["path"].endswith("/token")
                and entry.get("authorization")
                and (token is None or entry.get("authorization_fingerprint") == fingerprint(token))]

    def api_calls_since(self, mark, token=None):
        return self.api_calls(self.mock_entries_since(mark), token)

    # -- scenes -------------------------------------------------------------------------

    def attacker_callback(self):
        """A complete callback URL for the attacker's own sign-in, with a token the mock issued
        to the attacker, kept from loading (as an attacker would keep it)."""
        if self._attacker_callback is None:
            with self.session() as attacker:
                attacker.open_app()
                attacker.start_sign_in("capture", "allow")
                if not attacker.callbacks or "access_token" not in fragment_fields(attacker.callbacks[-1]):
                    raise StepFailed("the mock did not issue the attacker a token for this app: "
                                     f"{attacker.callbacks[-1] if attacker.callbacks else 'no redirect'}")
                self._attacker_callback = attacker.callbacks[-1]
        return self._attacker_callback

    def observed_sign_in(self):
        if self._observed is None:
            self._observed = self._observe_sign_in()
        return self._observed

    def _observe_sign_in(self):
        seen = ObservedSignIn()
        with self.session(walk_history=True) as session:
            session.scene = "the sign-in"
            started = time.monotonic()
            mark = self.mock_mark()
            try:
                callback = session.sign_in()
            except StepFailed as error:
                seen.failure = str(error)
                return seen
            seen.seconds = time.monotonic() - started
            seen.through_popup = session.through_popup
            seen.token = fragment_fields(callback)["access_token"]
            session.settle()
            page = session.page
            # The app's tab, and a sign-in popup the app left open.
            pages = session.open_pages()
            address_bar = [session.where(each) + each.url for each in pages]
            timeline = [session.where(each) + name for each in pages for name in each.evaluate(
                "performance.getEntries().map(entry => entry.name)")]
            local_storage = page.evaluate(
                "Object.entries(localStorage).map(([key, value]) => key + '=' + value)")
            # The next page: a same-origin navigation started by the page itself, so the browser
            # applies the app's referrer policy as it would to a link.
            next_page = origin_of(self.target.app_url) + NEXT_PAGE_PATH
            session.context.route(next_page, lambda route: route.fulfill(
                status=200, content_type="text/html", body="<!doctype html><title>next</title>"))
            page.evaluate("url => location.assign(url)", next_page)
            page.wait_for_url(next_page)
            referrer = page.evaluate("document.referrer")
            try:
                logged = self.mock_entries_since(mark)
            except MockLogOverflowed as error:
                logged, seen.log_overflow = [], str(error)
            seen.api_calls = self.api_calls(logged, seen.token)
            seen.requests = list(session.requests)
            console = session.console
            # Last: the walk through each tab's history leaves it at its first entry.
            history = []
            try:
                for each in pages:
                    if not each.is_closed():
                        history += [session.where(each) + url for url in session.history_entries(each)]
            except (StepFailed, PlaywrightError) as error:
                seen.unreadable["the history entries"] = f"on {session.engine}: {first_line(error)}"
            seen.places = {
                "the address bar": address_bar,
                "the history entries": history,
                "the next page's document.referrer": [referrer],
                "the Referer headers": [r.headers.get("referer", "") for r in session.requests]
                + [entry.get("referer", "") for entry in logged],
                "the performance timeline": timeline,
                "the console": console,
                "localStorage": local_storage,
            }
        return seen


def known_client(mock, client_id, redirect_uri):
    """Whether `mock` takes `client_id` with `redirect_uri`: True, False (no such client), or
    the mock's refusal of that redirect URI (a known client registered without it)."""
    if hasattr(mock, "state"):
        client = mock.state.client(client_id)
        if client is None:
            return False
        return True if client.check_redirect_uri(redirect_uri) else (
            f"Redirect URI {redirect_uri} is not supported by client.")
    # Through HTTP, as the app would: a consent page (or a redirect) means the mock takes it.
    status, error, description = mock.authorize_probe(client_id, redirect_uri)
    if status < 400:
        return True
    return False if error == "invalid_client" else (description or error or f"HTTP {status}")


def ensure_client(mock, client_id, redirect_uris):
    """Register the app's client with `mock` (a `MockServer` or `RemoteMock`) unless it already
    takes it with each of `redirect_uris`; returns a note for the report. A known client that does
    not take a redirect URI is left as it is (it may be another app's): ValueError says so."""
    known = [known_client(mock, client_id, uri) for uri in redirect_uris]
    refused = [answer for answer in known if isinstance(answer, str)]
    if refused:
        raise ValueError(f"the mock at {mock.url} knows client {client_id!r} but refuses a "
                         f"redirect URI: {refused[0]} Register it with that URI yourself.")
    if all(known):
        return f"client {client_id!r} was already registered with the mock"
    # The implicit grant never sends a secret; the mock needs one for its token endpoint only.
    mock.register_client(client_id, secrets.token_urlsafe(16), list(redirect_uris))
    return (f"registered client {client_id!r} with the mock at {mock.url}, redirect URIs "
            f"{', '.join(redirect_uris)}")


def run_audit(browser, app_url, sign_in, signed_in, mock, timeout_ms=15000, token_origins=(),
              only=None, client_id=None, redirect_uri=None):
    """Run every check (or those whose ids are in `only`) against the app at `app_url`, in
    `browser` (a Playwright Chromium, Firefox or WebKit), judged with `mock` (a `MockServer`,
    or the URL of one).
    `client_id`: the app's client, registered with the mock unless it already knows it, with
    `redirect_uri` (a URL or a list; default `app_url`). Returns an `AuditReport`."""
    if urlsplit(app_url).scheme not in ("http", "https"):
        raise ValueError(f"app_url must be an http(s) URL, not {app_url!r}")
    if not (isinstance(sign_in, str) and sign_in and isinstance(signed_in, str) and signed_in):
        raise ValueError("sign_in and signed_in must be Playwright selectors, e.g. 'text=Sign in'")
    unknown = set(only or ()) - {check.id for check in CHECKS}
    if unknown:
        raise ValueError(f"no such checks: {', '.join(sorted(unknown))}")
    if isinstance(mock, str):
        with contextlib.closing(RemoteMock(mock)) as remote:
            return run_audit(browser, app_url, sign_in, signed_in, remote, timeout_ms, token_origins,
                             only, client_id, redirect_uri)
    notes = []
    if client_id is not None:
        uris = [redirect_uri] if isinstance(redirect_uri, str) else list(redirect_uri or ())
        for uri in uris or [app_url.split("#")[0]]:
            if urlsplit(uri).scheme not in ("http", "https"):
                raise ValueError(f"redirect_uri must be an http(s) URL, not {uri!r}")
        notes.append(ensure_client(mock, str(client_id), uris or [app_url.split("#")[0]]))
    elif redirect_uri is not None:
        raise ValueError("redirect_uri needs client_id: the client to register it for")
    run = AuditRun(browser, AuditTarget(app_url, sign_in, signed_in, mock, timeout_ms,
                                        tuple(origin_of(origin) for origin in token_origins)))
    report = AuditReport(app_url, notes=notes + sandbox_notes(browser),
                         browser=f"{run.engine} {browser.version}")
    started = time.monotonic()
    for check in CHECKS:
        if only is None or check.id in only:
            report.checks.append(judged(check, run))
    report.seconds = time.monotonic() - started
    return report


def judged(check, run):
    """The result of `check` on `run`. Its evidence quotes what the app controls (dialog text,
    page errors), so control characters are escaped here, once, for terminals and XML."""
    started = time.monotonic()
    try:
        verdict, evidence = check.judge(run)
    except StepFailed as error:
        verdict, evidence = FAIL, f"not judged: {error}"
    except (PlaywrightError, MockUnreachable) as error:  # reported on the check it stopped
        engine = (f" on {run.engine}" if isinstance(error, PlaywrightError)
                  and any(limit in str(error) for limit in ENGINE_LIMITS) else "")
        verdict, evidence = FAIL, f"not judged{engine}: {type(error).__name__}: {first_line(error)}"
    return CheckResult(check.id, verdict, escape_unprintable(evidence), check.reference,
                       check.reason, time.monotonic() - started)


def audit_launch_args(engine):
    """`launch()` keyword arguments for the audit's own browser of `engine` ("chromium",
    "firefox", "webkit"), found as the pytest plugin finds one. Raises ValueError for another
    name, and ChromiumNotFound or BrowserNotFound, saying what to install, when none is usable."""
    from implicitflow_testing.harness._browsers import (
        BrowserNotFound,
        launch_args,
        playwright_webkit_installed,
    )

    if engine not in ENGINES:
        raise ValueError(f"browser must be one of {', '.join(ENGINES)}, not {engine!r}")
    if engine == "webkit" and not playwright_webkit_installed():
        raise BrowserNotFound(WEBKIT_NEEDS_PLAYWRIGHT)
    return launch_args(engine)


def audit_app(app_url, sign_in, signed_in, mock, headless=True, browser="chromium", **options):
    """`run_audit()` in a browser of its own: `browser` "chromium" (default), "firefox" (Playwright's
    or a stock one driven over WebDriver BiDi) or "webkit" (Playwright's), found as the pytest
    plugin finds them."""
    from playwright.sync_api import sync_playwright

    launch = audit_launch_args(browser)
    with sync_playwright() as playwright:
        launched = getattr(playwright, browser).launch(headless=headless, **launch)
        try:
            return run_audit(launched, app_url, sign_in, signed_in, mock, **options)
        finally:
            launched.close()
