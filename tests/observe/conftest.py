"""tests/observe reuses the session harness (a machine driven with a fake clock and server)."""

from __future__ import annotations

import sys
from pathlib import Path

_SESSION_TESTS = str(Path(__file__).resolve().parent.parent / "session")
if _SESSION_TESTS not in sys.path:
    sys.path.insert(0, _SESSION_TESTS)
