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
