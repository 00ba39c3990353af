"""Scenarios: transactions, state listeners and client states, async results, handlers, retry."""

from __future__ import annotations

from typing import Any

from _compat_harness import WAIT, Env, catch, scenario

# ------------------------------------------------------------ transactions


@scenario
def s_transaction_commit(env: Env) -> Any:
    zk = env.client
    zk.create("/old", b"o")
    tx = zk.transaction()
    tx.create("/new", b"n")
    tx.set_data("/old", b"p")
    tx.check("/old", 0)
    tx.delete("/new")
    return tx.commit(), env.tree()


@scenario
def s_transaction_failure_results(env: Env) -> Any:
    zk = env.client
    zk.create("/a")
    tx = zk.transaction()
    tx.create("/b")
    tx.set_data("/a", b"x", version=7)
    tx.create("/c")
    return tx.commit(), env.tree()


@scenario
def s_transaction_failed_check(env: Env) -> Any:
    zk = env.client
    zk.create("/a")
    tx = zk.transaction()
    tx.check("/a", 3)
    tx.create("/b")
    return tx.commit()


@scenario
def s_transaction_missing_node(env: Env) -> Any:
    tx = env.client.transaction()
    tx.delete("/missing")
    return tx.commit()


@scenario
def s_transaction_context_manager(env: Env) -> Any:
    zk = env.client
    with zk.transaction() as tx:
        tx.create("/x", b"1")
        tx.create("/x/y")
    return env.tree()


@scenario
def s_transaction_commit_async(env: Env) -> Any:
    tx = env.client.transaction()
    tx.create("/a")
    return tx.commit_async().get(timeout=WAIT)


@scenario
def s_transaction_empty(env: Env) -> Any:
    return env.client.transaction().commit()


@scenario
def s_transaction_sequence(env: Env) -> Any:
    env.client.create("/q")
    tx = env.client.transaction()
    tx.create("/q/n-", sequence=True)
    tx.create("/q/n-", sequence=True)
    return tx.commit()


@scenario
def s_transaction_ephemeral(env: Env) -> Any:
    tx = env.client.transaction()
    tx.create("/e", ephemeral=True)
    tx.commit()
    return env.client.exists("/e")


@scenario
def s_transaction_commit_twice(env: Env) -> Any:
    tx = env.client.transaction()
    tx.create("/a")
    tx.commit()
    return catch(tx.commit)


@scenario
def s_transaction_add_after_commit(env: Env) -> Any:
    tx = env.client.transaction()
    tx.commit()
    return catch(tx.create, "/late")


@scenario
def s_transaction_bad_arguments(env: Env) -> Any:
    tx = env.client.transaction()
    return catch(tx.create, 1), catch(tx.delete, "/a", version="x"), catch(tx.check, "/a", None)


# ------------------------------------------------------------ states


@scenario
def s_states_after_start(env: Env) -> Any:
    zk = env.client
    return zk.state, zk.connected, zk.client_state


@scenario
def s_states_before_start(env: Env) -> Any:
    zk = env.new_client(start=False)
    return zk.state, zk.connected, zk.client_state


@scenario
def s_listener_sequence_stop(env: Env) -> Any:
    zk = env.new_client()
    rec = env.recorder(zk)
    zk.add_listener(rec)
    zk.stop()
    return rec.wait_count(1), zk.state, zk.client_state


@scenario
def s_listener_sequence_start(env: Env) -> Any:
    zk = env.new_client(start=False)
    rec = env.recorder(zk)
    zk.add_listener(rec)
    zk.start(timeout=WAIT)
    return rec.wait_count(1)


@scenario
def s_listener_restart(env: Env) -> Any:
    zk = env.new_client()
    rec = env.recorder(zk)
    zk.add_listener(rec)
    zk.restart()
    return rec.wait_count(2), zk.state


@scenario
def s_listener_no_repeat(env: Env) -> Any:
    zk = env.new_client(start=False)
    rec = env.recorder(zk)
    zk.add_listener(rec)
    zk.start(timeout=WAIT)
    zk.start(timeout=WAIT)
    rec.wait_count(1)
    zk.stop()
    zk.stop()
    return rec.wait_count(2)


@scenario
def s_remove_listener(env: Env) -> Any:
    zk = env.new_client()
    rec = env.recorder(zk)
    zk.add_listener(rec)
    zk.remove_listener(rec)
    marker = env.recorder(zk)
    zk.add_listener(marker)
    zk.stop()
    marker.wait_count(1)
    return rec.snapshot()


@scenario
def s_listener_returning_true_is_removed(env: Env) -> Any:
    zk = env.new_client(start=False)
    rec = env.recorder(zk)

    def once(state: Any) -> bool:
        rec.add(state)
        return True

    zk.add_listener(once)
    zk.start(timeout=WAIT)
    rec.wait_count(1)
    marker = env.recorder(zk)
    zk.add_listener(marker)
    zk.stop()
    marker.wait_count(1)
    return rec.snapshot()


@scenario
def s_kazoo_state_values(env: Env) -> Any:
    ns = env.ns
    return (ns.KazooState.CONNECTED, ns.KazooState.SUSPENDED, ns.KazooState.LOST,
            ns.KazooState.CONNECTED == "CONNECTED", ns.KeeperState.EXPIRED_SESSION,
            ns.KeeperState.CONNECTED_RO, ns.EventType.CHILD)


@scenario
def s_client_id(env: Env) -> Any:
    zk = env.new_client(start=False)
    before = zk.client_id
    zk.start(timeout=WAIT)
    session, password = zk.client_id
    return before, type(session).__name__, len(password)


@scenario
def s_ephemeral_owner(env: Env) -> Any:
    zk = env.client
    zk.create("/eph", ephemeral=True)
    return zk.exists("/eph").ephemeralOwner == zk.client_id[0]


@scenario
def s_ephemeral_gone_after_stop(env: Env) -> Any:
    first = env.new_client()
    first.create("/eph", ephemeral=True)
    first.stop()
    return env.client.exists("/eph")


@scenario
def s_close_after_stop(env: Env) -> Any:
    zk = env.new_client()
    zk.stop()
    zk.close()
    return zk.connected, zk.state


@scenario
def s_start_async(env: Env) -> Any:
    zk = env.new_client(start=False)
    event = zk.start_async()
    event.wait(WAIT)
    return event.is_set(), zk.connected


@scenario(handlers=("threading",))
def s_start_timeout(env: Env) -> Any:
    zk = env.ns.KazooClient("127.0.0.1:9", handler=env.handler(), connection_retry={"max_tries": 1})
    env.clients.append(zk)
    return catch(zk.start, timeout=0.3), zk.connected


# ------------------------------------------------------------ async results


@scenario
def s_async_get(env: Env) -> Any:
    zk = env.client
    zk.create("/a", b"v")
    return zk.get_async("/a").get(timeout=WAIT)


@scenario
def s_async_exception(env: Env) -> Any:
    result = env.client.get_async("/missing")
    result.wait(WAIT)
    return result.successful(), result.ready(), result.exception, catch(result.get)


@scenario
def s_async_rawlink(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    result = zk.create_async("/a", b"")
    result.rawlink(lambda r: rec.add(r.get()))
    return rec.wait_count(1)


@scenario
def s_async_create_exists(env: Env) -> Any:
    zk = env.client
    return zk.create_async("/a").get(timeout=WAIT), zk.exists_async("/a").get(timeout=WAIT), \
        zk.exists_async("/b").get(timeout=WAIT)


@scenario
def s_async_set_delete(env: Env) -> Any:
    zk = env.client
    zk.create("/a")
    return zk.set_async("/a", b"1").get(timeout=WAIT), zk.delete_async("/a").get(timeout=WAIT)


@scenario
def s_async_children_acls(env: Env) -> Any:
    zk = env.client
    zk.create("/p/c", makepath=True)
    acls, stat = zk.get_acls_async("/p").get(timeout=WAIT)
    return zk.get_children_async("/p").get(timeout=WAIT), len(acls), stat


@scenario
def s_async_ensure_path(env: Env) -> Any:
    zk = env.client
    return zk.ensure_path_async("/x/y").get(timeout=WAIT), zk.ensure_path_async("/x/y").get(timeout=WAIT)


@scenario
def s_async_sync(env: Env) -> Any:
    return env.client.sync_async("/").get(timeout=WAIT)


@scenario(handlers=("threading",))
def s_async_result_direct(env: Env) -> Any:
    cls = env.ns.gevent_AsyncResult if env.handler_name == "gevent" else env.ns.AsyncResult
    result = cls(env.client.handler)
    before = result.ready()
    result.set(42)
    return before, result.ready(), result.successful(), result.get(), result.value


@scenario
def s_async_result_exception_direct(env: Env) -> Any:
    result = env.client.handler.async_result()
    result.set_exception(ValueError("boom"))
    return result.successful(), catch(result.get), type(result.exception).__name__


@scenario(handlers=("threading",))  # kazoo's gevent handler differs: see async_result_timeout_gevent
def s_async_result_timeout(env: Env) -> Any:
    result = env.client.handler.async_result()
    return result.wait(0.01), catch(result.get, timeout=0.01), catch(result.get, block=False)


@scenario(handlers=("threading",))
def s_async_result_get_nowait(env: Env) -> Any:
    result = env.client.handler.async_result()
    first = catch(result.get_nowait)
    result.set("x")
    return first, result.get_nowait()


@scenario
def s_async_result_unlink(env: Env) -> Any:
    result = env.client.handler.async_result()
    seen = env.recorder()

    def dropped(r: Any) -> None:
        seen.add("dropped")

    result.rawlink(dropped)
    result.unlink(dropped)
    result.rawlink(lambda r: seen.add(r.value))
    result.set(1)
    return seen.wait_count(1)
