"""SASL DIGEST-MD5: the computation (RFC 2831 vectors), option checks, and the exchange
run by the client's I/O loop against a scripted peer on a socketpair (no server)."""

from __future__ import annotations

import hashlib
import queue
import socket
import struct
import threading
import warnings
from typing import Any

import pytest
from _scripted_peer import LEN, WAIT, ScriptedHandler, accept_session, frame, read_frame, scripted_client

from zkrecipes import KeeperState, ZkClient, ZkState
from zkrecipes.client.protocol.records import ReplyHeader
from zkrecipes.client.sasl import (
    MAX_CHALLENGE,
    MAX_DROPS_IN_EXCHANGE,
    DigestMD5Client,
    SaslConfig,
    parse_directives,
)
from zkrecipes.client.validation import check_sasl
from zkrecipes.exceptions import AuthFailedError, ConfigurationError, InvalidTypeError, NoNodeError

_SASL_OPCODE = 102

# ------------------------------------------------------- RFC 2831 §4 examples

IMAP_CHALLENGE = (b'realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",'
                  b'algorithm=md5-sess,charset=utf-8')
ACAP_CHALLENGE = (b'realm="elwood.innosoft.com",nonce="OA9BSXrbuRhWay",qop="auth",'
                  b'algorithm=md5-sess,charset=utf-8')


def directives(data: bytes) -> dict[str, str]:
    return dict(parse_directives(data))


@pytest.mark.parametrize(
    ("service", "challenge", "cnonce", "response", "rspauth"),
    [
        ("imap", IMAP_CHALLENGE, "OA6MHXh6VqTrRk", "d388dad90d4bbd760a152321f2143af7",
         "ea40f60335c427b5527b84dbabcdfffd"),
        ("acap", ACAP_CHALLENGE, "OA9BSuZWMSpW8m", "6084c6db3fede7352c551284490fd0fc",
         "2f0b3d7c3c2e486600ef710726aa2eae"),
    ],
)
def test_rfc2831_examples(service: str, challenge: bytes, cnonce: str, response: str, rspauth: str) -> None:
    mech = DigestMD5Client("chris", "secret", service=service, host="elwood.innosoft.com", cnonce=cnonce)
    assert mech.initial_response() == b""
    answer = mech.step(challenge)
    assert answer is not None
    got = directives(answer)
    assert got["response"] == response
    assert got["username"] == "chris" and got["realm"] == "elwood.innosoft.com"
    assert got["nonce"] == directives(challenge)["nonce"] and got["cnonce"] == cnonce
    assert got["nc"] == "00000001" and got["qop"] == "auth" and got["charset"] == "utf-8"
    assert got["digest-uri"] == f"{service}/elwood.innosoft.com"
    assert not mech.complete
    assert mech.step(f"rspauth={rspauth}".encode()) is None
    assert mech.complete


def test_zookeeper_response_is_exact() -> None:
    mech = DigestMD5Client("alice", "secret", cnonce="c0ffee")
    answer = mech.respond(b'realm="zk-sasl-md5",nonce="n1",qop="auth",charset=utf-8,algorithm=md5-sess')
    ha1 = hashlib.md5(hashlib.md5(b"alice:zk-sasl-md5:secret").digest() + b":n1:c0ffee").hexdigest()
    ha2 = hashlib.md5(b"AUTHENTICATE:zookeeper/zk-sasl-md5").hexdigest()
    expected = hashlib.md5(f"{ha1}:n1:00000001:c0ffee:auth:{ha2}".encode()).hexdigest()
    assert answer == (
        'charset=utf-8,username="alice",realm="zk-sasl-md5",nonce="n1",nc=00000001,cnonce="c0ffee",'
        f'digest-uri="zookeeper/zk-sasl-md5",response={expected},qop=auth'
    ).encode()


def test_wrong_rspauth_fails_and_does_not_complete() -> None:
    mech = DigestMD5Client("chris", "secret", service="imap", host="elwood.innosoft.com",
                           cnonce="OA6MHXh6VqTrRk")
    mech.step(IMAP_CHALLENGE)
    with pytest.raises(AuthFailedError, match="rspauth"):
        mech.step(b"rspauth=00000000000000000000000000000000")
    assert not mech.complete


def test_a_token_after_completion_is_refused() -> None:
    mech = DigestMD5Client("chris", "secret", service="imap", host="elwood.innosoft.com",
                           cnonce="OA6MHXh6VqTrRk")
    mech.step(IMAP_CHALLENGE)
    mech.step(b"rspauth=ea40f60335c427b5527b84dbabcdfffd")
    with pytest.raises(AuthFailedError):
        mech.step(b"rspauth=ea40f60335c427b5527b84dbabcdfffd")


def _hash_vector(user: bytes, realm: bytes, password: bytes, authzid: bytes | None = None) -> str:
    a1 = hashlib.md5(user + b":" + realm + b":" + password).digest() + b":n:c"
    if authzid is not None:
        a1 += b":" + authzid
    ha2 = hashlib.md5(b"AUTHENTICATE:zookeeper/zk-sasl-md5").hexdigest()
    return hashlib.md5(f"{hashlib.md5(a1).hexdigest()}:n:00000001:c:auth:{ha2}".encode()).hexdigest()


UTF8_CHALLENGE = b'realm="r",nonce="n",charset=utf-8,algorithm=md5-sess'


def test_latin1_credentials_are_hashed_as_iso_8859_1() -> None:
    answer = DigestMD5Client("jos\u00e9", "p\u00e4ss", cnonce="c").respond(UTF8_CHALLENGE)
    assert directives(answer)["response"] == _hash_vector(b"jos\xe9", b"r", b"p\xe4ss")
    assert 'username="jos\u00e9"'.encode() in answer  # the message itself is UTF-8


def test_non_latin1_credentials_are_hashed_as_utf8() -> None:
    answer = DigestMD5Client("\u0437\u043e\u0438", "\u20ac", cnonce="c").respond(UTF8_CHALLENGE)
    assert directives(answer)["response"] == _hash_vector(
        "\u0437\u043e\u0438".encode(), b"r", "\u20ac".encode())


def test_non_latin1_credentials_without_utf8_charset_fail() -> None:
    with pytest.raises(AuthFailedError, match="charset"):
        DigestMD5Client("\u20ac", "x", cnonce="c").respond(b'nonce="n",algorithm=md5-sess')


def test_authorization_id_enters_a1_and_the_message() -> None:
    answer = DigestMD5Client("alice", "pw", authorization_id="bob", cnonce="c").respond(UTF8_CHALLENGE)
    got = directives(answer)
    assert got["authzid"] == "bob"
    assert got["response"] == _hash_vector(b"alice", b"r", b"pw", b"bob")


def test_quotes_in_the_username_are_escaped() -> None:
    answer = DigestMD5Client('a"b\\c', "pw", cnonce="c").respond(UTF8_CHALLENGE)
    assert b'username="a\\"b\\\\c"' in answer
    assert directives(answer)["username"] == 'a"b\\c'


def test_no_realm_in_the_challenge_means_empty_realm_and_none_sent() -> None:
    answer = DigestMD5Client("u", "p", cnonce="c").respond(b'nonce="n",algorithm=md5-sess,charset=utf-8')
    assert "realm" not in directives(answer)
    assert directives(answer)["response"] == _hash_vector(b"u", b"", b"p")


def test_cnonce_is_random_per_mechanism() -> None:
    assert DigestMD5Client("u", "p").cnonce != DigestMD5Client("u", "p").cnonce


def test_parse_directives_handles_the_rfc_list_syntax() -> None:
    data = b' , realm="a\\"b" ,, realm=second ,nonce = "x,y" , qop="auth,auth-int",  stale=true,'
    assert parse_directives(data) == [
        ("realm", 'a"b'), ("realm", "second"), ("nonce", "x,y"), ("qop", "auth,auth-int"), ("stale", "true"),
    ]


@pytest.mark.parametrize(
    ("challenge", "message"),
    [
        (b"", "no DIGEST-MD5 challenge"),
        (b'nonce="n"', "md5-sess"),
        (b"algorithm=md5-sess", "nonce"),
        (b'nonce="a",nonce="b",algorithm=md5-sess', "more than once"),
        (b'nonce="n",algorithm=md5-sess,qop="auth-int,auth-conf"', "qop=auth"),
        (b'nonce="n",algorithm=md5-sess,charset=latin9', "charset"),
        (b'nonce="unterminated,algorithm=md5-sess', "unterminated"),
        (b"nonce", "malformed"),
        (b'nonce="n" junk,algorithm=md5-sess', "malformed"),
        (b'nonce="' + b"x" * MAX_CHALLENGE + b'",algorithm=md5-sess', "max"),
    ],
)
def test_bad_challenges_fail_with_auth_failed(challenge: bytes, message: str) -> None:
    with pytest.raises(AuthFailedError, match=message):
        DigestMD5Client("u", "p").respond(challenge)


# ------------------------------------------------------------- option checks


def test_sasl_options_build_a_config() -> None:
    config, rest = check_sasl({"mechanism": "digest-md5", "username": "u", "password": "p",
                               "service": "zk"}, [("digest", "a:b")])
    assert config == SaslConfig("DIGEST-MD5", "u", "p", "zk", None)
    assert rest == [("digest", "a:b")]
    assert "p" not in repr(config)


def test_no_sasl_gives_none() -> None:
    assert check_sasl(None, []) == (None, [])
    assert check_sasl({}, [("digest", "a:b")]) == (None, [("digest", "a:b")])


def test_legacy_sasl_auth_data_is_converted_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="sasl_options"):
        config, rest = check_sasl(None, [("sasl", "alice:pa:ss"), ("digest", "x:y")])
    assert config == SaslConfig("DIGEST-MD5", "alice", "pa:ss")
    assert rest == [("digest", "x:y")]


@pytest.mark.parametrize(
    ("options", "auth_data", "error"),
    [
        ({"mechanism": "GSSAPI"}, [], ConfigurationError),
        ({"mechanism": "PLAIN", "username": "u", "password": "p"}, [], ConfigurationError),
        ({"username": "u", "password": "p"}, [], ConfigurationError),
        ({"mechanism": "DIGEST-MD5", "password": "p"}, [], ConfigurationError),
        ({"mechanism": "DIGEST-MD5", "username": "", "password": "p"}, [], ConfigurationError),
        ({"mechanism": "DIGEST-MD5", "username": "u"}, [], ConfigurationError),
        ({"mechanism": "DIGEST-MD5", "username": "u", "password": "p", "qops": ["auth"]}, [],
         ConfigurationError),
        ({"mechanism": "DIGEST-MD5", "username": "u", "password": "p", "service": 3}, [], InvalidTypeError),
        ({"mechanism": "DIGEST-MD5", "username": "u", "password": "p", "authorization_id": 1}, [],
         InvalidTypeError),
        ({"mechanism": "DIGEST-MD5", "username": "u", "password": "p"}, [("sasl", "a:b")],
         ConfigurationError),
        (None, [("sasl", "a:b"), ("sasl", "c:d")], ConfigurationError),
        (None, [("sasl", "no-colon")], ConfigurationError),
        ([("mechanism", "DIGEST-MD5")], [], InvalidTypeError),
    ],
)
def test_bad_sasl_options_are_refused(options: Any, auth_data: list[tuple[str, str]], error: type) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(error):
            check_sasl(options, auth_data)


def test_client_keeps_sasl_out_of_auth_data() -> None:
    with pytest.warns(DeprecationWarning):
        client = ZkClient("127.0.0.1:9", auth_data=[("sasl", "u:p"), ("digest", "a:b")])
    assert client.sasl == SaslConfig("DIGEST-MD5", "u", "p")
    assert client.auth_data == [("digest", "a:b")]
    with pytest.raises(ConfigurationError):
        ZkClient("127.0.0.1:9", sasl_options={"mechanism": "GSSAPI"})


# ------------------------------------------------- the exchange, scripted peer


def read_request(sock: socket.socket) -> bytes:
    """The next frame that is not a ping."""
    while True:
        body = read_frame(sock)
        if struct.unpack_from(">i", body, 0)[0] != -2:
            return body


class DigestServer:
    """Plays ZooKeeper's DIGEST-MD5 server (its own computation, from RFC 2831's formulas)."""

    def __init__(self, users: dict[str, str], nonce: str = "srv-nonce") -> None:
        self.users = users
        self.nonce = nonce
        self.logins: list[str] = []

    def challenge(self) -> bytes:
        nonce = self.nonce
        return f'realm="zk-sasl-md5",nonce="{nonce}",qop="auth",charset=utf-8,algorithm=md5-sess'.encode()

    def _value(self, d: dict[str, str], prefix: str) -> str:
        password = self.users.get(d["username"], "\0no such user")
        a1 = (hashlib.md5(f"{d['username']}:{d['realm']}:{password}".encode("latin-1")).digest()
              + f":{d['nonce']}:{d['cnonce']}".encode())
        ha2 = hashlib.md5(f"{prefix}{d['digest-uri']}".encode()).hexdigest()
        kd = f"{hashlib.md5(a1).hexdigest()}:{d['nonce']}:{d['nc']}:{d['cnonce']}:{d['qop']}:{ha2}"
        return hashlib.md5(kd.encode()).hexdigest()

    def check(self, response: bytes) -> bytes | None:
        """The rspauth message for a correct response, else None."""
        d = directives(response)
        if d.get("nonce") != self.nonce or d.get("digest-uri") != "zookeeper/zk-sasl-md5":
            return None
        if d.get("response") != self._value(d, "AUTHENTICATE:"):
            return None
        self.logins.append(d["username"])
        return f"rspauth={self._value(d, ':')}".encode()


def sasl_round(peer: socket.socket, answer: bytes | None, err: int = 0) -> bytes:
    """Read one SASL request; answer it (a null token when ``answer`` is None); return its token."""
    body = read_frame(peer)
    xid, opcode, length = struct.unpack_from(">iii", body, 0)
    assert opcode == _SASL_OPCODE, f"expected a SASL request, got opcode {opcode}"
    token = body[12:12 + length] if length > 0 else b""
    payload = LEN.pack(-1) if answer is None else LEN.pack(len(answer)) + answer
    peer.sendall(frame(ReplyHeader(xid, 0, err).to_bytes() + payload))
    return token


def serve_login(peer: socket.socket, server: DigestServer) -> bool:
    """Run the server side of one login; True if it succeeded."""
    assert sasl_round(peer, server.challenge()) == b""
    body = read_frame(peer)
    xid, opcode, length = struct.unpack_from(">iii", body, 0)
    assert opcode == _SASL_OPCODE
    rspauth = server.check(body[12:12 + length])
    if rspauth is None:
        peer.sendall(frame(ReplyHeader(xid, 0, -115).to_bytes() + LEN.pack(-1)))
        return False
    peer.sendall(frame(ReplyHeader(xid, 0, 0).to_bytes() + LEN.pack(len(rspauth)) + rspauth))
    return True


def run_peer(target: Any, *args: Any) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def body() -> None:
        try:
            target(*args)
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread, errors


def start_is_refused(client: ZkClient, peer_side: Any) -> None:
    """``client.start()`` against ``peer_side`` (run on a thread) fails with AuthFailedError."""
    thread, errors = run_peer(peer_side)
    with pytest.raises(AuthFailedError):
        client.start(timeout=60)
    thread.join(WAIT)
    assert not errors


def stop_against(client: ZkClient, peer: socket.socket) -> None:
    """Stop ``client``, answering its closeSession from ``peer``."""

    def answer_close() -> None:
        body = read_request(peer)
        xid, opcode = struct.unpack_from(">ii", body, 0)
        assert opcode == -11
        peer.sendall(frame(ReplyHeader(xid, 0, 0).to_bytes()))

    thread, errors = run_peer(answer_close)
    client.stop()
    thread.join(WAIT)
    peer.close()
    assert not errors


def make_client(handler: ScriptedHandler, password: str = "secret", **kwargs: Any
                ) -> tuple[ZkClient, queue.Queue[ZkState]]:
    return scripted_client(
        handler, sasl_options={"mechanism": "DIGEST-MD5", "username": "alice", "password": password}, **kwargs
    )


@pytest.fixture
def handler() -> Any:
    handler = ScriptedHandler()
    yield handler
    while not handler.peers.empty():
        handler.peers.get().close()


def test_login_runs_before_any_other_request(handler: ScriptedHandler) -> None:
    client, states = make_client(handler)
    server = DigestServer({"alice": "secret"})
    client.start_async()
    peer, _ = accept_session(handler)
    early = client.get_async("/a")  # issued during the handshake: must wait for the login
    assert serve_login(peer, server)
    assert states.get(timeout=WAIT) is ZkState.CONNECTED
    xid, opcode = struct.unpack_from(">ii", read_request(peer), 0)
    assert opcode == 4  # the getData comes only now
    peer.sendall(frame(ReplyHeader(xid, 5, -101).to_bytes()))
    assert early.wait(WAIT) and isinstance(early.exception, NoNodeError)
    assert server.logins == ["alice"]
    stop_against(client, peer)


def test_wrong_password_makes_start_raise_auth_failed_at_once(handler: ScriptedHandler) -> None:
    client, _ = make_client(handler, password="wrong")
    server = DigestServer({"alice": "secret"})
    results: list[bool] = []

    def peer_side() -> None:
        peer, _ = accept_session(handler)
        results.append(serve_login(peer, server))
        assert peer.recv(1) == b""  # the client closes the connection
        peer.close()

    thread, errors = run_peer(peer_side)
    with pytest.raises(AuthFailedError):
        client.start(timeout=60)  # returns on the refusal, long before this timeout
    thread.join(WAIT)
    assert not errors and results == [False]
    assert client.state is ZkState.LOST and client.client_state is KeeperState.AUTH_FAILED
    with pytest.raises(AuthFailedError):
        client.get("/")
    assert handler.peers.empty()  # no reconnect attempt


def test_server_with_a_bad_rspauth_is_refused(handler: ScriptedHandler) -> None:
    client, _ = make_client(handler)

    def peer_side() -> None:
        peer, _ = accept_session(handler)
        sasl_round(peer, DigestServer({}).challenge())
        sasl_round(peer, b"rspauth=0123456789abcdef0123456789abcdef")
        peer.recv(1)
        peer.close()

    start_is_refused(client, peer_side)
    assert client.client_state is KeeperState.AUTH_FAILED


def test_server_without_sasl_is_an_auth_failure(handler: ScriptedHandler) -> None:
    client, _ = make_client(handler)

    def peer_side() -> None:
        peer, _ = accept_session(handler)
        sasl_round(peer, None)  # what a server without a SASL login configured answers
        peer.recv(1)
        peer.close()

    start_is_refused(client, peer_side)


def test_connection_closed_during_login_is_retried_then_refused(handler: ScriptedHandler) -> None:
    client, _ = make_client(handler)

    def peer_side() -> None:
        for _ in range(MAX_DROPS_IN_EXCHANGE):
            peer, _ = accept_session(handler)
            read_frame(peer)  # the first SASL token, then silence: the connection closes
            peer.close()

    start_is_refused(client, peer_side)
    assert handler.peers.empty()


def test_one_dropped_login_reconnects_and_logs_in(handler: ScriptedHandler) -> None:
    client, states = make_client(handler)
    server = DigestServer({"alice": "secret"})
    client.start_async()
    peer, _ = accept_session(handler)
    read_frame(peer)
    peer.close()
    peer2, again = accept_session(handler)
    assert again.session_id == 0x42  # the same session, logged in again
    assert serve_login(peer2, server)
    assert states.get(timeout=WAIT) is ZkState.CONNECTED
    stop_against(client, peer2)


def test_reconnect_logs_in_again_before_the_priming(handler: ScriptedHandler) -> None:
    client, states = make_client(handler, auth_data=[("digest", "bob:pw")])  # in every priming
    server = DigestServer({"alice": "secret"}, nonce="first")
    client.start_async()
    peer, _ = accept_session(handler)
    assert serve_login(peer, server)
    assert struct.unpack_from(">ii", read_request(peer), 0) == (-4, 100)  # the priming's auth packet
    assert states.get(timeout=WAIT) is ZkState.CONNECTED
    peer.close()
    assert states.get(timeout=WAIT) is ZkState.SUSPENDED
    peer2, again = accept_session(handler)
    assert again.session_id == 0x42
    server.nonce = "second"
    assert serve_login(peer2, server)  # nothing else before the login
    assert server.logins == ["alice", "alice"]
    xid, opcode = struct.unpack_from(">ii", read_request(peer2), 0)
    assert (xid, opcode) == (-4, 100)  # then the priming: the auth packet
    assert states.get(timeout=WAIT) is ZkState.CONNECTED
    peer2.sendall(frame(ReplyHeader(-4, 0, 0).to_bytes()))
    stop_against(client, peer2)
