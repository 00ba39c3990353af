"""ZooKeeper's four-letter-word admin commands (``ruok``, ``srvr``, ``stat``, ``conf`` …)."""

from __future__ import annotations

import re
import socket
import time

from zkrecipes.exceptions import InvalidArgumentError

_COMMAND = re.compile(r"^[a-z]{4}$")
_MODE = re.compile(r"^Mode:\s*(\S+)\s*$", re.MULTILINE)
_MAX_ANSWER = 16 * 1024 * 1024


def validate_command(cmd: str) -> str:
    """Return ``cmd`` if it is four lowercase ASCII letters, else raise InvalidArgumentError."""
    if not isinstance(cmd, str) or not _COMMAND.match(cmd):
        raise InvalidArgumentError(f"a four-letter word is 4 lowercase letters, got {cmd!r}")
    return cmd


def four_letter(host: str, port: int, cmd: str, timeout: float = 5.0) -> str:
    """Send ``cmd`` to ``host:port`` and return the whole answer (the server closes after it).

    Bounded by ``timeout`` seconds in total. Raises ``OSError`` (e.g.
    ``ConnectionRefusedError``, ``TimeoutError``) when the server does not answer,
    and InvalidArgumentError for a malformed command.
    """
    validate_command(cmd)
    deadline = time.monotonic() + timeout
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(cmd.encode("ascii"))
        chunks: list[bytes] = []
        size = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{cmd} to {host}:{port}: no end of answer within {timeout}s")
            sock.settimeout(remaining)
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > _MAX_ANSWER:
                raise OSError(f"{cmd} to {host}:{port}: answer larger than {_MAX_ANSWER} bytes")
    return b"".join(chunks).decode("utf-8", errors="replace")


def parse_mode(srvr_answer: str) -> str | None:
    """The server's role from a ``srvr``/``stat`` answer (``leader``, ``follower``,
    ``standalone``, ``observer``, ``read-only``), or None when it is not serving."""
    match = _MODE.search(srvr_answer)
    return match.group(1) if match else None


def split_hostport(hostport: str) -> tuple[str, int]:
    """Split ``"host:port"`` (IPv6 as ``"[::1]:port"``); raise InvalidArgumentError when malformed."""
    text = hostport.strip()
    host, sep, port_text = text.rpartition(":")
    if not sep or not host or not port_text.isdigit():
        raise InvalidArgumentError(f"expected host:port, got {hostport!r}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise InvalidArgumentError(f"an IPv6 address needs brackets ([addr]:port), got {hostport!r}")
    port = int(port_text)
    if not 0 < port < 65536:
        raise InvalidArgumentError(f"port out of range in {hostport!r}")
    return host, port
