"""The ``zkrecipes`` command line (also ``python -m zkrecipes`` and ``python -m zkrecipes.cli``).

One module per command family: :mod:`.nodes` (ls, tree, get, set, create,
delete, stat), :mod:`.watch`, :mod:`.acl`, :mod:`.dump` (dump, load),
:mod:`.health`, :mod:`.jobs` (lock, elect); :mod:`.connect` turns the global
options into a :class:`~zkrecipes.client.config.ClientConfig` and a session,
:mod:`.errors` holds the exit codes. ``docs/cli.md`` documents it all.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status."""
    from zkrecipes.cli.app import main as run

    return run(argv)
