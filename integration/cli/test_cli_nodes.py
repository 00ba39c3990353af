"""Node commands against a real server: ls, tree, get, set, create, delete, stat, acl, health."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

from _cli_helpers import run_cli

from zkrecipes.security import ACL, OPEN_ACL_UNSAFE, Id, Permissions


def test_create_get_set_stat_ls_delete(cli_hosts: str, zk_client: Any) -> None:
    created = run_cli(cli_hosts, "create", "/app/config", "v1", "--makepath")
    assert created.returncode == 0, created.stderr
    assert created.stdout.decode().strip() == "/app/config"
    assert zk_client.get("/app/config")[0] == b"v1"

    assert run_cli(cli_hosts, "set", "/app/config", "v2").returncode == 0
    got = run_cli(cli_hosts, "get", "/app/config")
    assert got.stdout == b"v2\n"
    raw = run_cli(cli_hosts, "set", "/app/config", "--file", "-", stdin=b"\x00\xffbin")
    assert raw.returncode == 0
    assert run_cli(cli_hosts, "get", "--raw", "/app/config").stdout == b"\x00\xffbin"
    as_json = json.loads(run_cli(cli_hosts, "--json", "get", "/app/config").stdout)
    assert as_json["data"] is None and as_json["data_b64"] == "AP9iaW4="
    assert as_json["stat"]["version"] == 2

    stat = run_cli(cli_hosts, "stat", "/app/config").stdout.decode()
    assert "version = 2" in stat and "dataLength = 5" in stat
    stat_json = json.loads(run_cli(cli_hosts, "stat", "/app/config", "--json").stdout)
    assert stat_json == zk_client.exists("/app/config")._asdict()

    zk_client.create("/app/b")
    assert run_cli(cli_hosts, "ls", "/app").stdout.decode().split() == ["b", "config"]
    assert json.loads(run_cli(cli_hosts, "ls", "/app", "--json").stdout) == ["b", "config"]

    refused = run_cli(cli_hosts, "delete", "/app")
    assert refused.returncode == 1
    assert refused.stderr.decode().strip() == "zkrecipes: KeeperErrorCode = Directory not empty for /app"
    assert run_cli(cli_hosts, "delete", "-r", "/app").returncode == 0
    assert zk_client.exists("/app") is None


def test_server_errors_in_the_java_clients_words(cli_hosts: str, zk_client: Any) -> None:
    missing = run_cli(cli_hosts, "get", "/a")
    assert missing.returncode == 1
    assert missing.stderr.decode().strip() == "zkrecipes: KeeperErrorCode = NoNode for /a"
    zk_client.create("/a")
    exists = run_cli(cli_hosts, "create", "/a")
    assert (exists.returncode, exists.stderr.decode().strip()) == (
        1, "zkrecipes: KeeperErrorCode = NodeExists for /a")
    stale = run_cli(cli_hosts, "set", "/a", "x", "--version", "7")
    assert stale.stderr.decode().strip() == "zkrecipes: KeeperErrorCode = BadVersion for /a"
    assert run_cli(cli_hosts, "stat", "/nope").returncode == 1


def test_create_node_kinds(cli_hosts: str, zk_client: Any) -> None:
    zk_client.create("/k")
    seq = run_cli(cli_hosts, "create", "/k/s-", "--sequence").stdout.decode().strip()
    assert seq.startswith("/k/s-") and len(seq) == len("/k/s-") + 10
    eph = run_cli(cli_hosts, "create", "/k/e", "--ephemeral")
    assert eph.returncode == 0
    assert zk_client.exists("/k/e") is None  # died with the CLI's session
    assert run_cli(cli_hosts, "create", "/k/t", "--ttl", "600000").returncode == 0
    assert run_cli(cli_hosts, "create", "/k/c", "--container").returncode == 0
    assert set(zk_client.get_children("/k")) == {seq.rsplit("/", 1)[1], "t", "c"}
    bad = run_cli(cli_hosts, "create", "/k/x", "--container", "--ephemeral")
    assert bad.returncode != 0


def test_tree_sizes_counts_and_depth(cli_hosts: str, zk_client: Any) -> None:
    zk_client.create("/r/a/x", b"123", makepath=True)
    zk_client.create("/r/b", b"hello")
    lines = run_cli(cli_hosts, "tree", "/r").stdout.decode().splitlines()
    assert lines == ["/r  [0 B, 2 children]", "  a  [0 B, 1 child]", "    x  [3 B, 0 children]",
                     "  b  [5 B, 0 children]"]
    shallow = run_cli(cli_hosts, "tree", "/r", "--depth", "1").stdout.decode().splitlines()
    assert shallow == lines[:2] + lines[3:]
    doc = json.loads(run_cli(cli_hosts, "--json", "tree", "/r").stdout)
    assert [c["path"] for c in doc["children"]] == ["/r/a", "/r/b"]
    assert doc["children"][0]["children"][0] == {"path": "/r/a/x", "size": 3, "num_children": 0,
                                                 "children": []}


def test_acl_get_and_set(cli_hosts: str, zk_client: Any) -> None:
    zk_client.create("/acl")
    assert run_cli(cli_hosts, "acl", "get", "/acl").stdout.decode().split() == ["world:anyone:cdrwa"]
    assert run_cli(cli_hosts, "acl", "set", "/acl", "world:anyone:rw", "ip:127.0.0.1:cdrwa").returncode == 0
    acls, _ = zk_client.get_acls("/acl")
    assert set(acls) == {ACL(Permissions.READ | Permissions.WRITE, Id("world", "anyone")),
                         ACL(Permissions.ALL, Id("ip", "127.0.0.1"))}
    doc = json.loads(run_cli(cli_hosts, "acl", "get", "/acl", "--json").stdout)
    assert {"scheme": "ip", "id": "127.0.0.1", "perms": "cdrwa"} in doc
    assert run_cli(cli_hosts, "acl", "set", "/acl", "world:anyone:xyz").returncode == 2


def test_digest_auth_option(cli_hosts: str, zk_client: Any) -> None:
    zk_client.create("/auth")
    from zkrecipes.security import make_digest_acl

    zk_client.set_acls("/auth", [make_digest_acl("bob", "secret", all=True)])
    denied = run_cli(cli_hosts, "get", "/auth")
    assert denied.stderr.decode().strip() == "zkrecipes: KeeperErrorCode = NoAuth for /auth"
    allowed = run_cli(cli_hosts, "--digest", "bob:secret", "get", "/auth")
    assert allowed.returncode == 0, allowed.stderr
    zk_client.add_auth("digest", "bob:secret")  # let the fixture's clean-up delete the node
    zk_client.set_acls("/auth", OPEN_ACL_UNSAFE)


def test_health_table_and_json(zk_hosts: str) -> None:
    table = run_cli(zk_hosts, "health")
    assert table.returncode == 0, table.stderr
    header, row = table.stdout.decode().splitlines()[:2]
    assert header.split() == ["HOST", "OK", "MODE", "ZXID", "LATENCY", "CONNECTIONS", "OUTSTANDING", "NODES"]
    assert row.split()[:2] == [zk_hosts.split(",")[0], "yes"]
    rows = json.loads(run_cli(zk_hosts, "health", "--json").stdout)
    assert rows[0]["ok"] is True and rows[0]["zxid"].startswith("0x")
    assert rows[0]["mode"] in ("standalone", "leader", "follower")
    assert int(rows[0]["connections"]) >= 1 and int(rows[0]["outstanding"]) >= 0


def _refused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_refused_hosts_fail_fast_naming_each(zk_hosts: str) -> None:
    ports = _refused_port(), _refused_port()
    hosts = ",".join(f"127.0.0.1:{p}" for p in ports)
    started = time.monotonic()
    result = run_cli(hosts, "--timeout", "30", "ls", "/")
    elapsed = time.monotonic() - started
    assert result.returncode == 3
    message = result.stderr.decode()
    for port in ports:
        assert f"127.0.0.1:{port}: Connection refused" in message
    assert elapsed < 2.0
    down = run_cli(hosts, "health")
    assert down.returncode == 4 and "no" in down.stdout.decode()


def test_version_and_usage(zk_hosts: str) -> None:
    import zkrecipes

    version = run_cli(zk_hosts, "--version")
    assert (version.returncode, version.stdout.decode().strip()) == (0, f"zkrecipes {zkrecipes.__version__}")
    assert run_cli(zk_hosts, "frobnicate").returncode == 2
