"""The fenced ```` ```python ```` blocks of README.md and docs/**/*.md, for running them as tests.

A block is a fragment (not run) when the nearest non-blank line before its opening
fence is exactly ``<!-- fragment -->``. A fence may be indented (inside a list
item): its body is dedented by the fence's indentation. Line numbers are 1-based
and name the opening fence, so a test id ``docs/asyncio.md:42`` points at it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FRAGMENT", "DocBlock", "blocks_in", "collect", "doc_files"]

FRAGMENT = "<!-- fragment -->"
_OPEN = re.compile(r"^(?P<indent>[ \t]*)```python[ \t]*$")


@dataclass(frozen=True)
class DocBlock:
    """One fenced Python block: where it is, its code, and whether it is a fragment."""

    file: str  # relative to the repository root, with "/" separators
    line: int  # the opening fence's line, 1-based
    code: str
    fragment: bool

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}"


def blocks_in(text: str, file: str) -> Iterator[DocBlock]:
    """Every ```` ```python ```` block of the Markdown ``text`` (``file`` names it in ids).

    An unclosed fence raises ValueError (the Markdown is broken, say so).
    """
    lines = text.splitlines()
    index = 0
    previous = ""  # the nearest non-blank line before the current one
    while index < len(lines):
        line = lines[index]
        match = _OPEN.match(line)
        if match is None:
            if line.strip():
                previous = line.strip()
            index += 1
            continue
        indent = match.group("indent")
        body: list[str] = []
        close = index + 1
        while close < len(lines) and lines[close].strip() != "```":
            text_line = lines[close]
            body.append(text_line[len(indent):] if text_line.startswith(indent) else text_line.lstrip())
            close += 1
        if close == len(lines):
            raise ValueError(f"{file}:{index + 1}: unclosed ```python fence")
        yield DocBlock(file, index + 1, "\n".join(body) + "\n", previous == FRAGMENT)
        previous = "```"
        index = close + 1


def doc_files(root: Path) -> list[Path]:
    """README.md and every Markdown file under docs/, sorted."""
    files = [root / "README.md"] if (root / "README.md").is_file() else []
    return files + sorted((root / "docs").rglob("*.md"))


def collect(root: Path) -> list[DocBlock]:
    """Every block of :func:`doc_files` under ``root``, in file then line order."""
    found: list[DocBlock] = []
    for path in doc_files(root):
        found.extend(blocks_in(path.read_text(encoding="utf-8"), path.relative_to(root).as_posix()))
    return found
