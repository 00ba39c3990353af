"""Scenarios: the client object itself (constructor options, attributes, host handling, words)."""

from __future__ import annotations

from typing import Any

from _compat_harness import WAIT, Env, catch, scenario


@scenario
def s_constructor_bad_hosts(env: Env) -> Any:
    return catch(env.ns.KazooClient, "", handler=env.handler())


@scenario
def s_constructor_options(env: Env) -> Any:
    zk = env.new_client(start=False, read_only=False, randomize_hosts=False,
                        default_acl=[env.ns.make_acl("world", "anyone", all=True)])
    zk.start(timeout=WAIT)
    zk.ensure_path("/")
    zk.create("/a")
    acls, _stat = zk.get_acls("/a")
    return zk.connected, [(a.perms, a.id.scheme) for a in acls]


@scenario
def s_unchroot(env: Env) -> Any:
    zk = env.client
    return zk.unchroot(env.chroot + "/a/b") == "/a/b", zk.unchroot(env.chroot) == "/", zk.unchroot("/x/y")


@scenario
def s_client_attributes(env: Env) -> Any:
    zk = env.client
    zk.create("/a")
    return (isinstance(zk.last_zxid, int) and zk.last_zxid > 0, zk.chroot == env.chroot,
            type(zk.retry).__name__ in ("KazooRetry", "RetryPolicy"), zk.handler is not None)


@scenario
def s_set_hosts(env: Env) -> Any:
    zk = env.client
    zk.set_hosts(env.hosts)
    return zk.connected, zk.exists("/") is not None


@scenario
def s_set_hosts_chroot_change(env: Env) -> Any:
    return catch(env.client.set_hosts, env.hosts + "/elsewhere")


@scenario
def s_four_letter_word(env: Env) -> Any:
    return env.client.command(b"ruok")


@scenario
def s_session_timeout_negotiated(env: Env) -> Any:
    zk = env.client
    return 4000 <= zk._session_timeout <= 40000 if hasattr(zk, "_session_timeout") else True


@scenario
def s_many_clients_same_chroot(env: Env) -> Any:
    clients = [env.new_client(ensure=False) for _ in range(3)]
    for i, zk in enumerate(clients):
        zk.create(f"/c{i}", ephemeral=True)
    return sorted(env.client.get_children("/"))


@scenario
def s_restart_keeps_working(env: Env) -> Any:
    zk = env.new_client()
    zk.create("/before")
    zk.restart()
    return zk.connected, zk.get_children("/")


@scenario
def s_stop_twice_start_again(env: Env) -> Any:
    zk = env.new_client()
    zk.stop()
    zk.stop()
    zk.start(timeout=WAIT)
    return zk.connected, zk.exists("/") is not None


@scenario
def s_recipe_factories(env: Env) -> Any:
    zk = env.client
    names = ("Barrier", "Counter", "DoubleBarrier", "ChildrenWatch", "DataWatch", "Election", "Lock",
             "Party", "Queue", "ReadLock", "SetPartitioner", "Semaphore", "ShallowParty",
             "NonBlockingLease", "MultiNonBlockingLease", "WriteLock", "LockingQueue")
    return [callable(getattr(zk, name, None)) for name in names]


@scenario
def s_sync_path_relative(env: Env) -> Any:
    env.client.create("/a")
    return env.client.sync("a")


@scenario
def s_get_children_of_file(env: Env) -> Any:
    env.client.create("/leaf", b"data")
    return env.client.get_children("/leaf"), env.client.get_children("/leaf", include_data=True)[0]


@scenario
def s_large_value(env: Env) -> Any:
    zk = env.client
    zk.create("/big", b"x" * 500_000)
    data, stat = zk.get("/big")
    return len(data), stat.dataLength
