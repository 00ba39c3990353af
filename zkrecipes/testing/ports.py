"""Free loopback ports for test servers.

Ports are picked *below* the kernel's ephemeral range, so that a port handed to
a server stays free while it is restarted (an outgoing connection never takes
it). Every port handed out by this process is remembered, so two servers
started side by side never get the same one.
"""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Iterable
from pathlib import Path

from zkrecipes.exceptions import HarnessError, PortInUseError

LOOPBACK = "127.0.0.1"
_LOWEST = 10000
_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")

_lock = threading.Lock()
_handed_out: set[int] = set()


def ephemeral_range(range_file: Path = _RANGE_FILE) -> tuple[int, int]:
    """Return the kernel's ephemeral port range (Linux default when unknown)."""
    try:
        low, high = (int(part) for part in range_file.read_text().split()[:2])
    except (OSError, ValueError):
        return 32768, 60999
    return low, high


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    """True when ``port`` can be bound on ``host`` right now (TIME_WAIT does not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def ensure_free(ports: Iterable[int], host: str = LOOPBACK) -> None:
    """Raise :class:`PortInUseError` naming every port of ``ports`` that is bound already."""
    taken = [port for port in ports if not port_is_free(port, host)]
    if taken:
        names = ", ".join(str(port) for port in taken)
        raise PortInUseError(f"port(s) {names} on {host} already in use; pick others or pass None")


def _candidate_range() -> tuple[int, int]:
    low, high = ephemeral_range()
    if low - _LOWEST >= 1000:
        return _LOWEST, low - 1
    return high + 1, 65535  # an unusual kernel setting: use the ports above the range


def pick_port_block(count: int, *, attempts: int = 500, rng: random.Random | None = None) -> int:
    """Return ``base`` such that ``base .. base+count-1`` are all free and not yet handed out.

    The ports are reserved for this process (never returned again).
    Raises :class:`HarnessError` when no block is found in ``attempts`` tries.
    """
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    rand = rng or random.Random()
    low, high = _candidate_range()
    with _lock:
        for _ in range(attempts):
            base = rand.randint(low, high - count + 1)
            block = range(base, base + count)
            if any(port in _handed_out for port in block):
                continue
            if all(port_is_free(port) for port in block):
                _handed_out.update(block)
                return base
    raise HarnessError(f"no block of {count} free loopback ports found in {attempts} attempts")


def pick_free_ports(count: int, *, rng: random.Random | None = None) -> list[int]:
    """Return ``count`` distinct free ports (not necessarily contiguous), reserved for this process."""
    return [pick_port_block(1, rng=rng) for _ in range(count)]


def pick_free_port(*, rng: random.Random | None = None) -> int:
    """Return one free port, reserved for this process."""
    return pick_port_block(1, rng=rng)
