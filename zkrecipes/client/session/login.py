"""The SASL login as one state of the session: the exchange's sequencing and failure rules.

On every new connection with SASL configured, right after the handshake and
before anything else is written, the session runs one login: the mechanism
(:class:`~zkrecipes.client.sasl.DigestMD5Client`, a pure object) produces each
token, this module wraps it in a SASLRequest and checks each reply. Rules:

* the login must finish within two thirds of the negotiated session timeout,
  else the connection is dropped (and the login retried on the next one);
* a refused login (a reply with an error, a bad challenge or ``rspauth``) is an
  authentication failure for good;
* a server that closes the connection during the exchange
  ``MAX_DROPS_IN_EXCHANGE`` times in a row has refused the login too (some
  servers answer a failed login by closing); a successful login resets the count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from zkrecipes.client.protocol.requests import SASLRequest
from zkrecipes.client.sasl import MAX_DROPS_IN_EXCHANGE, DigestMD5Client, SaslConfig
from zkrecipes.exceptions import AuthFailedError

if TYPE_CHECKING:
    from zkrecipes.client.protocol.events import Reply
    from zkrecipes.client.protocol.session import ZkProtocol

__all__ = ["SASL_CONTEXT", "SaslLogin"]

SASL_CONTEXT: Final = object()
"""The pending-request context of the session's own SASLRequests."""


class SaslLogin:
    """Runs one SASL login per connection (see the module docstring)."""

    __slots__ = ("_mechanism", "_request", "config", "deadline", "drops_in_row")

    def __init__(self, config: SaslConfig) -> None:
        self.config = config
        self.drops_in_row = 0
        self.deadline = 0.0
        self._mechanism: DigestMD5Client | None = None
        self._request: SASLRequest | None = None

    def begin(self, protocol: ZkProtocol, now: float, negotiated_timeout: float) -> bytes:
        """Start a login (fresh mechanism, new cnonce); return the first frame to send."""
        c = self.config
        self._mechanism = DigestMD5Client(
            c.username, c.password, service=c.service, authorization_id=c.authorization_id)
        self.deadline = now + negotiated_timeout * 2 / 3
        return self._send(protocol, self._mechanism.initial_response())

    def _send(self, protocol: ZkProtocol, token: bytes) -> bytes:
        request = SASLRequest(token)
        self._request = request
        return protocol.send(request, SASL_CONTEXT)

    def on_reply(self, protocol: ZkProtocol, event: Reply) -> bytes | None:
        """Take the server's answer; return the next frame, or None once logged in.

        Raises :class:`AuthFailedError` when the login is refused.
        """
        if self._mechanism is None or event.pending.request is not self._request:
            raise AuthFailedError("SASL reply for an earlier request")
        if event.err:
            raise AuthFailedError(f"the server refused the SASL login (error {event.err})")
        token = self._mechanism.step(bytes(event.result or b""))
        if token is None:
            self._mechanism = self._request = None
            self.drops_in_row = 0
            return None
        return self._send(protocol, token)

    def connection_lost(self, closed_by_peer: bool) -> AuthFailedError | None:
        """The connection ended mid-login; the error when that counts as a refusal."""
        self._mechanism = self._request = None
        if not closed_by_peer:
            return None
        self.drops_in_row += 1
        if self.drops_in_row >= MAX_DROPS_IN_EXCHANGE:
            self.drops_in_row = 0
            return AuthFailedError(
                f"the server closed the connection during SASL {MAX_DROPS_IN_EXCHANGE} times"
                " in a row (login refused?)")
        return None
