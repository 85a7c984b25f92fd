"""The deployment recipe, web/deploy/nginx.conf, run by the machine's nginx: for the tests that
hold it to the rules of implicitflow_server, and for the proxy benchmark.

A runnable config is made from the recipe's own text by replacing only what belongs to the
machine: the address it listens on, the app's folder, the log file, and where the API is (its
address, and the root its certificate must chain to, as the test's stand-in API has its own).
Each replaced text must occur as often as expected, so a recipe edited past one of them fails
here, loudly, instead of being tested with its placeholder in place. nginx runs in the
foreground as a child process in a scratch prefix folder: its pid, temporary files and logs
stay there, its errors go to stderr (a file in that folder), and nothing is written to
/var/log/nginx or /run.
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

RECIPE = Path(__file__).resolve().parents[3] / "web" / "deploy" / "nginx.conf"
DEBIAN_NGINX = "/usr/sbin/nginx"

#: What Debian's packaged nginx.conf sets in its http block, around the recipe as there.
_DEBIAN_HTTP_SETTINGS = """\
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    default_type application/octet-stream;
    ssl_protocols TLSv1.2 TLSv1.3;
    gzip on;
"""
#: Used when the nginx found has no mime.types beside its configuration.
_FEW_TYPES = """\
    types { text/html html; application/javascript js; text/css css; application/json json;
            image/svg+xml svg; text/plain txt; }
"""


class NginxNotFound(RuntimeError):
    pass


def find_nginx():
    """nginx on PATH, or Debian's; NginxNotFound says how to install it."""
    found = shutil.which("nginx") or (DEBIAN_NGINX if os.access(DEBIAN_NGINX, os.X_OK) else None)
    if found is None:
        raise NginxNotFound("nginx is not installed: the deployment recipe web/deploy/nginx.conf "
                            "is tested with it (Debian/Ubuntu: apt-get install nginx; "
                            "./dev.sh test installs it when run as root)")
    return found


def _replace(text, old, new, count):
    found = text.count(old)
    if found != count:
        raise ValueError(f"{RECIPE.name}: expected {old!r} {count} time(s), found it {found} "
                         f"time(s); keep the test's substitutions in step with the recipe")
    return text.replace(old, new)


def recipe_server_blocks(*, port, root, log, api_address, api_root_certificate, x_domain=None,
                         read_timeout=None, recipe=RECIPE):
    """The recipe's text, for nginx to listen on 127.0.0.1:`port`, serve `root`, log to `log`
    and reach the API at `api_address` ("127.0.0.1:8443"), whose certificate chains to
    `api_root_certificate`. `x_domain`: the MAX line uncommented, with this domain, as its
    comment says to. `read_timeout` ("500ms"): the API's answer timeout, for a test that
    cannot wait the recipe's."""
    text = Path(recipe).read_text()
    for old, new, count in [
        ("listen 80 default_server;", f"listen 127.0.0.1:{port} default_server;", 1),
        ("listen 80;", f"listen 127.0.0.1:{port};", 1),
        ("root /srv/my-app;", f"root {root};", 1),
        ("/var/log/nginx/my-app.access.log", str(log), 2),
        ("server api.getresponse.com:443;", f"server {api_address};", 1),
        ("/etc/ssl/certs/ca-certificates.crt", str(api_root_certificate), 1),
        *([("# proxy_set_header X-Domain acme.getresponse360.com;",
            f"proxy_set_header X-Domain {x_domain};", 1)] if x_domain else []),
        *([("proxy_read_timeout 30s;", f"proxy_read_timeout {read_timeout};", 1)]
          if read_timeout else []),
    ]:
        text = _replace(text, old, new, count)
    return text


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _mime_types(nginx):
    """The mime.types beside the configuration nginx was built to read, as its config does."""
    built = subprocess.run([nginx, "-V"], capture_output=True, text=True).stderr
    conf_path = re.search(r"--conf-path=(\S+)", built)
    types = Path(conf_path.group(1)).parent / "mime.types" if conf_path else None
    return f"    include {types};\n" if types and types.is_file() else _FEW_TYPES


class NginxServer:
    """`with NginxServer(lambda port: server_blocks) as nginx:` -> `nginx.url`, `nginx.port`.

    The function writes the http block's servers for a port (chosen free; tried again on
    another if taken meanwhile). One worker process unless told otherwise."""

    def __init__(self, server_blocks, workers=1, worker_connections=4096):
        self.nginx = find_nginx()
        self._server_blocks = server_blocks
        self._workers = workers
        self._worker_connections = worker_connections
        self.prefix = None
        self.port = None
        self.process = None
        self._stderr = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def errors(self):
        """What nginx wrote to stderr so far."""
        return (self.prefix / "stderr.log").read_text(errors="replace") if self.prefix else ""

    def _config(self, port):
        temp = "\n".join(f"    {kind}_temp_path {self.prefix / 'temp' / kind};"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        # As root, nginx's workers would switch to nobody, who cannot read a test's folders.
        user = "user root;\n" if os.geteuid() == 0 else ""
        return (f"{user}worker_processes {self._workers};\n"
                f"events {{ worker_connections {self._worker_connections}; }}\n"
                f"http {{\n{_DEBIAN_HTTP_SETTINGS}{_mime_types(self.nginx)}{temp}\n"
                f"{self._server_blocks(port)}\n}}\n")

    def start(self):
        self.prefix = Path(tempfile.mkdtemp(prefix="implicitflow-nginx-"))
        (self.prefix / "temp").mkdir()
        for attempt in range(3):
            self.port = free_port()
            conf = self.prefix / "nginx.conf"
            conf.write_text(self._config(self.port))
            self._stderr = open(self.prefix / "stderr.log", "wb")
            self.process = subprocess.Popen(
                [self.nginx, "-p", str(self.prefix), "-c", str(conf), "-e", "stderr",
                 "-g", f"daemon off; pid {self.prefix / 'nginx.pid'}; error_log stderr;"],
                stdin=subprocess.DEVNULL, stdout=self._stderr, stderr=self._stderr)
            if self._wait_until_listening():
                return self
            self._stderr.close()
            if "Address already in use" not in self.errors or attempt == 2:
                errors = self.errors
                self.stop()
                raise RuntimeError(f"nginx did not start:\n{errors}")

    def _wait_until_listening(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.02)
        return False

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # nginx's fast shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._stderr is not None:
            self._stderr.close()
        if self.prefix is not None:
            shutil.rmtree(self.prefix, ignore_errors=True)
            self.prefix = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
