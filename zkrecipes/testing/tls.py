"""Throw-away TLS material for tests: a CA, server and client certificates, made with ``openssl``.

:func:`make_certificates` writes, in a directory of the caller's, everything a
mutual-TLS test needs (see :class:`Certificates`): a CA and a server certificate
for ``127.0.0.1`` it signed (as a PKCS#12 keystore for ZooKeeper, whose
truststore is the CA's PEM file), one that expired at once, a client certificate and key (also as a
password-protected key), a client certificate that expired at once, and a
second, unrelated CA with a client certificate of its own. Keys are EC P-256;
certificates are valid for two days (the expired one for no time at all).

It needs the ``openssl`` command (OpenSSL 1.1.1 or later); nothing is imported.
The passwords are fixed, test-only strings: never use this material for anything
but tests.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from zkrecipes.exceptions import HarnessError

__all__ = ["Certificates", "make_certificates", "openssl_available"]

_DAYS = "2"
_TIMEOUT = 60.0


@dataclass(frozen=True)
class Certificates:
    """Paths of the files :func:`make_certificates` wrote, and their passwords."""

    directory: Path
    ca: Path
    """The CA's certificate (PEM): the client's ``ca``, the server's truststore."""
    server_keystore: Path
    """The server's key and certificate chain (PKCS#12, ``store_password``)."""
    server_cert: Path
    expired_server_keystore: Path
    """Like ``server_keystore``, with a certificate for the same names that expired at once."""
    client_cert: Path
    client_key: Path
    client_key_encrypted: Path
    """``client_key`` encrypted with ``key_password`` (the client's ``keyfile_password``)."""
    expired_client_cert: Path
    expired_client_key: Path
    other_ca: Path
    """A CA that signed nothing the server trusts or presents."""
    other_client_cert: Path
    other_client_key: Path
    store_password: str
    key_password: str
    server_names: tuple[str, ...]
    """The subject alternative names of the server certificate (``IP:127.0.0.1``)."""


def openssl_available() -> bool:
    """True when the ``openssl`` command is on the PATH."""
    return shutil.which("openssl") is not None


def _run(*args: str, cwd: Path) -> None:
    try:
        subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=_TIMEOUT)
    except FileNotFoundError as exc:
        raise HarnessError("the openssl command is not installed") from exc
    except subprocess.CalledProcessError as exc:
        raise HarnessError(f"openssl {args[0]} failed: {exc.stderr.decode(errors='replace')}") from exc


def _key_and_request(d: Path, name: str, subject: str) -> None:
    _run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject, cwd=d)


def _ca(d: Path, name: str, subject: str) -> None:
    _run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", _DAYS, "-subj", subject,
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)


def _signed(d: Path, name: str, ca: str, extensions: str, days: str = _DAYS) -> None:
    (d / f"{name}.ext").write_text(extensions)
    _run("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
         "-CAcreateserial", "-out", f"{name}.pem", "-days", days, "-extfile", f"{name}.ext", cwd=d)


def make_certificates(directory: str | Path, *, store_password: str = "store-secret-123",
                      key_password: str = "key-secret-456") -> Certificates:
    """Write a CA, server and client certificates into ``directory`` (created if needed).

    Raises :class:`HarnessError` when ``openssl`` is missing or fails.
    """
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    client_ext = "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n"
    server_names = ("IP:127.0.0.1",)
    _ca(d, "ca", "/CN=zkrecipes test CA")
    _ca(d, "other-ca", "/CN=zkrecipes unrelated test CA")
    _key_and_request(d, "server", "/CN=zkrecipes test server")
    _signed(d, "server", "ca", "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n"
            f"extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName={','.join(server_names)}\n")
    server_ext = ("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n"
                  f"extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName={','.join(server_names)}\n")
    _key_and_request(d, "expired-server", "/CN=zkrecipes expired test server")
    _signed(d, "expired-server", "ca", server_ext, "0")
    for name in ("server", "expired-server"):
        _run("pkcs12", "-export", "-in", f"{name}.pem", "-inkey", f"{name}.key", "-certfile", "ca.pem",
             "-name", "server", "-out", f"{name}.p12", "-passout", f"pass:{store_password}", cwd=d)
    for name, ca, days in (("client", "ca", _DAYS), ("expired-client", "ca", "0"),
                           ("other-client", "other-ca", _DAYS)):
        _key_and_request(d, name, f"/CN=zkrecipes {name}")
        _signed(d, name, ca, client_ext, days)
    _run("pkey", "-in", "client.key", "-aes256", "-passout", f"pass:{key_password}",
         "-out", "client-encrypted.key", cwd=d)
    return Certificates(
        directory=d, ca=d / "ca.pem", server_keystore=d / "server.p12", server_cert=d / "server.pem",
        expired_server_keystore=d / "expired-server.p12",
        client_cert=d / "client.pem", client_key=d / "client.key",
        client_key_encrypted=d / "client-encrypted.key",
        expired_client_cert=d / "expired-client.pem", expired_client_key=d / "expired-client.key",
        other_ca=d / "other-ca.pem", other_client_cert=d / "other-client.pem",
        other_client_key=d / "other-client.key", store_password=store_password,
        key_password=key_password, server_names=server_names,
    )
