"""The Curator peer's wire format: one JSON object per line, each way (pure, no I/O).

A request is ``{"seq": n, "op": name, ...arguments}``; the peer answers each
with ``{"seq": n, "ok": true, ...results}`` or ``{"seq": n, "ok": false,
"type": <Java exception class>, "error": <message>}``, in any order (the peer
runs requests on workers). ``seq`` 0 is reserved for the peer's greeting
(``{"seq": 0, "ok": true, "ready": true}``); a reply with ``seq`` -1 reports a
request line the peer could not parse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["PeerError", "PeerProtocolError", "Reply", "decode_reply", "encode_request"]


class PeerError(Exception):
    """The peer ran a request and it failed: ``java_type`` is the Java exception's class."""

    def __init__(self, op: str, java_type: str, message: str) -> None:
        super().__init__(f"Curator peer: {op} failed with {java_type}: {message}")
        self.op = op
        self.java_type = java_type
        self.message = message


class PeerProtocolError(Exception):
    """The peer wrote something that is not a reply (or died, or went silent)."""


@dataclass(frozen=True, slots=True)
class Reply:
    """One decoded reply: its ``seq``, success flag and the remaining fields."""

    seq: int
    ok: bool
    fields: dict[str, Any]

    def error(self, op: str) -> PeerError:
        """The :class:`PeerError` of a failed reply to ``op``."""
        return PeerError(op, str(self.fields.get("type", "?")), str(self.fields.get("error", "")))


def encode_request(seq: int, op: str, arguments: dict[str, Any]) -> bytes:
    """One request line (UTF-8, ``\\n``-terminated). ``seq`` must be positive."""
    if isinstance(seq, bool) or not isinstance(seq, int) or seq <= 0:
        raise ValueError(f"seq must be a positive int, not {seq!r}")
    if not isinstance(op, str) or not op:
        raise ValueError("op must be a non-empty str")
    for reserved in ("seq", "op"):
        if reserved in arguments:
            raise ValueError(f"{reserved!r} is reserved and cannot be an argument")
    message = {"seq": seq, "op": op, **arguments}
    # ensure_ascii: no raw newline or non-ASCII byte can appear inside the line.
    return (json.dumps(message, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")


def decode_reply(line: bytes | str) -> Reply:
    """Parse one reply line; :class:`PeerProtocolError` if it is not a reply object."""
    text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
    try:
        message = json.loads(text)
    except ValueError as exc:
        raise PeerProtocolError(f"not JSON from the Curator peer: {text[:200]!r}") from exc
    if not isinstance(message, dict):
        raise PeerProtocolError(f"not a JSON object from the Curator peer: {text[:200]!r}")
    seq, ok = message.pop("seq", None), message.pop("ok", None)
    if isinstance(seq, bool) or not isinstance(seq, int) or not isinstance(ok, bool):
        raise PeerProtocolError(f"reply without an int seq and a bool ok: {text[:200]!r}")
    return Reply(seq, ok, message)
