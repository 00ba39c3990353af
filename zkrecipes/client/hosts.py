"""Connection strings: ``"h1:p1,h2:p2,[::1]:p3/chroot"`` → hosts and chroot.

:func:`parse_hosts` does the parsing (and raises
:class:`~zkrecipes.exceptions.ConfigurationError` for anything it cannot
understand); :class:`HostIterator` walks the host list round after round,
reshuffling each round when asked to.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from zkrecipes.client.protocol.paths import normalize_chroot
from zkrecipes.exceptions import ConfigurationError, InvalidArgumentError, InvalidHostsError

DEFAULT_PORT = 2181


@dataclass(frozen=True, slots=True)
class HostPort:
    """One server address as written by the user (``host`` may be a name or an IP)."""

    host: str
    port: int

    def __str__(self) -> str:
        if ":" in self.host:
            return f"[{self.host}]:{self.port}"
        return f"{self.host}:{self.port}"


def _parse_port(text: str, entry: str) -> int:
    if not text.isdigit():
        raise InvalidHostsError(f"invalid port in host entry {entry!r}")
    port = int(text)
    if not 0 < port < 65536:
        raise InvalidHostsError(f"port out of range in host entry {entry!r}")
    return port


def _parse_entry(entry: str) -> HostPort:
    entry = entry.strip()
    if not entry:
        raise InvalidHostsError("empty host entry in connection string")
    if entry.startswith("["):
        end = entry.find("]")
        if end < 0:
            raise InvalidHostsError(f"unclosed '[' in host entry {entry!r}")
        host = entry[1:end]
        rest = entry[end + 1 :]
        if not host or ":" not in host:
            raise InvalidHostsError(f"brackets must hold an IPv6 address: {entry!r}")
        if not rest:
            return HostPort(host, DEFAULT_PORT)
        if not rest.startswith(":"):
            raise InvalidHostsError(f"unexpected text after ']' in host entry {entry!r}")
        return HostPort(host, _parse_port(rest[1:], entry))
    if entry.count(":") > 1:
        raise InvalidHostsError(f"IPv6 addresses must be written in brackets: {entry!r}")
    host, sep, port_text = entry.partition(":")
    if not host or any(c.isspace() for c in host) or "]" in host:
        raise InvalidHostsError(f"invalid host in host entry {entry!r}")
    return HostPort(host, _parse_port(port_text, entry) if sep else DEFAULT_PORT)


def _normalize_chroot(chroot: str) -> str:
    """The chroot of a connection string (trailing slashes dropped), by the one rule of
    :func:`~zkrecipes.client.protocol.paths.normalize_chroot`; ConfigurationError if invalid."""
    try:
        return normalize_chroot(chroot.rstrip("/") or "/")
    except InvalidArgumentError as exc:
        raise InvalidHostsError(f"invalid chroot {chroot!r}: {exc}") from None


def parse_hosts(hosts: str | Sequence[str]) -> tuple[list[HostPort], str]:
    """Parse a connection string (or a list of ``host:port`` strings).

    Returns ``(hosts, chroot)``: at least one :class:`HostPort`, and the
    chroot normalized without a trailing slash (``""`` when there is none).
    A missing port means 2181; IPv6 addresses go in brackets.

    Raises :class:`ConfigurationError` for an empty list, an empty entry, a
    bad port, an unbracketed IPv6 address or an invalid chroot.
    """
    if isinstance(hosts, str):
        text = hosts.strip()
        host_part, slash, chroot_part = text.partition("/")
        chroot = _normalize_chroot(slash + chroot_part) if slash else ""
        entries = host_part.split(",")
    elif isinstance(hosts, Sequence) and all(isinstance(h, str) for h in hosts):
        entries = list(hosts)
        chroot = ""
    else:
        raise InvalidHostsError(f"hosts must be a string or a list of strings, not {hosts!r}")
    if not entries or entries == [""]:
        raise InvalidHostsError("no hosts in connection string")
    return [_parse_entry(e) for e in entries], chroot


class HostIterator:
    """Cycles through the hosts forever, one round at a time.

    Each round visits every host once; with ``randomize`` the order is shuffled
    at the start of every round (with ``rng`` when given, for reproducible
    tests). The host list can be replaced with
    :meth:`set_hosts`; the change takes effect at the next round.
    """

    def __init__(self, hosts: Sequence[HostPort], randomize: bool = True,
                 rng: random.Random | None = None) -> None:
        if not hosts:
            raise ConfigurationError("no hosts to connect to")
        self._hosts = list(hosts)
        self.randomize = randomize
        self._shuffle = random.shuffle if rng is None else rng.shuffle

    @property
    def hosts(self) -> list[HostPort]:
        """The current host list (a copy)."""
        return list(self._hosts)

    def set_hosts(self, hosts: Sequence[HostPort]) -> None:
        """Replace the host list (used from the next round on)."""
        if not hosts:
            raise ConfigurationError("no hosts to connect to")
        self._hosts = list(hosts)

    def round(self) -> list[HostPort]:
        """Return the hosts to try in the next round (shuffled if randomized)."""
        hosts = list(self._hosts)
        if self.randomize:
            self._shuffle(hosts)
        return hosts

    def __iter__(self) -> Iterator[HostPort]:
        while True:
            yield from self.round()
