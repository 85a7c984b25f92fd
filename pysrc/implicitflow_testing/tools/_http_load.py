"""HTTP load for a fixed time over a fixed number of keep-alive connections: wrk when it is on
PATH (Debian's package wrk), else a small asyncio generator on bare HTTP/1.1 connections.

Each returns the same figures: requests, requests per second, p50 and p99 latency in ms, and
errors (failed connections, reads, writes, timeouts, and answers that are not 2xx/3xx).
"""

import asyncio
import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from implicitflow_testing.tools._raw_http import RawConnection

#: wrk's end-of-run hook, printing its figures as one JSON line (latencies in microseconds).
_WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def load_tool(builtin=False):
    """What `http_load` will use: "wrk x.y.z" or "asyncio"."""
    wrk = None if builtin else shutil.which("wrk")
    if wrk is None:
        return "asyncio" + ("" if builtin else " (no wrk on PATH)")
    version = subprocess.run([wrk, "--version"], capture_output=True, text=True)
    found = re.search(r"\d+\.\d+\.\d+", version.stdout + version.stderr)
    return f"wrk {found.group(0)}" if found else "wrk"


def _figures(requests, seconds, p50_ms, p99_ms, errors):
    return {"requests": requests, "seconds": round(seconds, 2),
            "requests_per_second": round(requests / seconds) if seconds else 0,
            "p50_ms": round(p50_ms, 2), "p99_ms": round(p99_ms, 2), "errors": errors}


def _wrk(wrk, port, path, headers, seconds, connections):
    with tempfile.TemporaryDirectory(prefix="implicitflow-wrk-") as folder:
        script = Path(folder) / "report.lua"
        script.write_text(_WRK_REPORT)
        command = [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "5s",
                   "-s", str(script)]
        for name, value in headers:
            command += ["-H", f"{name}: {value}"]
        run = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True,
                             text=True, timeout=seconds + 60)
    report = next((line for line in run.stdout.splitlines() if line.startswith("{")), None)
    if run.returncode != 0 or report is None:
        raise RuntimeError(f"wrk failed ({run.returncode}): {run.stdout}{run.stderr}")
    figures = json.loads(report)
    return _figures(figures["requests"], figures["duration_us"] / 1e6, figures["p50_us"] / 1000,
                    figures["p99_us"] / 1000, figures["errors"])


async def _connection_load(port, path, headers, deadline, latencies, errors):
    connection = None
    while time.perf_counter() < deadline:
        try:
            if connection is None:
                connection = await RawConnection.open(port)
            started = time.perf_counter()
            status, _, _ = await connection.request("GET", path, headers)
            latencies.append(time.perf_counter() - started)
            if status >= 400:
                errors.append(status)
        except (OSError, asyncio.IncompleteReadError) as error:
            errors.append(repr(error))
            connection = None
    if connection is not None:
        connection.close()


async def _asyncio_load(port, path, headers, seconds, connections):
    latencies, errors = [], []
    started = time.perf_counter()
    await asyncio.gather(*(_connection_load(port, path, headers, started + seconds, latencies,
                                            errors) for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    if not latencies:
        return _figures(0, elapsed, 0, 0, len(errors))
    return _figures(len(latencies), elapsed, latencies[len(latencies) // 2] * 1000,
                    latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
                    len(errors))


def http_load(port, path, headers=(), seconds=10, connections=32, builtin=False):
    """GET 127.0.0.1:`port``path` with `headers` as fast as `connections` connections can;
    `builtin`: with the asyncio generator even where wrk is installed."""
    wrk = None if builtin else shutil.which("wrk")
    if wrk is not None:
        return _wrk(wrk, port, path, headers, seconds, connections)
    try:
        import uvloop
    except ImportError:
        return asyncio.run(_asyncio_load(port, path, headers, seconds, connections))
    return uvloop.run(_asyncio_load(port, path, headers, seconds, connections))
