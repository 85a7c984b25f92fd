"""Byte budget of the callback page: exact, so it belongs in a test (times live in the benchmark)."""

import gzip
import re
from pathlib import Path

DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
#: Bytes sent, pre-compressed: brython.js is 272,704 B of them; the toolkit's compiled package
#: (popup sign-in included, with its Python source) about 72,000. The guard is against the
#: standard library creeping in, which costs megabytes, and the package outgrowing the target.
BUDGET_GZIP = 350_000


def scripts_of(page):
    return re.findall(r'<script src="([^"]+)"', page.read_text(encoding="utf-8"))


def sent(path):
    """What a server sending pre-compressed files sends for `path`: the build's NAME.gz."""
    packed = Path(str(path) + ".gz")
    assert gzip.decompress(packed.read_bytes()) == path.read_bytes(), f"{packed} is stale"
    return packed.stat().st_size


def test_callback_page_loads_no_stdlib_and_fits_350_kb_gzip():
    page = DIST / "bench" / "callback.html"
    files = [page] + [(page.parent / src).resolve() for src in scripts_of(page)]

    total = sum(sent(f) for f in files)

    assert not any(f.name == "brython_stdlib.js" for f in files)
    assert not (DIST / "brython_stdlib.js").exists() and not (DIST / "implicitflow_stdlib.js").exists()
    assert total <= BUDGET_GZIP, f"{total:,} B gzip > {BUDGET_GZIP:,} B"
