"""The sans-IO session layer: every decision about a ZooKeeper session that needs no I/O.

No sockets, threads, clocks or sleeps: time is passed in as ``now``. A
transport (:mod:`zkrecipes.client.transport`) moves the bytes and arms the
timers; :class:`SessionMachine` decides. Modules, one concern each:

* :mod:`.state` — the connection :class:`Phase` and the CONNECTED / SUSPENDED /
  LOST rules (one copy), with h11's rule: everything that affects the state
  machine lives there;
* :mod:`.fates` — the unsent queue and how each request that cannot complete fails;
* :mod:`.routing` — replies → completions, notifications → watch dispatches;
* :mod:`.login` — the SASL login as one state of the priming;
* :mod:`.timers` — read-timeout, ping and close deadlines of a connection;
* :mod:`.pacing` — host order and reconnect backoff;
* :mod:`.readonly` — read-only servers: refuse, probe, move;
* :mod:`.inbound` — what received events do (handshake, login, auth answers, expiry);
* :mod:`.deadlines` — what the clock does to a live connection;
* :mod:`.outputs` — the typed records the machine hands its transport;
* :mod:`.parts` — the one record of the session's state, shared by the above;
* :mod:`.machine` — :class:`SessionMachine`: the life cycle across connections and
  the sending side, composing the above.

Life cycle (what a transport does; see ``transport/threaded.py``)::

    m = SessionMachine(hosts=..., chroot="", session_timeout=10.0)
    m.start(now)
    while True:
        action, outs = m.poll(now)             # disconnected: ConnectTo / Wait / Finished
        apply(outs)
        if Finished: break
        if Wait: sleep until action.until (or a wake-up), continue
        open TCP to action.host within action.timeout
        if that failed: apply(m.connect_failed(now)); continue
        m.connection_made(now)                 # the ConnectRequest is queued
        while connected:
            data, outs = m.data_to_send(now)   # under the send lock; write data
            apply(outs)
            wait for bytes until m.next_deadline()
            apply(m.receive_data(chunk, now))  # Complete / Dispatch / StateChanged /
            apply(m.tick(now))                 # Opened / Drop / LoginFailed / probes
            (a Drop ends the connection)
        apply(m.connection_lost(now, closed_by_peer))

Any thread: ``m.submit(request, result, converter, now)``, ``m.add_auth(...)``,
``m.close()`` (then the loop sends CloseSession and ends), and
``m.read_write_server_found(host)``. Priming order on each connection:
ConnectRequest, then the SASL login (if configured), then the auth packets,
then SetWatches/SetWatches2; only then are queued requests written.
"""

from __future__ import annotations

from zkrecipes.client.session.fates import Converter
from zkrecipes.client.session.machine import SessionMachine
from zkrecipes.client.session.outputs import (
    Complete,
    ConnectTo,
    Dispatch,
    Drop,
    Finished,
    LoginFailed,
    Opened,
    Output,
    StartProbe,
    StateChanged,
    StopProbe,
    Wait,
)
from zkrecipes.client.session.state import Phase, SessionStateTracker

__all__ = [
    "Complete",
    "ConnectTo",
    "Converter",
    "Dispatch",
    "Drop",
    "Finished",
    "LoginFailed",
    "Opened",
    "Output",
    "Phase",
    "SessionMachine",
    "SessionStateTracker",
    "StartProbe",
    "StateChanged",
    "StopProbe",
    "Wait",
]
