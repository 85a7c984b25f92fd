"""The static server of the demo and the benchmark sends the build's pre-compressed files."""

import gzip
import os

import brotli
import httpx
import pytest

from implicitflow_server import _static_files, server_app
from implicitflow_server._static_files import precompressed_copy
from implicitflow_testing import ServerThread

SCRIPT = b"console.log('implicitflow');\n" * 100
#: Different bytes from compressing SCRIPT here, so a test sees which one was sent.
PRECOMPRESSED = gzip.compress(SCRIPT, 1, mtime=0)
IN_BROTLI = brotli.compress(SCRIPT, quality=1)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    (folder / "app.js").write_bytes(SCRIPT)
    (folder / "app.js.gz").write_bytes(PRECOMPRESSED)
    (folder / "other.js").write_bytes(SCRIPT)
    # Edited after its copy was compressed: the copy is an hour older than the file.
    (folder / "edited.js").write_bytes(SCRIPT)
    (folder / "edited.js.gz").write_bytes(gzip.compress(b"console.log('before the edit');\n", 9))
    stale = (folder / "edited.js").stat().st_mtime - 3600
    os.utime(folder / "edited.js.gz", (stale, stale))
    # Newer than its file, but not its bytes (a copy of another file, or damaged).
    (folder / "replaced.js").write_bytes(SCRIPT)
    (folder / "replaced.js.gz").write_bytes(gzip.compress(SCRIPT[:-1] + b"!", 1, mtime=0))
    # A link to a copy outside the served folder, with the right bytes, and one inside it.
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "app.js.gz").write_bytes(PRECOMPRESSED)
    (folder / "outside.js").write_bytes(SCRIPT)
    (folder / "outside.js.gz").symlink_to(elsewhere / "app.js.gz")
    (folder / "inside.js").write_bytes(SCRIPT)
    (folder / "inside.js.gz").symlink_to(folder / "app.js.gz")
    # Both copies beside a file; a Brotli copy that does not hold its file; one inflating far
    # past its file's size; one cut short.
    (folder / "both.js").write_bytes(SCRIPT)
    (folder / "both.js.gz").write_bytes(PRECOMPRESSED)
    (folder / "both.js.br").write_bytes(IN_BROTLI)
    (folder / "wrong-br.js").write_bytes(SCRIPT)
    (folder / "wrong-br.js.br").write_bytes(brotli.compress(SCRIPT[:-1] + b"!"))
    (folder / "wrong-br.js.gz").write_bytes(PRECOMPRESSED)
    (folder / "inflating.js").write_bytes(SCRIPT)
    (folder / "inflating.js.br").write_bytes(brotli.compress(SCRIPT + b"\0" * 50_000_000))
    (folder / "cut.js").write_bytes(SCRIPT)
    (folder / "cut.js.br").write_bytes(IN_BROTLI[:len(IN_BROTLI) // 2])
    with ServerThread(server_app(folder, api_path=None)) as site, \
            httpx.Client(base_url=site.url, timeout=10) as client:
        yield client


def raw(client, path, accept_encoding, **headers):
    """The response with its body as sent (not decoded)."""
    with client.stream("GET", path, headers={"Accept-Encoding": accept_encoding, **headers}) as response:
        return response, b"".join(response.iter_raw())


def test_a_gzip_client_gets_the_file_the_build_compressed(client):
    response, body = raw(client, "/app.js", "gzip, deflate, br")

    assert body == PRECOMPRESSED
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["vary"] == "Accept-Encoding"


def test_a_brotli_client_gets_the_brotli_copy_before_the_gzip_one(client):
    for accept_encoding in ("gzip, deflate, br, zstd", "br", "br;q=0.5, gzip;q=1"):
        response, body = raw(client, "/both.js", accept_encoding)

        assert body == IN_BROTLI and response.headers["content-encoding"] == "br"
        assert response.headers["vary"] == "Accept-Encoding"
        assert response.headers["content-type"].startswith("text/javascript")


def test_a_client_refusing_brotli_gets_the_gzip_copy(client):
    for accept_encoding in ("gzip", "gzip, br;q=0", "gzip, br;q=0.000"):
        response, body = raw(client, "/both.js", accept_encoding)

        assert body == PRECOMPRESSED and response.headers["content-encoding"] == "gzip"


@pytest.mark.parametrize("path", ["/wrong-br.js", "/inflating.js", "/cut.js"])
def test_a_brotli_copy_that_does_not_hold_its_file_is_never_sent(client, path):
    response, body = raw(client, path, "br, gzip")

    assert response.headers.get("content-encoding") != "br"
    decoded = gzip.decompress(body) if response.headers.get("content-encoding") == "gzip" else body
    assert decoded == SCRIPT


def test_a_client_without_gzip_gets_the_file_itself(client):
    for accept_encoding in ("identity", "br"):
        response, body = raw(client, "/app.js", accept_encoding)

        assert body == SCRIPT and "content-encoding" not in response.headers


def test_the_precompressed_file_has_validators(client):
    first, _ = raw(client, "/app.js", "gzip")
    again, body = raw(client, "/app.js", "gzip", **{"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304 and body == b""


def test_a_file_without_a_gz_sibling_is_compressed_per_request(client):
    response, body = raw(client, "/other.js", "gzip")

    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == SCRIPT and body != PRECOMPRESSED


def test_a_gz_sibling_older_than_its_file_is_never_sent(client):
    response, body = raw(client, "/edited.js", "gzip")

    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == SCRIPT


def test_a_gz_sibling_that_does_not_hold_the_file_is_never_sent(client):
    response, body = raw(client, "/replaced.js", "gzip")

    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == SCRIPT


def test_a_gz_sibling_is_sent_only_from_inside_the_served_folder(client):
    outside, outside_body = raw(client, "/outside.js", "gzip")
    inside, inside_body = raw(client, "/inside.js", "gzip")

    assert gzip.decompress(outside_body) == SCRIPT and outside_body != PRECOMPRESSED
    assert inside_body == PRECOMPRESSED


def test_a_gz_sibling_is_read_once_per_version_not_per_request(tmp_path, monkeypatch):
    opened = []
    real_open = gzip.open
    monkeypatch.setattr(_static_files.gzip, "open", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    (tmp_path / "app.js").write_bytes(SCRIPT)
    (tmp_path / "app.js.gz").write_bytes(PRECOMPRESSED)

    verdicts = [precompressed_copy(tmp_path / "app.js", [tmp_path]) for _ in range(3)]
    assert verdicts == [(tmp_path / "app.js.gz").resolve()] * 3 and len(opened) == 1
    # Rewritten: a new version of the pair, read again.
    (tmp_path / "app.js.gz").write_bytes(gzip.compress(b"something else", 1))
    later = os.stat(tmp_path / "app.js").st_mtime_ns + 10**9
    os.utime(tmp_path / "app.js.gz", ns=(later, later))
    assert precompressed_copy(tmp_path / "app.js", [tmp_path]) is None and len(opened) == 2


def test_a_fallback_file_answers_every_path_that_names_no_file(tmp_path):
    (tmp_path / "index.html").write_text("<p>the app</p>")
    (tmp_path / "app.js").write_bytes(SCRIPT)
    with ServerThread(server_app(tmp_path, api_path=None, fallback="index.html")) as site, \
            httpx.Client(base_url=site.url, timeout=10) as client:
        deep_link, file = client.get("/inbox/42"), client.get("/app.js")
        posted = client.post("/inbox/42")

    assert (deep_link.status_code, deep_link.text) == (200, "<p>the app</p>")
    assert deep_link.headers["content-type"].startswith("text/html")
    assert file.content == SCRIPT
    assert posted.status_code == 405


def test_only_a_name_that_carries_its_contents_hash_is_cached_for_a_year(tmp_path):
    for name in ("main.3f2a9c1b.js", "app-5d41402abc4b2a76.css", "brython.js", "deadbeef.js",
                 "implicitflow.brython.js", "index.html"):
        (tmp_path / name).write_text("x")
    with ServerThread(server_app(tmp_path, api_path=None)) as site, \
            httpx.Client(base_url=site.url, timeout=10) as client:
        caching = {name: client.get("/" + name).headers["cache-control"]
                   for name in ("main.3f2a9c1b.js", "app-5d41402abc4b2a76.css", "brython.js",
                                "deadbeef.js", "implicitflow.brython.js", "")}

    assert caching == {"main.3f2a9c1b.js": "public, max-age=31536000, immutable",
                       "app-5d41402abc4b2a76.css": "public, max-age=31536000, immutable",
                       "brython.js": "no-cache", "deadbeef.js": "no-cache",
                       "implicitflow.brython.js": "no-cache", "": "no-cache"}


def test_every_answer_carries_the_default_security_headers_unless_the_app_changes_them(tmp_path):
    (tmp_path / "index.html").write_text("<p>app</p>")
    changed = {"X-Frame-Options": "", "content-security-policy": "default-src 'self'"}
    with ServerThread(server_app(tmp_path, api_path=None)) as default, \
            ServerThread(server_app(tmp_path, api_path=None, headers=changed)) as custom:
        page, missing = httpx.get(default.url + "/"), httpx.get(default.url + "/nothing-here")
        custom_page = httpx.get(custom.url + "/")

    for answer in (page, missing):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert "x-frame-options" not in custom_page.headers
    assert custom_page.headers.get_list("content-security-policy") == ["default-src 'self'"]
