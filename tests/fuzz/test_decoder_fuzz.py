"""Decoder fuzz (issue 16, scope 4): mutated reply frames into the sans-IO protocol core.

``ZKRECIPES_FUZZ_FRAMES`` mutated frames (default 100,000) from the valid
replies of ``_fuzz_corpus``, seeded by ``ZKRECIPES_FUZZ_SEED`` (random when
unset; printed, so that a failure is replayed with it). Each round sends 1 to 4
requests through a :class:`ZkProtocol`, builds their valid reply stream (with
notifications and pings among them), mutates one frame — bit flips, extreme
bytes, truncation (with the length prefix fixed or not), length corruption
(the prefix or an inner length field), splices (a duplicated, dropped or
swapped frame, a slice of another frame) — and feeds the stream in random
chunks. Verdicts:

* only the ProtocolError family escapes, or the frames decode cleanly;
* no reply is lost or duplicated: every request is answered at most once, and
  the answered ones plus those :meth:`connection_lost` returns are exactly the
  requests sent;
* after an error the stream refuses more data until reset, and the protocol
  is reusable: after ``connection_lost()``/``connect()`` a fresh request and
  its valid reply decode exactly;
* the frame buffer never holds more than the frame limit.
"""

from __future__ import annotations

import json
import os
import random
import struct
import time

import pytest
from _fuzz_corpus import CASES, CHROOT, EXTRAS, buf, connect_response, reply, stat

from zkrecipes.client.protocol import GetDataRequest, ZkProtocol
from zkrecipes.client.protocol.events import Reply
from zkrecipes.client.protocol.session import undelivered_events
from zkrecipes.exceptions import ProtocolError

FRAMES = int(os.environ.get("ZKRECIPES_FUZZ_FRAMES", "100000"))
pytestmark = [pytest.mark.slow, pytest.mark.timeout(max(240, FRAMES / 500))]
MAX_FRAME = 64 * 1024
EXTREMES = (0, 1, -1, 0x7FFFFFFF, -0x80000000, 0x7FFFFFF0, 0xFFFF, 16, 17)


def _seed() -> int:
    raw = os.environ.get("ZKRECIPES_FUZZ_SEED", "").strip()
    return int(raw) if raw else random.SystemRandom().randrange(2**32)


def mutate(rng: random.Random, data: bytes, others: list[bytes]) -> bytes:
    """One mutation of the frame ``data`` (length prefix included)."""
    out = bytearray(data)
    choice = rng.randrange(7)
    if choice == 0:  # bit flips
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(out))
            out[i] ^= 1 << rng.randrange(8)
    elif choice == 1:  # extreme bytes
        for _ in range(rng.randint(1, 4)):
            out[rng.randrange(len(out))] = rng.choice((0x00, 0xFF, 0x7F, 0x80))
    elif choice == 2:  # truncation, the length prefix fixed (a short record)
        cut = rng.randrange(4, len(out)) if len(out) > 4 else 4
        out = bytearray(struct.pack(">i", cut - 4)) + out[4:cut]
    elif choice == 3:  # truncation, the prefix left as it was (a frame cut by the stream)
        out = out[:rng.randrange(len(out))]
    elif choice == 4:  # the length prefix corrupted
        value = rng.choice((*EXTREMES, len(out) - 3, len(out) - 5, rng.randrange(-2**31, 2**31)))
        out[0:4] = struct.pack(">i", value)
    elif choice == 5:  # an inner int (a length, count, xid, err, type) overwritten
        if len(out) >= 8:
            i = rng.randrange(4, len(out) - 3)
            out[i:i + 4] = struct.pack(">i", rng.choice(EXTREMES))
    else:  # splice: a slice of another frame inserted at a random place
        other = rng.choice(others)
        a = rng.randrange(len(other))
        piece = other[a:a + rng.randint(1, 24)]
        at = rng.randrange(len(out) + 1)
        out[at:at] = piece
    return bytes(out)


def _connected(chroot: str) -> ZkProtocol:
    protocol = ZkProtocol(session_timeout_ms=4000, chroot=chroot, max_frame_size=MAX_FRAME)
    protocol.connect()
    protocol.receive_data(connect_response())
    return protocol


def _reconnect(protocol: ZkProtocol) -> None:
    protocol.connect()
    events = protocol.receive_data(connect_response())
    assert events and not protocol.awaiting_connect


def _probe(protocol: ZkProtocol) -> None:
    """The protocol still works: a fresh request and its valid reply decode exactly."""
    protocol.send(GetDataRequest("/probe"), context="probe")
    (event,) = protocol.receive_data(reply(protocol.last_xid, buf(b"ok") + stat()))
    assert isinstance(event, Reply) and event.pending.context == "probe"
    assert event.result[0] == b"ok"


def _round(rng: random.Random, protocol: ZkProtocol, stats: dict[str, int]) -> None:
    cases = [rng.choice(CASES) for _ in range(rng.randint(1, 4))]
    sent: list[int] = []
    stream: list[bytes] = []
    for index, case in enumerate(cases):
        protocol.send(case.request(), context=index)
        sent.append(index)
        stream.append(reply(protocol.last_xid, case.body, err=case.err))
        if rng.random() < 0.3:
            stream.append(rng.choice(EXTRAS))
    victim = rng.randrange(len(stream))
    choice = rng.random()
    if choice < 0.08 and len(stream) > 1:  # a frame duplicated, dropped or swapped
        kind = rng.randrange(3)
        if kind == 0:
            stream.insert(victim, stream[victim])
        elif kind == 1:
            del stream[victim]
        else:
            other = rng.randrange(len(stream))
            stream[victim], stream[other] = stream[other], stream[victim]
    else:
        stream[victim] = mutate(rng, stream[victim], stream + list(EXTRAS))
    data = b"".join(stream)
    cuts = sorted(rng.randrange(len(data) + 1) for _ in range(rng.randint(0, 3)))
    chunks = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    answered: list[int] = []
    failed = False
    for chunk in chunks:
        try:
            events = protocol.receive_data(chunk)
        except ProtocolError as exc:  # the project's protocol errors only; anything else fails the test
            events = undelivered_events(exc)
            failed = True
        answered += [e.pending.context for e in events if isinstance(e, Reply)]
        assert protocol._reader.buffered <= MAX_FRAME + 4
        if failed:
            with pytest.raises(ProtocolError):
                protocol.receive_data(b"\0\0\0\0")
            break
    left = [p.context for p in protocol.connection_lost()]
    assert len(answered) == len(set(answered)), f"a reply delivered twice: {answered}"
    assert sorted(answered + left) == sent, f"lost or duplicated: answered {answered}, left {left}, of {sent}"
    stats["errors" if failed else "clean"] += 1
    _reconnect(protocol)
    if failed or rng.random() < 0.05:
        _probe(protocol)


def test_mutated_reply_frames_give_only_protocol_errors() -> None:
    seed = _seed()
    print(f"ZKRECIPES_FUZZ_SEED={seed} ZKRECIPES_FUZZ_FRAMES={FRAMES}")
    rng = random.Random(seed)
    protocols = [_connected(""), _connected(CHROOT)]
    stats = {"errors": 0, "clean": 0}
    started = time.monotonic()
    for _ in range(FRAMES):
        _round(rng, rng.choice(protocols), stats)
    seconds = round(time.monotonic() - started, 1)
    print(f"decoder fuzz: {FRAMES} mutated frames, {stats['errors']} protocol errors, "
          f"{stats['clean']} clean decodes, seed {seed}, {seconds}s")
    target = os.environ.get("ZKRECIPES_CHAOS_REPORT")
    if target:  # the soak's figures (scripts/soak.sh)
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps({"name": "decoder-fuzz", "frames": FRAMES, "seed": seed, "seconds": seconds,
                                  "violations": [], **stats}) + "\n")
    assert stats["errors"] and stats["clean"]
