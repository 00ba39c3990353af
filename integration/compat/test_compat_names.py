"""Every public name a kazoo user imports is reachable from zkrecipes.compat (issue 10).

For each kazoo module a user imports from, each name defined there (not an
internal helper listed below) exists under the same name in the matching
``zkrecipes.compat`` submodule and in the flat ``zkrecipes.compat``; and
every compat name is an alias of a zkrecipes object (no second implementation).
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

kazoo_recipe = pytest.importorskip("kazoo.recipe")

#: kazoo module -> compat module.
MODULES = {
    "kazoo.client": "zkrecipes.compat.client",
    "kazoo.exceptions": "zkrecipes.compat.exceptions",
    "kazoo.retry": "zkrecipes.compat.retry",
    "kazoo.protocol.states": "zkrecipes.compat.protocol.states",
    "kazoo.security": "zkrecipes.compat.security",
    "kazoo.handlers.threading": "zkrecipes.compat.handlers.threading",
    "kazoo.handlers.gevent": "zkrecipes.compat.handlers.gevent",
    **{f"kazoo.recipe.{m.name}": f"zkrecipes.compat.recipe.{m.name}"
       for m in pkgutil.iter_modules(kazoo_recipe.__path__)},
}

#: kazoo internals that happen to be module-level names (wire records, helpers): not API.
INTERNAL = {
    "Auth", "CheckVersion", "CloseInstance", "ConnectionHandler", "Create", "Create2", "Delete", "Exists",
    "GetACL", "GetChildren", "GetChildren2", "GetData", "Reconfig", "SetACL", "SetData", "Sync",
    "Transaction", "capture_exceptions", "collect_hosts", "normpath", "wrap", "selector_select",
    "handle_exception", "kazoo_join", "TreeNode", "BaseParty", "BaseQueue", "EVENT_TYPE_MAP",
}


def _public(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    names = []
    for name in dir(module):
        home = getattr(getattr(module, name), "__module__", "") or ""
        if name.startswith("_") or name in INTERNAL or not home.startswith("kazoo"):
            continue
        names.append(name)
    return names


@pytest.mark.parametrize("kazoo_module", sorted(MODULES))
def test_every_kazoo_name_is_in_compat(kazoo_module: str) -> None:
    compat = importlib.import_module(MODULES[kazoo_module])
    flat = importlib.import_module("zkrecipes.compat")
    names = _public(kazoo_module)
    assert names
    assert [n for n in names if not hasattr(compat, n)] == []
    assert [n for n in names if not hasattr(flat, n)] == []


def test_compat_names_are_zkrecipes_objects() -> None:
    import zkrecipes.compat as compat

    def home(name: str) -> str:
        return getattr(getattr(compat, name), "__module__", "zkrecipes") or "zkrecipes"

    foreign = [name for name in compat.__all__ if not home(name).startswith("zkrecipes")
               and not isinstance(getattr(compat, name), (dict, list, tuple, frozenset, set))]
    assert foreign == []
    assert compat.KazooClient.__name__ == "ZkClient"
