"""Differential scenarios: handlers, retry, connection drops."""

from __future__ import annotations

from typing import Any

from _compat_harness import WAIT, Env, catch, scenario

# ------------------------------------------------------------ handlers


@scenario
def s_handler_attributes(env: Env) -> Any:
    h = env.client.handler
    return (h.name, h.running, h.timeout_exception is env.ns.KazooTimeoutError
            if env.handler_name == "threading" else True, callable(h.sleep_func))


@scenario
def s_handler_primitives(env: Env) -> Any:
    h = env.client.handler
    event, lock, rlock = h.event_object(), h.lock_object(), h.rlock_object()
    with lock:
        pass
    with rlock, rlock:
        pass
    event.set()
    return event.is_set(), event.wait(0)


@scenario
def s_handler_spawn(env: Env) -> Any:
    h = env.client.handler
    done = h.event_object()
    out: list[int] = []
    worker = h.spawn(lambda x: (out.append(x), done.set()), 5)
    done.wait(WAIT)
    worker.join(WAIT)
    return out


@scenario
def s_handler_dispatch_callback(env: Env) -> Any:
    h, rec = env.client.handler, env.recorder()
    h.dispatch_callback(env.ns.Callback("watch", rec.add, ("w",)))
    h.dispatch_callback(env.ns.Callback("session", rec.add, ("s",)))
    return sorted(rec.wait_count(2))


@scenario(handlers=("threading",))
def s_handler_queues(env: Env) -> Any:
    h, rec = env.client.handler, env.recorder()
    h.callback_queue.put(lambda: rec.add("callback"))
    h.completion_queue.put(lambda: rec.add("completion"))
    empty = catch(h.queue_impl().get_nowait)
    return sorted(rec.wait_count(2)), isinstance(empty, h.queue_empty)


@scenario
def s_handler_sockets(env: Env) -> Any:
    h = env.client.handler
    host, port = env.hosts.split(",")[0].rsplit(":", 1)
    sock = h.create_connection((host, int(port)), timeout=WAIT)
    readable, writable, _ = h.select([], [sock], [], WAIT)
    sock.close()
    plain = h.socket()
    plain.close()
    return len(readable), len(writable)


@scenario
def s_handler_start_stop(env: Env) -> Any:
    h = env.handler()
    before = h.running
    h.start()
    during = h.running
    h.stop()
    return before, during, h.running


@scenario
def s_handler_sleep(env: Env) -> Any:
    return env.client.handler.sleep_func(0) is None


# ------------------------------------------------------------ retry


@scenario
def s_retry_force_retry(env: Env) -> Any:
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise env.ns.ForceRetryError()
        return "done"

    retry = env.ns.KazooRetry(max_tries=5, delay=0.001, max_jitter=0)
    return retry(flaky), len(calls)


@scenario
def s_retry_gives_up(env: Env) -> Any:
    def always() -> None:
        raise env.ns.ForceRetryError()

    return catch(env.ns.KazooRetry(max_tries=2, delay=0.001, max_jitter=0), always)


@scenario
def s_retry_connection_loss(env: Env) -> Any:
    calls: list[int] = []

    def lossy() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise env.ns.ConnectionLoss()
        return len(calls)

    return env.ns.KazooRetry(max_tries=3, delay=0.001, max_jitter=0)(lossy)


@scenario
def s_retry_other_errors_not_retried(env: Env) -> Any:
    calls: list[int] = []

    def failing() -> None:
        calls.append(1)
        raise env.ns.NoNodeError()

    return catch(env.ns.KazooRetry(max_tries=3, delay=0.001), failing), len(calls)


@scenario
def s_retry_session_expired(env: Env) -> Any:
    calls: list[int] = []

    def expired() -> None:
        calls.append(1)
        raise env.ns.SessionExpiredError()

    ignore = catch(env.ns.KazooRetry(max_tries=2, delay=0.001, max_jitter=0, ignore_expire=True), expired)
    n = len(calls)
    strict = catch(env.ns.KazooRetry(max_tries=2, delay=0.001, ignore_expire=False), expired)
    return ignore, n, strict, len(calls) - n


@scenario
def s_retry_copy_and_reset(env: Env) -> Any:
    retry = env.ns.KazooRetry(max_tries=4, delay=0.5, backoff=3, max_delay=9)
    copy = retry.copy()
    retry.reset()
    return copy.max_tries, copy.delay, copy.backoff, copy.max_delay, copy is retry


@scenario
def s_retry_interrupt(env: Env) -> Any:
    def always() -> None:
        raise env.ns.ForceRetryError()

    retry = env.ns.KazooRetry(max_tries=-1, delay=0.05, max_jitter=0, interrupt=lambda: True)
    return catch(retry, always)


@scenario
def s_client_retry(env: Env) -> Any:
    zk = env.client
    zk.create("/r", b"v")
    return zk.retry(zk.get, "/r")[0], catch(zk.retry, zk.get, "/missing")


@scenario(handlers=("threading",))  # kazoo's gevent handler differs: see client_with_retry_options_gevent
def s_client_with_retry_options(env: Env) -> Any:
    zk = env.new_client(connection_retry={"max_tries": 3, "delay": 0.01},
                        command_retry={"max_tries": 2, "delay": 0.01})
    return zk.connected, zk.retry(zk.exists, "/") is not None


# kazoo's gevent handler is a different object (gevent's own results and queues); ours is the
# same as the threading one with greenlets. Two observable consequences, asserted:


@scenario(handlers=("gevent",), differs="gevent handler: connection_retry/command_retry dicts work "
          "(kazoo: ConfigurationError, its retry sleeps with time.sleep)")
def s_client_with_retry_options_gevent(env: Env) -> Any:
    zk = env.new_client(connection_retry={"max_tries": 3, "delay": 0.01})
    return zk.connected


@scenario(handlers=("gevent",), differs="gevent handler: results are zkrecipes' AsyncResult (wait() "
          "answers False and get() raises KazooTimeoutError on timeout; kazoo: None and gevent.Timeout)")
def s_async_result_timeout_gevent(env: Env) -> Any:
    result = env.client.handler.async_result()
    return result.wait(0.01), catch(result.get, timeout=0.01)


# ------------------------------------------------------------ connection drops


def _drop(env: Env, zk: Any, states: Any) -> None:
    """Cut the client's connection at the proxy; wait until it is back (SUSPENDED, CONNECTED)."""
    env.proxy.close_connections()
    states.wait_for(lambda items: items[-2:] == ["SUSPENDED", "CONNECTED"])


@scenario
def s_drop_and_reconnect_states(env: Env) -> Any:
    zk = env.new_client(proxied=True)
    states = env.recorder(zk)
    zk.add_listener(states)
    session = zk.client_id[0]
    _drop(env, zk, states)
    return states.snapshot(), zk.client_id[0] == session, zk.state


@scenario
def s_ephemeral_survives_a_drop(env: Env) -> Any:
    zk = env.new_client(proxied=True)
    states = env.recorder(zk)
    zk.add_listener(states)
    zk.create("/eph", b"", ephemeral=True)
    _drop(env, zk, states)
    return zk.exists("/eph") is not None, zk.get_children("/")


@scenario
def s_requests_after_a_drop(env: Env) -> Any:
    zk = env.new_client(proxied=True)
    states = env.recorder(zk)
    zk.add_listener(states)
    _drop(env, zk, states)
    return zk.create("/after", b"x"), zk.get("/after")[0]


@scenario(differs="watches set before a reconnect are re-registered (SetWatches), so a change made "
          "while disconnected fires them; kazoo does not re-register them")
def s_watch_survives_a_drop(env: Env) -> Any:
    zk = env.new_client(proxied=True)
    states, events = env.recorder(zk), env.recorder(zk)
    zk.add_listener(states)
    zk.create("/w")
    zk.get("/w", watch=events)
    _drop(env, zk, states)
    env.client.set("/w", b"changed")
    zk.create("/fence")
    zk.exists("/fence2", watch=events)
    zk.create("/fence2")
    return events.wait_for(lambda items: any(e.path == "/fence2" for e in items))
