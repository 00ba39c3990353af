"""``python -m zkrecipes.testing serve``: a local ZooKeeper for experiments, until interrupted.

Starts a :class:`~zkrecipes.testing.ZooKeeperServer` (or, with ``--ensemble N``, a
:class:`~zkrecipes.testing.ZooKeeperEnsemble`) from the local install, then prints
its connect string as the **first line of stdout** (machine-readable, e.g.
``127.0.0.1:14387``; an ensemble's is comma-separated). With ``--tls`` a self-signed
certificate is made with the JDK's ``keytool`` and two more lines follow:
``tls 127.0.0.1:<port>`` and ``ca <path of the certificate (PEM)>``. Notes for a person
go to stderr. It runs until SIGINT (Ctrl-C) or SIGTERM, then stops the server(s),
removes their temp dirs and exits 0, without a traceback. A start that fails exits
1 with the harness's one-line reason on stderr; bad options exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from zkrecipes.exceptions import HarnessError, InvalidArgumentError
from zkrecipes.testing.config import TlsOptions
from zkrecipes.testing.ensemble import ZooKeeperEnsemble
from zkrecipes.testing.server import ZooKeeperServer

__all__ = ["build_parser", "main", "self_signed_tls"]

_STORE_PASSWORD = "zkrecipes-serve"  # protects throw-away key material in a private temp dir
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def build_parser() -> argparse.ArgumentParser:
    """``python -m zkrecipes.testing serve [--port P] [--ensemble N] [--tls]``."""
    parser = argparse.ArgumentParser(
        prog="python -m zkrecipes.testing",
        description="Local ZooKeeper servers from zkrecipes' test harness.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve", help="start a local ZooKeeper, print its connect string, run until Ctrl-C",
        description="Start a local ZooKeeper (Debian's package or $ZOOKEEPER_HOME), print its connect "
                    "string as the first line of stdout, and run until SIGINT or SIGTERM.")
    serve.add_argument("--port", type=int, help="the client port (default: a free one; never 2181 by chance)")
    serve.add_argument("--ensemble", type=int, metavar="N", help="start an N-member ensemble instead")
    serve.add_argument("--tls", action="store_true",
                       help="also a TLS port, with a fresh self-signed certificate (needs keytool)")
    serve.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for serving (default 90)")
    return parser


class _StopRequest:
    """SIGINT/SIGTERM set a flag and write to a self-pipe, so waiting for one is race-free."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)
        self._previous = {s: signal.signal(s, self._handle) for s in _STOP_SIGNALS}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.signum = signum
        with contextlib.suppress(OSError):
            os.write(self._write, b"x")

    def wait(self) -> int:
        """Block until a stop signal has arrived (also one that came before the call)."""
        while self.signum is None:
            with contextlib.suppress(InterruptedError):
                select.select([self._read], [], [])
        return self.signum

    def close(self) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        os.close(self._read)
        os.close(self._write)


def self_signed_tls(directory: Path) -> tuple[TlsOptions, Path]:
    """Make, in ``directory``, a PKCS12 keystore and truststore for CN=localhost (SAN IP
    127.0.0.1, valid 7 days) and the certificate as PEM (a client's ``ca``); return the
    server's :class:`TlsOptions` (no client certificates asked for) and the PEM's path.

    Needs the JDK's ``keytool``; HarnessError when it is missing or fails.
    """
    keytool = shutil.which("keytool")
    if keytool is None:
        raise HarnessError("--tls needs the JDK's keytool on PATH (apt-get install default-jdk-headless)")
    keystore, truststore, cert = directory / "server.p12", directory / "trust.p12", directory / "ca.pem"
    for args in (
        ["-genkeypair", "-alias", "zk", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
         "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "7", "-storetype", "PKCS12",
         "-keystore", str(keystore)],
        ["-exportcert", "-rfc", "-alias", "zk", "-keystore", str(keystore), "-file", str(cert)],
        ["-importcert", "-noprompt", "-alias", "zk", "-file", str(cert), "-storetype", "PKCS12",
         "-keystore", str(truststore)],
    ):
        done = subprocess.run([keytool, *args, "-storepass", _STORE_PASSWORD], capture_output=True,
                              timeout=60, check=False)
        if done.returncode != 0:
            raise HarnessError(f"keytool {args[0]} failed: {done.stderr.decode(errors='replace').strip()}")
    options = TlsOptions(str(keystore), _STORE_PASSWORD, str(truststore), _STORE_PASSWORD, client_auth="none")
    return options, cert


def _serve(args: argparse.Namespace, stop: _StopRequest) -> int:
    with contextlib.ExitStack() as stack:
        lines: list[str]
        if args.ensemble is not None:
            ensemble = ZooKeeperEnsemble(args.ensemble)
            stack.callback(ensemble.stop)
            ensemble.start(timeout=args.timeout)
            lines = [ensemble.hosts]
        else:
            tls = cert = None
            if args.tls:
                keys = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="zk-serve-tls-")))
                tls, cert = self_signed_tls(keys)
            server = ZooKeeperServer(port=args.port, tls=tls)
            stack.callback(server.stop)
            server.start(timeout=args.timeout)
            lines = [server.hosts]
            if cert is not None:
                lines += [f"tls {server.tls_hosts}", f"ca {cert}"]
        if stop.signum is None:  # a signal during the start: stop at once, print nothing
            print("\n".join(lines), flush=True)
            print(f"zkrecipes.testing: ZooKeeper serving on {lines[0]}; Ctrl-C (SIGINT) or SIGTERM stops it",
                  file=sys.stderr, flush=True)
            stop.wait()
        print("zkrecipes.testing: stopping", file=sys.stderr, flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit status (0 after a clean stop)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.ensemble is not None and (args.port is not None or args.tls):
        parser.error("--port and --tls are for a single server, not with --ensemble")
    stop = _StopRequest()
    try:
        return _serve(args, stop)
    except (HarnessError, InvalidArgumentError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"zkrecipes.testing: {type(exc).__name__}: {first}", file=sys.stderr)
        detail = "\n".join(str(exc).splitlines()[1:])
        if detail:
            print(detail, file=sys.stderr)
        return 1
    finally:
        stop.close()
