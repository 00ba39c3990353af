"""The watch registry alone: set semantics per path across the single/many entry forms."""

from __future__ import annotations

from functools import partial

from zkrecipes.client.protocol.opcodes import WatcherType
from zkrecipes.client.protocol.watches import WatchKind, WatchRegistry
from zkrecipes.states import EventType


def _w(name: str) -> partial[None]:
    return partial(print, name)


def test_one_watcher_twice_is_kept_once_and_fires_once() -> None:
    reg = WatchRegistry()
    a = _w("a")
    reg.add(WatchKind.DATA, "/n", a)
    reg.add(WatchKind.DATA, "/n", a)
    assert reg.watchers(WatchKind.DATA, "/n") == [a]
    assert reg.route(EventType.CHANGED, "/n") == [a]
    assert reg.watchers(WatchKind.DATA, "/n") == []


def test_several_watchers_keep_registration_order_and_fire_once_each() -> None:
    reg = WatchRegistry()
    a, b, c = _w("a"), _w("b"), _w("c")
    for watcher in (a, b, a, c, b):
        reg.add(WatchKind.DATA, "/n", watcher)
    reg.add(WatchKind.EXIST, "/n", b)  # the same watcher in another kind is delivered once
    assert reg.watchers(WatchKind.DATA, "/n") == [a, b, c]
    assert reg.route(EventType.CHANGED, "/n") == [a, b, c]
    assert not reg


def test_removing_one_of_two_leaves_the_other_and_removing_it_empties_the_path() -> None:
    reg = WatchRegistry()
    a, b = _w("a"), _w("b")
    reg.add(WatchKind.CHILD, "/n", a)
    reg.add(WatchKind.CHILD, "/n", b)
    assert reg.remove("/n", WatcherType.CHILDREN, a) == [a]
    assert reg.watchers(WatchKind.CHILD, "/n") == [b]
    assert reg.remove("/n", WatcherType.CHILDREN, a) == []  # already gone
    reg.add(WatchKind.CHILD, "/n", b)  # still a set after shrinking back to one
    assert reg.watchers(WatchKind.CHILD, "/n") == [b]
    assert reg.remove("/n", WatcherType.CHILDREN, b) == [b]
    assert reg.paths().child == []
    assert not reg


def test_remove_all_and_clear_return_each_watcher_once() -> None:
    reg = WatchRegistry()
    a, b = _w("a"), _w("b")
    reg.add(WatchKind.DATA, "/n", a)
    reg.add(WatchKind.DATA, "/n", b)
    reg.add(WatchKind.EXIST, "/n", a)
    assert reg.remove("/n", WatcherType.DATA) == [a, b]
    reg.add(WatchKind.PERSISTENT, "/p", a)
    reg.add(WatchKind.PERSISTENT_RECURSIVE, "/", b)
    reg.add(WatchKind.CHILD, "/q", a)
    assert reg.clear() == [a, b]
    assert not reg


def test_persistent_entries_stay_after_firing_in_both_forms() -> None:
    reg = WatchRegistry()
    a, b = _w("a"), _w("b")
    reg.add(WatchKind.PERSISTENT, "/one", a)
    reg.add(WatchKind.PERSISTENT, "/two", a)
    reg.add(WatchKind.PERSISTENT, "/two", b)
    reg.add(WatchKind.PERSISTENT_RECURSIVE, "/two", b)
    assert reg.route(EventType.CHANGED, "/one") == [a]
    assert reg.route(EventType.CHANGED, "/two") == [a, b]
    assert reg.route(EventType.CHILD, "/two") == [a, b]  # persistent sees CHILD, recursive does not add
    assert reg.watchers(WatchKind.PERSISTENT, "/two") == [a, b]
    assert reg.paths().persistent == ["/one", "/two"]
