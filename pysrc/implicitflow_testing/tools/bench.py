"""The benchmark: the toolkit against a plain-JavaScript baseline, measured in the same run.

    python -m implicitflow_testing.tools.bench [--runs 7] [--json bench-results.json]

Everything runs on 127.0.0.1 in headless Chromium. It prints a table and writes the
same figures as JSON; it exits non-zero only when something fails to run.
"""

import argparse
import asyncio
import base64
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from implicitflow.pending_login import PENDING_PREFIX, PendingLogin
from implicitflow.providers import getresponse
from implicitflow_testing.harness._chromium import chromium_launch_args
from implicitflow_testing.harness._page_watch import PageWatch, PythonErrorInPage
from implicitflow_testing.harness._server_thread import ServerThread
from implicitflow_testing.harness._static_site import static_app
from implicitflow_testing.mock._server import run_mock_server
from implicitflow_testing.tools._raw_http import RawConnection

#: A source checkout's build, used when --dist is not given.
DIST = Path(__file__).resolve().parents[3] / "web" / "dist"
STATE = "5" * 64
FRAGMENT = f"#access_token=2YotnFZFEjr1zCsicMWpAA&state={STATE}&token_type=bearer&expires_in=3600"
PAGES = {"toolkit": "/bench/callback.html", "baseline": "/bench/baseline.html"}


class BenchmarkFailed(Exception):
    pass


def spread(values):
    values = sorted(values)
    return {"median": round(statistics.median(values), 1), "min": round(values[0], 1),
            "max": round(values[-1], 1), "runs": len(values)}


def write_pending_login(page, site_url, kind):
    """Go to a tiny same-origin page and leave the pending login its callback will look for."""
    page.goto(site_url + "/bench/setup.html")
    if kind == "toolkit":
        # The callback page's own provider (pending logins name who started them).
        provider = getresponse("demo-client", site_url + PAGES["toolkit"])
        record = PendingLogin(STATE, provider.identity, time.time()).to_storage_string()
        page.evaluate("([k, v]) => sessionStorage.setItem(k, v)", [PENDING_PREFIX + STATE, record])
    else:
        page.evaluate("s => sessionStorage.setItem('baseline.pending.' + s, '1')", STATE)


def load_callback(page, site_url, kind):
    """(token-ready ms, fragment-scrubbed ms), both from navigation start."""
    write_pending_login(page, site_url, kind)
    watch = PageWatch(page)
    page.goto(site_url + PAGES[kind] + FRAGMENT)
    watch.wait_for_flag("tokenReady", timeout=30000)
    ready, scrubbed, href = page.evaluate("[window.tokenReady, window.scrubbedAt, location.href]")
    if ready < 0 or "access_token" in href:
        raise BenchmarkFailed(f"the {kind} callback did not store the token cleanly")
    return ready, scrubbed


def measure_callbacks(browser, site_url, runs):
    results = {}
    for kind in PAGES:
        cold, warm, scrubbed = [], [], []
        for _ in range(runs):
            context = browser.new_context()
            ready, scrub = load_callback(context.new_page(), site_url, kind)
            cold.append(ready)
            scrubbed.append(scrub)
            context.close()
        context = browser.new_context()
        page = context.new_page()
        load_callback(page, site_url, kind)  # fills the HTTP cache (and Brython's indexedDB cache)
        for _ in range(runs):
            warm.append(load_callback(page, site_url, kind)[0])
        context.close()
        results[kind] = {"cold": spread(cold), "warm": spread(warm), "scrubbed_cold": spread(scrubbed)}
    return results


def measure_bytes(browser, site_url):
    """Every file the toolkit's callback page loads, raw and gzip."""
    context = browser.new_context()
    page = context.new_page()
    write_pending_login(page, site_url, "toolkit")
    loaded = []
    page.on("requestfinished", lambda request: loaded.append(request))
    page.goto(site_url + PAGES["toolkit"] + FRAGMENT)
    page.wait_for_function("window.tokenReady !== undefined", timeout=30000)
    files = []
    for request in loaded:
        response = request.response()
        if response is None or not response.ok:
            continue
        body = response.body()
        files.append({"file": request.url.split("?")[0].split("#")[0].rsplit("/", 1)[-1],
                      "raw": len(body), "gzip": len(gzip.compress(body, 9, mtime=0))})
    context.close()
    names = [f["file"] for f in files]
    stdlib = [n for n in names if n == "brython_stdlib.js" or n.endswith(".py")]
    return {"files": files, "raw": sum(f["raw"] for f in files),
            "gzip": sum(f["gzip"] for f in files), "stdlib_modules_loaded": stdlib}


def measure_login_to_token(browser, site_url, mock, runs):
    mock.set_auto_approve(True)
    times = []
    for _ in range(runs):
        context = browser.new_context()
        page = context.new_page()
        page.goto(site_url + "/bench/setup.html")
        page.evaluate("u => sessionStorage.setItem('bench.authorize', u)", mock.authorize_url)
        watch = PageWatch(page)
        page.goto(site_url + "/bench/login.html")
        watch.wait_for_flag("pythonDone", timeout=30000)
        page.evaluate("window.startLogin()")
        times.append(watch.wait_for_flag("loginToToken", timeout=30000))
        context.close()
    return spread(times)


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


def ratio(toolkit, baseline):
    return round(toolkit / baseline, 2) if baseline else None


def run(runs, dist=DIST):
    from playwright.sync_api import sync_playwright

    if not (dist / "bench" / "callback.html").exists():
        raise BenchmarkFailed(f"no built site at {dist}: run `python build.py` first")
    results = {"runs": runs}
    with run_mock_server() as mock, ServerThread(static_app(dist)) as site, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(**chromium_launch_args())
        try:
            callbacks = measure_callbacks(browser, site.url, runs)
            results["callback"] = callbacks
            results["ratios"] = {
                phase: ratio(callbacks["toolkit"][phase]["median"], callbacks["baseline"][phase]["median"])
                for phase in ("cold", "warm")}
            results["bytes"] = measure_bytes(browser, site.url)
            results["login_to_token"] = measure_login_to_token(browser, site.url, mock, runs)
        finally:
            browser.close()
    results["mock_token_endpoint"] = measure_mock_throughput()
    return results


def table(results):
    callback, lines = results["callback"], []
    lines.append(f"Callback token-ready, ms from navigation start (median [min-max] of {results['runs']})")
    for phase in ("cold", "warm"):
        t, b = callback["toolkit"][phase], callback["baseline"][phase]
        lines.append(f"  {phase:<5} toolkit {t['median']:>7.1f} [{t['min']:.1f}-{t['max']:.1f}]"
                     f"   baseline {b['median']:>6.1f} [{b['min']:.1f}-{b['max']:.1f}]"
                     f"   ratio {results['ratios'][phase]}x")
    scrub_t, scrub_b = callback["toolkit"]["scrubbed_cold"], callback["baseline"]["scrubbed_cold"]
    lines.append(f"Fragment scrubbed (cold), ms: toolkit {scrub_t['median']}   baseline {scrub_b['median']}"
                 f"   (toolkit token-ready {callback['toolkit']['cold']['median']})")
    size = results["bytes"]
    lines.append(f"Bytes loaded by the callback page: {size['raw']:,} raw, {size['gzip']:,} gzip")
    for entry in size["files"]:
        lines.append(f"  {entry['file']:<28} {entry['raw']:>10,} B {entry['gzip']:>9,} B gzip")
    lines.append("  standard-library modules loaded: "
                 + (", ".join(size["stdlib_modules_loaded"]) or "none"))
    login = results["login_to_token"]
    lines.append(f"Login to token (auto-approve), ms: median {login['median']}"
                 f" [{login['min']}-{login['max']}]")
    lines.append("Mock token endpoint (client_credentials):")
    for load in results["mock_token_endpoint"]:
        lines.append(f"  {load['concurrency']:>2} clients: {load['requests_per_second']:>5} req/s"
                     f"  p50 {load['p50_ms']:>6} ms  p99 {load['p99_ms']:>6} ms"
                     f"  errors {load['errors']} of {load['requests']}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m implicitflow_testing.tools.bench",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (default 7)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--dist", metavar="DIR", type=Path, default=DIST,
                        help="the built site to measure (default: this checkout's web/dist)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        results = run(max(1, args.runs), args.dist)
    except (BenchmarkFailed, PythonErrorInPage, TimeoutError) as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    print(table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
