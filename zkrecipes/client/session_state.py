"""The client's session state machine: CONNECTED / SUSPENDED / LOST decisions.

Pure logic, no I/O and no clock of its own (callers pass ``now``), so that it
can be tested with scripted inputs. The connection feeds it what happened;
each method returns the new :class:`ZkState` when the simplified state
changed (the one listeners are told about), else ``None``.

Rules:

* a successful handshake → ``CONNECTED`` (``client_state`` CONNECTED or
  CONNECTED_RO);
* a dropped connection while CONNECTED → ``SUSPENDED``, remembering when;
* the server says the session expired → ``LOST``;
* disconnected for the whole session timeout → ``LOST`` (Curator's rule: a
  partitioned client cannot hear the server expire its session);
* stop/close → ``LOST`` with ``client_state`` CLOSED; auth failure → ``LOST``
  with ``client_state`` AUTH_FAILED.

``has_session`` is True from a successful handshake until the session is lost,
closed or refused by an auth failure, i.e. while CONNECTED *and* SUSPENDED;
``ZkClient.client_id`` reports the session exactly then.
"""

from __future__ import annotations

from zkrecipes.states import KeeperState, ZkState


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

    def on_disconnected(self, now: float) -> ZkState | None:
        """The TCP connection dropped; returns SUSPENDED if we were CONNECTED."""
        if self.keeper_state not in (KeeperState.CLOSED, KeeperState.AUTH_FAILED):
            self.keeper_state = KeeperState.CONNECTING
        if self.state is ZkState.CONNECTED:
            self.disconnected_since = now
            return self._change(ZkState.SUSPENDED)
        return None

    def on_expired(self) -> ZkState | None:
        """The session is gone (server said so, or the timeout rule fired)."""
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
        """Return LOST (and record the expiry) once SUSPENDED for the session timeout."""
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
