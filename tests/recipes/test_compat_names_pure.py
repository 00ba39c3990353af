"""zkrecipes.compat's exception names come from one list: ``zkrecipes.exceptions.__all__``.

``zkrecipes.compat.exceptions`` re-exports that list and adds kazoo's
``*Exception`` aliases; ``zkrecipes.compat`` re-exports all of it. These
tests fail when the lists drift apart again (a name added to
``zkrecipes.exceptions`` must reach both compat modules, as the same object).
"""

from __future__ import annotations

import zkrecipes.compat as compat
import zkrecipes.compat.exceptions as compat_exceptions
import zkrecipes.exceptions as core


def _aliases() -> dict[str, type]:
    """The names compat.exceptions adds to zkrecipes.exceptions' list (its alias table)."""
    return {name: getattr(compat_exceptions, name) for name in compat_exceptions.__all__
            if name not in core.__all__}


def test_compat_exceptions_is_the_core_list_plus_the_alias_table() -> None:
    assert compat_exceptions.__all__[: len(core.__all__)] == core.__all__
    assert len(set(compat_exceptions.__all__)) == len(compat_exceptions.__all__)
    for name in core.__all__:
        assert getattr(compat_exceptions, name) is getattr(core, name), name


def test_every_alias_is_a_kazoo_spelling_of_a_zkrecipes_class() -> None:
    aliases = _aliases()
    assert len(aliases) == 16
    for name, cls in aliases.items():
        assert name.endswith("Exception"), name
        assert isinstance(cls, type) and issubclass(cls, core.ZkException), name
        assert getattr(core, cls.__name__) is cls, name  # an alias, not a second class
    assert aliases["SystemErrorException"] is core.SystemZookeeperError
    assert aliases["ApiErrorException"] is core.APIError


def test_the_core_list_is_left_unchanged() -> None:
    assert "ApiErrorException" not in core.__all__
    assert compat_exceptions.__all__ is not core.__all__


def test_the_flat_compat_namespace_has_every_exception_name() -> None:
    assert set(compat_exceptions.__all__) <= set(compat.__all__)
    assert len(set(compat.__all__)) == len(compat.__all__)
    for name in compat_exceptions.__all__:
        assert getattr(compat, name) is getattr(compat_exceptions, name), name


def test_star_import_gives_every_listed_name() -> None:
    for module in (compat_exceptions, compat):
        namespace: dict[str, object] = {}
        exec(f"from {module.__name__} import *", namespace)  # what a user's import * gets
        assert set(namespace) - {"__builtins__"} == set(module.__all__)
        assert all(hasattr(module, name) for name in module.__all__)
