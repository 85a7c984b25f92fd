"""The mock under sustained load, as one mock serving a CI fleet for hours sees it.

    python -m implicitflow_testing.tools.bench --soak SECONDS [--through-serve] [--json F]

An `implicitflow-mock` runs in a process of its own (so the RSS read from /proc/PID/status is the
mock's alone) and gets, for SECONDS:
  - client_credentials token requests (HTTP Basic demo-client) at full speed over 32 keep-alive
    connections, each sending its next request as soon as the last is answered;
  - a steady trickle of implicit sign-ins, two a second, as a browser makes them: the authorize
    page, the consent form posted with Allow, the token from the redirect's fragment (its state
    checked), then an API call with it;
  - ten API calls a second with the newest sign-in's token.
Per minute (per 10 s when SECONDS is under 120) it prints the token requests, their rate, p50 and
p99 latency, errors of any kind, sign-ins and API calls that worked, the mock's RSS, how much of a
core the mock and the load generator each used (the one near 100% is the limit) and the mock's CPU
time per request (steady when no request pays for what the mock holds, however busy the machine).
At the end: RSS at start and end, one more sign-in, which must still work, and the soak's targets.
Exits 1 when a request failed or that last sign-in did not work.

With --through-serve, `implicitflow serve` (its own process too) stands in front of the mock as
an app's API proxy, and what comes at full speed is API calls through it, `GET
/api/getresponse/accounts` with the newest sign-in's token; the trickle's API calls go through
it as well, and sign-ins go to the mock, as a browser makes them. Each answer must be the
mock's 200 passed on whole. The account's quota (30,000 calls per 10 minutes, as GetResponse's)
would turn the flood into 429s within seconds, so the soak moves the mock's clock (`POST
/_mock/clock`) ten minutes on every 20,000 calls, which also makes the mock let go of its
expired tokens as it would over hours. The proxy's RSS and CPU are printed beside the mock's.
"""

import asyncio
import contextlib
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from implicitflow_testing.mock._getresponse_api import RATE_WINDOW_SECONDS
from implicitflow_testing.tools._raw_http import RawConnection
from implicitflow_testing.tools.proxy_bench import BenchmarkFailed, server_process

CONNECTIONS = 32
SIGN_INS_PER_SECOND = 2
API_CALLS_PER_SECOND = 10
REDIRECT_URI = "http://127.0.0.1:8000/callback"
API_PATH = "/api/getresponse"
#: Calls after which the mock's clock moves on a quota window, with room for the calls in flight.
CALLS_PER_QUOTA_WINDOW = 20_000
TOKEN_REQUEST = (b"POST /v3/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Authorization: Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=\r\n"  # demo-client:demo-secret
                 b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 29\r\n\r\n"
                 b"grant_type=client_credentials")
FORM = (("Content-Type", "application/x-www-form-urlencoded"),)
_CONTENT_LENGTH = re.compile(rb"(?i)\r\ncontent-length: *(\d+)")
#: The soak's targets (issue 24): RSS at the end, p99 growth from the first interval to the last.
RSS_TARGET_MB = 150
P99_GROWTH_TARGET = 2.0


class SoakFailed(Exception):
    pass


class Meter:
    """What one kind of request did in the current interval: latencies in ms, and failures;
    and how many were answered since the start."""

    def __init__(self):
        self.latencies, self.errors, self.last_error = [], 0, None
        self.answered = 0

    def fail(self, what):
        self.errors += 1
        self.last_error = what

    def take(self):
        """This interval's (latencies, errors); the next interval starts empty."""
        taken = self.latencies, self.errors
        self.latencies, self.errors = [], 0
        return taken


class Flood(asyncio.Protocol):
    """One keep-alive connection sending requests back to back, on callbacks alone (no
    coroutine per request), so the generator spends little next to the server. `request()`
    gives the next request's bytes; an answer is good when its status is 200 and its body
    holds `expected`."""

    def __init__(self, meter, stopping, done, request, expected):
        self.meter, self.stopping, self.done = meter, stopping, done
        self.request, self.expected = request, expected
        self.buffer = bytearray()
        self.sent_at = 0.0
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        self.send()

    def send(self):
        if self.stopping.is_set():
            self.transport.close()
            return
        self.sent_at = time.perf_counter()
        self.transport.write(self.request())

    def data_received(self, data):
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        length = _CONTENT_LENGTH.search(self.buffer, 0, end + 2)
        total = end + 4 + (int(length.group(1)) if length else 0)
        if len(self.buffer) < total:
            return
        self.meter.latencies.append((time.perf_counter() - self.sent_at) * 1000)
        self.meter.answered += 1
        status = self.buffer[9:12]
        if status != b"200" or self.expected not in self.buffer[end:total]:
            self.meter.fail(f"answered {status.decode('latin-1')}: "
                            f"{bytes(self.buffer[end + 4:total][:200])!r}")
        del self.buffer[:total]
        if self.buffer:  # one request in flight at a time: anything more is not HTTP we sent
            self.meter.fail("bytes after an answer")
            self.buffer.clear()
        self.send()

    def connection_lost(self, exc):
        if not self.stopping.is_set():
            self.meter.fail(f"connection lost: {exc!r}")
        if not self.done.done():
            self.done.set_result(None)


@dataclass
class Servers:
    """What is soaked: sign-ins go to the mock; API calls to `api_port`, below `api_prefix` (the
    mock's own "/v3", or the proxy's API path when `implicitflow serve` stands in front)."""

    mock_pid: int
    mock_port: int
    api_port: int
    api_prefix: str = "/v3"
    proxy_pid: int | None = None

    def api_request(self, token):
        """The flood's request through the proxy: the account, with `token`."""
        return (f"GET {self.api_prefix}/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {token}\r\n\r\n").encode()


async def sign_in(connection, api_connection, api_prefix):
    """An implicit sign-in as a browser makes it, and an API call with its token; the token."""
    state = secrets.token_hex(16)
    query = urlencode({"response_type": "token", "client_id": "demo-client",
                       "redirect_uri": REDIRECT_URI, "state": state})
    status, _, page = await connection.request("GET", "/oauth2_authorize.html?" + query)
    if status != 200 or b'name="decision"' not in page:
        raise SoakFailed(f"the authorize page answered {status} without the consent form")
    # The consent form posts its hidden fields and the decision, to the path without a query.
    status, location, _ = await connection.request(
        "POST", "/oauth2_authorize.html", FORM, (query + "&decision=allow").encode())
    fragment = dict(parse_qsl(urlsplit(location or "").fragment))
    if status != 302 or fragment.get("state") != state or "access_token" not in fragment:
        raise SoakFailed(f"the consent answered {status} without a token and its state")
    token = fragment["access_token"]
    await api_call(api_connection, token, f"{api_prefix}/accounts")
    return token


async def api_call(connection, token, path):
    status, _, body = await connection.request("GET", path, (("Authorization", f"Bearer {token}"),))
    if status != 200:
        raise SoakFailed(f"GET {path} with the token answered {status}: {body[:200]!r}")


async def paced(per_second, stopping, step):
    """Run `step()` `per_second` times a second on a fixed schedule until `stopping` is set."""
    period, next_at = 1 / per_second, time.perf_counter()
    while not stopping.is_set():
        await step()
        next_at = max(next_at + period, time.perf_counter())
        await asyncio.sleep(next_at - time.perf_counter())


async def trickle(servers, newest, stopping, sign_ins, api_calls):
    """Sign-ins and API calls at their steady rates, each kind on keep-alive connections; each
    sign-in's token becomes `newest["token"]`."""
    ports = {"sign-in": servers.mock_port, "sign-in API": servers.api_port, "api": servers.api_port}
    connections = {kind: await RawConnection.open(port) for kind, port in ports.items()}
    paths = [f"{servers.api_prefix}/accounts", f"{servers.api_prefix}/from-fields"]

    async def one(kinds, meter, action):
        started = time.perf_counter()
        try:
            await action()
        except (SoakFailed, OSError, asyncio.IncompleteReadError) as error:
            meter.fail(str(error) or repr(error))
            for kind in kinds:
                connections[kind].close()
                connections[kind] = await RawConnection.open(ports[kind])
        else:
            meter.latencies.append((time.perf_counter() - started) * 1000)

    async def sign_in_step():
        async def action():
            newest["token"] = await sign_in(connections["sign-in"], connections["sign-in API"],
                                            servers.api_prefix)
        await one(("sign-in", "sign-in API"), sign_ins, action)

    async def api_step():
        paths.reverse()
        await one(("api",), api_calls,
                  lambda: api_call(connections["api"], newest["token"], paths[0]))

    try:
        await asyncio.gather(paced(SIGN_INS_PER_SECOND, stopping, sign_in_step),
                             paced(API_CALLS_PER_SECOND, stopping, api_step))
    finally:
        for connection in connections.values():
            connection.close()


async def keep_quota(servers, flood, stopping):
    """Moves the mock's clock on a quota window every CALLS_PER_QUOTA_WINDOW flood calls."""
    moved_at = 0
    while not stopping.is_set():
        if flood.answered - moved_at >= CALLS_PER_QUOTA_WINDOW:
            moved_at = flood.answered
            # A connection of its own each time: the mock closes one left idle for 10 s.
            connection = await RawConnection.open(servers.mock_port)
            try:
                status, _, body = await connection.request(
                    "POST", "/_mock/clock", (("Content-Type", "application/json"),),
                    json.dumps({"advance": RATE_WINDOW_SECONDS}).encode())
            finally:
                connection.close()
            if status != 200:
                raise SoakFailed(f"POST /_mock/clock answered {status}: {body[:200]!r}")
        await asyncio.sleep(0.1)


def rss_mb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    raise SoakFailed(f"/proc/{pid}/status has no {field}")


def cpu_seconds(pid):
    """User and system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(ordered, fraction):
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * fraction))], 2) if ordered else None


def process_figures(pid, cpu_before, cpu_after, seconds, answered):
    """A server process's RSS, share of a core, and CPU time per request it answered."""
    used = cpu_after - cpu_before
    return {"rss_mb": rss_mb(pid), "cpu_percent": round(100 * used / seconds),
            # What it spent on each request, whatever share of a core it was given.
            "cpu_us_per_request": round(1e6 * used / answered) if answered else None}


class Intervals:
    """The figures of each interval, from the meters and from /proc."""

    def __init__(self, servers, meters):
        self.servers, self.meters, self.rows = servers, meters, []
        self.started = self.last = time.perf_counter()
        self.cpu = self._cpu()

    def _cpu(self):
        proxy = self.servers.proxy_pid
        return (cpu_seconds(self.servers.mock_pid), time.process_time(),
                cpu_seconds(proxy) if proxy else 0.0)

    def close(self):
        now = time.perf_counter()
        (flood, flood_errors), (signed, sign_in_errors), (calls, api_errors) = (
            meter.take() for meter in self.meters)
        cpu = self._cpu()
        seconds = now - self.last
        flood.sort()
        # Every request the mock answered: a sign-in is three (page, consent, API call). Through
        # the proxy, the flood, the sign-ins' API calls and the trickle's are the proxy's too.
        api = len(flood) + flood_errors + len(signed) + sign_in_errors + len(calls) + api_errors
        answered = api + 2 * (len(signed) + sign_in_errors)
        mock = process_figures(self.servers.mock_pid, self.cpu[0], cpu[0], seconds, answered)
        row = {"end_s": round(now - self.started), "seconds": round(seconds, 2),
               "requests": len(flood), "requests_per_second": round(len(flood) / seconds),
               "p50_ms": percentile(flood, 0.5), "p99_ms": percentile(flood, 0.99),
               "errors": flood_errors + sign_in_errors + api_errors, "token_errors": flood_errors,
               "sign_ins": len(signed), "sign_in_errors": sign_in_errors,
               "sign_in_p99_ms": percentile(sorted(signed), 0.99),
               "api_calls": len(calls), "api_errors": api_errors,
               "rss_mb": mock["rss_mb"], "mock_cpu_percent": mock["cpu_percent"],
               "load_cpu_percent": round(100 * (cpu[1] - self.cpu[1]) / seconds),
               "mock_cpu_us_per_request": mock["cpu_us_per_request"]}
        if self.servers.proxy_pid:
            proxy = process_figures(self.servers.proxy_pid, self.cpu[2], cpu[2], seconds, api)
            row.update({f"proxy_{name}": value for name, value in proxy.items()})
        self.last, self.cpu = now, cpu
        self.rows.append(row)
        return row


async def soak(servers, seconds, interval, connections, progress):
    stopping = asyncio.Event()
    meters = (Meter(), Meter(), Meter())
    loop = asyncio.get_running_loop()
    newest = {"token": await sign_in_once(servers)}
    if servers.proxy_pid:
        request, expected = lambda: servers.api_request(newest["token"]), b'"accountId"'
    else:
        request, expected = lambda: TOKEN_REQUEST, b'"access_token"'
    floods = []
    for _ in range(connections):
        done = loop.create_future()
        await loop.create_connection(
            lambda d=done: Flood(meters[0], stopping, d, request, expected), "127.0.0.1",
            servers.api_port if servers.proxy_pid else servers.mock_port)
        floods.append(done)
    trickling = [asyncio.ensure_future(trickle(servers, newest, stopping, meters[1], meters[2]))]
    if servers.proxy_pid:
        trickling.append(asyncio.ensure_future(keep_quota(servers, meters[0], stopping)))
    intervals = Intervals(servers, meters)
    deadline = intervals.started + seconds
    try:
        while (left := deadline - time.perf_counter()) > 0.5:
            await asyncio.wait(trickling, timeout=min(interval, left))
            for task in trickling:
                if task.done():
                    task.result()  # a first sign-in or the mock's clock failed: raise that
            progress(intervals.close())
    finally:
        stopping.set()
        await asyncio.wait_for(asyncio.gather(*floods, *trickling, return_exceptions=True), 30)
    return intervals.rows, [meter.last_error for meter in meters if meter.last_error]


def start_mock(mock_args=()):
    """`implicitflow-mock` in its own process: (process, port)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "implicitflow_testing.tools.mock_cli", "--port", "0", "--quiet",
         *mock_args], stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    found = re.search(r"http://127\.0\.0\.1:(\d+)", process.stdout.readline())
    if found is None:
        process.kill()
        raise SoakFailed("implicitflow-mock did not print its URL")
    return process, int(found.group(1))


@contextlib.contextmanager
def proxy_in_front(mock_port):
    """`implicitflow serve` in its own process, proxying API_PATH to the mock: (port, pid).
    Its log lines go to a file, as a deployed server's do."""
    with tempfile.TemporaryDirectory(prefix="soak-serve-") as scratch:
        folder = Path(scratch, "app")
        folder.mkdir()
        (folder / "index.html").write_text("<p>app</p>")
        with open(Path(scratch, "serve.log"), "wb") as log, server_process(
                ["-c", "import sys; from implicitflow_bundle._cli import main; sys.exit(main())",
                 "serve", str(folder), "--api-path", API_PATH,
                 "--mock", f"http://127.0.0.1:{mock_port}", "--port", "{port}"], output=log) as served:
            yield served


async def sign_in_once(servers):
    connection = await RawConnection.open(servers.mock_port)
    api = await RawConnection.open(servers.api_port)
    try:
        return await sign_in(connection, api, servers.api_prefix)
    finally:
        connection.close()
        api.close()


def run_loop(coroutine):
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def run_soak(seconds, interval=None, connections=CONNECTIONS, mock_args=(), progress=None,
             through_serve=False):
    """Soak a new mock (behind `implicitflow serve` with `through_serve`) for `seconds`; the
    figures as a dict (see `soak_summary`)."""
    interval = interval or (60 if seconds >= 120 else 10)
    process, port = start_mock(mock_args)
    with contextlib.ExitStack() as stack:
        stack.callback(process.wait, timeout=10)
        stack.callback(process.terminate)
        servers = Servers(process.pid, port, port)
        if through_serve:
            proxy_port, proxy_pid = stack.enter_context(proxy_in_front(port))
            servers = Servers(process.pid, port, proxy_port, API_PATH, proxy_pid)
        run_loop(sign_in_once(servers))  # it works, and has served what the soak asks of it
        rss_start = {"mock": rss_mb(process.pid)}
        if through_serve:
            rss_start["proxy"] = rss_mb(servers.proxy_pid)
        load_start = os.getloadavg()
        rows, last_errors = run_loop(soak(servers, seconds, interval, connections,
                                          progress or (lambda row: None)))
        try:
            run_loop(sign_in_once(servers))
            sign_in_at_end = "works"
        except (SoakFailed, OSError, asyncio.IncompleteReadError) as error:
            sign_in_at_end = f"failed: {error}"
        results = {
            "seconds": seconds, "interval_s": interval, "connections": connections,
            "mock_args": list(mock_args), "through_serve": through_serve,
            "cores": os.cpu_count(),
            "load_average_start": [round(x, 2) for x in load_start],
            "load_average_end": [round(x, 2) for x in os.getloadavg()],
            "rss_start_mb": rss_start["mock"], "rss_end_mb": rss_mb(process.pid),
            "rss_peak_mb": rss_mb(process.pid, "VmHWM"), "intervals": rows,
            "sign_in_at_end": sign_in_at_end, "last_errors": last_errors,
        }
        if through_serve:
            results.update({"proxy_rss_start_mb": rss_start["proxy"],
                            "proxy_rss_end_mb": rss_mb(servers.proxy_pid),
                            "proxy_rss_peak_mb": rss_mb(servers.proxy_pid, "VmHWM")})
    results.update(soak_summary(results))
    return results


def soak_summary(results):
    """Totals and the targets, from the intervals."""
    rows = results["intervals"]
    requests = sum(row["requests"] for row in rows)
    seconds = sum(row["seconds"] for row in rows)
    first, last = rows[0], rows[-1]
    growth = round(last["p99_ms"] / first["p99_ms"], 2) if first["p99_ms"] and last["p99_ms"] else None
    errors = sum(row["errors"] for row in rows)
    targets = {f"mock RSS at the end <= {RSS_TARGET_MB} MB": results["rss_end_mb"] <= RSS_TARGET_MB}
    if results["through_serve"]:
        targets[f"proxy RSS at the end <= {RSS_TARGET_MB} MB"] = \
            results["proxy_rss_end_mb"] <= RSS_TARGET_MB
    return {
        "requests": requests, "requests_per_second": round(requests / seconds) if seconds else 0,
        "errors": errors, "sign_ins": sum(row["sign_ins"] for row in rows),
        "api_calls": sum(row["api_calls"] for row in rows), "p99_growth": growth,
        "targets": {
            **targets,
            f"p99 of the last interval <= {P99_GROWTH_TARGET:g}x the first's":
                growth is not None and growth <= P99_GROWTH_TARGET,
            "0 errors": errors == 0,
            "implicit sign-in works at the end": results["sign_in_at_end"] == "works",
        },
    }


def soak_header(through_serve):
    proxy = f" {'proxy MB':>8} {'proxy CPU':>9} {'µs/req':>6}" if through_serve else ""
    return (f"  {'until':>6} {'requests':>9} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}"
            f" {'sign-ins':>8} {'API calls':>9} {'mock MB':>7} {'mock CPU':>8} {'µs/req':>6}"
            f"{proxy} {'load CPU':>8}")


def soak_row(row):
    proxy = (f" {row['proxy_rss_mb']:>8.1f} {row['proxy_cpu_percent']:>8}%"
             f" {row['proxy_cpu_us_per_request'] or 0:>6}") if "proxy_rss_mb" in row else ""
    return (f"  {row['end_s']:>5}s {row['requests']:>9,} {row['requests_per_second']:>6,}"
            f" {row['p50_ms'] or 0:>7.2f} {row['p99_ms'] or 0:>7.2f} {row['errors']:>6}"
            f" {row['sign_ins']:>8} {row['api_calls']:>9} {row['rss_mb']:>7.1f}"
            f" {row['mock_cpu_percent']:>7}% {row['mock_cpu_us_per_request'] or 0:>6}{proxy}"
            f" {row['load_cpu_percent']:>7}%")


def soak_title(seconds, interval, connections, through_serve):
    flood = (f"API calls through implicitflow serve's proxy ({API_PATH}/accounts)"
             if through_serve else "client_credentials token requests")
    return (f"Soak of implicitflow-mock, {seconds} s: {flood} at full speed over "
            f"{connections} connections, {SIGN_INS_PER_SECOND} implicit sign-ins and "
            f"{API_CALLS_PER_SECOND} API calls a second; per {interval} s:")


def soak_footer(results):
    load = results["load_average_start"], results["load_average_end"]
    flood = "API calls through the proxy" if results["through_serve"] else "Token requests"
    lines = [
        f"{flood}: {results['requests']:,} at {results['requests_per_second']:,} req/s;"
        f" sign-ins {results['sign_ins']:,}, API calls {results['api_calls']:,};"
        f" errors {results['errors']}",
        f"Mock RSS: {results['rss_start_mb']} MB at the start, {results['rss_end_mb']} MB at the end"
        f" (peak {results['rss_peak_mb']} MB)",
    ]
    if results["through_serve"]:
        lines.append(f"Proxy RSS: {results['proxy_rss_start_mb']} MB at the start, "
                     f"{results['proxy_rss_end_mb']} MB at the end "
                     f"(peak {results['proxy_rss_peak_mb']} MB)")
    lines += [
        f"p99, last interval / first: {results['p99_growth']}x",
        f"Implicit sign-in at the end: {results['sign_in_at_end']}",
        f"Load average (1 min) at start and end: {load[0][0]}, {load[1][0]}"
        f" on {results['cores']} cores",
    ]
    lines += [f"  last error: {error}" for error in results["last_errors"]]
    lines.append("Targets: " + "; ".join(f"{name}: {'met' if met else 'MISSED'}"
                                         for name, met in results["targets"].items()))
    return "\n".join(lines)


def main(seconds, json_path=None, interval=None, through_serve=False):
    """Run the soak, printing each interval as it closes; 1 if anything failed."""
    interval = interval or (60 if seconds >= 120 else 10)
    print(soak_title(seconds, interval, CONNECTIONS, through_serve), flush=True)
    print(soak_header(through_serve), flush=True)
    try:
        results = run_soak(seconds, interval, through_serve=through_serve,
                           progress=lambda row: print(soak_row(row), flush=True))
    except (SoakFailed, BenchmarkFailed, OSError, asyncio.IncompleteReadError) as error:
        print(f"soak failed: {error}", file=sys.stderr)
        return 1
    print(soak_footer(results))
    if json_path:
        with open(json_path, "w") as file:
            json.dump(results, file, indent=2)
            file.write("\n")
    return 0 if results["errors"] == 0 and results["sign_in_at_end"] == "works" else 1
