"""Every ```` ```python ```` block of README.md and docs/**/*.md runs, on its own, against a real server.

One test per block (id ``file:line`` of its fence; see :mod:`doc_blocks`). Blocks
marked ``<!-- fragment -->`` are not collected (they cannot run alone; the marker is the
author's statement, checked by review, and ``tests/test_doc_blocks.py`` checks the marker rule).
Each block runs in a fresh interpreter
(``sys.executable``, ``PYTHONPATH`` = the repository root, cwd a temp dir, 60 s at
most) with every ``127.0.0.1:2181`` replaced by the test server plus the test's own
chroot (created first, removed after), so blocks are isolated from each other and
from the rest of the suite. It passes when the interpreter exits 0.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from doc_blocks import DocBlock, collect

ROOT = Path(__file__).resolve().parents[2]
DOC_HOSTS = "127.0.0.1:2181"
TIMEOUT = 60.0
BLOCKS = [block for block in collect(ROOT) if not block.fragment]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("ZK_HOSTS", None)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_doc_example_runs(block: DocBlock, zk_hosts: str, zk_chroot: str, zk_client: object,
                          tmp_path: Path) -> None:
    # zk_client (in zk_chroot) has created the chroot; it is deleted after the test.
    code = block.code.replace(DOC_HOSTS, f"{zk_hosts}{zk_chroot}")
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    try:
        done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=_env(),
                              capture_output=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{block.id}: still running after {TIMEOUT:.0f} s\n"
                    f"--- stdout\n{(exc.stdout or b'').decode(errors='replace')}\n"
                    f"--- stderr\n{(exc.stderr or b'').decode(errors='replace')}")
    out, err = done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")
    assert done.returncode == 0, (
        f"{block.id} exited {done.returncode}\n--- code\n{code}--- stdout\n{out}\n--- stderr\n{err}")
