"""The benchmark: the toolkit against a plain-JavaScript baseline, measured in the same run.

    python -m implicitflow_testing.tools.bench [--runs 7] [--json bench-results.json] [--dist DIR]
                                               [--browser chromium|firefox|webkit]
                                               [--hellojs node_modules/hellojs/dist/hello.js]
    python -m implicitflow_testing.tools.bench --soak SECONDS [--through-serve] [--json soak-results.json]
    python -m implicitflow_testing.tools.bench --profile floor,toolkit_fast [--runs 7] [--dist DIR]

It measures the installed pages and bundle, or the build given with --dist (a checkout's
web/dist), on both paths: Python compiled in the page under the full brython.js, and compiled
ahead of time (`implicitflow bundle --app`) under brython_runtime.js, which has no compiler.
Everything runs on 127.0.0.1 in a headless browser (Chromium unless --browser names
Firefox, or WebKit where Playwright's own is installed), the site served two ways:
compressed per request, and from pre-compressed files. The sign-in is also measured at the
Brython floor and, given --hellojs (the npm package's dist/hello.js, not shipped here), with
hello.js. It prints a table and writes the same figures as JSON; it exits non-zero only when
something fails to run.

With --soak it measures instead the mock under sustained load, with --through-serve behind
`implicitflow serve`'s API proxy (see tools/soak.py). With --profile it shows instead where the
named pages' first visits spend their time, in Chromium's profiler (tools/first_visit_profile.py).
"""

import argparse
import asyncio
import base64
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from implicitflow.pending_login import PENDING_PREFIX, PendingLogin
from implicitflow.providers import getresponse
from implicitflow_server import server_app
from implicitflow_testing.harness._browsers import BrowserNotFound, launch_args
from implicitflow_testing.harness._chromium import ChromiumNotFound
from implicitflow_testing.harness._page_watch import PageWatch, PythonErrorInPage
from implicitflow_testing.mock._server import run_mock_server
from implicitflow_testing.serving import ServerThread
from implicitflow_testing.tools._raw_http import RawConnection
from implicitflow_testing.tools._site import SiteNotFound, site_folder
from implicitflow_testing.tools.first_visit_profile import profile_first_visits, profile_table
from implicitflow_testing.tools.soak import main as soak_main

#: The callback pages, each storing the token from the same answer, and the Brython floor.
#: Each sets `window.tokenReady` to ms since the navigation that brought the answer began,
#: across the reload a callback page may do to drop the fragment.
PAGES = {
    "baseline": "/bench/baseline.html",  # ten lines of plain JavaScript
    "floor": "/bench/floor.html",  # brython.js and one line of Python: Brython's least cost
    "toolkit": "/bench/callback.html",  # the toolkit's Python API, as the README shows it
    "toolkit_js": "/bench/callback_js.html",  # the toolkit's JavaScript API
    # The same two, compiled ahead of time under brython_runtime.js (`implicitflow bundle --app`;
    # the JavaScript one with no line of Python).
    "toolkit_fast": "/bench/callback_fast.html",
    "toolkit_js_fast": "/bench/callback_js_fast.html",
}
TOOLKIT_PAGES = ("toolkit", "toolkit_js", "toolkit_fast", "toolkit_js_fast")
#: How the site is served: compressed per request (gzip), or from the NAME.br and NAME.gz files
#: beside each file (Brotli, which the browser asks for first).
SERVINGS = ("plain", "precompressed")
GZIP_SUFFIXES = {".js", ".html", ".css", ".py", ".txt"}
STATE = "5" * 64
FRAGMENT = f"#access_token=2YotnFZFEjr1zCsicMWpAA&state={STATE}&token_type=bearer&expires_in=3600"


class BenchmarkFailed(Exception):
    pass


def spread(values):
    values = sorted(values)
    return {"median": round(statistics.median(values), 1), "min": round(values[0], 1),
            "max": round(values[-1], 1), "runs": len(values)}


def write_pending_login(page, site_url, kind):
    """Go to a tiny same-origin page and leave the pending login its callback will look for."""
    page.goto(site_url + "/bench/setup.html")
    if kind in TOOLKIT_PAGES:
        # The callback page's own provider (pending logins name who started them).
        provider = getresponse("demo-client", site_url + PAGES[kind])
        record = PendingLogin(STATE, provider.identity, time.time()).to_storage_string()
        page.evaluate("([k, v]) => sessionStorage.setItem(k, v)", [PENDING_PREFIX + STATE, record])
    elif kind == "baseline":
        page.evaluate("s => sessionStorage.setItem('baseline.pending.' + s, '1')", STATE)


def wait_for_token_ready(page, watch, timeout=30.0, name="tokenReady"):
    """window.tokenReady (or `name`) of the page's last document, whether the page loads once
    or navigates (a reload, a sign-in's round trip)."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        watch.check()
        try:
            ready = page.evaluate("name => window[name]", name)
        except PlaywrightError:  # the document went away under the evaluation (the reload)
            ready = None
        if ready is not None:
            return ready
        page.wait_for_timeout(10)
    raise TimeoutError(f"window.{name} was not set within {timeout:.0f} s")


def load_callback(page, watch, site_url, kind):
    """(token-ready ms, fragment-scrubbed ms or None), both from the start of the navigation."""
    write_pending_login(page, site_url, kind)
    answer = "" if kind == "floor" else FRAGMENT  # the floor handles no answer
    page.goto(site_url + PAGES[kind] + answer, wait_until="commit")
    ready = wait_for_token_ready(page, watch)
    scrubbed, href = page.evaluate("[window.scrubbedAt, location.href]")
    if ready < 0 or "access_token" in href:
        raise BenchmarkFailed(f"the {kind} callback did not store the token cleanly")
    return ready, scrubbed


def measure_callbacks(browser, site_urls, runs):
    """Every page under every serving, cold (new context) then warm (reloaded in it), in one
    interleaved run: the order of pages turns each round, so none always goes first."""
    samples = {(kind, serving, phase): [] for kind in PAGES for serving in SERVINGS
               for phase in ("cold", "warm", "scrubbed")}
    kinds = list(PAGES)
    for round_number in range(runs):
        turn = round_number % len(kinds)
        for kind in kinds[turn:] + kinds[:turn]:
            for serving in SERVINGS:
                context = browser.new_context()
                page = context.new_page()
                watch = PageWatch(page)
                ready, scrubbed = load_callback(page, watch, site_urls[serving], kind)
                samples[kind, serving, "cold"].append(ready)
                if scrubbed is not None:
                    samples[kind, serving, "scrubbed"].append(scrubbed)
                samples[kind, serving, "warm"].append(
                    load_callback(page, watch, site_urls[serving], kind)[0])
                context.close()
    return {kind: {serving: {phase: spread(values) for phase in ("cold", "warm", "scrubbed")
                             if (values := samples[kind, serving, phase])}
                   for serving in SERVINGS}
            for kind in PAGES}


def measure_first_visits(browser, site_url, runs):
    """Each page loaded in a new context with no answer in the URL (a first visit), served
    pre-compressed: ms from the start of the navigation to the app ready (its handle_redirect
    done; the floor's one line run). Interleaved, the order turning each round."""
    times = {kind: [] for kind in PAGES}
    kinds = list(PAGES)
    for round_number in range(runs):
        turn = round_number % len(kinds)
        for kind in kinds[turn:] + kinds[:turn]:
            context = browser.new_context()
            page = context.new_page()
            watch = PageWatch(page)
            page.goto(site_url + PAGES[kind], wait_until="commit")
            times[kind].append(wait_for_token_ready(page, watch, name="appReady"))
            context.close()
    return {kind: spread(values) for kind, values in times.items()}


def ratios(callbacks):
    """Median ratios of each toolkit page to the floor and to plain JavaScript, and of the floor
    to plain JavaScript, per serving and phase."""
    result = {}
    for serving in SERVINGS:
        for phase in ("cold", "warm"):
            median = {kind: callbacks[kind][serving][phase]["median"] for kind in PAGES}
            for kind in (*TOOLKIT_PAGES, "floor"):
                for reference in ("floor", "baseline"):
                    if kind != reference:
                        result[f"{kind}/{reference} {serving} {phase}"] = ratio(median[kind],
                                                                                median[reference])
    return result


def measure_bytes(browser, site_url, kind="toolkit"):
    """Every file the toolkit's callback page needs (its final document and what that loads):
    its size and the bytes the server sent for it (pre-compressed: Brotli where the build wrote
    NAME.br, else gzip), as the page's own
    Resource Timing entries give them."""
    context = browser.new_context()
    page = context.new_page()
    write_pending_login(page, site_url, kind)
    page.goto(site_url + PAGES[kind] + FRAGMENT, wait_until="commit")
    wait_for_token_ready(page, PageWatch(page))
    entries = page.evaluate("""() => [...performance.getEntriesByType("navigation"),
                                      ...performance.getEntriesByType("resource")]
        .map(e => [e.name, e.decodedBodySize, e.encodedBodySize])""")
    context.close()
    files = [{"file": url.split("#")[0].split("?")[0].rsplit("/", 1)[-1], "raw": raw, "sent": sent}
             for url, raw, sent in entries]
    names = [f["file"] for f in files]
    stdlib = [n for n in names if n == "brython_stdlib.js" or n.endswith(".py")]
    return {"files": files, "raw": sum(f["raw"] for f in files),
            "sent": sum(f["sent"] for f in files), "stdlib_modules_loaded": stdlib}


#: The sign-in pages: each starts a login from a click and sets `window.loginToToken`, ms from
#: the click to the token stored in the page that started it.
LOGIN_PAGES = {
    "redirect": "/bench/login.html",  # flow.login(): this page goes away and comes back
    "popup": "/bench/login_popup.html",  # flow.login_popup(): the token lands in the opener
    "redirect_fast": "/bench/login_fast.html",  # the same, compiled ahead of time
    # ... with redirect_uri a dedicated callback page that hands the answer back to the app page
    "redirect_fast_dedicated": "/bench/login_fast.html",
    "baseline": "/bench/login_baseline.html",  # the same sign-in in plain JavaScript
    # ... and the same again on a page with stock brython.js and one line of Python: the floor
    "floor": "/bench/login_floor.html",
    "hellojs": "/bench/login_hellojs.html",  # hello.js, measured when --hellojs names its file
}
#: The sign-ins each is compared with in the table, besides plain JavaScript.
LOGIN_REFERENCES = ("floor", "hellojs")
DEDICATED_CALLBACK = "/bench/callback_only.html"


def login_once(browser, site_url, mock, kind):
    """(first, repeat): ms from the click to the token, the page loaded once before the click
    (its files cached), then again in the same context (the provider's pages cached too)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(site_url + "/bench/setup.html")
    page.evaluate("u => sessionStorage.setItem('bench.authorize', u)", mock.authorize_url)
    if kind == "redirect_fast_dedicated":
        page.evaluate("u => sessionStorage.setItem('bench.redirect', u)", site_url + DEDICATED_CALLBACK)
    watch = PageWatch(page)
    elapsed = []
    for _ in range(2):
        page.goto(site_url + LOGIN_PAGES[kind])
        wait_for_token_ready(page, watch, name="pythonDone")
        # Playwright evaluates as a user gesture: no popup block. Nothing is returned: what a
        # Python function returns (None is an object to JavaScript, with its whole class tree)
        # would be serialized back to Playwright while the page waits to navigate, which in
        # Firefox held the sign-in up by about 800 ms.
        page.evaluate("() => { window.startLogin() }")
        elapsed.append(wait_for_token_ready(page, watch, name="loginToToken"))
    context.close()
    return elapsed


def measure_login_to_token(browser, site_url, mock, runs, kinds=tuple(LOGIN_PAGES)):
    """Sign-in by redirect and by popup (of each of `kinds`), the mock approving at once,
    interleaved (the order turns each round) so a busy moment of the machine does not fall on
    one of them only."""
    mock.set_auto_approve(True)
    kinds = list(kinds)
    times = {kind: [] for kind in kinds}
    repeats = {kind: [] for kind in kinds}
    for round_number in range(runs):
        turn = round_number % len(kinds)
        for kind in kinds[turn:] + kinds[:turn]:
            first, repeat = login_once(browser, site_url, mock, kind)
            times[kind].append(first)
            repeats[kind].append(repeat)
    return ({kind: spread(values) for kind, values in times.items()},
            {kind: spread(values) for kind, values in repeats.items()})


TOKEN_REQUEST_HEADERS = (
    ("Authorization", "Basic " + base64.b64encode(b"demo-client:demo-secret").decode()),
    ("Content-Type", "application/x-www-form-urlencoded"),
)


async def _token_client(port, count, latencies, errors):
    """One keep-alive connection sending `count` token requests, one after the other."""
    connection = await RawConnection.open(port)
    try:
        for _ in range(count):
            started = time.perf_counter()
            status, _, body = await connection.request("POST", "/v3/token", TOKEN_REQUEST_HEADERS,
                                                       b"grant_type=client_credentials")
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 200 or b'"access_token"' not in body:
                errors.append(status)
    except (OSError, asyncio.IncompleteReadError) as error:
        errors.append(repr(error))
    finally:
        connection.close()


async def _token_load(port, concurrency, requests_each):
    latencies, errors = [], []
    started = time.perf_counter()
    await asyncio.gather(*(_token_client(port, requests_each, latencies, errors)
                           for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"concurrency": concurrency, "requests": concurrency * requests_each,
            "errors": len(errors), "requests_per_second": round(len(latencies) / elapsed),
            "p50_ms": round(latencies[len(latencies) // 2], 2),
            "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2)}


def measure_mock_throughput(total_requests=1600):
    """The token endpoint of a mock running in its own process (as a test suite would use it)."""
    process = subprocess.Popen([sys.executable, "-m", "implicitflow_testing.tools.mock_cli", "--port", "0",
                                "--quiet"], stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)", process.stdout.readline()).group(1))
        return [asyncio.run(_token_load(port, concurrency, max(50, total_requests // concurrency)))
                for concurrency in (1, 8, 32)]
    finally:
        process.terminate()
        process.wait(timeout=10)


def ratio(value, reference):
    return round(value / reference, 2) if reference else None


@contextmanager
def served_both_ways(site, extra=None):
    """The site twice, in temporary folders: without .gz and .br files (the server gzips each
    response) and with a NAME.gz beside every text file (the server sends those as they are):
    the build's own (and its NAME.br), and gzip -9 where a file came without one. `extra`:
    {relative path: file} added to both (hello.js, which the site does not ship)."""
    with tempfile.TemporaryDirectory(prefix="implicitflow-bench-") as scratch:
        plain, precompressed = Path(scratch) / "plain", Path(scratch) / "precompressed"
        shutil.copytree(site, plain, ignore=shutil.ignore_patterns("*.gz", "*.br"))
        shutil.copytree(site, precompressed)
        for relative, source in (extra or {}).items():
            for folder in (plain, precompressed):
                shutil.copyfile(source, folder / relative)
        for path in sorted(precompressed.rglob("*")):
            packed = Path(str(path) + ".gz")
            if path.suffix in GZIP_SUFFIXES and path.stat().st_size >= 512 and not packed.exists():
                packed.write_bytes(gzip.compress(path.read_bytes(), 9, mtime=0))
        with ServerThread(server_app(plain, api_path=None)) as plain_site, \
                ServerThread(server_app(precompressed, api_path=None)) as precompressed_site:
            yield {"plain": plain_site.url, "precompressed": precompressed_site.url}


def run(runs, dist=None, browser_name="chromium", hellojs=None):
    from playwright.sync_api import sync_playwright

    results = {"runs": runs, "browser": browser_name}
    extra = {"bench/hello.js": hellojs} if hellojs else {}
    logins_measured = [kind for kind in LOGIN_PAGES if kind != "hellojs" or hellojs]
    with site_folder(dist) as site, served_both_ways(site, extra) as site_urls, \
            run_mock_server() as mock, sync_playwright() as playwright:
        if not (site / "bench" / "callback.html").exists():
            raise BenchmarkFailed(f"{site} has no benchmark pages (bench/callback.html)")
        browser = getattr(playwright, browser_name).launch(**launch_args(browser_name))
        results["browser_version"] = browser.version
        try:
            results["first_visit"] = measure_first_visits(browser, site_urls["precompressed"], runs)
            callbacks = measure_callbacks(browser, site_urls, runs)
            results["callback"] = callbacks
            results["ratios"] = ratios(callbacks)
            results["bytes"] = measure_bytes(browser, site_urls["precompressed"])
            results["bytes_fast"] = measure_bytes(browser, site_urls["precompressed"], "toolkit_fast")
            logins, repeats = measure_login_to_token(browser, site_urls["precompressed"], mock, runs,
                                                     logins_measured)
            results["login_to_token"] = logins["redirect"]
            results["popup_login_to_token"] = logins["popup"]
            results["sign_in"] = logins
            results["repeat_sign_in"] = repeats
        finally:
            browser.close()
    results["mock_token_endpoint"] = measure_mock_throughput()
    return results


def profile(runs, dist, kinds):
    """First visits of the `kinds` pages under Chromium's profiler (tools/first_visit_profile)."""
    from playwright.sync_api import sync_playwright

    with site_folder(dist) as site, served_both_ways(site) as site_urls, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_args("chromium"))
        try:
            return profile_first_visits(
                browser, site_urls["precompressed"], {kind: PAGES[kind] for kind in kinds}, runs,
                lambda page: wait_for_token_ready(page, PageWatch(page), name="appReady"))
        finally:
            browser.close()


def table(results):
    callback, lines = results["callback"], []
    if "browser" in results:
        lines.append(f"Browser: {results['browser']} {results.get('browser_version', '')}".rstrip())
    first, floor = results["first_visit"], results["first_visit"]["floor"]["median"]
    lines.append("First visit, no answer in the URL (new context, pre-compressed): ms to the app "
                 f"ready, median [min-max] of {results['runs']}; ratio to the floor")
    for kind in PAGES:
        t = first[kind]
        lines.append(f"  {kind:<16} {t['median']:>7.1f} [{t['min']:.0f}-{t['max']:.0f}]"
                     f"   {ratio(t['median'], floor)}x")
    lines.append("Callback token-ready, ms from the start of the navigation that brought the answer"
                 f" (median [min-max] of {results['runs']}, interleaved, a new context each)")
    lines.append(f"  {'page':<11} {'serving':<14}{'cold':>24}{'warm':>24}")
    for kind in PAGES:
        for serving in SERVINGS:
            cells = [f"{t['median']:>7.1f} [{t['min']:.0f}-{t['max']:.0f}]"
                     for t in (callback[kind][serving]["cold"], callback[kind][serving]["warm"])]
            lines.append(f"  {kind:<11} {serving:<14}{cells[0]:>24}{cells[1]:>24}")
    lines.append("Ratios of medians (cold / warm):")
    for kind in (*TOOLKIT_PAGES, "floor"):
        for reference in ("floor", "baseline"):
            if kind == reference:
                continue
            cells = ["  ".join(f"{results['ratios'][f'{kind}/{reference} {serving} {phase}']:>5}x"
                               for phase in ("cold", "warm")) for serving in SERVINGS]
            lines.append(f"  {kind + ' / ' + reference:<22} plain {cells[0]}   precompressed {cells[1]}")
    scrub = {kind: callback[kind]["precompressed"]["scrubbed"]["median"]
             for kind in PAGES if "scrubbed" in callback[kind]["precompressed"]}
    lines.append("Fragment gone from the address bar (cold, precompressed), ms: "
                 + "   ".join(f"{kind} {value}" for kind, value in scrub.items()))
    for key, label in (("bytes", "callback page"), ("bytes_fast", "compiled callback page (--app)")):
        size = results[key]
        lines.append(f"Bytes loaded by the {label}: {size['raw']:,}, sent as {size['sent']:,}"
                     " (pre-compressed: Brotli, else gzip)")
        for entry in size["files"]:
            lines.append(f"  {entry['file']:<28} {entry['raw']:>10,} B {entry['sent']:>9,} B sent")
        lines.append("  standard-library modules loaded: "
                     + (", ".join(size["stdlib_modules_loaded"]) or "none"))
    signs, repeats = results["sign_in"], results["repeat_sign_in"]
    references = ("baseline", *(kind for kind in LOGIN_REFERENCES if kind in signs))
    lines.append("Sign-in, ms from the click to the token stored (auto-approve; the page loaded once "
                 "before), then a repeat in the same context; ratios of medians to "
                 + ", ".join(references) + ("" if "hellojs" in signs else
                                            " (hello.js not measured: give --hellojs FILE)") + ":")
    for kind in signs:
        t, r = signs[kind], repeats[kind]
        first = "  ".join(f"{ratio(t['median'], signs[name]['median'])}x" for name in references)
        again = "  ".join(f"{ratio(r['median'], repeats[name]['median'])}x" for name in references)
        lines.append(f"  {kind:<24} {t['median']:>7.1f} [{t['min']:.0f}-{t['max']:.0f}]  {first}"
                     f"   repeat {r['median']:>7.1f} [{r['min']:.0f}-{r['max']:.0f}]  {again}")
    lines.append("Mock token endpoint (client_credentials):")
    for load in results["mock_token_endpoint"]:
        lines.append(f"  {load['concurrency']:>2} clients: {load['requests_per_second']:>5} req/s"
                     f"  p50 {load['p50_ms']:>6} ms  p99 {load['p99_ms']:>6} ms"
                     f"  errors {load['errors']} of {load['requests']}")
    return "\n".join(lines)


def positive_int(text):
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number of seconds, at least 1: {text!r}")
    return int(text)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m implicitflow_testing.tools.bench",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (default 7)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--dist", metavar="DIR", type=Path,
                        help="measure this build (e.g. web/dist after `python build.py`) instead "
                             "of the installed pages and bundle")
    parser.add_argument("--browser", choices=("chromium", "firefox", "webkit"), default="chromium",
                        help="the engine to measure in (default chromium; firefox: Playwright's "
                             "or a stock firefox-esr; webkit: Playwright's)")
    parser.add_argument("--hellojs", metavar="FILE", type=Path,
                        help="also measure the sign-in with this hello.js (dist/hello.js of the npm "
                             "package hellojs)")
    parser.add_argument("--profile", metavar="PAGES",
                        help="instead, profile first visits of these pages (comma-separated, of: "
                             + ", ".join(PAGES) + ") in Chromium: self time by script and "
                             "function")
    parser.add_argument("--soak", type=positive_int, metavar="SECONDS",
                        help="instead, soak an implicitflow-mock for SECONDS: token requests at full "
                             "speed with implicit sign-ins and API calls, per-minute figures and RSS")
    parser.add_argument("--through-serve", action="store_true",
                        help="with --soak: put `implicitflow serve` in front as the API proxy and "
                             "send API calls through it at full speed")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.hellojs and not args.hellojs.is_file():
        parser.error(f"--hellojs {args.hellojs}: no such file")
    if args.soak:
        return soak_main(args.soak, args.json, through_serve=args.through_serve)
    if args.profile is not None:
        unknown = sorted(set(args.profile.split(",")) - set(PAGES))
        if unknown:
            parser.error(f"--profile: no such page: {', '.join(unknown)} (pages: {', '.join(PAGES)})")
        if args.browser != "chromium":
            parser.error("--profile needs Chromium's DevTools Protocol: drop --browser")
    try:
        if args.profile is not None:
            results = profile(max(1, args.runs), args.dist, args.profile.split(","))
            print(profile_table(results, max(1, args.runs)))
            if args.json:
                Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
            return 0
        results = run(max(1, args.runs), args.dist, args.browser, args.hellojs)
    except (BenchmarkFailed, SiteNotFound, PythonErrorInPage, TimeoutError, BrowserNotFound,
            ChromiumNotFound) as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    print(table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
