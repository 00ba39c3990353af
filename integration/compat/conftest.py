"""Single-handler scenarios are collected only for their handler.

A scenario about gevent's timeout class has no threading run: the item is not
generated-then-skipped but deselected at collection (pytest reports it as
deselected), so a full run shows no skips for what is only a parametrisation.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is None or "test_same_as_kazoo" not in item.nodeid:
            keep.append(item)
            continue
        scn = callspec.params.get("scn")
        handler = callspec.params.get("_zk_handler_param")
        if scn is not None and handler is not None and handler not in scn.handlers:
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
