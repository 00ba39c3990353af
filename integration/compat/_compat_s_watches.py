"""Scenarios: one-shot watches, ChildrenWatch/DataWatch recipes."""

from __future__ import annotations

from typing import Any

from _compat_harness import Env, scenario


@scenario
def s_data_watch_changed(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    zk.create("/a")
    zk.get("/a", watch=rec)
    zk.set("/a", b"1")
    return rec.wait_count(1)


@scenario
def s_data_watch_deleted(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    zk.create("/a")
    zk.get("/a", watch=rec)
    zk.delete("/a")
    return rec.wait_count(1)


@scenario
def s_exists_watch_created(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    stat = zk.exists("/a", watch=rec)
    zk.create("/a")
    return stat, rec.wait_count(1)


@scenario
def s_exists_watch_changed(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    zk.create("/a")
    zk.exists("/a", watch=rec)
    zk.set("/a", b"x")
    return rec.wait_count(1)


@scenario
def s_child_watch(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    zk.create("/p")
    zk.get_children("/p", watch=rec)
    zk.create("/p/c")
    return rec.wait_count(1)


@scenario
def s_child_watch_on_delete_of_parent(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    zk.create("/p")
    zk.get_children("/p", watch=rec)
    zk.delete("/p")
    return rec.wait_count(1)


@scenario
def s_watch_fires_once(env: Env) -> Any:
    zk, rec, fence = env.client, env.recorder(), env.recorder()
    zk.create("/a")
    zk.get("/a", watch=rec)
    zk.set("/a", b"1")
    zk.set("/a", b"2")
    zk.create("/fence")
    zk.get("/fence", watch=rec)
    zk.delete("/fence")
    fence_events = rec.wait_count(2)
    return fence_events, fence.snapshot()


@scenario
def s_same_watch_twice(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    zk.create("/a")
    zk.get("/a", watch=rec)
    zk.get("/a", watch=rec)
    zk.set("/a", b"1")
    zk.create("/f")
    zk.exists("/f", watch=rec)
    zk.delete("/f")
    return rec.wait_for(lambda items: any(e.path == "/f" for e in items))


@scenario
def s_data_and_exists_watch(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    zk.create("/a")
    zk.get("/a", watch=lambda e: rec.add(("get", e)))
    zk.exists("/a", watch=lambda e: rec.add(("exists", e)))
    zk.delete("/a")
    return sorted(rec.wait_count(2), key=lambda item: item[0])


@scenario
def s_datawatch_recipe(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    zk.create("/d", b"one")
    env.ns.DataWatch(zk, "/d", lambda data, stat: rec.add((data, stat.version if stat else None)))
    rec.wait_count(1)
    zk.set("/d", b"two")
    rec.wait_count(2)
    zk.delete("/d")
    return rec.wait_count(3)


@scenario
def s_datawatch_missing_node(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    env.ns.DataWatch(zk, "/later", lambda data, stat: rec.add((data, stat is None)))
    rec.wait_count(1)
    zk.create("/later", b"v")
    return rec.wait_count(2)


@scenario
def s_datawatch_stop_by_false(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    zk.create("/d", b"0")

    def watcher(data: Any, stat: Any) -> Any:
        rec.add(data)
        return False if data == b"1" else None

    env.ns.DataWatch(zk, "/d", watcher)
    rec.wait_count(1)
    zk.set("/d", b"1")
    rec.wait_count(2)
    zk.set("/d", b"2")
    marker = env.recorder()
    env.ns.DataWatch(zk, "/d", lambda data, stat: marker.add(data))
    marker.wait_count(1)
    return rec.snapshot(), marker.snapshot()


@scenario
def s_datawatch_with_event(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    zk.create("/d", b"a")
    env.ns.DataWatch(zk, "/d", lambda data, stat, event: rec.add((data, event)))
    rec.wait_count(1)
    zk.set("/d", b"b")
    return rec.wait_count(2)


@scenario
def s_childrenwatch_recipe(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    zk.create("/p")
    env.ns.ChildrenWatch(zk, "/p", lambda children: rec.add(sorted(children)))
    rec.wait_count(1)
    zk.create("/p/a")
    rec.wait_count(2)
    zk.create("/p/b")
    return rec.wait_count(3)


@scenario
def s_childrenwatch_send_event(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    zk.create("/p")
    env.ns.ChildrenWatch(zk, "/p", lambda children, event: rec.add((children, event)), send_event=True)
    rec.wait_count(1)
    zk.create("/p/a")
    return rec.wait_count(2)


@scenario
def s_childrenwatch_decorator(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    zk.create("/p/x", makepath=True)

    @zk.ChildrenWatch("/p")
    def watcher(children: list[str]) -> None:
        rec.add(list(children))

    return rec.wait_count(1)


@scenario
def s_datawatch_decorator(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    zk.create("/d", b"v")

    @zk.DataWatch("/d")
    def watcher(data: Any, stat: Any) -> None:
        rec.add(data)

    return rec.wait_count(1)


@scenario
def s_watch_event_fields(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    zk.exists("/n", watch=rec)
    zk.create("/n")
    event = rec.wait_count(1)[0]
    return event.type, event.state, event.path, event.type == env.ns.EventType.CREATED, \
        event.state == env.ns.KeeperState.CONNECTED
