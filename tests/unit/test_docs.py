"""The documentation site builds without a warning, and what it shows a user is what the tests
run: every sample is a verbatim copy of a tested file, none uses a test page's globals."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"<!-- from: (\S+) -->\n```\w*\n(.*?)```", re.S)
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").rglob("*.md"))]
#: What only the project's test pages define: a user's app has none of them.
TEST_GLOBALS = ("testConfig", "pythonDone", "jsEvents")


def test_the_site_builds_with_warnings_as_errors(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})

    assert build.returncode == 0, build.stderr
    assert (tmp_path / "site" / "reference" / "browser" / "index.html").exists()
    reference = (tmp_path / "site" / "reference" / "browser" / "index.html").read_text()
    assert "handle_redirect" in reference and "StateMismatchError" in reference


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_samples_are_copies_of_tested_files_without_test_globals(page):
    text = page.read_text(encoding="utf-8")
    for path, code in BLOCK.findall(text):
        assert code in (ROOT / path).read_text(encoding="utf-8"), f"a block differs from {path}"
        assert not [name for name in TEST_GLOBALS if name in code], f"a block from {path}"


def test_every_page_is_in_the_site():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = {str(page.relative_to(ROOT / "docs")) for page in (ROOT / "docs").rglob("*.md")}
    assert sorted(page for page in pages if page not in nav) == []
