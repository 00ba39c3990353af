"""Connection-string parsing and host iteration (no server)."""

from __future__ import annotations

import pytest

from zkrecipes.client.hosts import DEFAULT_PORT, HostIterator, HostPort, parse_hosts
from zkrecipes.exceptions import ConfigurationError


@pytest.mark.parametrize(
    ("text", "hosts", "chroot"),
    [
        ("127.0.0.1:2181", [HostPort("127.0.0.1", 2181)], ""),
        ("a:1,b:2", [HostPort("a", 1), HostPort("b", 2)], ""),
        ("a", [HostPort("a", DEFAULT_PORT)], ""),
        ("a:1,b:2/app", [HostPort("a", 1), HostPort("b", 2)], "/app"),
        ("a:1/app/sub/", [HostPort("a", 1)], "/app/sub"),
        ("a:1/", [HostPort("a", 1)], ""),
        ("[::1]:2183", [HostPort("::1", 2183)], ""),
        ("[::1]", [HostPort("::1", DEFAULT_PORT)], ""),
        ("[fe80::1]:1,10.0.0.1:2/x", [HostPort("fe80::1", 1), HostPort("10.0.0.1", 2)], "/x"),
        (" a:1 , b:2 ", [HostPort("a", 1), HostPort("b", 2)], ""),
    ],
)
def test_parse_hosts(text: str, hosts: list[HostPort], chroot: str) -> None:
    assert parse_hosts(text) == (hosts, chroot)


def test_parse_host_list() -> None:
    assert parse_hosts(["a:1", "[::1]:2"]) == ([HostPort("a", 1), HostPort("::1", 2)], "")


@pytest.mark.parametrize(
    "text",
    [
        "", ",", "a:1,", "a:", "a:x", "a:0", "a:65536", "a:-1", ":2181", "::1:2181", "[::1", "[::1]x",
        "[]:1", "[host]:1", "a b:1", "a:1/app/../x", "a:1/./x",
    ],
)
def test_bad_connection_strings(text: str) -> None:
    with pytest.raises(ConfigurationError):
        parse_hosts(text)


@pytest.mark.parametrize("value", [None, 42, [1, 2], b"a:1"])
def test_bad_hosts_types(value: object) -> None:
    with pytest.raises(ConfigurationError):
        parse_hosts(value)  # type: ignore[arg-type]


def test_host_str_brackets_ipv6() -> None:
    assert str(HostPort("::1", 5)) == "[::1]:5"
    assert str(HostPort("h", 5)) == "h:5"


def test_iterator_round_visits_every_host_once() -> None:
    hosts = [HostPort(f"h{i}", i + 1) for i in range(6)]
    it = HostIterator(hosts, randomize=True)
    for _ in range(5):
        assert sorted(it.round(), key=lambda h: h.port) == hosts


def test_iterator_without_randomize_keeps_order() -> None:
    hosts = [HostPort(f"h{i}", i + 1) for i in range(4)]
    assert HostIterator(hosts, randomize=False).round() == hosts


def test_iterator_shuffles_eventually() -> None:
    hosts = [HostPort(f"h{i}", i + 1) for i in range(8)]
    it = HostIterator(hosts, randomize=True)
    assert any(it.round() != hosts for _ in range(50))


def test_iterator_set_hosts_and_empty() -> None:
    it = HostIterator([HostPort("a", 1)], randomize=False)
    it.set_hosts([HostPort("b", 2)])
    assert it.round() == [HostPort("b", 2)]
    with pytest.raises(ConfigurationError):
        it.set_hosts([])
    with pytest.raises(ConfigurationError):
        HostIterator([])


def test_a_chroot_is_normalised_as_kazoo_does() -> None:
    # Issue 10: "a:1/app//x" was refused; kazoo normalises the chroot like any path.
    assert parse_hosts("a:1/app//x/")[1] == "/app/x"
