"""Every page that takes an OAuth2 answer starts with the callback snippet the documentation
shows (docs/brython-apps.md), verbatim: the snippet in the app page, or the one of a dedicated
callback page. (That every copied block matches its file is
tests/unit/test_docs.py.)"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"<!-- from: (\S+) -->\n```\w*\n(.*?)```", re.S)
#: The dedicated callback page of the benchmark holds a snippet of its own: it hands the answer
#: to another page instead of reloading itself.
OWN_SNIPPET = {"web/bench/callback_only.html"}


def callback_pages():
    """Every page of the demo, the benchmark, the examples and the tests that stores an answer."""
    pages = [*ROOT.glob("web/*.html"), *ROOT.glob("web/bench/*.html"),
             *ROOT.glob("web/examples/*/public/*.html"), *ROOT.glob("tests/browser/pages/*.html")]
    return sorted(str(page.relative_to(ROOT)) for page in pages
                  if "implicitflow.callback" in page.read_text(encoding="utf-8"))


def test_every_callback_page_starts_with_the_documented_snippet():
    guide = (ROOT / "docs" / "brython-apps.md").read_text(encoding="utf-8")
    [in_page] = [code for _, code in BLOCK.findall(guide) if "window.stop()" in code]
    [dedicated] = [code for path, code in BLOCK.findall(guide) if path.endswith("/callback.html")]
    pages = callback_pages()

    assert len(pages) >= 12
    assert "web/examples/javascript-app/public/callback.html" in pages
    for path in pages:
        if path in OWN_SNIPPET:
            continue
        page = (ROOT / path).read_text(encoding="utf-8")
        snippet = dedicated if "location.pathname.replace(" in page else in_page
        assert snippet in page, f"{path} lacks the documented callback snippet"
        if "<script src=" in page:
            assert page.index(snippet) < page.index("<script src="), f"{path}: a script runs first"
