"""The session's state machine: connection phases and the CONNECTED / SUSPENDED / LOST rules.

Everything that affects the state machine lives in this file (h11's rule): the
:class:`Phase` of the current connection and the :class:`SessionStateTracker`,
the one copy of the rules that decide what listeners are told. The other
session modules and :class:`~zkrecipes.client.session.machine.SessionMachine`
only *report* what happened to the tracker and pass its answers on; they never
set a state themselves.

Pure logic, no I/O and no clock of its own (callers pass ``now``). Each
``on_*`` method returns the new :class:`ZkState` when the simplified state
changed (the one listeners are told about), else ``None``.

Rules:

* a successful handshake (after the SASL login, if any) → ``CONNECTED``
  (``client_state`` CONNECTED or CONNECTED_RO);
* a dropped connection while CONNECTED → ``SUSPENDED``, remembering when the
  server was last heard;
* the server says the session expired, or gives a new session id on a
  reconnect → ``LOST``;
* not heard from the server for the whole negotiated session timeout while
  disconnected → ``LOST`` (a partitioned client cannot hear the server expire its
  session), see :meth:`SessionStateTracker.check_timeout`. The clock starts at the
  last byte heard, not at the drop: a stalled connection is only dropped at the
  read timeout (2/3 of the session timeout after the last byte), and counting from
  the drop would tell a lock holder at 5/3 of the session timeout — after the server
  may have expired the session and handed its lock on. Counting from the last byte
  errs the safe way: the client gives its session up no later than the server can
  (the server's clock runs from the last packet *it* received, which is no earlier);
* stop/close → ``LOST`` with ``client_state`` CLOSED; auth failure → ``LOST``
  with ``client_state`` AUTH_FAILED.

``has_session`` is True from a successful handshake until the session is lost,
closed or refused by an auth failure, i.e. while CONNECTED *and* SUSPENDED;
the client's ``client_id`` reports the session exactly then.
"""

from __future__ import annotations

import enum

from zkrecipes.states import KeeperState, ZkState

__all__ = ["CONNECTED_PHASES", "ConnectionPhase", "Phase", "SessionStateTracker"]


class Phase(enum.Enum):
    """Where the current connection (or the lack of one) stands.

    ``IDLE`` → (start) ``DISCONNECTED`` → ``CONNECTING`` (the transport opens TCP/TLS)
    → ``HANDSHAKE`` (ConnectRequest sent) → [``SASL``] → ``OPEN`` (primed; requests
    flow) → ``CLOSING`` (CloseRequest sent) → ``CLOSED``. A lost connection goes back
    to ``DISCONNECTED``; ``CLOSED`` is final for the run (stop or auth failure).
    """

    IDLE = "idle"
    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    HANDSHAKE = "handshake"
    SASL = "sasl"
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


#: Phases with a live TCP connection.
CONNECTED_PHASES = frozenset({Phase.HANDSHAKE, Phase.SASL, Phase.OPEN, Phase.CLOSING})


#: The legal phase transitions; :meth:`ConnectionPhase.move` refuses any other.
_TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    Phase.IDLE: frozenset({Phase.DISCONNECTED}),
    Phase.DISCONNECTED: frozenset({Phase.CONNECTING, Phase.CLOSED}),
    Phase.CONNECTING: frozenset({Phase.HANDSHAKE, Phase.DISCONNECTED, Phase.CLOSED}),
    Phase.HANDSHAKE: frozenset({Phase.SASL, Phase.OPEN, Phase.DISCONNECTED, Phase.CLOSED}),
    Phase.SASL: frozenset({Phase.OPEN, Phase.DISCONNECTED, Phase.CLOSED}),
    Phase.OPEN: frozenset({Phase.CLOSING, Phase.DISCONNECTED, Phase.CLOSED}),
    Phase.CLOSING: frozenset({Phase.CLOSED}),
    Phase.CLOSED: frozenset({Phase.DISCONNECTED}),  # a new run (start after stop)
}


class ConnectionPhase:
    """The current :class:`Phase`; every change goes through :meth:`move`."""

    __slots__ = ("phase",)

    def __init__(self) -> None:
        self.phase = Phase.IDLE

    def move(self, to: Phase) -> None:
        """Change phase; raises ``RuntimeError`` for a transition the table does not allow."""
        if to is self.phase:
            return
        if to not in _TRANSITIONS[self.phase]:
            raise RuntimeError(f"illegal session phase change {self.phase.value} -> {to.value}")
        self.phase = to

    @property
    def connected(self) -> bool:
        """True while a TCP connection is up (handshake to closing)."""
        return self.phase in CONNECTED_PHASES


class SessionStateTracker:
    """Tracks ``state`` (:class:`ZkState`) and ``keeper_state`` (:class:`KeeperState`)."""

    __slots__ = ("disconnected_since", "has_session", "keeper_state", "session_timeout", "state")

    def __init__(self, session_timeout: float) -> None:
        self.session_timeout = session_timeout
        self.state = ZkState.LOST
        self.keeper_state = KeeperState.CLOSED
        self.disconnected_since: float | None = None
        self.has_session = False

    def _change(self, state: ZkState) -> ZkState | None:
        if state is self.state:
            return None
        self.state = state
        return state

    def on_connecting(self) -> None:
        """A connection attempt starts (no listener-visible change)."""
        self.keeper_state = KeeperState.CONNECTING

    def on_connected(self, read_only: bool, negotiated_timeout: float) -> ZkState | None:
        """The handshake succeeded; returns CONNECTED unless already connected."""
        self.keeper_state = KeeperState.CONNECTED_RO if read_only else KeeperState.CONNECTED
        self.session_timeout = negotiated_timeout
        self.disconnected_since = None
        self.has_session = True
        return self._change(ZkState.CONNECTED)

    def on_disconnected(self, now: float, last_heard: float | None = None) -> ZkState | None:
        """The TCP connection dropped; returns SUSPENDED if we were CONNECTED.

        ``last_heard``: when the last byte arrived from the server (default ``now``);
        the LOST rule counts from it.
        """
        if self.keeper_state not in (KeeperState.CLOSED, KeeperState.AUTH_FAILED):
            self.keeper_state = KeeperState.CONNECTING
        if self.state is ZkState.CONNECTED:
            self.disconnected_since = now if last_heard is None else min(now, last_heard)
            return self._change(ZkState.SUSPENDED)
        return None

    def on_expired(self) -> ZkState | None:
        """The session is gone (server said so, a new session id, or the timeout rule)."""
        self.keeper_state = KeeperState.EXPIRED_SESSION
        self.has_session = False
        self.disconnected_since = None
        return self._change(ZkState.LOST)

    def lost_deadline(self) -> float | None:
        """When the disconnected-too-long rule fires, or ``None`` if it cannot."""
        if self.state is ZkState.SUSPENDED and self.disconnected_since is not None:
            return self.disconnected_since + self.session_timeout
        return None

    def check_timeout(self, now: float) -> ZkState | None:
        """Return LOST (and record the expiry) once SUSPENDED and unheard for the session timeout.

        The only place the client declares its session lost on its own.
        """
        deadline = self.lost_deadline()
        if deadline is not None and now >= deadline:
            return self.on_expired()
        return None

    def on_auth_failed(self) -> ZkState | None:
        """Authentication failed: terminal until restart."""
        self.keeper_state = KeeperState.AUTH_FAILED
        self.has_session = False
        self.disconnected_since = None
        return self._change(ZkState.LOST)

    def on_closed(self) -> ZkState | None:
        """The client was stopped."""
        self.keeper_state = KeeperState.CLOSED
        self.has_session = False
        self.disconnected_since = None
        return self._change(ZkState.LOST)
