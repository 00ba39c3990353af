"""Global options → one :class:`ClientConfig` → a started client, failing fast on refused hosts.

Guarantees: the options are checked by :meth:`ClientConfig.from_kazoo_args`
(one rule per option, shared with the library); before waiting for a session,
every host of the connect string is tried with a plain TCP connect bounded by
:data:`PROBE_TIMEOUT` (in parallel), and when all of them fail the command
stops at once with :class:`CliError` (exit 3) naming each host and its error —
so a refused port costs well under two seconds, not the whole ``--timeout``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import threading
import warnings
from typing import TYPE_CHECKING, Any

from zkrecipes.cli.errors import EXIT_CONNECT, EXIT_USAGE, CliError
from zkrecipes.client.config import ClientConfig
from zkrecipes.client.hosts import HostPort
from zkrecipes.exceptions import AuthFailedError, ZkException, ZkTimeoutError

if TYPE_CHECKING:
    from zkrecipes.client.client import ZkClient

__all__ = ["PROBE_TIMEOUT", "add_global_options", "build_config", "connect", "probe_hosts"]

#: Seconds one TCP probe may take before its host counts as unreachable.
PROBE_TIMEOUT = 1.0
DEFAULT_HOSTS = "127.0.0.1:2181"


def add_global_options(parser: argparse.ArgumentParser) -> None:
    """The options every command shares (connection, auth, TLS, output)."""
    group = parser.add_argument_group("connection")
    group.add_argument("--hosts", default=os.environ.get("ZK_HOSTS") or DEFAULT_HOSTS,
                       help="connect string h1:p1,h2:p2[/chroot] (default: $ZK_HOSTS, else %(default)s)")
    group.add_argument("--timeout", type=float, default=10.0,
                       help="session timeout, and seconds to wait for a session (default %(default)s)")
    group.add_argument("--digest", metavar="USER:PASS", help="add digest auth to the session")
    group.add_argument("--sasl", metavar="USER:PASS", help="log in with SASL DIGEST-MD5")
    group.add_argument("--ca", metavar="FILE", help="TLS: CA certificates (turns TLS on)")
    group.add_argument("--cert", metavar="FILE", help="TLS: client certificate (turns TLS on)")
    group.add_argument("--key", metavar="FILE", help="TLS: client key (turns TLS on)")
    group.add_argument("--json", action="store_true", help="machine-readable output (read commands)")
    group.add_argument("-v", "--verbose", action="store_true",
                       help="log the client's connection steps on stderr")
    group.add_argument("--metrics-port", type=int, metavar="PORT", default=None,
                       help="serve the client's Prometheus metrics on 127.0.0.1:PORT/metrics (0: any port)")
    group.add_argument("--session-file", metavar="FILE", help=argparse.SUPPRESS)  # debug: session id+password


def _user_pass(value: str, option: str) -> tuple[str, str]:
    user, sep, secret = value.partition(":")
    if not sep or not user:
        raise CliError(f"{option} expects USER:PASS", EXIT_USAGE)
    return user, secret


def build_config(args: argparse.Namespace) -> ClientConfig:
    """The checked configuration for the global options in ``args`` (CliError exit 2 if invalid)."""
    kwargs: dict[str, Any] = {"hosts": args.hosts, "timeout": args.timeout}
    if args.digest:
        user, secret = _user_pass(args.digest, "--digest")
        kwargs["auth_data"] = [("digest", f"{user}:{secret}")]
    if args.sasl:
        user, secret = _user_pass(args.sasl, "--sasl")
        kwargs["sasl_options"] = {"mechanism": "DIGEST-MD5", "username": user, "password": secret}
    if args.ca or args.cert or args.key:
        kwargs.update(use_ssl=True, ca=args.ca, certfile=args.cert, keyfile=args.key)
    try:
        return ClientConfig.from_kazoo_args(**kwargs)
    except (ZkException, TypeError, ValueError) as exc:
        raise CliError(f"invalid option: {exc}", EXIT_USAGE) from None


def probe_hosts(hosts: tuple[HostPort, ...], timeout: float = PROBE_TIMEOUT) -> list[str]:
    """TCP-connect to every host at once; the ``"host:port: error"`` of each one that failed."""
    errors: dict[int, str] = {}

    def probe(index: int, host: HostPort) -> None:
        try:
            with socket.create_connection((host.host, host.port), timeout=timeout):
                pass
        except OSError as exc:
            errors[index] = f"{host}: {exc.strerror or exc}"

    threads = [threading.Thread(target=probe, args=(i, h), daemon=True) for i, h in enumerate(hosts)]
    for thread in threads:
        thread.start()
    for index, thread in enumerate(threads):
        thread.join(timeout + 0.5)
        if thread.is_alive():
            errors.setdefault(index, f"{hosts[index]}: timed out")
    return [errors[i] for i in sorted(errors)]


def connect(args: argparse.Namespace) -> ZkClient:
    """A started client for the global options; CliError (exit 3) when no session can be had."""
    config = build_config(args)
    failures = probe_hosts(config.hosts)
    if len(failures) == len(config.hosts):
        raise CliError("cannot connect to ZooKeeper: " + "; ".join(failures), EXIT_CONNECT)
    from zkrecipes.client.client import ZkClient  # imported late: a refused host fails sooner

    client = ZkClient.from_config(config)
    if getattr(args, "metrics_port", None) is not None:
        from zkrecipes.cli.metrics import serve_metrics

        serve_metrics(client, args.metrics_port)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a missing chroot shows up as NoNode on use
            client.start(timeout=config.session_timeout)
    except AuthFailedError:
        raise CliError("cannot connect to ZooKeeper: authentication failed", EXIT_CONNECT) from None
    except ZkTimeoutError:
        tried = ", ".join(str(h) for h in config.hosts)
        detail = ("; " + "; ".join(failures)) if failures else ""
        raise CliError(f"cannot connect to ZooKeeper: no session within {config.session_timeout:g} s "
                       f"(tried {tried}{detail})", EXIT_CONNECT) from None
    if args.session_file:
        write_session_file(args.session_file, client)
    return client


def write_session_file(path: str, client: ZkClient) -> None:
    """Write the session id and password (hex) as JSON to ``path`` (atomically), for tests."""
    client_id = client.client_id
    if client_id is None:
        return
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump({"session_id": client_id[0], "password": client_id[1].hex()}, handle)
    os.replace(tmp, path)
