"""Expire a ZooKeeper session for real, from outside the client that owns it.

A second TCP connection presents the session's id and password and, in the
same write, asks the server to close the session. The server then ends the
session exactly as it would on expiry: its ephemeral nodes are deleted and the
owner's next connection attempt is told SESSION_EXPIRED. Sending both packets
in one write matters: a separate connect would move the session to the new
connection, the owner would reconnect and take it back before the close
arrived. Even so the owner may win (a client that reconnects at once after the
server closed its connection can present the session again before the server
reads the close): a connection closed without the close's reply or a
SESSION_EXPIRED answer is therefore not taken as proof, and the pair is sent
again until the server confirms one way or the other.

The bytes come from the sans-IO protocol core, so this helper shares no code
path with the client under test above the wire records.
"""

from __future__ import annotations

import socket
import time

from zkrecipes.client.hosts import parse_hosts
from zkrecipes.client.protocol import CloseRequest, Connected, Reply, SessionExpired, ZkProtocol
from zkrecipes.exceptions import HarnessError, ProtocolError

__all__ = ["expire_session"]


def expire_session(hosts: str, client_id: tuple[int, bytes], timeout: float = 30.0) -> None:
    """End the session ``client_id`` (session id, password) on the servers at ``hosts``.

    Returns once the server confirmed the close (its reply, or SESSION_EXPIRED
    to a later try); raises :class:`~zkrecipes.exceptions.HarnessError` if no server in
    ``hosts`` could be reached within ``timeout`` seconds. The owner of the
    session observes the expiry on its own schedule (its state listener sees
    ``LOST``).
    """
    session_id, password = client_id
    addresses, _chroot = parse_hosts(hosts)
    deadline = time.monotonic() + timeout
    errors: list[str] = []
    while time.monotonic() < deadline:
        for address in addresses:
            host, port = address.host, address.port
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                if _close_on(host, port, session_id, password, remaining):
                    return
                errors.append(f"{host}:{port}: closed before confirming (the owner took the session back)")
                break  # the session is alive on this server: try it again
            except (OSError, ProtocolError) as exc:
                errors.append(f"{host}:{port}: {exc}")
        else:
            break  # no server could be reached
    why = "; ".join(errors[-4:] or ["timed out"])
    raise HarnessError(f"could not expire session 0x{session_id:x}: {why}")


def _close_on(host: str, port: int, session_id: int, password: bytes, timeout: float) -> bool:
    """Send connect + close for the session; True once the server confirmed it is gone."""
    proto = ZkProtocol(session_timeout_ms=10_000)
    proto.set_session(session_id, password)
    payload = proto.connect() + proto.send(CloseRequest())
    deadline = time.monotonic() + timeout
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(payload)
        while True:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = sock.recv(65536)
            if not chunk:
                return False  # closed unanswered: maybe the owner took the session back first
            for event in proto.receive_data(chunk):
                if isinstance(event, SessionExpired):
                    return True  # already gone: nothing left to expire
                if isinstance(event, Reply):
                    return True  # the close request was answered
                if isinstance(event, Connected) and event.session_id != session_id:
                    raise HarnessError(f"server gave a new session instead of 0x{session_id:x}")
