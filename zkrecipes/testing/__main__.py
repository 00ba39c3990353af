"""``python -m zkrecipes.testing serve``: see :mod:`zkrecipes.testing.serve`."""

from __future__ import annotations

import sys

from zkrecipes.testing.serve import main

if __name__ == "__main__":
    sys.exit(main())
