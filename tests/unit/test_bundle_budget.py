"""Byte budget of the callback page: exact, so it belongs in a test (times live in the benchmark)."""

import gzip
import re
from pathlib import Path

DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
#: brython.js is about 287 KB of it; the toolkit's compiled package (popup sign-in included)
#: about 70 KB. The guard is against the standard library creeping in, which costs megabytes.
BUDGET_GZIP = 360 * 1024


def scripts_of(page):
    return re.findall(r'<script src="([^"]+)"', page.read_text(encoding="utf-8"))


def test_callback_page_loads_no_stdlib_and_fits_360_kb_gzip():
    page = DIST / "bench" / "callback.html"
    files = [page] + [(page.parent / src).resolve() for src in scripts_of(page)]

    total = sum(len(gzip.compress(f.read_bytes(), 9, mtime=0)) for f in files)

    assert not any(f.name == "brython_stdlib.js" for f in files)
    assert not (DIST / "brython_stdlib.js").exists() and not (DIST / "implicitflow_stdlib.js").exists()
    assert total <= BUDGET_GZIP, f"{total:,} B gzip > {BUDGET_GZIP:,} B"
