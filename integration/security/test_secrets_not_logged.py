"""No secret ever reaches a log record, at any level.

A full session is logged at DEBUG: mutual TLS with an encrypted key and its
``keyfile_password``, a SASL login, digest credentials (at start and through
``add_auth``), a digest ACL, a reconnect to the same session through a proxy,
a refused SASL login and a wrong ``keyfile_password``, then stop. No record's
message, arguments or traceback may contain a password, the digest of one, the
SASL secret or the session password (as bytes, hex or base64).
"""

from __future__ import annotations

import base64
import logging

import pytest
from _security import SASL_PASSWORD, ClientMaker, Secured
from _waits import Recorder

from zkrecipes import ZkState
from zkrecipes.exceptions import AuthFailedError, ZkTimeoutError
from zkrecipes.security import make_digest_acl, make_digest_acl_credential
from zkrecipes.testing import FaultProxy

DIGEST_PASSWORD = "carols-digest-pw-5150"
LATER_PASSWORD = "erins-digest-pw-6262"
WRONG_SASL = "not-alices-pw-9090"
WRONG_KEY_PASSWORD = "wrong-key-pw-3131"


def secrets_of(secured: Secured, session_password: bytes) -> list[str]:
    digests = [make_digest_acl_credential(user, pw).split(":", 1)[1]
               for user, pw in (("carol", DIGEST_PASSWORD), ("erin", LATER_PASSWORD))]
    return [SASL_PASSWORD, WRONG_SASL, DIGEST_PASSWORD, LATER_PASSWORD, WRONG_KEY_PASSWORD,
            secured.certs.key_password, secured.certs.store_password, *digests,
            repr(session_password), session_password.hex(), session_password.hex().upper(),
            base64.b64encode(session_password).decode()]


def record_texts(records: list[logging.LogRecord]) -> list[str]:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    texts = []
    for record in records:
        texts.append(formatter.format(record))  # the message, with any traceback
        texts.append(repr(record.args))
        texts.append(repr(record.msg))
    return texts


def test_a_full_session_with_every_kind_of_secret_logs_none(
        secured: Secured, make_client: ClientMaker, caplog: pytest.LogCaptureFixture, path: str) -> None:
    caplog.set_level(logging.DEBUG, logger="zkrecipes")
    with FaultProxy("127.0.0.1", secured.server.tls_port or 0) as proxy:
        tls = secured.mutual_tls(keyfile=str(secured.certs.client_key_encrypted),
                                 keyfile_password=secured.certs.key_password)
        client = make_client(proxy.hosts, sasl_options={"mechanism": "DIGEST-MD5", "username": "alice",
                                                        "password": SASL_PASSWORD},
                             auth_data=[("digest", f"carol:{DIGEST_PASSWORD}")], **tls)
        states: Recorder[ZkState] = Recorder(client)
        client.add_listener(states)
        client.create(path, b"", acl=[make_digest_acl("carol", DIGEST_PASSWORD, all=True)])
        client.add_auth("digest", f"erin:{LATER_PASSWORD}")
        session_id, session_password = client.client_id
        proxy.close_connections()
        states.wait_for(lambda seen: seen[-2:] == [ZkState.SUSPENDED, ZkState.CONNECTED],
                        message="a reconnect")
        assert client.client_id[0] == session_id
        assert client.get(path)[0] == b""
        client.stop()

    wrong_sasl = {"mechanism": "DIGEST-MD5", "username": "alice", "password": WRONG_SASL}
    refused = make_client(secured.plain_hosts, start=False, sasl_options=wrong_sasl)
    with pytest.raises(AuthFailedError):
        refused.start(timeout=60)
    bad_key = make_client(secured.tls_hosts, start=False, **secured.mutual_tls(
        keyfile=str(secured.certs.client_key_encrypted), keyfile_password=WRONG_KEY_PASSWORD))
    with pytest.raises(ZkTimeoutError):
        bad_key.start(timeout=2.0)

    assert logging.getLogger("zkrecipes").isEnabledFor(logging.DEBUG)
    assert {r.levelno for r in caplog.records} >= {logging.INFO, logging.ERROR}  # the session was logged
    texts = record_texts(caplog.records)
    for secret in secrets_of(secured, session_password):
        leaks = [text for text in texts if secret in text]
        assert not leaks, f"a secret appears in {len(leaks)} log record(s): {leaks[:3]}"
