"""``python -m zkrecipes``: the ``zkrecipes`` command line."""

import sys

from zkrecipes.cli import main

sys.exit(main())
