"""Scenarios: argument errors (the classes kazoo raises) and the exceptions module."""

from __future__ import annotations

from typing import Any

from _compat_harness import Env, catch, scenario


@scenario
def s_value_must_be_bytes(env: Env) -> Any:
    return catch(env.client.create, "/a", "text"), catch(env.client.set, "/a", 12)


@scenario
def s_version_must_be_int(env: Env) -> Any:
    env.client.create("/a")
    return catch(env.client.set, "/a", b"", version="1"), catch(env.client.delete, "/a", version=1.5)


@scenario
def s_watch_must_be_callable(env: Env) -> Any:
    return catch(env.client.get, "/", watch="no"), catch(env.client.exists, "/", watch=1)


@scenario
def s_children_watch_must_be_callable(env: Env) -> Any:
    return catch(env.client.get_children, "/", watch=object())


@scenario
def s_bool_flags_checked(env: Env) -> Any:
    zk = env.client
    return (catch(zk.create, "/a", ephemeral="yes"), catch(zk.create, "/a", sequence=1),
            catch(zk.create, "/a", makepath=None), catch(zk.get_children, "/", include_data="x"))


@scenario
def s_recursive_flag_checked(env: Env) -> Any:
    return catch(env.client.delete, "/a", recursive="yes")


@scenario
def s_acl_type_checked(env: Env) -> Any:
    return catch(env.client.create, "/a", acl="open"), catch(env.client.set_acls, "/", "open")


@scenario
def s_add_auth_types(env: Env) -> Any:
    return catch(env.client.add_auth, 1, "x"), catch(env.client.add_auth, "digest", None)


@scenario
def s_listener_must_be_callable(env: Env) -> Any:
    return catch(env.client.add_listener, "not callable")


@scenario
def s_exceptions_hierarchy(env: Env) -> Any:
    ns = env.ns
    pairs = [("NoNodeError", "ZookeeperError"), ("ZookeeperError", "KazooException"),
             ("ConnectionLoss", "ZookeeperError"), ("SessionExpiredError", "ZookeeperError"),
             ("ConnectionClosedError", "SessionExpiredError"), ("LockTimeout", "KazooException"),
             ("CancelledError", "KazooException"), ("RolledBackError", "ZookeeperError"),
             ("NotEmptyError", "ZookeeperError"),
             ("RetryFailedError", "KazooException"), ("InterruptedError", "RetryFailedError"),
             ("WriterNotClosedException", "KazooException"), ("ConfigurationError", "KazooException")]
    return [issubclass(getattr(ns, a), getattr(ns, b)) for a, b in pairs]


@scenario(differs="every zkrecipes exception is a KazooException (ZkException), ForceRetryError too")
def s_force_retry_is_kazoo_exception(env: Env) -> Any:
    return issubclass(env.ns.ForceRetryError, env.ns.KazooException)


@scenario
def s_exception_codes(env: Env) -> Any:
    ns = env.ns
    names = ("RolledBackError", "SystemZookeeperError", "RuntimeInconsistency", "DataInconsistency",
             "ConnectionLoss", "MarshallingError", "UnimplementedError", "OperationTimeoutError",
             "BadArgumentsError", "APIError", "NoNodeError", "NoAuthError", "BadVersionError",
             "NoChildrenForEphemeralsError", "NodeExistsError", "NotEmptyError", "SessionExpiredError",
             "InvalidCallbackError", "InvalidACLError", "AuthFailedError", "SessionMovedError",
             "NotReadOnlyCallError", "NoWatcherError", "ReconfigInProcessError")
    return [getattr(ns, name).code for name in names]


@scenario
def s_exceptions_table(env: Env) -> Any:
    table = env.ns.EXCEPTIONS
    return [table[code].__name__ for code in (0, -4, -101, -110, -112)], catch(lambda: table[12345])


@scenario
def s_exception_aliases(env: Env) -> Any:
    ns = env.ns
    pairs = [("NoNodeException", "NoNodeError"), ("NodeExistsException", "NodeExistsError"),
             ("NotEmptyException", "NotEmptyError"), ("ConnectionLossException", "ConnectionLoss"),
             ("BadVersionException", "BadVersionError"), ("SessionExpiredException", "SessionExpiredError"),
             ("SystemErrorException", "SystemZookeeperError"), ("ApiErrorException", "APIError")]
    return [getattr(ns, a) is getattr(ns, b) for a, b in pairs]


@scenario
def s_exceptions_instances_raised(env: Env) -> Any:
    zk = env.client
    zk.create("/a")
    got = [catch(zk.create, "/a"), catch(zk.get, "/none"), catch(zk.delete, "/", version=99)]
    return [isinstance(e, env.ns.ZookeeperError) for e in got], got


@scenario(handlers=("gevent",), differs="gevent handler: a timed-out get() raises KazooTimeoutError (a "
          "TimeoutError), not gevent.Timeout (a BaseException that 'except Exception' misses)")
def s_timeout_error_class_gevent(env: Env) -> Any:
    return catch(env.client.handler.async_result().get, timeout=0.01)


@scenario(handlers=("threading",))
def s_timeout_error_class(env: Env) -> Any:
    ns = env.ns
    waited = catch(env.client.handler.async_result().get, timeout=0.01)
    return issubclass(ns.KazooTimeoutError, Exception), waited


@scenario
def s_election_func_not_callable(env: Env) -> Any:
    return catch(env.ns.Election(env.client, "/election").run, "not callable")


@scenario
def s_stopped_client_request(env: Env) -> Any:
    zk = env.new_client()
    zk.stop()
    return catch(zk.get, "/"), zk.connected


@scenario
def s_request_before_start(env: Env) -> Any:
    zk = env.new_client(start=False)
    return catch(zk.exists, "/")


@scenario
def s_create_on_root(env: Env) -> Any:
    return catch(env.new_client(chroot=False).create, "/")


@scenario(differs="a version outside -1..2**31-1 is refused before sending (InvalidArgumentError, a "
                  "ValueError); kazoo sends it and the server answers BadVersionError")
def s_bad_ephemeral_in_delete_version(env: Env) -> Any:
    env.client.create("/a", ephemeral=True)
    return catch(env.client.delete, "/a", version=-2)
