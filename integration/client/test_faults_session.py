"""Real faults through the harness: stalls, expiry, listeners that call the client,
protected creates interrupted by a dropped connection.

Clients under test connect through the ``fault_proxy`` (a loopback TCP proxy in
front of the session's server); helpers and "other" clients connect directly.
Every wait is on an event with a bound.
"""

from __future__ import annotations

from typing import Any

import pytest
from _client_helpers import (
    WAIT,
    InjectingProxy,
    Recorder,
    StateRecorder,
    proxy_drop,
    proxy_pass,
    proxy_stall,
    wait_held,
    watch_recorder,
)

from zkrecipes import EventType, ZkState
from zkrecipes import exceptions as exc

#: Session timeout for the "short stall" test: the client notices the stall
#: after 2/3 of it and the server expires the session no earlier than the whole
#: of it after the last ping, leaving a third of it for the test to resume.
SHORT_STALL_TIMEOUT = 8.0
#: Session timeout where the test waits for the session to be lost.
LOST_TIMEOUT = 4.0


def test_short_stall_suspends_then_resumes_same_session_and_restores_watch(
        fault_proxy: Any, zk_client_factory: Any) -> None:
    client = zk_client_factory(fault_proxy.hosts, timeout=SHORT_STALL_TIMEOUT)
    other = zk_client_factory()
    states = StateRecorder(client)
    client.create("/watched", b"before")
    client.create("/eph", b"", ephemeral=True)
    events = watch_recorder(client)
    client.get("/watched", watch=events)
    session = client.client_id

    proxy_stall(fault_proxy)
    other.set("/watched", b"changed during the stall")
    after_suspend = states.wait_state(ZkState.SUSPENDED)
    assert client.connected is False
    proxy_pass(fault_proxy)
    states.wait_state(ZkState.CONNECTED, after_suspend)

    assert ZkState.LOST not in states.items
    assert client.client_id == session
    (event,) = events.wait_count(1)
    assert (event.type, event.path) == (EventType.CHANGED, "/watched")
    assert client.get("/watched")[0] == b"changed during the stall"
    stat = other.exists("/eph")
    assert stat is not None and stat.ephemeralOwner == session[0]


def test_long_stall_loses_session_and_opens_a_new_one(fault_proxy: Any, zk_client_factory: Any) -> None:
    client = zk_client_factory(fault_proxy.hosts, timeout=LOST_TIMEOUT)
    other = zk_client_factory()
    states = StateRecorder(client)
    client.create("/eph", b"", ephemeral=True)
    old_session = client.client_id[0]

    proxy_stall(fault_proxy)
    stalled = client.get_async("/eph")
    after_lost = states.wait_state(ZkState.LOST)
    assert ZkState.SUSPENDED in states.items[: after_lost - 1]
    assert stalled.wait(WAIT)
    assert isinstance(stalled.exception, exc.ConnectionLoss | exc.SessionExpiredError)
    proxy_pass(fault_proxy)
    states.wait_state(ZkState.CONNECTED, after_lost)

    assert client.client_id[0] != old_session
    # The old session's ephemeral is gone (the server expired that session).
    gone = watch_recorder(other)
    if other.exists("/eph", watch=gone) is not None:
        assert gone.wait_count(1)[0].type == EventType.DELETED
    assert client.create("/eph", b"", ephemeral=True) == "/eph"
    assert client.exists("/eph").ephemeralOwner == client.client_id[0]


def test_resume_by_client_id_then_real_expiry(fault_proxy: Any, zk_client_factory: Any) -> None:
    client = zk_client_factory(fault_proxy.hosts, timeout=SHORT_STALL_TIMEOUT)
    states = StateRecorder(client)
    client.create("/eph", b"", ephemeral=True)
    session_id, password = client.client_id

    proxy_stall(fault_proxy)
    stalled = client.get_async("/eph")
    twin = zk_client_factory(client_id=(session_id, password), timeout=SHORT_STALL_TIMEOUT)
    # Resumed: the same session, which owns the ephemeral created by the first client.
    assert twin.client_id[0] == session_id
    stat = twin.exists("/eph")
    assert stat is not None and stat.ephemeralOwner == session_id
    twin.stop()  # closes the shared session on the server: a real expiry for `client`

    proxy_pass(fault_proxy)
    after_lost = states.wait_state(ZkState.LOST)
    states.wait_state(ZkState.CONNECTED, after_lost)
    assert client.client_id[0] != session_id
    assert client.exists("/eph") is None
    assert stalled.wait(WAIT)
    assert isinstance(stalled.exception, exc.ConnectionLoss | exc.SessionExpiredError)
    assert client.create("/after", b"") == "/after"


def test_wrong_session_password_gets_a_fresh_session(zk_client: Any, zk_client_factory: Any) -> None:
    session_id, password = zk_client.client_id
    wrong = bytes(b ^ 0xFF for b in password)
    impostor = zk_client_factory(client_id=(session_id, wrong))
    # The server refuses to resume with a wrong password; the client opens a new session.
    assert impostor.connected and impostor.client_id[0] != session_id
    assert impostor.create("/mine", b"", ephemeral=True) == "/mine"
    # The server cuts the owner's connection when another one presents its session
    # id (before checking the password); the owner keeps its session throughout
    # (client_id reports it while SUSPENDED too) and reconnects to it.
    assert zk_client.client_id == (session_id, password)
    assert zk_client.retry(zk_client.exists, "/mine").ephemeralOwner == impostor.client_id[0]
    assert zk_client.connected and zk_client.client_id == (session_id, password)


@pytest.mark.parametrize("trigger", ["drop", "stall"])
def test_state_listener_calling_client_synchronously_does_not_deadlock(
        fault_proxy: Any, zk_client_factory: Any, trigger: str) -> None:
    client = zk_client_factory(fault_proxy.hosts, timeout=SHORT_STALL_TIMEOUT)
    client.create("/x", b"payload")
    outcomes: Recorder[tuple[ZkState, object]] = Recorder(client)

    def listener(state: ZkState) -> None:
        try:
            value: object = client.get("/x")[0]
        except exc.ZkException as error:
            value = type(error)
        outcomes((state, value))

    client.add_listener(listener)
    if trigger == "drop":
        proxy_drop(fault_proxy)
    else:
        proxy_stall(fault_proxy)
        outcomes.wait_for(lambda items: any(s == ZkState.SUSPENDED for s, _ in items)
                          or client.state == ZkState.SUSPENDED, message="SUSPENDED")
        proxy_pass(fault_proxy)
    got = outcomes.wait_for(lambda items: (ZkState.CONNECTED, b"payload") in items,
                            message="listener's get() on CONNECTED")
    suspended = [value for state, value in got if state == ZkState.SUSPENDED]
    assert suspended, got
    assert all(v in (b"payload", exc.ConnectionLoss, exc.SessionExpiredError) for v in suspended)
    assert client.get("/x")[0] == b"payload"


# ------------------------------------------------------------ protected creates
# A protected create whose connection drops ends with exactly one node (found
# again by its GUID, or created anew), or with ConnectionLoss carrying the GUID
# and no node.

PROTECTED = "_c_"


def _guid_children(client: Any, parent: str, guid: str) -> list[str]:
    return [name for name in client.get_children(parent) if name.startswith(f"{PROTECTED}{guid}-")]


def _guid_of(path: str) -> str:
    name = path.rsplit("/", 1)[1]
    assert name.startswith(PROTECTED), name
    return name[len(PROTECTED):].split("-", 1)[0]


def test_protected_create_dropped_before_the_server_saw_it_is_made_once(
        fault_proxy: Any, zk_client_factory: Any, zk_chroot: str) -> None:
    client = zk_client_factory(fault_proxy.hosts, timeout=SHORT_STALL_TIMEOUT)
    other = zk_client_factory()
    states = StateRecorder(client)
    client.ensure_path("/locks")
    session = client.client_id

    proxy_stall(fault_proxy)
    result = client.create_async("/locks/lock-", b"me", ephemeral=True, sequence=True, protected=True)
    wait_held(client, fault_proxy, f"{zk_chroot}/locks/{PROTECTED}".encode())
    fault_proxy.drop()  # the held create is discarded with the connection
    proxy_pass(fault_proxy)

    path = result.get(timeout=WAIT)
    guid = _guid_of(path)
    assert _guid_children(other, "/locks", guid) == [path.rsplit("/", 1)[1]]
    stat = other.exists(path)
    assert stat is not None and stat.ephemeralOwner == session[0]
    assert client.client_id == session
    assert ZkState.SUSPENDED in states.items and ZkState.LOST not in states.items


def test_protected_create_whose_reply_was_lost_is_found_not_duplicated(
        zk_hosts: str, zk_client_factory: Any) -> None:
    with InjectingProxy(zk_hosts) as proxy:
        client = zk_client_factory(proxy.hosts, timeout=SHORT_STALL_TIMEOUT)
        other = zk_client_factory()
        client.ensure_path("/locks")
        session = client.client_id
        appeared = watch_recorder(other)
        assert other.get_children("/locks", watch=appeared) == []

        assert proxy.swallow_replies() == 1  # the server applies requests; replies vanish
        result = client.create_async("/locks/lock-", b"me", ephemeral=True, sequence=True,
                                     protected=True)
        appeared.wait_count(1)  # the server made the node
        (name,) = other.get_children("/locks")
        proxy.close_connections()  # the client never saw the reply

        path = result.get(timeout=WAIT)
        assert path == f"/locks/{name}"  # adopted, not created again
        assert other.get_children("/locks") == [name]
        stat = other.exists(path)
        assert stat is not None and stat.ephemeralOwner == session[0]
        assert client.client_id == session


def test_protected_create_gives_up_with_its_guid_when_the_session_is_lost(
        fault_proxy: Any, zk_client_factory: Any, zk_chroot: str) -> None:
    client = zk_client_factory(fault_proxy.hosts, timeout=LOST_TIMEOUT)
    other = zk_client_factory()
    states = StateRecorder(client)
    client.ensure_path("/locks")

    proxy_stall(fault_proxy)
    result = client.create_async("/locks/lock-", b"me", ephemeral=True, sequence=True, protected=True)
    wait_held(client, fault_proxy, f"{zk_chroot}/locks/{PROTECTED}".encode())
    fault_proxy.drop()  # and refuse reconnects until the session is lost
    after_lost = states.wait_state(ZkState.LOST)
    assert result.wait(WAIT)
    error = result.exception
    assert isinstance(error, exc.ProtectedCreateLost) and isinstance(error, exc.ConnectionLoss)
    assert error.protected_parent == "/locks"
    guid = error.protected_guid
    assert len(guid) == 32 and error.protected_prefix == f"{PROTECTED}{guid}-"

    proxy_pass(fault_proxy)
    states.wait_state(ZkState.CONNECTED, after_lost)
    assert _guid_children(other, "/locks", guid) == []  # not at all
