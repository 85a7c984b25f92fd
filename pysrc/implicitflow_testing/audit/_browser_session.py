"""One fresh browser context, watched from outside: what it sends, logs and shows.

The audit judges an app only by what anyone could observe: the requests its pages send (with
their headers), its console, uncaught errors, dialogs, the mock's redirects, and calls of a probe
function that hostile payloads try to run (its name is chosen per audit, so an app cannot look
for it to tell that it is audited). Nothing here knows how the app is written.
"""

import html
import re
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from implicitflow.providers import GETRESPONSE_AUTHORIZE_URL
from implicitflow_testing.audit._remote_mock import error_page_fields
from implicitflow_testing.harness._chromium import running_as_root
from implicitflow_testing.harness._page_watch import PageWatch
from implicitflow_testing.harness._served_app import sign_in_pages

SANDBOX_STATUS_PAGE = "chrome://sandbox"
STOPPED_AT_PROVIDER = "<!doctype html><title>audit: stopped at the provider</title>"
#: `BrowserSession.provider_page` for a popup whose first navigation went to the provider.
NEW_POPUP = object()
#: How long the app must stay quiet (no request sent, no dialog, no probe call, no change between
#: signed in and out) before what it did with a callback is judged: an app may handle the
#: fragment on a timer, after it has shown a state and its network has gone idle.
QUIET_SECONDS = 2.0


class StepFailed(RuntimeError):
    """The app did not do what the step needs (no sign-in control, never signed in, ...)."""


@dataclass(frozen=True)
class SentRequest:
    url: str
    method: str
    headers: dict
    body: str

    @property
    def origin(self):
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    def carries(self, secret):
        """Where `secret` travels in this request: "URL", a header's name, "body", or None.
        A URL's fragment never leaves the browser, so it does not count."""
        if secret in self.url.split("#")[0]:
            return "URL"
        for name, value in self.headers.items():
            if secret in value:
                return f"{name} header"
        return "body" if secret in self.body else None


def provider_answer(status, body):
    """What a provider's page that did not redirect says, in a line: "400 invalid_client (The
    client does not exist on this server.)" from the mock's error page, else its status and title."""
    error, description = error_page_fields(body)
    if error:
        return f"{status} {error}" + (f" ({description})" if description else "")
    title = re.search(r"<title>([^<]*)</title>", body or "")
    return f"{status} {html.unescape(title.group(1)).strip() if title else 'without a redirect'}"


#: The document every history entry is answered with while the audit walks back through them:
#: no script of the app runs, so what each entry holds is read as the browser kept it.
INERT_ENTRY = "<!doctype html><title>audit: a history entry</title>"
#: Keeps the session's documents out of the back/forward cache (Firefox restores a cached
#: document without a request, its scripts running again): each is loaded anew, inert, when the
#: walk goes back to it. An unload listener does nothing else.
NO_BACK_FORWARD_CACHE = "addEventListener('unload', () => {});"
#: One step back: in the current document, a mark (to tell a new document from this one), the
#: URL a same-document traversal arrives at (read at its popstate, before the app's listeners),
#: then history.back().
WALK_BACK = """([mark, arrived, step]) => {
  window[mark] = step;
  window[arrived] = null;
  addEventListener("popstate", () => { window[arrived] = window[arrived] || location.href; },
                   {capture: true, once: true});
  history.back();
}"""
#: Where that step arrived: null while still in the same document without a traversal.
WALK_ARRIVED = """([mark, arrived, step]) =>
  window[mark] === step ? window[arrived] : location.href"""


def origin_of(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def fragment_fields(url):
    return dict(parse_qsl(urlsplit(url).fragment, keep_blank_values=True))


class BrowserSession:
    """A new context of `browser` on the app, closed by `close()` (or `with`).

    At the provider's authorize URL a gate decides what happens: "pass" lets the mock answer,
    "stop" ends the sign-in there (the app is left with its login pending), "capture" lets the
    mock answer but keeps its redirect from loading (an attacker keeping a callback URL).
    """

    def __init__(self, browser, target, probe, install_clock=False, walk_history=False):
        self.target = target
        self.engine = browser.browser_type.name
        self.mock = target.mock
        # An app may send people to GetResponse's real sign-in page (as with `serve_app`): the
        # mock answers for it, as for its own.
        self.provider_pages = {self.mock.authorize_url, *(
            sign_in_pages(self.mock) if hasattr(self.mock, "state") else [GETRESPONSE_AUTHORIZE_URL])}
        self.context = browser.new_context()
        self.context.set_default_timeout(target.timeout_ms)
        self.requests = []
        self.authorize_requests = []
        self.provider_answers = 0  # how many visits to the provider the audit has answered
        self.callbacks = []  # the mock's redirects to the app, fragment included
        self.provider_pages_shown = []  # what the mock answered without a redirect, in a line
        self.tokens = []  # the tokens the mock issued to this session's own sign-ins
        self.scene = "a sign-in"  # what the session went through, for evidence
        self.dialogs = []
        self.probe_calls = []
        self.gate = "pass"
        self.watches = []  # a PageWatch on each page of the context: the app's tab, its popups
        self.provider_page = None  # the page that last went to the provider's authorize URL
        self.through_popup = False  # whether the last callback the audit loaded was in a popup
        self.probe = probe
        self.context.on("request", self._on_request)
        self.context.on("response", self._on_response)
        self.context.on("page", self._watch)
        # `probe`: the name of the function hostile payloads call if they run as script.
        self.context.expose_function(probe, lambda source: self.probe_calls.append(source))
        self.context.route(self._is_authorize_url, self._at_provider)
        if install_clock:
            self.context.clock.install()
        if walk_history:
            self.context.add_init_script(NO_BACK_FORWARD_CACHE)
        self.page = self.context.new_page()
        self._watch(self.page)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            # A popup's visit may still be routed: its handler's errors must not surface in a
            # later session's Playwright call.
            self.context.unroute_all(behavior="ignoreErrors")
        except PlaywrightError:
            pass
        self.context.close()

    # -- watching ---------------------------------------------------------------------

    def _on_request(self, request):
        try:
            body = request.post_data or ""
        except UnicodeDecodeError:  # a binary body cannot carry the token as text
            body = ""
        self.requests.append(SentRequest(request.url, request.method, dict(request.headers), body))

    def _watch(self, page):
        """Watch `page` (once): the app's tab, and each popup it opens (sign-in popups)."""
        if any(watch.page is page for watch in self.watches):
            return
        self.watches.append(PageWatch(page, stop_on_broken_asset=False))
        page.on("dialog", self._on_dialog)

    def _on_response(self, response):
        location = response.headers.get("location", "")
        if not self._is_authorize_url(response.url):
            return
        if location and not self._is_authorize_url(location):
            self.callbacks.append(location)
        elif response.status >= 400:
            try:
                body = response.text()
            except PlaywrightError:  # the page went away before its body was read
                body = ""
            self.provider_pages_shown.append(provider_answer(response.status, body))

    def _on_dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _is_authorize_url(self, url):
        return url.split("?")[0] in self.provider_pages

    def _at_provider(self, route):
        url = route.request.url
        if route.request.method == "GET":
            self.authorize_requests.append(url)
        if route.request.is_navigation_request():
            try:
                self.provider_page = route.request.frame.page
            except PlaywrightError:
                # The first navigation of a popup opened at the provider's URL: its page is
                # not known yet (see `_provider_page_now`).
                self.provider_page = NEW_POPUP
        try:
            self._answer_at_provider(route, url)
        except PlaywrightError as error:
            # The session closed meanwhile, or the mock did not answer: the step that waits
            # for the provider says so; the error must not surface in a later Playwright call.
            self.provider_pages_shown.append(f"no answer ({first_line(error)})")
            try:
                route.abort()
            except PlaywrightError:
                pass
        finally:
            self.provider_answers += 1

    def _answer_at_provider(self, route, url):
        at_mock = self.mock.authorize_url + url[len(url.split("?")[0]):]  # the same query
        if self.gate == "stop":
            route.fulfill(status=200, content_type="text/html", body=STOPPED_AT_PROVIDER)
        elif self.gate == "capture":
            # Without the request's own Host (Firefox keeps the provider's in it): the mock's.
            headers = {name: value for name, value in route.request.headers.items()
                       if name.lower() != "host"}
            answer = route.fetch(url=at_mock, max_redirects=0, headers=headers)
            if answer.headers.get("location"):
                self.callbacks.append(answer.headers["location"])
            else:
                self.provider_pages_shown.append(provider_answer(answer.status, answer.text()))
            route.fulfill(status=200, content_type="text/html", body=STOPPED_AT_PROVIDER)
        elif url != at_mock:
            route.fulfill(status=302, headers={"Location": at_mock})
        else:
            route.continue_()

    @property
    def broken_assets(self):
        """"URL answered 404[: hint]" for each script or stylesheet of the app's pages that
        answered an error (see PageWatch)."""
        return [asset for watch in self.watches for asset in watch.broken_assets]

    @property
    def errors(self):
        """Uncaught errors and Python tracebacks the app's pages (its popups too) reported."""
        return [error for watch in self.watches for error in watch.errors]

    @property
    def console(self):
        """What the app's pages logged to the console, a popup's marked "(a popup) "."""
        return [self.where(watch.page) + message for watch in self.watches
                for message in watch.console]

    def where(self, page):
        """"" for the app's tab, "(a popup) " for another page: evidence says which it was."""
        return "" if page is self.page else "(a popup) "

    def open_pages(self):
        """The app's tab, then its popups still open."""
        return [page for page in self.context.pages if not page.is_closed()]

    def _provider_page_now(self):
        """The page that last went to the provider; None while it is a popup not known yet."""
        if self.provider_page is NEW_POPUP:
            at_provider = [page for page in self.context.pages if page is not self.page
                           and not page.is_closed() and self._is_authorize_url(page.url)]
            if not at_provider:
                return None
            self.provider_page = at_provider[-1]
        return self.provider_page

    def callback_page(self):
        """Where the provider sends the browser back: the page that went to it (the app's tab,
        or the popup the app signs in through) while it is open, else the app's tab."""
        page = self._provider_page_now()
        return page if page is not None and not page.is_closed() else self.page

    # -- steps ------------------------------------------------------------------------

    def _locator(self, selector):
        """The first visible match: apps often keep both states in the page, one hidden."""
        return self.page.locator(selector).filter(visible=True).first

    def open_app(self):
        """Load the app and wait for its sign-in control."""
        self.open_app_here(self.target.app_url)

    def open_app_here(self, url=None):
        """Wait for the sign-in control, at `url` (loaded first) or where the page is."""
        try:
            if url is not None:
                self.page.goto(url)
            self._wait_visible_unless_broken(self.target.sign_in)
        except PlaywrightError as error:  # a timeout, or the app's server not answering
            raise StepFailed(f"the sign-in control {self.target.sign_in!r} did not appear at "
                             f"{self.page.url}: {first_line(error)}"
                             + (f" (page errors: {'; '.join(map(page_error_summary, self.errors))})"
                                if self.errors else "")) from None

    def _wait_visible_unless_broken(self, selector):
        """Wait for `selector`, but stop at once (StepFailed) if a script or stylesheet of the
        page answered an error: the app will not start, and the report says which."""
        deadline = time.monotonic() + self.target.timeout_ms / 1000
        while True:
            if self.broken_assets:
                raise StepFailed(f"the sign-in control {selector!r} did not appear at "
                                 f"{self.page.url}: {'; '.join(self.broken_assets[:3])}")
            try:
                self._locator(selector).wait_for(state="visible", timeout=250)
                return
            except PlaywrightTimeoutError:
                if time.monotonic() > deadline:
                    raise

    def start_sign_in(self, gate, consent=None):
        """Click the sign-in control; the mock's next consent is `consent` ("allow", "deny")."""
        self.gate = gate
        if consent == "allow":
            self.mock.approve_next()
        elif consent == "deny":
            self.mock.deny_next()
        started = self.provider_answers
        self._locator(self.target.sign_in).click()
        deadline = time.monotonic() + self.target.timeout_ms / 1000
        # Until the provider's answer is in: a click that opens a popup does not wait for it.
        while self.provider_answers == started:
            if time.monotonic() > deadline:
                raise StepFailed(f"clicking {self.target.sign_in!r} did not open the mock's "
                                 f"authorize URL {self.mock.authorize_url}")
            self.page.wait_for_timeout(20)
        return dict(parse_qsl(urlsplit(self.authorize_requests[-1]).query))

    def stop_at_provider(self):
        """Open the app and start a sign-in that stops at the provider: its parameters."""
        self.open_app()
        request = self.start_sign_in("stop")
        self.wait_at_provider()
        return request

    def wait_at_provider(self):
        """Wait until the page that went to the provider (the app's tab or its popup) shows the
        page the audit answered there: a navigation started before that one has committed is
        interrupted by it (Firefox), and the callback must not be."""
        deadline = time.monotonic() + self.target.timeout_ms / 1000
        while True:
            where = self._provider_page_now()
            if where is not None and (where.is_closed() or self._is_authorize_url(where.url)):
                break
            if time.monotonic() > deadline:
                return
            self.page.wait_for_timeout(20)
        if not where.is_closed():
            where.wait_for_load_state()

    def sign_in(self):
        """The whole happy path; returns the callback URL the mock sent the app to.

        The browser itself opens the callback the mock redirected to. Followed from the click,
        the callback page may inherit that click's user activation (the mock shares the app's
        site here, a real provider does not), and Chromium keeps the history entry of a
        still-loading page that navigates away only under one: the history verdict would
        depend on timing.
        """
        self.open_app()
        self.start_sign_in("capture", "allow")
        if not self.callbacks:
            raise StepFailed(self.no_redirect())
        self.tokens.append(fragment_fields(self.callbacks[-1]).get("access_token", ""))
        self.load_callback(self.callbacks[-1])
        if not self.wait_signed_in():
            raise StepFailed(f"{self.target.signed_in!r} did not appear after signing in "
                             f"(page errors: {self.errors or 'none'})")
        return self.callbacks[-1]

    def load_callback(self, url):
        """Open `url` where the provider would have sent the browser: in the sign-in popup
        (which may hand the answer to the app's tab and close itself) or in the app's tab."""
        self.wait_at_provider()
        where = self.callback_page()
        self.through_popup = where is not self.page
        try:
            where.goto(url)
        except PlaywrightError:
            if where is self.page or not where.is_closed():
                raise  # a popup that closed itself while loading is done with the callback

    def no_redirect(self):
        """Why a sign-in stopped at the mock, for a report."""
        said = (f": it answered {self.provider_pages_shown[-1]}" if self.provider_pages_shown
                else "")
        hint = ("; is the app's client registered with the mock? (--client-id and --redirect-uri)"
                if any(" invalid_client" in answer or "Redirect URI" in answer
                       for answer in self.provider_pages_shown) else "")
        return f"the mock did not redirect back to the app{said}{hint}"

    def wait_signed_in(self):
        try:
            self._locator(self.target.signed_in).wait_for(state="visible")
            return True
        except PlaywrightTimeoutError:
            return False

    def visit(self, url, where=None):
        """Open `url` as a fresh load (even when only the fragment differs) in `where` (default
        the app's tab), let the app settle, and return once it has been quiet for QUIET_SECONDS."""
        where = where or self.page
        try:
            where.goto("about:blank")
            where.goto(url)
        except PlaywrightError:
            if where is self.page or not where.is_closed():
                raise  # a popup that closed itself after handing the answer on
        self.settle()
        self.wait_quiet()

    def wait_for_provider_reply(self, before):
        """Wait (up to the step's timeout) until the provider has replied to the sign-in started
        when `before` replies were in: a redirect back, or a page it showed instead. The reply
        may go to a popup, whose network `settle` does not watch."""
        deadline = time.monotonic() + self.target.timeout_ms / 1000
        while (len(self.callbacks) + len(self.provider_pages_shown) == before
               and time.monotonic() < deadline):
            self.page.wait_for_timeout(50)

    def settle(self):
        """Wait until the app shows one of its two states and its network is quiet."""
        either = self.page.locator(self.target.sign_in).or_(self.page.locator(self.target.signed_in))
        try:
            either.filter(visible=True).first.wait_for(state="visible")
        except PlaywrightTimeoutError:  # an app that shows neither: judged on what it sent
            pass
        try:
            self.page.wait_for_load_state("networkidle")
        except PlaywrightTimeoutError:  # polling apps never go quiet
            pass

    def wait_quiet(self):
        """Wait until nothing the audit watches has changed for QUIET_SECONDS, or for the step's
        timeout (an app that polls is never quiet)."""
        deadline = time.monotonic() + self.target.timeout_ms / 1000
        seen, quiet_since = self._activity(), time.monotonic()
        while time.monotonic() - quiet_since < QUIET_SECONDS and time.monotonic() < deadline:
            self.page.wait_for_timeout(100)
            now = self._activity()
            if now != seen:
                seen, quiet_since = now, time.monotonic()

    def _activity(self):
        return len(self.requests), len(self.dialogs), len(self.probe_calls), self.is_signed_in()

    def is_signed_in(self):
        return self._locator(self.target.signed_in).count() > 0

    def requests_since(self, mark):
        return self.requests[mark:]

    # -- history ----------------------------------------------------------------------

    def history_entries(self, page=None):
        """The URL of every entry of `page`'s session history (default the app's tab), oldest
        first, read in any engine by walking back: `history.length`, then `history.back()` one
        entry at a time, reading where each step arrived in the page. Meanwhile every
        navigation is answered with an inert document (no script of the app runs again) and the
        session needs `walk_history` (no back/forward cache), so each entry is read as the
        browser kept it. The session ends where its history began: walk last."""
        page = page or self.page
        count = page.evaluate("history.length")
        self.context.route(lambda url: True, _inert)
        names = [self.probe + "_walk", self.probe + "_arrived"]
        entries = [page.url]
        for step in range(1, count):
            try:
                page.evaluate(WALK_BACK, [*names, step])
            except PlaywrightError:
                pass  # the evaluation ended with its document, which history.back() leaves
            entries.append(self._arrival(page, names, step, count))
        return entries[::-1]

    def _arrival(self, page, names, step, count):
        deadline = time.monotonic() + self.target.timeout_ms / 1000
        while time.monotonic() < deadline:
            try:
                arrived = page.evaluate(WALK_ARRIVED, [*names, step])
            except PlaywrightError:  # between two documents
                arrived = None
            if arrived:
                return arrived
            page.wait_for_timeout(20)
        raise StepFailed(f"walking back through the {count} history entries of {self.engine}'s "
                         f"tab, entry {count - step} of {count} was not reached within "
                         f"{self.target.timeout_ms} ms")


def _inert(route):
    if route.request.is_navigation_request():
        route.fulfill(status=200, content_type="text/html", body=INERT_ENTRY)
    else:
        route.abort()


def sandbox_notes(browser):
    """A line for the report when pages in `browser` run outside Chromium's sandbox, as its
    chrome://sandbox page tells (the launch flags of a browser given to the audit are unknown);
    for another engine, that its sandbox is not checked (it offers the audit no such page)."""
    engine = browser.browser_type.name
    if engine != "chromium":
        return [f"{engine.capitalize()}'s sandbox: not checked (only Chromium shows the audit its "
                f"sandbox, at {SANDBOX_STATUS_PAGE}); audit apps you do not trust as an ordinary "
                "user."]
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(SANDBOX_STATUS_PAGE)
        status = page.inner_text("body")
    except PlaywrightError as error:
        return [f"Chromium's sandbox: unknown, {SANDBOX_STATUS_PAGE} did not load ({first_line(error)})"]
    finally:
        context.close()
    if "You are adequately sandboxed" in status:
        return []
    why = ("the audit runs as root, where Chromium's sandbox cannot start" if running_as_root()
           else "this Chromium was started without it (--no-sandbox) or cannot use it here")
    return [f"Chromium's sandbox is OFF: {why}. The audited app's pages run unconfined; audit "
            "apps you do not trust as an ordinary user."]


def page_error_summary(error):
    """A Python traceback's last line (the error itself), or an uncaught error's first."""
    lines = [line for line in str(error).strip().splitlines() if line.strip()]
    if lines and lines[0].startswith("Traceback"):
        return lines[-1].strip()
    return lines[0] if lines else "an error without a message"


def first_line(error):
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
