"""The CLI's output formatting, error words, dump documents and child supervision (no server)."""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from zkrecipes.cli.dump import FORMAT, load_plan
from zkrecipes.cli.errors import CliError, describe
from zkrecipes.cli.health import parse_mntr, parse_srvr, render
from zkrecipes.cli.nodes import tree_lines
from zkrecipes.cli.output import (
    acl_from_json,
    acl_to_json,
    format_acl,
    format_perms,
    format_stat,
    node_kind,
    parse_acl,
    parse_perms,
    table,
)
from zkrecipes.cli.supervise import CannotRun, Child, exit_status
from zkrecipes.cli.watch import format_event
from zkrecipes.exceptions import BadVersionError, NoAuthError, NodeExistsError, NoNodeError, NotEmptyError
from zkrecipes.security import ACL, Id, Permissions
from zkrecipes.states import EventType, KeeperState, WatchedEvent, ZnodeStat


def _stat(owner: int = 0) -> ZnodeStat:
    return ZnodeStat(2, 3, 0, 0, 1, 0, 0, owner, 5, 0, 4)


@pytest.mark.parametrize(("exc", "words"), [
    (NoNodeError(), "NoNode"), (NodeExistsError(), "NodeExists"), (NoAuthError(), "NoAuth"),
    (BadVersionError(), "BadVersion"), (NotEmptyError(), "Directory not empty"),
])
def test_errors_in_the_java_clients_words(exc: Exception, words: str) -> None:
    assert describe(exc, "/a") == f"KeeperErrorCode = {words} for /a"  # type: ignore[arg-type]
    assert describe(exc) == f"KeeperErrorCode = {words}"  # type: ignore[arg-type]


def test_perms_letters_round_trip() -> None:
    assert format_perms(Permissions.ALL) == "cdrwa"
    assert format_perms(0) == "-"
    assert parse_perms("rw") == Permissions.READ | Permissions.WRITE
    assert parse_perms("ALL") == Permissions.ALL
    with pytest.raises(ValueError):
        parse_perms("rx")


def test_acl_text_and_json_round_trip() -> None:
    digest = ACL(Permissions.ALL, Id("digest", "bob:abc="))
    assert format_acl(digest) == "digest:bob:abc=:cdrwa"
    assert parse_acl("digest:bob:abc=:cdrwa") == digest
    assert parse_acl("ip:::1:r") == ACL(Permissions.READ, Id("ip", "::1"))
    assert acl_from_json(acl_to_json(digest)) == digest
    with pytest.raises(ValueError):
        parse_acl("world")


def test_node_kinds_from_the_ephemeral_owner() -> None:
    assert node_kind(_stat()) == ("persistent", None)
    assert node_kind(_stat(0x1234)) == ("ephemeral", None)
    assert node_kind(_stat(-(1 << 63))) == ("container", None)
    assert node_kind(_stat(-(1 << 56) + 1000)) == ("ttl", 1000)


def test_stat_lines_show_zxids_in_hex() -> None:
    lines = format_stat(_stat(0x10)).splitlines()
    assert lines[0] == "czxid = 0x2" and "ephemeralOwner = 0x10" in lines and "dataLength = 5" in lines


def test_table_pads_columns_and_shows_none_as_dash() -> None:
    assert table(["A", "BB"], [["xyz", None], [1, 2]]).splitlines() == ["A    BB", "xyz  -", "1    2"]


def test_tree_lines_indent_and_pluralise() -> None:
    node = {"path": "/r", "size": 0, "num_children": 1, "children": [
        {"path": "/r/a", "size": 3, "num_children": 0, "children": []}]}
    assert tree_lines(node) == ["/r  [0 B, 1 child]", "  a  [3 B, 0 children]"]


def test_health_parsers_and_table() -> None:
    srvr = ("Zookeeper version: 3.8.4\nLatency min/avg/max: 0/0.5/9\nReceived: 10\nSent: 9\n"
            "Connections: 2\nOutstanding: 0\nZxid: 0x1a\nMode: standalone\nNode count: 7\n")
    assert parse_srvr(srvr) == {"latency": "0/0.5/9", "connections": "2", "outstanding": "0",
                                "zxid": "0x1a", "mode": "standalone", "nodes": "7"}
    assert parse_mntr("zk_version\t3.8\nzk_outstanding_requests\t3\n") == {
        "zk_version": "3.8", "zk_outstanding_requests": "3"}
    text = render([{"host": "h:1", "ok": True, **parse_srvr(srvr)},
                   {"host": "h:2", "ok": False, "error": "Connection refused"}])
    lines = text.splitlines()
    assert lines[1].split() == ["h:1", "yes", "standalone", "0x1a", "0/0.5/9", "2", "0", "7"]
    assert lines[2].split()[:4] == ["h:2", "no", "Connection", "refused"]


def test_watch_event_lines() -> None:
    event = WatchedEvent(EventType.CHANGED, KeeperState.CONNECTED, "/a")
    assert format_event(event, False) == "CHANGED /a"
    assert format_event(event, True) == '{"type": "CHANGED", "path": "/a", "state": "CONNECTED"}'


def test_load_plan_orders_and_skips_ephemerals() -> None:
    doc = {"format": FORMAT, "root": "/src", "nodes": [
        {"path": "", "data": "", "kind": "persistent"}, {"path": "/a", "data": "eA==", "kind": "persistent"},
        {"path": "/e", "data": "", "kind": "ephemeral"}]}
    assert [p for p, _ in load_plan(doc, "/dst")] == ["/dst", "/dst/a"]
    assert [p for p, _ in load_plan(doc, "/", "persistent")] == ["/", "/a", "/e"]
    for bad in ({"format": "x"}, {"format": FORMAT}, {"format": FORMAT, "nodes": [{"path": "rel"}]}):
        with pytest.raises(CliError):
            list(load_plan(bad, "/dst"))


def test_exit_status_of_a_signalled_child() -> None:
    assert exit_status(0) == 0 and exit_status(3) == 3 and exit_status(-15) == 143


def test_child_stop_escalates_to_sigkill_after_grace(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    stubborn = ("import pathlib, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                "pathlib.Path(sys.argv[1]).write_text('r'); time.sleep(60)")
    done = threading.Event()
    child = Child([sys.executable, "-c", stubborn, str(ready)], {}, done)
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():  # bounded: the child ignores SIGTERM once the file exists
            assert time.monotonic() < deadline, "child never got ready"
            time.sleep(0.02)
        assert child.stop(grace=0.5) == 128 + signal.SIGKILL
        assert done.wait(30)
    finally:
        child.send(signal.SIGKILL)


def test_child_that_cannot_start_is_reported() -> None:
    with pytest.raises(CannotRun, match="cannot run '/nonexistent/cmd'") as caught:
        Child(["/nonexistent/cmd"], {}, threading.Event())
    assert caught.value.status == 127
