"""The proxy benchmark: implicitflow_server's API proxy against nginx running the deployment
recipe, and against a bare Python app, in one run.

    python -m implicitflow_testing.tools.proxy_bench [--seconds 10] [--connections 32] [--rounds 1]
                                                     [--builtin-load] [--json F]

Three servers get the same GET with a Bearer token, in turn, for the same time over the same
number of keep-alive connections:
  nginx  Debian's nginx running web/deploy/nginx.conf (made runnable as the tests make it,
         by implicitflow_testing.harness._nginx_recipe), one worker;
  bare   a Starlette app on uvicorn (httptools, uvloop) answering the body itself: the most
         Python serves in one hop;
  ours   `implicitflow serve` itself: server_app on uvicorn (httptools, uvloop), one
         process, its line per request written to a file, as nginx writes its access log.
nginx and ours proxy to one upstream: a second nginx answering a static JSON body over HTTPS,
with a certificate from a root made for the run that both are told to trust. The load comes
from wrk when it is on PATH (Debian's package wrk), else from an asyncio generator; the CPU
each server and the load generator used is printed, to show which one was the limit. Prints
a table, ratios against the targets, and writes the same figures as JSON with --json.
"""

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from implicitflow_testing.harness._local_tls import local_certificates
from implicitflow_testing.harness._nginx_recipe import (
    NginxNotFound,
    NginxServer,
    find_nginx,
    free_port,
    recipe_server_blocks,
)
from implicitflow_testing.tools._http_load import http_load, load_tool

MODULE = "implicitflow_testing.tools.proxy_bench"
API_PATH = "/api/getresponse/accounts"
REQUEST_HEADERS = (("Authorization", "Bearer bench-token"), ("Accept", "application/json"))
BODY = ('{"accountId": "Vp", "firstName": "Bench", "lastName": "Mark", "email": '
        '"bench@example.com", "companyName": "Example", "countryCode": {"countryCode": "PL"}}')
TARGETS = {"ours/nginx requests_per_second": (">=", 0.25), "ours/bare requests_per_second": (">=", 0.5),
           "ours/nginx p99_ms": ("<=", 5.0)}
SERVERS = {
    "nginx": "nginx, web/deploy/nginx.conf",
    "bare": "bare Starlette, answers itself",
    "ours": "ours: implicitflow serve",
}


class BenchmarkFailed(Exception):
    pass


# The bare app, made in its own process by uvicorn --factory.

def bare_app():
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    body = BODY.encode()

    async def answer(request):
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route(API_PATH, answer)])


def upstream_server_blocks(certificates):
    def blocks(port):
        return f"""
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {certificates.chain};
        ssl_certificate_key {certificates.key};
        access_log off;
        keepalive_requests 1000000;
        location / {{
            default_type application/json;
            return 200 '{BODY}';
        }}
    }}"""
    return blocks


def _wait_for_port(port, process, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchmarkFailed(f"the server for port {port} exited ({process.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise BenchmarkFailed(f"nothing listens on port {port} after {timeout:g} s")


@contextmanager
def server_process(arguments, environment=None, output=subprocess.DEVNULL):
    """A Python server listening on a free port (`arguments` take it as {port}), in a process
    of its own."""
    port = free_port()
    process = subprocess.Popen([sys.executable, *(a.format(port=port) for a in arguments)],
                               env={**os.environ, **(environment or {})}, stdin=subprocess.DEVNULL,
                               stdout=output)
    try:
        _wait_for_port(port, process)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def bare_server():
    """The bare app on uvicorn, one worker, httptools and uvloop."""
    return server_process(["-m", "uvicorn", "--factory", f"{MODULE}:bare_app", "--host", "127.0.0.1",
                           "--port", "{port}", "--http", "httptools", "--loop", "uvloop",
                           "--no-access-log", "--log-level", "warning"])


def our_server(folder, upstream, root_certificate, log):
    """`implicitflow serve` itself, its log lines (stdout) going to `log`, the API's certificate
    checked against `root_certificate` (SSL_CERT_FILE, which Python's default context reads)."""
    return server_process(["-c", "import sys; from implicitflow_bundle._cli import main; sys.exit(main())",
                           "serve", str(folder), "--upstream", upstream, "--port", "{port}"],
                          {"SSL_CERT_FILE": str(root_certificate)}, output=log)


def _cpu_seconds(pid):
    """CPU seconds used by `pid` and its children (nginx's workers), from Linux's /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids, total = [pid], 0.0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids += [int(child) for child in (task / "children").read_text().split()]
        for each in pids:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    except (OSError, ValueError):
        return None
    return total


def _load_cpu_seconds():
    """CPU seconds used by this process and its finished children: the load generator's."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(port, pid, seconds, connections, warm_up, builtin=False):
    http_load(port, API_PATH, REQUEST_HEADERS, warm_up, connections, builtin)
    server_before, load_before = _cpu_seconds(pid), _load_cpu_seconds()
    figures = http_load(port, API_PATH, REQUEST_HEADERS, seconds, connections, builtin)
    server_after, load_after = _cpu_seconds(pid), _load_cpu_seconds()
    if server_before is not None and server_after is not None and figures["requests"]:
        used = server_after - server_before
        figures["server_cpu_percent"] = round(100 * used / figures["seconds"])
        figures["server_cpu_us_per_request"] = round(1e6 * used / figures["requests"])
    figures["load_cpu_percent"] = round(100 * (load_after - load_before) / figures["seconds"])
    return figures


def check_answer(port):
    """The body each server sends, once, before it is measured: a benchmark of errors is none."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        headers = "".join(f"{name}: {value}\r\n" for name, value in REQUEST_HEADERS)
        connection.sendall(f"GET {API_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}"
                           "Connection: close\r\n\r\n".encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    if not answer.startswith(b"HTTP/1.1 200") or not answer.endswith(BODY.encode()):
        raise BenchmarkFailed(f"port {port} answered {answer[:300]!r}")


def run(seconds, connections, rounds=1, builtin=False, warm_up=1.0):
    results = {"path": API_PATH, "seconds": seconds, "connections": connections, "rounds": rounds,
               "load": load_tool(builtin), "cpus": os.cpu_count(), "servers": {}}
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="proxy-bench-")))
        (scratch / "app").mkdir()
        (scratch / "app" / "index.html").write_text("<p>app</p>")
        certificates = local_certificates(scratch / "tls", ["api.getresponse.com", "127.0.0.1"])
        upstream = stack.enter_context(NginxServer(upstream_server_blocks(certificates)))
        recipe = stack.enter_context(NginxServer(lambda port: recipe_server_blocks(
            port=port, root=scratch / "app", log=scratch / "nginx-access.log",
            api_address=f"127.0.0.1:{upstream.port}", api_root_certificate=certificates.root)))
        log = stack.enter_context(open(scratch / "ours.log", "wb"))
        servers = {
            "nginx": (recipe.port, recipe.process.pid),
            "bare": stack.enter_context(bare_server()),
            "ours": stack.enter_context(our_server(scratch / "app", f"https://127.0.0.1:{upstream.port}/v3",
                                                   certificates.root, log)),
        }
        results["nginx_version"] = subprocess.run([find_nginx(), "-v"], capture_output=True,
                                                  text=True).stderr.strip().split("/")[-1]
        for port, _ in servers.values():
            check_answer(port)
        rounds_run = {name: [] for name in servers}
        for _ in range(rounds):
            for name, (port, pid) in servers.items():
                rounds_run[name].append(measure(port, pid, seconds, connections, warm_up, builtin))
    for name, measured in rounds_run.items():
        # The round of median throughput, whole: a machine shared with other work slows some.
        median = sorted(measured, key=lambda figures: figures["requests_per_second"])[len(measured) // 2]
        results["servers"][name] = {**median, "rounds": measured} if rounds > 1 else median
    figures = results["servers"]
    results["ratios"] = {
        "ours/nginx requests_per_second": _ratio(figures["ours"], figures["nginx"], "requests_per_second"),
        "ours/bare requests_per_second": _ratio(figures["ours"], figures["bare"], "requests_per_second"),
        "ours/nginx p99_ms": _ratio(figures["ours"], figures["nginx"], "p99_ms"),
    }
    # What throughput would be where each server had a core to itself: a CPU-bound server's
    # requests per second are the inverse of its CPU per request.
    for reference in ("nginx", "bare"):
        results["ratios"][f"{reference}/ours server_cpu_us_per_request"] = _ratio(
            figures[reference], figures["ours"], "server_cpu_us_per_request")
    results["targets"] = {name: _met(results["ratios"][name], *TARGETS[name]) for name in TARGETS}
    results["targets"]["ours errors == 0"] = figures["ours"]["errors"] == 0
    return results


def _ratio(figures, reference, key):
    return round(figures[key] / reference[key], 2) if reference.get(key) and key in figures else None


def _met(value, comparison, target):
    return value is not None and (value >= target if comparison == ">=" else value <= target)


def table(results):
    rounds = (f", the median of {results['rounds']} interleaved rounds" if results["rounds"] > 1
              else "")
    lines = [f"GET {results['path']} with a Bearer token, {results['seconds']:g} s per server after "
             f"1 s of warm-up{rounds}, {results['connections']} keep-alive connections, load by "
             f"{results['load']}, {results['cpus']} CPUs; upstream: nginx {results['nginx_version']}, "
             "one worker, HTTPS, a static JSON body",
             f"  {'server':<30}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'errors':>7}"
             f"{'server CPU':>11}{'CPU/req':>9}{'load CPU':>9}"]
    for name, label in SERVERS.items():
        figures = results["servers"][name]
        cpu, per_request = figures.get("server_cpu_percent"), figures.get("server_cpu_us_per_request")
        lines.append(f"  {label:<30}{figures['requests_per_second']:>8,}{figures['p50_ms']:>8.2f}"
                     f"{figures['p99_ms']:>8.2f}{figures['errors']:>7}"
                     f"{'' if cpu is None else f'{cpu}%':>11}"
                     f"{'' if per_request is None else f'{per_request} us':>9}"
                     f"{figures['load_cpu_percent']:>8}%")
    lines.append("Ratios (targets):")
    for name, (comparison, target) in TARGETS.items():
        verdict = "met" if results["targets"][name] else "NOT met"
        lines.append(f"  {name:<32} {results['ratios'][name]}x  ({comparison} {target}x: {verdict})")
    errors = results["servers"]["ours"]["errors"]
    lines.append(f"  {'ours errors':<32} {errors}  (0: {'met' if errors == 0 else 'NOT met'})")
    lines.append("CPU per request, reference / ours (the throughput ratio where each had a core):")
    for reference in ("nginx", "bare"):
        lines.append(f"  {reference + '/ours':<32} "
                     f"{results['ratios'][reference + '/ours server_cpu_us_per_request']}x")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m implicitflow_testing.tools.proxy_bench",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="seconds per server (default 10)")
    parser.add_argument("--connections", type=int, default=32,
                        help="keep-alive connections (default 32)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure the servers in turn this many times and keep each one's "
                             "median round (default 1)")
    parser.add_argument("--builtin-load", action="store_true",
                        help="load with the asyncio generator even where wrk is installed")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        results = run(args.seconds, max(1, args.connections), max(1, args.rounds), args.builtin_load)
    except (BenchmarkFailed, NginxNotFound, RuntimeError) as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    print(table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
