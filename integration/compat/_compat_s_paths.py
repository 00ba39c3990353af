"""Scenarios: path normalisation and refusal, chroots, null data."""

from __future__ import annotations

from typing import Any

from _compat_harness import Env, catch, scenario

# ----------------------------------------------------------------- paths


@scenario
def s_relative_create(env: Env) -> Any:
    return env.client.create("a", b"1"), env.tree()


@scenario
def s_relative_nested(env: Env) -> Any:
    zk = env.client
    zk.create("a")
    return zk.create("a/b"), zk.get("a/b")[0], zk.get_children("a")


@scenario
def s_double_slashes(env: Env) -> Any:
    zk = env.client
    zk.create("/a")
    return zk.create("/a//b/"), env.tree()


@scenario(differs="kazoo: makepath with a trailing slash makes the node itself as a parent, then "
                  "raises NodeExistsError; zkrecipes creates it once")
def s_makepath_trailing_slash(env: Env) -> Any:
    return catch(env.client.create, "/a//b/", makepath=True)


@scenario
def s_trailing_slash_reads(env: Env) -> Any:
    zk = env.client
    zk.create("/a", b"x")
    return zk.get("/a/")[0], zk.exists("a/") is not None, zk.get_children("/a/")


@scenario
def s_sequence_keeps_slash(env: Env) -> Any:
    zk = env.client
    zk.create("/q")
    return zk.create("/q/", b"", sequence=True), zk.create("q/", sequence=True)


@scenario
def s_empty_path_is_root(env: Env) -> Any:
    return env.client.exists("") is not None, sorted(env.client.get_children(""))


@scenario
def s_dot_segment(env: Env) -> Any:
    return catch(env.client.create, "/a/./b")


@scenario
def s_dotdot_segment(env: Env) -> Any:
    return catch(env.client.get, "/a/../b")


@scenario
def s_lone_dot(env: Env) -> Any:
    return catch(env.client.exists, ".")


@scenario
def s_dotdot_in_set(env: Env) -> Any:
    return catch(env.client.set, "/..", b"")


@scenario
def s_dotdot_in_delete(env: Env) -> Any:
    return catch(env.client.delete, "a/..")


@scenario
def s_control_character(env: Env) -> Any:
    return catch(env.client.create, "/a\x01b")


@scenario
def s_nul_character(env: Env) -> Any:
    return catch(env.client.create, "/a\x00b")


@scenario
def s_unicode_names(env: Env) -> Any:
    zk = env.client
    zk.create("/ünï cöde", b"\xc3")
    return zk.get_children("/"), zk.get("/ünï cöde")[0]


@scenario
def s_path_not_a_string(env: Env) -> Any:
    return catch(env.client.create, 42), catch(env.client.get, None), catch(env.client.exists, b"/a")


@scenario
def s_transaction_relative_paths(env: Env) -> Any:
    tx = env.client.transaction()
    tx.create("t", b"1")
    tx.create("t//u/")
    tx.check("t", 0)
    return tx.commit(), env.tree()


# ---------------------------------------------------------------- chroots


@scenario
def s_ensure_root_creates_chroot(env: Env) -> Any:
    zk = env.new_client(ensure=False)
    before = zk.exists("/")
    return before, zk.ensure_path("/"), zk.exists("/") is not None


@scenario
def s_chroot_missing_then_create(env: Env) -> Any:
    zk = env.new_client(ensure=False)
    return catch(zk.create, "/a")


@scenario
def s_chroot_paths_are_relative(env: Env) -> Any:
    zk = env.client
    zk.create("/a/b", b"x", makepath=True)
    root = env.new_client(chroot=False)
    return zk.get_children("/"), root.get(env.chroot + "/a/b")[0], zk.create("/a/s-", sequence=True)


@scenario
def s_chroot_root_children(env: Env) -> Any:
    zk = env.client
    zk.create("/x")
    zk.create("/y")
    return sorted(zk.get_children("/")), zk.exists("/").numChildren


@scenario
def s_chroot_watch_path(env: Env) -> Any:
    zk = env.client
    rec = env.recorder()
    zk.exists("/w", watch=rec)
    zk.create("/w")
    return rec.wait_count(1)


@scenario
def s_chroot_child_watch_root(env: Env) -> Any:
    zk = env.client
    rec = env.recorder()
    zk.get_children("/", watch=rec)
    zk.create("/c")
    return rec.wait_count(1)


@scenario
def s_chroot_in_connect_string_with_slash(env: Env) -> Any:
    zk = env.ns.KazooClient(env.hosts + env.chroot + "/", handler=env.handler())
    env.clients.append(zk)
    zk.start()
    zk.ensure_path("/")
    zk.create("/n")
    return zk.get_children("/"), zk.chroot == env.chroot


@scenario
def s_chroot_transaction(env: Env) -> Any:
    tx = env.client.transaction()
    tx.create("/a")
    tx.create("/a/s-", sequence=True)
    return tx.commit()


@scenario
def s_ensure_path_under_missing_chroot(env: Env) -> Any:
    zk = env.new_client(ensure=False)
    return zk.ensure_path("/a/b"), sorted(zk.get_children("/")), zk.get_children("/a")


@scenario
def s_makepath_under_missing_chroot(env: Env) -> Any:
    zk = env.new_client(ensure=False)
    return zk.create("/a/b", b"v", makepath=True), zk.get("/a/b")[0]


# -------------------------------------------------------------- null data


@scenario
def s_null_data_create(env: Env) -> Any:
    env.client.create("/n", None)
    return env.client.get("/n")


@scenario
def s_null_data_set(env: Env) -> Any:
    zk = env.client
    zk.create("/n", b"x")
    zk.set("/n", None)
    return zk.get("/n")


@scenario
def s_empty_data_default(env: Env) -> Any:
    env.client.create("/e")
    return env.client.get("/e")


@scenario
def s_empty_vs_null(env: Env) -> Any:
    zk = env.client
    zk.create("/empty", b"")
    zk.create("/null", None)
    return zk.get("/empty")[0], zk.get("/null")[0]


@scenario
def s_ensure_path_data(env: Env) -> Any:
    env.client.ensure_path("/a/b")
    return env.tree()


@scenario
def s_makepath_parent_data(env: Env) -> Any:
    env.client.create("/p/q/r", b"leaf", makepath=True)
    return env.tree()


@scenario
def s_null_data_transaction(env: Env) -> Any:
    tx = env.client.transaction()
    return catch(tx.create, "/n", None), catch(tx.set_data, "/n", None)


@scenario
def s_null_data_watch(env: Env) -> Any:
    ns, zk = env.ns, env.client
    zk.create("/n", b"x")
    seen = env.recorder()
    ns.DataWatch(zk, "/n", lambda data, stat: seen.add(data))
    seen.wait_count(1)
    zk.set("/n", None)
    return seen.wait_count(2)


@scenario
def s_sequence_at_chroot_root(env: Env) -> Any:
    zk = env.client
    return zk.create("/", b"", sequence=True), zk.create("", sequence=True), sorted(zk.get_children("/"))


@scenario(differs="a control character in a read's path is refused before sending "
          "(InvalidPathCharacterError, a BadArgumentsError and a ValueError); kazoo sends it, "
          "the server checks only writes (None)")
def s_control_character_read(env: Env) -> Any:
    return catch(env.client.exists, "/a\x01b")


@scenario(differs="delete('/', recursive=True) under a chroot empties the chroot and keeps its node; "
          "kazoo deletes the chroot node too")
def s_recursive_delete_of_chroot(env: Env) -> Any:
    zk = env.client
    zk.create("/a/b", makepath=True)
    zk.delete("/", recursive=True)
    return zk.exists("/") is not None
