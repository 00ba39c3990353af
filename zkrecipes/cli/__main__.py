"""``python -m zkrecipes.cli``."""

import sys

from zkrecipes.cli import main

sys.exit(main())
