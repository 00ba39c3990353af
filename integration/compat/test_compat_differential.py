"""The differential suite (issue 10): every scenario run with kazoo, then with zkrecipes.compat.

Both runs use the same real server (fresh chroots) and the handler kind of
the test; the observed results must be the same, except for the scenarios
marked as deliberate differences, whose results must differ (each is listed
in docs/migrating-from-kazoo.md).
"""

from __future__ import annotations

import importlib
import pathlib
import types
from collections.abc import Iterator

import pytest
from _compat_harness import SCENARIOS, Scenario, close_admins, compat_namespace, kazoo_namespace, run, same

for _path in sorted(pathlib.Path(__file__).parent.glob("_compat_s_*.py")):
    importlib.import_module(_path.stem)

pytest.importorskip("kazoo")

# Both libraries warn at start() when the chroot is missing; the scenarios create it right
# after (ensure_path("/")), as kazoo users do.
pytestmark = [pytest.mark.filterwarnings("ignore:the chroot .* does not exist"),
              pytest.mark.filterwarnings("ignore:No chroot path exists")]


@pytest.fixture(scope="module")
def namespaces() -> Iterator[tuple[types.SimpleNamespace, types.SimpleNamespace]]:
    yield kazoo_namespace(), compat_namespace()
    close_admins()


@pytest.mark.parametrize("scn", list(SCENARIOS.values()), ids=list(SCENARIOS))
def test_same_as_kazoo(scn: Scenario, zk_hosts: str, zk_handler_name: str,
                       namespaces: tuple[types.SimpleNamespace, types.SimpleNamespace]) -> None:
    if zk_handler_name not in scn.handlers:
        pytest.skip(f"{scn.name} runs on {', '.join(scn.handlers)} only")
    kazoo_ns, compat_ns = namespaces
    theirs = run(scn, kazoo_ns, zk_hosts, zk_handler_name)
    ours = run(scn, compat_ns, zk_hosts, zk_handler_name)
    if scn.differs is None:
        assert same(theirs, ours, compat_ns), f"kazoo: {theirs!r}\nzkrecipes: {ours!r}"
    else:
        assert not same(theirs, ours, compat_ns), f"expected a difference ({scn.differs}): {ours!r}"
