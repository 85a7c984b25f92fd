"""The mock under sustained load, as one mock serving a CI fleet for hours sees it.

    python -m implicitflow_testing.tools.bench --soak SECONDS [--json F]

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
"""

import asyncio
import json
import os
import re
import secrets
import subprocess
import sys
import time
from urllib.parse import parse_qsl, urlencode, urlsplit

from implicitflow_testing.tools._raw_http import RawConnection

CONNECTIONS = 32
SIGN_INS_PER_SECOND = 2
API_CALLS_PER_SECOND = 10
REDIRECT_URI = "http://127.0.0.1:8000/callback"
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
    """What one kind of request did in the current interval: latencies in ms, and failures."""

    def __init__(self):
        self.latencies, self.errors, self.last_error = [], 0, None

    def fail(self, what):
        self.errors += 1
        self.last_error = what

    def take(self):
        """This interval's (latencies, errors); the next interval starts empty."""
        taken = self.latencies, self.errors
        self.latencies, self.errors = [], 0
        return taken


class TokenFlood(asyncio.Protocol):
    """One keep-alive connection sending token requests back to back, on callbacks alone (no
    coroutine per request), so the generator spends little next to the mock."""

    def __init__(self, meter, stopping, done):
        self.meter, self.stopping, self.done = meter, stopping, done
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
        self.transport.write(TOKEN_REQUEST)

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
        status = self.buffer[9:12]
        if status != b"200" or b'"access_token"' not in self.buffer[end:total]:
            self.meter.fail(f"token request answered {status.decode('latin-1')}")
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


async def sign_in(connection):
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
    await api_call(connection, token, "/v3/accounts")
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


async def trickle(port, stopping, sign_ins, api_calls):
    """Sign-ins and API calls at their steady rates, each kind on a keep-alive connection."""
    connections = {"sign-in": await RawConnection.open(port), "api": await RawConnection.open(port)}
    newest = {"token": await sign_in(connections["sign-in"])}
    paths = ["/v3/accounts", "/v3/from-fields"]

    async def one(kind, meter, action):
        started = time.perf_counter()
        try:
            await action()
        except (SoakFailed, OSError, asyncio.IncompleteReadError) as error:
            meter.fail(str(error) or repr(error))
            connections[kind].close()
            connections[kind] = await RawConnection.open(port)
        else:
            meter.latencies.append((time.perf_counter() - started) * 1000)

    async def sign_in_step():
        async def action():
            newest["token"] = await sign_in(connections["sign-in"])
        await one("sign-in", sign_ins, action)

    async def api_step():
        paths.reverse()
        await one("api", api_calls, lambda: api_call(connections["api"], newest["token"], paths[0]))

    try:
        await asyncio.gather(paced(SIGN_INS_PER_SECOND, stopping, sign_in_step),
                             paced(API_CALLS_PER_SECOND, stopping, api_step))
    finally:
        for connection in connections.values():
            connection.close()


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


class Intervals:
    """The figures of each interval, from the meters and from /proc."""

    def __init__(self, pid, meters):
        self.pid, self.meters, self.rows = pid, meters, []
        self.started = self.last = time.perf_counter()
        self.cpu = (cpu_seconds(pid), time.process_time())

    def close(self):
        now = time.perf_counter()
        (tokens, token_errors), (signed, sign_in_errors), (calls, api_errors) = (
            meter.take() for meter in self.meters)
        cpu = (cpu_seconds(self.pid), time.process_time())
        seconds = now - self.last
        tokens.sort()
        # Every request the mock answered: a sign-in is three (page, consent, API call).
        answered = len(tokens) + token_errors + 3 * (len(signed) + sign_in_errors) + len(calls) \
            + api_errors
        row = {"end_s": round(now - self.started), "seconds": round(seconds, 2),
               "requests": len(tokens), "requests_per_second": round(len(tokens) / seconds),
               "p50_ms": percentile(tokens, 0.5), "p99_ms": percentile(tokens, 0.99),
               "errors": token_errors + sign_in_errors + api_errors, "token_errors": token_errors,
               "sign_ins": len(signed), "sign_in_errors": sign_in_errors,
               "sign_in_p99_ms": percentile(sorted(signed), 0.99),
               "api_calls": len(calls), "api_errors": api_errors,
               "rss_mb": rss_mb(self.pid),
               "mock_cpu_percent": round(100 * (cpu[0] - self.cpu[0]) / seconds),
               "load_cpu_percent": round(100 * (cpu[1] - self.cpu[1]) / seconds),
               # What the mock spent on each request, whatever share of a core it was given.
               "mock_cpu_us_per_request": round(1e6 * (cpu[0] - self.cpu[0]) / answered)
               if answered else None}
        self.last, self.cpu = now, cpu
        self.rows.append(row)
        return row


async def soak(pid, port, seconds, interval, connections, progress):
    stopping = asyncio.Event()
    meters = (Meter(), Meter(), Meter())
    loop = asyncio.get_running_loop()
    floods = []
    for _ in range(connections):
        done = loop.create_future()
        await loop.create_connection(lambda d=done: TokenFlood(meters[0], stopping, d),
                                     "127.0.0.1", port)
        floods.append(done)
    trickling = asyncio.ensure_future(trickle(port, stopping, meters[1], meters[2]))
    intervals = Intervals(pid, meters)
    deadline = intervals.started + seconds
    try:
        while (left := deadline - time.perf_counter()) > 0.5:
            await asyncio.wait([trickling], timeout=min(interval, left))
            if trickling.done():
                trickling.result()  # its first sign-in failed: raise that
            progress(intervals.close())
    finally:
        stopping.set()
        await asyncio.wait_for(asyncio.gather(*floods, trickling, return_exceptions=True), 30)
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


async def sign_in_once(port):
    connection = await RawConnection.open(port)
    try:
        await sign_in(connection)
    finally:
        connection.close()


def run_loop(coroutine):
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def run_soak(seconds, interval=None, connections=CONNECTIONS, mock_args=(), progress=None):
    """Soak a new mock for `seconds`; the figures as a dict (see `soak_summary`)."""
    interval = interval or (60 if seconds >= 120 else 10)
    process, port = start_mock(mock_args)
    try:
        run_loop(sign_in_once(port))  # the mock works, and has served what the soak asks of it
        rss_start = rss_mb(process.pid)
        load_start = os.getloadavg()
        rows, last_errors = run_loop(soak(process.pid, port, seconds, interval, connections,
                                          progress or (lambda row: None)))
        try:
            run_loop(sign_in_once(port))
            sign_in_at_end = "works"
        except (SoakFailed, OSError, asyncio.IncompleteReadError) as error:
            sign_in_at_end = f"failed: {error}"
        results = {
            "seconds": seconds, "interval_s": interval, "connections": connections,
            "mock_args": list(mock_args), "cores": os.cpu_count(),
            "load_average_start": [round(x, 2) for x in load_start],
            "load_average_end": [round(x, 2) for x in os.getloadavg()],
            "rss_start_mb": rss_start, "rss_end_mb": rss_mb(process.pid),
            "rss_peak_mb": rss_mb(process.pid, "VmHWM"), "intervals": rows,
            "sign_in_at_end": sign_in_at_end, "last_errors": last_errors,
        }
    finally:
        process.terminate()
        process.wait(timeout=10)
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
    return {
        "requests": requests, "requests_per_second": round(requests / seconds) if seconds else 0,
        "errors": errors, "sign_ins": sum(row["sign_ins"] for row in rows),
        "api_calls": sum(row["api_calls"] for row in rows), "p99_growth": growth,
        "targets": {
            f"RSS at the end <= {RSS_TARGET_MB} MB": results["rss_end_mb"] <= RSS_TARGET_MB,
            f"p99 of the last interval <= {P99_GROWTH_TARGET:g}x the first's":
                growth is not None and growth <= P99_GROWTH_TARGET,
            "0 errors": errors == 0,
            "implicit sign-in works at the end": results["sign_in_at_end"] == "works",
        },
    }


HEADER = (f"  {'until':>6} {'requests':>9} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}"
          f" {'sign-ins':>8} {'API calls':>9} {'RSS MB':>7} {'mock CPU':>8} {'µs/req':>6} {'load CPU':>8}")


def soak_row(row):
    return (f"  {row['end_s']:>5}s {row['requests']:>9,} {row['requests_per_second']:>6,}"
            f" {row['p50_ms'] or 0:>7.2f} {row['p99_ms'] or 0:>7.2f} {row['errors']:>6}"
            f" {row['sign_ins']:>8} {row['api_calls']:>9} {row['rss_mb']:>7.1f}"
            f" {row['mock_cpu_percent']:>7}% {row['mock_cpu_us_per_request'] or 0:>6}"
            f" {row['load_cpu_percent']:>7}%")


def soak_title(seconds, interval, connections):
    return (f"Soak of implicitflow-mock, {seconds} s: client_credentials at full speed over "
            f"{connections} connections, {SIGN_INS_PER_SECOND} implicit sign-ins and "
            f"{API_CALLS_PER_SECOND} API calls a second; per {interval} s:")


def soak_footer(results):
    load = results["load_average_start"], results["load_average_end"]
    lines = [
        f"Token requests: {results['requests']:,} at {results['requests_per_second']:,} req/s;"
        f" sign-ins {results['sign_ins']:,}, API calls {results['api_calls']:,};"
        f" errors {results['errors']}",
        f"Mock RSS: {results['rss_start_mb']} MB at the start, {results['rss_end_mb']} MB at the end"
        f" (peak {results['rss_peak_mb']} MB)",
        f"p99, last interval / first: {results['p99_growth']}x",
        f"Implicit sign-in at the end: {results['sign_in_at_end']}",
        f"Load average (1 min) at start and end: {load[0][0]}, {load[1][0]}"
        f" on {results['cores']} cores",
    ]
    lines += [f"  last error: {error}" for error in results["last_errors"]]
    lines.append("Targets: " + "; ".join(f"{name}: {'met' if met else 'MISSED'}"
                                         for name, met in results["targets"].items()))
    return "\n".join(lines)


def main(seconds, json_path=None, interval=None):
    """Run the soak, printing each interval as it closes; 1 if anything failed."""
    interval = interval or (60 if seconds >= 120 else 10)
    print(soak_title(seconds, interval, CONNECTIONS), flush=True)
    print(HEADER, flush=True)
    try:
        results = run_soak(seconds, interval, progress=lambda row: print(soak_row(row), flush=True))
    except (SoakFailed, OSError, asyncio.IncompleteReadError) as error:
        print(f"soak failed: {error}", file=sys.stderr)
        return 1
    print(soak_footer(results))
    if json_path:
        with open(json_path, "w") as file:
            json.dump(results, file, indent=2)
            file.write("\n")
    return 0 if results["errors"] == 0 and results["sign_in_at_end"] == "works" else 1
