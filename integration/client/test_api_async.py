"""Every *_async twin returns the handler's AsyncResult with the sync method's result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from _client_helpers import WAIT, Recorder

from zkrecipes import ZnodeStat
from zkrecipes import exceptions as exc
from zkrecipes.security import OPEN_ACL_UNSAFE, make_digest_acl


def test_async_twins_match_sync_results(zk_client: Any) -> None:
    c = zk_client
    assert c.create_async("/a", b"1").get(timeout=WAIT) == "/a"
    path, stat = c.create_async("/b", b"22", include_data=True).get(timeout=WAIT)
    assert path == "/b" and isinstance(stat, ZnodeStat) and stat.dataLength == 2
    assert c.create_async("/m/n/o", b"", makepath=True).get(timeout=WAIT) == "/m/n/o"
    assert c.ensure_path_async("/e/f").get(timeout=WAIT) in (True, None, "/e/f")
    assert c.exists("/e/f") is not None

    data, stat = c.get_async("/a").get(timeout=WAIT)
    assert data == b"1" and stat == c.get("/a")[1]
    assert c.exists_async("/a").get(timeout=WAIT) == c.exists("/a")
    assert c.exists_async("/none").get(timeout=WAIT) is None
    new_stat = c.set_async("/a", b"2").get(timeout=WAIT)
    assert new_stat.version == 1 and c.get("/a")[0] == b"2"

    assert sorted(c.get_children_async("/m").get(timeout=WAIT)) == ["n"]
    children, pstat = c.get_children_async("/m", include_data=True).get(timeout=WAIT)
    assert children == ["n"] and pstat.numChildren == 1

    acls, astat = c.get_acls_async("/a").get(timeout=WAIT)
    assert list(acls) == list(OPEN_ACL_UNSAFE) and astat.aversion == 0
    set_stat = c.set_acls_async("/a", OPEN_ACL_UNSAFE, version=0).get(timeout=WAIT)
    assert set_stat.aversion == 1

    assert c.sync_async("/a").get(timeout=WAIT) == "/a"
    c.delete_async("/b").get(timeout=WAIT)
    assert c.exists("/b") is None

    assert c.add_auth_async("digest", "u:p").get(timeout=WAIT) in (True, None)
    c.create("/authed", b"", acl=[make_digest_acl("u", "p", all=True)])
    assert c.get("/authed")[0] == b""
    c.delete("/authed")

    tx = c.transaction()
    tx.create("/tx", b"t")
    tx.delete("/a")
    assert tx.commit_async().get(timeout=WAIT) == ["/tx", True]


def test_async_errors_are_stored_in_the_result(zk_client: Any) -> None:
    c = zk_client
    cases = [
        (c.get_async("/missing"), exc.NoNodeError),
        (c.set_async("/missing", b""), exc.NoNodeError),
        (c.delete_async("/missing"), exc.NoNodeError),
        (c.get_children_async("/missing"), exc.NoNodeError),
        (c.get_acls_async("/missing"), exc.NoNodeError),
        (c.create_async("/missing/child", b""), exc.NoNodeError),
    ]
    for result, error in cases:
        assert result.wait(WAIT)
        assert not result.successful()
        assert isinstance(result.exception, error)
        with pytest.raises(error):
            result.get(timeout=WAIT)


def test_bad_input_in_async_variant_raises_the_same_errors(zk_client: Any) -> None:
    cases: list[tuple[Callable[[], Any], type[Exception]]] = [
        (lambda: zk_client.create_async("/a/../b", b""), exc.InvalidPathError),  # issue 10: "nope" is "/nope"
        (lambda: zk_client.get_async(3), exc.InvalidTypeError),
        (lambda: zk_client.set_async("/x", "str"), exc.InvalidTypeError),
    ]
    for call, error in cases:
        # Validation is done once for both variants: it raises at the call
        # or is stored in the returned result; either way the error is specific.
        try:
            result = call()
        except error:
            continue
        with pytest.raises(error):
            result.get(timeout=WAIT)


def test_rawlink_callback_runs_with_result(zk_client: Any) -> None:
    zk_client.create("/linked", b"payload")
    seen: Recorder[Any] = Recorder(zk_client)
    result = zk_client.get_async("/linked")
    result.rawlink(seen)
    (linked,) = seen.wait_count(1)
    assert linked is result and linked.get(timeout=WAIT)[0] == b"payload"

    # Linking to an already completed result still runs the callback once.
    late: Recorder[Any] = Recorder(zk_client)
    result.rawlink(late)
    late.wait_count(1)
    assert len(late.items) == 1


def test_completion_callback_may_call_the_client_synchronously(zk_client: Any) -> None:
    zk_client.create("/outer", b"o")
    zk_client.create("/inner", b"i")
    seen: Recorder[bytes] = Recorder(zk_client)

    def on_done(result: Any) -> None:
        seen(result.get()[0] + zk_client.get("/inner")[0])

    zk_client.get_async("/outer").rawlink(on_done)
    assert seen.wait_count(1) == [b"oi"]


def test_pipelined_async_requests_complete_in_order(zk_client: Any) -> None:
    zk_client.create("/pipe")
    results = [zk_client.create_async(f"/pipe/n{i}", str(i).encode()) for i in range(500)]
    assert [r.get(timeout=WAIT) for r in results] == [f"/pipe/n{i}" for i in range(500)]
    gets = [zk_client.get_async(f"/pipe/n{i}") for i in range(500)]
    assert [g.get(timeout=WAIT)[0] for g in gets] == [str(i).encode() for i in range(500)]


def test_watch_management_async_twins(zk_client: Any) -> None:
    from zkrecipes import AddWatchMode, WatcherType

    zk_client.create("/aw")
    events: Recorder[Any] = Recorder(zk_client)
    zk_client.add_watch_async("/aw", events, AddWatchMode.PERSISTENT).get(timeout=WAIT)
    zk_client.set("/aw", b"1")
    events.wait_count(1)
    assert zk_client.remove_watches_async("/aw", events, WatcherType.ANY).get(timeout=WAIT) in (True, None)
    one_shot: Recorder[Any] = Recorder(zk_client)
    zk_client.get("/aw", watch=one_shot)
    assert zk_client.remove_all_watches_async("/aw", WatcherType.DATA).get(timeout=WAIT) in (True, None)
    zk_client.set("/aw", b"2")
    fence_events: Recorder[Any] = Recorder(zk_client)
    zk_client.exists("/fence", watch=fence_events)
    zk_client.create("/fence")
    fence_events.wait_count(1)
    assert len(events.items) == 1 and one_shot.items == []


def test_multi_read_commit_async(zk_client: Any) -> None:
    zk_client.create("/mra", b"z")
    reader = zk_client.multi_read()
    reader.get("/mra")
    reader.get_children("/mra")
    assert reader.commit_async().get(timeout=WAIT)[0][0] == b"z"


def test_reconfig_async_on_standalone_fails_in_result(zk_client: Any) -> None:
    result = zk_client.reconfig_async(None, "99", None, -1)
    assert result.wait(WAIT) and not result.successful()
    assert isinstance(result.exception, exc.ZookeeperError)


def test_start_async_returns_event_set_when_connected(zk_client_factory: Any) -> None:
    client = zk_client_factory(start=False)
    live = client.start_async()
    assert live.wait(WAIT)
    assert client.connected and client.get("/")[1] is not None
