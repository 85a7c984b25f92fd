"""Every README code block marked `<!-- from: path -->` is a verbatim copy of a tested file."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"<!-- from: (\S+) -->\n```\w*\n(.*?)```", re.S)


def test_readme_examples_are_copied_from_tested_files():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = BLOCK.findall(readme)

    assert len(blocks) >= 6
    for path, code in blocks:
        assert code in (ROOT / path).read_text(encoding="utf-8"), f"README block differs from {path}"


CALLBACK_PAGES = ["web/index.html", "web/plain.html", "web/bench/callback.html",
                  "web/bench/callback_js.html", "web/bench/login.html",
                  "web/bench/login_popup.html",
                  "tests/browser/pages/readme.html", "tests/browser/pages/callback.html",
                  "web/examples/brython-app/public/index.html",
                  "web/examples/javascript-app/public/index.html"]


def test_every_callback_page_starts_with_the_readme_snippet():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [snippet] = [code for _, code in BLOCK.findall(readme) if "location.replace(" in code]

    for path in CALLBACK_PAGES:
        page = (ROOT / path).read_text(encoding="utf-8")
        assert snippet in page, f"{path} lacks the README's callback snippet"
        assert page.index(snippet) < page.index("<script src="), f"{path}: a script runs first"
