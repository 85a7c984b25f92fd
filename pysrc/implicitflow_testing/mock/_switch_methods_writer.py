"""Writes `_switch_methods.py` from the table of switches in `_controls.py`:

    python -m implicitflow_testing.mock._switch_methods_writer

tests/unit/test_mock_controls.py fails while the file is not what this writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from implicitflow_testing.mock._controls import CONTROLS, REQUIRED, Control, Method

GENERATED = Path(__file__).with_name("_switch_methods.py")
WIDTH = 100
HEADER = '''"""The Python methods of the mock's switches, shared by `MockServer` and the audit's `RemoteMock`.

Written by `python -m implicitflow_testing.mock._switch_methods_writer` from the table in
`_controls.py`: do not edit; change the table and run that again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class SwitchMethods:
    """Each switch as a method. A subclass says how a control is called: `MockServer` calls the
    mock's state in-process, `RemoteMock` sends the control over HTTP; both return what the
    control answers, and both refuse a value the switch does not take (a ValueError)."""

    def _control(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError
'''


def literal(value: Any) -> str:
    """Python source for a JSON-like value, strings in double quotes."""
    return json.dumps(value) if isinstance(value, str) else repr(value)


def wrapped(words: list[str], first: str, indent: str, last: str) -> list[str]:
    """`first` + words + `last`, over lines of at most WIDTH characters where a word allows."""
    lines, line, placed = [], first, False
    for index, word in enumerate(words):
        word = word + (last if index == len(words) - 1 else "")
        if placed and len(line) + 1 + len(word) > WIDTH:
            lines.append(line)
            line = indent + word
        else:
            line = f"{line} {word}" if placed and not line.endswith(" ") else line + word
        placed = True
    return lines + [line]


def method_source(control: Control, method: Method) -> str:
    params = [f"{p.name}: {p.annotation}" + ("" if p.default is REQUIRED else
                                               f" = {literal(p.default)}")
              for p in method.params]
    signature = wrapped([piece + "," for piece in ["self", *params][:-1]] + [["self", *params][-1]],
                        f"    def {method.name}(", " " * len(f"    def {method.name}("),
                        f") -> {method.returns}:")
    fields = ([f"{literal(key)}: {literal(value)}" for key, value in method.fixed.items()]
              + [f"{literal(p.body_field)}: {p.name}" for p in method.params])
    call_start = f"self._control({literal(control.path)}, {{"
    if method.result is None:
        first, after = f"        {call_start}", "})"
    elif method.result == "":
        first, after = f"        return {call_start}", "})"
    else:
        first, after = (f"        result: {method.returns} = {call_start}",
                        f"}})[{literal(method.result)}]")
    pieces = [field + "," for field in fields[:-1]] + fields[-1:] if fields else []
    call = wrapped(pieces, first, " " * len(first), after) if pieces else [first + after]
    doc = wrapped(f'"""{method.doc}"""'.split(), "        ", " " * 8, "")
    lines = ["", *signature, *doc, *call]
    if method.result:
        lines.append("        return result")
    return "\n".join(lines) + "\n"


def switch_methods_source() -> str:
    """The text of `_switch_methods.py` as the table makes it."""
    return HEADER + "".join(method_source(control, method)
                            for control in CONTROLS for method in control.methods)


def main() -> int:
    GENERATED.write_text(switch_methods_source())
    print(f"wrote {GENERATED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
