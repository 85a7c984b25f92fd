"""Byte budget of the callback page: exact, so it belongs in a test (times live in the benchmark)."""

import gzip
import re
from pathlib import Path

import brotli

DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
#: Bytes sent, pre-compressed: brython.js is 272,704 B of them; the toolkit's compiled package
#: (popup sign-in included, with its Python source) about 72,000. The guard is against the
#: standard library creeping in, which costs megabytes, and the package outgrowing the target.
BUDGET_GZIP = 350_000


def scripts_of(page):
    return re.findall(r'<script src="([^"]+)"', page.read_text(encoding="utf-8"))


def sent(path, suffix=".gz"):
    """What a server sending pre-compressed files sends for `path` to a client accepting gzip
    (the build's NAME.gz) or Brotli (`suffix` ".br": its NAME.br)."""
    packed = Path(str(path) + suffix)
    decompress = brotli.decompress if suffix == ".br" else gzip.decompress
    assert decompress(packed.read_bytes()) == path.read_bytes(), f"{packed} is stale"
    return packed.stat().st_size


def test_callback_page_loads_no_stdlib_and_fits_350_kb_gzip():
    page = DIST / "bench" / "callback.html"
    files = [page] + [(page.parent / src).resolve() for src in scripts_of(page)]

    total = sum(sent(f) for f in files)

    assert not any(f.name == "brython_stdlib.js" for f in files)
    assert not (DIST / "brython_stdlib.js").exists() and not (DIST / "implicitflow_stdlib.js").exists()
    assert total <= BUDGET_GZIP, f"{total:,} B gzip > {BUDGET_GZIP:,} B"


#: The same callback compiled ahead of time (`implicitflow bundle --app`) under
#: brython_runtime.js, Brython without its compiler: 222,831 B of runtime instead of 272,737 B,
#: the package, and the page's script (1,698 B). Issue 20 aims at 250,000 B: not met; what is
#: left is the runtime itself (its code generator, ast_to_js, is outside the marked chain and
#: used at run time) and the package's compiled code (about 61,000 B; its Python source, kept
#: for other brython.js builds, about 14,000 B more).
BUDGET_COMPILED_GZIP = 305_000
#: The same files as Brotli sends them (what every browser asks for, and `implicitflow serve`
#: sends): 250,158 B today, 158 B over issue 20's 250,000 B; this budget guards that figure.
BUDGET_COMPILED_BROTLI = 251_000


def test_the_compiled_callback_page_loads_no_compiler_and_fits_its_budget():
    page = DIST / "bench" / "callback_fast.html"
    files = [page] + [(page.parent / src).resolve() for src in scripts_of(page)]

    total = sum(sent(f) for f in files)

    assert [f.name for f in files[1:]] == ["brython_runtime.js", "implicitflow.brython.js",
                                          "callback_fast.brython.js"]
    assert 'type="text/python"' not in page.read_text(encoding="utf-8")
    assert total <= BUDGET_COMPILED_GZIP, f"{total:,} B gzip > {BUDGET_COMPILED_GZIP:,} B"
    in_brotli = sum(sent(f, ".br") for f in files)
    assert in_brotli <= BUDGET_COMPILED_BROTLI, f"{in_brotli:,} B Brotli > {BUDGET_COMPILED_BROTLI:,} B"
    assert in_brotli < total * 0.85
