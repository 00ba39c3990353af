"""Secrets never show in a repr: session passwords, digest credentials, SASL passwords and
tokens, TLS key passwords (a repr ends up in logs, tracebacks and debuggers)."""

from __future__ import annotations

from zkrecipes.client.config import ClientConfig
from zkrecipes.client.protocol.records import AuthPacket, ConnectRequest, ConnectResponse
from zkrecipes.client.protocol.session_requests import SASLRequest

SESSION_PASSWORD = b"\x8a-session-pw-\x01\x02"


def test_client_config_hides_credentials_and_the_session_password() -> None:
    config = ClientConfig.from_kazoo_args(
        "127.0.0.1:2181", auth_data=[("digest", "carol:digest-pw")], keyfile_password="key-pw",
        client_id=(0x42, SESSION_PASSWORD),
        sasl_options={"mechanism": "DIGEST-MD5", "username": "alice", "password": "sasl-pw"})
    text = repr(config)
    for secret in ("digest-pw", "key-pw", "sasl-pw", repr(SESSION_PASSWORD), SESSION_PASSWORD.hex()):
        assert secret not in text, text
    assert config.client_id == (0x42, SESSION_PASSWORD)  # still there, only not shown


def test_protocol_records_hide_passwords_and_tokens() -> None:
    texts = [repr(ConnectRequest(session_id=0x42, password=SESSION_PASSWORD)),
             repr(ConnectResponse(0, 3000, 0x42, SESSION_PASSWORD)),
             repr(AuthPacket(0, "digest", b"carol:digest-pw")),
             repr(SASLRequest(b"response=5f4dcc3b5aa765d61d8327deb882cf99"))]
    for text in texts:
        assert "digest-pw" not in text and "5f4dcc3b" not in text, text
        assert repr(SESSION_PASSWORD) not in text, text
