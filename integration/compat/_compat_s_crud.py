"""Scenarios: the node operations (create, get, set, delete, exists, children, ACLs, sync)."""

from __future__ import annotations

from typing import Any

from _compat_harness import Env, catch, scenario


@scenario
def s_create_returns_path(env: Env) -> Any:
    return env.client.create("/a", b"1"), env.tree()


@scenario
def s_create_existing(env: Env) -> Any:
    env.client.create("/a")
    return catch(env.client.create, "/a")


@scenario
def s_create_without_parent(env: Env) -> Any:
    return catch(env.client.create, "/a/b")


@scenario
def s_create_makepath(env: Env) -> Any:
    return env.client.create("/a/b/c", b"x", makepath=True), env.tree()


@scenario
def s_create_sequence(env: Env) -> Any:
    zk = env.client
    zk.create("/q")
    return [zk.create("/q/item-", b"", sequence=True) for _ in range(3)], zk.get_children("/q")


@scenario
def s_create_ephemeral(env: Env) -> Any:
    env.client.create("/e", b"", ephemeral=True)
    return env.client.exists("/e")


@scenario
def s_create_ephemeral_sequential(env: Env) -> Any:
    return env.client.create("/e-", b"", ephemeral=True, sequence=True)


@scenario
def s_child_of_ephemeral(env: Env) -> Any:
    env.client.create("/e", ephemeral=True)
    return catch(env.client.create, "/e/child")


@scenario
def s_create_include_data(env: Env) -> Any:
    return env.client.create("/a", b"abc", include_data=True)


@scenario
def s_create_include_data_sequence(env: Env) -> Any:
    env.client.create("/q")
    return env.client.create("/q/n-", b"xy", sequence=True, include_data=True)


@scenario
def s_get(env: Env) -> Any:
    env.client.create("/a", b"hello")
    return env.client.get("/a")


@scenario
def s_get_missing(env: Env) -> Any:
    return catch(env.client.get, "/missing")


@scenario
def s_set_then_get(env: Env) -> Any:
    zk = env.client
    zk.create("/a", b"1")
    return zk.set("/a", b"22"), zk.get("/a")


@scenario
def s_set_with_version(env: Env) -> Any:
    zk = env.client
    zk.create("/a", b"1")
    return zk.set("/a", b"2", version=0), catch(zk.set, "/a", b"3", version=0)


@scenario
def s_set_missing(env: Env) -> Any:
    return catch(env.client.set, "/missing", b"x")


@scenario
def s_delete(env: Env) -> Any:
    zk = env.client
    zk.create("/a")
    return zk.delete("/a"), zk.exists("/a")


@scenario
def s_delete_missing(env: Env) -> Any:
    return catch(env.client.delete, "/missing")


@scenario
def s_delete_bad_version(env: Env) -> Any:
    env.client.create("/a")
    return catch(env.client.delete, "/a", version=5)


@scenario
def s_delete_not_empty(env: Env) -> Any:
    env.client.create("/a/b", makepath=True)
    return catch(env.client.delete, "/a")


@scenario
def s_delete_recursive(env: Env) -> Any:
    zk = env.client
    zk.create("/a/b/c", makepath=True)
    zk.create("/a/d")
    return zk.delete("/a", recursive=True), env.tree()


@scenario
def s_delete_recursive_missing(env: Env) -> Any:
    return catch(env.client.delete, "/missing", recursive=True)


@scenario
def s_exists(env: Env) -> Any:
    env.client.create("/a", b"12345")
    return env.client.exists("/a"), env.client.exists("/b")


@scenario
def s_get_children_sorted(env: Env) -> Any:
    zk = env.client
    for name in ("c", "a", "b"):
        zk.create("/p/" + name, makepath=True)
    return sorted(zk.get_children("/p"))


@scenario
def s_get_children_include_data(env: Env) -> Any:
    zk = env.client
    zk.create("/p/x", makepath=True)
    children, stat = zk.get_children("/p", include_data=True)
    return children, stat


@scenario
def s_get_children_missing(env: Env) -> Any:
    return catch(env.client.get_children, "/missing")


@scenario
def s_ensure_path(env: Env) -> Any:
    zk = env.client
    return zk.ensure_path("/a/b/c"), zk.ensure_path("/a/b/c"), env.tree()


@scenario
def s_sync(env: Env) -> Any:
    env.client.create("/a")
    return env.client.sync("/a")


@scenario
def s_get_acls_default(env: Env) -> Any:
    env.client.create("/a")
    acls, stat = env.client.get_acls("/a")
    return [(a.perms, a.id.scheme, a.id.id) for a in acls], stat


@scenario
def s_set_acls(env: Env) -> Any:
    ns, zk = env.ns, env.client
    zk.create("/a")
    stat = zk.set_acls("/a", [ns.make_acl("world", "anyone", read=True)])
    acls, _ = zk.get_acls("/a")
    return stat, [(a.perms, a.id.scheme) for a in acls], catch(zk.set, "/a", b"x")


@scenario
def s_set_acls_bad_version(env: Env) -> Any:
    env.client.create("/a")
    return catch(env.client.set_acls, "/a", list(env.ns.OPEN_ACL_UNSAFE), version=3)


@scenario
def s_create_with_read_only_acl(env: Env) -> Any:
    ns, zk = env.ns, env.client
    zk.create("/ro", b"v", acl=[ns.make_acl("world", "anyone", read=True)])
    return zk.get("/ro")[0], catch(zk.set, "/ro", b"w"), catch(zk.create, "/ro/c")


@scenario
def s_digest_acl_needs_auth(env: Env) -> Any:
    ns, zk = env.ns, env.client
    zk.create("/secret", b"s", acl=[ns.make_digest_acl("user", "pw", all=True)])
    denied = catch(zk.get, "/secret")
    other = env.new_client(ensure=False, auth_data=[("digest", "user:pw")])
    return denied, other.get("/secret")[0]


@scenario
def s_add_auth(env: Env) -> Any:
    ns, zk = env.ns, env.client
    zk.create("/secret", b"s", acl=[ns.make_digest_acl("user", "pw", all=True)])
    other = env.new_client(ensure=False)
    before = catch(other.get, "/secret")
    return before, other.add_auth("digest", "user:pw"), other.get("/secret")[0]


@scenario
def s_server_version(env: Env) -> Any:
    version = env.client.server_version()
    return type(version).__name__, len(version) >= 2


@scenario
def s_get_root_data(env: Env) -> Any:
    return env.new_client(chroot=False).get("/zookeeper")[0]


@scenario
def s_large_children_count(env: Env) -> Any:
    zk = env.client
    for i in range(50):
        zk.create(f"/many/{i:03d}", makepath=True)
    return len(zk.get_children("/many")), zk.exists("/many")
