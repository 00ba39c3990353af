"""``--metrics-port``: the command's client metrics served for Prometheus while it runs.

Guarantees: with the option the command's client carries a
:class:`~zkrecipes.observe.prometheus.PrometheusObserver` on a registry of its own, served at
``http://127.0.0.1:PORT/metrics`` by a daemon thread from before the session starts until
the process exits (``PORT`` 0: any free port, printed on stderr); without the option nothing
is imported or started. A missing ``prometheus_client`` (the ``prometheus`` extra) or a port
that cannot be bound is a usage error (exit 2) naming the cause.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from zkrecipes.cli.errors import EXIT_USAGE, CliError

if TYPE_CHECKING:
    from zkrecipes.client.client import ZkClient

__all__ = ["serve_metrics"]


def serve_metrics(client: ZkClient, port: int) -> int:
    """Attach a Prometheus observer to ``client`` and serve it on ``port``; return the bound port."""
    try:
        from zkrecipes.observe.prometheus import start_metrics_server
    except ImportError as exc:
        raise CliError(f"--metrics-port needs prometheus_client (pip install 'zkrecipes[prometheus]'): {exc}",
                       EXIT_USAGE) from None
    try:
        observer, server = start_metrics_server(port)
    except OSError as exc:
        raise CliError(f"--metrics-port {port}: cannot serve metrics: {exc}", EXIT_USAGE) from None
    client.add_observer(observer)
    bound = int(server.server_port)
    print(f"zkrecipes: metrics at http://127.0.0.1:{bound}/metrics", file=sys.stderr)
    return bound
