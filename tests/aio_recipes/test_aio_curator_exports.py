"""The asyncio Curator package exports every public recipe of its modules (a merge once dropped four)."""

from __future__ import annotations

import importlib
import pkgutil

import zkrecipes.aio.recipes.curator as package


def test_every_public_name_of_every_module_is_exported() -> None:
    missing: list[str] = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name in (n for n in getattr(module, "__all__", ()) if n[:1].isupper()):  # classes
            if getattr(package, name, None) is not getattr(module, name):
                missing.append(f"{info.name}.{name}")
    assert missing == []
    assert sorted(package.__all__) == sorted(set(package.__all__))
