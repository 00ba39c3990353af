"""What the security tests share: the secured server's description and the client maker type.

(The fixtures are in this folder's conftest.py; import this as ``from _security import …``.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zkrecipes import ZkClient
from zkrecipes.testing import ZooKeeperServer
from zkrecipes.testing.tls import Certificates

START = 30.0
SASL_PASSWORD = "alice-sasl-pw-7731"
JAAS = f"""Server {{
    org.apache.zookeeper.server.auth.DigestLoginModule required
    user_alice="{SASL_PASSWORD}"
    user_bob="bob-sasl-pw-2218";
}};
"""
SASL_PROVIDER = "org.apache.zookeeper.server.auth.SASLAuthenticationProvider"

ClientMaker = Callable[..., ZkClient]
@dataclass(frozen=True)
class Secured:
    server: ZooKeeperServer
    certs: Certificates

    @property
    def plain_hosts(self) -> str:
        return self.server.hosts

    @property
    def tls_hosts(self) -> str:
        return f"127.0.0.1:{self.server.tls_port}"

    def mutual_tls(self, **overrides: Any) -> dict[str, Any]:
        """Client keyword arguments for mutual TLS with the test CA's client certificate."""
        kwargs: dict[str, Any] = {"use_ssl": True, "ca": str(self.certs.ca),
                                  "certfile": str(self.certs.client_cert),
                                  "keyfile": str(self.certs.client_key),
                                  "verify_certs": True, "check_hostname": True}
        kwargs.update(overrides)
        return kwargs
