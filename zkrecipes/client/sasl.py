"""SASL authentication for the client: DIGEST-MD5 (RFC 2831, client side, qop ``auth``).

Two parts, each usable on its own:

* :class:`SaslConfig` — the checked ``sasl_options`` (built by
  :func:`zkrecipes.client.validation.check_sasl`);
* :class:`DigestMD5Client` — the mechanism, sans-IO: it turns the server's
  digest-challenge into a digest-response and checks the server's ``rspauth``.

The exchange itself (SASLRequest packets, opcode 102, before any other request
of a new connection) is one state of the session layer:
:mod:`zkrecipes.client.session.login`.

ZooKeeper's DIGEST-MD5 server fixes the service to ``zookeeper`` and the host
(and default realm) to ``zk-sasl-md5``, so the digest-uri is
``zookeeper/zk-sasl-md5`` whatever server the client talks to. The exchange:
the client sends an empty token, the server answers with a digest-challenge,
the client sends its digest-response, the server answers ``rspauth=…`` (and
has then added the ``sasl`` identity to the session), which the client checks.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Final

from zkrecipes.exceptions import AuthFailedError

#: Service name ZooKeeper's server uses for SASL.
DEFAULT_SERVICE: Final = "zookeeper"
#: ZooKeeper's server uses this fixed name as DIGEST-MD5 host and default realm.
DIGEST_HOST: Final = "zk-sasl-md5"
#: Mechanisms this client implements.
SUPPORTED_MECHANISMS: Final = ("DIGEST-MD5",)
#: RFC 2831: a digest-challenge is at most 2048 bytes.
MAX_CHALLENGE: Final = 2048
#: Consecutive connections the server closed during the exchange before the client
#: gives up: some servers answer a failed login by closing the connection.
MAX_DROPS_IN_EXCHANGE: Final = 3

_TOKEN_CHARS: Final = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)
_SINGLE: Final = frozenset({"nonce", "qop", "charset", "algorithm", "maxbuf", "stale", "cipher", "rspauth"})


@dataclass(frozen=True, slots=True)
class SaslConfig:
    """Checked SASL options: what the client logs in as, and with which mechanism."""

    mechanism: str
    username: str
    password: str = ""
    service: str = DEFAULT_SERVICE
    authorization_id: str | None = None

    def __repr__(self) -> str:  # never show the password
        return f"SaslConfig(mechanism={self.mechanism!r}, username={self.username!r})"


# ------------------------------------------------------------------ parsing


def parse_directives(data: bytes) -> list[tuple[str, str]]:
    """Split a DIGEST-MD5 message into ``(lower-case name, value)`` pairs, in order.

    Accepts RFC 2831's ``#rule`` list: ``name=token`` or ``name="quoted"``
    (backslash escapes), separated by commas with optional white space and
    empty elements. Raises :class:`AuthFailedError` on anything else.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n,":
            i += 1
        if i >= n:
            return out
        start = i
        while i < n and text[i] in _TOKEN_CHARS:
            i += 1
        name = text[start:i].lower()
        while i < n and text[i] in " \t\r\n":
            i += 1
        if not name or i >= n or text[i] != "=":
            raise AuthFailedError(f"malformed DIGEST-MD5 message near offset {start}")
        i += 1
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i < n and text[i] == '"':
            i += 1
            chars: list[str] = []
            while True:
                if i >= n:
                    raise AuthFailedError("malformed DIGEST-MD5 message: unterminated quoted string")
                ch = text[i]
                if ch == "\\" and i + 1 < n:
                    chars.append(text[i + 1])
                    i += 2
                    continue
                i += 1
                if ch == '"':
                    break
                chars.append(ch)
            value = "".join(chars)
        else:
            start = i
            while i < n and text[i] in _TOKEN_CHARS:
                i += 1
            value = text[start:i]
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i < n and text[i] != ",":
            raise AuthFailedError(f"malformed DIGEST-MD5 message near offset {i}")
        out.append((name, value))


def _directive_map(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in pairs:
        values = found.setdefault(name, [])
        if name in _SINGLE and values:
            raise AuthFailedError(f"DIGEST-MD5 directive {name!r} given more than once")
        values.append(value)
    return found


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _credential_bytes(value: str, utf8: bool) -> bytes:
    """RFC 2831 §2.1.2.1: ISO 8859-1 when every character fits, else UTF-8 (if allowed)."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        if not utf8:
            raise AuthFailedError(
                "the server did not offer charset=utf-8 and the credentials are not ISO 8859-1"
            ) from None
        return value.encode("utf-8")


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data, usedforsecurity=False).digest()


def _md5_hex(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


# ---------------------------------------------------------------- mechanism


class DigestMD5Client:
    """The client side of one DIGEST-MD5 authentication (RFC 2831, qop ``auth``, no integrity).

    :meth:`step` is fed each server token in turn and returns the token to
    send back (``None`` once done). ``complete`` becomes True only after the
    server proved it knows the password too (a correct ``rspauth``).
    """

    def __init__(
        self,
        username: str,
        password: str,
        *,
        service: str = DEFAULT_SERVICE,
        host: str = DIGEST_HOST,
        authorization_id: str | None = None,
        cnonce: str | None = None,
    ) -> None:
        self.username = username
        self._password = password
        self.digest_uri = f"{service}/{host}"
        self.authorization_id = authorization_id
        self.cnonce = cnonce if cnonce is not None else secrets.token_hex(16)
        self.complete = False
        self._expected_rspauth: str | None = None

    def initial_response(self) -> bytes:
        """The first token: DIGEST-MD5 has no initial response, so it is empty."""
        return b""

    def step(self, token: bytes) -> bytes | None:
        """Answer the server's ``token``: a digest-response, then ``None`` after ``rspauth``.

        Raises :class:`AuthFailedError` for a malformed or unacceptable
        challenge, or a wrong ``rspauth``.
        """
        if self.complete:
            raise AuthFailedError("DIGEST-MD5: the server sent more after the exchange completed")
        if self._expected_rspauth is None:
            return self.respond(token)
        self.verify_rspauth(token)
        return None

    def respond(self, challenge: bytes) -> bytes:
        """Turn a digest-challenge into the digest-response (RFC 2831 §2.1.2)."""
        if not challenge:
            raise AuthFailedError(
                "the server sent no DIGEST-MD5 challenge (is SASL enabled on the server?)"
            )
        if len(challenge) > MAX_CHALLENGE:
            raise AuthFailedError(f"DIGEST-MD5 challenge of {len(challenge)} bytes (max {MAX_CHALLENGE})")
        found = _directive_map(parse_directives(challenge))
        nonce = found.get("nonce", [""])[0]
        if not nonce:
            raise AuthFailedError("DIGEST-MD5 challenge without a nonce")
        if found.get("algorithm", [""])[0].lower() != "md5-sess":
            raise AuthFailedError("DIGEST-MD5 challenge without algorithm=md5-sess")
        qops = [q.strip().lower() for q in found.get("qop", ["auth"])[0].split(",")]
        if "auth" not in qops:
            raise AuthFailedError(f"the server does not offer qop=auth (offers {qops})")
        charset = found.get("charset", [""])[0].lower()
        if charset and charset != "utf-8":
            raise AuthFailedError(f"DIGEST-MD5 challenge with unknown charset {charset!r}")
        utf8 = charset == "utf-8"
        realm = found.get("realm", [""])[0]
        nc = "00000001"
        response = self._digest(realm, nonce, nc, "AUTHENTICATE:", utf8)
        self._expected_rspauth = self._digest(realm, nonce, nc, ":", utf8)
        parts = []
        if utf8:
            parts.append("charset=utf-8")
        parts += [f"username={_quote(self.username)}"]
        if "realm" in found:
            parts.append(f"realm={_quote(realm)}")
        parts += [
            f"nonce={_quote(nonce)}", f"nc={nc}", f"cnonce={_quote(self.cnonce)}",
            f"digest-uri={_quote(self.digest_uri)}", f"response={response}", "qop=auth",
        ]
        if self.authorization_id is not None:
            parts.append(f"authzid={_quote(self.authorization_id)}")
        message = ",".join(parts)
        return message.encode("utf-8") if utf8 else _credential_bytes(message, False)

    def verify_rspauth(self, token: bytes) -> None:
        """Check the server's final ``rspauth=…``; sets ``complete`` or raises AuthFailedError."""
        if self._expected_rspauth is None:
            raise AuthFailedError("DIGEST-MD5: rspauth before the challenge")
        found = _directive_map(parse_directives(token))
        rspauth = found.get("rspauth", [""])[0].lower()
        if not secrets.compare_digest(rspauth.encode(), self._expected_rspauth.encode()):
            raise AuthFailedError("DIGEST-MD5: the server's rspauth is wrong (not the expected server?)")
        self.complete = True

    def _digest(self, realm: str, nonce: str, nc: str, a2_prefix: str, utf8: bool) -> str:
        """``response-value`` of RFC 2831 §2.1.2.1 (``a2_prefix`` "AUTHENTICATE:" or ":" for rspauth)."""
        user_realm_pass = b":".join(
            _credential_bytes(v, utf8) for v in (self.username, realm, self._password)
        )
        a1 = _md5(user_realm_pass) + f":{nonce}:{self.cnonce}".encode()
        if self.authorization_id is not None:
            a1 += b":" + self.authorization_id.encode("utf-8")
        a2 = (a2_prefix + self.digest_uri).encode("utf-8")
        kd = f"{_md5_hex(a1)}:{nonce}:{nc}:{self.cnonce}:auth:{_md5_hex(a2)}"
        return _md5_hex(kd.encode("ascii"))
