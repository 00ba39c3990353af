"""The doc-example runner's block extraction (integration/docs/doc_blocks.py): fences, fragments, lines."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("doc_blocks", ROOT / "integration" / "docs" / "doc_blocks.py")
assert _spec is not None and _spec.loader is not None
doc_blocks = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("doc_blocks", doc_blocks)
_spec.loader.exec_module(doc_blocks)

TEXT = """# Title

```python
print("one")
```

<!-- fragment -->
```python
zk.get("/a")
```

```sh
echo not python
```

<!-- fragment -->

Some prose in between.

```python
print("three")
```

- a list item:

  ```python
  if True:
      print("four")
  ```
"""


def test_blocks_have_their_fence_line_code_and_fragment_flag() -> None:
    blocks = list(doc_blocks.blocks_in(TEXT, "docs/x.md"))
    assert [(b.line, b.fragment) for b in blocks] == [(3, False), (8, True), (20, False), (26, False)]
    assert [b.id for b in blocks] == ["docs/x.md:3", "docs/x.md:8", "docs/x.md:20", "docs/x.md:26"]
    assert blocks[0].code == 'print("one")\n'
    assert blocks[1].code == 'zk.get("/a")\n'


def test_a_marker_counts_only_right_before_the_fence() -> None:
    third = list(doc_blocks.blocks_in(TEXT, "f.md"))[2]
    assert not third.fragment  # prose stands between the marker and the fence
    marked = list(doc_blocks.blocks_in("<!-- fragment -->\n\n```python\nx = 1\n```\n", "f.md"))
    assert [b.fragment for b in marked] == [True]  # blank lines in between are fine


def test_an_indented_fence_is_dedented() -> None:
    fourth = list(doc_blocks.blocks_in(TEXT, "f.md"))[3]
    assert fourth.code == 'if True:\n    print("four")\n'
    compile(fourth.code, fourth.id, "exec")


def test_other_languages_and_prose_are_not_blocks() -> None:
    assert list(doc_blocks.blocks_in("```sh\nls\n```\n```pycon\n>>> 1\n```\ntext\n", "f.md")) == []


def test_an_unclosed_fence_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"f\.md:2: unclosed"):
        list(doc_blocks.blocks_in("x\n```python\nprint(1)\n", "f.md"))


def test_the_repository_docs_parse_and_every_block_compiles() -> None:
    blocks = doc_blocks.collect(ROOT)
    files = {b.file for b in blocks}
    assert "README.md" in files and "docs/client-guide.md" in files
    for block in blocks:
        if not block.fragment:  # what the runner runs is at least valid Python
            compile(block.code, block.id, "exec")
