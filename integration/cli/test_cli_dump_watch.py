"""``dump``/``load`` round trips and ``watch`` streams against a real server."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

from _cli_helpers import Background, run_cli

from zkrecipes.security import ACL, Id, Permissions, make_digest_acl
from zkrecipes.testing import expire_session

RESTRICTED = [ACL(Permissions.READ, Id("world", "anyone")), make_digest_acl("bob", "pw", all=True)]


def _build(zk: Any) -> None:
    zk.create("/src/conf", b"\x00\x01binary\xff", makepath=True)
    zk.create("/src/conf/a", "ünïcode".encode())
    zk.create("/src/conf/a/deep", b"x" * 5000)
    zk.create("/src/empty")
    zk.create("/src/ro", b"read only", acl=RESTRICTED)
    zk.create("/src/seq-", b"s", sequence=True)
    zk.create("/src/session", b"eph", ephemeral=True)


def _dump(hosts: str, path: str, *options: str) -> dict[str, Any]:
    result = run_cli(hosts, *options, "dump", path)
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_dump_then_load_into_a_fresh_chroot_is_byte_for_byte(
        cli_hosts: str, zk_hosts: str, zk_client: Any, zk_client_factory: Any, tmp_path: Path) -> None:
    _build(zk_client)
    masked = run_cli(cli_hosts, "dump", "/src")
    assert "masked a digest ACL of /src/ro" in masked.stderr.decode()
    doc = _dump(cli_hosts, "/src", "--digest", "bob:pw")  # ADMIN on /src/ro: the real digest
    kinds = {node["path"]: node["kind"] for node in doc["nodes"]}
    assert kinds["/session"] == "ephemeral" and kinds[""] == "persistent"
    assert [node["path"] for node in doc["nodes"]][:3] == ["", "/conf", "/conf/a"]  # parents first

    fresh = zk_client_factory()  # another chroot, created empty by the fixture
    fresh_hosts = f"{zk_hosts}{fresh.chroot}"
    dump_file = tmp_path / "dump.json"
    dump_file.write_text(json.dumps(doc))
    dry = run_cli(fresh_hosts, "load", "/copy", str(dump_file), "--dry-run")
    assert dry.returncode == 0 and "dry run" in dry.stdout.decode()
    assert fresh.exists("/copy") is None

    loaded = run_cli(fresh_hosts, "load", "/copy", str(dump_file))
    assert loaded.returncode == 0, loaded.stderr
    copy = _dump(fresh_hosts, "/copy", "--digest", "bob:pw")
    expected = [node for node in doc["nodes"] if node["kind"] != "ephemeral"]
    assert copy["nodes"] == expected  # data (base64), ACLs and kinds, node for node
    for node in expected:
        source, _ = zk_client.get("/src" + node["path"])
        target, _ = fresh.get("/copy" + node["path"])
        assert source == target
    fresh.add_auth("digest", "bob:pw")  # the server shows the digest only to an ADMIN
    assert fresh.get_acls("/copy/ro")[0] == RESTRICTED
    assert fresh.exists("/copy/session") is None  # ephemerals are noted, not loaded

    again = run_cli(fresh_hosts, "load", "/copy", str(dump_file))
    assert again.returncode == 1 and "NodeExists for /copy/conf" in again.stderr.decode()


def test_load_from_stdin_with_overwrite_and_ephemerals_kept(cli_hosts: str, zk_client: Any) -> None:
    zk_client.create("/s/keep", b"new", makepath=True)
    zk_client.create("/s/eph", b"e", ephemeral=True)
    document = run_cli(cli_hosts, "dump", "/s").stdout
    zk_client.create("/d/keep", b"old", makepath=True)
    refused = run_cli(cli_hosts, "load", "/d", "-", stdin=document)
    assert refused.returncode == 1
    assert refused.stderr.decode().strip() == "zkrecipes: KeeperErrorCode = NodeExists for /d/keep"
    loaded = run_cli(cli_hosts, "load", "/d", "-", "--overwrite", "--ephemerals", "persistent",
                     stdin=document)
    assert loaded.returncode == 0, loaded.stderr
    assert zk_client.get("/d/keep")[0] == b"new"
    data, stat = zk_client.get("/d/eph")
    assert data == b"e" and stat.ephemeralOwner == 0  # loaded as a persistent node


def test_load_rejects_a_foreign_document(cli_hosts: str, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"hello": 1}')
    result = run_cli(cli_hosts, "load", "/x", str(bogus))
    assert result.returncode == 1 and "not a zkrecipes-dump/1 document" in result.stderr.decode()


def test_watch_streams_events_until_interrupted(cli_hosts: str, zk_client: Any) -> None:
    zk_client.create("/w", b"0")
    watch = Background(cli_hosts, "watch", "/w")
    try:
        watch.wait_stderr("watching /w")
        zk_client.set("/w", b"1")
        assert watch.next_line() == "CHANGED /w"
        zk_client.create("/w/child")
        assert watch.next_line() == "CHILD /w"
        watch.signal(signal.SIGINT)
        assert watch.wait() == 0
    finally:
        watch.kill()


def test_watch_ends_with_status_3_when_the_session_is_lost(
        cli_hosts: str, zk_hosts: str, zk_client: Any, tmp_path: Path) -> None:
    zk_client.create("/wl")
    session = tmp_path / "session.json"
    watch = Background(cli_hosts, "--session-file", str(session), "watch", "/wl")
    try:
        watch.wait_stderr("watching /wl")
        doc = json.loads(session.read_text())
        expire_session(zk_hosts, (int(doc["session_id"]), bytes.fromhex(doc["password"])))
        assert watch.wait() == 3
        watch.wait_stderr("session lost")
    finally:
        watch.kill()


def test_watch_recursive_json(cli_hosts: str, zk_client: Any) -> None:
    zk_client.create("/rw/a", makepath=True)
    watch = Background(cli_hosts, "--json", "watch", "/rw", "--recursive")
    try:
        watch.wait_stderr("watching /rw")
        zk_client.create("/rw/a/b", b"x")
        zk_client.set("/rw/a", b"y")
        events = [json.loads(watch.next_line()) for _ in range(2)]
        assert [(e["type"], e["path"]) for e in events] == [("CREATED", "/rw/a/b"), ("CHANGED", "/rw/a")]
        watch.signal(signal.SIGTERM)
        assert watch.wait() == 0
    finally:
        watch.kill()
