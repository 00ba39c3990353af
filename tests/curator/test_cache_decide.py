"""The shared decisions of the caches: notification routes, re-created nodes, re-lists, reconnects,
the group view and the discovery rules (pure, driven by both the threaded and the asyncio recipes)."""

from __future__ import annotations

import pytest

from zkrecipes.recipes._tree_mirror import NodeData
from zkrecipes.recipes.curator._cache_decide import (
    Action,
    Reconnects,
    Resume,
    needs_children,
    recreated,
    relist,
    route,
)
from zkrecipes.recipes.curator._discovery_rules import InstanceTable, instance_node_mode
from zkrecipes.recipes.curator._group_rules import is_member_change, member_id, members_view
from zkrecipes.recipes.curator.service_instance import ServiceInstance
from zkrecipes.recipes.curator.service_type import ServiceType
from zkrecipes.states import EventType, ZkState, ZnodeStat


def stat(czxid: int, mzxid: int = 0, num_children: int = 0) -> ZnodeStat:
    return ZnodeStat(czxid, mzxid, 0, 0, 0, 0, 0, 0, 0, num_children, czxid)


@pytest.mark.parametrize(("kind", "cached", "action"), [
    (EventType.DELETED, False, Action.REMOVE), (EventType.CREATED, False, Action.REFRESH),
    (EventType.CHANGED, True, Action.REFRESH), (EventType.CHILD, True, Action.IGNORE),
])
def test_persistent_routes(kind: EventType, cached: bool, action: Action) -> None:
    assert route(kind, "/r/a", one_shot=False, cached=cached, root="/r") is action


@pytest.mark.parametrize(("kind", "path", "cached", "action"), [
    (EventType.DELETED, "/r/a", True, Action.REFRESH),  # confirmed by a read (it may be back)
    (EventType.DELETED, "/r/a", False, Action.IGNORE),
    (EventType.CHANGED, "/r/a", True, Action.REFRESH),
    (EventType.CREATED, "/r", False, Action.LOAD),  # the absent root appeared
    (EventType.CREATED, "/r/a", False, Action.IGNORE),  # the parent's child watch tells
    (EventType.CHILD, "/r", True, Action.RELIST),
    (EventType.CHILD, "/r/x", False, Action.IGNORE),
])
def test_one_shot_routes(kind: EventType, path: str, cached: bool, action: Action) -> None:
    assert route(kind, path, one_shot=True, cached=cached, root="/r") is action


def test_a_later_incarnation_is_reloaded_only_with_one_shot_watches() -> None:
    assert recreated(True, stat(5), stat(9))
    assert not recreated(True, stat(5), stat(5, 7))  # a write, not a new node
    assert not recreated(True, None, stat(9))
    assert not recreated(False, stat(5), stat(9))


def test_relist_and_when_to_list() -> None:
    assert relist({"a", "b", "c"}, {"b", "d", "e"}) == (["a", "c"], ["d", "e"])
    assert needs_children(True, stat(1)) and needs_children(False, stat(1, num_children=2))
    assert not needs_children(False, stat(1))


def test_reconnects() -> None:
    r = Reconnects()
    assert r.on_state(ZkState.CONNECTED) is Resume.NOTHING  # never disconnected
    assert r.on_state(ZkState.SUSPENDED) is Resume.NOTHING
    assert r.on_state(ZkState.CONNECTED) is Resume.RESYNC
    assert r.on_state(ZkState.SUSPENDED) is Resume.NOTHING
    assert r.on_state(ZkState.LOST) is Resume.NOTHING
    assert r.on_state(ZkState.CONNECTED) is Resume.RESETUP
    assert r.on_state(ZkState.CONNECTED) is Resume.NOTHING


def test_group_view_always_holds_this_member() -> None:
    children = [NodeData("/g/b", b"2", stat(2)), NodeData("/g/a", None, stat(1))]
    assert members_view(children, "me", b"p") == {"a": b"", "b": b"2", "me": b"p"}
    assert members_view([NodeData("/g/me", b"old", stat(3))], "me", b"new") == {"me": b"old"}
    assert member_id("/g/x") == "x"
    assert is_member_change("/g", NodeData("/g/x", b"", stat(1)))
    assert not is_member_change("/g", NodeData("/g", b"", stat(1)))
    assert not is_member_change("/g", NodeData("/g/x/y", b"", stat(1))) and not is_member_change("/g", None)


def test_discovery_node_modes_and_instance_table() -> None:
    modes = {t: instance_node_mode(ServiceInstance("s", id="i", service_type=t)) for t in ServiceType}
    assert modes == {ServiceType.DYNAMIC: (True, False), ServiceType.DYNAMIC_SEQUENTIAL: (True, True),
                     ServiceType.STATIC: (False, False), ServiceType.PERMANENT: (False, False)}
    table = InstanceTable("/b/s")
    one = ServiceInstance("s", id="i-1", port=1)
    node = NodeData("/b/s/i-1", one.to_json(), stat(1))
    assert table.apply(None, node) and table.instances() == [one]
    assert not table.apply(node, node)  # the same instance again: no change
    assert not table.apply(None, NodeData("/b/s", b"", stat(1)))  # the service node itself
    assert not table.apply(None, NodeData("/b/s/bad", b"{not json", stat(2)))  # left out
    assert table.apply(node, None) and table.instances() == []
